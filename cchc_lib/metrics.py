"""Plan against actual per unit and activity type, roll-ups, reporting status, series and breakdowns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from cchc_lib.labels import QUARTER_LABELS, STATUS_LABELS, STATUS_ORDER
from cchc_lib.model import Workbook
from cchc_lib.periods import CALENDAR, Period, assign_quarters, quarter_bounds

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


# --------------------------------------------------------------------------------------------------
# internals: everything is computed on integer positions (unit row, type row, quarter) with bincount


def _as_datetime(values: pd.Series) -> pd.Series:
    return values if pd.api.types.is_datetime64_any_dtype(values) else pd.to_datetime(values)


def _day64(day: date) -> np.datetime64:
    return np.datetime64(day, "D")


def _datetimes(values: pd.Series) -> np.ndarray:
    """A date column as a numpy datetime64 array (NaT for missing)."""
    return _as_datetime(values).to_numpy()


def _exists(units: pd.DataFrame, first: date, last: date) -> np.ndarray:
    """Boolean array: unit validity [valid_from, valid_to] (NaT = open) overlaps [first, last]."""
    valid_from = _datetimes(units["valid_from"])
    valid_to = _datetimes(units["valid_to"])
    starts_in_time = np.isnat(valid_from) | (valid_from < _day64(last + _ONE_DAY))
    not_ended = np.isnat(valid_to) | (valid_to >= _day64(first))
    return starts_in_time & not_ended


def _completion(actual: Any, planned: Any) -> np.ndarray:
    """actual / planned * 100, NaN where planned is 0."""
    actual = np.asarray(actual, dtype="float64")
    planned = np.asarray(planned, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(planned > 0, actual / planned * 100, np.nan)


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
    actual: np.ndarray  # (U, T, 4) int64: activity quantities counted towards each quarter
    exists: np.ndarray  # (U, 4) bool: unit validity overlaps the quarter's bounds

    def planned_actual(self, quarters: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """(planned, actual), each (U, T), for a set of quarters, by the spec's planned rule."""
        idx = [q - 1 for q in quarters]
        planned = self.quarterly[:, :, idx].sum(axis=2) + self.yearly * len(idx) / 4
        return planned, self.actual[:, :, idx].sum(axis=2)


def _cube(wb: Workbook, year: int, calendar: str, cutoff_day: int) -> _Cube:
    units = wb.units.reset_index(drop=True)
    types = wb.activity_types.reset_index(drop=True)
    n_units, n_types = len(units), len(types)
    unit_index = pd.Index(units["unit_code"])
    type_index = pd.Index(types["type_code"])
    bounds = [quarter_bounds(year, q, calendar, cutoff_day) for q in (1, 2, 3, 4)]
    exists = np.column_stack([_exists(units, first, last) for first, last in bounds]).reshape(n_units, 4)

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
    assigned = assign_quarters(_as_datetime(activities["date"])[in_year], calendar, cutoff_day)
    aq = assigned["quarter"].to_numpy(dtype="int64", na_value=0)
    ay = assigned["year"].to_numpy(dtype="int64", na_value=0)
    u = _positions(unit_index, activities["unit_code"])[in_year]
    t = _positions(type_index, activities["type_code"])[in_year]
    quantity = activities["quantity"].to_numpy(dtype="float64", na_value=1.0)[in_year]
    ok = (u >= 0) & (t >= 0) & (ay == year) & (aq >= 1)
    actual = np.bincount(
        ((u * n_types + t) * 4 + aq - 1)[ok], weights=quantity[ok], minlength=n_units * n_types * 4
    )
    actual = np.rint(actual).astype("int64").reshape(n_units, n_types, 4)
    return _Cube(units, types, quarterly, yearly, actual, exists)


def _take(frame: pd.DataFrame, column: str, positions: np.ndarray) -> pd.Series:
    """frame[column] at integer positions, with a fresh RangeIndex (dtype kept)."""
    return frame[column].iloc[positions].reset_index(drop=True)


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

    A row is kept when its date is inside the period's bounds under `calendar` AND its unit exists
    in the period (units_in_period) AND its type is in the catalogue — so the quantities here always
    add up to plan_vs_actual's actual total. Columns: the activity columns, then unit_name,
    unit_type, type_name, year, quarter (Int64: the period quarter the row counts towards).
    """
    first, last = period.bounds(calendar, cutoff_day)
    units = wb.units.reset_index(drop=True)
    types = wb.activity_types.reset_index(drop=True)
    present = np.append(_exists(units, first, last), False)  # position -1 (unknown unit) -> False
    activities = wb.activities
    unit_pos = _positions(pd.Index(units["unit_code"]), activities["unit_code"])
    type_pos = _positions(pd.Index(types["type_code"]), activities["type_code"])
    keep = _dates_in(activities, first, last) & present[unit_pos] & (type_pos >= 0)
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
    activity_name, planned (float64), actual (int64), completion_pct (float64, actual/planned*100
    unrounded, NaN when planned is 0). Units in workbook order, types in catalogue order, fresh index.
    planned = quarterly targets of the period's quarters (targets of period.year) + whole-year target
    x (number of quarters in the period) / 4; several target rows for one cell add up. actual = sum of
    quantity of the unit's activities of that type dated in the period; activities of units that do
    not exist in the period are not counted. A unit that exists for part of the period gets its full
    planned value (the spec's rule has no pro-rating).
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
            "unit_code": _take(cube.units, "unit_code", unit_pos),
            "unit_name": _take(cube.units, "unit_name", unit_pos),
            "unit_type": _take(cube.units, "unit_type", unit_pos),
            "activity_type": _take(cube.types, "type_code", type_pos),
            "activity_name": _take(cube.types, "type_name", type_pos),
            "planned": planned_flat.astype("float64"),
            "actual": actual_flat.astype("int64"),
            "completion_pct": _completion(actual_flat, planned_flat),
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
    exist in that quarter count).
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
    (int64 1..4), planned, actual, completion_pct. Four rows per unit existing in the year (workbook
    order, quarters ascending). Values are those of plan_vs_actual for `year`-Qn; in a quarter where
    the unit does not exist it has planned 0.0, actual 0 and completion NaN, so each quarter's column
    sums equal quarterly_series."""
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
            "unit_code": _take(cube.units, "unit_code", unit_pos),
            "unit_name": _take(cube.units, "unit_name", unit_pos),
            "unit_type": _take(cube.units, "unit_type", unit_pos),
            "quarter": np.tile(np.arange(1, 5, dtype="int64"), len(unit_rows)),
            "planned": planned_flat,
            "actual": actual_flat.astype("int64"),
            "completion_pct": _completion(actual_flat, planned_flat),
        }
    )


def previous_year_pva(
    wb: Workbook, period: Period, calendar: str = CALENDAR, cutoff_day: int = 15
) -> pd.DataFrame | None:
    """plan_vs_actual for the same period one year earlier, or None when the workbook holds no
    target row for it (year == previous year, quarter in the period's quarters or whole-year) and
    no activity dated in it (whatever the unit)."""
    previous = period.previous_year()
    targets = wb.targets
    quarter = targets["quarter"].astype("Int64")
    has_target = (
        (targets["year"] == previous.year) & (quarter.isna() | quarter.isin(previous.quarters))
    ).to_numpy(dtype=bool, na_value=False)
    first, last = previous.bounds(calendar, cutoff_day)
    if not has_target.any() and not _dates_in(wb.activities, first, last).any():
        return None
    return plan_vs_actual(wb, previous, calendar, cutoff_day)


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
