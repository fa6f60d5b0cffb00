"""What a unit's submission does to its rows: matching file rows to current rows, added/updated/removed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

from cchc_lib.common.labels import QUARTER_LABELS
from cchc_lib.common.periods import CALENDAR, Period, assign_quarters
from cchc_lib.common.text import clean_text
from cchc_lib.figures.metrics import plan_vs_actual, rollup
from cchc_lib.figures.reporting import submission_deadline
from cchc_lib.publishing.submission_labels import ADD, CORRECT
from cchc_lib.reading.model import Workbook, activity_keys

__all__ = [
    "COMPLETION_COLUMNS",
    "HISTORY_COLUMNS",
    "MODES",
    "SubmissionPlan",
    "completion_effect",
    "match_rows",
    "match_text",
    "plan_submission",
    "submission_history",
    "submission_period",
    "submission_timeliness",
]

MODES = (ADD, CORRECT)
COMPLETION_COLUMNS = ["year", "label", "before_pct", "after_pct"]
HISTORY_COLUMNS = ["version", "created_at", "user", "file_name", "rows"]


def match_text(value: Any) -> str | None:
    """The form a title or link is matched in: NFC, invisible characters dropped, spaces collapsed, case
    folded ("  Tin  BÀI\u00a0" -> "tin bài"); None for a blank (a blank never matches)."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    text = clean_text(value).casefold()
    return text or None


def _day(value: Any) -> date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def _keys(frame: pd.DataFrame) -> tuple[list[tuple | None], list[tuple | None]]:
    """Per row: the (date, type, title) key and the (date, type, link) key, None where the text is blank."""
    by_title: list[tuple | None] = []
    by_link: list[tuple | None] = []
    for day, kind, title, link in zip(
        frame["date"], frame["type_code"], frame["title"], frame["link"], strict=True
    ):
        base = (_day(day), match_text(kind))
        title_key, link_key = match_text(title), match_text(link)
        by_title.append((*base, title_key) if title_key and base[0] else None)
        by_link.append((*base, link_key) if link_key and base[0] else None)
    return by_title, by_link


def match_rows(current: pd.DataFrame, submitted: pd.DataFrame) -> list[int | None]:
    """For each submitted row (in order), the position in `current` of the row it updates, or None.

    A submitted row matches a current row with the same date and activity type and the same title, or
    else the same link (texts compared by `match_text`; blank titles and links never match). Each current
    row is matched at most once: the first unmatched one in `current` order."""
    free_title: dict[tuple, list[int]] = {}
    free_link: dict[tuple, list[int]] = {}
    cur_title, cur_link = _keys(current)
    for position, (t_key, l_key) in enumerate(zip(cur_title, cur_link, strict=True)):
        if t_key is not None:
            free_title.setdefault(t_key, []).append(position)
        if l_key is not None:
            free_link.setdefault(l_key, []).append(position)
    used: set[int] = set()

    def take(index: dict[tuple, list[int]], key: tuple | None) -> int | None:
        if key is None:
            return None
        for position in index.get(key, []):
            if position not in used:
                used.add(position)
                return position
        return None

    sub_title, sub_link = _keys(submitted)
    matches: list[int | None] = []
    for t_key, l_key in zip(sub_title, sub_link, strict=True):
        found = take(free_title, t_key)
        matches.append(found if found is not None else take(free_link, l_key))
    return matches


@dataclass
class SubmissionPlan:
    """What a unit submission does. Frames hold activity rows (model.ACTIVITY_COLUMNS); `row` is the row of
    the uploaded file for `added`/`updated`/`insert`, of the current data for `removed`."""

    mode: str  # "add" | "correct"
    added: pd.DataFrame  # file rows matching no current row
    updated: pd.DataFrame  # file rows that change the current row they match
    unchanged: int  # file rows equal to the current row they match
    removed: pd.DataFrame  # current rows taken out and not replaced (mode "correct" only)
    drop: pd.Series  # boolean mask over the current activities: rows taken out of the sheet
    insert: pd.DataFrame  # file rows written into the sheet
    span: tuple[date, date] | None  # first..last date of the file rows (None: no rows)

    @property
    def changes_nothing(self) -> bool:
        return self.added.empty and self.updated.empty and self.removed.empty


def _span(rows: pd.DataFrame) -> tuple[date, date] | None:
    days = pd.to_datetime(rows["date"]).dropna()
    return (days.min().date(), days.max().date()) if len(days) else None


def plan_submission(
    current: pd.DataFrame,
    submitted: pd.DataFrame,
    unit_code: str,
    mode: str,
    date_range: tuple[date, date] | None = None,
) -> SubmissionPlan:
    """The plan of a submission of `unit_code`'s rows `submitted` against the `current` activities.

    mode "add": every current row of the unit can be matched (match_rows); a match that differs is updated
    (its current row dropped, the file row written), an equal one left alone, an unmatched file row added;
    nothing is removed. mode "correct": the unit's current rows dated within `date_range` (default: the
    file's span) are all dropped and every file row written; those no file row matches are `removed`.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    span = _span(submitted)
    days = pd.to_datetime(current["date"]).dt.date
    pool = current["unit_code"] == unit_code
    if mode == CORRECT:
        date_range = date_range or span
        if date_range is None:
            pool = pool & False
        else:
            pool = pool & (days >= date_range[0]) & (days <= date_range[1])
    candidates = current[pool]
    matches = match_rows(candidates, submitted)
    cur_keys = activity_keys(candidates)
    sub_keys = activity_keys(submitted)
    added_at, updated_at, matched = [], [], set()
    unchanged = 0
    for position, found in enumerate(matches):
        if found is None:
            added_at.append(position)
            continue
        matched.add(found)
        if cur_keys[found] == sub_keys[position]:
            unchanged += 1
        else:
            updated_at.append((position, found))
    added = submitted.iloc[added_at]
    updated = submitted.iloc[[p for p, _ in updated_at]]
    if mode == CORRECT:
        drop = pool.copy()
        removed = candidates.iloc[[p for p in range(len(candidates)) if p not in matched]]
        insert = submitted
    else:
        drop = pd.Series(False, index=current.index)
        drop.loc[candidates.index[[f for _, f in updated_at]]] = True
        removed = candidates.iloc[[]]
        insert = submitted.iloc[sorted(added_at + [p for p, _ in updated_at])]
    return SubmissionPlan(mode, added, updated, unchanged, removed, drop.astype(bool), insert, span)


def _unit_pct(book: Workbook, unit_code: str, period: Period, calendar: str, cutoff_day: int) -> float | None:
    pva = plan_vs_actual(book, period, calendar, cutoff_day)
    pva = pva[pva["unit_code"] == unit_code]
    if pva.empty:
        return None
    pct = float(rollup(pva)["completion_pct"].iloc[0])
    return None if pd.isna(pct) else pct


def completion_effect(
    before: Workbook,
    after: Workbook,
    unit_code: str,
    removed: pd.DataFrame,
    calendar: str = CALENDAR,
    cutoff_day: int = 15,
) -> pd.DataFrame:
    """COMPLETION_COLUMNS: for every year holding a removed row (under `calendar`), the unit's completion
    (all activity types, metrics.plan_vs_actual) before and after the submission (None: no plan)."""
    if removed.empty:
        return pd.DataFrame(columns=COMPLETION_COLUMNS)
    years = sorted({int(y) for y in assign_quarters(removed["date"], calendar, cutoff_day)["year"].dropna()})
    rows = []
    for year in years:
        period = Period(year, "")
        rows.append(
            {
                "year": year,
                "label": f"năm {year}",
                "before_pct": _unit_pct(before, unit_code, period, calendar, cutoff_day),
                "after_pct": _unit_pct(after, unit_code, period, calendar, cutoff_day),
            }
        )
    return pd.DataFrame(rows, columns=COMPLETION_COLUMNS)


def submission_period(span: tuple[date, date], calendar: str = CALENDAR, cutoff_day: int = 15) -> Period:
    """The quarter a submission reports: the one (under `calendar`) holding the last date of its rows."""
    quarter = assign_quarters(pd.Series([pd.Timestamp(span[1])]), calendar, cutoff_day).iloc[0]
    return Period(int(quarter["year"]), f"Q{int(quarter['quarter'])}")


def submission_timeliness(
    period: Period,
    submitted_at: datetime | date,
    calendar: str = CALENDAR,
    cutoff_day: int = 15,
    grace_days: int = 5,
) -> tuple[str, int]:
    """("quý IV/2024", days late: 0 on time) for a submission of `period` made at `submitted_at` (its local
    date against reporting.submission_deadline, as the reporting page counts it)."""
    day = submitted_at.date() if isinstance(submitted_at, datetime) else submitted_at
    deadline = submission_deadline(period, cutoff_day, grace_days, calendar)
    label = f"q{QUARTER_LABELS[period.quarters[0]][1:]}/{period.year}"
    return label, max((day - deadline).days, 0)


def submission_history(history: list[Any], unit_code: str) -> pd.DataFrame:
    """HISTORY_COLUMNS, newest first: the store versions (store.Version, any order) that are `unit_code`'s
    own submissions (kind "unit")."""
    rows = [
        {
            "version": int(v.number),
            "created_at": v.created_at,
            "user": v.user,
            "file_name": v.file_name,
            "rows": v.rows,
        }
        for v in history
        if v.kind == "unit" and str(v.unit_code or "").upper() == unit_code.upper()
    ]
    frame = pd.DataFrame(rows, columns=HISTORY_COLUMNS)
    return frame.sort_values("version", ascending=False, ignore_index=True)
