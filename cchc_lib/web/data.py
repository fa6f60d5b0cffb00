"""Where the dashboard's data comes from and the cached calls: parsed once per data version."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from cchc_lib.common.periods import parse_period
from cchc_lib.common.settings import Settings
from cchc_lib.figures import metrics, selection
from cchc_lib.publishing.published import published_tables
from cchc_lib.publishing.store import Health, file_sha256
from cchc_lib.publishing.store_base import CACHE_DIR
from cchc_lib.publishing.store_factory import open_store
from cchc_lib.publishing.version_keys import check_cache_file
from cchc_lib.reading.model import Workbook

__all__ = [
    "DataSource",
    "DataError",
    "StoreDamaged",
    "store_health",
    "as_of_date",
    "current_source",
    "load_workbook",
    "workbook_years",
    "unit_options",
    "filtered_workbook",
    "cached_metric",
    "cached_activities",
    "matching_rows",
    "cached_distinct",
    "cached_build",
]

LOG = logging.getLogger("cchc_lib.web")

Filters = tuple[tuple[str, ...], tuple[str, ...]]  # (unit_types, unit_codes); () = no filter
_SHA256 = re.compile(r"[0-9a-f]{64}")


class DataError(RuntimeError):
    """The current data file could not be read (the screen shows a Vietnamese message)."""


@dataclass(frozen=True)
class DataSource:
    """The file the dashboard shows and what identifies its content (the cache key)."""

    path: str
    stamp: str  # sha256 of a store version, or "mtime_ns:size" of the sample file
    is_sample: bool
    number: int | None = None
    created_at: datetime | None = None
    user: str | None = None
    file_name: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.path, self.stamp)


def as_of_date(source: DataSource | None) -> date | None:
    """The day the shown data was published (the store version's date, local time); None for the
    sample file or without data (the report then asks for the date before signing)."""
    if source is None or source.is_sample or source.created_at is None:
        return None
    return source.created_at.date()


class StoreDamaged(DataError):
    """The store holds published versions but its current data cannot be trusted: the screens show
    `health.problems` and what the admin should run, and no figures."""

    def __init__(self, health: Health) -> None:
        super().__init__("; ".join(f.code for f in health.problems))
        self.health = health


def _signature(path: Path) -> tuple[int, int, int, int]:
    info = path.stat()
    return (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


# A file's checksum and a cache file's verdict are kept per (inode, size, mtime, ctime): any write to
# the file changes its ctime, so a changed file is always checked again; an unchanged one costs a stat.
@st.cache_data(max_entries=4096, show_spinner=False)
def _digest(path: str, signature: tuple[int, int, int, int]) -> str:
    return file_sha256(Path(path))


def _file_digest(path: Path) -> str:
    return _digest(str(path), _signature(path))


@st.cache_data(max_entries=4096, show_spinner=False)
def _cache_verdict(path: str, sha256: str, signature: tuple[int, int, int, int]) -> str | None:
    return check_cache_file(Path(path), sha256)


def _cache_check(path: Path, sha256: str) -> str | None:
    try:
        signature = _signature(path)
    except FileNotFoundError:
        return None
    return _cache_verdict(str(path), sha256, signature)


def store_health(settings: Settings) -> Health:
    """Store.check of the configured store (every page load: pointer, metadata, the current version's
    checksum, the cache files; checksums memoised per file state). On PostgreSQL the pointer is read only
    when the process's listener announced another version (or, listener down, every store_poll_seconds)."""
    return open_store(settings, watch=True).check(deep=False, digest=_file_digest, cache_check=_cache_check)


def current_source(settings: Settings) -> DataSource | None:
    """What the dashboard shows: the store's current version when it checks out; the sample workbook
    when nothing was ever published, the `show_sample_when_empty` setting allows it and the file
    exists; else None (nothing to show). Raises StoreDamaged when the store is damaged: never another
    version, never the sample."""
    health = store_health(settings)
    if health.state == "damaged":
        LOG.error("Store %s is damaged: %s", settings.store_path, [f.code for f in health.problems])
        raise StoreDamaged(health)
    version = health.current
    if version is not None:
        return DataSource(
            path=str(version.path),
            stamp=version.sha256,
            is_sample=False,
            number=version.number,
            created_at=version.created_at,
            user=version.user,
            file_name=version.file_name,
        )
    sample = settings.sample_path
    if settings.show_sample_when_empty and sample.is_file():
        info = sample.stat()
        return DataSource(path=str(sample), stamp=f"{info.st_mtime_ns}:{info.st_size}", is_sample=True)
    return None


SAMPLE_CACHE_DIR = ".cchc_cache"  # beside the sample file: its snapshot, never inside the store


def snapshot_dir(path: Path, stamp: str, settings: Settings) -> Path:
    """Where the snapshot of `path` lives: the store's cache for a published version (stamp = its
    sha256), a cache folder beside the file for the sample (creating none inside a store that does not
    exist: an empty store folder would no longer count as "nothing published yet")."""
    return settings.store_path / CACHE_DIR if _SHA256.fullmatch(stamp) else path.parent / SAMPLE_CACHE_DIR


def _read(path: Path, stamp: str, settings: Settings) -> Workbook:
    """The tables of a file that was validated when it was published (trusted): from its columnar
    snapshot when a sound one exists (publishing wrote it), else parsed in the worker process and kept
    as a snapshot. A store version's
    bytes are checked against its sha256 (`stamp`) once more, and the snapshot against the sha256 of
    the very bytes just read."""
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    if _SHA256.fullmatch(stamp) and sha256 != stamp:
        raise DataError(f"{path} does not match its sha256")
    workbook = published_tables(data, settings, snapshot_dir(path, stamp, settings))
    if workbook is None:
        raise DataError(f"{path} has errors")
    return workbook


# The parsed workbook is shared, not copied: st.cache_data would unpickle the whole workbook on
# every rerun (hundreds of ms at 200,000 activities). Nobody mutates it: metrics returns new frames.
@st.cache_resource(max_entries=2, show_spinner="Đang đọc dữ liệu…")
def _load(path: str, stamp: str, _settings: Settings) -> Workbook:
    LOG.info("Parsing %s (version %s)", path, stamp[:12])
    return _read(Path(path), stamp, _settings)


def load_workbook(source: DataSource, settings: Settings) -> Workbook:
    """The parsed workbook of `source`, parsed once per (path, stamp)."""
    return _load(source.path, source.stamp, settings)


@st.cache_data(max_entries=4, show_spinner=False)
def _years(path: str, stamp: str, _settings: Settings) -> list[int]:
    wb = _load(path, stamp, _settings)
    years = set(pd.to_numeric(wb.targets["year"], errors="coerce").dropna().astype(int))
    dates = pd.to_datetime(wb.activities["date"], errors="coerce").dropna()
    years |= set(dates.dt.year.astype(int))
    return sorted(years)


def workbook_years(source: DataSource, settings: Settings) -> list[int]:
    """Years that hold a target or an activity, ascending."""
    return _years(source.path, source.stamp, settings)


@st.cache_data(max_entries=4, show_spinner=False)
def _units(path: str, stamp: str, _settings: Settings) -> pd.DataFrame:
    wb = _load(path, stamp, _settings)
    return wb.units[["unit_code", "unit_name", "unit_type"]].reset_index(drop=True)


def unit_options(source: DataSource, settings: Settings) -> pd.DataFrame:
    """unit_code, unit_name, unit_type of every unit, in workbook order (for the filter widgets)."""
    return _units(source.path, source.stamp, settings)


@st.cache_resource(max_entries=16, show_spinner=False)
def _filtered(path: str, stamp: str, filters: Filters, _settings: Settings) -> Workbook:
    wb = _load(path, stamp, _settings)
    unit_types, unit_codes = filters
    if not unit_types and not unit_codes:
        return wb
    return metrics.filter_workbook(
        wb, unit_types=list(unit_types) or None, unit_codes=list(unit_codes) or None
    )


def filtered_workbook(source: DataSource, settings: Settings, filters: Filters) -> Workbook:
    """The workbook restricted to the chosen unit types / units (cached per filter)."""
    return _filtered(source.path, source.stamp, filters, settings)


# Metric tables of the filtered workbook: name -> (metrics function, keyed on a period name or a year).
_METRICS: dict[str, tuple[Callable[..., Any], bool]] = {
    "pva": (metrics.plan_vs_actual, True),
    "previous_pva": (metrics.previous_year_pva, True),
    "quarterly": (metrics.quarterly_series, False),
    "unit_matrix": (metrics.unit_quarter_matrix, False),
}


@st.cache_data(max_entries=192, show_spinner=False)
def _metric(
    name: str,
    path: str,
    stamp: str,
    filters: Filters,
    when: str | int,
    calendar: str,
    cutoff: int,
    _s: Settings,
):
    function, by_period = _METRICS[name]
    wb = _filtered(path, stamp, filters, _s)
    return function(wb, parse_period(when) if by_period else when, calendar, cutoff)


def cached_metric(
    name: str, source: DataSource, settings: Settings, filters: Filters, when: str | int, calendar: str
) -> Any:
    """A metrics table of the filtered workbook, cached per data version and choices: "pva"
    (plan_vs_actual) and "previous_pva" (previous_year_pva, None without data) take a period name;
    "quarterly" (quarterly_series) and "unit_matrix" (unit_quarter_matrix) take a year."""
    return _metric(name, source.path, source.stamp, filters, when, calendar, settings.cutoff_day, settings)


# Activity rows can be 200,000 long: shared like the workbook (readers never mutate them).
@st.cache_resource(max_entries=16, show_spinner=False)
def _acts(path: str, stamp: str, filters: Filters, period: str, calendar: str, cutoff: int, _s: Settings):
    wb = _filtered(path, stamp, filters, _s)
    return metrics.activities_in_period(wb, parse_period(period), calendar, cutoff)


def cached_activities(source: DataSource, settings: Settings, filters: Filters, period: str, calendar: str):
    """metrics.activities_in_period for the filtered workbook (shared frame: do not modify)."""
    return _acts(source.path, source.stamp, filters, period, calendar, settings.cutoff_day, settings)


@st.cache_resource(max_entries=2, show_spinner=False)
def _keys(path: str, stamp: str, _settings: Settings) -> pd.Series:
    wb = _load(path, stamp, _settings)
    return selection.search_keys(wb.activities, wb.units)


@st.cache_data(max_entries=64, show_spinner=False)
def _matching(path: str, stamp: str, text: str, _settings: Settings):
    return selection.rows_matching(_keys(path, stamp, _settings), text)


def matching_rows(source: DataSource, settings: Settings, text: str):
    """`row` numbers of the activities whose text holds every word of `text` (whole workbook, cached)."""
    return _matching(source.path, source.stamp, text.strip(), settings)


# Plotly figures take 20-40 ms each to build and a page's small derived tables a few ms each: they are
# rebuilt only when their inputs' key changes. Shared objects: callers never modify what they get.
@st.cache_resource(max_entries=512, show_spinner=False)
def _built(key: tuple, _build: Callable[[], Any]) -> Any:
    return _build()


def cached_build(key: tuple, build: Callable[[], Any]) -> Any:
    """What `build()` returns, kept per `key` (data version, filters, period... and a name)."""
    return _built(key, build)


@st.cache_data(max_entries=64, show_spinner=False)
def _distinct(path: str, stamp: str, filters: Filters, period: str, calendar: str, cutoff: int, column: str,
              _s: Settings) -> list[str]:  # fmt: skip
    return selection.distinct_values(_acts(path, stamp, filters, period, calendar, cutoff, _s), column)


def cached_distinct(
    source: DataSource, settings: Settings, filters: Filters, period: str, calendar: str, column: str
) -> list[str]:
    """selection.distinct_values of the period's activities (options of the channel/area filters)."""
    return _distinct(
        source.path, source.stamp, filters, period, calendar, settings.cutoff_day, column, settings
    )
