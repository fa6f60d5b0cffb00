"""The data-freshness line drawn under every page title: when the shown data was published, its version
and (for a signed-in visitor only) who published it; "Dữ liệu mẫu" for the bundled sample."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from cchc_lib.common.formatting import fmt_date
from cchc_lib.web import messages as msg
from cchc_lib.web.data import DataSource
from cchc_lib.web.render import md_escape

__all__ = ["FRESHNESS_KEY", "freshness_text", "show_freshness"]

FRESHNESS_KEY = "cchc-freshness"  # the line's container: `.st-key-cchc-freshness` in the page
_UPDATED = "Số liệu cập nhật {when}"
_CURRENT = "Số liệu hiện hành"
_VERSION = "phiên bản {number}"
_BY = "bởi {user}"


def freshness_text(source: DataSource | None, signed_in: bool, notice: str | None = None) -> str:
    """"Số liệu cập nhật 02/12/2026 14:05 · phiên bản 7 · bởi <account>" for a store version (the
    account only when `signed_in`: names are not shown to anonymous visitors), "Dữ liệu mẫu" for the
    sample, `notice` (or NO_DATA_YET) without data. Plain text: the caller shows it as text, not markdown."""
    if source is None:
        return notice or msg.NO_DATA_YET
    if source.is_sample:
        return msg.DATA_SAMPLE
    parts = []
    if source.created_at is not None:
        stamp = pd.Timestamp(source.created_at)
        parts.append(_UPDATED.format(when=f"{fmt_date(stamp)} {stamp.hour:02d}:{stamp.minute:02d}"))
    else:
        parts.append(_CURRENT)
    if source.number is not None:
        parts.append(_VERSION.format(number=source.number))
    if source.user and signed_in:
        parts.append(_BY.format(user=source.user))
    return " · ".join(parts)


def show_freshness(slot: Any, text: str) -> None:
    """Draw `text` into `slot` (an st.empty right under the title) as one small grey line; markdown in
    it (an account name, a notice) is escaped."""
    with slot.container(key=FRESHNESS_KEY):
        st.caption(md_escape(text))
