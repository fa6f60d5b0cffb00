"""One drill chart in two shapes, chosen by the browser's width: the wide figure above the phone width,
the narrow one (short name lines, bars with room) on a phone. The server never knows the screen, so both
are sent and a CSS media query shows one (the folded sections build them only while open)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from cchc_lib.web.drill import drill_chart
from cchc_lib.web.phone import PHONE_MAX_PX

__all__ = ["NARROW_SUFFIX", "WIDE_SUFFIX", "container_keys", "responsive_drill_chart"]

WIDE_SUFFIX, NARROW_SUFFIX = "wide", "narrow"
_CSS = """<style>
.st-key-{narrow} {{ display: none; }}
@media (max-width: {phone}px) {{
  .st-key-{wide} {{ display: none; }}
  .st-key-{narrow} {{ display: block; }}
}}
</style>"""


def container_keys(key: str) -> tuple[str, str]:
    """The keys of the wide and the narrow chart's containers (`.st-key-<key>` in the page)."""
    return f"cchc-{key}-{WIDE_SUFFIX}", f"cchc-{key}-{NARROW_SUFFIX}"


def responsive_drill_chart(wide: Any, narrow: Any, key: str) -> None:
    """`wide` on a screen wider than PHONE_MAX_PX, `narrow` on a phone; a tap on a unit's bar in either
    opens the unit's page (drill.drill_chart; the charts are keyed `key` and `key`_narrow)."""
    wide_key, narrow_key = container_keys(key)
    st.html(_CSS.format(wide=wide_key, narrow=narrow_key, phone=PHONE_MAX_PX))
    with st.container(key=wide_key):
        drill_chart(wide, key=key)
    with st.container(key=narrow_key):
        drill_chart(narrow, key=f"{key}_narrow")
