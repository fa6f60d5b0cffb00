"""Habits of the workbooks district offices really keep (issue 9), each built as a real .xlsx with
merged cells: read with the exact figures, with one warning per kind where a row is skipped."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from cchc_lib.common.settings import Settings
from cchc_lib.reading.workbook import read_workbook
from tests.xlsx import UNIT_HEADERS, make_xlsx, with_shared_strings

UNITS = [
    UNIT_HEADERS,
    ["PNV", "Phòng Nội vụ", "Phòng chuyên môn"],
    ["TTVH", "Trung tâm Văn hóa - Truyền thông", "Đơn vị sự nghiệp"],
    ["XCB", "Xã Cẩm Bình", "UBND xã, thị trấn"],
]
TARGETS = [["Năm", "Mã đơn vị", "TIN_BAI"], [2024, "PNV", 8]]
ACT_HEADERS = ["STT", "Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng", "Tiêu đề"]


def _read(sheets: dict[str, list[list[object]]], merges: dict[str, list[str]] | None = None):
    book = {"Đơn vị": UNITS, "Kế hoạch": TARGETS, **sheets}
    return read_workbook(make_xlsx(book, merges), Settings())


def _figures(result) -> list[tuple[str, str, int]]:
    assert result.ok, result.problems.to_dict("records")
    acts = result.workbook.activities
    return sorted(zip(acts["unit_code"], acts["type_code"], acts["quantity"].astype(int), strict=True))


def _warnings(result) -> list[tuple[str, str, int]]:
    w = result.warnings
    return [(p.code, p.sheet, int(p.row)) for p in w.itertuples()]


def test_two_row_header_in_targets_group_header_over_the_type_names() -> None:
    targets = [
        ["KẾ HOẠCH TUYÊN TRUYỀN CCHC NĂM 2024"],
        ["STT", "Mã đơn vị", "Năm", "Chỉ tiêu kế hoạch năm 2024", None, None],
        [None, None, None, "Tin, bài", "Phóng sự", "Bài đăng Cổng/Trang TTĐT"],
        [1, "PNV", 2024, 12, 2, 5],
        [2, "XCB", 2024, 6, None, "-"],
    ]
    merges = {"Kế hoạch": ["A1:F1", "A2:A3", "B2:B3", "C2:C3", "D2:F2"]}
    result = read_workbook(
        make_xlsx({"Đơn vị": UNITS, "Kế hoạch": targets, "Hoạt động": [ACT_HEADERS]}, merges), Settings()
    )
    assert result.ok, result.problems.to_dict("records")
    got = result.workbook.targets[["unit_code", "type_code", "target"]].values.tolist()
    assert got == [
        ["PNV", "TIN_BAI", 12],
        ["PNV", "PHONG_SU", 2],
        ["PNV", "BAI_DANG_TTDT", 5],
        ["XCB", "TIN_BAI", 6],
    ]
    assert result.warnings.empty


def test_two_row_header_in_activities_result_group_over_quantity_and_link() -> None:
    activities = [
        ["Ngày", "Mã đơn vị", "Loại hoạt động", "Kết quả thực hiện", None],
        [None, None, None, "Số lượng", "Đường dẫn"],
        [date(2024, 3, 5), "PNV", "TIN_BAI", 3, "https://a"],
        [date(2024, 3, 6), "XCB", "TIN_BAI", 2, None],
    ]
    result = _read({"Hoạt động": activities}, {"Hoạt động": ["A1:A2", "B1:B2", "C1:C2", "D1:E1"]})
    assert _figures(result) == [("PNV", "TIN_BAI", 3), ("XCB", "TIN_BAI", 2)]
    assert result.workbook.activities["link"].tolist()[0] == "https://a"
    assert result.warnings.empty


@pytest.mark.parametrize("shape", [lambda d: d, with_shared_strings], ids=["inline", "shared"])
def test_group_and_month_headings_subtotals_and_the_signature_block_are_skipped(shape) -> None:
    activities = [
        ["UBND HUYỆN CẨM XUYÊN", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        ["BẢNG THEO DÕI TIN, BÀI TUYÊN TRUYỀN CCHC"],
        ACT_HEADERS,
        ["I", "KHỐI PHÒNG, BAN CHUYÊN MÔN"],  # row 4, merged B4:F4
        [None, "Tháng 1"],  # row 5
        [1, date(2024, 1, 5), "PNV", "TIN_BAI", 3, "Hội nghị"],
        [2, date(2024, 1, 9), "TTVH", "TIN_BAI", 2, "Tập huấn"],
        [None, "Cộng tháng 1", None, None, 5],  # row 8
        [None, "Quý I"],  # row 9
        [3, date(2024, 2, 1), "PNV", "PHONG_SU", 1, "Phóng sự"],
        [None, "Cộng quý I", None, None, 6],  # row 11
        ["II", "KHỐI XÃ, THỊ TRẤN"],  # row 12, merged
        [4, date(2024, 2, 3), "XCB", "TIN_BAI", 4, "Zalo"],
        [None, "Cộng khối xã, thị trấn", None, None, 4],  # row 14
        [None, "Tổng cộng", None, None, 10],  # row 15
        [None, "Total", None, None, 10],  # row 16: an Excel table's total row
        [None],
        [None, None, None, "Cẩm Xuyên, ngày 28 tháng 3 năm 2024"],  # row 18
        [None, "NGƯỜI LẬP BIỂU", None, "THỦ TRƯỞNG ĐƠN VỊ"],
        [None, "(Ký, ghi rõ họ tên)", None, "(Ký tên, đóng dấu)"],
        [None],
        [None, "Nguyễn Văn An", None, "Trần Thị Bình"],  # row 22
    ]
    data = shape(
        make_xlsx(
            {"Đơn vị": UNITS, "Kế hoạch": TARGETS, "Hoạt động": activities},
            {"Hoạt động": ["A1:C1", "D1:F1", "A2:F2", "B4:F4", "B12:F12"]},
        )
    )
    result = read_workbook(data, Settings())
    assert _figures(result) == [
        ("PNV", "PHONG_SU", 1),
        ("PNV", "TIN_BAI", 3),
        ("TTVH", "TIN_BAI", 2),
        ("XCB", "TIN_BAI", 4),
    ]
    assert result.workbook.activities["row"].tolist() == [6, 7, 10, 13]
    assert _warnings(result) == [
        ("total_row", "Hoạt động", 8),
        ("section_row", "Hoạt động", 4),
        ("signature_block", "Hoạt động", 18),
    ]
    messages = dict(zip(result.warnings["code"], result.warnings["message"], strict=True))
    assert messages["total_row"].startswith(
        "5 dòng tổng/cộng được bỏ qua, không cộng vào số liệu (dòng 8, 11, 14, 15, 16"
    )
    assert "(dòng 4, 5, 9, 12;" in messages["section_row"]


def test_a_row_naming_a_unit_is_data_whatever_its_first_text() -> None:
    """`Tổng kết …` as a title and `Công an xã` as a unit name are data, not totals."""
    units = [*UNITS, ["CAX", "Công an xã Cẩm Bình", "Cơ quan ngành dọc"]]
    activities = [
        ["Ngày", "Tiêu đề", "Mã đơn vị", "Loại hoạt động", "Số lượng"],
        [date(2024, 3, 5), "Tổng kết công tác CCHC", "PNV", "TIN_BAI", 2],
        [date(2024, 3, 6), "Cộng đồng số", "XCB", "TIN_BAI", 1],
        [date(2024, 3, 7), "Tin an ninh", "Công an xã Cẩm Bình", "TIN_BAI", 5],
    ]
    result = read_workbook(
        make_xlsx({"Đơn vị": units, "Kế hoạch": TARGETS, "Hoạt động": activities}), Settings()
    )
    assert _figures(result) == [("CAX", "TIN_BAI", 5), ("PNV", "TIN_BAI", 2), ("XCB", "TIN_BAI", 1)]
    assert result.warnings.empty


def test_an_incomplete_row_is_still_an_error_not_a_heading() -> None:
    activities = [
        ACT_HEADERS,
        [1, date(2024, 3, 5), "PNV", "TIN_BAI", 2, "a"],
        [2, None, "XCB", None, None, None],  # only a unit: an error, never silently skipped
        [3, "Tin bài", None, None, None, None],  # text in the date column without heading shape
    ]
    result = _read({"Hoạt động": activities})
    errors = sorted((int(p.row), p.code, p.column) for p in result.errors.itertuples())
    assert errors == [
        (3, "missing_value", "Loại hoạt động"),
        (3, "missing_value", "Ngày"),
        (4, "bad_date", "Ngày"),
        (4, "missing_value", "Loại hoạt động"),
        (4, "missing_value", "Mã đơn vị"),
    ]
    assert result.warnings.empty


def test_text_after_the_table_that_is_not_a_signature_is_read() -> None:
    activities = [
        ["Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng"],
        [date(2024, 3, 5), "PNV", "TIN_BAI", 2],
        [None, "NGƯỜI LẬP BIỂU"],
        [date(2024, 3, 9), "XCB", "TIN_BAI", 3],  # data after it: there is no signature block
    ]
    result = _read({"Hoạt động": activities})
    assert sorted((p.code, int(p.row), p.column) for p in result.errors.itertuples()) == [
        ("missing_value", 3, "Loại hoạt động"),
        ("missing_value", 3, "Ngày"),
        ("unknown_unit", 3, "Mã đơn vị"),
    ]


def test_a_group_heading_in_the_units_sheet_is_skipped() -> None:
    units = [
        ["STT", *UNIT_HEADERS],
        ["A", "CÁC PHÒNG CHUYÊN MÔN"],
        [1, "PNV", "Phòng Nội vụ", "Phòng"],
        ["B", "CÁC XÃ, THỊ TRẤN"],
        [2, "XCB", "Xã Cẩm Bình", "UBND xã"],
        [3, "TTCX", "Thị trấn Cẩm Xuyên", "UBND thị trấn"],
    ]
    result = read_workbook(
        make_xlsx(
            {"Đơn vị": units, "Kế hoạch": TARGETS, "Hoạt động": [ACT_HEADERS]}, {"Đơn vị": ["B2:D2", "B4:D4"]}
        ),
        Settings(),
    )
    assert result.ok, result.problems.to_dict("records")
    assert result.workbook.units[["unit_code", "unit_type"]].values.tolist() == [
        ["PNV", "Phòng chuyên môn"],
        ["XCB", "UBND xã, thị trấn"],
        ["TTCX", "UBND xã, thị trấn"],
    ]
    assert _warnings(result) == [("section_row", "Đơn vị", 2), ("short_unit_type", "Đơn vị", 3)]
    short = result.warnings["message"].iloc[1]
    assert "'Phòng' là 'Phòng chuyên môn'" in short and "'UBND xã' là 'UBND xã, thị trấn'" in short


def test_a_unit_type_matching_no_type_or_two_stays_an_error_listing_the_types() -> None:
    units = [UNIT_HEADERS, ["PNV", "Phòng Nội vụ", "Đơn vị"]]  # `Đơn vị`: words of one type only
    units.append(["X", "Cơ quan X", "Cơ quan"])  # one type only too
    units.append(["Y", "Y", "Sở"])
    result = read_workbook(
        make_xlsx({"Đơn vị": units, "Kế hoạch": TARGETS, "Hoạt động": [ACT_HEADERS]}), Settings()
    )
    assert [(p.code, int(p.row)) for p in result.errors.itertuples()] == [("unknown_unit_type", 4)]
    assert (
        result.errors["message"]
        .iloc[0]
        .endswith(
            "Hãy ghi một trong các loại: Phòng chuyên môn; Đơn vị sự nghiệp; Cơ quan ngành dọc; UBND xã, thị trấn."
        )
    )
    two = make_xlsx(
        {
            "Đơn vị": [UNIT_HEADERS, ["X1", "Xã 1", "UBND"]],
            "Kế hoạch": [["Năm", "Mã đơn vị"]],
            "Hoạt động": [ACT_HEADERS],
        }
    )
    result = read_workbook(two, Settings(unit_types=("UBND xã", "UBND phường")))
    assert [(p.code, int(p.row)) for p in result.errors.itertuples()] == [("unknown_unit_type", 2)]


def test_names_differing_in_hyphen_spacing_or_a_measuring_unit_are_the_same() -> None:
    activities = [
        ["Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng"],
        [date(2024, 3, 5), "Trung tâm Văn hóa-Truyền thông", "Tin, bài (tin)", 2],
        [date(2024, 3, 6), "Trung tâm Văn hóa – Truyền thông", "Phóng sự (phóng sự)", 1],
    ]
    assert _figures(_read({"Hoạt động": activities})) == [("TTVH", "PHONG_SU", 1), ("TTVH", "TIN_BAI", 2)]


def test_office_forms_of_dates_counts_amounts_quarters_and_years() -> None:
    activities = [
        ["Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng"],
        ["05.03.2024", "PNV", "TIN_BAI", "1.000"],
        ["ngày 28/3/2024", "PNV", "TIN_BAI", 2],
        ["6/5/24", "PNV", "TIN_BAI", 3],
        ["19/02/24", "PNV", "TIN_BAI", 4],
    ]
    targets = [
        ["Năm", "Quý", "Mã đơn vị", "TIN_BAI", "PHONG_SU"],
        ["Năm 2024", "Cả năm", "PNV", "1.200", "—"],
        [2024, "Quý I", "XCB", "x", 3],
    ]
    funding = [["Năm", "Mã đơn vị", "Dự toán", "Đã chi"], [2024, "PNV", "5.000.000đ", "1.500.000 đồng"]]
    result = read_workbook(
        make_xlsx({"Đơn vị": UNITS, "Kế hoạch": targets, "Hoạt động": activities, "Kinh phí": funding}),
        Settings(),
    )
    assert result.ok, result.problems.to_dict("records")
    acts = result.workbook.activities
    assert acts["date"].dt.date.tolist() == [
        date(2024, 3, 5),
        date(2024, 3, 28),
        date(2024, 5, 6),
        date(2024, 2, 19),
    ]
    assert acts["quantity"].tolist() == [1000, 2, 3, 4]
    targets_read = result.workbook.targets
    assert targets_read[["year", "unit_code", "type_code", "target"]].values.tolist() == [
        [2024, "PNV", "TIN_BAI", 1200],
        [2024, "XCB", "PHONG_SU", 3],
    ]
    assert targets_read["quarter"].tolist()[0] is pd.NA and targets_read["quarter"].tolist()[1] == 1
    assert result.workbook.funding[["allocated", "spent"]].values.tolist() == [[5_000_000, 1_500_000]]


def test_unknown_type_message_lists_types_by_name_with_codes() -> None:
    activities = [["Ngày", "Mã đơn vị", "Loại hoạt động"], [date(2024, 3, 5), "PNV", "Video clip"]]
    message = _read({"Hoạt động": activities}).errors["message"].iloc[0]
    assert message.endswith(
        "Hãy ghi tên hoặc mã của một loại: Tin, bài (TIN_BAI); Phóng sự (PHONG_SU); "
        "Bài đăng Cổng/Trang TTĐT (BAI_DANG_TTDT)."
    )


def test_dates_units_and_years_merged_down_belong_to_every_row_of_the_merge() -> None:
    activities = [
        ["Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng"],
        [date(2024, 3, 5), "PNV", "TIN_BAI", 2],
        [None, None, "PHONG_SU", 1],
        [None, None, "TIN_BAI", 4],
        [date(2024, 3, 9), "XCB", "TIN_BAI", 3],
    ]
    targets = [["Năm", "Mã đơn vị", "TIN_BAI"], [2024, "PNV", 8], [None, "XCB", 5]]
    result = read_workbook(
        make_xlsx(
            {"Đơn vị": UNITS, "Kế hoạch": targets, "Hoạt động": activities},
            {"Hoạt động": ["A2:A4", "B2:B4"], "Kế hoạch": ["A2:A3"]},
        ),
        Settings(),
    )
    assert _figures(result) == [
        ("PNV", "PHONG_SU", 1),
        ("PNV", "TIN_BAI", 2),
        ("PNV", "TIN_BAI", 4),
        ("XCB", "TIN_BAI", 3),
    ]
    assert result.workbook.activities["date"].dt.day.tolist() == [5, 5, 5, 9]
    assert result.workbook.targets[["year", "unit_code", "target"]].values.tolist() == [
        [2024, "PNV", 8],
        [2024, "XCB", 5],
    ]
    assert result.warnings.empty


def test_a_quantity_merged_down_is_an_error_naming_the_range() -> None:
    """Read as it stands, the merged 6 would count once and the other rows 1 each: 8, not 6."""
    activities = [
        ["Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng"],
        [date(2024, 3, 5), "PNV", "TIN_BAI", 6],
        [date(2024, 3, 6), "PNV", "TIN_BAI", None],
        [date(2024, 3, 7), "PNV", "TIN_BAI", None],
    ]
    result = read_workbook(
        make_xlsx({"Đơn vị": UNITS, "Kế hoạch": TARGETS, "Hoạt động": activities}, {"Hoạt động": ["D2:D4"]}),
        Settings(),
    )
    assert [(p.code, p.sheet, int(p.row), p.column) for p in result.errors.itertuples()] == [
        ("merged_number", "Hoạt động", 2, "Số lượng")
    ]
    assert result.errors["message"].iloc[0].startswith("Ô D2:D4 được gộp qua 3 dòng")


@pytest.mark.parametrize(
    "numbers",
    [["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"], [1, 2, 3, 4, 5, 6], ["A", "B", 1, 2, 3, 4]],
    ids=["parenthesised", "plain", "letters"],
)
def test_a_row_numbering_the_columns_under_the_header_is_skipped(numbers: list[object]) -> None:
    activities = [ACT_HEADERS, numbers, [1, date(2024, 3, 5), "PNV", "TIN_BAI", 2, "a"]]
    result = _read({"Hoạt động": activities})
    assert _figures(result) == [("PNV", "TIN_BAI", 2)]
    assert _warnings(result) == [("column_numbers", "Hoạt động", 2)]


def test_a_first_data_row_of_numbers_is_not_a_column_numbering() -> None:
    targets = [["Năm", "Mã đơn vị", "TIN_BAI", "PHONG_SU"], [2024, 1, 2, 3]]  # unit coded `1`: data
    units = [UNIT_HEADERS, [1, "Phòng Một", "Phòng chuyên môn"]]
    result = read_workbook(
        make_xlsx({"Đơn vị": units, "Kế hoạch": targets, "Hoạt động": [ACT_HEADERS]}), Settings()
    )
    assert result.ok, result.problems.to_dict("records")
    assert result.workbook.targets["target"].tolist() == [2, 3]
