"""One cell of each kind: accepted forms and the error codes of everything else."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from cchc_lib.reading.cells import CellError, is_blank, parse_value

GOOD = [
    ("date", datetime(2024, 3, 5, 0, 0), date(2024, 3, 5)),
    ("date", date(2024, 3, 5), date(2024, 3, 5)),
    ("date", 45356, date(2024, 3, 5)),
    ("date", 45356.0, date(2024, 3, 5)),
    ("date", "05/03/2024", date(2024, 3, 5)),
    ("date", "5/3/2024", date(2024, 3, 5)),
    ("date", "05-03-2024", date(2024, 3, 5)),
    ("date", "2024-03-05", date(2024, 3, 5)),
    ("date", "29/02/2024", date(2024, 2, 29)),
    ("count", 0, 0),
    ("count", 7.0, 7),
    ("count", " 7 ", 7),
    ("quantity", "12", 12),
    ("year", 2024.0, 2024),
    ("year", "2024", 2024),
    ("quarter", 1, 1),
    ("quarter", "IV", 4),
    ("quarter", "Quý III", 3),
    ("quarter", "quy 2", 2),
    ("quarter", "Q1", 1),
    ("yesno", "Có", True),
    ("yesno", "KHÔNG", False),
    ("yesno", "x", True),
    ("score", 87.5, 87.5),
    ("score", "87,5", 87.5),
    ("money", "1.250.000", 1_250_000),
    ("money", "1 250 000", 1_250_000),
    ("money", 9_500_000, 9_500_000),
    ("text", "  Tiêu\u00a0đề ", "Tiêu đề"),
    # habits of district offices (issue 9)
    ("date", "05.03.2024", date(2024, 3, 5)),
    ("date", "ngày 28/3/2024", date(2024, 3, 28)),
    ("date", "Ngày 05/03/2024", date(2024, 3, 5)),
    ("date", "6/5/24", date(2024, 5, 6)),
    ("date", "19/02/24", date(2024, 2, 19)),
    ("count", "1.000", 1000),
    ("count", "12 500", 12500),
    ("quantity", "1.000", 1000),
    ("target", "1.000", 1000),
    ("target", "-", None),
    ("target", "—", None),
    ("target", " x ", None),
    ("target", 0, 0),
    ("money", "5.000.000đ", 5_000_000),
    ("money", "5.000.000 đồng", 5_000_000),
    ("money", "5.000.000 VNĐ", 5_000_000),
    ("money", "5000000đ", 5_000_000),
    ("quarter", "Cả năm", None),
    ("quarter", "cả năm", None),
    ("year", "Năm 2024", 2024),
    ("year", "năm  2024", 2024),
]

BAD = [
    ("date", "31/02/2024", "bad_date"),
    ("date", "tháng 3", "bad_date"),
    ("date", "03/2024", "bad_date"),
    ("date", "3/28/2024", "bad_date"),  # month first: the message shows the day-first form
    ("date", "05.03/2024", "bad_date"),  # mixed separators
    ("date", "5/3/124", "bad_date"),
    ("date", -5, "bad_date"),
    ("date", True, "bad_date"),
    ("date", "05/03/2263", "bad_date"),  # a slip of the year: beyond what pandas can hold
    ("date", datetime(2263, 1, 1), "bad_date"),
    ("date", date(1024, 3, 5), "bad_date"),
    ("date", 2958465, "bad_date"),  # the last Excel serial, 31/12/9999
    ("count", 1.5, "bad_number"),
    ("count", "1,5", "bad_number"),
    ("count", -1, "bad_number"),
    ("count", "-3", "bad_number"),
    ("count", "bảy", "bad_number"),
    ("count", 1e308, "bad_number"),  # beyond int64
    ("count", "9" * 5000, "bad_number"),  # beyond Python's int-from-text digit limit
    ("money", 10**15 + 1, "bad_number"),
    ("count", "1,250", "bad_number"),  # a comma may be the decimal comma: never grouping in counts
    ("count", "1.25", "bad_number"),
    ("count", "1.250.00", "bad_number"),
    ("target", "—x", "bad_number"),
    ("quarter", "Cả quý", "bad_quarter"),
    ("year", "Năm 24", "bad_year"),
    ("quantity", 0, "bad_number"),
    ("year", 24, "bad_year"),
    ("year", 20245, "bad_year"),
    ("quarter", 5, "bad_quarter"),
    ("quarter", "Quý V", "bad_quarter"),
    ("quarter", 1.5, "bad_quarter"),
    ("yesno", "có lẽ", "bad_yesno"),
    ("score", 101, "bad_number"),
    ("score", "tốt", "bad_number"),
    ("money", -100, "bad_number"),
]


@pytest.mark.parametrize(("kind", "raw", "expected"), GOOD)
def test_accepted_forms(kind: str, raw: object, expected: object) -> None:
    assert parse_value(kind, raw) == expected


def test_a_month_first_date_says_what_to_write() -> None:
    with pytest.raises(CellError) as problem:
        parse_value("date", "3/28/2024")
    assert problem.value.message.startswith(
        "'3/28/2024' không tồn tại: ngày đứng trước tháng, ví dụ 28/03/2024"
    )


@pytest.mark.parametrize(
    ("serial", "date1904", "expected"),
    [(45356, False, date(2024, 3, 5)), (43894, True, date(2024, 3, 5)), (43894, False, date(2020, 3, 4))],
)
def test_serial_dates_follow_the_workbook_date_system(serial: int, date1904: bool, expected: date) -> None:
    assert parse_value("date", serial, date1904=date1904) == expected


@pytest.mark.parametrize(("kind", "raw", "code"), BAD)
def test_rejected_forms_have_a_code_and_a_vietnamese_message(kind: str, raw: object, code: str) -> None:
    with pytest.raises(CellError) as problem:
        parse_value(kind, raw)
    assert problem.value.code == code
    assert any(ord(ch) > 127 for ch in problem.value.message)  # Vietnamese, with diacritics


@pytest.mark.parametrize(
    ("raw", "blank"),
    [(None, True), ("", True), (" \u00a0\u200b", True), (float("nan"), True), (0, False), ("0", False)],
)
def test_is_blank(raw: object, blank: bool) -> None:
    assert is_blank(raw) is blank
