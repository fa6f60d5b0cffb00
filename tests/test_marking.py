"""Marking an uploaded workbook: problem cells filled and commented, a problem column, a list sheet."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import load_workbook

from cchc_lib.marking import LIST_SHEET, PROBLEM_HEADER, mark_problems
from cchc_lib.model import PROBLEM_COLUMNS
from tests.xlsx import make_xlsx

RED, YELLOW = "FFFFC7CE", "FFFFEB9C"


def test_marks_cells_rows_and_lists_everything() -> None:
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
    book = load_workbook(io.BytesIO(mark_problems(data, problems)))
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
