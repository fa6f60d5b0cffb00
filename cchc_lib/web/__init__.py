"""The Streamlit layer of the dashboard (the only library code importing streamlit)."""

from __future__ import annotations

from cchc_lib.web.frame import Frame, guard, page_frame, role_allowed

__all__ = ["Frame", "guard", "page_frame", "role_allowed"]
