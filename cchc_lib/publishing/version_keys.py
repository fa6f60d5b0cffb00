"""Activity keys of a published version, kept on disk beside the store.

The reporting status compares every published version with the one before it, so it needs the
activity keys (reporting.activity_keys) of every version. Published versions never change, so the
keys are computed once per file content and kept as a small Parquet file named after the file's
sha256: after a restart the status costs a few ms per version instead of a parse of each workbook.
The cache is derived data only: a missing or unwritable cache just means a parse. Each file records
the sha256 of the version it was computed from and a digest of its own rows (Parquet key-value
metadata), so that `check_cache_file` (run by `Store.check`: the dashboard and `store verify`) tells a
damaged or swapped file, which then stops the dashboard until `store repair` moves it to damaged/.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from cchc_lib.common.atomic import atomic_write
from cchc_lib.common.settings import Settings
from cchc_lib.figures import reporting
from cchc_lib.reading.model import Workbook

__all__ = ["KEYS_FORMAT", "cache_file", "check_cache_file", "version_keys"]

LOG = logging.getLogger(__name__)
KEYS_FORMAT = 1  # bump when reporting.activity_keys changes what it computes
_SHA256 = re.compile(r"[0-9a-f]{64}")
_DTYPES = {"unit_code": "str", "date": "datetime64[ns]", "key": "uint64"}
_META_SOURCE = b"cchc.source_sha256"  # the version file the keys were computed from
_META_DIGEST = b"cchc.rows_sha256"  # digest of the rows (rows_digest)


def rows_digest(keys: pd.DataFrame) -> str:
    """sha256 of the keys' rows (unit_code, date, key), independent of how Parquet stored them."""
    frame = keys.astype(_DTYPES).reset_index(drop=True)
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes() + str(len(frame)).encode()).hexdigest()


def check_cache_file(path: Path, sha256: str) -> str | None:
    """Why the cache file `path` (named after the version `sha256`) cannot be trusted, in Vietnamese,
    or None when it is sound: unreadable, other columns, computed from another file, or rows changed.
    A file written before the digests were recorded is accepted when readable with the right columns."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except FileNotFoundError:
        return None
    except Exception:
        return "không đọc được (tệp Parquet hỏng hoặc bị cắt cụt)"
    if table.column_names != list(_DTYPES):
        return f"các cột {', '.join(table.column_names) or '(không có)'} không phải các cột của bộ nhớ đệm"
    meta = table.schema.metadata or {}
    source = meta.get(_META_SOURCE, b"").decode("ascii", errors="replace")
    if source and source != sha256:
        return "được tính từ một tệp khác với tệp mang tên của nó"
    recorded = meta.get(_META_DIGEST, b"").decode("ascii", errors="replace")
    if recorded:
        try:
            actual = rows_digest(table.to_pandas())
        except Exception:
            return "không đọc được nội dung"
        if actual != recorded:
            return "nội dung không khớp mã kiểm tra đã ghi"
    return None


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


def _write_cached(path: Path, keys: pd.DataFrame, sha256: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        frame = keys.astype(_DTYPES).reset_index(drop=True)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        meta = dict(table.schema.metadata or {})
        meta.update({_META_SOURCE: sha256.encode("ascii"), _META_DIGEST: rows_digest(frame).encode("ascii")})
        out = io.BytesIO()
        pq.write_table(table.replace_schema_metadata(meta), out)
        atomic_write(path, out.getvalue())
    except Exception:  # read-only or full disk: the status still works, it only parses again next time
        LOG.warning("Could not keep the keys cache %s", path, exc_info=True)


def version_keys(
    path: Path,
    sha256: str,
    cache_dir: Path | None,
    settings: Settings | None = None,
    *,
    fetch: Callable[[], object] | None = None,
    tables: Workbook | None = None,
) -> pd.DataFrame | None:
    """reporting.activity_keys of the published file `path` (content `sha256`), from the cache in
    `cache_dir` when there, else parsed (trusted: it was checked when it was published) and kept.
    `fetch()` is called first when `path` is not on disk: it puts the version's bytes there (the
    PostgreSQL store's local copy of a version this server never opened: `store.version(number)`).
    None when the file cannot be read; StoreError "corrupt" when its bytes do not match `sha256` (keys of
    other content would count other submissions). `tables`: the version's tables already in memory,
    checked against `sha256` by whoever loaded them (the dashboard's current version: the first view of a
    new version does not load it a second time)."""
    target = cache_file(cache_dir, sha256) if cache_dir is not None else None
    if target is not None and (cached := _read_cached(target)) is not None:
        return cached
    if tables is not None:
        return _kept(tables, target, sha256)
    from cchc_lib.publishing.store import StoreError
    from cchc_lib.reading.sandbox import read_trusted

    if fetch is not None and not Path(path).is_file():
        fetch()
    try:
        data = Path(path).read_bytes()
    except OSError:
        LOG.exception("Reading version file %s for the reporting status failed", path)
        return None
    if _SHA256.fullmatch(str(sha256)) and hashlib.sha256(data).hexdigest() != sha256:
        raise StoreError(
            "corrupt",
            f"Tệp phiên bản {Path(path).name} không khớp mã kiểm tra (sha256): đã bị sửa hoặc hỏng. "
            "Quản trị viên hãy chạy python -m cchc_lib store verify.",
        )
    if target is not None:  # a version: its snapshot (publishing wrote it), else parsed in the worker
        from cchc_lib.common.settings import load_settings
        from cchc_lib.publishing.published import published_tables

        workbook = published_tables(data, settings or load_settings(), cache_dir)
    else:
        try:
            workbook = read_trusted(data, settings).workbook
        except Exception:
            LOG.exception("Reading version file %s for the reporting status failed", path)
            return None
    return None if workbook is None else _kept(workbook, target, sha256)


def _kept(workbook: Workbook, target: Path | None, sha256: str) -> pd.DataFrame:
    """The activity keys of `workbook` (the version `sha256`), kept in the cache file `target` if any."""
    keys = reporting.activity_keys(workbook.activities)
    if target is not None:
        _write_cached(target, keys, sha256)
    return keys
