"""Store backup and restore: a tar.gz of the store folder with a sha256 manifest, verified before replacing."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import tarfile
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from filelock import FileLock, Timeout

from cchc_lib.common.atomic import TEMP_PREFIX, fsync_dir
from cchc_lib.common.errors import UserError

__all__ = [
    "BACKUP_FORMAT",
    "DONE_MESSAGES",
    "EXCLUDED",
    "MANIFEST_NAME",
    "PREVIOUS_SUFFIX",
    "BackupError",
    "BackupResult",
    "RestoreResult",
    "backup_store",
    "restore_store",
]

BACKUP_FORMAT = "cchc-store-backup-v1"
MANIFEST_NAME = "MANIFEST.json"  # the archive's first member: {"format", "created_at", "store", "files"}
PREVIOUS_SUFFIX = ".truoc-khoi-phuc-"  # the replaced store is moved beside it, never deleted
# Never archived: the store locks, a writer's temp files, and the login state (open sessions, one-time
# tickets, throttle counters): a restored store starts with everyone logged out.
EXCLUDED = (".lock", "sessions/.lock", "sessions/records/", "sessions/tickets/", "sessions/throttle.json")
_LOCK_TIMEOUT_S = 60.0
_CHUNK = 1 << 20

_MESSAGES = {
    "no_store": "Không có kho dữ liệu ở {root}: chưa có gì để sao lưu. Kiểm tra --store-dir hoặc cài đặt "
    "store_dir.",
    "empty_store": "Kho dữ liệu {root} chưa có tệp nào: chưa có gì để sao lưu.",
    "archive_exists": "Tệp '{path}' đã có. Bản sao lưu không ghi đè tệp cũ: hãy chọn tên khác, ví dụ có "
    "ngày giờ trong tên.",
    "no_folder": "Thư mục '{folder}' không tồn tại. Hãy tạo thư mục hoặc chọn nơi lưu khác.",
    "unwritable": "Không ghi được '{path}': {reason}. Kiểm tra quyền ghi và dung lượng đĩa.",
    "busy": "Có người khác đang cập nhật dữ liệu; vui lòng thử lại sau ít phút.",
    "no_archive": "Không có tệp sao lưu '{path}'. Kiểm tra lại đường dẫn.",
    "damaged": "Tệp sao lưu '{path}' bị hỏng hoặc không phải bản sao lưu kho dữ liệu ({reason}). Chưa khôi "
    "phục gì: kho dữ liệu hiện tại được giữ nguyên. Hãy dùng một bản sao lưu khác.",
    "restore_failed": "Không khôi phục được vào '{root}': {reason}. Kho dữ liệu hiện tại được giữ nguyên.",
}
# What `store backup` / `store restore` print on success (cli_backup), one line each.
DONE_MESSAGES = {
    "backup": "Đã sao lưu kho dữ liệu {root} vào {archive}: {files} tệp, {size} byte, kèm mã kiểm tra sha256 "
    "của từng tệp ({manifest}).",
    "restore": "Đã khôi phục kho dữ liệu {root} từ {archive}: {files} tệp, {size} byte, mọi mã kiểm tra sha256 "
    "đều khớp.",
    "previous": "Kho dữ liệu trước đó được giữ nguyên ở {previous} (không xóa gì).",
    "logged_out": "Mọi phiên đăng nhập đã kết thúc: người dùng đăng nhập lại.",
}
_REASONS = {
    "not_tar": "không đọc được dạng tar.gz",
    "no_manifest": f"thiếu bảng mã kiểm tra {MANIFEST_NAME} ở đầu tệp",
    "bad_manifest": f"bảng mã kiểm tra {MANIFEST_NAME} không đọc được",
    "unsafe": "có mục không an toàn: {name}",
    "duplicate": "có mục ghi hai lần: {name}",
    "unlisted": "có tệp không ghi trong bảng mã kiểm tra: {name}",
    "missing": "thiếu tệp ghi trong bảng mã kiểm tra: {name}",
    "size": "tệp {name} không đúng kích thước đã ghi",
    "checksum": "tệp {name} không khớp mã kiểm tra sha256",
}


class BackupError(UserError):
    """A refused backup or restore: `code` (the _MESSAGES key) and a Vietnamese `message`."""


def _error(code: str, **fields: object) -> BackupError:
    return BackupError(code, _MESSAGES[code].format(**fields))


def _damaged(path: Path, reason: str, **fields: object) -> BackupError:
    return BackupError("damaged", _MESSAGES["damaged"].format(path=path, reason=_REASONS[reason].format(**fields)))


@dataclass(frozen=True)
class BackupResult:
    """What `backup_store` wrote: the archive, how many store files and their total size in bytes."""

    archive: Path
    files: int
    size: int


@dataclass(frozen=True)
class RestoreResult:
    """What `restore_store` did: the store folder, the files restored, where the replaced store went."""

    root: Path
    files: int
    size: int
    previous: Path | None


def _excluded(relative: str) -> bool:
    name = relative.rsplit("/", 1)[-1]
    if name.startswith(TEMP_PREFIX):
        return True
    return any(relative == rule or (rule.endswith("/") and relative.startswith(rule)) for rule in EXCLUDED)


def _store_files(root: Path) -> list[str]:
    """The store's files to archive, as sorted POSIX paths relative to `root` (symlinks are not followed)."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in files:
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            relative = path.relative_to(root).as_posix()
            if not _excluded(relative):
                found.append(relative)
    return sorted(found)


def _digest(path: Path) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size


@contextlib.contextmanager
def _store_lock(root: Path, timeout: float):
    """The store's own write lock (store.py's `.lock`): no publishing while the store is read or replaced."""
    lock = FileLock(root / ".lock", timeout=timeout, thread_local=False)
    try:
        lock.acquire()
    except Timeout as exc:
        raise _error("busy") from exc
    try:
        yield
    finally:
        lock.release()


def backup_store(root: Path, archive: Path, *, timeout: float = _LOCK_TIMEOUT_S) -> BackupResult:
    """Write `archive` (tar.gz): MANIFEST.json (path, size, sha256 of every file) then the store files.

    Read under the store lock, so no version is published half-way through; the archive is written to a
    temp file beside it and renamed, and an existing file is never overwritten. Raises BackupError."""
    root, archive = Path(root), Path(archive)
    if not root.is_dir():
        raise _error("no_store", root=root)
    if not archive.parent.is_dir():
        raise _error("no_folder", folder=archive.parent)
    if archive.exists():
        raise _error("archive_exists", path=archive)
    tmp = archive.parent / f"{TEMP_PREFIX}{archive.name}.{os.getpid()}"
    try:
        with _store_lock(root, timeout):
            names = _store_files(root)
            if not names:
                raise _error("empty_store", root=root)
            entries = []
            for name in names:
                sha, size = _digest(root / name)
                entries.append({"path": name, "size": size, "sha256": sha})
            manifest = {
                "format": BACKUP_FORMAT,
                "created_at": datetime.now().isoformat(timespec="seconds"),
                "store": str(root.resolve()),
                "files": entries,
            }
            with tarfile.open(tmp, "w:gz") as tar:
                body = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
                info = tarfile.TarInfo(MANIFEST_NAME)
                info.size, info.mtime, info.mode = len(body), int(datetime.now().timestamp()), 0o644
                tar.addfile(info, io.BytesIO(body))
                for entry in entries:
                    _add_file(tar, root / entry["path"], entry)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        if archive.exists():
            raise _error("archive_exists", path=archive)
        os.replace(tmp, archive)
        fsync_dir(archive.parent)
    except OSError as exc:
        raise _error("unwritable", path=archive, reason=exc.strerror or exc) from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return BackupResult(archive, len(entries), sum(e["size"] for e in entries))


def _add_file(tar: tarfile.TarFile, path: Path, entry: dict[str, object]) -> None:
    """One store file into the archive, checked against the digest just recorded (a file changed under
    the lock by something else fails the backup rather than archiving bytes the manifest does not hold)."""
    data = path.read_bytes()
    if len(data) != entry["size"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise OSError(f"tệp {entry['path']} thay đổi trong lúc sao lưu")
    info = tarfile.TarInfo(str(entry["path"]))
    info.size, info.mtime, info.mode = len(data), int(path.stat().st_mtime), 0o644
    tar.addfile(info, io.BytesIO(data))


def _safe_name(name: str) -> bool:
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return False
    parts = PurePosixPath(name).parts
    return bool(parts) and all(part not in ("", ".", "..") for part in parts) and not _excluded(name)


def _manifest(tar: tarfile.TarFile, member: tarfile.TarInfo | None, path: Path) -> dict[str, dict]:
    """{relative path: {"size", "sha256"}} from the archive's first member, or BackupError (damaged)."""
    if member is None or member.name != MANIFEST_NAME or not member.isfile():
        raise _damaged(path, "no_manifest")
    handle = tar.extractfile(member)
    try:
        raw = json.loads(handle.read(64 * 1024 * 1024).decode("utf-8")) if handle else None
        if not isinstance(raw, dict) or raw.get("format") != BACKUP_FORMAT or not isinstance(raw["files"], list):
            raise ValueError
        listed: dict[str, dict] = {}
        for entry in raw["files"]:
            name, size, sha = entry["path"], entry["size"], entry["sha256"]
            if not (isinstance(name, str) and isinstance(size, int) and isinstance(sha, str) and len(sha) == 64):
                raise ValueError
            if not _safe_name(name):
                raise _damaged(path, "unsafe", name=name)
            if name in listed:
                raise _damaged(path, "duplicate", name=name)
            listed[name] = {"size": size, "sha256": sha.lower()}
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise _damaged(path, "bad_manifest") from exc
    return listed


def _extract_checked(archive: Path, staging: Path) -> tuple[int, int]:
    """Every member of `archive` written under `staging` and checked against the manifest (size, sha256,
    nothing missing, nothing more); returns (files, bytes). Raises BackupError (damaged)."""
    listed: dict[str, dict] | None = None
    seen: set[str] = set()
    total = 0
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if listed is None:
                    listed = _manifest(tar, member, archive)
                    continue
                name = member.name
                if not member.isfile() or not _safe_name(name):
                    raise _damaged(archive, "unsafe", name=name)
                if name in seen:
                    raise _damaged(archive, "duplicate", name=name)
                if name not in listed:
                    raise _damaged(archive, "unlisted", name=name)
                seen.add(name)
                expected = listed[name]
                if member.size != expected["size"]:
                    raise _damaged(archive, "size", name=name)
                total += _write_member(tar, member, staging / name, expected, archive)
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise _damaged(archive, "not_tar") from exc
    if listed is None:
        raise _damaged(archive, "no_manifest")
    missing = sorted(set(listed) - seen)
    if missing:
        raise _damaged(archive, "missing", name=missing[0])
    return len(seen), total


def _write_member(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path, expected: dict, archive: Path) -> int:
    source = tar.extractfile(member)
    if source is None:
        raise _damaged(archive, "unsafe", name=member.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    sha, size = hashlib.sha256(), 0
    with target.open("wb") as out:
        while chunk := source.read(_CHUNK):
            size += len(chunk)
            if size > expected["size"]:
                raise _damaged(archive, "size", name=member.name)
            sha.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    if size != expected["size"]:
        raise _damaged(archive, "size", name=member.name)
    if sha.hexdigest() != expected["sha256"]:
        raise _damaged(archive, "checksum", name=member.name)
    return size


def restore_store(archive: Path, root: Path, *, timeout: float = _LOCK_TIMEOUT_S) -> RestoreResult:
    """Make the store folder `root` the content of `archive`.

    Every member is first written to a staging folder beside `root` and checked against the manifest's
    sha256; only when all pass is the existing store (if any) moved aside to `<root>.truoc-khoi-phuc-
    <time>` (under its lock) and the staging folder renamed to `root`. A damaged archive raises
    BackupError and leaves `root` untouched."""
    archive, root = Path(archive), Path(root)
    if not archive.is_file():
        raise _error("no_archive", path=archive)
    parent = root.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _error("restore_failed", root=root, reason=exc.strerror or exc) from exc
    staging = parent / f"{TEMP_PREFIX}khoi-phuc-{root.name}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        try:
            staging.mkdir()
            files, size = _extract_checked(archive, staging)
        except OSError as exc:
            raise _error("restore_failed", root=root, reason=exc.strerror or exc) from exc
        previous = _swap(staging, root, timeout)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RestoreResult(root, files, size, previous)


def _swap(staging: Path, root: Path, timeout: float) -> Path | None:
    """Move the current store aside (when there is one) and `staging` into its place; the moved store's
    folder, or None."""
    previous = None
    try:
        if root.exists():
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            previous = root.with_name(f"{root.name}{PREVIOUS_SUFFIX}{stamp}")
            number = 1
            while previous.exists():
                number += 1
                previous = root.with_name(f"{root.name}{PREVIOUS_SUFFIX}{stamp}-{number}")
            with _store_lock(root, timeout):
                os.rename(root, previous)
        os.rename(staging, root)
        fsync_dir(root.parent)
    except OSError as exc:
        if previous is not None and previous.exists() and not root.exists():
            os.rename(previous, root)  # put the old store back where it was
        raise _error("restore_failed", root=root, reason=exc.strerror or exc) from exc
    return previous
