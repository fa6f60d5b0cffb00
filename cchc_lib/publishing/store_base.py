"""The pieces every part of the store shares: its error, the Version record, digests, the disk error,
and the one sequence that replaces a JSON document of the store (report texts, column mappings)."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cchc_lib.common.atomic import TEMP_PREFIX, atomic_write
from cchc_lib.common.errors import UserError

__all__ = ["CACHE_DIR", "DAMAGED_DIR", "REPAIR_KIND", "StoreError", "Version", "file_sha256"]

LOG = logging.getLogger("cchc_lib.publishing.store")  # one logger for the whole store, whichever module logs
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200c\u200d\u2060\ufeff\u00ad]")
CACHE_DIR = "cache"  # derived data beside the versions (cchc_lib.publishing.version_keys)
DAMAGED_DIR = "damaged"  # where `restore_last_good` moves damaged files: never deleted
REPAIR_KIND = "repair"  # audit entries of a store repair (not a version kind)


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


class DocumentWriter:
    """Mixin of `Store`: the read and the write of one JSON document of the store (report texts, column
    mappings, closures); the PostgreSQL store (cchc_lib.publishing.store_pg) keeps them in a table instead."""

    def _read_document(self, path: Path) -> str:
        """The text of the document at `path` (FileNotFoundError when there is none)."""
        return path.read_text(encoding="utf-8")

    def _write_document(self, path: Path, content: dict[str, Any] | None, entry: dict[str, Any]) -> None:
        """Under the lock (the caller holds it): delete a killed writer's temp files beside `path`, replace
        `path` atomically with `content` as JSON (None: delete it), then append the audit `entry` (best
        effort: the next writer repairs the log). StoreError "disk_full"/"io_error" when the write fails."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            for leftover in path.parent.glob(f"{TEMP_PREFIX}*"):  # a killed writer's leftovers
                leftover.unlink(missing_ok=True)
            if content is not None:
                atomic_write(path, json.dumps(content, ensure_ascii=False, indent=1).encode("utf-8"))
            else:
                path.unlink(missing_ok=True)
        except OSError as exc:
            raise _disk_error(exc) from exc
        with contextlib.suppress(OSError):
            self._append_audit(entry)  # type: ignore[attr-defined]
