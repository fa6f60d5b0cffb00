"""Tests for cchc_lib.common.formatting: Vietnamese numbers, percentages, dates, money and the Styler."""

from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from cchc_lib.common.formatting import fmt_date, fmt_int, fmt_num, fmt_pct, fmt_vnd, round_half_up, vn_styler


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (7, "7"),
        (1234, "1.234"),
        (1234567, "1.234.567"),
        (-1234, "-1.234"),
        (1234.5, "1.235"),
        (np.int64(999), "999"),
        (1000.0, "1.000"),
        (None, "—"),
        (math.nan, "—"),
        (pd.NA, "—"),
    ],
)
def test_fmt_int(value: object, expected: str) -> None:
    assert fmt_int(value) == expected


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (87.5, 1, "87,5"),
        (87.46, 1, "87,5"),
        (87.45, 1, "87,5"),  # half-up on the written value, not on the binary float
        (1234.5, 1, "1.234,5"),
        (1234567.891, 2, "1.234.567,89"),
        (2.0, 1, "2,0"),
        (-0.04, 1, "0,0"),
        (-12.25, 1, "-12,3"),
        (87.5, 0, "88"),
        (math.nan, 1, "—"),
        (None, 1, "—"),
    ],
)
def test_fmt_num(value: object, decimals: int, expected: str) -> None:
    assert fmt_num(value, decimals) == expected


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (106.25, 1, 106.3),  # round(106.25, 1) is 106.2 (half to even on an exact binary tie)
        (0.05, 1, 0.1),  # the binary 0.05 is a little above, 0.15 a little below: both go up
        (0.15, 1, 0.2),
        (1.15, 1, 1.2),
        (2.675, 2, 2.68),  # round(2.675, 2) is 2.67
        (0.25, 1, 0.3),
        (99.95, 1, 100.0),
        (99.94999, 1, 99.9),
        (-12.25, 1, -12.3),  # a tie goes away from zero
        (-0.04, 1, 0.0),  # no negative zero
        (87.5, 0, 88.0),
        (np.float64(106.25), 1, 106.3),
        (17, 1, 17.0),
        (None, 1, None),
        (math.nan, 1, None),
        (math.inf, 1, None),
        (pd.NA, 1, None),
    ],
)
def test_round_half_up(value: object, decimals: int, expected: float | None) -> None:
    result = round_half_up(value, decimals)
    assert result == expected
    assert result is None or type(result) is float
    if result is not None:
        assert math.copysign(1, result) == math.copysign(1, expected)


def test_fmt_num_and_round_half_up_agree() -> None:
    """One rounding rule: the screen's text and the command line's number are the same value."""
    for value in (106.25, 0.05, 0.15, 1.15, 2.25, 87.45, 33.349999, 12.35):
        assert fmt_num(value, 1) == f"{round_half_up(value, 1):.1f}".replace(".", ",")


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (87.5, 1, "87,5 %"),
        (87.46, 1, "87,5 %"),
        (100, 1, "100,0 %"),
        (1234.56, 1, "1.234,6 %"),
        (70, 0, "70 %"),
        (math.nan, 1, "—"),
        (None, 1, "—"),
        (np.float64("nan"), 1, "—"),
    ],
)
def test_fmt_pct(value: object, decimals: int, expected: str) -> None:
    assert fmt_pct(value, decimals) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2024, 3, 5), "05/03/2024"),
        (datetime(2024, 12, 31, 23, 59), "31/12/2024"),
        (pd.Timestamp("2024-03-05"), "05/03/2024"),
        (np.datetime64("2024-03-05"), "05/03/2024"),
        ("2024-03-05", "05/03/2024"),
        (pd.NaT, "—"),
        (None, "—"),
    ],
)
def test_fmt_date(value: object, expected: str) -> None:
    assert fmt_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(1250000, "1.250.000 đ"), (0, "0 đ"), (None, "—"), (math.nan, "—")]
)
def test_fmt_vnd(value: object, expected: str) -> None:
    assert fmt_vnd(value) == expected


def test_vn_styler_formats_by_dtype() -> None:
    df = pd.DataFrame(
        {
            "count": [1234, 5],
            "pct": [87.46, math.nan],
            "day": pd.to_datetime(["2024-03-05", None]),
            "name": ["Phòng Nội vụ", None],
            "flag": [True, False],
        }
    )
    html = vn_styler(df).to_html()
    for text in ("1.234", "87,5", "05/03/2024", "Phòng Nội vụ", "Có", "Không", "—"):
        assert text in html
    assert "87.46" not in html
    assert ">nan<" not in html.lower() and ">NaT<" not in html
    # the data itself is unchanged
    assert vn_styler(df).data["pct"].iloc[0] == 87.46


def test_vn_styler_decimals() -> None:
    html = vn_styler(pd.DataFrame({"x": [1.25]}), decimals=2).to_html()
    assert "1,25" in html
