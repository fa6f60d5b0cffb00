"""Theo dõi chỉ đạo: portal reviews, funding and initiatives, from the workbook's optional sheets."""

from __future__ import annotations

from datetime import date

import streamlit as st

from cchc_lib.common.formatting import fmt_date, fmt_int, fmt_num, fmt_pct, fmt_vnd
from cchc_lib.figures import followup
from cchc_lib.web import page_frame
from cchc_lib.web import render as ui

ABSENT = "Tệp dữ liệu không có trang “{sheet}”: nội dung này chưa được theo dõi."

frame = page_frame("Theo dõi chỉ đạo")

with frame.guard():
    wb = frame.filtered_workbook
    units = frame.chosen_units
    year = frame.period.year
    # Reviews are judged at the end of the period, or today while the period is still running.
    first_day, last_day = frame.period.bounds(frame.calendar, frame.cutoff_day)
    as_of = min(last_day, date.today())

    ui.section("Rà soát Trang thông tin điện tử")
    if wb.portal_reviews is None:
        st.info(ABSENT.format(sheet="Rà soát Trang TTĐT"), icon=":material/info:")
    elif first_day > date.today():
        ui.empty_state()
    else:
        last = followup.last_reviews(wb.portal_reviews, units, as_of)
        summary = followup.review_summary(last)
        if not summary["reviewed"]:
            ui.empty_state()
        else:
            ui.cards(
                [
                    ui.Card(
                        "Đơn vị đã rà soát", f"{fmt_int(summary['reviewed'])} / {fmt_int(summary['units'])}"
                    ),
                    ui.Card(
                        "Quá hạn rà soát",
                        fmt_int(summary["overdue"]),
                        help=f"Chưa rà soát hoặc lần gần nhất cách cuối kỳ quá {followup.REVIEW_OVERDUE_DAYS} ngày.",
                    ),
                    ui.Card("Điểm trung bình lần gần nhất", fmt_num(summary["mean_score"])),
                ]
            )
            st.caption(f"Tính đến ngày {fmt_date(as_of)}; đơn vị quá hạn rà soát xếp trước.")
            ui.data_table(
                last,
                columns=[
                    "unit_name",
                    "review_date",
                    "days_since",
                    "overdue",
                    "score",
                    "has_cchc_section",
                    "updated_this_quarter",
                    "broken_links",
                    "findings",
                ],
                file_name=f"ra_soat_trang_ttdt_{frame.period.name}.xlsx",
                key="dir_dl_reviews",
                title=f"Rà soát Trang TTĐT — lần gần nhất tính đến {fmt_date(as_of)}",
                expanded=True,
            )

    ui.section(f"Kinh phí tuyên truyền năm {year}")
    if wb.funding is None:
        st.info(ABSENT.format(sheet="Kinh phí"), icon=":material/info:")
    else:
        funds = followup.funding_by_unit(wb.funding, units, year)
        if ui.is_empty(funds):
            ui.empty_state()
        else:
            money = followup.funding_totals(funds)
            ui.cards(
                [
                    ui.Card("Dự toán", fmt_vnd(money["allocated"])),
                    ui.Card("Đã chi", fmt_vnd(money["spent"])),
                    ui.Card("Tỷ lệ đã chi", fmt_pct(money["spent_pct"])),
                ]
            )
            ui.data_table(
                funds,
                columns=["unit_name", "unit_type", "allocated", "spent", "spent_pct"],
                file_name=f"kinh_phi_{year}.xlsx",
                key="dir_dl_funding",
                title=f"Kinh phí tuyên truyền CCHC năm {year}",
            )

    ui.section(f"Sáng kiến, mô hình năm {year}")
    if wb.initiatives is None:
        st.info(ABSENT.format(sheet="Sáng kiến"), icon=":material/info:")
    else:
        items = followup.initiatives_of_year(wb.initiatives, units, year)
        if ui.is_empty(items):
            ui.empty_state()
        else:
            ui.data_table(
                items,
                columns=["unit_name", "name", "reform_area", "status", "result"],
                file_name=f"sang_kien_{year}.xlsx",
                key="dir_dl_initiatives",
                title=f"Sáng kiến, mô hình CCHC năm {year}",
                expanded=True,
            )
