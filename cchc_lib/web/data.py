"""Where the dashboard's data comes from and the cached calls: parsed once per data version."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from cchc_lib import metrics, selection
from cchc_lib.model import Workbook
from cchc_lib.periods import parse_period
from cchc_lib.settings import Settings

__all__ = [
    "DataSource",
    "DataError",
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


def _store_version(settings: Settings):
    """The store's current version, or None (store module missing, empty, or unreadable)."""
    try:
        from cchc_lib.store import Store
    except ImportError:
        return None
    try:
        return Store(settings.store_path).current()
    except Exception:
        LOG.exception("Reading the store's current version failed; falling back to the sample file")
        return None


def current_source(settings: Settings) -> DataSource | None:
    """The current store version's file, else the sample workbook, else None when neither exists."""
    version = _store_version(settings)
    if version is not None:
        path = Path(version.path)
        if not path.is_absolute():
            path = settings.store_path / path
        if path.is_file():
            return DataSource(
                path=str(path),
                stamp=str(version.sha256),
                is_sample=False,
                number=getattr(version, "number", None),
                created_at=getattr(version, "created_at", None),
                user=getattr(version, "user", None),
                file_name=getattr(version, "file_name", None),
            )
        LOG.error("Store version file %s is missing; falling back to the sample file", path)
    sample = settings.sample_path
    if sample.is_file():
        info = sample.stat()
        return DataSource(path=str(sample), stamp=f"{info.st_mtime_ns}:{info.st_size}", is_sample=True)
    return None


def _read(path: Path, settings: Settings) -> Workbook:
    """Parse a file that was validated when it was published (in-process, trusted)."""
    try:
        from cchc_lib.sandbox import read_trusted
    except ImportError:
        read_trusted = None
    if read_trusted is not None:
        result = read_trusted(path)
    else:
        from cchc_lib.workbook import read_workbook

        result = read_workbook(path.read_bytes(), settings)
    workbook = getattr(result, "workbook", result)
    if workbook is None or (hasattr(result, "ok") and not result.ok):
        raise DataError(f"{path} has errors")
    return workbook


# The parsed workbook is shared, not copied: st.cache_data would unpickle the whole workbook on
# every rerun (hundreds of ms at 200,000 activities). Nobody mutates it: metrics returns new frames.
@st.cache_resource(max_entries=2, show_spinner="Đang đọc dữ liệu…")
def _load(path: str, stamp: str, _settings: Settings) -> Workbook:
    LOG.info("Parsing %s (version %s)", path, stamp[:12])
    return _read(Path(path), _settings)


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
