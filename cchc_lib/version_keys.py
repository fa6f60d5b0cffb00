"""Activity keys of a published version, kept on disk beside the store.

The reporting status compares every published version with the one before it, so it needs the
activity keys (reporting.activity_keys) of every version. Published versions never change, so the
keys are computed once per file content and kept as a small Parquet file named after the file's
sha256: after a restart the status costs a few ms per version instead of a parse of each workbook.
The cache is derived data only: a missing, unreadable or unwritable cache just means a parse.
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pandas as pd

from cchc_lib import reporting
from cchc_lib.atomic import atomic_write
from cchc_lib.settings import Settings

__all__ = ["KEYS_FORMAT", "cache_file", "version_keys"]

LOG = logging.getLogger(__name__)
KEYS_FORMAT = 1  # bump when reporting.activity_keys changes what it computes
_SHA256 = re.compile(r"[0-9a-f]{64}")
_DTYPES = {"unit_code": "str", "date": "datetime64[ns]", "key": "uint64"}


def cache_file(cache_dir: Path, sha256: str) -> Path | None:
    """Where the keys of the file with this sha256 are kept (None for anything but a sha256)."""
    if not _SHA256.fullmatch(str(sha256)):
        return None
    return cache_dir / f"keys-v{KEYS_FORMAT}-{sha256}.parquet"


def _read_cached(path: Path) -> pd.DataFrame | None:
    try:
        frame = pd.read_parquet(path)
    except FileNotFoundError:
        return None
    except Exception:  # torn or foreign file: recompute and overwrite it
        LOG.warning("Ignoring unreadable keys cache %s", path, exc_info=True)
        return None
    if list(frame.columns) != list(_DTYPES):
        LOG.warning("Ignoring keys cache %s with columns %s", path, list(frame.columns))
        return None
    return frame.astype(_DTYPES)


def _write_cached(path: Path, keys: pd.DataFrame) -> None:
    try:
        out = io.BytesIO()
        keys.astype(_DTYPES).to_parquet(out, index=False)
        atomic_write(path, out.getvalue())
    except Exception:  # read-only or full disk: the status still works, it only parses again next time
        LOG.warning("Could not keep the keys cache %s", path, exc_info=True)


def version_keys(
    path: Path, sha256: str, cache_dir: Path | None, settings: Settings | None = None
) -> pd.DataFrame | None:
    """reporting.activity_keys of the published file `path` (content `sha256`), from the cache in
    `cache_dir` when there, else parsed (trusted: it was checked when it was published) and kept.
    None when the file cannot be read."""
    target = cache_file(cache_dir, sha256) if cache_dir is not None else None
    if target is not None and (cached := _read_cached(target)) is not None:
        return cached
    from cchc_lib.sandbox import read_trusted

    try:
        result = read_trusted(Path(path), settings)
    except Exception:
        LOG.exception("Reading version file %s for the reporting status failed", path)
        return None
    if result.workbook is None:
        return None
    keys = reporting.activity_keys(result.workbook.activities)
    if target is not None:
        _write_cached(target, keys)
    return keys
