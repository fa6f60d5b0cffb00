"""Reporting status on screen: store versions -> reporting.period_status, the compact overview block."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from cchc_lib import reporting
from cchc_lib.formatting import MISSING, fmt_date, fmt_int
from cchc_lib.periods import REPORT, Period
from cchc_lib.settings import Settings
from cchc_lib.store import Store, StoreError
from cchc_lib.version_keys import version_keys
from cchc_lib.web.frame import Frame

__all__ = [
    "STATUS_BADGES",
    "fmt_when",
    "period_status",
    "render_reporting_status",
    "status_badges",
    "store_versions",
    "year_overview",
]

STATUS_BADGES = {
    "on_time": "green",
    "late": "orange",
    "baseline": "blue",
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
# kept on disk (cchc_lib.version_keys, survives restarts) and in memory here.
@st.cache_data(max_entries=256, show_spinner=False)
def _version_keys(path: str, sha256: str, _settings: Settings) -> pd.DataFrame | None:
    return version_keys(Path(path), sha256, _settings.store_path / KEYS_CACHE_DIR, _settings)


def store_versions(settings: Settings) -> tuple[pd.DataFrame, dict[int, pd.DataFrame]]:
    """The store's versions (reporting.VERSION_COLUMNS) and the activity keys of each readable one.

    Raises StoreError when the store itself cannot be read.
    """
    history = Store(settings.store_path).history()
    keys: dict[int, pd.DataFrame] = {}
    for version in history:
        found = _version_keys(str(version.path), version.sha256, settings)
        if found is not None:
            keys[version.number] = found
    return reporting.versions_table(history), keys


def _expected_units(frame: Frame) -> pd.DataFrame:
    """The workbook's units (with validity dates) that the page's unit filters let through."""
    units = frame.workbook.units
    return units[units["unit_code"].isin(frame.chosen_units["unit_code"])]


def period_status(
    frame: Frame, period: Period | None = None, today: date | None = None
) -> pd.DataFrame | None:
    """reporting.period_status for the page's period (or `period`) and unit filters; None when the
    store holds no version yet. Raises StoreError when the store cannot be read."""
    versions, keys = store_versions(frame.settings)
    if versions.empty:
        return None
    s = frame.settings
    return reporting.period_status(
        _expected_units(frame),
        versions,
        keys,
        period or frame.period,
        cutoff_day=s.cutoff_day,
        grace_days=s.submission_grace_days,
        today=today or date.today(),
    )


def year_overview(frame: Frame, today: date | None = None) -> pd.DataFrame | None:
    """reporting.year_overview for the page's year (quarters, half year, 9 months, year); None when
    the store holds no version yet."""
    versions, keys = store_versions(frame.settings)
    if versions.empty:
        return None
    s = frame.settings
    return reporting.year_overview(
        _expected_units(frame),
        versions,
        keys,
        frame.period.year,
        cutoff_day=s.cutoff_day,
        grace_days=s.submission_grace_days,
        today=today or date.today(),
        kinds=("Q1", "Q2", "Q3", "Q4", "H1", "9M", ""),
    )


def status_badges(counts: dict[str, int]) -> str:
    """Markdown: one coloured badge per status that has units."""
    return " ".join(
        f":{STATUS_BADGES[code]}-badge[{reporting.STATUS_LABELS[code]}: {fmt_int(counts[code])}]"
        for code in reporting.STATUS_ORDER
        if counts.get(code)
    )


def deadline_line(frame: Frame) -> str:
    """'Kỳ báo cáo 15/12/2023 – 14/03/2024 · hạn nộp 19/03/2024' for the page's period."""
    s = frame.settings
    first, last = frame.period.bounds(REPORT, s.cutoff_day)
    deadline = reporting.submission_deadline(frame.period, s.cutoff_day, s.submission_grace_days)
    return f"Kỳ báo cáo {fmt_date(first)} – {fmt_date(last)} · hạn nộp {fmt_date(deadline)}"


def render_reporting_status(frame: Frame) -> None:
    """Compact block for the overview: units submitted / on time / late / missing for the period."""
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
    missing = counts["missing"] + counts["not_due"]
    st.markdown(
        f"Đã nộp **{fmt_int(counts['submitted'])}/{fmt_int(counts['expected'])}** đơn vị · "
        f"đúng hạn **{fmt_int(counts['on_time'])}** · trễ hạn **{fmt_int(counts['late'])}** · "
        f"chưa nộp **{fmt_int(missing)}**"
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
