"""Several units' files at once: each matched to its unit, checked on its own, the accepted ones published as one version."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from cchc_lib.access.accounts import Account
from cchc_lib.common.settings import Settings
from cchc_lib.publishing import snapshots
from cchc_lib.publishing.published import cached_tables
from cchc_lib.publishing.store import ClosureCheck, Store, StoreError, Version
from cchc_lib.publishing.store_base import CACHE_DIR
from cchc_lib.publishing.submissions import Preview, Reader, _snapshot_writer, prepare_update
from cchc_lib.reading.model import PROBLEM_COLUMNS, ReadResult, Workbook
from cchc_lib.reading.safety import UnsafeFile

__all__ = [
    "BATCH_KIND",
    "LINE_COLUMNS",
    "Batch",
    "FileCheck",
    "check_files",
    "lines_table",
    "merge_files",
    "publish_batch",
]

BATCH_KIND = "batch"
# One line per uploaded file, in upload order.
LINE_COLUMNS = [
    "file_name",
    "unit_code",
    "unit_name",
    "rows_in_file",
    "rows_added",
    "rows_removed",
    "errors",
    "warnings",
    "accepted",
    "status",
]
ADMIN_ONLY = "Chỉ văn phòng thường trực (quản trị viên) mới nộp cùng lúc nhiều tệp của các đơn vị."
NO_BASE = "Chưa có dữ liệu chung nào được công bố; chưa thể ghép số liệu của các đơn vị."
NO_FILES = "Chưa có tệp nào hợp lệ được chọn để công bố."
ACCEPTED = "Hợp lệ: sẽ được công bố."
UNTICKED = "Không chọn: tệp này không được công bố."
HAS_ERRORS = "Có lỗi: tệp này được giữ lại, các tệp khác không bị ảnh hưởng. Hãy sửa rồi nộp lại."
NOTHING_NEW = "Số liệu giống hệt số liệu hiện có của đơn vị; không có gì thay đổi."


def _same_unit(unit_code: str, first: str) -> str:
    return (
        f"Đơn vị {unit_code} đã có tệp «{first}» trong lượt nộp này nên tệp này được giữ lại. Mỗi đơn vị "
        "chỉ một tệp mỗi lượt: hãy gộp hai tệp rồi nộp lại, hoặc bỏ chọn tệp kia."
    )


def _closed(count: int, through: date | None) -> str:
    day = f" (đến hết ngày {through:%d/%m/%Y})" if through else ""
    return (
        f"Tệp thay đổi {count} dòng của kỳ đã khóa sổ{day} nên được giữ lại. Hãy nộp riêng tệp này ở mục "
        "«Nộp số liệu của một đơn vị» để xem và xác nhận thay đổi đó."
    )


@dataclass
class FileCheck:
    """One uploaded file checked on its own against the current version (nothing written)."""

    file_name: str
    sha256: str
    unit_code: str | None  # the unit its Hoạt động rows belong to (None: not one known unit)
    unit_name: str | None  # that unit's name in the current workbook
    problems: pd.DataFrame  # PROBLEM_COLUMNS, this file's only
    rows: pd.DataFrame | None = None  # the file's Hoạt động rows (ACTIVITY_COLUMNS)
    preview: Preview | None = None  # the single-unit preview (submissions.prepare_update)

    @property
    def errors(self) -> int:
        return int((self.problems["level"] == "error").sum())

    @property
    def warnings(self) -> int:
        return int((self.problems["level"] == "warning").sum())

    @property
    def rows_added(self) -> int:
        return int(self.preview.changes["rows_added"].sum()) if self.preview is not None else 0

    @property
    def rows_removed(self) -> int:
        return int(self.preview.changes["rows_removed"].sum()) if self.preview is not None else 0

    def held_reason(self) -> str | None:
        """Why this file cannot be published whatever else is chosen (None: it can)."""
        preview = self.preview
        if self.errors or preview is None or preview.data is None or self.unit_code is None:
            return HAS_ERRORS
        if len(preview.closed_changes):
            return _closed(len(preview.closed_changes), preview.closed_through)
        if preview.duplicate:
            return NOTHING_NEW
        return None


@dataclass
class Batch:
    """The files checked, which of them go in, and the one workbook they make together."""

    checks: list[FileCheck]
    status: list[str]  # per check: ACCEPTED or why it is held back
    accepted: list[int]  # indexes into `checks`, in merge order
    base_version: int | None
    data: bytes | None = None  # the merged workbook (None: nothing to publish)
    rows: int | None = None  # activity rows in `data`
    tables: Workbook | None = None  # `data` parsed: its snapshot is written in the publish step
    tables_context: str = ""  # the settings `tables` were parsed under (snapshots.settings_context)
    closed_setting: date | None = None
    closed_through: date | None = None

    @property
    def publishable(self) -> bool:
        return self.data is not None and bool(self.accepted)


class _Reads:
    """Each distinct content read once: the uploaded files (`untrusted`) by `reader` (the sandbox by
    default), everything else (a published version without a snapshot, or one with the checked rows of
    an upload merged in: trusted) checked, then parsed in the worker process too, so that no whole-workbook
    parse holds the server's interpreter. A worker read costs a child process (seconds); the current
    version comes from its snapshot, and each merge is read once."""

    def __init__(self, reader: Reader | None = None) -> None:
        from cchc_lib.reading.sandbox import read_untrusted

        self.reader = reader or read_untrusted
        self.trusted: Reader = read_untrusted  # the same checks and limits; the content is ours
        self.untrusted: set[str] = set()
        self.done: dict[str, ReadResult] = {}

    def upload(self, data: bytes, settings: Settings) -> ReadResult:
        key = hashlib.sha256(data).hexdigest()
        self.untrusted.add(key)
        return self(data, settings)

    def __call__(self, data: bytes, settings: Settings) -> ReadResult:
        key = hashlib.sha256(data).hexdigest()
        if key not in self.done:
            read = self.reader if key in self.untrusted else self.trusted
            self.done[key] = read(data, settings)
        return self.done[key]


def _problem(code: str, message: str, sheet: str | None = None) -> pd.DataFrame:
    frame = pd.DataFrame([("error", code, sheet, None, None, message)], columns=PROBLEM_COLUMNS)
    frame["row"] = frame["row"].astype("Int64")
    return frame


def _no_problems() -> pd.DataFrame:
    frame = pd.DataFrame(columns=PROBLEM_COLUMNS)
    frame["row"] = frame["row"].astype("Int64")
    return frame


def _refuse(store: Store, account: Account | None, exc: StoreError, file_name: str = "") -> StoreError:
    store.log_refusal(account, kind=BATCH_KIND, code=exc.code, message=exc.message, file_name=file_name)
    return exc


def _authorize(store: Store, account: Account | None, file_name: str) -> Account:
    """The admin account, else StoreError("forbidden"), audit-logged."""
    if account is not None and account.role == "unit":  # a unit submits its own file, one at a time
        raise _refuse(store, account, StoreError("forbidden", ADMIN_ONLY), file_name)
    store.authorize(account, BATCH_KIND, file_name=file_name)  # viewers and anonymous
    assert account is not None
    return account


def _identify(rows: pd.DataFrame, current: Workbook) -> tuple[str | None, pd.DataFrame]:
    """The one unit of a file's Hoạt động rows, or None with the problem saying why."""
    codes = sorted({str(c).strip().upper() for c in rows["unit_code"].dropna()})
    sheet = "Hoạt động"
    if not codes:
        return None, _problem(
            "no_unit",
            "Trang Hoạt động của tệp không có dòng nào nên không nhận ra tệp của đơn vị nào. Hãy điền các "
            "dòng hoạt động của đơn vị rồi nộp lại (hoặc nộp riêng ở mục «Nộp số liệu của một đơn vị» để "
            "báo không có hoạt động).",
            sheet,
        )
    if len(codes) > 1:
        return None, _problem(
            "several_units",
            f"Tệp có dòng của {len(codes)} đơn vị ({', '.join(codes)}): mỗi tệp chỉ được chứa số liệu của một "
            "đơn vị. Hãy tách thành từng tệp cho mỗi đơn vị rồi nộp lại.",
            sheet,
        )
    code = codes[0]
    if code not in set(current.units["unit_code"]):
        return None, _problem(
            "unknown_unit",
            f"Đơn vị {code} trong tệp không có trong danh sách đơn vị hiện hành. Hãy kiểm tra mã đơn vị "
            "trong trang Hoạt động (mã đúng như trang Đơn vị của tệp theo dõi chung).",
            sheet,
        )
    return code, _no_problems()


def check_files(
    store: Store,
    files: list[tuple[str, bytes]],
    *,
    account: Account | None,
    settings: Settings | None = None,
    reader: Reader | None = None,
) -> list[FileCheck]:
    """Check each (file name, bytes) on its own against the current version; one FileCheck per file.

    A file's unit is the one unit of its Hoạt động rows (several units, no rows or a unit unknown to
    the current workbook: an error of that file). Each file then gets the checks of a single unit
    submission (submissions.prepare_update, kind "unit", the default mode: its rows added or updating
    the rows they match, none removed), read in the sandbox by default. An unreadable or hostile file is a problem of that file only. Raises
    StoreError: not an admin ("forbidden", logged), nothing published yet ("no_base"), an unreadable
    current version ("corrupt").
    """
    settings = settings or Settings()
    names = ", ".join(name for name, _ in files)
    account = _authorize(store, account, names)
    current_version = store.current()
    if current_version is None:
        raise StoreError("no_base", NO_BASE)
    reads = _Reads(reader)
    current_bytes = store.read_bytes(current_version.number)
    current = cached_tables(current_bytes, settings, store.root / CACHE_DIR)  # the snapshot: no parse
    if current is None:
        try:
            current = reads(current_bytes, settings).workbook
        except UnsafeFile as exc:
            raise StoreError("corrupt", f"Không đọc được dữ liệu hiện hành: {exc.full_message}") from exc
    if current is None:
        raise StoreError("corrupt", "Không đọc được dữ liệu hiện hành. Hãy báo quản trị viên.")
    unit_names = dict(zip(current.units["unit_code"], current.units["unit_name"], strict=False))
    return [
        _check_one(store, name, bytes(data), account, settings, reads, current, unit_names)
        for name, data in files
    ]


def _check_one(
    store: Store,
    name: str,
    data: bytes,
    account: Account,
    settings: Settings,
    reads: _Reads,
    current: Workbook,
    unit_names: dict[str, str],
) -> FileCheck:
    check = FileCheck(name, hashlib.sha256(data).hexdigest(), None, None, _no_problems())
    try:
        upload = reads.upload(data, settings)
    except UnsafeFile as exc:
        check.problems = _problem(exc.code, exc.full_message)
        return check
    if not upload.ok or upload.workbook is None:
        check.problems = upload.problems.reset_index(drop=True)
        return check
    check.rows = upload.workbook.activities
    unit_code, found = _identify(check.rows, current)
    if unit_code is None:
        check.problems = pd.concat([found, upload.problems], ignore_index=True)[PROBLEM_COLUMNS]
        return check
    check.unit_code, check.unit_name = unit_code, unit_names.get(unit_code, unit_code)
    try:
        check.preview = prepare_update(
            store, data, account=account, kind="unit", file_name=name, unit_code=unit_code,
            settings=settings, reader=reads,
        )  # fmt: skip
    except StoreError as exc:
        check.problems = _problem(exc.code, exc.message)
        return check
    check.problems = check.preview.problems.reset_index(drop=True)
    return check


def merge_files(
    store: Store,
    checks: list[FileCheck],
    *,
    chosen: set[int] | None = None,
    settings: Settings | None = None,
) -> Batch:
    """Merge the acceptable files among `chosen` (indexes into `checks`; default all) into the current
    version, one unit after another, in upload order: one workbook for one new version.

    A file is held back (its status says why) when it has errors, changes a closed period, changes
    nothing, is not chosen, or is the second chosen file of a unit already in the batch. Raises
    StoreError("stale") when the checks were made on another version than the current one.
    """
    settings = settings or Settings()
    reads = _Reads()  # only trusted content: the current version, merged with checked rows
    chosen = set(range(len(checks))) if chosen is None else set(chosen)
    current = store.current()
    base = current.number if current else None
    status: list[str] = []
    accepted: list[int] = []
    first_file: dict[str, str] = {}
    for index, check in enumerate(checks):
        reason = check.held_reason()
        if reason is None and index not in chosen:
            reason = UNTICKED
        if reason is None and check.preview is not None and check.preview.base_version != base:
            raise StoreError(
                "stale",
                f"Dữ liệu đã được cập nhật (hiện là phiên bản {base}) sau khi các tệp được kiểm tra. Hãy tải "
                "các tệp lên lại để kiểm tra so với dữ liệu mới nhất.",
            )
        if reason is None and check.unit_code in first_file:
            reason = _same_unit(check.unit_code, first_file[check.unit_code])
        if reason is None:
            assert check.unit_code is not None
            first_file[check.unit_code] = check.file_name
            accepted.append(index)
        status.append(reason or ACCEPTED)
    previews = [checks[i].preview for i in accepted]
    batch = Batch(
        checks,
        status,
        accepted,
        base,
        closed_setting=previews[0].closed_setting if previews else None,
        closed_through=previews[0].closed_through if previews else None,
    )
    if not accepted or current is None:
        return batch
    data = store.read_bytes(current.number)
    before = cached_tables(data, settings, store.root / CACHE_DIR)  # the version's snapshot: no parse
    if before is None:
        try:
            before = reads(data, settings).workbook
        except UnsafeFile as exc:
            raise StoreError("corrupt", f"Không đọc được dữ liệu hiện hành: {exc.full_message}") from exc
    if before is None:
        raise StoreError("corrupt", "Không đọc được dữ liệu hiện hành. Hãy báo quản trị viên.")
    items = []
    for index in accepted:
        check = checks[index]
        assert check.preview is not None and check.rows is not None and check.unit_code is not None
        items.append((index, check.unit_code, check.rows, check.preview.mode, check.preview.date_range))
    data, book, outcomes = _merge_isolated(data, before, items, settings)
    for index, outcome, detail in outcomes:
        if outcome not in ("held", "unsafe"):
            continue
        check = checks[index]
        extra = detail.copy() if outcome == "held" else _problem(*detail)
        extra["message"] = "Sau khi ghép cùng các tệp khác: " + extra["message"].astype(str)
        check.problems = pd.concat([check.problems, extra], ignore_index=True)[PROBLEM_COLUMNS]
        batch.status[index] = HAS_ERRORS
        batch.accepted.remove(index)
    if batch.accepted:
        batch.data, batch.rows, batch.tables = data, len(book.activities), book
        batch.tables_context = snapshots.settings_context(settings)
    return batch


def _merge_isolated(
    data: bytes, before: Workbook, items: list, settings: Settings
) -> tuple[bytes, Workbook, list[tuple[int, str, Any]]]:
    """batch_job.merge_batch run in the worker process (one child for the whole batch: the server's
    interpreter stays free); its refusal raised here as the same StoreError, a worker out of memory or
    time as "unreadable"."""
    from cchc_lib.publishing.batch_job import BATCH_MERGER
    from cchc_lib.publishing.merge_job import run_merge_job

    return run_merge_job(data, settings, BATCH_MERGER, {"before": before, "items": items})


def lines_table(batch: Batch) -> pd.DataFrame:
    """One line per file (LINE_COLUMNS): file name, matched unit, rows in the file, rows added / removed
    by it, its errors and warnings, accepted (bool) and its status in words."""
    records: list[dict[str, Any]] = []
    for index, check in enumerate(batch.checks):
        records.append(
            {
                "file_name": check.file_name,
                "unit_code": check.unit_code,
                "unit_name": check.unit_name,
                "rows_in_file": len(check.rows) if check.rows is not None else None,
                "rows_added": check.rows_added,
                "rows_removed": check.rows_removed,
                "errors": check.errors,
                "warnings": check.warnings,
                "accepted": index in batch.accepted,
                "status": batch.status[index],
            }
        )
    frame = pd.DataFrame(records, columns=LINE_COLUMNS)
    frame["rows_in_file"] = frame["rows_in_file"].astype("Int64")
    return frame


def publish_batch(store: Store, batch: Batch, account: Account | None) -> Version:
    """Publish the batch's merged workbook as ONE version (kind "batch"); its audit entry lists each
    accepted unit with its file (`files`) and each held-back file with the reason (`held`).
    Refused (StoreError, logged): not an admin, nothing accepted ("invalid"), a stale batch ("stale"),
    a closure made or moved since the check ("closed_changed")."""
    accepted = [batch.checks[i] for i in batch.accepted]
    names = ", ".join(c.file_name for c in accepted)
    account = _authorize(store, account, names)
    if not batch.publishable:
        raise _refuse(store, account, StoreError("invalid", NO_FILES), names)
    assert batch.data is not None
    files = [
        {
            "unit_code": c.unit_code,
            "unit_name": c.unit_name,
            "file_name": c.file_name,
            "sha256": c.sha256,
            "rows_added": c.rows_added,
            "rows_removed": c.rows_removed,
        }
        for c in accepted
    ]
    held = [
        {"file_name": c.file_name, "unit_code": c.unit_code, "reason": batch.status[i]}
        for i, c in enumerate(batch.checks)
        if i not in batch.accepted
    ]
    return store.publish(
        batch.data,
        account=account,
        kind=BATCH_KIND,
        file_name=names,
        base_version=batch.base_version,
        rows=batch.rows,
        closure=ClosureCheck(batch.closed_setting, batch.closed_through, 0),
        audit={"files": files, "held": held},
        derived=_snapshot_writer(store, batch),  # a Batch has the preview's data, tables, tables_context
    )
