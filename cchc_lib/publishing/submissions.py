"""Preparing an update from an upload (safe read, checks, merge, change preview) and publishing it."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from cchc_lib.access.accounts import Account
from cchc_lib.common.periods import CALENDAR
from cchc_lib.common.settings import Settings
from cchc_lib.common.text import match_key
from cchc_lib.publishing import snapshots
from cchc_lib.publishing.closures import (
    CLOSED_CHANGE_COLUMNS,
    closed_changes,
    setting_closed_through,
    unit_closed_changes,
    unit_closed_problems,
)
from cchc_lib.publishing.published import cached_tables
from cchc_lib.publishing.store import CACHE_DIR, ClosureCheck, Store, StoreError, Version
from cchc_lib.publishing.submission_labels import ADD, ADD_NOTE, CORRECT, NO_ROWS_TO_ADD, REMOVALS_UNCONFIRMED
from cchc_lib.publishing.submission_plan import MODES, SubmissionPlan, completion_effect, plan_submission
from cchc_lib.reading.model import ACTIVITY_COLUMNS, PROBLEM_COLUMNS, HasProblems, ReadResult, Workbook
from cchc_lib.reading.schema import ACTIVITIES, HEADER_SEARCH_ROWS

__all__ = ["CHANGE_COLUMNS", "Preview", "Reader", "prepare_update", "publish_preview"]

Reader = Callable[[bytes, Settings], ReadResult]
# Merges a unit's rows into the current workbook: (current bytes, before, rows, unit, date range, settings,
# replaced=mask) -> (merged bytes, what they read as); merge_job.merge_and_read, here or in the worker.
# `proven`: every other unit's rows are known to read as before (merge_job.placed_tables).
Merger = Callable[..., tuple[bytes, ReadResult, bool]]

# One row per unit × activity type whose activities change.
CHANGE_COLUMNS = [
    "unit_code",
    "unit_name",
    "type_code",
    "type_name",
    "rows_before",
    "rows_after",
    "rows_added",
    "rows_removed",
    "actual_before",
    "actual_after",
]
_DATE_FORMAT = "DD/MM/YYYY"
# A published version that cannot be read or opened any more (e.g. published before a check existed).
CURRENT_UNREADABLE = "Không đọc được dữ liệu hiện hành đã công bố nên chưa ghép được số liệu nộp."
ASK_ADMIN = (
    "Hãy báo quản trị viên (văn phòng thường trực) công bố lại tệp theo dõi đã mở và lưu bằng Excel; "
    "sau đó tải tệp của đơn vị lên lại."
)


@dataclass
class Preview(HasProblems):
    """What publishing would do. Nothing is written until `publish_preview`."""

    kind: str  # "replace" | "unit"
    file_name: str
    user: str
    unit_code: str | None
    base_version: int | None  # the current version the preview was computed on (None: store empty)
    upload_sha256: str
    problems: pd.DataFrame  # PROBLEM_COLUMNS; errors mean nothing can be published
    changes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CHANGE_COLUMNS))
    data: bytes | None = None  # the workbook that would become current (merged for kind "unit")
    rows: int | None = None  # activity rows in `data`
    date_range: tuple[date, date] | None = None  # kind "unit": the range whose rows are replaced
    duplicate: bool = False  # identical to the current version / changes nothing
    notes: list[str] = field(default_factory=list)  # Vietnamese remarks for the screen
    # Closed periods (closures.py): the last closed day when the preview was made (None: nothing closed),
    # the `closed_through` setting it was computed with, and what publishing would change in the closed
    # part; an admin publishes such changes only after confirming them (publish_preview).
    closed_through: date | None = None
    closed_setting: date | None = None
    closed_changes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CLOSED_CHANGE_COLUMNS))
    # kind "unit": the mode ("add" adds and updates, "correct" replaces a range), what it does to the
    # unit's rows, and (rows removed) the unit's completion per year before/after (COMPLETION_COLUMNS).
    mode: str | None = None
    file_span: tuple[date, date] | None = None  # first..last date of the submitted rows (None: no rows)
    plan: SubmissionPlan | None = None
    completion: pd.DataFrame | None = None

    @property
    def removals(self) -> int:
        """Current rows of the unit the preview removes (they need a confirmation to publish)."""
        return len(self.plan.removed) if self.plan is not None else 0

    # The tables `data` reads as (parsed under the settings whose digest is `tables_context`): written as
    # the version's columnar snapshot when it is published.
    tables: Workbook | None = None
    tables_context: str = ""

    @property
    def publishable(self) -> bool:
        return self.data is not None and self.errors.empty and not self.duplicate


def _default_reader() -> Reader:
    from cchc_lib.reading.sandbox import read_untrusted

    return read_untrusted


def _problems(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
    frame["row"] = frame["row"].astype("Int64")
    return frame


def _concat(*frames: pd.DataFrame) -> pd.DataFrame:
    parts = [f for f in frames if f is not None and len(f)]
    if not parts:
        return _problems([])
    out = pd.concat(parts, ignore_index=True)[PROBLEM_COLUMNS]
    out["row"] = out["row"].astype("Int64")
    return out


def _read(reader: Reader, data: bytes, settings: Settings, *, current: bool) -> ReadResult:
    from cchc_lib.reading.safety import UnsafeFile

    try:
        return reader(data, settings)
    except UnsafeFile as exc:
        if current:
            found = exc.detail or exc.message
            error = StoreError("corrupt", f"{CURRENT_UNREADABLE} {found} {ASK_ADMIN}")
            error.found = found  # type: ignore[attr-defined]
            raise error from exc
        error = StoreError("unreadable", exc.full_message)
        error.detail = exc.code  # type: ignore[attr-defined]
        raise error from exc


def _row_hashes(frame: pd.DataFrame) -> pd.DataFrame:
    """unit_code, type_code and a 64-bit hash of each activity row's fields but `row` (a blank text as
    None, a count as a float, a date as its nanoseconds: two readings of the same activities hash alike;
    no per-cell Python objects, so 200,000 rows cost a few tens of MB)."""
    fields: dict[str, pd.Series] = {}
    for name in (c for c in ACTIVITY_COLUMNS if c != "row"):
        column = frame[name].reset_index(drop=True)
        if pd.api.types.is_datetime64_any_dtype(column):
            fields[name] = pd.Series(column.to_numpy(dtype="datetime64[ns]").view("int64"))
        elif name == "quantity":
            fields[name] = pd.to_numeric(column).astype("float64")
        else:  # text: hashed as it is (None and NaN hash alike, whatever the string dtype)
            fields[name] = column
    hashes = pd.util.hash_pandas_object(pd.DataFrame(fields), index=False).to_numpy()
    return pd.DataFrame(
        {
            "unit": frame["unit_code"].reset_index(drop=True),
            "kind": frame["type_code"].reset_index(drop=True),
            "key": hashes,
            "q": pd.to_numeric(frame["quantity"]).fillna(1).reset_index(drop=True),
        }
    )


def change_table(before: Workbook | None, after: Workbook, only_unit: str | None = None) -> pd.DataFrame:
    """Per unit × activity type: rows before/after, added/removed, actual (sum of quantity) before/after.
    Rows are compared as multisets of their fields (hashed, vectorised: the per-group tuples took 20 s
    of a 200,000-row preview). `only_unit`: compare that unit's rows only (the caller knows every other
    unit's rows are the same on both sides)."""
    empty = pd.DataFrame(columns=ACTIVITY_COLUMNS)
    old_rows, new_rows = (before.activities if before is not None else empty), after.activities
    if only_unit is not None:
        old_rows = old_rows[old_rows["unit_code"] == only_unit]
        new_rows = new_rows[new_rows["unit_code"] == only_unit]
    old = _row_hashes(old_rows)
    new = _row_hashes(new_rows)
    by = ["unit", "kind"]
    keys = pd.concat([old.assign(side=-1), new.assign(side=1)], ignore_index=True)
    per_key = keys.assign(b=(keys["side"] < 0).astype("int64"), a=(keys["side"] > 0).astype("int64"))
    per_key = per_key.groupby([*by, "key"], sort=False)[["b", "a"]].sum()
    diff = per_key["a"] - per_key["b"]
    moved = (
        pd.DataFrame({"added": diff.clip(lower=0), "removed": (-diff).clip(lower=0)})
        .groupby(level=[0, 1], sort=False)
        .sum()
    )
    rows = per_key.groupby(level=[0, 1], sort=False)[["b", "a"]].sum()
    actual_before = old.groupby(by, sort=False)["q"].sum()
    actual_after = new.groupby(by, sort=False)["q"].sum()
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for (unit, kind), entry in moved.iterrows():
        groups[(unit, kind)] = {
            "added": int(entry["added"]),
            "removed": int(entry["removed"]),
            "rows_before": int(rows.at[(unit, kind), "b"]),
            "rows_after": int(rows.at[(unit, kind), "a"]),
            "qb": int(actual_before.get((unit, kind), 0)),
            "qa": int(actual_after.get((unit, kind), 0)),
        }
    names: dict[str, str] = {}
    types: dict[str, str] = {}
    for book in (before, after):
        if book is not None:
            names.update(zip(book.units["unit_code"], book.units["unit_name"], strict=False))
            types.update(
                zip(book.activity_types["type_code"], book.activity_types["type_name"], strict=False)
            )
    records = []
    for (unit, kind), entry in groups.items():
        added, removed = entry["added"], entry["removed"]
        if not added and not removed:
            continue
        records.append(
            {
                "unit_code": unit,
                "unit_name": names.get(unit, unit),
                "type_code": kind,
                "type_name": types.get(kind, kind),
                "rows_before": entry["rows_before"],
                "rows_after": entry["rows_after"],
                "rows_added": added,
                "rows_removed": removed,
                "actual_before": entry["qb"],
                "actual_after": entry["qa"],
            }
        )
    frame = pd.DataFrame(records, columns=CHANGE_COLUMNS)
    return frame.sort_values(["unit_code", "type_code"], ignore_index=True)


def prepare_update(
    store: Store,
    data: bytes,
    *,
    account: Account | None,
    kind: str,
    file_name: str,
    unit_code: str | None = None,
    settings: Settings | None = None,
    date_range: tuple[date, date] | None = None,
    reader: Reader | None = None,
    mode: str = ADD,
    calendar: str = CALENDAR,
) -> Preview:
    """Read the upload safely, check it, and compute what publishing it would change.

    kind "replace": the upload becomes the whole workbook. kind "unit": only the upload's `Hoạt động`
    rows count; they must all belong to `unit_code`. `mode` "add" (the default) adds and updates: each
    file row updates the unit's current row it matches (submission_plan.match_rows) or is added, nothing
    is removed (`date_range` unused). `mode` "correct": the unit's current rows dated within the range
    (`date_range`, default: first..last date submitted) are replaced by them, which may remove rows
    (`Preview.plan.removed`, their effect on completion per year of `calendar` in `Preview.completion`).
    Everything else in the current workbook is kept as it is. Raises StoreError for no permission ("forbidden", logged),
    an unreadable file ("unreadable", `detail` = the safety code) or an empty store for kind "unit".
    """
    settings = settings or Settings()
    read = reader or _default_reader()
    unit_code = unit_code.strip().upper() if unit_code else None
    store.authorize(account, kind, unit_code, file_name=file_name)
    if kind not in ("replace", "unit"):
        raise StoreError("bad_kind", f"Loại cập nhật không hợp lệ: {kind!r}.")
    if mode not in MODES:
        raise StoreError("bad_kind", f"Cách nộp không hợp lệ: {mode!r}.")
    assert account is not None
    current = store.current()
    base = current.number if current else None
    if kind == "unit" and current is None:
        raise StoreError(
            "no_base", "Chưa có dữ liệu chung nào được công bố; đơn vị chưa thể nộp số liệu riêng."
        )
    closed_setting = setting_closed_through(settings)
    closed = store.closed_through(closed_setting)

    def new_preview(problems: pd.DataFrame, preview_mode: str | None = None) -> Preview:
        return Preview(
            kind=kind,
            file_name=file_name,
            user=account.name,
            unit_code=unit_code,
            base_version=base,
            upload_sha256=hashlib.sha256(data).hexdigest(),
            problems=problems,
            closed_through=closed,
            closed_setting=closed_setting,
            mode=preview_mode,
        )

    if kind == "unit" and reader is None and current is not None:
        fast = _submit_in_one_job(
            store, current, new_preview(_problems([]), mode), data, date_range, settings, account, calendar
        )
        if fast is not None:
            return fast
    compared = None
    if kind == "replace" and reader is None and current is not None:
        compared = _compare_in_one_job(store, current, data, settings, closed)
    if compared is not None:
        upload, changes, closed_rows = compared
    else:
        upload, changes, closed_rows = _read(read, bytes(data), settings, current=False), None, None
    preview = new_preview(_concat(upload.problems))
    if not upload.ok or upload.workbook is None:
        return preview
    if changes is not None:  # compared with the current version in the worker
        return _as_replacement(preview, data, upload.workbook, changes, closed_rows, current, settings)
    before: Workbook | None = None
    current_bytes = b""
    if current is not None:
        current_bytes = store.read_bytes(current.number)  # checked against its sha256
        try:
            before = cached_tables(current_bytes, settings, store.root / CACHE_DIR)
            if before is None:
                before = _read(read, current_bytes, settings, current=True).workbook
        except StoreError as exc:
            if kind != "replace":
                raise
            # Replacing is how an unreadable version is mended: compared with no data at all.
            preview.notes.append(
                f"Không đọc được dữ liệu hiện hành (phiên bản {current.number}): {exc.found} "  # type: ignore[attr-defined]
                "Tệp tải lên sẽ thay thế dữ liệu đó; bảng thay đổi dưới đây so với dữ liệu trống."
            )
    if kind == "replace":
        after = upload.workbook
        changed = change_table(before, after), closed_changes(before, after, closed, settings)
        return _as_replacement(preview, data, after, *changed, current, settings)
    if before is None:
        raise StoreError("corrupt", "Không đọc được dữ liệu hiện hành. Hãy báo quản trị viên.")
    assert unit_code is not None
    preview.mode = mode
    return _prepare_unit(
        preview,
        upload.workbook,
        before,
        current_bytes,
        unit_code,
        date_range,
        _merge_isolated,
        settings,
        account,
        calendar,
    )


def _as_replacement(
    preview: Preview,
    data: bytes,
    after: Workbook,
    changes: pd.DataFrame,
    closed_rows: pd.DataFrame,
    current: Version | None,
    settings: Settings,
) -> Preview:
    """`preview` of replacing the whole workbook by the upload `data` (read as `after` under `settings`),
    with its change table and closed changes against the current version."""
    preview.data = bytes(data)
    preview.tables, preview.tables_context = after, snapshots.settings_context(settings)
    preview.rows = len(after.activities)
    preview.changes = changes
    preview.closed_changes = closed_rows
    preview.duplicate = current is not None and current.sha256 == preview.upload_sha256
    if preview.duplicate:
        preview.notes.append(f"Tệp giống hệt dữ liệu hiện hành (phiên bản {current.number}).")  # type: ignore[union-attr]
    return preview


def _compare_in_one_job(
    store: Store, current: Version, data: bytes, settings: Settings, closed: date | None
) -> tuple | None:
    """(upload ReadResult, change table, closed changes) of a replacement, the upload parsed and compared
    with the current version's snapshot in one worker job (replace_job; the two tables None when the
    worker found no sound snapshot); None when the snapshot is not there or the current version's file
    does not check out (the caller then reads and compares as before: a damaged version is said)."""
    from cchc_lib.publishing.replace_job import compare_isolated

    cache = store.root / CACHE_DIR
    if not snapshots.manifest_path(cache, current.sha256).is_file():
        return None
    try:
        store.read_bytes(current.number)  # checked against its sha256, as the comparison below relies on
    except StoreError:
        return None
    return compare_isolated(
        bytes(data), settings, cache_dir=cache, current_sha256=current.sha256, closed=closed
    )


def _submit_in_one_job(
    store: Store,
    current: Version,
    preview: Preview,
    data: bytes,
    date_range: tuple[date, date] | None,
    settings: Settings,
    account: Account,
    calendar: str,
) -> Preview | None:
    """`preview` (a unit's, no problems yet) completed in one worker job (unit_job: the current version's
    snapshot loaded and checked, the upload parsed, checked, planned, merged and read back) when that
    snapshot is there; None otherwise (the caller reads the current version first)."""
    from cchc_lib.publishing.unit_job import submit_isolated

    cache = store.root / CACHE_DIR
    if not snapshots.manifest_path(cache, current.sha256).is_file():
        return None
    current_bytes = store.read_bytes(current.number)  # checked against its sha256
    job = {
        "cache_dir": str(cache),
        "current_bytes": current_bytes,
        "date_range": date_range,
        "calendar": calendar,
    }
    return submit_isolated(preview, bytes(data), settings, account=account, **job)


def _prepare_unit(
    preview: Preview,
    submitted: Workbook,
    before: Workbook,
    current_bytes: bytes,
    unit_code: str,
    date_range: tuple[date, date] | None,
    merge: Merger,
    settings: Settings,
    account: Account,
    calendar: str,
) -> Preview:
    rows = submitted.activities
    adding = preview.mode == ADD
    if not rows.empty:
        days = pd.to_datetime(rows["date"])
        preview.file_span = (days.min().date(), days.max().date())
    problems: list[tuple[Any, ...]] = []
    sheet = ACTIVITIES.name
    others = rows[rows["unit_code"] != unit_code]
    for record in others.itertuples(index=False):
        problems.append(
            (
                "error",
                "other_unit",
                sheet,
                record.row,
                "Mã đơn vị",
                f"Dòng này thuộc đơn vị {record.unit_code}; bạn chỉ được nộp số liệu của đơn vị {unit_code}. "
                "Hãy xóa dòng này khỏi tệp.",
            )
        )
    if unit_code not in set(before.units["unit_code"]):
        problems.append(
            (
                "error",
                "unknown_unit",
                None,
                None,
                None,
                f"Đơn vị {unit_code} không có trong danh sách đơn vị hiện hành.",
            )
        )
    known_types = set(before.activity_types["type_code"])
    for record in rows[~rows["type_code"].isin(known_types)].itertuples(index=False):
        problems.append(
            (
                "error",
                "unknown_type",
                sheet,
                record.row,
                "Loại hoạt động",
                f"Loại hoạt động {record.type_code} không có trong danh mục hiện hành.",
            )
        )
    if rows.empty and (adding or date_range is None):
        problems.append(
            (
                "error",
                "no_rows",
                sheet,
                None,
                None,
                NO_ROWS_TO_ADD
                if adding
                else "Tệp không có dòng hoạt động nào của đơn vị để nộp. Nếu đơn vị không có hoạt động nào, "
                "hãy chọn khoảng ngày cần thay: các dòng hiện có của đơn vị trong khoảng đó sẽ được bỏ.",
            )
        )
    if adding:
        return _prepare_adding(
            preview, rows, before, current_bytes, unit_code, problems, merge, settings, account
        )
    dates = pd.to_datetime(rows["date"])
    if date_range is None and not rows.empty:
        date_range = (dates.min().date(), dates.max().date())
    if date_range is not None:
        problems.extend(_range_problems(rows, dates, date_range))
        if preview.closed_through is not None and date_range[0] <= date_range[1]:
            touched = unit_closed_changes(before, rows, unit_code, date_range, preview.closed_through)
            if account.is_admin:
                preview.closed_changes = touched
            else:
                problems.extend(unit_closed_problems(touched, preview.closed_through))
    preview.date_range = date_range
    preview.problems = _concat(preview.problems, _problems(problems))
    if not preview.errors.empty or date_range is None:
        return preview
    preview.plan = plan_submission(before.activities, rows, unit_code, CORRECT, date_range)
    merged = merge(current_bytes, before, rows, unit_code, date_range, settings)
    after = _finish(preview, merged, before, settings)
    if after is None:
        return preview
    preview.notes.append(_unit_note(before, rows, unit_code, date_range))
    if preview.removals:
        preview.completion = completion_effect(
            before, after, unit_code, preview.plan.removed, calendar, settings.cutoff_day
        )
    return preview


def _finish(
    preview: Preview, outcome: tuple[bytes, ReadResult, bool], before: Workbook, settings: Settings
) -> Workbook | None:
    """The merged workbook, what it reads as and whether the other units' rows are proven unchanged
    (merge_job.merge_and_read): its problems (the preview then has no data, None returned) or the
    preview's data, rows, changes and duplicate flag (the merged Workbook returned)."""
    merged, after, proven = outcome
    if not after.ok or after.workbook is None:
        extra = after.problems.copy()
        extra["message"] = "Sau khi ghép vào dữ liệu hiện hành: " + extra["message"].astype(str)
        preview.problems = _concat(preview.problems, extra)
        return None
    preview.data = merged
    preview.tables, preview.tables_context = after.workbook, snapshots.settings_context(settings)
    preview.rows = len(after.workbook.activities)
    preview.changes = change_table(before, after.workbook, preview.unit_code if proven else None)
    preview.duplicate = preview.changes.empty
    if preview.duplicate:
        preview.notes.append("Số liệu nộp giống hệt số liệu hiện có của đơn vị; không có gì thay đổi.")
    return after.workbook


def _prepare_adding(
    preview: Preview,
    rows: pd.DataFrame,
    before: Workbook,
    current_bytes: bytes,
    unit_code: str,
    problems: list[tuple[Any, ...]],
    merge: Merger,
    settings: Settings,
    account: Account,
) -> Preview:
    """Mode "add": the file's rows update the unit's rows they match and the others are added."""
    plan = plan_submission(before.activities, rows, unit_code, ADD) if not rows.empty else None
    if plan is not None and preview.closed_through is not None and plan.span is not None:
        touched = unit_closed_changes(
            before, plan.insert, unit_code, plan.span, preview.closed_through, replaced=plan.drop
        )
        if account.is_admin:
            preview.closed_changes = touched
        else:
            problems.extend(unit_closed_problems(touched, preview.closed_through))
    preview.plan = plan
    preview.problems = _concat(preview.problems, _problems(problems))
    if not preview.errors.empty or plan is None:
        return preview
    if plan.insert.empty:  # every row is already there as it is
        preview.data, preview.rows, preview.duplicate = current_bytes, len(before.activities), True
        preview.notes.append("Số liệu nộp giống hệt số liệu hiện có của đơn vị; không có gì thay đổi.")
        return preview
    merged = merge(current_bytes, before, plan.insert, unit_code, plan.span, settings, replaced=plan.drop)
    if _finish(preview, merged, before, settings) is not None:
        preview.notes.append(ADD_NOTE)
    return preview


def _merge_isolated(
    current_bytes: bytes,
    before: Workbook,
    rows: pd.DataFrame,
    unit_code: str,
    date_range: tuple[date, date],
    settings: Settings,
    replaced: pd.Series | None = None,
) -> tuple[bytes, ReadResult, bool]:
    """merge_job.merge_and_read (the merge and what it reads as) run in one worker process (the server's
    interpreter stays free for the others); its refusal raised here as the same StoreError, a worker out
    of memory or time as "unreadable"."""
    from cchc_lib.publishing.merge_job import MERGER, run_merge_job

    options = {
        "before": before, "rows": rows, "unit_code": unit_code, "date_range": date_range, "replaced": replaced,
    }  # fmt: skip
    return run_merge_job(current_bytes, settings, MERGER, options)


def _range_problems(
    rows: pd.DataFrame, dates: pd.Series, date_range: tuple[date, date]
) -> list[tuple[Any, ...]]:
    """Errors for a reversed range and for submitted rows dated outside it (sheet, row, message)."""
    first, last = date_range
    sheet = ACTIVITIES.name
    if first > last:
        return [
            (
                "error",
                "bad_range",
                None,
                None,
                None,
                f"Khoảng ngày cần thay không hợp lệ: ngày bắt đầu {first:%d/%m/%Y} sau ngày kết thúc "
                f"{last:%d/%m/%Y}.",
            )
        ]
    outside = rows[(dates.dt.date < first) | (dates.dt.date > last)]
    return [
        (
            "error",
            "outside_range",
            sheet,
            record.row,
            "Ngày",
            f"Dòng {record.row} của trang {sheet} có ngày {pd.Timestamp(record.date):%d/%m/%Y}, nằm ngoài "
            f"khoảng ngày cần thay {first:%d/%m/%Y}–{last:%d/%m/%Y}. Hãy xóa dòng này khỏi tệp hoặc chọn "
            "khoảng ngày rộng hơn.",
        )
        for record in outside.itertuples(index=False)
    ]


def _replaced(activities: pd.DataFrame, unit_code: str, date_range: tuple[date, date]) -> pd.Series:
    """Mask of the activity rows a unit submission replaces: the unit's rows dated within the range."""
    first, last = date_range
    days = pd.to_datetime(activities["date"]).dt.date
    return (activities["unit_code"] == unit_code) & (days >= first) & (days <= last)


def _unit_note(before: Workbook, rows: pd.DataFrame, unit_code: str, date_range: tuple[date, date]) -> str:
    """What a unit submission replaces, in words: the range, the rows there now, the rows submitted."""
    first, last = date_range
    current = int(_replaced(before.activities, unit_code, date_range).sum())
    span = f"của đơn vị {unit_code} từ {first:%d/%m/%Y} đến {last:%d/%m/%Y}"
    if rows.empty:
        head = (
            f"Tệp nộp không có dòng hoạt động nào: {current} dòng hiện có {span} sẽ bị bỏ "
            "(đơn vị không có hoạt động trong khoảng này)."
        )
    else:
        head = f"{current} dòng hiện có {span} được thay bằng {len(rows)} dòng trong tệp nộp."
    return f"{head} Mọi số liệu khác giữ nguyên; chỉ trang tính Hoạt động của tệp nộp được dùng."


def _header(ws: Any) -> tuple[int, dict[str, int]]:
    """Header row number and field -> column number of the `Hoạt động` sheet."""
    by_key = {match_key(c.header): c.field for c in ACTIVITIES.columns}
    required = {c.field for c in ACTIVITIES.columns if c.required}
    for row in ws.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS):
        found = {}
        for cell in row:
            fieldname = by_key.get(match_key(cell.value)) if isinstance(cell.value, str) else None
            if fieldname and fieldname not in found:
                found[fieldname] = cell.column
        if required <= set(found):
            return row[0].row, found
    raise StoreError("corrupt", "Không tìm thấy dòng tiêu đề của trang Hoạt động trong dữ liệu hiện hành.")


def merge_unit_rows(
    current_bytes: bytes,
    before: Workbook,
    submitted: pd.DataFrame,
    unit_code: str,
    date_range: tuple[date, date],
    replaced: pd.Series | None = None,
) -> bytes:
    """The current workbook with the unit's `Hoạt động` rows in `date_range` replaced by `submitted`.

    `replaced` (a boolean mask over `before.activities`), when given, names the current rows taken out
    instead of the range (a submission that adds and updates: only the rows it updates).

    Edits the current (trusted, published) workbook with openpyxl: other sheets, other rows, styles and
    the title block are kept. The new rows go after the last remaining activity row, sorted by date.
    The `Hoạt động` sheet's XML is rewritten directly when that is safe (sheet_merge: same tables,
    every other part byte for byte, ~25x faster); otherwise the whole workbook goes through openpyxl.
    """
    from openpyxl import load_workbook

    from cchc_lib.publishing.sheet_merge import merge_unit_rows_fast

    fast = merge_unit_rows_fast(current_bytes, before, submitted, unit_code, date_range, replaced)
    if fast is not None:
        return fast

    from cchc_lib.common import cell_text

    try:
        book = load_workbook(io.BytesIO(current_bytes))
    except Exception as exc:  # published before the checks Excel's rules need (safety/opc): say so
        raise StoreError("corrupt", f"{CURRENT_UNREADABLE} Excel không mở được tệp đó. {ASK_ADMIN}") from exc
    names = {match_key(n): n for n in book.sheetnames}
    ws = book[names[match_key(ACTIVITIES.name)]]
    header_row, columns = _header(ws)
    old = before.activities
    drop_mask = replaced if replaced is not None else _replaced(old, unit_code, date_range)
    drop = {int(r) for r in old.loc[drop_mask, "row"]}
    remaining = [int(r) for r in old.loc[~drop_mask, "row"]]
    max_row = max(ws.max_row, header_row)
    insert_after = max(remaining) if remaining else header_row
    start = min([*drop, insert_after + 1])
    max_col = max(ws.max_column, *columns.values())

    # Snapshot the region that moves, then write it back in the new order.
    snapshot: dict[int, list[tuple[Any, Any, Any, str]]] = {}
    for r in range(start, max_row + 1):
        snapshot[r] = [
            (c.value, copy(c._style), c.comment, c.data_type)
            for c in (ws.cell(row=r, column=col) for col in range(1, max_col + 1))
        ]
    template_row = insert_after if insert_after > header_row else None
    template = (
        snapshot.get(template_row)
        if template_row in snapshot
        else (
            [
                (None, copy(ws.cell(row=template_row, column=col)._style), None, "n")
                for col in range(1, max_col + 1)
            ]
            if template_row
            else None
        )
    )
    sequence: list[tuple[str, Any]] = []
    new_rows = submitted.sort_values(["date", "row"], kind="stable")
    inserted = False
    for r in range(start, max_row + 1):
        if r == insert_after + 1:
            sequence.extend(("new", rec) for rec in new_rows.to_dict("records"))
            inserted = True
        if r not in drop:
            sequence.append(("src", r))
    if not inserted:
        sequence.extend(("new", rec) for rec in new_rows.to_dict("records"))
    type_as_code = _types_written_as_codes(ws, columns, old, header_row)
    type_names = dict(
        zip(before.activity_types["type_code"], before.activity_types["type_name"], strict=False)
    )

    target = start
    for item_kind, item in sequence:
        if item_kind == "src":
            for col, (value, style, comment, data_type) in enumerate(snapshot[item], start=1):
                cell = ws.cell(row=target, column=col)
                cell.value = value
                cell._style = copy(style)
                cell.data_type = data_type
                cell.comment = comment
        else:
            for col in range(1, max_col + 1):
                cell = ws.cell(row=target, column=col)
                cell.value = None
                cell.comment = None
                if template is not None:
                    cell._style = copy(template[col - 1][1])
            for fieldname, col in columns.items():
                value = item.get(fieldname)
                if fieldname == "type_code" and not type_as_code:
                    value = type_names.get(value, value)
                cell = cell_text.write(
                    ws, target, col, cell_text.value_of(value)
                )  # a text is never a formula
                if fieldname == "date" and cell.value is not None:
                    cell.number_format = _DATE_FORMAT
        target += 1
    for r in range(target, max_row + 1):
        for col in range(1, max_col + 1):
            cell = ws.cell(row=r, column=col)
            cell.value = None
            cell.comment = None
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _types_written_as_codes(ws: Any, columns: dict[str, int], old: pd.DataFrame, header_row: int) -> bool:
    """Whether the existing rows name activity types by code (else by name)."""
    col = columns["type_code"]
    for record in old.head(20).itertuples(index=False):
        value = ws.cell(row=int(record.row), column=col).value
        if isinstance(value, str) and value.strip():
            return match_key(value) == match_key(record.type_code)
    return True


def _refuse(
    store: Store, preview: Preview, account: Account | None, exc: StoreError, data: bytes | None = None
) -> None:
    """Check permission (a refusal there wins), log the refusal `exc` in the audit log, raise it."""
    store.authorize(account, preview.kind, preview.unit_code, file_name=preview.file_name)
    extra = {"data": data} if data is not None else {}
    store.log_refusal(
        account,
        kind=preview.kind,
        code=exc.code,
        message=exc.message,
        file_name=preview.file_name,
        unit_code=preview.unit_code,
        **extra,
    )
    raise exc


def publish_preview(
    store: Store,
    preview: Preview,
    account: Account | None,
    *,
    confirm_closed: bool = False,
    confirm_removals: bool = False,
) -> Version:
    """Publish a preview made by `prepare_update` (permission, staleness and duplicates checked again).

    A preview that changes the closed part (`preview.closed_changes`, an admin's) is published only with
    `confirm_closed`; a closure made or moved later since the preview refuses it ("closed_changed"). A
    unit submission that removes current rows (`preview.removals`) is published only with
    `confirm_removals` (else refused, "removals_unconfirmed", and nothing changes)."""
    if preview.data is None or not preview.errors.empty:
        _refuse(
            store,
            preview,
            account,
            StoreError(
                "invalid",
                "Tệp còn lỗi nên chưa thể cập nhật. Hãy sửa các lỗi trong danh sách rồi tải lên lại.",
            ),
        )
    if preview.duplicate and preview.kind == "unit":
        _refuse(
            store,
            preview,
            account,
            StoreError(
                "duplicate", "Số liệu nộp giống hệt số liệu hiện có của đơn vị; không có gì để cập nhật."
            ),
            data=preview.data,
        )
    if preview.removals and not confirm_removals:
        _refuse(
            store,
            preview,
            account,
            StoreError("removals_unconfirmed", REMOVALS_UNCONFIRMED.format(n=preview.removals)),
        )
    if len(preview.closed_changes) and not confirm_closed:
        _refuse(
            store,
            preview,
            account,
            StoreError(
                "closed_unconfirmed",
                f"Tệp thay đổi {len(preview.closed_changes)} dòng hoạt động hoặc chỉ tiêu của kỳ đã khóa sổ "
                f"(đến hết ngày {preview.closed_through:%d/%m/%Y}). Hãy xem danh sách, đánh dấu xác nhận thay "
                "đổi kỳ đã khóa sổ rồi cập nhật lại.",
            ),
        )
    return store.publish(
        preview.data,
        account=account,
        kind=preview.kind,
        file_name=preview.file_name,
        base_version=preview.base_version,
        unit_code=preview.unit_code,
        rows=preview.rows,
        closure=ClosureCheck(preview.closed_setting, preview.closed_through, len(preview.closed_changes)),
        derived=_snapshot_writer(store, preview),
    )


def _snapshot_writer(store: Store, preview: Preview) -> Callable[[Version], object] | None:
    """What writes the columnar snapshot of the version `preview` publishes, inside the publish step."""
    tables, data = preview.tables, preview.data
    if tables is None or data is None:
        return None

    def write(version: Version) -> bool:
        if version.sha256 != hashlib.sha256(data).hexdigest():
            return False  # never a snapshot of other bytes than the version's
        return snapshots.write(store.root / CACHE_DIR, version.sha256, tables, preview.tables_context)

    return write
