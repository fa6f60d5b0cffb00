"""Đơn vị: one unit's plan vs actual per activity type and quarter, its rank, its activity list."""

from __future__ import annotations

import streamlit as st

from cchc_lib.common.formatting import fmt_int, fmt_pct
from cchc_lib.common.labels import STATUS_ICONS
from cchc_lib.documents import charts
from cchc_lib.figures import metrics, selection
from cchc_lib.web import page_frame
from cchc_lib.web import render as ui
from cchc_lib.web.laggards import mark_statuses
from cchc_lib.web.state import persisted_widget

MAX_SHOWN = 1000  # rows sent to the browser; the download holds them all

frame = page_frame("Đơn vị")

with frame.guard():
    s = frame.settings
    pool = frame.chosen_units
    names = dict(zip(pool["unit_code"], pool["unit_name"], strict=False))
    if not names:
        ui.empty_state()
        st.stop()
    code = persisted_widget(
        st.selectbox,
        "unit",
        list(names),
        frame.own_unit if frame.own_unit in names else next(iter(names)),  # a unit account: its own unit
        label="Chọn đơn vị",
        format_func=lambda c: names.get(c, c),
    )
    unit_type = str(pool.loc[pool["unit_code"] == code, "unit_type"].iloc[0])
    only_unit = ((), (code,))
    pva = frame.pva(filters=only_unit)
    head = frame.memo("unit_headline", lambda: metrics.headline(pva, s.complete_pct, s.near_pct), code)
    if ui.is_empty(pva) or (head["planned"] == 0 and head["actual"] == 0):
        ui.empty_state()
        st.stop()

    peers = frame.memo(
        "peers",
        lambda: metrics.classify_units(frame.pva(filters=((unit_type,), ())), s.complete_pct, s.near_pct),
        unit_type,
    )
    rank, ranked_count, ranked = frame.memo("rank", lambda: selection.rank_in_group(peers, code), code)
    own = peers.loc[peers["unit_code"] == code]
    # the status with its icon ("✕ Chưa hoàn thành"), as everywhere a status is shown
    status = f"{STATUS_ICONS[own['status'].iloc[0]]} {own['status_label'].iloc[0]}" if len(own) else "—"
    ui.cards(
        [
            ui.Card("Tỷ lệ hoàn thành", fmt_pct(head["completion_pct"])),
            ui.Card("Đã thực hiện / kế hoạch", f"{fmt_int(head['actual'])} / {fmt_int(head['planned'])}"),
            ui.Card("Xếp loại", status),
            ui.Card(
                "Thứ hạng trong nhóm",
                f"{rank} / {ranked_count}" if rank else "—",
                help=f"Xếp theo tỷ lệ hoàn thành trong nhóm “{unit_type}”.",
            ),
        ],
        key=ui.HEADLINE_KEY,  # one compact row, as on the overview
    )

    ui.section("Theo loại hoạt động")
    by_type = frame.memo("unit_by_type", lambda: metrics.rollup(pva, "activity_type"), code)
    ui.chart(
        frame.memo("unit_type", lambda: charts.plan_actual_by_type(by_type), code), key="unit_chart_type"
    )
    ui.data_table(
        by_type,
        columns=["activity_name", "planned", "actual", "completion_pct"],
        file_name=f"{code}_theo_loai_{frame.period.name}.xlsx",
        key="unit_dl_type",
        title=f"{names[code]} — theo loại hoạt động — {frame.period.label}",
    )

    ui.section(f"Theo quý năm {frame.period.year}")
    series = frame.quarterly(filters=only_unit)
    ui.chart(frame.memo("unit_quarter", lambda: charts.quarter_trend(series), code), key="unit_chart_quarter")
    ui.data_table(
        series,
        columns=["label", "planned", "actual", "cumulative_planned", "cumulative_actual", "completion_pct"],
        file_name=f"{code}_theo_quy_{frame.period.year}.xlsx",
        key="unit_dl_quarter",
        title=f"{names[code]} — theo quý năm {frame.period.year}",
    )

    ui.section(f"Vị trí trong nhóm “{unit_type}”")
    ui.data_table(
        ranked,
        columns=["rank", "unit_name", "planned", "actual", "completion_pct", "status_label"],
        file_name=f"xep_hang_{frame.period.name}.xlsx",
        key="unit_dl_rank",
        title=f"Xếp hạng nhóm {unit_type} — {frame.period.label}",
        expanded=True,
        marks=mark_statuses,  # the peers behind or without activity stand out, as on the overview
    )

    ui.section("Danh sách hoạt động trong kỳ")
    acts = frame.activities(filters=only_unit)
    if ui.is_empty(acts):
        ui.empty_state()
    else:
        columns = ["date", "link", "type_name", "quantity", "title", "channel", "reform_area"]
        if len(acts) > MAX_SHOWN:
            st.caption(
                f"Đang hiển thị {fmt_int(MAX_SHOWN)} / {fmt_int(len(acts))} dòng đầu; tải tệp Excel để xem đủ."
            )
        ui.list_table(acts, columns=columns, link_columns=["link"], max_rows=MAX_SHOWN)
        ui.download_xlsx(
            ui.prepare(acts, [*columns, "note"]),
            f"{code}_hoat_dong_{frame.period.name}.xlsx",
            key="unit_dl_acts",
            title=f"{names[code]} — hoạt động — {frame.period.label}",
        )
