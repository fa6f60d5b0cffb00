"""The phone style sheet (drawn on every page): tap targets of at least 44 px, the overview's headline
cards in one compact row at every width, the period bar as a grid, a labelled menu button, less chrome.

CSS only (the Content-Security-Policy allows inline styles, never inline scripts). PHONE_MAX_PX is where
the phone rules start; the headline row stays one row at every width.
"""

from __future__ import annotations

import streamlit as st

from cchc_lib.web.period_bar import PERIOD_BAR_KEY
from cchc_lib.web.render import HEADLINE_KEY

__all__ = ["CSS", "DELTA_NOTE", "MENU_BUTTON_TEXT", "PHONE_MAX_PX", "TAP_PX", "phone_style"]

PHONE_MAX_PX = 500
TAP_PX = 44  # the smallest tap target (WCAG 2.5.5, Apple HIG)
MENU_BUTTON_TEXT = "Menu · bộ lọc"  # the sidebar's opener, an unlabelled ">>" otherwise
# On a phone the cards drop "so với cùng kỳ năm trước" after each change; the row says it once.
DELTA_NOTE = "Mũi tên ↑↓: thay đổi so với cùng kỳ năm trước"

_ROW = f".st-key-{HEADLINE_KEY}"
_BAR = f".st-key-{PERIOD_BAR_KEY}"
_TAPPABLE = ", ".join(
    [
        "[data-testid=stPageLink-NavLink]",
        "[data-testid=stBaseButton-secondary]",
        "[data-testid=stBaseButton-primary]",
        "[data-testid=stBaseButton-tertiary]",
        "[data-testid=stPopover] button",
        "[data-testid=stExpander] summary",
        "[data-testid=stExpandSidebarButton]",
        "[data-testid=stSidebarCollapseButton] button",
        "[data-testid=stButtonGroup] button",
    ]
)

CSS = f"""
{_ROW} [data-testid=stHorizontalBlock] {{ flex-wrap: nowrap !important; gap: 0.5rem !important; }}
{_ROW} [data-testid=stColumn] {{ min-width: 0 !important; width: auto !important; flex: 1 1 0 !important; }}
{_BAR} [data-testid=stButtonGroup] button {{ min-height: {TAP_PX}px; }}
{_ROW} [data-testid=stColumn] [data-testid=stVerticalBlock], {_ROW} [data-testid=stColumn] [data-testid=stElementContainer],
{_ROW} [data-testid=stMetric] {{ height: 100%; }}  /* the cards of the row equally tall */
{_ROW} [data-testid=stMetricDeltaDescription] * {{ white-space: normal !important; overflow: visible !important;
  text-overflow: clip !important; }}
[data-testid=stExpandSidebarButton]::after {{
  content: "{MENU_BUTTON_TEXT}"; font-size: 0.875rem; font-weight: 600; margin-left: 0.25rem; white-space: nowrap; }}
[data-testid=stExpandSidebarButton] {{ width: auto !important; padding: 0 0.5rem !important; }}
@media (max-width: {PHONE_MAX_PX}px) {{
  {_TAPPABLE} {{ min-height: {TAP_PX}px !important; }}
  [data-testid=stPageLink-NavLink] {{ display: flex; align-items: center; }}
  [data-testid=stTooltipHoverTarget] button {{ position: relative; }}
  [data-testid=stTooltipHoverTarget] button::after {{
    content: ""; position: absolute; left: 50%; top: 50%; width: {TAP_PX}px; height: {TAP_PX}px;
    transform: translate(-50%, -50%); }}
  [data-testid=stMainBlockContainer] {{ padding-top: 3.25rem !important; padding-left: 0.75rem !important;
    padding-right: 0.75rem !important; }}
  h1 {{ font-size: 1.75rem !important; padding-bottom: 0.25rem !important; }}
  h2, h3 {{ font-size: 1.25rem !important; }}
  [data-testid=stAlertContainer] {{ padding: 0.5rem 0.75rem !important; }}
  [data-testid=stAlertContainer] p {{ font-size: 0.875rem !important; line-height: 1.4; }}
  {_BAR} [role=radiogroup] {{ display: grid !important; grid-template-columns: repeat(4, 1fr); width: 100%; }}
  {_BAR} [role=radiogroup] button {{ width: 100%; margin: 0 !important; }}
  {_ROW} [data-testid=stHorizontalBlock] {{ gap: 0.25rem !important; }}
  {_ROW} [data-testid=stColumn]:nth-child(1) {{ flex-grow: 1.2 !important; }}
  {_ROW} [data-testid=stColumn]:nth-child(2) {{ flex-grow: 1.6 !important; }}
  {_ROW} [data-testid=stColumn]:nth-child(4) {{ flex-grow: 0.9 !important; }}
  {_ROW} [data-testid=stMetric] {{ padding: 0 !important; }}
  {_ROW} [data-testid=stMetric] > div {{ padding: 0.5rem 0.375rem !important; }}
  {_ROW} [data-testid=stMetricLabel] p {{ font-size: 0.8125rem !important; line-height: 1.2; white-space: normal !important; }}
  {_ROW} [data-testid=stMetricLabel] {{ display: block !important; width: 100% !important; }}
  {_ROW} [data-testid=stMetricLabel] > div, {_ROW} [data-testid=stMetricLabel] [data-testid=stMarkdownContainer] {{
    display: inline !important; white-space: normal !important; overflow: visible !important; }}
  {_ROW} [data-testid=stMetricLabel] > span {{ display: none !important; }}  /* the labels say it; no room */
  {_ROW} [data-testid=stMetricValue] *, {_ROW} [data-testid=stMetricDelta] * {{ white-space: normal !important;
    overflow: visible !important; text-overflow: clip !important; }}
  {_ROW} [data-testid=stMetric] > div {{ display: flex !important; flex-direction: column; gap: 0.125rem; }}
  {_ROW} [data-testid=stMetricValue] {{ order: -1; font-weight: 600; }}
  {_ROW}:has([data-testid=stMetricDelta])::after {{ content: "{DELTA_NOTE}"; font-size: 0.8125rem;
    color: rgba(49, 51, 63, 0.7); }}
  {_ROW} [data-testid=stMetricValue] {{ font-size: 1.0625rem !important; line-height: 1.25;
    padding: 0 !important; }}
  {_ROW} [data-testid=stMetricValue] div {{ white-space: normal !important; overflow: visible !important;
    text-overflow: clip !important; }}
  {_ROW} [data-testid=stMetricDelta] {{ font-size: 0.8125rem !important; padding: 0.125rem 0.25rem !important; }}
  {_ROW} [data-testid=stMetricDelta] ~ * {{ display: none !important; }}
}}
"""


def phone_style() -> None:
    """Draw the style sheet (once per page run; it takes no room)."""
    st.html(f"<style>{CSS}</style>")
