"""Workbooks that were accepted with wrong figures (issue 9): each is now read right or refused with
an error naming the cell. Every workbook is a real .xlsx, written by openpyxl (inline strings) and,
where the layout matters, also as Excel writes it (shared strings)."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from cchc_lib.common.settings import Settings
from cchc_lib.reading.workbook import read_workbook
from tests.xlsx import UNIT_HEADERS, edit_part, make_xlsx, sheet_part, with_shared_strings

UNITS = [
    UNIT_HEADERS,
    ["PNV", "Phòng Nội vụ", "Phòng chuyên môn"],
    ["XCB", "Xã Cẩm Bình", "UBND xã, thị trấn"],
]
TARGETS = [
    ["Năm", "Quý", "Mã đơn vị", "TIN_BAI", "PHONG_SU"],
    [2024, None, "PNV", 8, 2],
    [2024, None, "XCB", 4, None],
]
FORMATS = [pytest.param(lambda d: d, id="inline"), pytest.param(with_shared_strings, id="shared")]


def _book(activities: list[list[object]], targets: list[list[object]] | None = None, **kwargs) -> bytes:
    return make_xlsx({"Đơn vị": UNITS, "Kế hoạch": targets or TARGETS, "Hoạt động": activities}, **kwargs)


def _quantities(data: bytes) -> list[int]:
    result = read_workbook(data, Settings())
    assert result.ok, result.problems.to_dict("records")
    return result.workbook.activities["quantity"].tolist()


def _places(data: bytes, level: str = "error") -> list[tuple[str, str, int | None, str | None]]:
    problems = read_workbook(data, Settings()).problems
    problems = problems[problems["level"] == level]
    return [
        (p.code, p.sheet, None if pd.isna(p.row) else int(p.row), None if pd.isna(p.column) else p.column)
        for p in problems.itertuples()
    ]


# --- the quantity header written with its unit --------------------------------------------------


@pytest.mark.parametrize(
    "header", ["Số lượng (tin, bài)", "Số lượng\n(tin, bài)", "SL", "S.lượng", "S. lượng"]
)
@pytest.mark.parametrize("shape", FORMATS)
def test_quantity_header_with_its_unit_or_abbreviated_is_the_quantity(header: str, shape) -> None:
    data = shape(
        _book(
            [
                ["Ngày", "Mã đơn vị", "Loại hoạt động", header],
                [date(2024, 3, 5), "PNV", "TIN_BAI", 3],
                [date(2024, 3, 6), "XCB", "TIN_BAI", 12],
            ]
        )
    )
    assert _quantities(data) == [3, 12]


def test_other_headers_are_matched_by_their_words_before_a_parenthesis() -> None:
    data = make_xlsx(
        {
            "Đơn vị": [
                ["Mã đơn vị (*)", "Tên đơn vị (đầy đủ)", "Loại đơn vị\n(chọn trong danh sách)"],
                *UNITS[1:],
            ],
            "Kế hoạch": [
                ["Năm (dương lịch)", "Mã đơn vị", "Tin, bài (tin)", "Phóng sự (phóng sự)"],
                [2024, "PNV", 5, 1],
            ],
            "Hoạt động": [
                ["Ngày (dd/mm/yyyy)", "Mã đơn vị", "Loại hoạt động", "Số lượng (tin, bài)"],
                [date(2024, 3, 5), "PNV", "Tin, bài (tin)", 2],
            ],
        }
    )
    result = read_workbook(data, Settings())
    assert result.ok, result.problems.to_dict("records")
    assert result.workbook.targets[["type_code", "target"]].values.tolist() == [
        ["TIN_BAI", 5],
        ["PHONG_SU", 1],
    ]
    assert result.workbook.activities[["type_code", "quantity"]].values.tolist() == [["TIN_BAI", 2]]


def test_an_unnamed_column_of_whole_numbers_is_an_error_when_the_quantity_column_is_missing() -> None:
    data = _book(
        [
            ["STT", "Ngày", "Mã đơn vị", "Loại hoạt động", "Số tin bài"],
            [1, date(2024, 3, 5), "PNV", "TIN_BAI", 3],
            [2, date(2024, 3, 6), "XCB", "TIN_BAI", 12],
        ]
    )
    assert _places(data) == [("unnamed_number_column", "Hoạt động", 1, "Số tin bài")]
    message = read_workbook(data).errors["message"].iloc[0]
    assert "Cột E 'Số tin bài'" in message and "có vẻ là 'Số lượng'" in message
    assert "đổi tiêu đề cột thành 'Số lượng'" in message and "hãy thêm cột 'Số lượng'" in message


def test_a_numbering_column_or_a_text_column_is_not_taken_for_a_quantity() -> None:
    data = _book(
        [
            ["Số thứ tự dòng", "Ngày", "Mã đơn vị", "Loại hoạt động", "Ghi chú thêm"],
            [1, date(2024, 3, 5), "PNV", "TIN_BAI", "gấp"],
            [2, date(2024, 3, 6), "XCB", "TIN_BAI", 12],
            [3, date(2024, 3, 7), "XCB", "TIN_BAI", None],
        ]
    )
    assert _quantities(data) == [1, 1, 1]


# --- formula errors -------------------------------------------------------------------------------

ERRORS = ["#REF!", "#N/A", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"]


@pytest.mark.parametrize("error", ERRORS)
@pytest.mark.parametrize("shape", FORMATS)
def test_a_formula_error_in_a_target_or_a_quantity_is_an_error_naming_the_cell(error: str, shape) -> None:
    data = shape(
        _book(
            [
                ["Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng"],
                [date(2024, 3, 5), "PNV", "TIN_BAI", error],
            ],
            targets=[TARGETS[0], [2024, None, "PNV", error, 2]],
        )
    )
    assert _places(data) == [
        ("formula_error", "Kế hoạch", 2, "TIN_BAI"),
        ("formula_error", "Hoạt động", 2, "Số lượng"),
    ]
    messages = list(read_workbook(data).errors["message"])
    assert messages[0].startswith(f"Ô D2 có lỗi công thức '{error}'")
    assert messages[1].startswith(f"Ô D2 có lỗi công thức '{error}'")


def test_a_formula_whose_saved_value_is_an_error_is_an_error() -> None:
    """What Excel writes: the formula and its error value (`<f>1/0</f><v>#DIV/0!</v>`, t="e")."""
    data = _book(
        [["Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng"], [date(2024, 3, 5), "PNV", "TIN_BAI", 7]]
    )
    part = sheet_part(data, "Hoạt động")
    data = edit_part(
        data,
        part,
        lambda xml: re.sub(
            rb'<c r="D2"[^>]*><v>7</v></c>', b'<c r="D2" t="e"><f>1/0</f><v>#DIV/0!</v></c>', xml
        ),
    )
    assert _places(data) == [("formula_error", "Hoạt động", 2, "Số lượng")]


def test_formula_errors_outside_the_table_are_not_read() -> None:
    data = _book(
        [
            ["BÁO CÁO", None, "#REF!"],  # the title block
            ["Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng", "Cột phụ"],
            [date(2024, 3, 5), "PNV", "TIN_BAI", 4, "#N/A"],  # an ignored column
        ]
    )
    assert _quantities(data) == [4]


# --- formulas saved without a value ---------------------------------------------------------------


@pytest.mark.parametrize("shape", FORMATS)
def test_formulas_without_a_cached_value_are_one_error_per_sheet(shape) -> None:
    activities = [["Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng"]]
    activities += [[date(2024, 3, 5), "PNV", "TIN_BAI", f"=2+{i}"] for i in range(8)]
    data = shape(_book(activities, targets=[TARGETS[0], [2024, None, "PNV", "=4*2", "=1+1"]]))
    result = read_workbook(data, Settings())
    assert result.workbook is None
    assert _places(data) == [
        ("formula_without_value", "Kế hoạch", 2, "TIN_BAI"),
        ("formula_without_value", "Hoạt động", 2, "Số lượng"),
    ]
    messages = list(result.errors["message"])
    assert messages[0] == (
        "Trang 'Kế hoạch' có 2 ô công thức chưa có giá trị đã tính (ô D2, E2): "
        "mở tệp trong Excel và lưu lại, rồi tải lên lại."
    )
    assert messages[1].startswith(
        "Trang 'Hoạt động' có 8 ô công thức chưa có giá trị đã tính (ô D2, D3, D4, D5, D6, …)"
    )


def test_a_formula_without_any_value_element_is_found_too() -> None:
    data = _book(
        [["Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng"], [date(2024, 3, 5), "PNV", "TIN_BAI", "=1+2"]]
    )
    part = sheet_part(data, "Hoạt động")
    data = edit_part(data, part, lambda xml: xml.replace(b"<f>1+2</f><v></v>", b"<f>1+2</f>"))
    assert _places(data) == [("formula_without_value", "Hoạt động", 2, "Số lượng")]


def test_a_formula_with_its_value_saved_reads_its_value_and_an_empty_text_result_is_empty() -> None:
    """Excel saves every value: `<f>2+1</f><v>3</v>`, and t="str" with an empty <v> for ""."""
    data = _book(
        [
            ["Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng", "Tiêu đề"],
            [date(2024, 3, 5), "PNV", "TIN_BAI", "=2+1", '=IF(1=1,"","x")'],
        ]
    )
    part = sheet_part(data, "Hoạt động")
    data = edit_part(
        data,
        part,
        lambda xml: xml.replace(b"<f>2+1</f><v></v>", b"<f>2+1</f><v>3</v>").replace(
            b'<c r="E2"><f>', b'<c r="E2" t="str"><f>'
        ),
    )
    result = read_workbook(data, Settings())
    assert result.ok, result.problems.to_dict("records")
    assert result.workbook.activities["quantity"].tolist() == [3]
    assert result.workbook.activities["title"].isna().all()


def test_rows_made_only_of_formulas_without_values_are_not_blank_rows() -> None:
    """A sheet computed from another one and saved by a script: every cell of the table is empty to
    every reader, yet it holds data; calamine's range may even stop above these rows."""
    activities = [["Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng"]]
    activities += [[f"=Nguon!A{i}", f"=Nguon!B{i}", f"=Nguon!C{i}", f"=Nguon!D{i}"] for i in range(2, 5)]
    data = _book(activities)
    assert _places(data) == [("formula_without_value", "Hoạt động", 2, "Ngày")]
    assert "có 12 ô công thức" in read_workbook(data).errors["message"].iloc[0]


# --- the 1904 date system ----------------------------------------------------------------------


@pytest.mark.parametrize("shape", FORMATS)
def test_1904_workbook_serial_numbers_and_date_cells_both_read_right(shape) -> None:
    data = shape(
        _book(
            [
                ["Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng"],
                [43894, "PNV", "TIN_BAI", 1],  # a plain number: 5 March 2024 counted from 1904
                [date(2024, 3, 6), "PNV", "TIN_BAI", 1],  # a date cell
                ["07/03/2024", "PNV", "TIN_BAI", 1],
            ],
            date1904=True,
        )
    )
    result = read_workbook(data, Settings())
    assert result.ok, result.problems.to_dict("records")
    assert result.workbook.activities["date"].dt.date.tolist() == [
        date(2024, 3, 5),
        date(2024, 3, 6),
        date(2024, 3, 7),
    ]


def test_1900_workbook_serial_numbers_are_unchanged() -> None:
    data = _book([["Ngày", "Mã đơn vị", "Loại hoạt động"], [45356, "PNV", "TIN_BAI"]])
    assert read_workbook(data).workbook.activities["date"].dt.date.tolist() == [date(2024, 3, 5)]


# --- no 'nan', 'None' or 'NaT' text ----------------------------------------------------------------


def test_empty_text_cells_never_become_nan_text() -> None:
    data = make_xlsx(
        {
            "Đơn vị": [
                UNIT_HEADERS,
                ["PNV", "Phòng Nội vụ", None],
                ["XCB", "Xã Cẩm Bình", "UBND xã, thị trấn"],
            ],
            "Kế hoạch": TARGETS,
            "Hoạt động": [["Ngày", "Mã đơn vị", "Loại hoạt động"], [date(2024, 3, 5), "XCB", "TIN_BAI"]],
        }
    )
    problems = read_workbook(data).problems
    assert _places(data) == [("missing_value", "Đơn vị", 2, "Loại đơn vị")]
    assert not problems["message"].str.contains(r"\b(?:nan|None|NaT)\b", regex=True).any()


def test_an_empty_status_is_missing_not_the_text_nan() -> None:
    data = make_xlsx(
        {
            "Đơn vị": UNITS,
            "Kế hoạch": TARGETS,
            "Hoạt động": [["Ngày", "Mã đơn vị", "Loại hoạt động"], [date(2024, 3, 5), "XCB", "TIN_BAI"]],
            "Sáng kiến": [
                ["Năm", "Mã đơn vị", "Tên sáng kiến, mô hình", "Tình trạng", "Kết quả"],
                [2024, "PNV", "Một cửa số", None, None],
                [2024, "XCB", "Zalo xã", "Đang áp dụng", "tốt"],
            ],
        }
    )
    result = read_workbook(data, Settings())
    assert result.ok and result.warnings.empty, result.problems.to_dict("records")
    initiatives = result.workbook.initiatives
    assert initiatives["status"].isna().tolist() == [True, False]
    assert initiatives["result"].isna().tolist() == [True, False]
    for frame in (result.workbook.units, initiatives, result.workbook.activities):
        for column in frame.columns:
            texts = [v for v in frame[column].dropna() if isinstance(v, str) and v in ("nan", "None", "NaT")]
            assert not texts, column
