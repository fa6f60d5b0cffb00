"""Numbers, percentages, dates and money written the Vietnamese way (1.234,5; 05/03/2024)."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

__all__ = ["MISSING", "fmt_int", "fmt_num", "fmt_pct", "fmt_date", "fmt_vnd", "round_half_up", "vn_styler"]

MISSING = "—"  # what a missing or undefined value looks like on screen and in the report


def _is_missing(x: Any) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    if isinstance(x, float | np.floating):
        return math.isnan(x) or math.isinf(x)
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _decimal(x: Any) -> Decimal | None:
    """`x` as a Decimal (from its shortest repr, so 87.45 rounds like a person would), or None."""
    if _is_missing(x) or isinstance(x, bool | np.bool_):
        return None
    try:
        if isinstance(x, np.generic):
            x = x.item()
        return Decimal(repr(x)) if isinstance(x, float) else Decimal(x)
    except (InvalidOperation, TypeError, ValueError):
        return None


def _group(digits: str) -> str:
    """'1234567' -> '1.234.567'."""
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return ".".join(parts)


def _rounded(x: Any, decimals: int) -> Decimal | None:
    """`x` rounded half up (a tie goes away from zero) to `decimals` places, or None."""
    value = _decimal(x)
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-decimals) if decimals > 0 else Decimal(1)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def round_half_up(x: Any, decimals: int = 1) -> float | None:
    """`x` rounded half up to `decimals` places, as the documents and screens write it, from its
    shortest repr: 106.25 -> 106.3, 0.05 -> 0.1, 0.15 -> 0.2, -12.25 -> -12.3 (never Python's
    round-half-even, round(106.25, 1) == 106.2); None/NaN/inf -> None; -0.0 comes back as 0.0."""
    rounded = _rounded(x, decimals)
    return None if rounded is None else float(rounded) + 0.0


def fmt_num(x: Any, decimals: int = 1) -> str:
    """87.46 -> "87,5", 1234.5 -> "1.234,5" (half-up rounding); None/NaN -> "—"."""
    rounded = _rounded(x, decimals)
    if rounded is None:
        return MISSING
    negative = rounded < 0
    text = f"{abs(rounded):f}"
    whole, _, frac = text.partition(".")
    out = _group(whole) + ("," + frac if decimals > 0 else "")
    return "-" + out if negative else out


def fmt_int(n: Any) -> str:
    """1234567 -> "1.234.567" (rounded half-up); None/NaN -> "—"."""
    return fmt_num(n, 0)


def fmt_pct(x: Any, decimals: int = 1) -> str:
    """87.46 -> "87,5 %"; None/NaN -> "—"."""
    text = fmt_num(x, decimals)
    return text if text == MISSING else f"{text} %"


def fmt_vnd(n: Any) -> str:
    """1250000 -> "1.250.000 đ"; None/NaN -> "—"."""
    text = fmt_int(n)
    return text if text == MISSING else f"{text} đ"


def fmt_date(d: Any) -> str:
    """A date/datetime/Timestamp/ISO text -> "05/03/2024"; None/NaT -> "—"; other text unchanged."""
    if _is_missing(d):
        return MISSING
    if isinstance(d, str):
        try:
            d = date.fromisoformat(d.strip()[:10])
        except ValueError:
            return d
    if isinstance(d, np.datetime64):
        d = pd.Timestamp(d)
    if isinstance(d, datetime | date):
        return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"
    return str(d)


def _fmt_datetime(d: Any) -> str:
    if _is_missing(d):
        return MISSING
    ts = pd.Timestamp(d)
    return f"{fmt_date(ts)} {ts.hour:02d}:{ts.minute:02d}"


def _fmt_bool(b: Any) -> str:
    return MISSING if _is_missing(b) else ("Có" if b else "Không")


def _fmt_text(x: Any) -> str:
    return MISSING if _is_missing(x) else str(x)


def _column_formatter(series: pd.Series, decimals: int):
    """The display function for one column, chosen from its dtype (or its values when object)."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return _fmt_bool
    if pd.api.types.is_integer_dtype(dtype):
        return fmt_int
    if pd.api.types.is_float_dtype(dtype):
        return lambda x: fmt_num(x, decimals)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        values = series.dropna()
        has_time = bool(len(values)) and bool((values != values.dt.normalize()).any())
        return _fmt_datetime if has_time else fmt_date
    present = series.dropna()
    if len(present) and all(isinstance(v, date) for v in present):
        return fmt_date
    if len(present) and all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in present):
        return fmt_int
    return _fmt_text


def vn_styler(df: pd.DataFrame, decimals: int = 1) -> Styler:
    """A Styler showing `df` the Vietnamese way: 1.234 / 87,5 / 05/03/2024 / Có-Không, NaN as "—".

    Integer columns get no decimals, float columns `decimals`; the data itself is unchanged.
    """
    styler = df.style
    for position in range(df.shape[1]):
        formatter = _column_formatter(df.iloc[:, position], decimals)
        styler = styler.format(formatter, subset=pd.IndexSlice[:, df.columns[[position]]], na_rep=MISSING)
    return styler
