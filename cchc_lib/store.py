"""Published workbook versions on disk: immutable versions, an audit log, atomic publish under a lock."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from cchc_lib.accounts import Account
from cchc_lib.atomic import TEMP_PREFIX, atomic_write
from cchc_lib.errors import UserError
from cchc_lib.formatting import fmt_int

__all__ = [
    "CACHE_DIR",
    "DAMAGED_DIR",
    "KINDS",
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

KINDS = ("replace", "unit", "rollback")
REPORT_TEXTS_KIND = "report_texts"  # audit entries of saved report texts (not a version kind)
COLUMN_MAPPING_KIND = "column_mapping"  # audit entries of saved column mappings (not a version kind)
WHOLE_BOOK = "*"  # the key of the column mapping kept for whole-workbook uploads ("toàn bộ sổ")
_SAFE_KEY = re.compile(r"^[A-Z0-9][A-Z0-9_.\-]{0,79}$")  # a unit code usable as a file name
REPORT_TEXT_MAX_CHARS = 20_000  # one section's text; a whole quarterly report is ~15,000 characters
LOG = logging.getLogger(__name__)
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_ZIP_MAGIC = b"PK\x03\x04"
_VERSION_RE = re.compile(r"^(\d{6})\.(xlsx|json)$")
_LOCK_TIMEOUT_S = 60.0
CACHE_DIR = "cache"  # derived data beside the versions (cchc_lib.version_keys)
DAMAGED_DIR = "damaged"  # where `restore_last_good` moves damaged files: never deleted
REPAIR_KIND = "repair"  # audit entries of a store repair (not a version kind)
_CACHE_NAME = re.compile(r"^keys-v\d+-[0-9a-f]{64}\.parquet$")

# Layout under the root folder:
#   versions/000012.xlsx   the published workbook, never changed after publishing
#   versions/000012.json   its metadata (the Version fields)
#   current                {"number": 12, "sha256": "..."}: the one pointer that makes a version current
#   audit.jsonl            one JSON object per line: every publish, rollback, repair and refused attempt
#   .lock                  the FileLock guarding every write
#   cache/keys-v1-<sha256>.parquet
#                          derived activity keys of a version (cchc_lib.version_keys), checked like the rest
#   damaged/<time>/...     files a repair found damaged, moved there (never deleted) with the old pointer
#   report_texts/<calendar>/<period>.json
#                          the clerk's own words for a report: {"period", "calendar", "texts": {key: text},
#                          "updated_at", "user"}; replaced atomically under the lock, audit-logged
#   column_mappings/<unit code>.json (or _toan_bo_so.json)
#                          a unit's own column headers -> the format's fields: {"key", "mapping", "updated_at",
#                          "user"}; replaced atomically under the lock, audit-logged (column_mapping.py)
# Temp files are named ".tmp-*" in the folder of their final file; readers ignore them and the next
# write (or `repair()`, which `Store()` runs when the lock is free) deletes leftovers of a killed writer,
# together with the one version written but never made current: numbered just above every version the
# pointer or the audit log knows, the highest file, without an audit entry. Nothing else is ever deleted:
# `check()` reports damage (pointer, metadata, bytes, cache, audit) and `restore_last_good()` moves the
# damaged files to damaged/ and makes the last good version current again.


class StoreError(UserError):
    """A refused or failed store operation: `code` for programs, `message` (Vietnamese) for people."""


@dataclass(frozen=True)
class Version:
    """One published version of the workbook."""

    number: int
    sha256: str
    path: Path
    created_at: datetime  # local time, timezone-aware
    user: str
    kind: str  # "replace" | "unit" | "rollback"
    file_name: str
    rows: int | None  # activity rows in the workbook (None when unknown)
    previous: int | None  # the version that was current before this one
    unit_code: str | None = None  # for kind "unit"
    size: int = 0
    rollback_of: int | None = None  # for kind "rollback"

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "sha256": self.sha256,
            "created_at": self.created_at.isoformat(),
            "user": self.user,
            "kind": self.kind,
            "file_name": self.file_name,
            "rows": self.rows,
            "previous": self.previous,
            "unit_code": self.unit_code,
            "size": self.size,
            "rollback_of": self.rollback_of,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any], path: Path) -> Version:
        return cls(
            number=int(raw["number"]),
            sha256=str(raw["sha256"]),
            path=path,
            created_at=datetime.fromisoformat(raw["created_at"]),
            user=str(raw["user"]),
            kind=str(raw["kind"]),
            file_name=str(raw.get("file_name") or ""),
            rows=raw.get("rows"),
            previous=raw.get("previous"),
            unit_code=raw.get("unit_code"),
            size=int(raw.get("size") or 0),
            rollback_of=raw.get("rollback_of"),
        )


@dataclass(frozen=True)
class Finding:
    """One thing `Store.check` found: `code` for programs, `message` (Vietnamese) for people."""

    code: str
    message: str
    number: int | None = None  # the version concerned
    path: str = ""  # the file concerned, relative to the store folder


@dataclass(frozen=True)
class Health:
    """What `Store.check` found. `state`: "empty" (nothing was ever published), "ok" (the current version
    is readable and matches its checksum, nothing damaged) or "damaged" (see `problems`)."""

    state: str
    current: Version | None  # the checked current version ("ok" only)
    problems: tuple[Finding, ...] = ()
    notes: tuple[Finding, ...] = ()  # not problems: e.g. versions moved to damaged/ by an earlier repair
    checked: tuple[str, ...] = ()  # what was checked, in Vietnamese (for `store verify`)

    @property
    def ok(self) -> bool:
        return self.state != "damaged"

    @property
    def needs_republish(self) -> bool:
        """Damaged only in that no valid version is left: publishing a whole workbook is the remedy."""
        return self.state == "damaged" and {f.code for f in self.problems} == {"no_valid_version"}


@dataclass(frozen=True)
class RepairPlan:
    """What `Store.restore_last_good` would do: move `moves` to damaged/, then make version `restore`
    current, as the new version `new_number` (a restore of older content) or by rewriting the pointer
    (`new_number` None: `restore` is the latest version, only the pointer was wrong)."""

    problems: tuple[Finding, ...]
    moves: tuple[str, ...]  # paths relative to the store folder
    restore: int | None  # the last good version; None: no good version is left
    new_number: int | None
    pointer_rewrite: bool

    @property
    def needed(self) -> bool:
        return bool(self.moves or self.pointer_rewrite or self.new_number)


def file_sha256(path: Path) -> str:
    """The sha256 of the file at `path` (read in 1 MB pieces)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _now() -> datetime:
    return datetime.now().astimezone()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _disk_error(exc: OSError) -> StoreError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StoreError(
            "disk_full",
            "Ổ đĩa của máy chủ đã đầy nên không lưu được dữ liệu. Dữ liệu hiện hành vẫn nguyên vẹn; "
            "hãy báo quản trị viên giải phóng dung lượng rồi thử lại.",
        )
    return StoreError(
        "io_error",
        f"Không ghi được dữ liệu lên đĩa ({exc.strerror or exc}). Dữ liệu hiện hành vẫn nguyên vẹn.",
    )


def clean_report_text(value: object) -> str:
    """A clerk's text made safe to keep: NFC, line breaks as "\\n", tabs and no-break spaces as spaces,
    control and invisible characters removed, trailing spaces of each line and blank edges dropped."""
    text = unicodedata.normalize("NFC", str(value))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2007", " ")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    text = _TEXT_CONTROL.sub("", text)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n").strip()


def text_digest(text: str) -> str:
    """A short fingerprint of a report text (after clean_report_text), to tell whether it changed."""
    return hashlib.sha256(clean_report_text(text).encode("utf-8")).hexdigest()[:16]


def _texts_label(period_name: str, calendar: str) -> str:
    """What the history page shows in the audit's file column: "Nội dung báo cáo Quý I năm 2024 (lịch báo cáo)"."""
    from cchc_lib.periods import REPORT, parse_period

    which = "lịch chốt số liệu báo cáo" if calendar == REPORT else "quý dương lịch"
    return f"Nội dung báo cáo {parse_period(period_name).label} ({which})"


def _editable_keys() -> tuple[str, ...]:
    """The section keys a clerk may rewrite (report_content.EDITABLE_KEYS), in report order."""
    from cchc_lib.report_content import EDITABLE_KEYS

    return tuple(EDITABLE_KEYS)


class Store:
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

    # ------------------------------------------------------------ report texts
    def _texts_path(self, period_name: str, calendar: str) -> Path:
        """report_texts/<calendar>/<period>.json; StoreError "bad_period" for a name that is not a period."""
        from cchc_lib.periods import CALENDARS, PeriodError, parse_period

        try:
            name = parse_period(period_name).name
        except PeriodError as exc:
            raise StoreError("bad_period", str(exc)) from exc
        if calendar not in CALENDARS:
            raise StoreError("bad_period", f"Lịch không hợp lệ: {calendar!r} (chọn calendar hoặc report).")
        return self.root / "report_texts" / calendar / f"{name}.json"

    def _texts_record(self, period_name: str, calendar: str) -> dict[str, Any]:
        """The texts file of the period as {"texts": {...}, "basis": {...}, "user", "updated_at"}, checked:
        {} when absent, damaged, unreadable or naming another period (a warning is logged)."""
        path = self._texts_path(period_name, calendar)
        name = path.stem
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            LOG.warning("Report texts %s unreadable, ignored: %s", path, exc)
            return {}
        if not isinstance(raw, dict) or raw.get("period") != name or raw.get("calendar") != calendar:
            LOG.warning("Report texts %s do not belong to %s (%s), ignored", path, name, calendar)
            return {}
        texts = raw.get("texts")
        if not isinstance(texts, dict):
            LOG.warning("Report texts %s hold no texts, ignored", path)
            return {}
        known = _editable_keys()
        kept = {k: clean_report_text(texts[k]) for k in known if isinstance(texts.get(k), str)}
        dropped = sorted(set(texts) - set(kept))
        if dropped:
            LOG.warning("Report texts %s: entries %s ignored (unknown keys or not text)", path, dropped)
        kept = {k: v[:REPORT_TEXT_MAX_CHARS] for k, v in kept.items() if v}
        basis = raw.get("basis") if isinstance(raw.get("basis"), dict) else {}
        return {
            "texts": kept,
            "basis": {k: str(v) for k, v in basis.items() if k in kept and isinstance(v, str)},
            "user": raw.get("user") if isinstance(raw.get("user"), str) else None,
            "updated_at": raw.get("updated_at") if isinstance(raw.get("updated_at"), str) else None,
        }

    def report_texts(self, period_name: str, calendar: str) -> dict[str, str]:
        """The clerk's saved texts of the report of `period_name` under `calendar`: {section key: text},
        {} when none were saved. A damaged or unreadable file, or one naming another period, counts as
        none (a warning is logged); keys that are no longer section keys are left out."""
        return dict(self._texts_record(period_name, calendar).get("texts", {}))

    def report_texts_basis(self, period_name: str, calendar: str) -> dict[str, str]:
        """{section key: text_digest of the generated text the clerk's text was saved against} for the
        saved texts whose save named it (see save_report_texts `basis`)."""
        return dict(self._texts_record(period_name, calendar).get("basis", {}))

    def report_texts_saved_by(self, period_name: str, calendar: str) -> tuple[str | None, datetime | None]:
        """Who saved the report texts last and when (None, None when none are saved)."""
        record = self._texts_record(period_name, calendar)
        when = record.get("updated_at")
        try:
            stamp = datetime.fromisoformat(when) if when else None
        except ValueError:
            stamp = None
        return record.get("user"), stamp

    def check_texts_permission(self, account: Account | None) -> None:
        """Raise StoreError("forbidden") unless `account` may save report texts (admins: the standing office)."""
        if account is None or account.role != "admin":
            raise StoreError(
                "forbidden",
                "Chỉ quản trị viên (cơ quan thường trực) mới được sửa và lưu nội dung báo cáo.",
            )

    def _clean_texts(self, texts: Mapping[str, str]) -> dict[str, str]:
        if not isinstance(texts, Mapping):
            raise StoreError("bad_texts", "Nội dung báo cáo phải là các cặp mục – nội dung.")
        known = _editable_keys()
        unknown = [str(k) for k in texts if k not in known]
        if unknown:
            raise StoreError(
                "bad_key",
                f"Mục báo cáo không có: {', '.join(unknown)}. Các mục sửa được: {', '.join(known)}.",
            )
        cleaned: dict[str, str] = {}
        for key in known:
            if key not in texts or texts[key] is None:
                continue
            if not isinstance(texts[key], str):
                raise StoreError("bad_texts", f"Nội dung mục {key} phải là văn bản.")
            text = clean_report_text(texts[key])
            if len(text) > REPORT_TEXT_MAX_CHARS:
                raise StoreError(
                    "too_long",
                    f"Nội dung mục {key} dài {fmt_int(len(text))} ký tự, vượt giới hạn "
                    f"{fmt_int(REPORT_TEXT_MAX_CHARS)} ký tự. Hãy rút gọn rồi lưu lại.",
                )
            if text:  # an emptied text area means: back to the generated text
                cleaned[key] = text
        return cleaned

    def save_report_texts(
        self,
        period_name: str,
        calendar: str,
        texts: Mapping[str, str],
        account: Account | None,
        *,
        basis: Mapping[str, str] | None = None,
        expected: Mapping[str, str] | None = None,
    ) -> None:
        """Keep `texts` ({section key: the clerk's text}) as the report texts of `period_name` under
        `calendar`, replacing what was saved: a key left out (or an empty text) goes back to the generated
        text. Admins only (StoreError "forbidden", audit-logged); StoreError "bad_key" / "too_long" /
        "bad_texts" / "bad_period" for what cannot be kept. One audit entry per save that changes
        something, naming the account, period, calendar, the keys changed and the keys reset.
        `basis` ({section key: the generated text the clerk edited}) is kept as a digest for the keys
        given, so that the page can say when the figures changed after the save; a key not in `basis`
        keeps its earlier digest while its text is unchanged. With `expected` (the saved texts the clerk
        started from) the save is refused (StoreError "stale", audit-logged) when someone else saved other
        texts in the meantime, checked under the lock."""
        kind_info = {"period": str(period_name), "calendar": str(calendar)}
        try:
            label = _texts_label(str(period_name), str(calendar))
        except ValueError:  # not a period: refused below
            label = str(period_name)[:40]

        def refuse(exc: StoreError) -> None:
            self.log_refusal(
                account,
                kind=REPORT_TEXTS_KIND,
                code=exc.code,
                message=exc.message,
                file_name=label,
                extra=kind_info,
            )

        try:
            self.check_texts_permission(account)
            path = self._texts_path(period_name, calendar)
            cleaned = self._clean_texts(texts)
        except StoreError as exc:
            refuse(exc)
            raise
        assert account is not None
        try:
            with self._locked():
                record = self._texts_record(period_name, calendar)
                before, old_basis = record.get("texts", {}), record.get("basis", {})
                if expected is not None and before != {
                    k: clean_report_text(v) for k, v in expected.items() if clean_report_text(v)
                }:
                    who = record.get("user") or "người khác"
                    raise StoreError(
                        "stale",
                        f"Nội dung báo cáo kỳ này vừa được {who} lưu sau khi bạn mở trang; "
                        "nội dung của bạn chưa được lưu.",
                    )
                changed = sorted(k for k, v in cleaned.items() if before.get(k) != v)
                reset = sorted(k for k in before if k not in cleaned)
                digests = {}
                for key in cleaned:
                    if basis is not None and isinstance(basis.get(key), str):
                        digests[key] = text_digest(basis[key])
                    elif key not in changed and key in old_basis:
                        digests[key] = old_basis[key]
                if not changed and not reset and digests == old_basis:
                    return
                now = _now().isoformat()
                content = {
                    "period": path.stem,
                    "calendar": calendar,
                    "texts": cleaned,
                    "basis": digests,
                    "updated_at": now,
                    "user": account.name,
                }
                data = json.dumps(content, ensure_ascii=False, indent=1).encode("utf-8")
                try:
                    for entry in path.parent.glob(f"{TEMP_PREFIX}*"):  # a killed writer's leftovers
                        entry.unlink(missing_ok=True)
                    atomic_write(path, data)
                except OSError as exc:
                    raise _disk_error(exc) from exc
                with contextlib.suppress(OSError):
                    self._append_audit(
                        {
                            "time": now,
                            "user": account.name,
                            "role": account.role,
                            "kind": REPORT_TEXTS_KIND,
                            "period": path.stem,
                            "calendar": calendar,
                            "changed": changed,
                            "reset": reset,
                            "file_name": label,
                            "version": None,
                            "outcome": "saved",
                        }
                    )
        except StoreError as exc:
            if exc.code in ("disk_full", "io_error", "stale"):
                refuse(exc)
            raise

    # ---------------------------------------------------------- column mappings
    def _mapping_path(self, key: str) -> Path:
        """column_mappings/<key>.json: the unit code as the file name (a hash for a code that is not a safe
        file name), `_toan_bo_so` for the whole workbook."""
        if key == WHOLE_BOOK:
            name = "_toan_bo_so"
        else:
            name = key if _SAFE_KEY.match(key) else "unit-" + _sha256(key.encode("utf-8"))[:16]
        return self.root / "column_mappings" / f"{name}.json"

    @staticmethod
    def _mapping_key(key: object) -> str:
        text = str(key or "").strip()
        if text == WHOLE_BOOK:
            return WHOLE_BOOK
        text = unicodedata.normalize("NFC", text).upper()
        if not text or len(text) > 80 or _TEXT_CONTROL.search(text):
            raise StoreError("bad_key", "Mã đơn vị của cách ghép cột không hợp lệ.")
        return text

    def column_mapping_record(self, key: str) -> dict[str, Any] | None:
        """The saved mapping of `key` (a unit code, or WHOLE_BOOK) as {"mapping", "user", "updated_at"},
        checked against the format; None when none is saved or the file is unreadable (logged)."""
        from cchc_lib.column_mapping import MappingError, validate_mapping

        try:
            key = self._mapping_key(key)
        except StoreError:
            return None
        path = self._mapping_path(key)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            LOG.warning("Column mapping %s unreadable, ignored: %s", path, exc)
            return None
        if not isinstance(raw, dict) or raw.get("key") != key:
            LOG.warning("Column mapping %s does not belong to %s, ignored", path, key)
            return None
        try:
            mapping = validate_mapping(raw.get("mapping"))
        except MappingError as exc:
            LOG.warning("Column mapping %s invalid, ignored: %s", path, exc.message)
            return None
        if not mapping:
            return None
        return {"mapping": mapping, "user": raw.get("user"), "updated_at": raw.get("updated_at")}

    def column_mapping(self, key: str) -> dict[str, dict[str, str]] | None:
        """The saved column mapping ({sheet: {file header: field}}) of a unit code or WHOLE_BOOK, or None."""
        record = self.column_mapping_record(key)
        return record["mapping"] if record else None

    def check_mapping_permission(self, account: Account | None, key: str) -> None:
        """Raise StoreError("forbidden") unless `account` may keep a mapping under `key`: a unit account
        for its own unit, an admin for any unit and for the whole workbook."""
        if account is None or account.role not in ("unit", "admin"):
            raise StoreError("forbidden", "Tài khoản của bạn chỉ được xem, không được lưu cách ghép cột.")
        if account.role == "admin":
            return
        own = (account.unit_code or "").strip().upper()
        if key == WHOLE_BOOK or key != own:
            which = "của toàn bộ sổ" if key == WHOLE_BOOK else f"của đơn vị {key}"
            raise StoreError(
                "forbidden",
                f"Tài khoản đơn vị chỉ được lưu cách ghép cột của đơn vị mình ({own}), không phải {which}.",
            )

    def save_column_mapping(
        self, key: str, mapping: Mapping[str, Mapping[str, str]] | None, account: Account | None
    ) -> None:
        """Keep `mapping` ({sheet: {file header: field}}, validated) as the column mapping of `key` (a unit
        code, or WHOLE_BOOK), replacing what was saved; None or an empty mapping forgets it. Written
        atomically under the lock; one audit entry per save or removal that changes something. StoreError
        "forbidden" (audit-logged) / "bad_mapping" / "bad_key"."""
        from cchc_lib.column_mapping import MappingError, validate_mapping

        label = "Cách ghép cột " + ("toàn bộ sổ" if str(key).strip() == WHOLE_BOOK else f"đơn vị {key}")

        def refuse(exc: StoreError) -> None:
            self.log_refusal(
                account,
                kind=COLUMN_MAPPING_KIND,
                code=exc.code,
                message=exc.message,
                file_name=label,
                extra={"key": str(key)[:80]},
            )

        try:
            key = self._mapping_key(key)
            self.check_mapping_permission(account, key)
            try:
                cleaned = validate_mapping(mapping) if mapping else {}
            except MappingError as exc:
                raise StoreError("bad_mapping", exc.message) from exc
        except StoreError as exc:
            refuse(exc)
            raise
        assert account is not None
        path = self._mapping_path(key)
        try:
            with self._locked():
                before = self.column_mapping(key) or {}
                if before == cleaned:
                    return
                now = _now().isoformat()
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    for entry in path.parent.glob(f"{TEMP_PREFIX}*"):  # a killed writer's leftovers
                        entry.unlink(missing_ok=True)
                    if cleaned:
                        content = {"key": key, "mapping": cleaned, "updated_at": now, "user": account.name}
                        atomic_write(path, json.dumps(content, ensure_ascii=False, indent=1).encode("utf-8"))
                    else:
                        path.unlink(missing_ok=True)
                except OSError as exc:
                    raise _disk_error(exc) from exc
                with contextlib.suppress(OSError):
                    self._append_audit(
                        {
                            "time": now,
                            "user": account.name,
                            "role": account.role,
                            "kind": COLUMN_MAPPING_KIND,
                            "key": key,
                            "unit_code": None if key == WHOLE_BOOK else key,
                            "mapping": cleaned,
                            "file_name": label,
                            "version": None,
                            "removed": not cleaned,  # forgotten: the unit's next file is asked again
                            "outcome": "saved",
                        }
                    )
        except StoreError as exc:
            if exc.code in ("disk_full", "io_error"):
                refuse(exc)
            raise

    # ------------------------------------------------------------------ health
    def _audit_lines(self) -> tuple[list[dict[str, Any]], list[int], bool]:
        """(entries, numbers of the lines that are not JSON objects, readable) of the audit log."""
        try:
            text = self.audit_path.read_bytes().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return [], [], True
        except OSError:
            return [], [], False
        entries, bad = [], []
        for i, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                entry = None
            if isinstance(entry, dict):
                entries.append(entry)
            else:
                bad.append(i)
        return entries, bad, True

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

    def check(
        self,
        *,
        deep: bool = True,
        digest: Callable[[Path], str] = file_sha256,
        cache_check: Callable[[Path, str], str | None] | None = None,
    ) -> Health:
        """Check the store without changing it (see Health).

        Always: the pointer (readable, naming a version that exists, same sha256 as its metadata, not
        behind a later published version), the metadata of every version present or named by the audit
        log (readable, its own number, the sha256 the audit log recorded), the current version's bytes
        against its sha256, every cache file (`cache_check(path, sha256)`: a reason or None; default
        version_keys.check_cache_file). With `deep` also every version's bytes and every audit line (the
        audit log has no hash chain: each line must be a JSON object; a published version it names must
        exist). `digest(path)` gives a file's sha256 (the web passes a memoised one)."""
        if cache_check is None:
            from cchc_lib.version_keys import check_cache_file as cache_check
        problems: list[Finding] = []
        notes: list[Finding] = []

        def problem(code: str, message: str, number: int | None = None, path: str = "") -> None:
            problems.append(Finding(code, message, number, path))

        # The audit log first: an entry is written after the pointer moved, so a version it names as
        # published is never newer than the pointer read next (no false alarm during a publish).
        entries, bad_lines, audit_readable = self._audit_lines()
        published, quarantined = self._audit_versions(entries)
        files = self._version_files()
        try:
            pointer = self._pointer()
            pointer_ok = True
        except StoreError:
            pointer, pointer_ok = None, False
        checked = ["tệp chỉ phiên bản hiện hành (current)"]
        if (
            pointer_ok
            and pointer is None
            and not files
            and not published
            and not quarantined
            and not bad_lines
            and audit_readable
            and not (self.root / DAMAGED_DIR).exists()
        ):
            return Health("empty", None, checked=tuple(checked))

        if not pointer_ok:
            problem(
                "pointer_corrupt",
                "Tệp «current» (chỉ phiên bản hiện hành) bị hỏng: không đọc được.",
                path="current",
            )
        elif pointer is None:
            if files or set(published) - quarantined:
                problem(
                    "pointer_missing",
                    "Tệp «current» (chỉ phiên bản hiện hành) không còn, dù kho đã có phiên bản được công bố.",
                    path="current",
                )
            else:
                problem(
                    "no_valid_version",
                    "Kho không còn phiên bản dữ liệu hợp lệ nào (các phiên bản hỏng đã được chuyển vào "
                    f"thư mục {DAMAGED_DIR}/).",
                )
        if not self.versions_dir.is_dir() and (pointer is not None or set(published) - quarantined):
            problem(
                "versions_missing",
                "Thư mục versions/ (các phiên bản đã công bố) không còn trên đĩa.",
                path="versions",
            )

        current_number = pointer[0] if pointer else None
        numbers = set(files) | (set(published) - quarantined)
        if current_number is not None:
            numbers.add(current_number)
        metas: dict[int, Version] = {}
        for n in sorted(numbers):
            kinds = files.get(n, set())
            xlsx, meta = f"versions/{n:06d}.xlsx", f"versions/{n:06d}.json"
            if not kinds:
                if n in quarantined:
                    continue
                if n == current_number:
                    problem(
                        "pointer_unknown",
                        f"Tệp «current» chỉ đến phiên bản số {n}, nhưng không có phiên bản đó trong versions/.",
                        n,
                        xlsx,
                    )
                elif self.versions_dir.is_dir():
                    problem(
                        "version_missing",
                        f"Phiên bản số {n} đã được công bố nhưng không còn tệp nào của nó trong versions/.",
                        n,
                        xlsx,
                    )
                continue
            if "json" not in kinds:
                problem("meta_missing", f"Phiên bản số {n} mất tệp thông tin ({meta}).", n, meta)
            else:
                try:
                    version = self._load_version(n)
                except StoreError:
                    problem("meta_corrupt", f"Tệp thông tin của phiên bản số {n} ({meta}) bị hỏng.", n, meta)
                else:
                    if version.number != n:
                        problem(
                            "meta_corrupt",
                            f"Tệp thông tin {meta} ghi số phiên bản {version.number}, không phải {n}.",
                            n,
                            meta,
                        )
                    elif published.get(n) and published[n] != version.sha256:
                        problem(
                            "audit_sha",
                            f"Mã kiểm tra (sha256) trong thông tin của phiên bản số {n} khác với mã nhật ký "
                            "đã ghi khi công bố: thông tin hoặc tệp đã bị thay.",
                            n,
                            meta,
                        )
                    else:
                        metas[n] = version
            if "xlsx" not in kinds:
                problem("bytes_missing", f"Tệp dữ liệu của phiên bản số {n} ({xlsx}) không còn.", n, xlsx)
            elif n in metas and (deep or n == current_number):
                try:
                    actual = digest(self._version_path(n))
                except OSError:
                    problem(
                        "bytes_unreadable",
                        f"Không đọc được tệp dữ liệu của phiên bản số {n} ({xlsx}).",
                        n,
                        xlsx,
                    )
                else:
                    if actual != metas[n].sha256:
                        del metas[n]
                        problem(
                            "bytes_mismatch",
                            f"Tệp dữ liệu của phiên bản số {n} ({xlsx}) không khớp mã kiểm tra (sha256): "
                            "đã bị sửa, cắt cụt hoặc hỏng.",
                            n,
                            xlsx,
                        )
        checked.append(f"tệp thông tin của {len(numbers)} phiên bản (versions/*.json)")
        if deep:
            checked.append(f"tệp dữ liệu của {len(numbers)} phiên bản so với mã kiểm tra sha256")
        else:
            checked.append("tệp dữ liệu của phiên bản hiện hành so với mã kiểm tra sha256")

        if pointer is not None and current_number in metas and metas[current_number].sha256 != pointer[1]:
            problem(
                "pointer_sha",
                f"Mã kiểm tra trong tệp «current» khác với mã của phiên bản số {current_number}.",
                current_number,
                "current",
            )
        later = [
            n for n in published if current_number is not None and n > current_number and n not in quarantined
        ]
        if later:
            problem(
                "pointer_behind",
                f"Tệp «current» chỉ đến phiên bản số {current_number}, nhưng phiên bản số {max(later)} đã được "
                "công bố sau đó.",
                current_number,
                "current",
            )
        for n in sorted(quarantined):
            if n not in files:
                notes.append(
                    Finding(
                        "quarantined", f"Phiên bản số {n} đã được chuyển vào {DAMAGED_DIR}/ khi sửa kho.", n
                    )
                )

        cache_dir = self.root / CACHE_DIR
        cache_files = (
            sorted(e for e in cache_dir.iterdir() if _CACHE_NAME.match(e.name)) if cache_dir.is_dir() else []
        )
        for entry in cache_files:
            reason = cache_check(entry, entry.stem.rsplit("-", 1)[1])
            if reason:
                rel = f"{CACHE_DIR}/{entry.name}"
                problem("cache_corrupt", f"Tệp bộ nhớ đệm {rel} bị hỏng: {reason}.", path=rel)
        checked.append(f"{len(cache_files)} tệp bộ nhớ đệm ({CACHE_DIR}/)")

        if not audit_readable:
            problem("audit_unreadable", "Không đọc được nhật ký thao tác (audit.jsonl).", path="audit.jsonl")
        if deep or pointer is None:
            for line in bad_lines:
                problem(
                    "audit_line",
                    f"Dòng {line} của nhật ký thao tác (audit.jsonl) không đọc được.",
                    path="audit.jsonl",
                )
        if deep:
            checked.append(
                f"nhật ký thao tác (audit.jsonl, {len(entries) + len(bad_lines)} dòng): mỗi dòng là một đối tượng "
                "JSON, mọi phiên bản nhật ký ghi đã công bố còn trong kho với cùng mã sha256 (nhật ký không có "
                "chuỗi băm nên một dòng bị xóa hay bị sửa khéo không phát hiện được)"
            )
        if problems:
            return Health("damaged", None, tuple(problems), tuple(notes), tuple(checked))
        return Health("ok", metas[current_number], (), tuple(notes), tuple(checked))

    _VERSION_DAMAGE = frozenset(
        {"meta_missing", "meta_corrupt", "bytes_missing", "bytes_mismatch", "bytes_unreadable", "audit_sha",
         "version_missing", "pointer_unknown"}
    )  # fmt: skip

    def repair_plan(
        self,
        *,
        digest: Callable[[Path], str] = file_sha256,
        cache_check: Callable[[Path, str], str | None] | None = None,
    ) -> RepairPlan:
        """What restore_last_good would do now (a deep check first; nothing is changed)."""
        health = self.check(deep=True, digest=digest, cache_check=cache_check)
        entries, _, _ = self._audit_lines()
        published, quarantined = self._audit_versions(entries)
        files = self._version_files()
        try:
            pointer = self._pointer()
        except StoreError:
            pointer = None
        damaged = {
            f.number for f in health.problems if f.code in self._VERSION_DAMAGE and f.number is not None
        }
        moves = [
            f"versions/{n:06d}.{ext}"
            for n in sorted(damaged)
            for ext in ("xlsx", "json")
            if ext in files.get(n, ())
        ]
        moves += [f.path for f in health.problems if f.code == "cache_corrupt"]
        good = [n for n in files if n not in damaged and files[n] == {"xlsx", "json"}]
        known = set(published) | set(range(1, (pointer[0] if pointer else 0) + 1))
        candidates = [n for n in good if n in known] if known else good
        restore = max(candidates) if candidates else None
        highest = max([0, *files, *published, *quarantined, *([pointer[0]] if pointer else [])])
        pointer_exists = self.pointer_path.exists()
        if restore is None:
            new_number, rewrite = None, pointer_exists
        elif restore == highest:
            target = (restore, self._load_version(restore).sha256)
            new_number, rewrite = None, pointer != target
        else:
            new_number, rewrite = highest + 1, True
        return RepairPlan(health.problems, tuple(moves), restore, new_number, rewrite)

    def restore_last_good(
        self,
        user: str,
        role: str,
        *,
        expected: RepairPlan | None = None,
        digest: Callable[[Path], str] = file_sha256,
        cache_check: Callable[[Path, str], str | None] | None = None,
    ) -> tuple[RepairPlan, Version | None]:
        """Repair the store under the lock: move the damaged files (repair_plan) to damaged/<time>/ (a copy
        of the old pointer too), then make the last good version current, as a new version (kind
        "rollback", its audit entry marked "repair") when newer versions were damaged, else by rewriting
        the pointer. One audit entry of kind "repair" lists what was moved. Returns the plan carried out
        and the current version after it (None: no good version is left; publish a workbook again).
        With `expected` (the plan a person confirmed) the repair is refused (StoreError "stale") when the
        store changed since."""
        with self._locked():
            plan = self.repair_plan(digest=digest, cache_check=cache_check)
            if expected is not None and plan != expected:  # the problems shown and the plan confirmed
                raise StoreError(
                    "stale",
                    "Kho dữ liệu vừa thay đổi sau khi kiểm tra; chưa sửa gì. Hãy chạy lại lệnh sửa kho.",
                )
            if not plan.needed:
                return plan, self.current()
            now = _now()
            folder = self.root / DAMAGED_DIR / now.strftime("%Y%m%d-%H%M%S-%f")
            moved: list[str] = []
            try:
                for rel in plan.moves:
                    target = folder / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(self.root / rel, target)
                    moved.append(rel)
                if plan.pointer_rewrite and self.pointer_path.exists():
                    folder.mkdir(parents=True, exist_ok=True)
                    atomic_write(folder / "current", self.pointer_path.read_bytes())
                    moved.append("current (bản sao)")
                previous = None
                with contextlib.suppress(StoreError):
                    previous = self.current_number()
                version: Version | None = None
                if plan.restore is None:
                    if self.pointer_path.exists():
                        self.pointer_path.unlink()
                elif plan.new_number is None:
                    version = self._load_version(plan.restore)
                    if plan.pointer_rewrite:
                        atomic_write(self.pointer_path, self._pointer_bytes(version))
                else:
                    old = self._load_version(plan.restore)
                    data = self._version_path(plan.restore).read_bytes()
                    if _sha256(data) != old.sha256:
                        raise StoreError(
                            "corrupt",
                            f"Tệp của phiên bản số {plan.restore} vừa bị thay đổi; chưa sửa gì thêm.",
                        )
                    version = Version(
                        number=plan.new_number,
                        sha256=old.sha256,
                        path=self._version_path(plan.new_number),
                        created_at=now,
                        user=user,
                        kind="rollback",
                        file_name=old.file_name,
                        rows=old.rows,
                        previous=previous,
                        unit_code=None,
                        size=len(data),
                        rollback_of=plan.restore,
                    )
                    atomic_write(version.path, data)
                    meta = json.dumps(version.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
                    atomic_write(self._meta_path(version.number), meta)
                    atomic_write(self.pointer_path, self._pointer_bytes(version))
                    entry = self._published_entry(version)
                    entry.update({"repair": True, "role": role})
                    self._append_audit(entry)
            except OSError as exc:
                raise _disk_error(exc) from exc
            quarantined = sorted({int(rel[9:15]) for rel in plan.moves if rel.startswith("versions/")})
            missing = sorted(
                {
                    f.number
                    for f in plan.problems
                    if f.code in ("version_missing", "pointer_unknown") and f.number
                }
            )
            self._append_audit(
                {
                    "time": now.isoformat(),
                    "user": user,
                    "role": role,
                    "kind": REPAIR_KIND,
                    "file_name": f"{DAMAGED_DIR}/{folder.name}" if moved else "",
                    "outcome": "repaired",
                    "version": version.number if version else None,
                    "restored": plan.restore,
                    "quarantined": sorted(set(quarantined) | set(missing)),
                    "moved": moved,
                    "problems": sorted({f.code for f in plan.problems}),
                }
            )
            return plan, version

    @staticmethod
    def _pointer_bytes(version: Version) -> bytes:
        return json.dumps({"number": version.number, "sha256": version.sha256}).encode("utf-8")

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
            self._version_path(leftover).unlink(missing_ok=True)
            self._meta_path(leftover).unlink(missing_ok=True)
        self._repair_audit(current)

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
    ) -> Version:
        """Publish `data` as the next version.

        The caller has already read `data` safely and found no errors (submissions.prepare_update).
        Refused (StoreError, audit-logged): no permission, a preview made on another version than the
        current one ("stale"), content identical to the current version ("duplicate"), not an .xlsx.
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
                try:
                    atomic_write(version.path, data)
                    meta = json.dumps(version.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
                    atomic_write(self._meta_path(number), meta)
                    pointer = json.dumps({"number": number, "sha256": digest}).encode("utf-8")
                    atomic_write(self.pointer_path, pointer)  # the commit point
                except OSError as exc:
                    with contextlib.suppress(OSError):
                        self._repair_locked()
                    if self.current_number() == number:  # committed; only the folder fsync failed
                        return version
                    raise _disk_error(exc) from exc
                with contextlib.suppress(OSError):  # repaired by the next writer if this fails
                    self._append_audit(self._published_entry(version))
                return version
        except StoreError as exc:
            if exc.code in ("stale", "duplicate", "disk_full", "io_error", "corrupt"):
                raise refuse(exc) from exc.__cause__
            raise
