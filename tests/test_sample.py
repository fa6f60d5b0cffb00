"""The bundled sample: readable without errors, and `summary` equals figures computed independently
from the raw sheets with openpyxl and plain Python (no cchc_lib reading or metrics involved)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "cam_xuyen_2024.xlsx"


def _sheet_rows(book: openpyxl.Workbook, name: str) -> list[dict[str, object]]:
    sheet = book[name]
    rows = list(sheet.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if "Mã đơn vị" in r)
    header = rows[header_at]
    return [
        dict(zip(header, r, strict=False)) for r in rows[header_at + 1 :] if any(v is not None for v in r)
    ]


def _day(value: object) -> date:
    return value.date() if isinstance(value, datetime) else value


def independent_summary(
    period_quarters: list[int], start: date, end: date
) -> dict[tuple[str, str], tuple[float, int]]:
    """(unit, type) -> (planned, actual) for 2024, computed by hand-written loops over the raw sheets."""
    book = openpyxl.load_workbook(SAMPLE, read_only=True, data_only=True)
    types = {r["Tên loại hoạt động"]: r["Mã loại"] for r in _sheet_rows_types(book)}
    codes = set(types.values())
    units = {}
    for r in _sheet_rows(book, "Đơn vị"):
        lo, hi = _day(r.get("Hiệu lực từ")), _day(r.get("Hiệu lực đến"))
        if (lo is None or lo <= end) and (hi is None or hi >= start):
            units[r["Mã đơn vị"]] = r
    planned: dict[tuple[str, str], float] = defaultdict(float)
    for r in _sheet_rows(book, "Kế hoạch"):
        if r["Năm"] != 2024 or r["Mã đơn vị"] not in units:
            continue
        for key, value in r.items():
            code = key if key in codes else types.get(key)
            if code is None or value is None:
                continue
            if r.get("Quý") is None:
                planned[r["Mã đơn vị"], code] += value * len(period_quarters) / 4
            elif int(r["Quý"]) in period_quarters:
                planned[r["Mã đơn vị"], code] += value
    actual: dict[tuple[str, str], int] = defaultdict(int)
    for r in _sheet_rows(book, "Hoạt động"):
        day = _day(r["Ngày"])
        if start <= day <= end and r["Mã đơn vị"] in units:
            code = r["Loại hoạt động"] if r["Loại hoạt động"] in codes else types[r["Loại hoạt động"]]
            actual[r["Mã đơn vị"], code] += r["Số lượng"] or 1
    return {(u, t): (planned[u, t], actual[u, t]) for u in units for t in codes}


def _sheet_rows_types(book: openpyxl.Workbook) -> list[dict[str, object]]:
    rows = list(book["Loại hoạt động"].iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if "Mã loại" in r)
    return [dict(zip(rows[header_at], r, strict=False)) for r in rows[header_at + 1 :] if r[0] is not None]


@pytest.mark.parametrize(
    ("period", "calendar", "quarters", "start", "end"),
    [
        ("2024-H1", "report", [1, 2], date(2023, 12, 15), date(2024, 6, 14)),
        ("2024-Q3", "calendar", [3], date(2024, 7, 1), date(2024, 9, 30)),
        ("2024", "report", [1, 2, 3, 4], date(2023, 12, 15), date(2024, 12, 14)),
        ("2024-9M", "calendar", [1, 2, 3], date(2024, 1, 1), date(2024, 9, 30)),
    ],
)
def test_summary_of_the_sample_matches_an_independent_computation(
    period: str, calendar: str, quarters: list[int], start: date, end: date
) -> None:
    expected = independent_summary(quarters, start, end)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cchc_lib",
            "summary",
            str(SAMPLE),
            "--period",
            period,
            "--calendar",
            calendar,
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    got = {
        (r["unit_code"], r["activity_type"]): (r["planned"], r["actual"], r["completion_pct"])
        for r in json.loads(done.stdout)
    }
    assert set(got) == set(expected)
    for key, (plan, act) in expected.items():
        assert got[key][0] == pytest.approx(plan), key
        assert got[key][1] == act, key
        assert got[key][2] == (None if plan == 0 else round(act / plan * 100, 1)), key
    assert sum(a for _, a in expected.values()) > 0
