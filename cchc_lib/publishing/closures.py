"""Closed periods (khóa sổ): which day is closed, and what an update would change in the closed part.

Closed = every day on or before the effective closed date: the standing office's record in the store
when there is one (store_closures.py; a reopening records "nothing closed"), else the `closed_through`
setting. The targets of a year are closed once its last day under the report calendar (14 December with
the cut-off day 15) is closed. Unit accounts may change nothing closed; an admin may, after a warning
listing the closed changes that it confirms (submissions.publish_preview)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

import pandas as pd

from cchc_lib.common.periods import REPORT, quarter_bounds
from cchc_lib.common.settings import Settings
from cchc_lib.publishing.store_base import StoreError
from cchc_lib.reading.model import Workbook, activity_keys
from cchc_lib.reading.schema import ACTIVITIES, TARGETS

__all__ = [
    "CLOSED_CHANGE_COLUMNS",
    "closed_message",
    "closed_changes",
    "effective_closed_through",
    "parse_day",
    "setting_closed_through",
    "unit_closed_changes",
    "unit_closed_problems",
    "year_closed",
]

# One row per closed activity row or target an update adds, removes or changes.
CLOSED_CHANGE_COLUMNS = ["sheet", "row", "change", "date", "unit_code", "type_code", "description"]
ADDED, REMOVED, CHANGED = "thêm", "bỏ", "sửa"
_LISTED = 200  # closed rows named one by one; the rest are counted in one more line


def closed_message(day: date) -> str:
    """ "Kỳ đến hết ngày 31/12/2024 đã khóa sổ; liên hệ … (quản trị viên) để mở lại." """
    return (
        f"Kỳ đến hết ngày {day:%d/%m/%Y} đã khóa sổ; liên hệ Văn phòng thường trực CCHC (quản trị viên) "
        "để mở lại."
    )


def parse_day(value: object) -> date | None:
    """A date, `dd/mm/yyyy` or `yyyy-mm-dd` -> date; "" / None -> None; ValueError otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    for form in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise ValueError(text)


def setting_closed_through(settings: Settings) -> date | None:
    """The `closed_through` setting as a date (None: empty). A value that is not a date closes nothing
    silently: StoreError "bad_setting", so that nothing is published until the setting is corrected."""
    try:
        return parse_day(settings.closed_through)
    except ValueError:
        raise StoreError(
            "bad_setting",
            f"Cài đặt closed_through = '{settings.closed_through}' không phải là ngày. Hãy báo quản trị viên "
            "sửa tệp cài đặt (dạng dd/mm/yyyy, ví dụ 31/12/2024; để trống nếu không khóa sổ).",
        ) from None


def effective_closed_through(store: Any, settings: Settings) -> date | None:
    """The last closed day: the store's closure record if any (None after a reopening), else the setting."""
    return store.closed_through(setting_closed_through(settings))


def year_closed(year: int, closed: date | None, settings: Settings) -> bool:
    """Whether the targets of `year` are closed: its last day under the report calendar is closed."""
    if closed is None:
        return False
    return closed >= quarter_bounds(int(year), 4, REPORT, settings.cutoff_day)[1]


def _day(value: object) -> str:
    return f"{pd.Timestamp(value):%d/%m/%Y}"


def _activity_rows(frame: pd.DataFrame, closed: date) -> pd.DataFrame:
    return frame[pd.to_datetime(frame["date"]) <= pd.Timestamp(closed)]


def _diff(old: pd.DataFrame, new: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows of `new` not in `old`, rows of `old` not in `new`), compared as multisets of their content."""
    old_keys, new_keys = activity_keys(old), activity_keys(new)
    surplus_new = Counter(new_keys) - Counter(old_keys)
    surplus_old = Counter(old_keys) - Counter(new_keys)

    def pick(frame: pd.DataFrame, keys: list[tuple], surplus: Counter) -> pd.DataFrame:
        chosen = []
        for position, key in enumerate(keys):
            if surplus[key] > 0:
                surplus[key] -= 1
                chosen.append(position)
        return frame.iloc[chosen]

    return pick(new, new_keys, surplus_new), pick(old, old_keys, surplus_old)


def _describe(record: Any) -> str:
    title = f", '{str(record.title)[:60]}'" if isinstance(record.title, str) and record.title else ""
    return (
        f"{_day(record.date)}, {record.unit_code}, {record.type_code}, số lượng {int(record.quantity)}{title}"
    )


def _activity_changes(added: pd.DataFrame, removed: pd.DataFrame, current_sheet: str) -> list[dict]:
    out = []
    for change, frame, sheet in ((ADDED, added, ACTIVITIES.name), (REMOVED, removed, current_sheet)):
        for record in frame.sort_values(["date", "row"], kind="stable").itertuples(index=False):
            out.append(
                {
                    "sheet": sheet,
                    "row": int(record.row),
                    "change": change,
                    "date": pd.Timestamp(record.date).date(),
                    "unit_code": record.unit_code,
                    "type_code": record.type_code,
                    "description": _describe(record),
                }
            )
    return out


def _frame(records: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=CLOSED_CHANGE_COLUMNS)
    frame["row"] = frame["row"].astype("Int64")
    return frame


_CURRENT = f"{ACTIVITIES.name} (dữ liệu hiện hành)"


def closed_changes(
    before: Workbook | None, after: Workbook, closed: date | None, settings: Settings
) -> pd.DataFrame:
    """What replacing the workbook `before` (None: nothing published) by `after` changes in the closed part:
    activity rows dated on or before `closed` added (row of the new file) or removed (row of the current
    data), and targets of closed years added, removed or changed. Empty when nothing is closed."""
    if closed is None or before is None:
        return _frame([])
    added, removed = _diff(
        _activity_rows(before.activities, closed), _activity_rows(after.activities, closed)
    )
    records = _activity_changes(added, removed, _CURRENT)
    records += _target_changes(before.targets, after.targets, closed, settings)
    return _frame(records)


def _target_changes(old: pd.DataFrame, new: pd.DataFrame, closed: date, settings: Settings) -> list[dict]:
    def table(frame: pd.DataFrame) -> dict[tuple, int]:
        out = {}
        for record in frame.itertuples(index=False):
            if year_closed(record.year, closed, settings):
                quarter = None if pd.isna(record.quarter) else int(record.quarter)
                out[(int(record.year), quarter, record.unit_code, record.type_code)] = int(record.target)
        return out

    before, after = table(old), table(new)
    records = []
    for key in sorted(before.keys() | after.keys(), key=lambda k: (k[0], k[1] or 0, k[2], k[3])):
        year, quarter, unit, kind = key
        was, now = before.get(key), after.get(key)
        if was == now:
            continue
        change = ADDED if was is None else REMOVED if now is None else CHANGED
        when = f"năm {year}" + (f", quý {quarter}" if quarter else "")
        shown = {ADDED: f"thêm {now}", REMOVED: f"bỏ {was}", CHANGED: f"{was} → {now}"}[change]
        records.append(
            {
                "sheet": TARGETS.name,
                "row": None,
                "change": change,
                "date": None,
                "unit_code": unit,
                "type_code": kind,
                "description": f"Chỉ tiêu {kind} của {unit}, {when}: {shown}",
            }
        )
    return records


def unit_closed_changes(
    before: Workbook,
    submitted: pd.DataFrame,
    unit_code: str,
    date_range: tuple[date, date],
    closed: date | None,
    replaced: pd.Series | None = None,
) -> pd.DataFrame:
    """What a unit's submission (its rows replace the unit's rows dated within `date_range`, or the current
    rows of the boolean mask `replaced` when given) changes in the closed part: submitted rows dated on or
    before `closed` that are not there now (row of the file), and the unit's current rows there that the
    submission would drop (row of the current data)."""
    if closed is None or (replaced is None and date_range[0] > closed):
        return _frame([])
    old = before.activities
    days = pd.to_datetime(old["date"])
    if replaced is None:
        first, last = (pd.Timestamp(day) for day in date_range)
        replaced = (old["unit_code"] == unit_code) & (days >= first) & (days <= last)
    replaced_rows = old[replaced & (days <= pd.Timestamp(closed))]
    added, removed = _diff(replaced_rows, _activity_rows(submitted, closed))
    return _frame(_activity_changes(added, removed, _CURRENT))


def unit_closed_problems(changes: pd.DataFrame, closed: date) -> list[tuple[Any, ...]]:
    """The errors that refuse a unit account's submission touching the closed part: one per submitted row
    (at most 200, then one count), one naming the current rows it would drop."""
    problems: list[tuple[Any, ...]] = []
    reason = closed_message(closed)
    added = changes[changes["change"] == ADDED]
    for record in added.head(_LISTED).itertuples(index=False):
        problems.append(
            (
                "error",
                "closed_period",
                ACTIVITIES.name,
                int(record.row),
                "Ngày",
                f"Dòng {record.row} có ngày {record.date:%d/%m/%Y}, thuộc kỳ đã khóa sổ: tài khoản đơn vị không "
                f"được thêm hay sửa hoạt động của kỳ này. {reason}",
            )
        )
    if len(added) > _LISTED:
        problems.append(
            (
                "error",
                "closed_period",
                ACTIVITIES.name,
                None,
                "Ngày",
                f"Còn {len(added) - _LISTED} dòng khác của tệp thuộc kỳ đã khóa sổ. {reason}",
            )
        )
    removed = changes[changes["change"] == REMOVED]
    if len(removed):
        shown = "; ".join(f"dòng {r.row}: {r.description}" for r in removed.head(10).itertuples(index=False))
        more = f"; … và {len(removed) - 10} dòng khác" if len(removed) > 10 else ""
        problems.append(
            (
                "error",
                "closed_period",
                ACTIVITIES.name,
                None,
                "Ngày",
                f"Việc nộp này sẽ bỏ {len(removed)} dòng hiện có của đơn vị trong kỳ đã khóa sổ ({shown}{more}). "
                f"Hãy giữ nguyên các dòng đó trong tệp nộp, hoặc chọn khoảng ngày cần thay bắt đầu sau ngày "
                f"{closed:%d/%m/%Y}. {reason}",
            )
        )
    return problems
