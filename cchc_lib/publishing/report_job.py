"""The periodic report's documents (.docx, the .xlsx annex) built in the worker process (sandbox.parse_isolated),
from the version's snapshot or its tables: the build never holds the server's interpreter."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from cchc_lib.common.settings import Settings
from cchc_lib.documents.reports import ReportError, ReportParts
from cchc_lib.reading.model import Workbook
from cchc_lib.reading.safety import UnsafeFile

__all__ = [
    "KINDS",
    "REPORTER",
    "SnapshotRef",
    "build_in_worker",
    "build_isolated",
    "failure_message",
]

LOG = logging.getLogger(__name__)
REPORTER = "cchc_lib.publishing.report_job:build_in_worker"
KINDS = ("docx", "xlsx")  # the Word report, the Excel annex
SnapshotRef = tuple[str, str]  # (the snapshot folder, the sha256 of the version's bytes)

TIMEOUT = (
    "Lập báo cáo quá lâu (quá {seconds} giây) nên đã dừng. Hãy thử lại sau ít phút; nếu vẫn không được, "
    "hãy báo quản trị hệ thống."
)
MEMORY = (
    "Lập báo cáo cần nhiều bộ nhớ hơn mức máy chủ cho phép nên đã dừng. Hãy báo quản trị hệ thống "
    "(thiết lập parse_memory_mb)."
)
FAILED = (
    "Không lập được báo cáo do một lỗi trên máy chủ (đã ghi vào nhật ký). Hãy thử lại; nếu vẫn không "
    "được, hãy báo quản trị hệ thống."
)


def _tables(settings: Settings, snapshot: SnapshotRef | None, workbook: Workbook | None) -> Workbook | None:
    if workbook is not None:
        return workbook
    if snapshot is None:
        return None
    from cchc_lib.publishing import snapshots

    folder, sha256 = snapshot
    return snapshots.load(Path(folder), sha256, snapshots.settings_context(settings))


def build_in_worker(
    data: bytes,
    settings: Settings,
    *,
    kinds: tuple[str, ...],
    parts: ReportParts,
    issued: date,
    number: str | None = None,
    snapshot: SnapshotRef | None = None,
    workbook: Workbook | None = None,
) -> tuple:
    """Run in the worker (`data` is unused: the tables come as `workbook` or from the checked `snapshot`).
    ("built", (bytes, ...)) one document per kind of `kinds`, exactly as the page builds them in-process:
    "docx" reports.build_report, "xlsx" reports.build_annex; ("no_snapshot",) when the snapshot is
    missing or unsound (the parent then sends the tables); ("refused", message) for a ReportError."""
    from cchc_lib.documents import reports

    wb = _tables(settings, snapshot, workbook)
    if wb is None:
        return ("no_snapshot",)
    built: list[bytes] = []
    try:
        for kind in kinds:
            if kind == "docx":
                extra = {} if number is None else {"number": number}
                built.append(reports.build_report(wb, parts.period, parts.calendar, settings, parts=parts,
                                                  issued=issued, **extra))  # fmt: skip
            else:
                built.append(reports.build_annex(parts, settings, wb=wb, issued=issued, number=number or ""))
    except ReportError as exc:
        return ("refused", str(exc))
    return ("built", tuple(built))


def failure_message(exc: UnsafeFile, settings: Settings) -> str:
    """The Vietnamese sentence for a worker that timed out, ran out of memory or failed."""
    if exc.code == "parse_timeout":
        return TIMEOUT.format(seconds=f"{float(settings.parse_timeout_s):g}".replace(".", ","))
    if exc.code == "parse_memory":
        return MEMORY
    return FAILED


def build_isolated(
    kinds: tuple[str, ...],
    parts: ReportParts,
    settings: Settings,
    *,
    issued: date,
    number: str | None = None,
    snapshot: SnapshotRef | None = None,
    workbook: Workbook | None = None,
) -> tuple[bytes, ...]:
    """The documents of `parts`, one per kind of `kinds` ("docx", "xlsx"), built in one worker process, with the server's
    memory and time limits of a parse (settings.parse_memory_mb, parse_timeout_s). The tables: the
    `snapshot` when given and sound (nothing big is sent), else `workbook`. `number` None leaves the
    registry number blank. Raises ReportError with a Vietnamese message, never a traceback."""
    from cchc_lib.reading.sandbox import parse_isolated

    if not kinds or set(kinds) - set(KINDS):
        raise ValueError(f"unknown report kinds {kinds!r}")
    options = {"kinds": tuple(kinds), "parts": parts, "issued": issued, "number": number}
    attempts = [{"snapshot": snapshot}] if snapshot is not None else []
    if workbook is not None:
        attempts.append({"workbook": workbook})
    for tables in attempts:
        try:
            outcome = parse_isolated(b"", settings, REPORTER, expect=tuple, options={**options, **tables})
        except UnsafeFile as exc:
            LOG.warning("Building the report %s in the worker failed: %s", kinds, exc.code)
            raise ReportError(failure_message(exc, settings)) from exc
        if outcome[0] == "built" and len(outcome[1]) == len(kinds):
            return tuple(outcome[1])
        if outcome[0] == "refused":
            raise ReportError(outcome[1])
        LOG.warning("No sound snapshot %s for the report in the worker: sending the tables", snapshot)
    raise ReportError(FAILED)
