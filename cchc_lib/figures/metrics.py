"""Plan against actual per unit and activity type, roll-ups, reporting status, series and breakdowns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from cchc_lib.common.labels import QUARTER_LABELS, STATUS_LABELS, STATUS_ORDER
from cchc_lib.common.periods import CALENDAR, Period, assign_quarters, quarter_bounds
from cchc_lib.reading.model import Workbook

__all__ = [
    "STATUS_ORDER",
    "STATUS_LABELS",
    "QUARTER_LABELS",
    "BLANK_LABEL",
    "PVA_COLUMNS",
    "filter_workbook",
    "units_in_period",
    "activities_in_period",
    "plan_vs_actual",
    "rollup",
    "classify_units",
    "units_without_activity",
    "headline",
    "comparable_headlines",
    "quarterly_series",
    "unit_quarter_matrix",
    "previous_year_pva",
    "compare_with_previous",
    "breakdown",
    "successors",
    "mergers_in_period",
    "fold_predecessors",
    "MERGER_COLUMNS",
]

# Status codes and Vietnamese labels live with the other labels (one place for user text).
# Shown in breakdowns for an activity whose channel/reform area/... was left empty.
BLANK_LABEL = "(không ghi)"

PVA_COLUMNS = [
    "unit_code",
    "unit_name",
    "unit_type",
    "activity_type",
    "activity_name",
    "planned",
    "actual",
    "completion_pct",
]
_UNIT_KEYS = ["unit_code", "unit_name", "unit_type"]
_ROLLUP_KEYS: dict[str | None, list[str]] = {
    None: [],
    "unit": _UNIT_KEYS,
    "unit_type": ["unit_type"],
    "activity_type": ["activity_type", "activity_name"],
}
_ONE_DAY = timedelta(days=1)
# Open validity ends stand for days far outside any period.
_FAR_PAST = np.datetime64("1000-01-01", "D")
_FAR_FUTURE = np.datetime64("9999-12-31", "D")
MERGER_COLUMNS = ["unit_code", "unit_name", "successor_code", "successor_name", "merge_date"]


# --------------------------------------------------------------------------------------------------
# internals: everything is computed on integer positions (unit row, type row, quarter) with bincount


def _as_datetime(values: pd.Series) -> pd.Series:
    return values if pd.api.types.is_datetime64_any_dtype(values) else pd.to_datetime(values)


def _day64(day: date) -> np.datetime64:
    return np.datetime64(day, "D")


def _datetimes(values: pd.Series) -> np.ndarray:
    """A date column as a numpy datetime64 array (NaT for missing)."""
    return _as_datetime(values).to_numpy()


def _validity(units: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """First and last day (inclusive, datetime64[D]) of every unit's validity; open ends far off."""
    start = _datetimes(units["valid_from"]).astype("datetime64[D]")
    end = _datetimes(units["valid_to"]).astype("datetime64[D]")
    return np.where(np.isnat(start), _FAR_PAST, start), np.where(np.isnat(end), _FAR_FUTURE, end)


def _overlap_days(units: pd.DataFrame, first: date, last: date) -> np.ndarray:
    """int64 array: days of [first, last] on which each unit existed (validity dates inclusive)."""
    start, end = _validity(units)
    low = np.maximum(start, _day64(first))
    high = np.minimum(end, _day64(last))
    return np.maximum((high - low).astype("int64") + 1, 0)


def _exists(units: pd.DataFrame, first: date, last: date) -> np.ndarray:
    """Boolean array: unit validity [valid_from, valid_to] (NaT = open) shares a day with [first, last]."""
    return _overlap_days(units, first, last) > 0


def _within_validity(dates: pd.Series, unit_pos: np.ndarray, units: pd.DataFrame) -> np.ndarray:
    """Boolean array: the date lies inside the validity of the unit at `unit_pos` (False for -1)."""
    start, end = _validity(units)
    start, end = np.append(start, _FAR_FUTURE), np.append(end, _FAR_PAST)  # position -1 -> never
    days = _datetimes(dates).astype("datetime64[D]")
    return (days >= start[unit_pos]) & (days <= end[unit_pos])


def _completion(actual: Any, planned: Any) -> np.ndarray:
    """actual / planned * 100, NaN where planned is 0.

    Computed as (actual * 100) / planned: one rounding step, so a value that is a short decimal
    (17 of 16 -> 106.25) is the float whose repr is that decimal, and half-up rounding of the repr
    (formatting.round_half_up) sees the tie; actual / planned * 100 gives 1.1499999999999999 for 1.15.
    """
    actual = np.asarray(actual, dtype="float64")
    planned = np.asarray(planned, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(planned > 0, actual * 100 / planned, np.nan)


def _positions(index: pd.Index, values: pd.Series) -> np.ndarray:
    """Position in `index` of every value (-1 when absent); hashes only the distinct values."""
    codes, uniques = pd.factorize(values)
    lookup = np.append(index.get_indexer(uniques), -1)  # code -1 (missing value) -> -1
    return lookup[codes]


def _dates_in(activities: pd.DataFrame, first: date, last: date) -> np.ndarray:
    """Boolean array: the activity's date is within [first, last] (whole days)."""
    dates = _datetimes(activities["date"])
    return (dates >= _day64(first)) & (dates < _day64(last + _ONE_DAY))


@dataclass
class _Cube:
    """Targets and actuals of one year, per unit row x type row x quarter (all workbook units)."""

    units: pd.DataFrame
    types: pd.DataFrame
    quarterly: np.ndarray  # (U, T, 4) float: quarterly targets
    yearly: np.ndarray  # (U, T) float: whole-year targets
    actual: np.ndarray  # (U, T, 4) int64: quantities dated in the quarter and in the unit's validity
    share: np.ndarray  # (U, 4) float: share of the quarter's days on which the unit existed
    exists: np.ndarray  # (U, 4) bool: unit validity shares at least one day with the quarter

    def planned_actual(self, quarters: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """(planned, actual), each (U, T), for a set of quarters, by the spec's planned rule:
        sum over the quarters of (quarterly target + year target / 4) x the unit's share."""
        idx = [q - 1 for q in quarters]
        per_quarter = self.quarterly[:, :, idx] + self.yearly[:, :, None] / 4
        planned = (per_quarter * self.share[:, None, idx]).sum(axis=2)
        return planned, self.actual[:, :, idx].sum(axis=2)


def _cube(wb: Workbook, year: int, calendar: str, cutoff_day: int) -> _Cube:
    units = wb.units.reset_index(drop=True)
    types = wb.activity_types.reset_index(drop=True)
    n_units, n_types = len(units), len(types)
    unit_index = pd.Index(units["unit_code"])
    type_index = pd.Index(types["type_code"])
    bounds = [quarter_bounds(year, q, calendar, cutoff_day) for q in (1, 2, 3, 4)]
    days = np.column_stack([_overlap_days(units, first, last) for first, last in bounds]).reshape(n_units, 4)
    lengths = np.array([(last - first).days + 1 for first, last in bounds], dtype="float64")
    share = days / lengths

    targets = wb.targets
    in_year = (targets["year"] == year).to_numpy(dtype=bool, na_value=False)
    targets = targets.loc[in_year]
    u = _positions(unit_index, targets["unit_code"])
    t = _positions(type_index, targets["type_code"])
    q = targets["quarter"].astype("Int64").to_numpy(dtype="int64", na_value=0)
    value = targets["target"].astype("float64").to_numpy(dtype="float64", na_value=0.0)
    known = (u >= 0) & (t >= 0)
    cell = u * n_types + t
    is_q = known & (q >= 1) & (q <= 4)
    is_y = known & (q == 0)
    quarterly = np.bincount(
        cell[is_q] * 4 + q[is_q] - 1, weights=value[is_q], minlength=n_units * n_types * 4
    ).reshape(n_units, n_types, 4)
    yearly = np.bincount(cell[is_y], weights=value[is_y], minlength=n_units * n_types).reshape(
        n_units, n_types
    )

    activities = wb.activities
    in_year = _dates_in(activities, bounds[0][0], bounds[3][1])
    dates = _as_datetime(activities["date"])[in_year]
    assigned = assign_quarters(dates, calendar, cutoff_day)
    aq = assigned["quarter"].to_numpy(dtype="int64", na_value=0)
    ay = assigned["year"].to_numpy(dtype="int64", na_value=0)
    u = _positions(unit_index, activities["unit_code"])[in_year]
    t = _positions(type_index, activities["type_code"])[in_year]
    quantity = activities["quantity"].to_numpy(dtype="float64", na_value=1.0)[in_year]
    ok = (u >= 0) & (t >= 0) & (ay == year) & (aq >= 1) & _within_validity(dates, u, units)
    actual = np.bincount(
        ((u * n_types + t) * 4 + aq - 1)[ok], weights=quantity[ok], minlength=n_units * n_types * 4
    )
    actual = np.rint(actual).astype("int64").reshape(n_units, n_types, 4)
    return _Cube(units, types, quarterly, yearly, actual, share, days > 0)


def _take(frame: pd.DataFrame, column: str, positions: np.ndarray) -> pd.Series:
    """frame[column] at integer positions, with a fresh RangeIndex (dtype kept)."""
    return frame[column].iloc[positions].reset_index(drop=True)

def _unit_columns(cube: _Cube, unit_pos: np.ndarray) -> dict[str, pd.Series]:
    """unit_code, unit_name, unit_type of the cube's units at positions `unit_pos`."""
    return {name: _take(cube.units, name, unit_pos) for name in ("unit_code", "unit_name", "unit_type")}


def _figure_columns(planned: np.ndarray, actual: np.ndarray) -> dict[str, np.ndarray]:
    """planned, actual (int64) and completion_pct of matching flat arrays."""
    return {"planned": planned, "actual": actual.astype("int64"), "completion_pct": _completion(actual, planned)}



def _sum_rows(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """planned/actual summed by `keys` in order of first appearance, plus completion_pct."""
    if keys:
        out = frame.groupby(keys, sort=False, dropna=False, as_index=False)[["planned", "actual"]].sum()
        out = out[[*keys, "planned", "actual"]]
    else:
        out = pd.DataFrame(
            {"planned": [float(frame["planned"].sum())], "actual": [int(frame["actual"].sum())]}
        )
    out["planned"] = out["planned"].astype("float64")
    out["actual"] = out["actual"].astype("int64")
    out["completion_pct"] = _completion(out["actual"], out["planned"])
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------------------
# public API


def filter_workbook(
    wb: Workbook, unit_types: Iterable[str] | None = None, unit_codes: Iterable[str] | None = None
) -> Workbook:
    """The workbook restricted to units of `unit_types` and/or with `unit_codes` (None = no filter).

    Both filters apply together (a unit must pass both). Codes are compared upper-cased and trimmed;
    unit types exactly (the workbook's text is already normalised). A single string is taken as a
    one-element list; an empty list keeps no unit. Targets, activities and the optional sheets keep
    only the rows of the kept units; the activity-type catalogue is unchanged. With both filters None
    the workbook itself is returned.
    """
    if unit_types is None and unit_codes is None:
        return wb
    units = wb.units
    keep = np.ones(len(units), dtype=bool)
    if unit_types is not None:
        wanted_types = [unit_types] if isinstance(unit_types, str) else list(unit_types)
        keep &= units["unit_type"].isin(wanted_types).to_numpy(dtype=bool)
    if unit_codes is not None:
        codes = [unit_codes] if isinstance(unit_codes, str) else list(unit_codes)
        keep &= units["unit_code"].isin([str(c).strip().upper() for c in codes]).to_numpy(dtype=bool)
    kept_codes = units["unit_code"][keep]

    def subset(frame: pd.DataFrame | None) -> pd.DataFrame | None:
        if frame is None:
            return None
        return frame.loc[frame["unit_code"].isin(kept_codes).to_numpy(dtype=bool)].reset_index(drop=True)

    return Workbook(
        units=units.loc[keep].reset_index(drop=True),
        activity_types=wb.activity_types,
        targets=subset(wb.targets),
        activities=subset(wb.activities),
        portal_reviews=subset(wb.portal_reviews),
        funding=subset(wb.funding),
        initiatives=subset(wb.initiatives),
        channel_groups=wb.channel_groups,
        directives=wb.directives,
    )


def units_in_period(
    wb: Workbook, period: Period, calendar: str = CALENDAR, cutoff_day: int = 15
) -> pd.DataFrame:
    """Units (the units table's columns, workbook order, fresh index) whose validity
    [valid_from, valid_to] overlaps the period's bounds under `calendar`; NaT means open-ended."""
    first, last = period.bounds(calendar, cutoff_day)
    return wb.units.loc[_exists(wb.units, first, last)].reset_index(drop=True)


def activities_in_period(
    wb: Workbook, period: Period, calendar: str = CALENDAR, cutoff_day: int = 15
) -> pd.DataFrame:
    """The activity rows that plan_vs_actual counts for `period`, in workbook order, fresh index.

    A row is kept when its date is inside the period's bounds under `calendar` AND inside its unit's
    validity [valid_from, valid_to] (NaT = open; `validate` warns that other rows are not counted)
    AND its type is in the catalogue — so the quantities here always add up to plan_vs_actual's
    actual total. Columns: the activity columns, then unit_name, unit_type, type_name, year,
    quarter (Int64: the period quarter the row counts towards).
    """
    first, last = period.bounds(calendar, cutoff_day)
    units = wb.units.reset_index(drop=True)
    types = wb.activity_types.reset_index(drop=True)
    activities = wb.activities
    unit_pos = _positions(pd.Index(units["unit_code"]), activities["unit_code"])
    type_pos = _positions(pd.Index(types["type_code"]), activities["type_code"])
    keep = (
        _dates_in(activities, first, last)
        & (type_pos >= 0)
        & _within_validity(activities["date"], unit_pos, units)  # False for an unknown unit
    )
    out = activities.loc[keep].reset_index(drop=True)
    unit_pos, type_pos = unit_pos[keep], type_pos[keep]
    out["unit_name"] = _take(units, "unit_name", unit_pos)
    out["unit_type"] = _take(units, "unit_type", unit_pos)
    out["type_name"] = _take(types, "type_name", type_pos)
    assigned = assign_quarters(_as_datetime(out["date"]), calendar, cutoff_day)
    out["year"] = assigned["year"]
    out["quarter"] = assigned["quarter"]
    return out


def plan_vs_actual(
    wb: Workbook, period: Period, calendar: str = CALENDAR, cutoff_day: int = 15
) -> pd.DataFrame:
    """Plan against actual for `period`: one row per unit existing in the period x catalogue type.

    Columns (PVA_COLUMNS): unit_code, unit_name, unit_type, activity_type (type code),
    activity_name, planned (float64), actual (int64), completion_pct (float64, actual*100/planned
    unrounded, NaN when planned is 0). Units in workbook order, types in catalogue order, fresh index.
    A unit is listed when its validity shares at least one day with the period's bounds.
    planned = sum over the period's quarters of (the quarter's target + the whole-year target / 4)
    x share, share = days of that quarter (under `calendar`, validity dates inclusive) on which the
    unit existed / days of the quarter (1 without validity dates); targets of period.year, several
    target rows for one cell add up. actual = sum of quantity of the unit's activities of that type
    dated in the period and inside the unit's validity (others are counted nowhere).
    """
    cube = _cube(wb, period.year, calendar, cutoff_day)
    first, last = period.bounds(calendar, cutoff_day)
    unit_rows = np.flatnonzero(_exists(cube.units, first, last))
    planned, actual = cube.planned_actual(period.quarters)
    n_types = len(cube.types)
    unit_pos = np.repeat(unit_rows, n_types)
    type_pos = np.tile(np.arange(n_types), len(unit_rows))
    planned_flat = planned[unit_rows].reshape(-1)
    actual_flat = actual[unit_rows].reshape(-1)
    return pd.DataFrame(
        {
            **_unit_columns(cube, unit_pos),
            "activity_type": _take(cube.types, "type_code", type_pos),
            "activity_name": _take(cube.types, "type_name", type_pos),
            **_figure_columns(planned_flat.astype("float64"), actual_flat),
        }
    )


def rollup(pva: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """plan_vs_actual summed: by None -> one row (planned, actual, completion_pct); "unit" ->
    unit_code, unit_name, unit_type + the three; "unit_type" -> unit_type + ...; "activity_type" ->
    activity_type, activity_name + ... . Rows in order of first appearance in `pva`; completion_pct
    is recomputed from the sums (NaN when planned is 0). Raises ValueError for another `by`."""
    if by not in _ROLLUP_KEYS:
        raise ValueError(f"rollup by must be one of {list(_ROLLUP_KEYS)}, not {by!r}")
    return _sum_rows(pva, _ROLLUP_KEYS[by])


def classify_units(pva: pd.DataFrame, complete_pct: float = 100.0, near_pct: float = 70.0) -> pd.DataFrame:
    """rollup(pva, "unit") + `status` (STATUS_ORDER) and `status_label` (STATUS_LABELS).

    Checked in this order: planned == 0 -> "no_plan" (whatever the actual); actual == 0 ->
    "no_activity"; completion >= complete_pct -> "complete"; >= near_pct -> "near"; else "behind".
    """
    out = rollup(pva, "unit")
    planned = out["planned"].to_numpy()
    actual = out["actual"].to_numpy()
    pct = out["completion_pct"].to_numpy()
    status = np.select(
        [planned == 0, actual == 0, pct >= complete_pct, pct >= near_pct],
        ["no_plan", "no_activity", "complete", "near"],
        default="behind",
    )
    out["status"] = pd.Series(status, dtype="str")
    out["status_label"] = out["status"].map(STATUS_LABELS).astype("str")
    return out


def units_without_activity(pva: pd.DataFrame) -> pd.DataFrame:
    """Units whose total actual in the period is 0 (whatever their plan): unit_code, unit_name,
    unit_type, planned. Workbook order, fresh index."""
    out = rollup(pva, "unit")
    return out.loc[out["actual"] == 0, [*_UNIT_KEYS, "planned"]].reset_index(drop=True)


def headline(pva: pd.DataFrame, complete_pct: float = 100.0, near_pct: float = 70.0) -> dict[str, Any]:
    """Headline figures of a plan_vs_actual frame, as plain Python values:
    {"planned": float, "actual": int, "completion_pct": float | None (None when planned is 0),
    "units": number of units in pva, "by_status": {status: count for every status in STATUS_ORDER},
    "no_activity": number of units with total actual 0 (= len(units_without_activity(pva)); unlike
    by_status["no_activity"] it also counts units with no plan and no activity)}."""
    total = rollup(pva).iloc[0]
    statuses = classify_units(pva, complete_pct, near_pct)
    counts = statuses["status"].value_counts()
    pct = float(total["completion_pct"])
    return {
        "planned": float(total["planned"]),
        "actual": int(total["actual"]),
        "completion_pct": None if np.isnan(pct) else pct,
        "units": len(statuses),
        "by_status": {status: int(counts.get(status, 0)) for status in STATUS_ORDER},
        "no_activity": int((statuses["actual"] == 0).sum()),
    }


def _tracked_types(pva: pd.DataFrame) -> pd.Index:
    """Activity types with planned or actual > 0 in a plan_vs_actual frame."""
    totals = pva.groupby("activity_type", sort=False)[["planned", "actual"]].sum()
    return totals.index[(totals["planned"] > 0) | (totals["actual"] > 0)]


def comparable_headlines(
    pva: pd.DataFrame, prev_pva: pd.DataFrame, complete_pct: float = 100.0, near_pct: float = 70.0
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Headlines of this period and of the same period last year over the activity types tracked
    last year only (a type with planned or actual > 0 in `prev_pva`), so that a type added to the
    plan this year does not show as growth. Returns (current, previous) as `headline` dicts."""
    tracked = _tracked_types(prev_pva)
    current = pva[pva["activity_type"].isin(tracked)]
    previous = prev_pva[prev_pva["activity_type"].isin(tracked)]
    return headline(current, complete_pct, near_pct), headline(previous, complete_pct, near_pct)


def quarterly_series(
    wb: Workbook,
    year: int,
    calendar: str = CALENDAR,
    cutoff_day: int = 15,
    quarters: Sequence[int] = (1, 2, 3, 4),
) -> pd.DataFrame:
    """One row per quarter of `quarters` (in the order given): quarter (int64), label ("Quý I"..),
    planned, actual, cumulative_planned, cumulative_actual (running sums in that order) and
    completion_pct of the quarter itself (actual/planned*100, NaN when planned is 0).

    Each quarter's planned/actual equal the totals of plan_vs_actual for `year`-Qn (only units that
    exist in that quarter count, planned pro-rated by their share of its days, actual only within
    their validity).
    """
    quarters = [int(q) for q in quarters]
    if any(q not in QUARTER_LABELS for q in quarters):
        raise ValueError(f"quarters must be among 1..4, not {quarters}")
    cube = _cube(wb, year, calendar, cutoff_day)
    planned = np.zeros(len(quarters))
    actual = np.zeros(len(quarters), dtype="int64")
    for i, q in enumerate(quarters):
        p, a = cube.planned_actual((q,))
        present = cube.exists[:, q - 1]
        planned[i] = p[present].sum()
        actual[i] = a[present].sum()
    return pd.DataFrame(
        {
            "quarter": np.array(quarters, dtype="int64"),
            "label": pd.Series([QUARTER_LABELS[q] for q in quarters], dtype="str"),
            "planned": planned,
            "actual": actual,
            "cumulative_planned": np.cumsum(planned),
            "cumulative_actual": np.cumsum(actual),
            "completion_pct": _completion(actual, planned),
        }
    )


def unit_quarter_matrix(
    wb: Workbook, year: int, calendar: str = CALENDAR, cutoff_day: int = 15
) -> pd.DataFrame:
    """Per unit and quarter of `year`, all types together: unit_code, unit_name, unit_type, quarter
    (int64 1..4), planned, actual, completion_pct, exists (bool). Four rows per unit existing in the
    year (workbook order, quarters ascending). Values are those of plan_vs_actual for `year`-Qn; in a
    quarter where the unit does not exist (exists False) it has planned 0.0, actual 0 and completion
    NaN, so each quarter's column sums equal quarterly_series."""
    cube = _cube(wb, year, calendar, cutoff_day)
    planned = np.zeros((len(cube.units), 4))
    actual = np.zeros((len(cube.units), 4), dtype="int64")
    for q in (1, 2, 3, 4):
        p, a = cube.planned_actual((q,))
        planned[:, q - 1] = p.sum(axis=1)
        actual[:, q - 1] = a.sum(axis=1)
    planned = np.where(cube.exists, planned, 0.0)
    actual = np.where(cube.exists, actual, 0)
    unit_rows = np.flatnonzero(cube.exists.any(axis=1))
    unit_pos = np.repeat(unit_rows, 4)
    planned_flat = planned[unit_rows].reshape(-1)
    actual_flat = actual[unit_rows].reshape(-1)
    return pd.DataFrame(
        {
            **_unit_columns(cube, unit_pos),
            "quarter": np.tile(np.arange(1, 5, dtype="int64"), len(unit_rows)),
            **_figure_columns(planned_flat, actual_flat),
            "exists": cube.exists[unit_rows].reshape(-1).astype(bool),
        }
    )


def previous_year_pva(
    wb: Workbook,
    period: Period,
    calendar: str = CALENDAR,
    cutoff_day: int = 15,
    fold_successors: bool = False,
) -> pd.DataFrame | None:
    """plan_vs_actual for the same period one year earlier, or None when the workbook holds no
    target row for it (year == previous year, quarter in the period's quarters or whole-year) and
    no activity dated in it (whatever the unit).

    fold_successors: last year's rows are folded onto the units as they stand at the end of
    `period` (fold_predecessors), so that the previous figures of a unit formed by a merger are the
    sum of its predecessors'. A predecessor is folded when it has merged by the last day of `period`
    (merge date = valid_to + 1 day, or no valid_to at all), into the first unit along its chain of
    successors that has not (the final successor at most). A unit that still exists at the end of
    the period keeps its own rows.
    """
    previous = period.previous_year()
    targets = wb.targets
    quarter = targets["quarter"].astype("Int64")
    has_target = (
        (targets["year"] == previous.year) & (quarter.isna() | quarter.isin(previous.quarters))
    ).to_numpy(dtype=bool, na_value=False)
    first, last = previous.bounds(calendar, cutoff_day)
    if not has_target.any() and not _dates_in(wb.activities, first, last).any():
        return None
    pva = plan_vs_actual(wb, previous, calendar, cutoff_day)
    if not fold_successors:
        return pva
    return fold_predecessors(pva, wb.units, _successors_at(wb.units, period.bounds(calendar, cutoff_day)[1]))


def compare_with_previous(
    pva: pd.DataFrame, prev_pva: pd.DataFrame | None, *, untracked_as_missing: bool = False
) -> pd.DataFrame:
    """Actual by activity type now and a year earlier: activity_type, activity_name, actual,
    actual_prev, change (actual - actual_prev), change_pct (change / actual_prev * 100, NaN when
    actual_prev is 0). Types in the order of `pva`, then any found only in `prev_pva` (a type
    missing on one side counts 0 there). prev_pva None is taken as an empty frame (actual_prev 0);
    screens should rather not show a comparison when previous_year_pva returned None.

    `untracked_as_missing`: a type with neither plan nor activity last year (added to the plan this
    year) gets actual_prev, change and change_pct missing (<NA>/NaN) instead of 0 and the whole
    actual as "growth"."""
    keys = ["activity_type", "activity_name"]
    now = rollup(pva, "activity_type")[[*keys, "actual"]]
    prev = rollup(prev_pva if prev_pva is not None else pva.iloc[0:0], "activity_type")[[*keys, "actual"]]
    prev = prev.rename(columns={"actual": "actual_prev"})
    order = pd.concat([now[keys], prev[keys]], ignore_index=True).drop_duplicates(keys)
    out = order.merge(now, on=keys, how="left").merge(prev, on=keys, how="left")
    out["actual"] = out["actual"].fillna(0).astype("int64")
    out["actual_prev"] = out["actual_prev"].fillna(0).astype("int64")
    out["change"] = out["actual"] - out["actual_prev"]
    out["change_pct"] = _completion(out["change"], out["actual_prev"])  # NaN when actual_prev is 0
    if untracked_as_missing:
        tracked = _tracked_types(prev_pva) if prev_pva is not None else pd.Index([])
        new = ~out["activity_type"].isin(tracked)
        out[["actual_prev", "change"]] = out[["actual_prev", "change"]].astype("Int64").mask(new)
        out.loc[new, "change_pct"] = np.nan
    return out.reset_index(drop=True)


def breakdown(activities: pd.DataFrame, column: str) -> pd.DataFrame:
    """Sum of quantity by the values of `column` (e.g. "channel", "reform_area") of an activities
    frame (typically activities_in_period): value (str), quantity (int64), share_pct (float64, share
    of the total quantity x 100). Missing or blank values are grouped as BLANK_LABEL "(không ghi)".
    Sorted by quantity descending, ties by value ascending; fresh index."""
    codes, uniques = pd.factorize(activities[column])  # missing -> code -1
    text = pd.Series(uniques, dtype="object").astype("str").str.strip()
    labels = np.append(text.mask(text.eq("") | text.isna(), BLANK_LABEL).to_numpy(dtype=object), BLANK_LABEL)
    quantity = activities["quantity"].to_numpy(dtype="float64", na_value=1.0)
    # code -1 (missing) lands in bincount slot 0, moved last to match labels[-1]
    sums = pd.DataFrame(
        {
            "quantity": np.roll(np.bincount(codes + 1, weights=quantity, minlength=len(uniques) + 1), -1),
            "rows": np.roll(np.bincount(codes + 1, minlength=len(uniques) + 1), -1),
        }
    )
    per_label = sums.groupby(labels, sort=False).sum()  # several raw values may share a label
    per_label = per_label.loc[per_label["rows"] > 0]
    out = pd.DataFrame(
        {
            "value": pd.Series(per_label.index, dtype="str"),
            "quantity": np.rint(per_label["quantity"].to_numpy()).astype("int64"),
        }
    )
    out = out.sort_values(["quantity", "value"], ascending=[False, True], kind="stable")
    total = out["quantity"].sum()
    out["share_pct"] = out["quantity"] / total * 100 if total > 0 else np.nan
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------------------
# mergers: the units table's optional successor_code names the unit a unit was merged into


def _successor_links(units: pd.DataFrame) -> dict[str, str]:
    """Direct links code -> successor code as written (upper-cased, trimmed); blanks, self-links and
    codes that are not units of the table are left out. A table without successor_code has none."""
    column = units.get("successor_code")
    if column is None:
        return {}
    known = set(units["unit_code"])
    links: dict[str, str] = {}
    for code, successor in zip(units["unit_code"], column, strict=True):
        if successor is None or pd.isna(successor):
            continue
        successor = str(successor).strip().upper()
        if successor and successor != code and successor in known:
            links[code] = successor
    return links


def _final(links: dict[str, str]) -> dict[str, str]:
    """Each code of `links` -> the end of its chain; codes whose chain runs into a cycle are left out."""
    out: dict[str, str] = {}
    for code in links:
        seen = {code}
        current = links[code]
        while current in links and current not in seen:
            seen.add(current)
            current = links[current]
        if current not in links:  # the chain ended at a unit without successor (not in a cycle)
            out[code] = current
    return out


def successors(units: pd.DataFrame) -> dict[str, str]:
    """Every predecessor code -> its final successor, following chains (A -> B -> C gives A: C and
    B: C), in units-table order. Links to codes that are not in the table, self-links and every code
    whose chain runs into a cycle are ignored. Without a successor_code column: {}."""
    return _final(_successor_links(units))


def _merge_days(units: pd.DataFrame) -> dict[str, pd.Timestamp | None]:
    """unit code -> merge date (valid_to + 1 day, normalised), None without valid_to."""
    ends = _as_datetime(units["valid_to"]).dt.normalize()
    return {
        code: None if pd.isna(end) else end + pd.Timedelta(days=1)
        for code, end in zip(units["unit_code"], ends, strict=True)
    }


def _successors_at(units: pd.DataFrame, last: date) -> dict[str, str]:
    """Predecessors merged by `last` (merge date <= last, or no valid_to) -> the first unit along
    their chain not merged by then (at most the final successor)."""
    links = _successor_links(units)
    final = _final(links)
    merged_on = _merge_days(units)
    end = pd.Timestamp(last)

    def merged(code: str) -> bool:
        day = merged_on.get(code)
        return day is None or day <= end

    out: dict[str, str] = {}
    for code in final:
        if not merged(code):
            continue
        current = links[code]
        while current in final and merged(current):
            current = links[current]
        out[code] = current
    return out


def mergers_in_period(
    wb: Workbook, period: Period, calendar: str = CALENDAR, cutoff_day: int = 15
) -> pd.DataFrame:
    """Mergers that took effect in `period`: MERGER_COLUMNS unit_code, unit_name (the predecessor),
    successor_code, successor_name (the unit it was merged into, as written: the direct successor),
    merge_date (datetime64[ns]: the predecessor's valid_to + 1 day), for every predecessor (one with
    a final successor, see `successors`) whose merge date is within the period's bounds under
    `calendar`, inclusive. A predecessor without valid_to has no date and is not listed. Ordered by
    merge date, then units-table order; fresh index."""
    units = wb.units
    links = _successor_links(units)
    final = _final(links)
    names = dict(zip(units["unit_code"], units["unit_name"], strict=True))
    merged_on = _merge_days(units)
    first, last = (pd.Timestamp(day) for day in period.bounds(calendar, cutoff_day))
    rows = [
        (code, names[code], links[code], names[links[code]], merged_on[code])
        for code in final
        if merged_on[code] is not None and first <= merged_on[code] <= last
    ]
    out = pd.DataFrame(
        {
            "unit_code": pd.Series([r[0] for r in rows], dtype="str"),
            "unit_name": pd.Series([r[1] for r in rows], dtype="str"),
            "successor_code": pd.Series([r[2] for r in rows], dtype="str"),
            "successor_name": pd.Series([r[3] for r in rows], dtype="str"),
            "merge_date": pd.Series([r[4] for r in rows], dtype="datetime64[ns]"),
        }
    )
    return out.sort_values("merge_date", kind="stable").reset_index(drop=True)


def fold_predecessors(
    pva: pd.DataFrame, units: pd.DataFrame, mapping: dict[str, str] | None = None
) -> pd.DataFrame:
    """A plan_vs_actual frame with the rows of predecessor units summed into their successor's.

    `mapping` (default `successors(units)`: each predecessor -> its final successor) says which unit
    code takes which; the successor's unit_name and unit_type come from `units`. Rows sharing a unit
    and activity type after the mapping are summed (planned, actual) and completion_pct recomputed
    (NaN when planned is 0). Same columns as plan_vs_actual (PVA_COLUMNS); rows in order of first
    appearance of (unit, type) after the mapping; fresh index. Rows of other units are unchanged.
    """
    mapping = successors(units) if mapping is None else mapping
    if not mapping or pva.empty:
        return pva[PVA_COLUMNS].reset_index(drop=True)
    frame = pva[PVA_COLUMNS].copy()
    mapped = frame["unit_code"].map(mapping)
    moved = mapped.notna().to_numpy(dtype=bool)
    names = dict(zip(units["unit_code"], units["unit_name"], strict=True))
    kinds = dict(zip(units["unit_code"], units["unit_type"], strict=True))
    targets = mapped[moved]
    frame.loc[moved, "unit_code"] = targets
    frame.loc[moved, "unit_name"] = targets.map(lambda c: names.get(c, c))
    frame.loc[moved, "unit_type"] = targets.map(lambda c: kinds.get(c))
    keys = ["unit_code", "activity_type"]
    out = frame.groupby(keys, sort=False, dropna=False, as_index=False).agg(
        unit_name=("unit_name", "first"),
        unit_type=("unit_type", "first"),
        activity_name=("activity_name", "first"),
        planned=("planned", "sum"),
        actual=("actual", "sum"),
    )
    out["planned"] = out["planned"].astype("float64")
    out["actual"] = out["actual"].astype("int64")
    out["completion_pct"] = _completion(out["actual"], out["planned"])
    return out[PVA_COLUMNS].reset_index(drop=True)
