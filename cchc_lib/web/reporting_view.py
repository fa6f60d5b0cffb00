"""Reporting status on screen: store versions -> reporting.period_status (as of the current version, under
the sidebar's calendar), the compact overview block, the unit x quarter matrix with its chips."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from cchc_lib.common.formatting import MISSING, fmt_date, fmt_int
from cchc_lib.common.periods import Period
from cchc_lib.common.settings import Settings
from cchc_lib.figures import reporting, reporting_matrix
from cchc_lib.publishing.store import StoreError
from cchc_lib.publishing.store_factory import open_store
from cchc_lib.publishing.version_keys import version_keys
from cchc_lib.reading.model import Workbook
from cchc_lib.web.frame import Frame

__all__ = [
    "STATUS_BADGES",
    "chip_styles",
    "deadline_line",
    "fmt_when",
    "matrix",
    "period_status",
    "render_reporting_status",
    "status_badges",
    "store_versions",
    "year_overview",
]

STATUS_BADGES = {
    "on_time": "green",
    "late": "orange",
    "baseline": "green",
    "resubmit": "red",
    "not_due": "gray",
    "missing": "red",
}
NOT_TRACKED = (
    "Tình hình nộp báo cáo được theo dõi từ khi số liệu được cập nhật qua trang «Cập nhật dữ liệu». "
    "Hiện chưa có phiên bản dữ liệu nào được công bố."
)
KEYS_CACHE_DIR = "cache"  # under the store folder: derived data, safe to delete
STORE_BROKEN = "Không đọc được lịch sử phiên bản dữ liệu; hãy báo quản trị viên."


def fmt_when(value: Any) -> str:
    """A datetime -> "19/03/2024 23:30"; missing -> "—"."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING
    stamp = pd.Timestamp(value)
    return f"{fmt_date(stamp)} {stamp.hour:02d}:{stamp.minute:02d}"


# Versions never change once published: their activity keys are computed once per file content,
# kept on disk (cchc_lib.publishing.version_keys, survives restarts) and in memory here.
# `_fetch` brings a version this server never opened from the PostgreSQL store into its local cache.
@st.cache_data(max_entries=256, show_spinner=False)
def _version_keys(
    path: str,
    sha256: str,
    _settings: Settings,
    _fetch: Callable[[], object] | None = None,
    _tables: Workbook | None = None,
) -> pd.DataFrame | None:
    cache = _settings.store_path / KEYS_CACHE_DIR
    return version_keys(Path(path), sha256, cache, _settings, fetch=_fetch, tables=_tables)


def store_versions(
    settings: Settings, loaded: tuple[str, Workbook] | None = None
) -> tuple[pd.DataFrame, dict[int, pd.DataFrame], int | None]:
    """The store's versions (reporting.VERSION_COLUMNS), the activity keys of each readable one and
    the current version's number (None without versions). `loaded`: (sha256, tables) of a version
    already in memory (the page's own), whose keys are then computed from those tables.

    Raises StoreError when the store itself cannot be read.
    """
    store = open_store(settings)
    current = store.current_number()  # first: a version published meanwhile is then left out
    history = store.history()
    keys: dict[int, pd.DataFrame] = {}
    for version in history:
        tables = loaded[1] if loaded is not None and loaded[0] == version.sha256 else None
        found = _version_keys(
            str(version.path), version.sha256, settings, partial(store.version, version.number), tables
        )
        if found is not None:
            keys[version.number] = found
    return reporting.versions_table(history), keys, current if history else None


def _loaded(frame: Frame) -> tuple[str, Workbook] | None:
    """(sha256, tables) of the store version the page shows (checked against its sha256 when loaded)."""
    source = frame.source
    return (source.stamp, frame.workbook) if source is not None and not source.is_sample else None


def _expected_units(frame: Frame) -> pd.DataFrame:
    """The workbook's units (with validity dates) that the page's unit filters let through."""
    units = frame.workbook.units
    return units[units["unit_code"].isin(frame.chosen_units["unit_code"])]


def _options(frame: Frame, today: date | None) -> dict[str, Any]:
    s = frame.settings
    return {
        "cutoff_day": s.cutoff_day,
        "grace_days": s.submission_grace_days,
        "today": today or date.today(),
        "calendar": frame.calendar,
    }


def period_status(
    frame: Frame, period: Period | None = None, today: date | None = None
) -> pd.DataFrame | None:
    """reporting.period_status for the page's period (or `period`), calendar and unit filters, as of
    the current version; None when the store holds no version yet. Raises StoreError when the store
    cannot be read."""
    versions, keys, current = store_versions(frame.settings, _loaded(frame))
    if versions.empty:
        return None
    return reporting.period_status(
        _expected_units(frame),
        versions,
        keys,
        period or frame.period,
        current=current,
        **_options(frame, today),
    )


def year_overview(frame: Frame, today: date | None = None) -> pd.DataFrame | None:
    """reporting.year_overview for the page's year (quarters, half year, 9 months, year) and
    calendar; None when the store holds no version yet."""
    versions, keys, current = store_versions(frame.settings, _loaded(frame))
    if versions.empty:
        return None
    return reporting.year_overview(
        _expected_units(frame),
        versions,
        keys,
        frame.period.year,
        kinds=("Q1", "Q2", "Q3", "Q4", "H1", "9M", ""),
        current=current,
        **_options(frame, today),
    )


def matrix(frame: Frame, today: date | None = None) -> pd.DataFrame | None:
    """reporting_matrix.submission_matrix for the page's year and calendar (long form); None when the
    store holds no version yet."""
    versions, keys, current = store_versions(frame.settings, _loaded(frame))
    if versions.empty:
        return None
    return reporting_matrix.submission_matrix(
        _expected_units(frame).reset_index(drop=True),
        versions,
        keys,
        frame.period.year,
        current=current,
        **_options(frame, today),
    )


def chip_styles(codes: pd.DataFrame) -> pd.DataFrame:
    """CSS per cell for a frame of status codes (cells without a status get no style)."""

    def css(code: object) -> str:
        found = reporting_matrix.CHIPS.get(str(code))
        return f"color: {found.color}; background-color: {found.fill}" if found else ""

    return codes.map(css)


def status_badges(counts: dict[str, int]) -> str:
    """Markdown: one coloured badge, with its chip's icon, per status that has units."""
    return " ".join(
        f":{STATUS_BADGES[code]}-badge[{reporting_matrix.CHIPS[code].icon} "
        f"{reporting.STATUS_LABELS[code]}: {fmt_int(counts[code])}]"
        for code in reporting.STATUS_ORDER
        if counts.get(code)
    )


def deadline_line(frame: Frame) -> str:
    """'Kỳ: Quý I năm 2024 (theo dương lịch: 01/01/2024 – 31/03/2024) · hạn nộp 05/04/2024' for the
    page's period under the sidebar's calendar."""
    s = frame.settings
    return reporting.period_caption(frame.period, frame.calendar, s.cutoff_day, s.submission_grace_days)


def render_reporting_status(frame: Frame) -> None:
    """Compact block for the overview: units submitted / on time / late / not submitted for the period."""
    st.subheader(f"Tình hình nộp báo cáo — {frame.period.label}", divider="gray")
    try:
        status = period_status(frame)
    except StoreError as exc:
        st.error(exc.message or STORE_BROKEN, icon=":material/error:")
        return
    if status is None:
        st.caption(NOT_TRACKED)
        return
    counts = reporting.status_counts(status)
    again = f" (cần nộp lại **{fmt_int(counts['resubmit'])}**)" if counts["resubmit"] else ""
    st.markdown(
        f"Đã nộp **{fmt_int(counts['submitted'])}/{fmt_int(counts['expected'])}** đơn vị · "
        f"đúng hạn **{fmt_int(counts['on_time'])}** · trễ hạn **{fmt_int(counts['late'])}** · "
        f"chưa nộp **{fmt_int(counts['not_submitted'])}**{again}"
    )
    badges = status_badges(counts)
    if badges:
        st.markdown(badges)
    st.caption(deadline_line(frame))
    st.page_link(
        "pages/7_tinh_hinh_bao_cao.py",
        label="Xem chi tiết tình hình báo cáo",
        icon=":material/arrow_forward:",
    )
