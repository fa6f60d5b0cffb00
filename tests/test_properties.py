"""Property tests (hypothesis): periods partition the year and plan-vs-actual totals add up."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal, assert_series_equal

from cchc_lib.common.periods import CALENDARS, Period, assign_quarters, quarter_bounds
from cchc_lib.figures.metrics import (
    activities_in_period,
    plan_vs_actual,
    quarterly_series,
    rollup,
    unit_quarter_matrix,
)
from cchc_lib.reading.model import Workbook

SETTINGS = settings(deadline=None, max_examples=40)
# the metrics properties call plan_vs_actual up to ~15 times per example
METRIC_SETTINGS = settings(deadline=None, max_examples=20)
YEAR = 2024
UNIT_TYPES = ["Phòng chuyên môn", "UBND xã, thị trấn", "Đơn vị sự nghiệp"]

calendars = st.sampled_from(CALENDARS)
cutoffs = st.integers(min_value=1, max_value=28)
years = st.integers(min_value=1990, max_value=2100)


def _day(offset: int) -> date:
    return date(YEAR - 1, 11, 1) + timedelta(days=offset)


@st.composite
def workbooks(draw: st.DrawFn, open_units: bool = False) -> Workbook:
    """A small valid workbook around 2024: 1–5 units, 1–3 types, targets 2023–2025, activities
    from Nov 2023 to Jan 2025. With open_units every unit is valid throughout (no validity dates)."""
    n_units = draw(st.integers(1, 5))
    n_types = draw(st.integers(1, 3))
    codes = [f"U{i}" for i in range(n_units)]
    type_codes = [f"T{i}" for i in range(n_types)]
    valid_from: list[object] = []
    valid_to: list[object] = []
    for _ in codes:
        if open_units:
            valid_from.append(None)
            valid_to.append(None)
            continue
        start = draw(st.one_of(st.none(), st.integers(0, 460)))
        end = draw(st.one_of(st.none(), st.integers(start or 0, 460)))
        valid_from.append(None if start is None else pd.Timestamp(_day(start)))
        valid_to.append(None if end is None else pd.Timestamp(_day(end)))
    units = pd.DataFrame(
        {
            "unit_code": codes,
            "unit_name": [f"Đơn vị {c}" for c in codes],
            "unit_type": [draw(st.sampled_from(UNIT_TYPES)) for _ in codes],
            "portal_url": [None] * n_units,
            "contact": [None] * n_units,
            "valid_from": pd.to_datetime(pd.Series(valid_from, dtype="object")),
            "valid_to": pd.to_datetime(pd.Series(valid_to, dtype="object")),
        }
    )
    types = pd.DataFrame(
        {"type_code": type_codes, "type_name": [f"Loại {c}" for c in type_codes], "measure": None}
    )
    target_rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from([YEAR - 1, YEAR, YEAR + 1]),
                st.one_of(st.none(), st.integers(1, 4)),
                st.sampled_from(codes),
                st.sampled_from(type_codes),
                st.integers(0, 50),
            ),
            max_size=25,
        )
    )
    targets = pd.DataFrame(
        {
            "year": pd.Series([r[0] for r in target_rows], dtype="int64"),
            "quarter": pd.array([r[1] for r in target_rows], dtype="Int64"),
            "unit_code": pd.Series([r[2] for r in target_rows], dtype="str"),
            "type_code": pd.Series([r[3] for r in target_rows], dtype="str"),
            "target": pd.Series([r[4] for r in target_rows], dtype="int64"),
        }
    )
    activity_rows = draw(
        st.lists(
            st.tuples(
                st.integers(0, 460), st.sampled_from(codes), st.sampled_from(type_codes), st.integers(1, 20)
            ),
            max_size=40,
        )
    )
    n = len(activity_rows)
    activities = pd.DataFrame(
        {
            "date": pd.to_datetime(
                pd.Series([pd.Timestamp(_day(r[0])) for r in activity_rows], dtype="object")
            ),
            "unit_code": pd.Series([r[1] for r in activity_rows], dtype="str"),
            "type_code": pd.Series([r[2] for r in activity_rows], dtype="str"),
            "quantity": pd.Series([r[3] for r in activity_rows], dtype="int64"),
            "title": [None] * n,
            "channel": [None] * n,
            "reform_area": [None] * n,
            "link": [None] * n,
            "note": [None] * n,
            "row": pd.Series(range(2, n + 2), dtype="int64"),
        }
    )
    return Workbook(units=units, activity_types=types, targets=targets, activities=activities)


# ---------------------------------------------------------------------------------------------
# periods


@SETTINGS
@given(year=years, calendar=calendars, cutoff=cutoffs)
def test_quarters_are_contiguous_and_cover_the_year(year: int, calendar: str, cutoff: int) -> None:
    first, last = Period(year, "").bounds(calendar, cutoff)
    bounds = [quarter_bounds(year, q, calendar, cutoff) for q in (1, 2, 3, 4)]
    assert bounds[0][0] == first
    assert bounds[3][1] == last
    for (_, end), (next_start, _) in itertools.pairwise(bounds):
        assert end + timedelta(days=1) == next_start
    for start, end in bounds:
        assert start <= end
    # the next year starts the day after this one ends
    assert Period(year + 1, "").bounds(calendar, cutoff)[0] == last + timedelta(days=1)


@SETTINGS
@given(year=years, calendar=calendars, cutoff=cutoffs)
def test_every_day_of_the_year_is_in_exactly_one_quarter(year: int, calendar: str, cutoff: int) -> None:
    first, last = Period(year, "").bounds(calendar, cutoff)
    days = pd.Series(pd.date_range(first, last, freq="D"))
    assigned = assign_quarters(days, calendar, cutoff)
    assert (assigned["year"] == year).all()
    bounds = [quarter_bounds(year, q, calendar, cutoff) for q in (1, 2, 3, 4)]
    inside = np.column_stack(
        [((days >= pd.Timestamp(s)) & (days <= pd.Timestamp(e))).to_numpy() for s, e in bounds]
    )
    assert (inside.sum(axis=1) == 1).all()  # exactly one quarter holds each day
    assert (inside.argmax(axis=1) + 1 == assigned["quarter"].to_numpy(dtype="int64")).all()


@SETTINGS
@given(
    day=st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
    calendar=calendars,
    cutoff=cutoffs,
)
def test_assign_quarters_agrees_with_quarter_bounds(day: date, calendar: str, cutoff: int) -> None:
    assigned = assign_quarters(pd.Series([pd.Timestamp(day)]), calendar, cutoff).iloc[0]
    start, end = quarter_bounds(int(assigned["year"]), int(assigned["quarter"]), calendar, cutoff)
    assert start <= day <= end


# ---------------------------------------------------------------------------------------------
# metrics


@METRIC_SETTINGS
@given(wb=workbooks(), calendar=calendars, cutoff=cutoffs, kind=st.sampled_from(["", "Q1", "Q3", "H2", "9M"]))
def test_rollups_add_up_to_the_total(wb: Workbook, calendar: str, cutoff: int, kind: str) -> None:
    period = Period(YEAR, kind)
    pva = plan_vs_actual(wb, period, calendar, cutoff)
    total = rollup(pva).iloc[0]
    for by in ("unit", "unit_type", "activity_type"):
        part = rollup(pva, by)
        # planned holds validity shares (fractions): sums in another order may differ in the last bit
        assert part["planned"].sum() == pytest.approx(total["planned"], rel=1e-12, abs=1e-12)
        assert part["actual"].sum() == total["actual"]
    assert len(rollup(pva, "unit")) == len(pva) // len(wb.activity_types)
    # the activity rows of the period are exactly what was counted
    assert activities_in_period(wb, period, calendar, cutoff)["quantity"].sum() == total["actual"]


def _sum_of(wb: Workbook, kinds: list[str], calendar: str, cutoff: int) -> pd.DataFrame:
    frames = [plan_vs_actual(wb, Period(YEAR, k), calendar, cutoff) for k in kinds]
    out = frames[0].copy()
    for frame in frames[1:]:
        assert_series_equal(frame["unit_code"], out["unit_code"])  # same rows in the same order
        assert_series_equal(frame["activity_type"], out["activity_type"])
        out["planned"] += frame["planned"]
        out["actual"] += frame["actual"]
    return out[["unit_code", "activity_type", "planned", "actual"]]


@METRIC_SETTINGS
@given(wb=workbooks(open_units=True), calendar=calendars, cutoff=cutoffs)
def test_periods_add_up_for_units_valid_all_year(wb: Workbook, calendar: str, cutoff: int) -> None:
    """Year = Q1+Q2+Q3+Q4 = H1+H2, 9M = Q1+Q2+Q3, H1 = Q1+Q2 for planned and actual (per row).

    Needs units that exist all year: a unit that exists only for part of a period keeps the whole
    period's plan there, but is absent from the quarters it does not overlap (see test_metrics)."""
    columns = ["unit_code", "activity_type", "planned", "actual"]
    year = plan_vs_actual(wb, Period(YEAR, ""), calendar, cutoff)[columns]
    assert_frame_equal(_sum_of(wb, ["Q1", "Q2", "Q3", "Q4"], calendar, cutoff), year)
    assert_frame_equal(_sum_of(wb, ["H1", "H2"], calendar, cutoff), year)
    nine = plan_vs_actual(wb, Period(YEAR, "9M"), calendar, cutoff)[columns]
    assert_frame_equal(_sum_of(wb, ["Q1", "Q2", "Q3"], calendar, cutoff), nine)
    half = plan_vs_actual(wb, Period(YEAR, "H1"), calendar, cutoff)[columns]
    assert_frame_equal(_sum_of(wb, ["Q1", "Q2"], calendar, cutoff), half)
    series = quarterly_series(wb, YEAR, calendar, cutoff)
    assert series["cumulative_planned"].iloc[-1] == pytest.approx(year["planned"].sum(), rel=1e-12, abs=1e-12)
    assert series["cumulative_actual"].iloc[-1] == year["actual"].sum()


@METRIC_SETTINGS
@given(wb=workbooks(), calendar=calendars, cutoff=cutoffs)
def test_series_and_matrix_match_quarterly_plan_vs_actual(wb: Workbook, calendar: str, cutoff: int) -> None:
    series = quarterly_series(wb, YEAR, calendar, cutoff)
    matrix = unit_quarter_matrix(wb, YEAR, calendar, cutoff)
    for q in (1, 2, 3, 4):
        total = rollup(plan_vs_actual(wb, Period(YEAR, f"Q{q}"), calendar, cutoff)).iloc[0]
        row = series.iloc[q - 1]
        # planned holds validity shares: float sums in another order may differ in the last bit
        assert row["planned"] == pytest.approx(total["planned"], rel=1e-12, abs=1e-12)
        assert row["actual"] == total["actual"]
        in_q = matrix[matrix["quarter"] == q]
        assert in_q["planned"].sum() == pytest.approx(total["planned"], rel=1e-12, abs=1e-12)
        assert in_q["actual"].sum() == total["actual"]
    assert series["cumulative_actual"].tolist() == np.cumsum(series["actual"]).tolist()
