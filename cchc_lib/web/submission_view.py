"""A unit's submission on the upload page: the two modes, the correction range, removals, timeliness, history."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from cchc_lib.common.formatting import MISSING, fmt_date, fmt_int, fmt_pct
from cchc_lib.publishing.store import Store, Version
from cchc_lib.publishing.submission_labels import (
    CORRECT,
    CORRECT_NEEDS_RANGE,
    HISTORY_EMPTY,
    HISTORY_HEADERS,
    HISTORY_TITLE,
    MODE_HELP,
    MODE_LABELS,
    MODE_QUESTION,
    RANGE_HELP,
    RANGE_LABEL,
    REMOVAL_CONFIRM,
    REMOVAL_HEADERS,
    REMOVAL_TITLE,
    completion_line,
    counts_line,
    submitted_line,
)
from cchc_lib.publishing.submission_plan import (
    MODES,
    submission_history,
    submission_period,
    submission_timeliness,
)
from cchc_lib.publishing.submissions import Preview
from cchc_lib.web import render as ui
from cchc_lib.web.reporting_view import fmt_when

__all__ = [
    "MODE_KEY",
    "RANGE_KEY",
    "chosen_range",
    "counts_summary",
    "history",
    "mode_choice",
    "range_widget",
    "removal_gate",
    "submitted_message",
]

MODE_KEY = "cchc.upload.mode"
RANGE_KEY = "cchc.upload.range.{}"  # per uploaded file (its sha256's first 16 digits)


def mode_choice() -> str:
    """The radio «Cách nộp» (default: add and update) and what the chosen mode does."""
    mode = st.radio(MODE_QUESTION, MODES, format_func=MODE_LABELS.get, horizontal=True, key=MODE_KEY)
    st.caption(MODE_HELP[mode])
    return mode


def chosen_range(sha: str) -> tuple[date, date] | None:
    """The correction range chosen for the file `sha` on an earlier run (None: not chosen, or the file's
    own span, which is the default: the preview made for it is kept)."""
    key = RANGE_KEY.format(sha[:16])
    value = st.session_state.get(key)
    if isinstance(value, list | tuple) and len(value) == 2:
        chosen = (value[0], value[1])
        return None if chosen == st.session_state.get(key + ".span") else chosen
    return None


def range_widget(sha: str, span: tuple[date, date] | None) -> tuple[date, date] | None:
    """«Khoảng thời gian cần sửa», proposed as the file's own span (first..last date of its rows); a file
    without rows proposes nothing. Stops the script until both ends are chosen."""
    key = RANGE_KEY.format(sha[:16])
    st.session_state[key + ".span"] = span
    chosen = st.date_input(
        RANGE_LABEL,
        value=span if span is not None else [],
        format="DD/MM/YYYY",
        key=key,
        help=RANGE_HELP,
    )
    if not isinstance(chosen, list | tuple) or len(chosen) != 2:
        st.info(CORRECT_NEEDS_RANGE, icon=":material/info:")
        st.stop()
    return chosen[0], chosen[1]


def counts_summary(preview: Preview) -> str:
    """ "Đơn vị XCB, từ **01/01/2024** đến **31/03/2024**: **1** dòng thêm · **0** dòng cập nhật · **2** dòng
    xóa" (the range only for a correction)."""
    plan = preview.plan
    added, updated, removed = (
        (0, 0, 0) if plan is None else (len(plan.added), len(plan.updated), len(plan.removed))
    )
    scope = f"Đơn vị {preview.unit_code}: "
    if preview.mode == CORRECT and preview.date_range is not None:
        first, last = preview.date_range
        scope = f"Đơn vị {preview.unit_code}, từ **{fmt_date(first)}** đến **{fmt_date(last)}**: "
    return scope + counts_line(f"**{fmt_int(added)}**", f"**{fmt_int(updated)}**", f"**{fmt_int(removed)}**")


def removal_gate(preview: Preview, activity_types: pd.DataFrame) -> bool:
    """The rows a correction removes (red block: their list with the type names of `activity_types`, the
    effect on completion) and the checkbox confirming them. True when publishing may go ahead (nothing
    removed, or confirmed)."""
    count = preview.removals
    if not count:
        return True
    type_names = dict(zip(activity_types["type_code"], activity_types["type_name"], strict=False))
    removed = preview.plan.removed  # type: ignore[union-attr]
    lines = [f"**{REMOVAL_TITLE}: {fmt_int(count)} dòng** hiện có của đơn vị {preview.unit_code} sẽ bị xóa."]
    effect = preview.completion if preview.completion is not None else pd.DataFrame()
    for record in effect.to_dict("records"):
        lines.append(
            completion_line(
                record["label"], fmt_pct(record["before_pct"], 0), fmt_pct(record["after_pct"], 0)
            )
        )
    st.error("\n\n".join(lines), icon=":material/delete_forever:")
    shown = pd.DataFrame(
        {
            "date": [fmt_date(d) for d in removed["date"]],
            "type_name": [type_names.get(t, t) for t in removed["type_code"]],
            "title": removed["title"].astype(object).where(removed["title"].notna(), MISSING),
        }
    )
    st.dataframe(shown.rename(columns=REMOVAL_HEADERS), hide_index=True, placeholder=MISSING)
    first, last = preview.date_range or (None, None)
    return st.checkbox(
        REMOVAL_CONFIRM.format(n=fmt_int(count)),
        key=f"cchc.upload.removals.{preview.upload_sha256[:12]}.{first}.{last}",
    )


def submitted_message(
    preview: Preview, version: Version, calendar: str, cutoff_day: int, grace_days: int
) -> str | None:
    """ "Đã nộp số liệu quý IV/2024 — đúng hạn" (or "— trễ N ngày") for a published unit submission: the
    quarter holding its last date (the file's, else the corrected range's end) against its deadline."""
    span = preview.file_span or preview.date_range
    if preview.kind != "unit" or span is None:
        return None
    period = submission_period(span, calendar, cutoff_day)
    label, late = submission_timeliness(period, version.created_at, calendar, cutoff_day, grace_days)
    return submitted_line(label, late)


def history(store: Store, unit_code: str) -> None:
    """The unit's own past submissions (store versions of kind "unit"), newest first, as a small table."""
    ui.section(HISTORY_TITLE)
    frame = submission_history(store.history(skip_damaged=True), unit_code)
    if frame.empty:
        st.caption(HISTORY_EMPTY)
        return
    shown = frame.assign(created_at=[fmt_when(v) for v in frame["created_at"]])
    st.dataframe(
        shown[list(HISTORY_HEADERS)].rename(columns=HISTORY_HEADERS), hide_index=True, placeholder=MISSING
    )
