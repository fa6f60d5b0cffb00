"""The parsed tables of a published (trusted) workbook: its checked columnar snapshot, else a parse in
the worker process, kept as a snapshot again (a rebuild is said in the log)."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from cchc_lib.common.settings import Settings
from cchc_lib.publishing import snapshots
from cchc_lib.publishing.store_base import CACHE_DIR
from cchc_lib.reading.model import Workbook
from cchc_lib.reading.safety import UnsafeFile
from cchc_lib.reading.sandbox import parse_isolated

__all__ = ["cached_tables", "published_tables", "store_cache", "write_snapshot"]

LOG = logging.getLogger(__name__)


def store_cache(settings: Settings) -> Path:
    """The snapshot folder of the configured store (beside its versions/)."""
    return settings.store_path / CACHE_DIR


def cached_tables(data: bytes, settings: Settings, cache_dir: Path | None = None) -> Workbook | None:
    """The snapshot of exactly these bytes parsed under `settings`, when a sound one exists in
    `cache_dir` (default: the store's cache); None otherwise. Never parses."""
    folder = store_cache(settings) if cache_dir is None else cache_dir
    if not folder.is_dir():
        return None
    sha256 = hashlib.sha256(data).hexdigest()
    return snapshots.load(folder, sha256, snapshots.settings_context(settings))


def write_snapshot(cache_dir: Path, sha256: str, workbook: Workbook, settings: Settings) -> bool:
    """Keep `workbook` (the parse under `settings` of the file hashing to `sha256`) as its snapshot."""
    return snapshots.write(cache_dir, sha256, workbook, snapshots.settings_context(settings))


def published_tables(data: bytes, settings: Settings, cache_dir: Path) -> Workbook | None:
    """The tables of published bytes `data`: from the snapshot in `cache_dir` when it checks out against
    the sha256 of these very bytes, else parsed in the worker process (the server's interpreter stays
    free) and written as a fresh snapshot. None when the bytes do not read without errors."""
    sha256 = hashlib.sha256(data).hexdigest()
    context = snapshots.settings_context(settings)
    workbook = snapshots.load(cache_dir, sha256, context)
    if workbook is not None:
        return workbook
    LOG.info("No sound snapshot of %s in %s: parsing the workbook and rebuilding it", sha256[:12], cache_dir)
    try:
        result = parse_isolated(data, settings)
    except UnsafeFile as exc:
        LOG.warning("Parsing the published workbook %s failed: %s", sha256[:12], exc.code)
        return None
    if not result.ok or result.workbook is None:
        return None
    snapshots.write(cache_dir, sha256, result.workbook, context)
    return result.workbook
