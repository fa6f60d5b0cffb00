"""Marking an uploaded workbook: problem cells filled and commented, a problem column, a list sheet."""

from __future__ import annotations

import io
from dataclasses import replace

import pandas as pd
import pytest
from openpyxl import load_workbook

from cchc_lib.common.settings import Settings
from cchc_lib.reading import sandbox
from cchc_lib.reading.marking import LIST_SHEET, PROBLEM_HEADER, mark_problems, problem_records
from cchc_lib.reading.model import PROBLEM_COLUMNS
from cchc_lib.reading.safety import UnsafeFile
from cchc_lib.reading.sandbox import mark_untrusted, read_untrusted
from tests import hostile
from tests.xlsx import make_xlsx

# Worker runs in tests: small limits so a runaway child is cheap on a shared machine.
LIMITED = replace(Settings(), parse_memory_mb=700, parse_timeout_s=60)

RED, YELLOW = "FFFFC7CE", "FFFFEB9C"


def _problem_workbook() -> tuple[bytes, pd.DataFrame]:
    data = make_xlsx(
        {
            "Hoạt động": [
                ["BÁO CÁO", None, None],
                ["Ngày", "Mã đơn vị", "Loại hoạt động"],
                ["31/02/2024", "XCB", "TIN_BAI"],
                ["01/03/2024", "XYZ", "Tin bai"],
                ["=cmd", "XCB", "TIN_BAI"],
            ],
            "Đơn vị": [["Mã đơn vị", "Tên đơn vị"], ["XCB", "Xã Cẩm Bình"]],
        }
    )
    problems = pd.DataFrame(
        [
            ("error", "bad_date", "Hoạt động", 3, "Ngày", "Ngày không hợp lệ: 31/02/2024"),
            ("warning", "name_type", "Hoạt động", 4, "Loại hoạt động", "Nên ghi mã loại"),
            ("error", "unknown_unit", "Hoạt động", 4, "Mã đơn vị", "Không có đơn vị XYZ"),
            ("error", "missing_sheet", None, None, None, "Thiếu trang tính 'Kế hoạch'"),
        ],
        columns=PROBLEM_COLUMNS,
    )
    problems["row"] = problems["row"].astype("Int64")  # as the reader gives them
    return data, problems


def _assert_marked(marked: bytes) -> None:
    book = load_workbook(io.BytesIO(marked))
    ws = book["Hoạt động"]
    assert ws["D2"].value == PROBLEM_HEADER  # header row found under the title row
    assert ws["A3"].fill.start_color.rgb == RED and "Ngày không hợp lệ" in ws["A3"].comment.text
    assert ws["C4"].fill.start_color.rgb == YELLOW and "Cảnh báo: Nên ghi mã loại" in ws["C4"].comment.text
    assert ws["B4"].fill.start_color.rgb == RED
    assert ws["D3"].value == "Lỗi: Ngày không hợp lệ: 31/02/2024"
    assert ws["D4"].value == "Cảnh báo: Nên ghi mã loại; Lỗi: Không có đơn vị XYZ"
    assert ws["D4"].fill.start_color.rgb == RED
    assert ws["D5"].value is None and ws["B3"].comment is None
    assert ws["A5"].value == "=cmd"  # the user's own cells are not rewritten
    assert book["Đơn vị"].max_column == 2  # unaffected sheets get no column
    listing = book[LIST_SHEET]
    assert book.sheetnames[0] == LIST_SHEET
    rows = [tuple(c.value for c in row) for row in listing.iter_rows(min_row=2)]
    assert rows == [
        ("Lỗi", "Hoạt động", 3, "Ngày", "Ngày không hợp lệ: 31/02/2024"),
        ("Cảnh báo", "Hoạt động", 4, "Loại hoạt động", "Nên ghi mã loại"),
        ("Lỗi", "Hoạt động", 4, "Mã đơn vị", "Không có đơn vị XYZ"),
        ("Lỗi", None, None, None, "Thiếu trang tính 'Kế hoạch'"),
    ]


def test_marks_cells_rows_and_lists_everything() -> None:
    _assert_marked(mark_problems(*_problem_workbook()))


def test_the_marked_copy_built_in_the_limited_worker_has_the_same_marks() -> None:
    _assert_marked(mark_untrusted(*_problem_workbook(), LIMITED))


def test_a_marked_copy_too_costly_to_build_hits_the_memory_limit() -> None:
    # 300,000 formatted empty cells in the first rows of a sheet nobody reads: under 1 MB, read fine, but
    # openpyxl (which marks; the header rows are always loaded) makes an object of each cell. Under the
    # worker's limit: a clear refusal, and this process unharmed.
    data = hostile.styled_blank_cells_xlsx(20, 15_000)
    small = replace(LIMITED, parse_memory_mb=450)
    assert read_untrusted(data, small).ok
    with pytest.raises(UnsafeFile) as caught:
        mark_untrusted(data, _problem_workbook()[1], small)
    assert caught.value.code == "parse_memory"


@pytest.mark.parametrize(
    ("marker", "limits", "code"),
    [
        ("marker_sleep", {"parse_timeout_s": 2}, "parse_timeout"),
        ("marker_hog", {"parse_memory_mb": 500}, "parse_memory"),
    ],
)
def test_the_worker_limits_stop_the_marking(
    monkeypatch: pytest.MonkeyPatch, marker: str, limits: dict, code: str
) -> None:
    monkeypatch.setattr(sandbox, "MARKER", f"tests.hostile:{marker}")
    with pytest.raises(UnsafeFile) as caught:
        mark_untrusted(hostile.good_xlsx(), None, replace(LIMITED, **limits))
    assert caught.value.code == code


def test_problem_records_are_plain_values() -> None:
    records = problem_records(_problem_workbook()[1])
    assert records[0] == {
        "level": "error",
        "code": "bad_date",
        "sheet": "Hoạt động",
        "row": 3,
        "column": "Ngày",
        "message": "Ngày không hợp lệ: 31/02/2024",
    }
    assert records[3]["row"] is None and records[3]["sheet"] is None
    assert problem_records(None) == []


def test_sheet_and_header_matched_loosely_and_messages_stay_text() -> None:
    data = make_xlsx({"HOAT DONG": [["ngay", "ma don vi"], ["x", "Y"]]})
    problems = pd.DataFrame(
        [("error", "x", "Hoạt động", 2, "Mã đơn vị", '=HYPERLINK("http://evil")')], columns=PROBLEM_COLUMNS
    )
    ws = load_workbook(io.BytesIO(mark_problems(data, problems)))["HOAT DONG"]
    assert ws["B2"].fill.start_color.rgb == RED
    assert ws["C1"].value == PROBLEM_HEADER
    assert ws["C2"].data_type == "s" and ws["C2"].value.startswith("Lỗi: =HYPERLINK")


def test_no_problems_adds_only_an_empty_list() -> None:
    data = make_xlsx({"Đơn vị": [["Mã đơn vị"], ["XCB"]]})
    book = load_workbook(io.BytesIO(mark_problems(data, pd.DataFrame(columns=PROBLEM_COLUMNS))))
    assert book.sheetnames == [LIST_SHEET, "Đơn vị"]
    assert book["Đơn vị"].max_column == 1
