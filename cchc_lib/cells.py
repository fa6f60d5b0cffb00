"""Parsing one cell value of a given kind (date, count, year, quarter, ...) into a clean Python value."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta

from .errors import UserError
from .schema import COUNT, DATE, MONEY, QUANTITY, QUARTER, SCORE, YEAR, YESNO
from .text import clean_text, match_key

__all__ = ["CellError", "is_blank", "parse_value"]

EXCEL_EPOCH = date(1899, 12, 30)
MAX_SERIAL = 2958465  # 31/12/9999
_MAX_WHOLE = 10**15  # a million billion đồng: more is a slip (and beyond what int64 sums safely)
_MAX_DIGITS = len(str(_MAX_WHOLE))
_DMY = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_INT = re.compile(r"^\d+$")
_GROUPED = re.compile(r"^\d{1,3}(?:[., ]\d{3})+$")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_YES = frozenset({"co", "x", "yes", "true", "1", "dat"})
_NO = frozenset({"khong", "no", "false", "0", "chua"})


class CellError(UserError):
    """A cell that cannot be read as its kind: `code` for the problem table, `message` in Vietnamese."""


def is_blank(value: object) -> bool:
    """True for None, NaN and text that is empty after normalisation."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        return not clean_text(value)
    return False


def _show(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return clean_text(value)[:60]


# Dates a tracking workbook can mean (and pandas can hold): anything else is a typing slip of the year.
DATE_RANGE = (date(1900, 1, 1), date(2100, 12, 31))


def _parse_date(value: object) -> date:
    parsed = _calendar_date(value)
    if not DATE_RANGE[0] <= parsed <= DATE_RANGE[1]:
        raise CellError(
            "bad_date",
            f"Ngày '{_show(value)}' nằm ngoài khoảng 01/01/1900–31/12/2100; hãy kiểm tra lại năm.",
        )
    return parsed


def _calendar_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise CellError("bad_date", f"'{_show(value)}' không phải là ngày.")
    if isinstance(value, int | float):
        if 1 <= value <= MAX_SERIAL:
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise CellError("bad_date", f"Số '{_show(value)}' không phải là ngày hợp lệ.")
    text = clean_text(value)
    match = _DMY.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = _YMD.match(text)
        if not match:
            raise CellError(
                "bad_date",
                f"'{_show(value)}' không phải là ngày. Ghi ngày theo dạng dd/mm/yyyy, ví dụ 05/03/2024.",
            )
        year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError("bad_date", f"Ngày '{_show(value)}' không tồn tại (ngày/tháng sai).") from None


def _whole_number(value: object, *, grouped: bool = False) -> int:
    if isinstance(value, bool):
        raise CellError("bad_number", f"'{_show(value)}' không phải là số nguyên.")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if math.isnan(value) or not value.is_integer():
            raise CellError("bad_number", f"'{_show(value)}' không phải là số nguyên (không dùng số lẻ).")
        number = int(value)
    else:
        text = clean_text(value)
        if grouped and _GROUPED.match(text):
            text = re.sub(r"[., ]", "", text)
        if text.startswith("-") and _INT.match(text[1:]):
            raise CellError("bad_number", f"'{text}' là số âm; ở đây chỉ dùng số nguyên không âm.")
        if not _INT.match(text):
            raise CellError("bad_number", f"'{_show(value)}' không phải là số nguyên.")
        number = int(text) if len(text) <= _MAX_DIGITS else _MAX_WHOLE + 1
    if number < 0:
        raise CellError("bad_number", f"'{number}' là số âm; ở đây chỉ dùng số nguyên không âm.")
    if number > _MAX_WHOLE:
        raise CellError("bad_number", f"Số '{_show(value)[:20]}' quá lớn; hãy kiểm tra lại.")
    return number


def _parse_quantity(value: object) -> int:
    number = _whole_number(value)
    if number < 1:
        raise CellError("bad_number", "Số lượng phải từ 1 trở lên (để trống nghĩa là 1).")
    return number


def _parse_year(value: object) -> int:
    number = _whole_number(value)
    if not 1990 <= number <= 2100:
        raise CellError("bad_year", f"Năm '{number}' không hợp lệ; ghi năm 4 chữ số, ví dụ 2024.")
    return number


def _parse_quarter(value: object) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value) in (1.0, 2.0, 3.0, 4.0):
            return int(value)
    else:
        key = match_key(value)
        for prefix in ("quy ", "quy", "q"):
            if key.startswith(prefix):
                key = key[len(prefix) :].strip()
                break
        if key in _ROMAN:
            return _ROMAN[key]
        if key in {"1", "2", "3", "4"}:
            return int(key)
    raise CellError(
        "bad_quarter", f"Quý '{_show(value)}' không hợp lệ; ghi 1–4, I–IV hoặc để trống (cả năm)."
    )


def _parse_yesno(value: object) -> bool:
    if isinstance(value, bool):
        return value
    key = match_key(_show(value))
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise CellError("bad_yesno", f"'{_show(value)}' không hợp lệ; ghi Có hoặc Không.")


def _parse_score(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = clean_text(value).replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise CellError("bad_number", f"Điểm '{_show(value)}' không phải là số.") from None
    if math.isnan(number) or not 0 <= number <= 100:
        raise CellError("bad_number", f"Điểm '{_show(value)}' phải nằm trong khoảng 0–100.")
    return number


_PARSERS = {
    DATE: _parse_date,
    COUNT: _whole_number,
    QUANTITY: _parse_quantity,
    YEAR: _parse_year,
    QUARTER: _parse_quarter,
    YESNO: _parse_yesno,
    SCORE: _parse_score,
    MONEY: lambda v: _whole_number(v, grouped=True),
}


def parse_value(kind: str, value: object) -> object:
    """Parse a non-blank cell of `kind`; text kinds come back cleaned. Raises CellError."""
    parser = _PARSERS.get(kind)
    if parser is None:
        return clean_text(value) if isinstance(value, str) else _show(value)
    return parser(value)
