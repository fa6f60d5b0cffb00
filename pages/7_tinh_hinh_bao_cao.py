"""Tình hình báo cáo: per period, which units submitted their figures, when, on time or late, missing."""

from __future__ import annotations

import streamlit as st

from cchc_lib import reporting
from cchc_lib.formatting import MISSING, fmt_date, fmt_int
from cchc_lib.store import StoreError
from cchc_lib.web import page_frame
from cchc_lib.web import render as ui
from cchc_lib.web import reporting_view as rv

frame = page_frame("Tình hình báo cáo")

RULES = (
    "Một đơn vị được tính là **đã nộp** cho kỳ khi số liệu hoạt động của đơn vị, có ngày nằm trong kỳ báo cáo, "
    "được cập nhật lên bảng theo dõi: đơn vị tự nộp qua trang «Cập nhật dữ liệu», hoặc Văn phòng thường trực "
    "thay toàn bộ tệp mà trong đó lần đầu có các dòng này. Thời điểm nộp là lần cập nhật sớm nhất; **đúng hạn** khi "
    "không muộn hơn hạn nộp (ngày cuối kỳ báo cáo cộng {grace} ngày). Khôi phục phiên bản cũ không tính là nộp. "
    "«Có từ dữ liệu ban đầu»: số liệu có trong phiên bản đầu tiên của kho, được công bố sau hạn nên không xác định "
    "được đúng hay trễ hạn."
)
HEADERS = {
    "unit_name": "Tên đơn vị",
    "unit_type": "Loại đơn vị",
    "status_label": "Tình trạng",
    "submitted": "Thời điểm nộp",
    "days_late": "Số ngày trễ",
    "user": "Người cập nhật",
    "version": "Phiên bản",
    "submissions": "Số lần cập nhật",
}
OVERVIEW_HEADERS = {
    "label": "Kỳ",
    "range": "Kỳ báo cáo",
    "deadline": "Hạn nộp",
    "expected": "Số đơn vị",
    "submitted": "Đã nộp",
    "on_time": "Đúng hạn",
    "late": "Trễ hạn",
    "baseline": "Dữ liệu ban đầu",
    "missing": "Quá hạn chưa nộp",
    "not_due": "Chưa đến hạn",
}

with frame.guard():
    s = frame.settings
    try:
        status = rv.period_status(frame)
    except StoreError as exc:
        st.error(exc.message, icon=":material/error:")
        st.stop()
    if status is None:
        ui.empty_state(rv.NOT_TRACKED)
        st.stop()
    st.caption(rv.deadline_line(frame))
    counts = reporting.status_counts(status)
    ui.cards(
        [
            ui.Card("Đã nộp", f"{fmt_int(counts['submitted'])} / {fmt_int(counts['expected'])}"),
            ui.Card("Đúng hạn", fmt_int(counts["on_time"])),
            ui.Card("Trễ hạn", fmt_int(counts["late"])),
            ui.Card(
                "Chưa nộp",
                fmt_int(counts["missing"] + counts["not_due"]),
                help="Gồm đơn vị đã quá hạn và đơn vị chưa đến hạn nộp.",
            ),
        ],
        per_row=4,
    )
    badges = rv.status_badges(counts)
    if badges:
        st.markdown(badges)

    ui.section(f"Các đơn vị — {frame.period.label}")
    order = {code: i for i, code in enumerate(("missing", "late", "not_due", "baseline", "on_time"))}
    shown = status.assign(
        _order=status["status"].map(order),
        submitted=status["submitted_at"].map(rv.fmt_when),
        days_late=status["days_late"].astype("string").fillna(MISSING),
        version=status["version"].astype("string").fillna(MISSING),
        user=status["user"].fillna(MISSING),
    ).sort_values(["_order", "unit_name"], kind="stable")
    shown = shown[list(HEADERS)].rename(columns=HEADERS)
    st.dataframe(shown, hide_index=True, placeholder=MISSING)
    ui.download_xlsx(
        shown,
        f"tinh_hinh_bao_cao_{frame.period.name}.xlsx",
        key="dl_reporting",
        title=f"Tình hình nộp báo cáo — {frame.period.label}",
    )

    ui.section(f"Các kỳ báo cáo năm {frame.period.year}")
    overview = rv.year_overview(frame)
    if overview is not None:
        table = overview.assign(
            range=[
                f"{fmt_date(a)} – {fmt_date(b)}"
                for a, b in zip(overview["first_day"], overview["last_day"], strict=True)
            ],
            deadline=overview["deadline"].map(fmt_date),
        )[list(OVERVIEW_HEADERS)].rename(columns=OVERVIEW_HEADERS)
        st.dataframe(table, hide_index=True, placeholder=MISSING)
    with st.expander("Cách tính", icon=":material/help:"):
        st.markdown(RULES.format(grace=s.submission_grace_days))
