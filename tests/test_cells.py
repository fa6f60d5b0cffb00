"""One cell of each kind: accepted forms and the error codes of everything else."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from cchc_lib.cells import CellError, is_blank, parse_value

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
]

BAD = [
    ("date", "31/02/2024", "bad_date"),
    ("date", "tháng 3", "bad_date"),
    ("date", "03/2024", "bad_date"),
    ("date", "05.03.2024", "bad_date"),
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
    ("count", "1.250", "bad_number"),  # grouping only for money
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
