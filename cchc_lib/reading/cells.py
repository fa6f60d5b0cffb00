"""Parsing one cell value of a given kind (date, count, year, quarter, ...) into a clean Python value."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta

from ..common.errors import UserError
from ..common.text import clean_text, match_key
from .schema import COUNT, DATE, MONEY, QUANTITY, QUARTER, SCORE, TARGET, YEAR, YESNO

__all__ = ["BlankMemo", "CellError", "is_blank", "parse_value"]

EXCEL_EPOCH = date(1899, 12, 30)
# A workbook saved with the 1904 date system counts serial numbers from 1 Jan 1904: 1462 days later.
EPOCH_1904_SHIFT = 1462
MAX_SERIAL = 2958465  # 31/12/9999
_MAX_WHOLE = 10**15  # a million billion đồng: more is a slip (and beyond what int64 sums safely)
_MAX_DIGITS = len(str(_MAX_WHOLE))
_DMY = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})$")
_DATE_PREFIX = re.compile(r"^ng[aà]y\s+", re.IGNORECASE)
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_INT = re.compile(r"^\d+$")
_GROUPED = re.compile(r"^\d{1,3}(?:[., ]\d{3})+$")
# Counts: only dot or space grouping (`1.000`); `1,000` could be the decimal 1,0 in Vietnamese.
_COUNT_GROUPED = re.compile(r"^\d{1,3}(?:(\.)\d{3}(?:\1\d{3})*|( )\d{3}(?:\2\d{3})*)$")
_CURRENCY = re.compile(r"\s*(?:đồng|đ|vnđ|vnd|₫)\.?$", re.IGNORECASE)
# Written in a target cell for "no target".
NO_TARGET = frozenset({"-", "--", "\u2013", "\u2014", "x", "X"})
_WHOLE_YEAR = frozenset({"ca nam", "nam", "ca nam (4 quy)"})
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
        if not value:
            return True
        if value.isprintable() and not value[0].isspace():
            return False  # the common case, fast for 200,000-row sheets
        return not clean_text(value)
    return False


class BlankMemo(dict):
    """`memo[value]` is is_blank(value), worked out once per distinct value: long sheets repeat the
    same codes, dates and numbers. Exact: cells that are equal (1, 1.0, True) are blank alike, and a
    NaN, equal to nothing, is worked out each time."""

    def __missing__(self, value: object) -> bool:
        blank = self[value] = is_blank(value)
        return blank


def _show(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return clean_text(value)[:60]


# Dates a tracking workbook can mean (and pandas can hold): anything else is a typing slip of the year.
DATE_RANGE = (date(1900, 1, 1), date(2100, 12, 31))


def _parse_date(value: object, date1904: bool = False) -> date:
    parsed = _calendar_date(value, date1904)
    if not DATE_RANGE[0] <= parsed <= DATE_RANGE[1]:
        raise CellError(
            "bad_date",
            f"Ngày '{_show(value)}' nằm ngoài khoảng 01/01/1900–31/12/2100; hãy kiểm tra lại năm.",
        )
    return parsed


def _calendar_date(value: object, date1904: bool = False) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise CellError("bad_date", f"'{_show(value)}' không phải là ngày.")
    if isinstance(value, int | float):
        if 1 <= value <= MAX_SERIAL:
            return EXCEL_EPOCH + timedelta(days=int(value) + (EPOCH_1904_SHIFT if date1904 else 0))
        raise CellError("bad_date", f"Số '{_show(value)}' không phải là ngày hợp lệ.")
    text = _DATE_PREFIX.sub("", clean_text(value))
    match = _DMY.match(text)
    if match:
        day, month, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
        if len(match.group(4)) == 2:
            year += 2000  # `19/02/24`: offices write this century's years short
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
        pass
    if match.re is _DMY and month > 12 and 1 <= day <= 12:
        raise CellError(
            "bad_date",
            f"'{_show(value)}' không tồn tại: ngày đứng trước tháng, ví dụ "
            f"{month:02d}/{day:02d}/{year} cho ngày {month} tháng {day}.",
        )
    raise CellError(
        "bad_date",
        f"Ngày '{_show(value)}' không tồn tại (ngày/tháng sai). Ghi ngày trước, tháng sau, ví dụ 05/03/2024.",
    )


def _whole_number(value: object, *, grouped: bool = False, money: bool = False) -> int:
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
        if money:
            text = _CURRENCY.sub("", text)
        if (money and _GROUPED.match(text)) or (grouped and _COUNT_GROUPED.match(text)):
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
    number = _whole_number(value, grouped=True)
    if number < 1:
        raise CellError("bad_number", "Số lượng phải từ 1 trở lên (để trống nghĩa là 1).")
    return number


def _parse_year(value: object) -> int:
    if isinstance(value, str):
        key = match_key(value)
        if key.startswith("nam "):
            value = key[4:].strip()
    number = _whole_number(value)
    if not 1990 <= number <= 2100:
        raise CellError("bad_year", f"Năm '{number}' không hợp lệ; ghi năm 4 chữ số, ví dụ 2024.")
    return number


def _parse_quarter(value: object) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value) in (1.0, 2.0, 3.0, 4.0):
            return int(value)
    else:
        key = match_key(value)
        if key in _WHOLE_YEAR:
            return None  # `Cả năm`: a target for the whole year, as if the cell were empty
        for prefix in ("quy ", "quy", "q"):
            if key.startswith(prefix):
                key = key[len(prefix) :].strip()
                break
        if key in _ROMAN:
            return _ROMAN[key]
        if key in {"1", "2", "3", "4"}:
            return int(key)
    raise CellError(
        "bad_quarter",
        f"Quý '{_show(value)}' không hợp lệ; ghi 1–4, I–IV, hoặc để trống hay ghi 'Cả năm' cho chỉ tiêu cả năm.",
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


def _parse_target(value: object) -> int | None:
    if isinstance(value, str) and clean_text(value) in NO_TARGET:
        return None
    return _whole_number(value, grouped=True)


_PARSERS = {
    DATE: _parse_date,
    COUNT: lambda v: _whole_number(v, grouped=True),
    TARGET: _parse_target,
    QUANTITY: _parse_quantity,
    YEAR: _parse_year,
    QUARTER: _parse_quarter,
    YESNO: _parse_yesno,
    SCORE: _parse_score,
    MONEY: lambda v: _whole_number(v, money=True),
}


def parse_value(kind: str, value: object, *, date1904: bool = False) -> object:
    """Parse a non-blank cell of `kind`; text kinds come back cleaned; None where the cell says
    "none" (`Cả năm` in a quarter, `-` in a target). `date1904`: the workbook counts serial dates
    from 1904. Raises CellError."""
    if kind == DATE:
        return _parse_date(value, date1904)
    parser = _PARSERS.get(kind)
    if parser is None:
        return clean_text(value) if isinstance(value, str) else _show(value)
    return parser(value)
