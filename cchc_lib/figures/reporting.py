"""Reporting status per period: which units submitted their figures, when, on time or late, which are missing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from cchc_lib.common.formatting import fmt_date
from cchc_lib.common.periods import CALENDAR, REPORT, Period
from cchc_lib.reading.model import ACTIVITY_COLUMNS

__all__ = [
    "EVENT_COLUMNS",
    "KEY_COLUMNS",
    "OVERVIEW_COLUMNS",
    "STATUS_COLUMNS",
    "STATUS_LABELS",
    "STATUS_ORDER",
    "VERSION_COLUMNS",
    "activity_keys",
    "lineage",
    "period_caption",
    "period_status",
    "reporting_status",
    "not_submitted",
    "status_counts",
    "submission_deadline",
    "submission_events",
    "units_in_range",
    "versions_table",
    "year_overview",
]

# How a submission is derived from the store (kept deliberately simple):
#
# * The period's dates are its bounds under the calendar the screen shows (the sidebar's choice:
#   calendar quarters or the report cut-off, `cutoff_day` from the settings); the deadline is the last
#   day of the period under that same calendar + grace days, so one screen has one period definition.
# * Every published version V that is not a rollback is compared with the version that was current
#   before it (V.previous; nothing when V is the first). Activity rows are compared as whole rows
#   (all fields except the Excel row number), counted with multiplicity, and only rows dated inside
#   the period count.
# * kind "unit" (a unit's focal point, or the admin for that unit): one submission event for that
#   unit when its rows in the period changed at all (rows added or removed).
# * kind "replace" (the whole workbook): one submission event for every unit that has rows in the
#   period which were not in the previous version (rows first appearing in V).
# * kind "batch" (several units' files at once, batch.py): one submission event for every unit whose
#   rows in the period changed at all (only the units of its files' rows change).
# * kind "rollback" never counts (restoring old content is not a submission).
# * Status follows the CURRENT version: only events of versions in the current version's lineage
#   count (the current version, its previous, ...; a rollback continues with the version it restored,
#   so the versions it discarded drop out). A unit's events also stop counting when the current
#   version has no row of the unit in the period any more, unless the last change of those rows in
#   the lineage was its own submission (a unit may submit that it has nothing; a whole-book replace
#   that dropped them was not). A unit with events of which none counts is "resubmit" (Cần nộp lại):
#   what it sent is no longer in the data.
# * A unit's submission time for the period is its earliest counted event (the version's created_at).
#   On time when that local date is on or before the deadline.
#   An event coming from the very first version of the store is "baseline" when it is after the
#   deadline: the store did not exist yet when the deadline passed, so timeliness is unknown.
# * Units expected to report: those whose validity overlaps the period. Without an event a unit is
#   "missing" once the deadline has passed, "not_due" before.

STATUS_ORDER = ("on_time", "late", "baseline", "resubmit", "not_due", "missing")
STATUS_LABELS = {
    "on_time": "Đúng hạn",
    "late": "Trễ hạn",
    "baseline": "Đã nộp (chưa xác định đúng hạn)",
    "resubmit": "Cần nộp lại",
    "not_due": "Chưa nộp (chưa đến hạn)",
    "missing": "Chưa nộp (quá hạn)",
}
SUBMITTED = ("on_time", "late", "baseline")
NOT_SUBMITTED = ("resubmit", "not_due", "missing")
_DEFINITIONS = {CALENDAR: "theo dương lịch", REPORT: "theo kỳ chốt số liệu báo cáo"}

VERSION_COLUMNS = ["version", "created_at", "user", "kind", "unit_code", "previous", "rollback_of"]
KEY_COLUMNS = ["unit_code", "date", "key"]
EVENT_COLUMNS = ["unit_code", "version", "created_at", "user", "kind", "rows_added", "rows_removed"]
STATUS_COLUMNS = [
    "unit_code",
    "unit_name",
    "unit_type",
    "status",
    "status_label",
    "submitted_at",
    "version",
    "user",
    "days_late",
    "submissions",
]
OVERVIEW_COLUMNS = [
    "period",
    "label",
    "first_day",
    "last_day",
    "deadline",
    "expected",
    "submitted",
    "not_submitted",
    *STATUS_ORDER,
]
_ROW_KEY = [c for c in ACTIVITY_COLUMNS if c != "row"]


def submission_deadline(
    period: Period, cutoff_day: int = 15, grace_days: int = 5, calendar: str = REPORT
) -> date:
    """Last day of `period` under `calendar` + `grace_days` (Q1 2024, 15, 5 -> 19/03/2024 under the
    report calendar, 05/04/2024 under the calendar one)."""
    return period.bounds(calendar, cutoff_day)[1] + timedelta(days=grace_days)


def period_caption(period: Period, calendar: str, cutoff_day: int = 15, grace_days: int = 5) -> str:
    """The period, its definition and its deadline in one line: "Kỳ: Quý IV năm 2024 (theo kỳ chốt số
    liệu báo cáo: 15/09/2024 – 14/12/2024) · hạn nộp 19/12/2024"."""
    first, last = period.bounds(calendar, cutoff_day)
    deadline = submission_deadline(period, cutoff_day, grace_days, calendar)
    return (
        f"Kỳ: {period.label} ({_DEFINITIONS[calendar]}: {fmt_date(first)} – {fmt_date(last)}) · "
        f"hạn nộp {fmt_date(deadline)}"
    )


def versions_table(history: Sequence[Any]) -> pd.DataFrame:
    """store.Version objects (oldest first) -> VERSION_COLUMNS, one row per version."""
    rows = [
        {
            "version": int(v.number),
            "created_at": v.created_at,
            "user": v.user,
            "kind": v.kind,
            "unit_code": v.unit_code,
            "previous": v.previous,
            "rollback_of": v.rollback_of,
        }
        for v in history
    ]
    frame = pd.DataFrame(rows, columns=VERSION_COLUMNS)
    frame["previous"] = frame["previous"].astype("Int64")
    frame["rollback_of"] = frame["rollback_of"].astype("Int64")
    return frame


def lineage(versions: pd.DataFrame, current: int | None = None) -> set[int]:
    """The versions whose content the current one (`current`, default the highest) carries: the
    current version, its previous, and so on; a rollback continues with the version it restored (a
    rollback without `rollback_of` with its previous). Empty without versions."""
    if versions.empty:
        return set()
    rows = {int(r.version): r for r in versions.itertuples(index=False)}
    number: int | None = int(versions["version"].max()) if current is None else int(current)
    seen: set[int] = set()
    while number is not None and number in rows and number not in seen:
        seen.add(number)
        row = rows[number]
        restored = row.rollback_of
        step = restored if row.kind == "rollback" and not pd.isna(restored) else row.previous
        number = None if pd.isna(step) else int(step)
    return seen


def activity_keys(activities: pd.DataFrame) -> pd.DataFrame:
    """Workbook activity rows -> KEY_COLUMNS: unit_code, date (datetime64) and a uint64 hash of the
    whole row without its Excel row number (equal rows in two versions get equal keys)."""
    dates = pd.to_datetime(activities["date"]).dt.normalize()
    parts = {"date": dates.astype("int64").astype("string")}
    for column in _ROW_KEY:
        if column != "date" and column in activities.columns:
            parts[column] = activities[column].astype("string").fillna("")
    keys = pd.util.hash_pandas_object(pd.DataFrame(parts), index=False).to_numpy()
    return pd.DataFrame(
        {
            "unit_code": activities["unit_code"].astype("string").to_numpy(),
            "date": dates.to_numpy(),
            "key": keys,
        }
    )


def _counts(keys: pd.DataFrame | None, first: date, last: date) -> pd.Series:
    """Number of rows per (unit_code, key) dated within [first, last]."""
    if keys is None or keys.empty:
        return pd.Series(dtype="int64", index=pd.MultiIndex.from_arrays([[], []], names=["unit_code", "key"]))
    day = pd.to_datetime(keys["date"]).dt.normalize()
    inside = keys[(day >= pd.Timestamp(first)) & (day <= pd.Timestamp(last))]
    return inside.groupby(["unit_code", "key"]).size()


def submission_events(
    versions: pd.DataFrame,
    keys: Mapping[int, pd.DataFrame],
    first: date,
    last: date,
    *,
    removals: bool = False,
) -> pd.DataFrame:
    """Submission events for the dates [first, last] (rules at the top of this module).

    `versions`: VERSION_COLUMNS (versions_table); `keys`: version number -> activity_keys of that
    version's workbook. A version whose keys (or whose previous version's keys) are not given is
    skipped. With `removals` a "replace" also gives an event for a unit whose rows it only removed
    (every change of a unit's rows, not only submissions). Returns EVENT_COLUMNS, ordered by version
    then unit_code.
    """
    records: list[dict[str, Any]] = []
    for v in versions.sort_values("version").itertuples(index=False):
        if v.kind == "rollback" or v.version not in keys:
            continue
        previous = None if pd.isna(v.previous) else int(v.previous)
        if previous is not None and previous not in keys:
            continue
        now = _counts(keys[v.version], first, last)
        before = _counts(keys.get(previous) if previous is not None else None, first, last)
        both = pd.concat([now.rename("now"), before.rename("before")], axis=1).fillna(0)
        diff = both["now"] - both["before"]
        per_unit = pd.DataFrame(
            {"added": diff.clip(lower=0), "removed": (-diff).clip(lower=0)}, index=both.index
        )
        per_unit = per_unit.groupby(level="unit_code").sum()
        if v.kind == "unit":
            code = str(v.unit_code or "").upper()
            per_unit = per_unit.loc[per_unit.index == code]
            per_unit = per_unit[(per_unit["added"] > 0) | (per_unit["removed"] > 0)]
        elif removals or v.kind == "batch":  # a batch (batch.py) changes only the rows of its units
            per_unit = per_unit[(per_unit["added"] > 0) | (per_unit["removed"] > 0)]
        else:
            per_unit = per_unit[per_unit["added"] > 0]
        for unit, row in per_unit.sort_index().iterrows():
            records.append(
                {
                    "unit_code": str(unit),
                    "version": int(v.version),
                    "created_at": v.created_at,
                    "user": v.user,
                    "kind": v.kind,
                    "rows_added": int(row["added"]),
                    "rows_removed": int(row["removed"]),
                }
            )
    return pd.DataFrame(records, columns=EVENT_COLUMNS)


def _local_date(value: Any) -> date:
    stamp = value if isinstance(value, datetime) else pd.Timestamp(value).to_pydatetime()
    return stamp.date()


def reporting_status(
    units: pd.DataFrame,
    events: pd.DataFrame,
    deadline: date,
    today: date,
    first_version: int | None = 1,
    *,
    kept: set[int] | None = None,
    dropped: set[str] | None = None,
) -> pd.DataFrame:
    """One row per unit of `units` (their order): STATUS_COLUMNS.

    Only events of the versions in `kept` (the current version's lineage; None: every event) count,
    and none of the units in `dropped` (whose rows someone else removed from the current version).
    submitted_at/version/user come from the unit's earliest counted event (NaN/None without one);
    days_late = days after the deadline (0 when on time, <NA> without a submission or for
    "baseline"); submissions = number of counted events; a unit with events of which none counts is
    "resubmit". `first_version` is the store's first version number.
    """
    counted = events
    if kept is not None and not counted.empty:
        counted = counted[counted["version"].isin(kept)]
    if dropped and not counted.empty:
        counted = counted[~counted["unit_code"].isin(dropped)]
    first_events = (
        counted.sort_values(["version"], kind="stable").drop_duplicates("unit_code")
        if not counted.empty
        else counted
    )
    by_unit = {r.unit_code: r for r in first_events.itertuples(index=False)}
    counts = counted["unit_code"].value_counts().to_dict() if not counted.empty else {}
    sent = set(events["unit_code"]) if not events.empty else set()
    rows = []
    for unit in units.itertuples(index=False):
        event = by_unit.get(unit.unit_code)
        row: dict[str, Any] = {
            "unit_code": unit.unit_code,
            "unit_name": getattr(unit, "unit_name", unit.unit_code),
            "unit_type": getattr(unit, "unit_type", None),
            "submitted_at": None,
            "version": pd.NA,
            "user": None,
            "days_late": pd.NA,
            "submissions": int(counts.get(unit.unit_code, 0)),
        }
        if event is None:
            if unit.unit_code in sent:
                row["status"] = "resubmit"
            else:
                row["status"] = "missing" if today > deadline else "not_due"
        else:
            day = _local_date(event.created_at)
            late = (day - deadline).days
            row.update(submitted_at=event.created_at, version=int(event.version), user=event.user)
            if late <= 0:
                row.update(status="on_time", days_late=0)
            elif first_version is not None and int(event.version) == first_version:
                row["status"] = "baseline"
            else:
                row.update(status="late", days_late=late)
        row["status_label"] = STATUS_LABELS[row["status"]]
        rows.append(row)
    frame = pd.DataFrame(rows, columns=STATUS_COLUMNS)
    frame["version"] = frame["version"].astype("Int64")
    frame["days_late"] = frame["days_late"].astype("Int64")
    frame["submissions"] = frame["submissions"].astype("int64")
    return frame


def units_in_range(units: pd.DataFrame, first: date, last: date) -> pd.DataFrame:
    """Units whose validity [valid_from, valid_to] (NaT = open) overlaps [first, last]; fresh index."""
    start = pd.to_datetime(units["valid_from"]) if "valid_from" in units else None
    end = pd.to_datetime(units["valid_to"]) if "valid_to" in units else None
    keep = np.ones(len(units), dtype=bool)
    if start is not None:
        keep &= (start.isna() | (start <= pd.Timestamp(last))).to_numpy()
    if end is not None:
        keep &= (end.isna() | (end >= pd.Timestamp(first))).to_numpy()
    return units.loc[keep].reset_index(drop=True)


def period_status(
    units: pd.DataFrame,
    versions: pd.DataFrame,
    keys: Mapping[int, pd.DataFrame],
    period: Period,
    *,
    cutoff_day: int = 15,
    grace_days: int = 5,
    today: date,
    calendar: str = REPORT,
    current: int | None = None,
) -> pd.DataFrame:
    """reporting_status for `period` under `calendar`: the units (workbook units table) existing in its
    bounds, events from the store versions, counted when the current version (`current`, default the
    highest; later versions are left out) still holds them, deadline per submission_deadline.
    STATUS_COLUMNS."""
    if current is not None and current not in set(versions["version"]):
        current = None  # not among the versions given: the highest of them is current
    if current is not None:  # the store as it was when `current` was published
        versions = versions[versions["version"] <= current]
    first, last = period.bounds(calendar, cutoff_day)
    expected = units_in_range(units, first, last)
    changes = submission_events(versions, keys, first, last, removals=True)
    events = changes[(changes["kind"] == "unit") | (changes["rows_added"] > 0)]
    first_version = int(versions["version"].min()) if len(versions) else None
    deadline = submission_deadline(period, cutoff_day, grace_days, calendar)
    kept = lineage(versions, current) if len(versions) else None
    dropped = _dropped(versions, keys, changes, first, last, kept, current)
    return reporting_status(expected, events, deadline, today, first_version, kept=kept, dropped=dropped)


def _dropped(
    versions: pd.DataFrame,
    keys: Mapping[int, pd.DataFrame],
    changes: pd.DataFrame,
    first: date,
    last: date,
    kept: set[int] | None,
    current: int | None,
) -> set[str] | None:
    """Units without rows in [first, last] in the current version whose last change there (`changes`:
    submission_events with removals, taken in the lineage `kept`) was not their own submission: what
    they sent is no longer in the data. None when the current version's keys are not known."""
    now = current if current is not None else (int(versions["version"].max()) if len(versions) else None)
    if now is None or now not in keys or not kept:
        return None
    present = set(_counts(keys[now], first, last).index.get_level_values("unit_code").unique())
    changes = changes[changes["version"].isin(kept)].sort_values("version", kind="stable")
    last_change = changes.groupby("unit_code")["kind"].last()
    return {str(u) for u, kind in last_change.items() if u not in present and kind != "unit"}


def status_counts(status: pd.DataFrame) -> dict[str, int]:
    """{"expected": n units, "submitted": on_time + late + baseline, "not_submitted": resubmit +
    not_due + missing, and one count per STATUS_ORDER}."""
    counts = {code: int((status["status"] == code).sum()) for code in STATUS_ORDER}
    return {
        "expected": len(status),
        "submitted": sum(counts[c] for c in SUBMITTED),
        "not_submitted": sum(counts[c] for c in NOT_SUBMITTED),
        **counts,
    }


def not_submitted(status: pd.DataFrame) -> pd.DataFrame:
    """The rows of `status` whose unit has not (or no longer) submitted: resubmit, missing, not_due."""
    return status[status["status"].isin(NOT_SUBMITTED)].reset_index(drop=True)


def year_overview(
    units: pd.DataFrame,
    versions: pd.DataFrame,
    keys: Mapping[int, pd.DataFrame],
    year: int,
    *,
    cutoff_day: int = 15,
    grace_days: int = 5,
    today: date,
    kinds: Sequence[str] = ("Q1", "Q2", "Q3", "Q4"),
    calendar: str = REPORT,
    current: int | None = None,
) -> pd.DataFrame:
    """One row per period of `year` (`kinds`): OVERVIEW_COLUMNS (period name, Vietnamese label,
    bounds under `calendar`, deadline, units expected, submitted, not submitted, and the count of
    every status)."""
    rows = []
    for kind in kinds:
        period = Period(year, kind)
        status = period_status(
            units,
            versions,
            keys,
            period,
            cutoff_day=cutoff_day,
            grace_days=grace_days,
            today=today,
            calendar=calendar,
            current=current,
        )
        first, last = period.bounds(calendar, cutoff_day)
        rows.append(
            {
                "period": period.name,
                "label": period.label,
                "first_day": first,
                "last_day": last,
                "deadline": submission_deadline(period, cutoff_day, grace_days, calendar),
                **status_counts(status),
            }
        )
    return pd.DataFrame(rows, columns=OVERVIEW_COLUMNS)
