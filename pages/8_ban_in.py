"""Bản in một trang: what a leader takes to the meeting, on one A4 page: the headline row, the units
behind and those with nothing (by name, with the icon and the %), who has not reported, the quarterly
trend. The browser prints it (Ctrl+P, or Share → Print on a phone); the print style hides the menu
and the page chrome."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cchc_lib.common.formatting import fmt_date
from cchc_lib.documents import charts
from cchc_lib.figures import metrics
from cchc_lib.web import page_frame
from cchc_lib.web import render as ui
from cchc_lib.web.laggards import render_laggards
from cchc_lib.web.reporting_view import render_reporting_status

# A4 portrait; on paper only the page's own content (no sidebar, header, toolbar or buttons).
PRINT_STYLE = """<style>
@page { size: A4 portrait; margin: 12mm; }
@media print {
  html { zoom: 0.72; }  /* the page laid out about 940 px wide: four cards in a row, one sheet */
  h1, [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stSidebarCollapsedControl"], [data-testid="stBaseButton-secondary"],
  [data-testid="stPageLink"], .cchc-no-print { display: none !important; }
  [data-testid="stMain"] { margin-left: 0 !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
  [data-testid="stPlotlyChart"], [data-testid="stTable"] { break-inside: avoid; }
}
</style>"""
HOW_TO_PRINT = (
    "In trang này bằng lệnh In của trình duyệt (Ctrl+P; trên điện thoại: Chia sẻ → In), chọn khổ A4. "
    "Khi in, thanh bên và các nút được ẩn."
)
frame = page_frame("Bản in một trang")

with frame.guard():
    s = frame.settings
    st.html(PRINT_STYLE)
    st.markdown(f'<div class="cchc-no-print">{HOW_TO_PRINT}</div>', unsafe_allow_html=True)
    pva = frame.pva()
    head = metrics.headline(pva, s.complete_pct, s.near_pct)
    if ui.is_empty(pva) or (head["planned"] == 0 and head["actual"] == 0):
        ui.empty_state()
        st.stop()
    st.markdown(
        f"#### Thông tin, tuyên truyền cải cách hành chính — {ui.md_escape(frame.period.label)}\n"
        f"{ui.md_escape(s.organisation)} · in ngày {fmt_date(pd.Timestamp.today())}"
    )
    ui.headline_cards(head, s.complete_pct)

    classified = metrics.classify_units(pva, s.complete_pct, s.near_pct)
    ui.section("Đơn vị chưa đạt kế hoạch")
    render_laggards(classified, s.near_pct)

    render_reporting_status(frame)

    series = frame.quarterly()
    if not ui.is_empty(series):
        ui.section(f"Diễn biến theo quý năm {frame.period.year}")
        ui.chart(charts.quarter_trend(series), key="print_quarter")
