"""Hoạt động: the activity rows of the period, filtered; totals; links; XLSX/CSV of exactly those rows."""

from __future__ import annotations

import streamlit as st

from cchc_lib.common.formatting import fmt_int
from cchc_lib.figures import selection
from cchc_lib.web import page_frame
from cchc_lib.web import render as ui
from cchc_lib.web.state import persisted_widget, remembered

MAX_SHOWN = 1000  # rows sent to the browser; downloads always hold every filtered row
COLUMNS = [
    "date",
    "link",
    "unit_name",
    "type_name",
    "quantity",
    "title",
    "channel",
    "reform_area",
]
EXPORT_COLUMNS = ["date", "unit_code", "unit_name", "unit_type", "type_name", "quantity", "title", "channel",
                  "reform_area", "link", "note"]  # fmt: skip

frame = page_frame("Hoạt động")

with frame.guard():
    acts = frame.activities()
    if ui.is_empty(acts):
        ui.empty_state()
        st.stop()

    types = frame.workbook.activity_types
    type_names = dict(zip(types["type_code"], types["type_name"], strict=False))
    # Folded by default so a phone shows the totals first; the label says when filters are on.
    active = sum(bool(remembered(name)) for name in ("act_types", "act_channels", "act_areas", "act_text"))
    label = f"Lọc hoạt động · đang áp dụng {active} điều kiện" if active else "Lọc hoạt động"
    with st.expander(label, expanded=False, icon=":material/filter_list:"):
        left, right = st.columns(2)
        with left:
            type_codes = persisted_widget(
                st.multiselect,
                "act_types",
                list(type_names),
                [],
                multi=True,
                label="Loại hoạt động",
                placeholder="Tất cả",
                format_func=lambda c: type_names.get(c, c),
            )
            channels = persisted_widget(
                st.multiselect,
                "act_channels",
                frame.distinct("channel"),
                [],
                multi=True,
                label="Kênh đăng tải",
                placeholder="Tất cả",
            )
        with right:
            areas = persisted_widget(
                st.multiselect,
                "act_areas",
                frame.distinct("reform_area"),
                [],
                multi=True,
                label="Lĩnh vực CCHC",
                placeholder="Tất cả",
            )
            text = persisted_widget(
                st.text_input,
                "act_text",
                None,
                "",
                label="Tìm kiếm",
                placeholder="Tiêu đề, ghi chú, tên đơn vị…",
            )

    rows = frame.matching_rows(text) if (text or "").strip() else None
    shown = selection.filter_activities(
        acts, type_codes=type_codes, channels=channels, reform_areas=areas, rows=rows
    )
    totals = selection.activity_totals(shown)
    ui.cards(
        [
            ui.Card("Số dòng", fmt_int(totals["rows"])),
            ui.Card("Tổng số lượng", fmt_int(totals["quantity"])),
            ui.Card("Số đơn vị", fmt_int(totals["units"])),
        ]
    )
    if ui.is_empty(shown):
        ui.empty_state("Không có hoạt động nào khớp bộ lọc.")
        st.stop()

    export = ui.prepare(shown, EXPORT_COLUMNS)
    slug = frame.period.name
    with st.container(horizontal=True):
        ui.download_xlsx(
            export, f"hoat_dong_{slug}.xlsx", key="acts_xlsx", title=f"Hoạt động — {frame.period.label}"
        )
        ui.download_csv(export, f"hoat_dong_{slug}.csv", key="acts_csv")
    if len(shown) > MAX_SHOWN:
        st.caption(
            f"Đang hiển thị {fmt_int(MAX_SHOWN)} / {fmt_int(len(shown))} dòng đầu. "
            "Tải tệp Excel hoặc CSV để xem đủ các dòng đã lọc."
        )
    ui.list_table(shown, columns=COLUMNS, link_columns=["link"], max_rows=MAX_SHOWN, height=560)
