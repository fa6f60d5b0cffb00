"""Reading the workbook: layout tolerance, normalisation, every cell kind, cross-sheet checks."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

import pandas as pd
import pytest

from cchc_lib.common.settings import Settings
from cchc_lib.reading.workbook import read_workbook
from cchc_lib.sample.builder import Layout, WorkbookSpec, build_xlsx
from tests.xlsx import ACTIVITY_HEADERS, UNIT_HEADERS, make_xlsx

UNITS = [
    {"Mã đơn vị": "PNV", "Tên đơn vị": "Phòng Nội vụ", "Loại đơn vị": "Phòng chuyên môn"},
    {
        "Mã đơn vị": "XCB",
        "Tên đơn vị": "UBND xã Cẩm Bình",
        "Loại đơn vị": "UBND xã, thị trấn",
        "Hiệu lực đến": date(2024, 6, 30),
    },
]
TARGETS = [
    {"Năm": 2024, "Quý": None, "Mã đơn vị": "PNV", "TIN_BAI": 8, "PHONG_SU": 2},
    {"Năm": 2024, "Quý": 1, "Mã đơn vị": "XCB", "TIN_BAI": 3},
]
ACTIVITIES = [
    {"Ngày": date(2024, 3, 5), "Mã đơn vị": "PNV", "Loại hoạt động": "Tin bài", "Tiêu đề": "Hội nghị CCHC"},
    {"Ngày": date(2024, 3, 15), "Mã đơn vị": "UBND xã Cẩm Bình", "Loại hoạt động": "TIN_BAI", "Số lượng": 3},
    {"Ngày": date(2024, 12, 20), "Mã đơn vị": "pnv", "Loại hoạt động": "phóng sự", "Số lượng": 2},
]
SPEC = WorkbookSpec(UNITS, TARGETS, ACTIVITIES)

EXPECTED_TARGETS = pd.DataFrame(
    {
        "year": [2024, 2024, 2024],
        "quarter": pd.array([pd.NA, pd.NA, 1], dtype="Int64"),
        "unit_code": ["PNV", "PNV", "XCB"],
        "type_code": ["TIN_BAI", "PHONG_SU", "TIN_BAI"],
        "target": [8, 2, 3],
    }
)
EXPECTED_ACTIVITY_KEYS = pd.DataFrame(
    {
        "date": pd.to_datetime(["2024-03-05", "2024-03-15", "2024-12-20"]).astype("datetime64[ns]"),
        "unit_code": ["PNV", "XCB", "PNV"],
        "type_code": ["TIN_BAI", "TIN_BAI", "PHONG_SU"],
        "quantity": [1, 3, 2],
    }
)
MESSY = Layout(
    title_block=True,
    stt=True,
    total_row=True,
    extra_column=True,
    header_variants="mixed",
    dates_as="mixed",
    nfd_text=True,
    nbsp=True,
    lower_codes=True,
    blank_rows=True,
    blank_every=1,
    numbers_as_text=True,
)


def _keys(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[["date", "unit_code", "type_code", "quantity"]].reset_index(drop=True)


@pytest.mark.parametrize("layout", [Layout(), MESSY], ids=["clean", "messy"])
def test_clean_and_messy_layouts_read_to_the_same_tables(layout: Layout) -> None:
    result = read_workbook(build_xlsx(SPEC, layout=layout))
    assert result.ok, result.problems
    wb = result.workbook
    assert list(wb.units["unit_code"]) == ["PNV", "XCB"]
    assert list(wb.units["unit_name"]) == ["Phòng Nội vụ", "UBND xã Cẩm Bình"]
    assert all(unicodedata.is_normalized("NFC", n) for n in wb.units["unit_name"])
    assert list(wb.units["valid_to"].dt.date.fillna("-")) == ["-", date(2024, 6, 30)]
    pd.testing.assert_frame_equal(wb.targets, EXPECTED_TARGETS)
    pd.testing.assert_frame_equal(_keys(wb.activities), EXPECTED_ACTIVITY_KEYS)
    assert list(wb.activity_types["type_code"]) == ["TIN_BAI", "PHONG_SU", "BAI_DANG_TTDT"]


def test_messy_layout_warns_about_total_rows_and_extra_columns_but_never_blocks() -> None:
    result = read_workbook(build_xlsx(SPEC, layout=MESSY))
    warnings = result.warnings
    assert set(warnings["code"]) == {"total_row", "extra_column"}
    totals = warnings[warnings["code"] == "total_row"]
    assert len(totals) == 2  # one under Kế hoạch, one under Hoạt động
    assert result.errors.empty


def test_activity_outside_unit_validity_is_a_warning_with_its_row() -> None:
    acts = [*ACTIVITIES, {"Ngày": date(2024, 8, 1), "Mã đơn vị": "XCB", "Loại hoạt động": "TIN_BAI"}]
    result = read_workbook(build_xlsx(WorkbookSpec(UNITS, TARGETS, acts)))
    assert result.ok
    row = result.problems.iloc[0]
    assert (row["level"], row["code"], row["sheet"], row["row"], row["column"]) == (
        "warning",
        "unit_inactive",
        "Hoạt động",
        5,
        "Ngày",
    )


def _planted() -> bytes:
    units = [
        ["Danh sách đơn vị"],  # a title row above the header
        ["STT", *UNIT_HEADERS],
        [1, "PNV", "Phòng Nội vụ", "Phòng chuyên môn"],
        [2, "pnv", "Phòng Nội vụ 2", "Phòng chuyên môn"],  # row 4: duplicate code (case-insensitive)
        [3, "TP", "Phòng Tư pháp", "Phong chuyen mon X"],  # row 5: unknown unit type
        [4, "XCB", "UBND xã Cẩm Bình", "UBND xã, thị trấn", "01/07/2024", "30/06/2024"],  # row 6
    ]
    targets = [
        ["Năm", "Quý", "Mã đơn vị", "TIN_BAI", "Phóng sự"],
        [2024, 5, "PNV", 4, 1],  # row 2: quarter 5
        [2024, None, "PNX", 4, 1],  # row 3: unknown unit
        [2024, "II", "TP", "bốn", 1.5],  # row 4: text and fraction targets
    ]
    activities = [
        ["BÁO CÁO KẾT QUẢ"],
        [None],
        ACTIVITY_HEADERS,
        ["31/02/2024", "PNV", "TIN_BAI", 1, "a"],  # row 4: impossible date
        ["tháng 3", "PNV", "TIN_BAI", 1, "b"],  # row 5: not a date
        [None, "PNV", "TIN_BAI", 1, "c"],  # row 6: missing date
        ["05/03/2024", "PNVV", "TIN_BAI", 1, "d"],  # row 7: unknown unit -> suggests PNV
        ["05/03/2024", "PNV", "Phong su truyen hinh", 1, "e"],  # row 8: unknown type -> Phóng sự
        ["05/03/2024", "PNV", "TIN_BAI", -2, "f"],  # row 9: negative
        ["05/03/2024", "PNV", "TIN_BAI", "1,5", "g"],  # row 10: fraction as text
        ["05/03/2024", "PNV", "TIN_BAI", 0, "h"],  # row 11: zero
        ["Tổng cộng", None, None, 7],  # row 12: total row, warning only
    ]
    return make_xlsx({"Đơn vị": units, "Kế hoạch": targets, "Hoạt động": activities})


PLANTED = [
    ("error", "duplicate_unit", "Đơn vị", 4, "Mã đơn vị"),
    ("error", "unknown_unit_type", "Đơn vị", 5, "Loại đơn vị"),
    ("error", "bad_validity", "Đơn vị", 6, "Hiệu lực đến"),
    ("error", "bad_quarter", "Kế hoạch", 2, "Quý"),
    ("error", "unknown_unit", "Kế hoạch", 3, "Mã đơn vị"),
    ("error", "bad_number", "Kế hoạch", 4, "TIN_BAI"),
    ("error", "bad_number", "Kế hoạch", 4, "Phóng sự"),
    ("error", "bad_date", "Hoạt động", 4, "Ngày"),
    ("error", "bad_date", "Hoạt động", 5, "Ngày"),
    ("error", "missing_value", "Hoạt động", 6, "Ngày"),
    ("error", "unknown_unit", "Hoạt động", 7, "Mã đơn vị"),
    ("error", "unknown_type", "Hoạt động", 8, "Loại hoạt động"),
    ("error", "bad_number", "Hoạt động", 9, "Số lượng"),
    ("error", "bad_number", "Hoạt động", 10, "Số lượng"),
    ("error", "bad_number", "Hoạt động", 11, "Số lượng"),
    ("warning", "total_row", "Hoạt động", 12, None),
]


def test_planted_errors_are_each_named_by_sheet_row_and_column() -> None:
    result = read_workbook(_planted())
    assert result.workbook is None and not result.ok
    found = {
        (p.level, p.code, p.sheet, int(p.row), None if pd.isna(p.column) else p.column)
        for p in result.problems.itertuples()
    }
    assert found == set(PLANTED)


@pytest.mark.parametrize(
    ("row", "needle"),
    [(7, "Có phải là 'PNV'?"), (8, "Có phải là 'Phóng sự'?"), (4, "không tồn tại")],
)
def test_messages_are_vietnamese_and_suggest_the_closest_known_value(row: int, needle: str) -> None:
    problems = read_workbook(_planted()).problems
    messages = problems[(problems["sheet"] == "Hoạt động") & (problems["row"] == row)]["message"]
    assert needle in messages.iloc[0]


def test_missing_required_sheet_and_header_are_errors() -> None:
    data = make_xlsx(
        {
            "Đơn vị": [UNIT_HEADERS, ["PNV", "Phòng Nội vụ", "Phòng chuyên môn"]],
            "Hoạt động": [["Mã đơn vị", "Loại hoạt động"], ["PNV", "TIN_BAI"]],
        }
    )
    problems = read_workbook(data).problems
    assert set(zip(problems["code"], problems["sheet"].fillna("-"), strict=True)) == {
        ("missing_sheet", "-"),
        ("missing_header", "Hoạt động"),
    }
    header_message = problems[problems["code"] == "missing_header"]["message"].iloc[0]
    assert "'Ngày'" in header_message


@pytest.mark.parametrize(
    "cell",
    [
        datetime(2024, 3, 5),
        "05/03/2024",
        "5/3/2024",
        "05-03-2024",
        "2024-03-05",
        45356,  # Excel serial of 05/03/2024
        " 05/03/2024\u00a0",
    ],
)
def test_every_listed_date_form_reads_day_first(cell: object) -> None:
    data = make_xlsx(
        {
            "Đơn vị": [UNIT_HEADERS, ["PNV", "Phòng Nội vụ", "Phòng chuyên môn"]],
            "Kế hoạch": [["Năm", "Mã đơn vị", "Tin, bài"], [2024, "PNV", 1]],
            "Hoạt động": [ACTIVITY_HEADERS, [cell, "PNV", "tin bai", " 7 ", "x"]],
        }
    )
    result = read_workbook(data)
    assert result.ok, result.problems
    assert result.workbook.activities["date"].iloc[0] == pd.Timestamp(2024, 3, 5)
    assert result.workbook.activities["quantity"].iloc[0] == 7


def test_merged_title_block_nfd_and_invisible_characters() -> None:
    nfd = unicodedata.normalize("NFD", "UBND xã Cẩm Bình")
    data = make_xlsx(
        {
            "ĐƠN  VỊ": [
                ["ỦY BAN NHÂN DÂN HUYỆN", None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
                [None, None, "Độc lập - Tự do - Hạnh phúc"],
                ["Ma don vi", "TEN DON VI", "loai  don vi", "Ghi chú riêng"],
                ["\u200bxcb ", nfd + "\u00a0", "UBND xã, thị trấn", "x"],
            ],
            "Ke hoach": [["Năm", "Mã đơn vị", "TIN_BAI"], [2024, nfd, 3]],
            "Hoạt động": [ACTIVITY_HEADERS, [date(2024, 1, 2), "XCB", "TIN_BAI", None, "t"]],
        },
        merges={"ĐƠN  VỊ": ["A1:B2", "C1:E1"]},
    )
    result = read_workbook(data)
    assert result.ok, result.problems
    units = result.workbook.units
    assert (units["unit_code"].iloc[0], units["unit_name"].iloc[0]) == ("XCB", "UBND xã Cẩm Bình")
    assert list(result.workbook.targets["unit_code"]) == ["XCB"]
    assert list(result.warnings["code"]) == ["extra_column"]
    assert result.warnings["row"].iloc[0] == 3


def test_ambiguous_unit_name_must_be_written_as_a_code() -> None:
    data = make_xlsx(
        {
            "Đơn vị": [
                UNIT_HEADERS,
                ["A", "Phòng Văn hóa", "Phòng chuyên môn"],
                ["B", "Phòng văn hoá", "Phòng chuyên môn"],
            ],
            "Kế hoạch": [["Năm", "Mã đơn vị"], [2024, "A"]],
            "Hoạt động": [ACTIVITY_HEADERS, [date(2024, 1, 2), "phong van hoa", "TIN_BAI", 1, "t"]],
        }
    )
    problems = read_workbook(data).problems
    assert list(problems["code"]) == ["ambiguous_unit"]
    assert int(problems["row"].iloc[0]) == 2


def test_catalogue_from_sheet_types_by_name_and_unknown_target_column() -> None:
    data = make_xlsx(
        {
            "Đơn vị": [UNIT_HEADERS, ["PNV", "Phòng Nội vụ", "Phòng chuyên môn"]],
            "Loại hoạt động": [
                ["Mã loại", "Tên loại hoạt động", "Đơn vị tính"],
                ["tin_bai", "Tin, bài", "tin, bài"],
                ["PHAT_THANH", "Chương trình phát thanh", "chương trình"],
            ],
            "Kế hoạch": [
                ["Năm", "Quý", "Mã đơn vị", "Chương trình phát thanh", "Ghi chú", "Phóng sự"],
                [2024, "Quý II", "PNV", 12, "gấp", 3],
            ],
            "Hoạt động": [ACTIVITY_HEADERS, [date(2024, 5, 2), "PNV", "chuong trinh phat thanh", 4, "t"]],
        }
    )
    result = read_workbook(data)
    assert list(result.problems["code"]) == ["unknown_type", "extra_column"]
    assert result.problems["column"].iloc[0] == "Phóng sự"
    assert result.problems["row"].iloc[0] == 1


def test_optional_sheets_are_read_and_checked() -> None:
    data = make_xlsx(
        {
            "Đơn vị": [UNIT_HEADERS, ["PNV", "Phòng Nội vụ", "Phòng chuyên môn"]],
            "Kế hoạch": [["Năm", "Mã đơn vị", "TIN_BAI"], [2024, "PNV", 1]],
            "Hoạt động": [ACTIVITY_HEADERS, [date(2024, 1, 2), "PNV", "TIN_BAI", None, "t"]],
            "Ra soat Trang TTDT": [
                [
                    "Ngày rà soát",
                    "Mã đơn vị",
                    "Có chuyên mục CCHC",
                    "Cập nhật tin CCHC trong quý",
                    "Liên kết hỏng",
                    "Điểm",
                ],
                ["15/03/2024", "PNV", "Có", "không", 2, 87.5],
                ["15/06/2024", "PNV", "Có", "Có", 0, 120],  # row 3: score out of range
            ],
            "Kinh phí": [["Năm", "Mã đơn vị", "Dự toán", "Đã chi"], [2024, "PNV", "15.000.000", 9_500_000]],
            "Sáng kiến": [
                ["Năm", "Mã đơn vị", "Tên sáng kiến, mô hình", "Tình trạng"],
                [2024, "PNV", "Một cửa số", "dang ap dung"],
            ],
        }
    )
    result = read_workbook(data)
    assert [(p.code, p.sheet, int(p.row), p.column) for p in result.problems.itertuples()] == [
        ("bad_number", "Ra soat Trang TTDT", 3, "Điểm")
    ]
    good = make_xlsx(
        {
            "Đơn vị": [UNIT_HEADERS, ["PNV", "Phòng Nội vụ", "Phòng chuyên môn"]],
            "Kế hoạch": [["Năm", "Mã đơn vị", "TIN_BAI"], [2024, "PNV", 1]],
            "Hoạt động": [ACTIVITY_HEADERS, [date(2024, 1, 2), "PNV", "TIN_BAI", None, "t"]],
            "Rà soát Trang TTĐT": [
                ["Ngày rà soát", "Mã đơn vị", "Có chuyên mục CCHC", "Liên kết hỏng", "Điểm"],
                ["15/03/2024", "PNV", "Có", 2, 87.5],
            ],
            "Kinh phí": [["Năm", "Mã đơn vị", "Dự toán", "Đã chi"], [2024, "PNV", "15.000.000", 9_500_000]],
            "Sáng kiến": [
                ["Năm", "Mã đơn vị", "Tên sáng kiến, mô hình", "Tình trạng"],
                [2024, "PNV", "Một cửa số", "dang ap dung"],
            ],
        }
    )
    wb = read_workbook(good).workbook
    review = wb.portal_reviews.iloc[0]
    assert (
        review["review_date"],
        bool(review["has_cchc_section"]),
        review["broken_links"],
        review["score"],
    ) == (
        pd.Timestamp(2024, 3, 15),
        True,
        2,
        87.5,
    )
    assert pd.isna(review["updated_this_quarter"])
    assert (wb.funding["allocated"].iloc[0], wb.funding["spent"].iloc[0]) == (15_000_000, 9_500_000)
    assert wb.initiatives["status"].iloc[0] == "Đang áp dụng"


def test_unit_types_come_from_settings() -> None:
    data = make_xlsx(
        {
            "Đơn vị": [UNIT_HEADERS, ["XA1", "UBND xã Một", "Xã, phường"]],
            "Kế hoạch": [["Năm", "Mã đơn vị", "TIN_BAI"], [2025, "XA1", 1]],
            "Hoạt động": [ACTIVITY_HEADERS, [date(2025, 1, 2), "XA1", "TIN_BAI", None, "t"]],
        }
    )
    assert list(read_workbook(data).problems["code"]) == ["unknown_unit_type"]
    assert read_workbook(data, Settings(unit_types=("Sở, ngành", "Xã, phường"))).ok


def test_rows_with_only_a_prefilled_stt_or_ignored_column_are_blank() -> None:
    data = make_xlsx(
        {
            "Đơn vị": [UNIT_HEADERS, ["PNV", "Phòng Nội vụ", "Phòng chuyên môn"]],
            "Kế hoạch": [["Năm", "Mã đơn vị", "TIN_BAI"], [2024, "PNV", 2]],
            "Hoạt động": [
                ["STT", *ACTIVITY_HEADERS, "Người nhập"],
                [1, date(2024, 1, 2), "PNV", "TIN_BAI", None, "t", "An"],
                [2, None, None, None, None, None, None],  # template row numbered in advance
                [3, None, None, None, None, None, "An"],  # only an ignored column
                [4, "  ", "\u00a0", None, None, None, None],  # only spaces
            ],
        }
    )
    result = read_workbook(data)
    assert result.ok, result.problems
    assert len(result.workbook.activities) == 1
    assert list(result.problems["code"]) == ["extra_column"]


def test_sheets_with_headers_only_read_without_data_and_say_so() -> None:
    """A blank workbook (every sheet holds its header row only, the types sheet too) is readable: no
    crash on the empty columns, the default catalogue with a warning, and a warning that no unit exists."""
    data = make_xlsx(
        {
            "Đơn vị": [UNIT_HEADERS],
            "Loại hoạt động": [["Mã loại", "Tên loại hoạt động"]],
            "Kế hoạch": [["Năm", "Quý", "Mã đơn vị", "TIN_BAI"]],
            "Hoạt động": [ACTIVITY_HEADERS],
        }
    )
    result = read_workbook(data, Settings())
    assert result.workbook is not None
    assert result.problems[["level", "code", "sheet"]].values.tolist() == [
        ["warning", "empty_types", "Loại hoạt động"],
        ["warning", "no_units", "Đơn vị"],
    ]
    assert list(result.workbook.activity_types["type_code"]) == ["TIN_BAI", "PHONG_SU", "BAI_DANG_TTDT"]
    assert result.workbook.units.empty and result.workbook.activities.empty and result.workbook.targets.empty


def test_a_numeric_type_code_in_the_types_sheet_is_read_as_text() -> None:
    data = make_xlsx(
        {
            "Đơn vị": [UNIT_HEADERS, ["XCB", "Xã Cẩm Bình", "UBND xã, thị trấn"]],
            "Loại hoạt động": [["Mã loại", "Tên loại hoạt động"], [1, "Tin bài"], ["ps", "Phóng sự"]],
            "Kế hoạch": [["Năm", "Quý", "Mã đơn vị", "1", "PS"], [2024, None, "XCB", 4, 1]],
            "Hoạt động": [
                ACTIVITY_HEADERS[:4],
                [date(2024, 3, 1), "XCB", "1", 2],
                [date(2024, 3, 2), "XCB", "Phóng sự", 1],
            ],
        }
    )
    result = read_workbook(data, Settings())
    assert result.workbook is not None, result.problems
    assert list(result.workbook.activity_types["type_code"]) == ["1", "PS"]
    assert sorted(result.workbook.activities["type_code"]) == ["1", "PS"]
