"""Crash-safe file replacement: temp file in the same folder, fsync, os.replace, fsync the folder."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

__all__ = ["TEMP_PREFIX", "atomic_write", "discard_dead_temps", "fsync_dir"]

TEMP_PREFIX = ".tmp-"  # readers ignore these; a killed writer's leftovers are cleaned by their owner
_TEMP = re.compile(re.escape(TEMP_PREFIX) + r".+\.(\d+)$")  # atomic_write's: <prefix><name>.<pid>


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename is durable only once its folder is synced)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace `path` by `data` so that a crash leaves either the old or the new file, never a torn one."""
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"{TEMP_PREFIX}{path.name}.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(folder)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def discard_dead_temps(folder: Path, pattern: re.Pattern[str] = _TEMP) -> None:
    """Delete the temp files in `folder` that `atomic_write` calls of processes now dead left behind (those
    whose names match `pattern`, its group 1 the writer's process id; a living writer's are left alone)."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        match = pattern.match(entry.name)
        if match and not _alive(int(match.group(1))):
            entry.unlink(missing_ok=True)
