"""Columnar snapshots of parsed workbooks: a published version's tables kept as Parquet beside the
store, so a restart or a new server shows the first page without parsing the .xlsx again.

A snapshot is derived data, named after the sha256 of the file it was parsed from::

    <cache>/snap-v2-<sha256>-<table>.parquet   one per table of model.Workbook that is present
    <cache>/snap-v2-<sha256>.json              the manifest, written last: format, source sha256, and
                                               each table's row count and the sha256 of its Parquet
                                               file (absent tables: null)

It is never trusted blindly: `load` checks the manifest's source against the sha256 of the bytes the
caller just read and every table's file against its sha256 (any changed byte; hashing the file costs a
few ms where hashing a 200,000-row table's values cost a third of a second); anything missing, torn,
swapped or changed is ignored (and said in the log), and the caller parses the .xlsx and writes the
snapshot again. Snapshots of format 1 (which kept a digest of the rows instead) are not read: each
version is parsed once more and kept in format 2. Nothing here changes what a workbook reads as: a table comes back with exactly the dtypes and
values it was written with (tests compare frames exactly).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
from dataclasses import fields
from pathlib import Path
from typing import Any

import pandas as pd

from cchc_lib.common.atomic import TEMP_PREFIX, atomic_write, discard_dead_temps
from cchc_lib.reading.model import Workbook

__all__ = [
    "SNAPSHOT_FORMAT",
    "TABLES",
    "digest",
    "discard",
    "discard_orphan_temps",
    "load",
    "manifest_path",
    "settings_context",
    "table_path",
    "write",
]

LOG = logging.getLogger(__name__)
SNAPSHOT_FORMAT = 2  # bump when the reader or the Workbook tables change what they hold
TABLES: tuple[str, ...] = tuple(f.name for f in fields(Workbook))
_SHA256 = re.compile(r"[0-9a-f]{64}")


def settings_context(settings: object) -> str:
    """A digest of the settings a workbook was parsed under (any change means a fresh parse)."""
    return hashlib.sha256(repr(settings).encode("utf-8")).hexdigest()


def manifest_path(cache_dir: Path, sha256: str) -> Path:
    return cache_dir / f"snap-v{SNAPSHOT_FORMAT}-{sha256}.json"


def table_path(cache_dir: Path, sha256: str, table: str) -> Path:
    return cache_dir / f"snap-v{SNAPSHOT_FORMAT}-{sha256}-{table}.parquet"


def digest(frame: pd.DataFrame) -> str:
    """sha256 of a table's columns, dtypes and rows (values hashed by pandas, the index left out)."""
    head = json.dumps([list(map(str, frame.columns)), [str(t) for t in frame.dtypes]], ensure_ascii=False)
    rows = pd.util.hash_pandas_object(frame, index=False).to_numpy() if len(frame.columns) else []
    return hashlib.sha256(
        head.encode("utf-8") + bytes(memoryview(rows)) + str(len(frame)).encode()
    ).hexdigest()


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.reset_index(drop=True).to_parquet(buffer, index=False)
    return buffer.getvalue()


def write(cache_dir: Path, sha256: str, workbook: Workbook, context: str = "") -> bool:
    """Keep `workbook` (parsed from the file with this sha256, under `context`: a digest of whatever
    else shaped the parse, e.g. the settings) as a snapshot; False (logged) when it cannot be written:
    a snapshot is an optimisation, never a condition."""
    if not _SHA256.fullmatch(str(sha256)):
        return False
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        manifest: dict[str, Any] = {
            "format": SNAPSHOT_FORMAT,
            "source_sha256": sha256,
            "context": context,
            "tables": {},
        }
        for name in TABLES:
            frame = getattr(workbook, name)
            if frame is None:
                manifest["tables"][name] = None
                continue
            body = _parquet(frame)
            atomic_write(table_path(cache_dir, sha256, name), body)
            manifest["tables"][name] = {"rows": len(frame), "sha256": hashlib.sha256(body).hexdigest()}
        body = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
        atomic_write(manifest_path(cache_dir, sha256), body)  # last: a torn snapshot has no manifest
    except Exception:
        LOG.warning("Writing the snapshot of %s to %s failed", sha256[:12], cache_dir, exc_info=True)
        return False
    return True


def _problem(cache_dir: Path, sha256: str, context: str) -> tuple[Workbook | None, str | None]:
    """(the workbook, None) when the snapshot is sound; (None, why) otherwise ("" when simply absent)."""
    try:
        manifest = json.loads(manifest_path(cache_dir, sha256).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, ""
    except (OSError, ValueError):
        return None, "manifest unreadable"
    if not isinstance(manifest, dict) or manifest.get("format") != SNAPSHOT_FORMAT:
        return None, "manifest of another format"
    if manifest.get("source_sha256") != sha256:
        return None, "manifest names another source file"
    if manifest.get("context") != context:
        return None, "parsed under other settings"
    tables = manifest.get("tables")
    if not isinstance(tables, dict) or set(tables) != set(TABLES):
        return None, "manifest lists other tables"
    loaded: dict[str, pd.DataFrame | None] = {}
    for name in TABLES:
        entry = tables[name]
        if entry is None:
            loaded[name] = None
            continue
        try:
            body = table_path(cache_dir, sha256, name).read_bytes()
        except OSError:
            return None, f"table {name} unreadable"
        if not isinstance(entry, dict) or entry.get("sha256") != hashlib.sha256(body).hexdigest():
            return None, f"table {name} does not match its digest"
        try:
            frame = pd.read_parquet(io.BytesIO(body))
        except Exception:
            return None, f"table {name} unreadable"
        if entry.get("rows") != len(frame):
            return None, f"table {name} does not match its digest"
        loaded[name] = frame
    return Workbook(**loaded), None


def load(cache_dir: Path, sha256: str, context: str = "") -> Workbook | None:
    """The snapshot of the file whose bytes hash to `sha256`, parsed under `context`, checked; None
    when there is none or it cannot be trusted (then logged: the caller parses the file and writes a
    fresh one)."""
    if not _SHA256.fullmatch(str(sha256)):
        return None
    workbook, why = _problem(cache_dir, sha256, context)
    if why:
        LOG.warning(
            "Ignoring the snapshot of %s in %s (%s): parsing the workbook", sha256[:12], cache_dir, why
        )
    return workbook


def discard(cache_dir: Path, sha256: str) -> None:
    """Delete the snapshot of `sha256` (manifest first: a half-deleted snapshot is never sound)."""
    if not _SHA256.fullmatch(str(sha256)):
        return
    manifest_path(cache_dir, sha256).unlink(missing_ok=True)
    for name in TABLES:
        table_path(cache_dir, sha256, name).unlink(missing_ok=True)


_TEMP = re.compile(re.escape(TEMP_PREFIX) + r"snap-v\d+-[0-9a-f]{64}.*\.(\d+)$")


def discard_orphan_temps(cache_dir: Path) -> None:
    """Delete the temp files of snapshot writers that were killed (atomic_write names them after their
    process id; a living writer's are left alone)."""
    discard_dead_temps(cache_dir, _TEMP)
