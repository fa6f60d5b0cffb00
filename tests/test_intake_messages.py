"""What the reader says: the command line's text output in sheet and row order (JSON unchanged)."""

from __future__ import annotations

import argparse
import io
import json
import re
from pathlib import Path

from cchc_lib.commands.cli import run_validate
from cchc_lib.common.settings import Settings
from cchc_lib.reading.workbook import read_workbook
from tests.test_workbook import _planted

SHEET_ORDER = ["Đơn vị", "Kế hoạch", "Hoạt động"]


def _validate(path: Path, form: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    run_validate(argparse.Namespace(file=str(path), format=form), Settings(), out, err)
    assert err.getvalue() == ""
    return out.getvalue()


def test_text_output_is_sorted_by_sheet_and_row_and_json_keeps_the_reading_order(tmp_path: Path) -> None:
    path = tmp_path / "loi.xlsx"
    path.write_bytes(_planted())
    places = []
    for line in _validate(path, "text").splitlines()[:-1]:
        match = re.match(r"^(?:LỖI|Cảnh báo) \[trang '([^']+)', dòng (\d+)", line)
        assert match, line
        places.append((SHEET_ORDER.index(match.group(1)), int(match.group(2))))
    assert places == sorted(places) and len(places) == 16
    raw = read_workbook(_planted()).problems
    assert list(zip(raw["sheet"], raw["row"], strict=True)) != sorted(
        zip(raw["sheet"], raw["row"], strict=True), key=lambda p: (SHEET_ORDER.index(p[0]), p[1])
    )  # the reader's own order is not sorted: the sorting is the command line's
    document = json.loads(_validate(path, "json"))
    assert [(p["sheet"], p["row"], p["code"]) for p in document["problems"]] == list(
        zip(raw["sheet"], raw["row"].astype(int), raw["code"], strict=True)
    )
