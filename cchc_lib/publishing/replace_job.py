"""A whole-workbook replacement compared in one worker job: the upload parsed and compared with the
current version's snapshot there, so the server's interpreter never holds a second copy of the current
tables nor the change table's temporaries (at 200,000 activities about 250 MB of the server's peak)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cchc_lib.common.settings import Settings
from cchc_lib.reading.model import ReadResult

__all__ = ["REPLACE_JOB", "compare_in_worker", "compare_isolated"]

REPLACE_JOB = "cchc_lib.publishing.replace_job:compare_in_worker"


def compare_isolated(
    data: bytes, settings: Settings, *, cache_dir: Path, current_sha256: str, closed: date | None
) -> tuple:
    """(the upload's ReadResult, its change table, its closed changes) from compare_in_worker, the two
    tables None when the worker found no sound snapshot of the current version (the caller compares).
    Raises StoreError "unreadable" (`detail` = the safety code) as reading the upload alone does."""
    from cchc_lib.publishing.merge_job import unreadable
    from cchc_lib.reading.safety import UnsafeFile, check_upload
    from cchc_lib.reading.sandbox import parse_isolated

    options = {"cache_dir": str(cache_dir), "current_sha256": current_sha256, "closed": closed}
    try:
        check_upload(data, settings)
        outcome = parse_isolated(data, settings, REPLACE_JOB, expect=tuple, options=options)
    except UnsafeFile as exc:
        raise unreadable(exc) from exc
    if outcome[0] == "done":
        return outcome[1], outcome[2], outcome[3]
    return outcome[1], None, None


def compare_in_worker(
    data: bytes, settings: Settings, *, cache_dir: str, current_sha256: str, closed: date | None
) -> tuple:
    """In the worker: ("done", ReadResult, changes, closed changes) of the upload `data` against the
    snapshot of the version `current_sha256` in `cache_dir` (checked: snapshots.load), or ("no_snapshot",
    ReadResult) when there is none sound, or ("done", ReadResult, None, None) when the upload has errors."""
    from cchc_lib.publishing import snapshots
    from cchc_lib.publishing.closures import closed_changes
    from cchc_lib.publishing.submissions import change_table
    from cchc_lib.reading.workbook import read_workbook

    upload: ReadResult = read_workbook(data, settings)
    if not upload.ok or upload.workbook is None:
        return ("done", upload, None, None)
    before = snapshots.load(Path(cache_dir), current_sha256, snapshots.settings_context(settings))
    if before is None:
        return ("no_snapshot", upload)
    after = upload.workbook
    return ("done", upload, change_table(before, after), closed_changes(before, after, closed, settings))
