"""Copying a whole store between the backends (folder -> PostgreSQL and back), verified by checksums."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from cchc_lib.common.atomic import atomic_write
from cchc_lib.publishing.store import Store
from cchc_lib.publishing.store_base import StoreError, _disk_error
from cchc_lib.publishing.store_pg import PgStore

__all__ = ["CopyResult", "copy_store"]

_DOCUMENT_GLOBS = ("report_texts/*/*.json", "column_mappings/*.json", "closures.json")


@dataclass(frozen=True)
class CopyResult:
    versions: int
    audit_entries: int
    documents: int
    current: int | None


def _documents(store: Store) -> dict[str, str]:
    """{path relative to the store folder: JSON text} of the report texts, column mappings and closures."""
    if isinstance(store, PgStore):
        return {
            str(k): str(v) for k, v in store._rows("SELECT path, content FROM cchc_documents ORDER BY path")
        }
    found: dict[str, str] = {}
    for pattern in _DOCUMENT_GLOBS:
        for path in sorted(store.root.glob(pattern)):
            found[path.relative_to(store.root).as_posix()] = path.read_text(encoding="utf-8")
    return found


def _write_documents(store: Store, documents: dict[str, str]) -> None:
    if isinstance(store, PgStore):
        with store._conn() as conn:
            for path, content in documents.items():
                conn.execute("INSERT INTO cchc_documents (path, content) VALUES (%s, %s)", (path, content))
        return
    try:
        for path, content in documents.items():
            target = store.root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, content.encode("utf-8"))
    except OSError as exc:
        raise _disk_error(exc) from exc


def copy_store(source: Store, target: Store) -> CopyResult:
    """Copy every version of `source` (bytes and metadata, numbers kept), its current pointer, its audit log
    and its documents into `target`, which must be empty (StoreError "target_not_empty"), in one write of the
    target under its lock (on PostgreSQL one transaction: all or nothing). Then verify: each version's bytes
    read back from the target against the source's sha256, the pointer, the audit entries and the documents
    (StoreError "copy_mismatch"). A damaged source refuses (StoreError from reading it)."""
    if target.current() is not None or target.audit() or _documents(target):
        raise StoreError(
            "target_not_empty",
            "Kho đích đã có dữ liệu; chỉ chép vào một kho trống (cơ sở dữ liệu vừa chạy store migrate, hoặc "
            "một thư mục chưa có gì).",
        )
    versions = source.history()
    current = source.current_number()
    payloads = {v.number: source.read_bytes(v.number) for v in versions}  # checked against their sha256
    entries = source.audit()
    documents = _documents(source)
    with target._locked():
        for version in versions:  # the pointer ends on the last one: the source's current version
            target._write_version(
                replace(version, path=target._version_path(version.number)), payloads[version.number]
            )
        for entry in entries:
            target._append_audit(entry)
        _write_documents(target, documents)
    copied = target.history()
    problems = [
        v.number for v in versions if hashlib.sha256(target.read_bytes(v.number)).hexdigest() != v.sha256
    ]
    if (
        problems
        or [v.to_json() for v in copied] != [v.to_json() for v in versions]
        or target.current_number() != current
        or target.audit() != entries
        or _documents(target) != documents
    ):
        raise StoreError(
            "copy_mismatch",
            "Dữ liệu đã chép không khớp với kho nguồn (mã kiểm tra sha256, phiên bản hiện hành, nhật ký hoặc "
            "nội dung đã lưu); đừng dùng kho đích, hãy báo quản trị viên.",
        )
    return CopyResult(len(versions), len(entries), len(documents), current)
