"""Published workbook versions on disk: immutable versions, an audit log, atomic publish under a lock."""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from cchc_lib.access.accounts import Account
from cchc_lib.common.atomic import TEMP_PREFIX, atomic_write
from cchc_lib.publishing import snapshots
from cchc_lib.publishing.store_base import (
    CACHE_DIR,
    DAMAGED_DIR,
    REPAIR_KIND,
    StoreError,
    Version,
    _disk_error,
    _now,
    _sha256,
    _write_all,
    file_sha256,
)
from cchc_lib.publishing.store_check import Finding, Health, RepairPlan, StoreCheck
from cchc_lib.publishing.store_closures import CLOSURE_KIND, ClosureCheck, Closures
from cchc_lib.publishing.store_mappings import COLUMN_MAPPING_KIND, WHOLE_BOOK, ColumnMappings
from cchc_lib.publishing.store_texts import (
    REPORT_TEXT_MAX_CHARS,
    REPORT_TEXTS_KIND,
    ReportTexts,
    clean_report_text,
    text_digest,
)

__all__ = [
    "CACHE_DIR",
    "CLOSURE_KIND",
    "ClosureCheck",
    "COLUMN_MAPPING_KIND",
    "DAMAGED_DIR",
    "KINDS",
    "REPAIR_KIND",
    "REPORT_TEXTS_KIND",
    "REPORT_TEXT_MAX_CHARS",
    "Finding",
    "Health",
    "RepairPlan",
    "Store",
    "StoreError",
    "Version",
    "WHOLE_BOOK",
    "clean_report_text",
    "file_sha256",
    "text_digest",
]

KINDS = ("replace", "unit", "rollback", "batch")  # batch: several units' files at once (batch.py)
_ZIP_MAGIC = b"PK\x03\x04"
_VERSION_RE = re.compile(r"^(\d{6})\.(xlsx|json)$")
_LOCK_TIMEOUT_S = 60.0

# Layout under the root folder:
#   versions/000012.xlsx   the published workbook, never changed after publishing
#   versions/000012.json   its metadata (the Version fields)
#   current                {"number": 12, "sha256": "..."}: the one pointer that makes a version current
#   audit.jsonl            one JSON object per line: every publish, rollback, repair and refused attempt
#   .lock                  the FileLock guarding every write
#   cache/keys-v1-<sha256>.parquet
#                          derived activity keys of a version (cchc_lib.publishing.version_keys), checked like the rest
#   cache/snap-v2-<sha256>[-<table>.parquet|.json]
#                          a version's parsed tables (cchc_lib.publishing.snapshots), written by `publish(derived=...)`
#                          before the pointer; a killed publish's are deleted with its version by `repair`
#   damaged/<time>/...     files a repair found damaged, moved there (never deleted) with the old pointer
#   report_texts/<calendar>/<period>.json
#                          the clerk's own words for a report: {"period", "calendar", "texts": {key: text},
#                          "updated_at", "user"}; replaced atomically under the lock, audit-logged
#   column_mappings/<unit code>.json (or _toan_bo_so.json)
#                          a unit's own column headers -> the format's fields: {"key", "mapping", "updated_at",
#                          "user"}; replaced atomically under the lock, audit-logged (column_mapping.py)
#   closures.json          the closed period the standing office recorded: {"closed_through": "YYYY-MM-DD" | null,
#                          "user", "updated_at"}; replaced atomically under the lock, audit-logged (store_closures.py)
# Temp files are named ".tmp-*" in the folder of their final file; readers ignore them and the next
# write (or `repair()`, which `Store()` runs when the lock is free) deletes leftovers of a killed writer,
# together with the one version written but never made current: numbered just above every version the
# pointer or the audit log knows, the highest file, without an audit entry. Nothing else is ever deleted:
# `check()` reports damage (pointer, metadata, bytes, cache, audit) and `restore_last_good()` moves the
# damaged files to damaged/ and makes the last good version current again.


class Store(StoreCheck, ReportTexts, ColumnMappings, Closures):
    """The versions of the workbook under `root` (see the layout above)."""

    def __init__(self, root: str | os.PathLike[str], *, repair: bool = True) -> None:
        self.root = Path(root)
        self.versions_dir = self.root / "versions"
        self.pointer_path = self.root / "current"
        self.audit_path = self.root / "audit.jsonl"
        self.lock_path = self.root / ".lock"
        if repair and self.root.is_dir():
            with contextlib.suppress(StoreError, OSError):
                self.repair(timeout=0)

    # ----------------------------------------------------------------- reading
    def _version_path(self, number: int) -> Path:
        return self.versions_dir / f"{number:06d}.xlsx"

    def _meta_path(self, number: int) -> Path:
        return self.versions_dir / f"{number:06d}.json"

    def _pointer(self) -> tuple[int, str] | None:
        try:
            raw = json.loads(self.pointer_path.read_text(encoding="utf-8"))
            return int(raw["number"]), str(raw["sha256"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreError(
                "corrupt", "Tệp chỉ phiên bản hiện hành bị hỏng; hãy báo quản trị viên kiểm tra kho dữ liệu."
            ) from exc

    def _load_version(self, number: int) -> Version:
        try:
            raw = json.loads(self._meta_path(number).read_text(encoding="utf-8"))
            return Version.from_json(raw, self._version_path(number))
        except FileNotFoundError as exc:
            raise StoreError("unknown_version", f"Không có phiên bản số {number}.") from exc
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreError("corrupt", f"Thông tin của phiên bản số {number} bị hỏng.") from exc

    def current(self) -> Version | None:
        """The current version, or None when nothing was ever published."""
        pointer = self._pointer()
        return None if pointer is None else self._load_version(pointer[0])

    def current_number(self) -> int | None:
        pointer = self._pointer()
        return None if pointer is None else pointer[0]

    def history(self, *, skip_damaged: bool = False) -> list[Version]:
        """Every published version, oldest first (versions 1..current). With `skip_damaged` (a damaged
        store's history page) the versions whose metadata cannot be read are left out instead of raising,
        and without a readable pointer every version file present is listed."""
        try:
            pointer = self._pointer()
        except StoreError:
            if not skip_damaged:
                raise
            pointer = None
        if pointer is None and not skip_damaged:
            return []
        last = pointer[0] if pointer else max(self._version_files(), default=0)
        out = []
        for n in range(1, last + 1):
            if self._meta_path(n).exists():
                try:
                    out.append(self._load_version(n))
                except StoreError:
                    if not skip_damaged:
                        raise
        return out

    def version(self, number: int) -> Version:
        """Version `number` (StoreError "unknown_version" when it was never published)."""
        current = self.current_number()
        if not isinstance(number, int) or current is None or not 1 <= number <= current:
            raise StoreError("unknown_version", f"Không có phiên bản số {number}.")
        return self._load_version(number)

    def read_bytes(self, number: int) -> bytes:
        """The bytes of version `number`, checked against its recorded sha256."""
        version = self.version(number)
        try:
            data = version.path.read_bytes()
        except OSError as exc:
            raise StoreError("corrupt", f"Không đọc được tệp của phiên bản số {number}.") from exc
        if _sha256(data) != version.sha256:
            raise StoreError(
                "corrupt",
                f"Tệp của phiên bản số {number} không khớp mã kiểm tra (sha256): đã bị sửa hoặc hỏng.",
            )
        return data

    def verify(self, number: int | None = None) -> bool:
        """True when the file of version `number` (default: current) exists and matches its sha256."""
        if number is None:
            number = self.current_number()
            if number is None:
                return True
        try:
            self.read_bytes(number)
        except StoreError:
            return False
        return True

    def verify_all(self) -> list[int]:
        """Numbers of the published versions whose file is missing or does not match its sha256."""
        return [v.number for v in self.history() if not self.verify(v.number)]

    def audit(self) -> list[dict[str, Any]]:
        """The audit log, oldest first (a torn last line left by a killed writer is skipped)."""
        try:
            text = self.audit_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        entries = []
        for line in text.splitlines():
            with contextlib.suppress(ValueError):
                entries.append(json.loads(line))
        return entries

    @staticmethod
    def _audit_versions(entries: list[dict[str, Any]]) -> tuple[dict[int, str], set[int]]:
        """({version: sha256} of the published entries, versions a repair moved to damaged/)."""
        published: dict[int, str] = {}
        quarantined: set[int] = set()
        for entry in entries:
            number = entry.get("version")
            if (
                entry.get("outcome") == "published"
                and isinstance(number, int)
                and not isinstance(number, bool)
            ):
                published[number] = str(entry.get("sha256") or "")
            if entry.get("kind") == REPAIR_KIND:
                quarantined |= {n for n in entry.get("quarantined") or () if isinstance(n, int)}
        return published, quarantined

    def _version_files(self) -> dict[int, set[str]]:
        """{number: {"xlsx", "json"}} of the version files in versions/."""
        found: dict[int, set[str]] = {}
        if self.versions_dir.is_dir():
            for entry in self.versions_dir.iterdir():
                match = _VERSION_RE.match(entry.name)
                if match:
                    found.setdefault(int(match.group(1)), set()).add(match.group(2))
        return found

    # ----------------------------------------------------------------- writing
    @contextlib.contextmanager
    def _locked(self, timeout: float = _LOCK_TIMEOUT_S) -> Iterator[None]:
        self.versions_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.lock_path, timeout=timeout, thread_local=False)  # a new object per commit
        try:
            lock.acquire()
        except Timeout as exc:
            raise StoreError(
                "busy", "Có người khác đang cập nhật dữ liệu; vui lòng thử lại sau ít phút."
            ) from exc
        try:
            yield
        finally:
            lock.release()

    def repair(self, timeout: float = _LOCK_TIMEOUT_S) -> None:
        """Remove what a killed writer may leave: temp files, versions above the pointer, a torn audit line."""
        with self._locked(timeout):
            self._repair_locked()

    def _repair_locked(self) -> None:
        current = self.current_number() or 0
        for folder in (self.root, self.versions_dir):
            for entry in folder.iterdir():
                if entry.name.startswith(TEMP_PREFIX):
                    entry.unlink(missing_ok=True)
        leftover = self._unpublished_leftover(current)
        if leftover is not None:  # written but never made current
            self._discard_snapshot(leftover)
            self._version_path(leftover).unlink(missing_ok=True)
            self._meta_path(leftover).unlink(missing_ok=True)
        snapshots.discard_orphan_temps(self.root / CACHE_DIR)
        self._repair_audit(current)

    def _discard_snapshot(self, leftover: int) -> None:
        """Delete the snapshot a killed publish wrote for version `leftover`, unless a published version
        has the same content (a snapshot is named after the sha256, shared by identical versions)."""
        try:
            sha256 = str(json.loads(self._meta_path(leftover).read_text(encoding="utf-8"))["sha256"])
        except (OSError, ValueError, KeyError, TypeError):
            return  # no metadata: killed before its snapshot was written (it is written after it)
        published, _ = self._audit_versions(self.audit())
        pointer = self._pointer()
        if sha256 not in published.values() and (pointer is None or pointer[1] != sha256):
            snapshots.discard(self.root / CACHE_DIR, sha256)

    def _unpublished_leftover(self, current: int) -> int | None:
        """The number of the version a killed writer wrote but never made current: the highest version
        file, numbered just above every version the pointer and the audit log know, with no audit entry.
        Anything else (a pointer deleted or behind, files beyond) is damage for `check`, never deleted."""
        files = self._version_files()
        if not files or max(files) <= current:
            return None
        published, quarantined = self._audit_versions(self.audit())
        base = max([current, *published, *quarantined])
        highest = max(files)
        return highest if highest == base + 1 and highest not in published else None

    def _next_number(self, current: int | None) -> int:
        """The number of the next version: above the current one and above every number ever used (a
        repair can leave the pointer below versions moved to damaged/ or lost)."""
        published, quarantined = self._audit_versions(self.audit())
        return max([current or 0, *self._version_files(), *published, *quarantined]) + 1

    def _repair_audit(self, current: int) -> None:
        try:
            data = self.audit_path.read_bytes()
        except FileNotFoundError:
            data = b""
        if data and not data.endswith(b"\n"):
            with self.audit_path.open("r+b") as handle:
                handle.truncate(data.rfind(b"\n") + 1)
                handle.flush()
                os.fsync(handle.fileno())
        if current:
            # The writer may have been killed between moving the pointer and writing the audit entry.
            logged = {e.get("version") for e in self.audit() if e.get("outcome") == "published"}
            if current not in logged:
                version = self._load_version(current)
                self._append_audit(self._published_entry(version, recovered=True))

    def _append_audit(self, entry: dict[str, Any]) -> None:
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        fd = os.open(self.audit_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            _write_all(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    @staticmethod
    def _published_entry(version: Version, recovered: bool = False) -> dict[str, Any]:
        entry = {
            "time": version.created_at.isoformat(),
            "user": version.user,
            "kind": version.kind,
            "file_name": version.file_name,
            "sha256": version.sha256,
            "rows": version.rows,
            "size": version.size,
            "unit_code": version.unit_code,
            "previous": version.previous,
            "version": version.number,
            "rollback_of": version.rollback_of,
            "outcome": "published",
        }
        if recovered:
            entry["recovered"] = True
        return entry

    def log_refusal(
        self,
        account: Account | None,
        *,
        kind: str,
        code: str,
        message: str,
        file_name: str = "",
        data: bytes | None = None,
        rows: int | None = None,
        unit_code: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Write a refused attempt to the audit log (best effort: a full disk must not hide the refusal)."""
        entry: dict[str, Any] = {
            "time": _now().isoformat(),
            "user": account.name if account else None,
            "role": account.role if account else None,
            "kind": kind,
            "file_name": file_name,
            "sha256": _sha256(data) if data is not None else None,
            "rows": rows,
            "size": len(data) if data is not None else None,
            "unit_code": unit_code,
            "previous": self._safe_current_number(),
            "version": None,
            "outcome": "refused",
            "code": code,
            "reason": message,
        }
        if extra:
            entry.update(extra)
        with contextlib.suppress(OSError, StoreError), self._locked():
            self._append_audit(entry)

    def log_action(self, account: Account | None, *, kind: str, outcome: str, **fields: Any) -> None:
        """Write an action that is not a version (e.g. reminders sent) to the audit log, under the lock:
        time, user, role, `kind`, `outcome` and `fields` (no secrets). Raises StoreError/OSError."""
        entry: dict[str, Any] = {
            "time": _now().isoformat(),
            "user": account.name if account else None,
            "role": account.role if account else None,
            "kind": kind,
            "version": None,
            "outcome": outcome,
            **fields,
        }
        with self._locked():
            self._append_audit(entry)

    def _safe_current_number(self) -> int | None:
        try:
            return self.current_number()
        except StoreError:
            return None

    def check_permission(self, account: Account | None, kind: str, unit_code: str | None = None) -> None:
        """Raise StoreError("forbidden"/"bad_kind") unless `account` may make an update of `kind`."""
        if kind not in KINDS:
            raise StoreError("bad_kind", f"Loại cập nhật không hợp lệ: {kind!r}.")
        if account is None or account.role not in ("unit", "admin"):
            raise StoreError("forbidden", "Tài khoản của bạn chỉ được xem, không có quyền cập nhật dữ liệu.")
        if account.role == "admin":
            if kind == "unit" and not unit_code:
                raise StoreError("bad_kind", "Cập nhật của một đơn vị phải nêu mã đơn vị.")
            return
        own = (account.unit_code or "").strip().upper()
        if kind == "rollback":
            raise StoreError("forbidden", "Chỉ quản trị viên mới được khôi phục phiên bản cũ.")
        if kind != "unit":
            raise StoreError(
                "forbidden",
                f"Tài khoản đơn vị chỉ được nộp số liệu của đơn vị mình ({own}), "
                "không được thay thế toàn bộ tệp dữ liệu.",
            )
        if not own or (unit_code or "").strip().upper() != own:
            raise StoreError(
                "forbidden",
                f"Tài khoản của bạn chỉ được nộp số liệu của đơn vị {own}, không phải của đơn vị {unit_code}.",
            )

    def authorize(
        self, account: Account | None, kind: str, unit_code: str | None = None, *, file_name: str = ""
    ) -> None:
        """check_permission, audit-logging a refusal."""
        try:
            self.check_permission(account, kind, unit_code)
        except StoreError as exc:
            self.log_refusal(
                account,
                kind=kind,
                code=exc.code,
                message=exc.message,
                file_name=file_name,
                unit_code=unit_code,
            )
            raise

    def publish(
        self,
        data: bytes,
        *,
        account: Account | None,
        kind: str,
        file_name: str,
        base_version: int | None,
        unit_code: str | None = None,
        rows: int | None = None,
        closure: ClosureCheck | None = None,
        audit: dict[str, Any] | None = None,
        derived: Callable[[Version], object] | None = None,
    ) -> Version:
        """Publish `data` as the next version (`audit`: extra fields for its audit entry, e.g. a batch's files).

        `derived(version)` writes what is derived from the version (its columnar snapshot) in the same
        step: under the lock, after the version's files and before the pointer makes it current, so a
        killed publish leaves no derived file without its version (the next repair deletes both). It must
        not raise: a snapshot it fails to write is rebuilt from the .xlsx by its reader.

        The caller has already read `data` safely and found no errors (submissions.prepare_update).
        Refused (StoreError, audit-logged): no permission, a preview made on another version than the
        current one ("stale"), content identical to the current version ("duplicate"), not an .xlsx, and,
        with a `closure` check, a closure made or moved later than the preview's ("closed_changed"); the
        closed changes it confirmed are written in the version's audit entry (`closed_changes`).
        """
        if kind == "rollback":
            exc = StoreError("bad_kind", "Dùng chức năng khôi phục để quay về một phiên bản cũ.")
            self.log_refusal(account, kind=kind, code=exc.code, message=exc.message, file_name=file_name)
            raise exc
        unit_code = unit_code.strip().upper() if unit_code else None
        return self._commit(
            data,
            account=account,
            kind=kind,
            file_name=file_name,
            base_version=base_version,
            unit_code=unit_code,
            rows=rows,
            closure=closure,
            audit=audit,
            derived=derived,
        )

    def rollback(self, number: int, account: Account | None) -> Version:
        """Make the content of version `number` current again, as a new version (admins only)."""
        file_name = f"phiên bản {number}"
        self.authorize(account, "rollback", file_name=file_name)
        try:
            old = self.version(number)
            data = self.read_bytes(number)
        except StoreError as exc:
            self.log_refusal(
                account, kind="rollback", code=exc.code, message=exc.message, file_name=file_name
            )
            raise
        return self._commit(
            data,
            account=account,
            kind="rollback",
            file_name=old.file_name,
            base_version=self.current_number(),
            unit_code=None,
            rows=old.rows,
            rollback_of=number,
        )

    def _write_version(
        self, version: Version, data: bytes, derived: Callable[[Version], object] | None = None
    ) -> bool:
        """Under the lock: write the bytes, the metadata, what is `derived` from them (Store.publish), then
        the pointer (the commit point). False when the pointer was written but a later fsync failed (the
        repair then logged the version)."""
        try:
            atomic_write(version.path, data)
            meta = json.dumps(version.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
            atomic_write(self._meta_path(version.number), meta)
            if derived is not None:
                derived(version)
            pointer = json.dumps({"number": version.number, "sha256": version.sha256}).encode("utf-8")
            atomic_write(self.pointer_path, pointer)  # the commit point
        except OSError as exc:
            with contextlib.suppress(OSError):
                self._repair_locked()
            if self.current_number() == version.number:  # committed; only the folder fsync failed
                return False
            raise _disk_error(exc) from exc
        return True

    def _commit(
        self,
        data: bytes,
        *,
        account: Account | None,
        kind: str,
        file_name: str,
        base_version: int | None,
        unit_code: str | None,
        rows: int | None,
        rollback_of: int | None = None,
        closure: ClosureCheck | None = None,
        audit: dict[str, Any] | None = None,
        derived: Callable[[Version], object] | None = None,
    ) -> Version:
        def refuse(exc: StoreError) -> StoreError:
            self.log_refusal(
                account,
                kind=kind,
                code=exc.code,
                message=exc.message,
                file_name=file_name,
                data=data if isinstance(data, bytes) else None,
                rows=rows,
                unit_code=unit_code,
            )
            return exc

        if kind != "rollback":
            self.authorize(account, kind, unit_code, file_name=file_name)
        assert account is not None
        if not isinstance(data, bytes | bytearray) or not data:
            raise refuse(StoreError("empty", "Tệp tải lên rỗng."))
        data = bytes(data)
        if not data.startswith(_ZIP_MAGIC):
            raise refuse(StoreError("not_xlsx", "Tệp không phải là tệp Excel (.xlsx)."))
        digest = _sha256(data)
        try:
            with self._locked():
                self._repair_locked()
                current = self.current_number()
                if base_version != current:
                    raise StoreError(
                        "stale",
                        f"Dữ liệu đã được cập nhật (hiện là phiên bản {current}) sau khi bạn xem trước "
                        f"trên phiên bản {base_version or 'trống'}. Bản xem trước đã cũ: hãy tải tệp lên "
                        "lại để xem trước những thay đổi so với dữ liệu mới nhất.",
                    )
                if closure is not None:
                    self._check_closure_unchanged(closure)
                if current is not None and self._load_version(current).sha256 == digest:
                    raise StoreError(
                        "duplicate",
                        f"Tệp này giống hệt dữ liệu hiện hành (phiên bản {current}); không có gì để cập nhật.",
                    )
                number = self._next_number(current)
                version = Version(
                    number=number,
                    sha256=digest,
                    path=self._version_path(number),
                    created_at=_now(),
                    user=account.name,
                    kind=kind,
                    file_name=file_name,
                    rows=rows,
                    previous=current,
                    unit_code=unit_code,
                    size=len(data),
                    rollback_of=rollback_of,
                )
                if not self._write_version(version, data, derived):  # committed, its audit entry recovered
                    return version
                with contextlib.suppress(OSError):  # repaired by the next writer if this fails
                    entry = {**(audit or {}), **self._published_entry(version)}  # its own fields win
                    if closure is not None and closure.confirmed:
                        entry["closed_changes"] = closure.confirmed  # confirmed by the admin
                    self._append_audit(entry)
                return version
        except StoreError as exc:
            if exc.code in ("stale", "duplicate", "disk_full", "io_error", "corrupt", "closed_changed"):
                raise refuse(exc) from exc.__cause__
            raise
