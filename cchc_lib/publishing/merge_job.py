"""A unit submission merged into the current workbook inside the worker process (sandbox.parse_isolated),
with the tables the merged workbook reads as: the merge's XML rewrite, or its openpyxl fallback, and the
proof that it reads back never hold the server's interpreter."""

from __future__ import annotations

from datetime import date

import pandas as pd

from cchc_lib.common.settings import Settings
from cchc_lib.reading.model import PROBLEM_COLUMNS, ReadResult, Workbook, activity_keys

__all__ = [
    "MERGER",
    "merge_and_read",
    "merge_here",
    "merge_in_worker",
    "placed_tables",
    "run_merge_job",
    "unreadable",
]

MERGER = "cchc_lib.publishing.merge_job:merge_in_worker"


def merge_in_worker(
    data: bytes,
    settings: Settings,
    *,
    before: Workbook,
    rows: pd.DataFrame,
    unit_code: str,
    date_range: tuple[date, date],
    replaced: pd.Series | None = None,
) -> tuple:
    """("merged", bytes, ReadResult) of merge_and_read on the current version's bytes `data`, or
    ("refused", code, message) for the StoreError the merge raises (a version that cannot be edited)."""
    from cchc_lib.publishing.store import StoreError

    try:
        return ("merged", *merge_here(data, before, rows, unit_code, date_range, settings, replaced))
    except StoreError as exc:
        return ("refused", exc.code, exc.message)


def merge_here(
    current_bytes: bytes,
    before: Workbook,
    rows: pd.DataFrame,
    unit_code: str,
    date_range: tuple[date, date],
    settings: Settings,
    replaced: pd.Series | None = None,
) -> tuple[bytes, ReadResult, bool]:
    """merge_and_read in this process (the worker); merged bytes the safety checks refuse raise StoreError
    "unreadable" (`detail`: the safety code), as a read of them in a worker of their own did."""
    from cchc_lib.reading.safety import UnsafeFile

    try:
        return merge_and_read(current_bytes, before, rows, unit_code, date_range, settings, replaced)
    except UnsafeFile as exc:
        raise unreadable(exc) from exc


def unreadable(exc: Exception) -> Exception:
    """The StoreError "unreadable" for merged bytes the safety checks refused (UnsafeFile `exc`, its code
    kept as `detail`), as a read of them in a worker of their own said."""
    from cchc_lib.publishing.store import StoreError

    error = StoreError("unreadable", exc.full_message)  # type: ignore[attr-defined]
    error.detail = exc.code  # type: ignore[attr-defined]
    return error


def run_merge_job(data: bytes, settings: Settings, job: str, options: dict) -> tuple:
    """Merge `job` ("module:function" answering ("merged", ...) or ("refused", code, message)) run on
    `data` in one worker process; the answer's three values after "merged". Its refusal is raised here as
    the same StoreError, a worker out of memory or time (or refused bytes) as "unreadable"."""
    from cchc_lib.publishing.store import StoreError
    from cchc_lib.reading.safety import UnsafeFile
    from cchc_lib.reading.sandbox import parse_isolated

    try:
        outcome = parse_isolated(data, settings, job, expect=tuple, options=options)
    except UnsafeFile as exc:
        raise unreadable(exc) from exc
    if outcome[0] == "refused":
        raise StoreError(outcome[1], outcome[2])
    return outcome[1], outcome[2], outcome[3]


def merge_and_read(
    current_bytes: bytes,
    before: Workbook,
    rows: pd.DataFrame,
    unit_code: str,
    date_range: tuple[date, date],
    settings: Settings,
    replaced: pd.Series | None = None,
) -> tuple[bytes, ReadResult, bool]:
    """The merged workbook (submissions.merge_unit_rows), what it reads as, and whether that is proven
    without a full parse (then every other unit's rows are `before`'s, renumbered). After an XML-level merge
    the tables are known without parsing the whole file again (placed_tables); whenever they cannot be
    proven so, and after the openpyxl path, the merged bytes are checked and parsed in full. Raises
    StoreError (a version that cannot be edited) and UnsafeFile (merged bytes refused by the checks)."""
    from cchc_lib.publishing.sheet_merge import merge_unit_rows_placed
    from cchc_lib.publishing.submissions import merge_unit_rows

    placed = merge_unit_rows_placed(current_bytes, before, rows, unit_code, date_range, replaced, probe=True)
    if placed is not None:
        merged, placement = placed
        tables = placed_tables(before, rows, unit_code, date_range, replaced, placement, settings)
        if tables is not None and len(merged) <= settings.max_upload_mb * 1024 * 1024:
            return merged, ReadResult(tables, pd.DataFrame(columns=PROBLEM_COLUMNS)), True
    else:
        merged = merge_unit_rows(current_bytes, before, rows, unit_code, date_range, replaced)
    return merged, _read_in_full(merged, settings), False


def _read_in_full(data: bytes, settings: Settings) -> ReadResult:
    from cchc_lib.reading.safety import check_upload
    from cchc_lib.reading.workbook import read_workbook

    check_upload(data, settings)
    return read_workbook(data, settings)


def placed_tables(
    before: Workbook,
    rows: pd.DataFrame,
    unit_code: str,
    date_range: tuple[date, date],
    replaced: pd.Series | None,
    placement: object,
    settings: Settings,
) -> Workbook | None:
    """The tables of a workbook merged at the XML level (sheet_merge.Placement `placement`), or None when
    they cannot be proven here (the caller parses the merged file in full).

    Only the placement's probe is parsed: every other sheet and the rows above the first activity must
    read exactly as `before`, the new rows' cells exactly as the submitted `rows`, in the order written.
    The kept rows are the current sheet's own bytes with their row numbers moved, so they read as
    `before`'s rows renumbered. An unused column in `Hoạt động` (its reading depends on every row) is not proven."""
    from cchc_lib.publishing import snapshots
    from cchc_lib.publishing.submissions import _replaced
    from cchc_lib.reading.schema import ACTIVITIES
    from cchc_lib.reading.workbook import read_workbook

    probe = read_workbook(placement.probe, settings)  # type: ignore[attr-defined]
    book = probe.workbook
    if not probe.ok or book is None:
        return None
    extra = probe.problems[(probe.problems["code"] == "extra_column")]
    if (extra["sheet"].astype(str) == ACTIVITIES.name).any():
        return None
    for name in snapshots.TABLES:
        if name == "activities":
            continue
        mine, theirs = getattr(book, name), getattr(before, name)
        if (mine is None) != (theirs is None):
            return None
        if mine is not None and snapshots.digest(mine) != snapshots.digest(theirs):
            return None
    old = before.activities
    new = book.activities
    start, new_at, count = placement.start, placement.new_at, placement.count  # type: ignore[attr-defined]
    probe_at = placement.probe_at  # type: ignore[attr-defined]
    if new["row"].tolist() != list(range(probe_at, probe_at + count)):
        return None
    expected = rows.sort_values(["date", "row"], kind="stable")
    if activity_keys(new) != activity_keys(expected):
        return None
    new = new.assign(
        row=new["row"] + (new_at - probe_at)
    )  # the same cells, at their rows in the merged sheet
    drop = replaced if replaced is not None else _replaced(old, unit_code, date_range)
    kept = old[~drop.to_numpy(dtype=bool)].copy()
    moving = kept["row"] >= start
    moved = kept.loc[moving, "row"].map(placement.moves)  # type: ignore[attr-defined]
    if moved.isna().any():
        return None
    kept.loc[moving, "row"] = moved.astype("int64")
    activities = _inserted(kept, new, new_at)
    if list(activities.dtypes) != list(old.dtypes) or activities["row"].duplicated().any():
        return None
    book.activities = activities
    return book


def _inserted(kept: pd.DataFrame, new: pd.DataFrame, new_at: int) -> pd.DataFrame:
    """The activities by row: the kept ones (rows in order, none of new's) with `new` (rows `new_at`..)
    between them, by slicing where the kept rows are in order (no sort of the whole table), else sorted."""
    if not kept["row"].is_monotonic_increasing:
        return pd.concat([kept, new], ignore_index=True).sort_values("row", kind="stable", ignore_index=True)
    split = int(kept["row"].searchsorted(new_at))
    return pd.concat([kept.iloc[:split], new, kept.iloc[split:]], ignore_index=True)
