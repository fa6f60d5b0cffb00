"""A unit's submission checked in one worker job: the upload parsed, checked against the current version,
planned, merged into it and read back, all in the same limited child process (one interpreter start)."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from cchc_lib.access.accounts import Account
from cchc_lib.common.settings import Settings

if TYPE_CHECKING:
    from cchc_lib.publishing.submissions import Preview

__all__ = ["UNIT_JOB", "WORKER_MODULES", "prepare_in_worker", "submit_isolated"]

UNIT_JOB = "cchc_lib.publishing.unit_job:prepare_in_worker"
# What a worker imports for this job and the merge (a spare worker imports them while it waits).
WORKER_MODULES = (
    "cchc_lib.publishing.submissions",
    "cchc_lib.publishing.merge_job",
    "cchc_lib.publishing.replace_job",
    "cchc_lib.publishing.sheet_merge",
    "openpyxl.styles.numbers",
    "openpyxl.utils.datetime",
)


def submit_isolated(
    preview: Preview,
    data: bytes,
    settings: Settings,
    *,
    account: Account,
    cache_dir: str,
    current_bytes: bytes,
    date_range: tuple[date, date] | None,
    calendar: str,
) -> Preview | None:
    """`preview` (kind "unit", no problems yet) completed by prepare_in_worker on the upload `data`, after
    the safety checks here; None when the worker found no sound snapshot of `current_bytes` in
    `cache_dir` (the caller then reads the current version itself). Raises StoreError: "unreadable" (`detail` = the safety code) for an upload or a
    worker that failed the checks or the limits, and any refusal of the merge."""
    from cchc_lib.publishing.store import StoreError
    from cchc_lib.reading.safety import UnsafeFile, check_upload
    from cchc_lib.reading.sandbox import parse_isolated

    options = {
        "preview": preview,
        "account": account,
        "cache_dir": cache_dir,
        "current_bytes": current_bytes,
        "date_range": date_range,
        "calendar": calendar,
    }
    try:
        check_upload(data, settings)
        outcome = parse_isolated(data, settings, UNIT_JOB, expect=tuple, options=options)
    except UnsafeFile as exc:
        error = StoreError("unreadable", exc.full_message)
        error.detail = exc.code  # type: ignore[attr-defined]
        raise error from exc
    if outcome[0] == "refused":
        error = StoreError(outcome[1], outcome[2])
        if outcome[3]:
            error.detail = outcome[3]  # type: ignore[attr-defined]
        raise error
    return _preview(outcome[1]) if outcome[0] == "done" else None


def _plain(preview: Preview) -> dict:
    """The preview as plain data (the worker's answer may name no class of ours but the Workbook)."""
    data = {f.name: getattr(preview, f.name) for f in fields(preview)}
    if preview.plan is not None:
        data["plan"] = {f.name: getattr(preview.plan, f.name) for f in fields(preview.plan)}
    return data


def _preview(data: dict) -> Preview:
    from cchc_lib.publishing.submission_plan import SubmissionPlan
    from cchc_lib.publishing.submissions import Preview

    plan = data.get("plan")
    return Preview(**{**data, "plan": SubmissionPlan(**plan) if plan is not None else None})


def prepare_in_worker(
    data: bytes,
    settings: Settings,
    *,
    preview: Preview,
    account: Account,
    cache_dir: str,
    current_bytes: bytes,
    date_range: tuple[date, date] | None,
    calendar: str,
) -> tuple:
    """In the worker: ("done", the completed preview as plain data), ("refused", code, message, detail)
    for the StoreError the checks or the merge raise, or ("no_snapshot",) when `cache_dir` holds no sound
    snapshot of `current_bytes` (published.cached_tables: checked against their sha256 and digests). The
    snapshot is loaded before the upload `data` is parsed (reading.read_workbook)."""
    from cchc_lib.publishing.merge_job import merge_here
    from cchc_lib.publishing.published import cached_tables
    from cchc_lib.publishing.store import StoreError
    from cchc_lib.publishing.submissions import _concat, _prepare_unit
    from cchc_lib.reading.workbook import read_workbook

    before = cached_tables(current_bytes, settings, Path(cache_dir))
    if before is None:
        return ("no_snapshot",)
    upload = read_workbook(data, settings)
    preview.problems = _concat(upload.problems)
    if not upload.ok or upload.workbook is None:
        return ("done", _plain(preview))
    assert preview.unit_code is not None
    try:
        done = _prepare_unit(
            preview,
            upload.workbook,
            before,
            current_bytes,
            preview.unit_code,
            date_range,
            merge_here,
            settings,
            account,
            calendar,
        )
    except StoreError as exc:
        return ("refused", exc.code, exc.message, getattr(exc, "detail", ""))
    return ("done", _plain(done))
