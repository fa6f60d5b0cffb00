"""Drill-through: a click on a unit's bar or heatmap cell opens that unit's page with the unit chosen,
on the same period and filters (the address's view is carried)."""

from __future__ import annotations

from functools import partial
from typing import Any

import streamlit as st

from cchc_lib.documents.chart_links import unit_of_points
from cchc_lib.web.render import PLOTLY_CONFIG
from cchc_lib.web.state import remember, remembered

__all__ = ["UNIT_PAGE", "drill_chart", "follow_drill"]

UNIT_PAGE = "pages/1_don_vi.py"
_PENDING = "cchc._drill"  # set by a chart's click callback: open the unit page on this run


def _picked(key: str) -> None:
    """on_select callback of chart `key`: keep the clicked unit as the unit page's choice."""
    state = st.session_state.get(key)
    selection = state.get("selection", {}) if state is not None else {}
    code = unit_of_points(selection.get("points"))
    if code is not None:
        remember("unit", code)
        st.session_state[_PENDING] = True


def drill_chart(figure: Any, key: str) -> None:
    """A chart whose bars (or cells) carry a unit code as their last customdata item: a tap on one
    opens the unit page (see `follow_drill`)."""
    st.plotly_chart(
        figure,
        config=PLOTLY_CONFIG,
        theme=None,
        key=key,
        on_select=partial(_picked, key),
        selection_mode="points",
    )


def follow_drill() -> None:
    """At the top of a page with drill charts: when a click chose a unit, switch to the unit page with
    the current view's query parameters (the period and filters stay; never returns then)."""
    if st.session_state.pop(_PENDING, False):
        st.switch_page(UNIT_PAGE, query_params=remembered("url") or {})
