"""The overview's period bar: the period as a row of buttons at the top of the page (Quý I … Cả năm),
with the year and the calendar in use in its label, bound to the sidebar's period (and so to the URL)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from cchc_lib.web import messages as msg
from cchc_lib.web.state import persisted_widget

if TYPE_CHECKING:  # frame.py draws the phone style sheet, which names this bar's key
    from cchc_lib.web.frame import Frame

__all__ = ["PERIOD_BAR_KEY", "bar_label", "period_bar"]

PERIOD_BAR_KEY = "cchc-period-bar"  # its container: `.st-key-cchc-period-bar` in the page


def bar_label(frame: Frame) -> str:
    """"Năm 2024 · theo quý dương lịch": the year and the calendar the bar's periods are taken in."""
    calendar = msg.CALENDAR_LABELS[frame.calendar].format(cutoff=frame.cutoff_day)
    return f"Năm {frame.period.year} · {calendar[:1].lower()}{calendar[1:]}"


def period_bar(frame: Frame) -> str:
    """Draw the bar into `frame.top` and return the chosen Period.kind. It holds the same kept value as
    the sidebar's "Kỳ" selector: a tap reruns the page with the new period in both, and the frame writes
    it into the address bar. The frame has already read the choice (the bar's callback runs first)."""
    kinds = dict(msg.PERIOD_KINDS)
    with frame.top.container(key=PERIOD_BAR_KEY):
        return persisted_widget(
            st.segmented_control,
            "kind",
            list(kinds),
            frame.period.kind,
            widget_name="kind_bar",
            label=bar_label(frame),
            format_func=lambda k: kinds[k],
            required=True,
            width="stretch",
        )
