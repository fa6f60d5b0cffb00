"""The shared choices (period, calendar, unit filters) kept in st.session_state across pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

__all__ = ["KEY_PREFIX", "persisted_widget", "remembered", "remember", "take_widget_change"]

# Own keys ("cchc.<name>") survive page changes; widget keys ("_w.<name>") are dropped by Streamlit
# whenever a page without that widget runs, so every widget is re-seeded from its own key.
KEY_PREFIX = "cchc."
_WIDGET_PREFIX = "_w."
_CHANGED = KEY_PREFIX + "_changed"  # set by a persisted widget's callback: the visitor chose something


def remembered(name: str, default: Any = None) -> Any:
    """The value kept under `name` for this browser session, or `default`."""
    return st.session_state.get(KEY_PREFIX + name, default)


def remember(name: str, value: Any) -> None:
    """Keep `value` under `name` for this browser session."""
    st.session_state[KEY_PREFIX + name] = value


def take_widget_change() -> bool:
    """Whether a persisted widget was changed by the visitor since the last call (then cleared): such a
    run keeps the widgets' values even when the address still shows the previous view."""
    return bool(st.session_state.pop(_CHANGED, False))


def _sanitise(value: Any, options: Sequence[Any], default: Any, multi: bool) -> Any:
    if multi:
        chosen = [v for v in (value or []) if v in options]
        return chosen
    return value if value in options else default


def persisted_widget(
    widget: Callable[..., Any],
    name: str,
    options: Sequence[Any] | None,
    default: Any,
    *,
    multi: bool = False,
    widget_name: str | None = None,
    **kwargs: Any,
) -> Any:
    """Draw `widget` (selectbox, radio, multiselect, segmented_control...) bound to the kept value `name`.

    The kept value is checked against `options` (a unit that left the filter is dropped) and falls
    back to `default`; `options=None` for widgets without options (text_input). A second widget bound
    to the same value on one page (the overview's period bar beside the sidebar's) passes its own
    `widget_name`. Returns the value.
    """
    own_key, widget_key = KEY_PREFIX + name, _WIDGET_PREFIX + (widget_name or name)
    if widget is st.multiselect:
        kwargs.setdefault("select_all", False)  # Streamlit's "Select all" is English only
    value = st.session_state.get(own_key, default)
    if options is not None:
        options = list(options)
        value = _sanitise(value, options, default, multi)
        kwargs["options"] = options
    st.session_state[own_key] = value
    st.session_state[widget_key] = value

    def _keep() -> None:
        st.session_state[own_key] = st.session_state[widget_key]
        st.session_state[_CHANGED] = True

    result = widget(key=widget_key, on_change=_keep, **kwargs)
    if multi:
        result = list(result or [])
    st.session_state[own_key] = result
    return result
