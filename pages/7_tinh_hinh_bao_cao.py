"""Tình hình báo cáo: per period, which units submitted their figures, when, on time or late, missing;
the unit x quarter matrix, the focal points, and the reminders (message, letter, e-mail)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cchc_lib.common.formatting import MISSING, fmt_date, fmt_int
from cchc_lib.figures import reporting, reporting_matrix
from cchc_lib.publishing.store import StoreError
from cchc_lib.web import auth, page_frame
from cchc_lib.web import render as ui
from cchc_lib.web import reporting_view as rv
from cchc_lib.web.reminders_view import render_reminders

frame = page_frame("Tình hình báo cáo")

RULES = (
    "Một đơn vị được tính là **đã nộp** cho kỳ khi số liệu hoạt động của đơn vị, có ngày nằm trong kỳ, "
    "được cập nhật lên bảng theo dõi: đơn vị tự nộp qua trang «Cập nhật dữ liệu», hoặc Văn phòng thường trực "
    "thay toàn bộ tệp mà trong đó lần đầu có các dòng này. Kỳ và hạn nộp theo lịch đang chọn ở thanh bên "
    "(dương lịch hoặc kỳ chốt số liệu báo cáo); hạn nộp là ngày cuối kỳ cộng {grace} ngày. Thời điểm nộp là "
    "lần cập nhật sớm nhất còn trong dữ liệu hiện hành; **đúng hạn** khi không muộn hơn hạn nộp.\n\n"
    "**Cần nộp lại**: đơn vị đã nộp nhưng số liệu đó không còn trong dữ liệu hiện hành (đã khôi phục một "
    "phiên bản cũ hơn lần nộp, hoặc tệp thay thế sau đó không còn các dòng của đơn vị). Khôi phục phiên bản "
    "cũ không tính là nộp.\n\n"
    "**Đã nộp (không rõ ngày nộp)**: số liệu có sẵn từ khi bắt đầu dùng bảng theo dõi, được đưa lên sau hạn "
    "nộp, nên không biết đơn vị đã nộp đúng hạn hay trễ."
)
HEADERS = {  # what the clerk acts on first: who, the status, whom to call
    "unit_name": "Tên đơn vị",
    "chip": "Tình trạng",
    "contact": "Đầu mối",
    "phone": "Điện thoại",
    "submitted": "Thời điểm nộp",
    "unit_type": "Loại đơn vị",
    "email": "Email",
    "user": "Người cập nhật",
    "version": "Phiên bản",
    "submissions": "Số lần cập nhật",
}
PRIVATE = ("contact", "phone", "email", "user")  # shown to signed-in accounts only
OVERVIEW_HEADERS = {
    "label": "Kỳ",
    "range": "Từ ngày – đến ngày",
    "deadline": "Hạn nộp",
    "expected": "Số đơn vị",
    "submitted": "Đã nộp",
    "on_time": "Đúng hạn",
    "late": "Trễ hạn",
    "baseline": "Đã nộp, không rõ ngày",
    "resubmit": "Cần nộp lại",
    "missing": "Quá hạn chưa nộp",
    "not_due": "Chưa đến hạn",
}
QUARTERS = {1: "Quý I", 2: "Quý II", 3: "Quý III", 4: "Quý IV"}


def _text(value: object) -> str:
    return (
        MISSING
        if value is None or (not isinstance(value, str) and pd.isna(value)) or value == ""
        else str(value)
    )


with frame.guard():
    s = frame.settings
    account = auth.current_account()
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
                fmt_int(counts["not_submitted"]),
                help="Gồm đơn vị đã quá hạn, đơn vị chưa đến hạn nộp và đơn vị cần nộp lại.",
            ),
        ],
        per_row=4,
    )
    badges = rv.status_badges(counts)
    if badges:
        st.markdown(badges)

    ui.section(f"Các đơn vị — {frame.period.label}")
    order = {
        code: i for i, code in enumerate(("missing", "resubmit", "late", "not_due", "baseline", "on_time"))
    }
    units = frame.workbook.units.drop_duplicates("unit_code").set_index("unit_code")
    shown = status.assign(
        _order=status["status"].map(order),
        chip=[
            reporting_matrix.chip(c, d) for c, d in zip(status["status"], status["days_late"], strict=True)
        ],
        submitted=status["submitted_at"].map(rv.fmt_when),
        version=status["version"].astype("string").fillna(MISSING),
        user=status["user"].fillna(MISSING),
        **{
            c: status["unit_code"].map(units[c]).map(_text)
            for c in ("contact", "phone", "email")
            if c in units
        },
    ).sort_values(["_order", "unit_name"], kind="stable")
    columns = [c for c in HEADERS if c in shown and (account is not None or c not in PRIVATE)]
    table = shown[columns].rename(columns=HEADERS)
    codes = shown[["status"]].rename(columns={"status": HEADERS["chip"]})
    st.dataframe(
        table.style.apply(
            lambda _: rv.chip_styles(codes).reindex(columns=table.columns, fill_value=""), axis=None
        ),
        hide_index=True,
        placeholder=MISSING,
        column_config={HEADERS["unit_name"]: st.column_config.TextColumn(pinned=True)},
    )
    ui.download_xlsx(
        table,
        f"tinh_hinh_bao_cao_{frame.period.name}.xlsx",
        key="dl_reporting",
        title=f"Tình hình nộp báo cáo — {frame.period.label}",
    )

    render_reminders(frame, status, account)

    ui.section(f"Bảng nộp báo cáo theo quý năm {frame.period.year}")
    long = rv.matrix(frame)
    if long is not None and not long.empty:
        long = long.assign(
            chip=[reporting_matrix.chip(c, d) for c, d in zip(long["status"], long["days_late"], strict=True)]
        )
        names = dict(zip(long["unit_code"], long["unit_name"], strict=False))
        wide = long.pivot(index="unit_code", columns="quarter", values="chip")
        wide_codes = long.pivot(index="unit_code", columns="quarter", values="status")
        unit_order = list(dict.fromkeys(long["unit_code"]))
        wide, wide_codes = wide.loc[unit_order], wide_codes.loc[unit_order]
        grid = wide.rename(columns=QUARTERS).reset_index(drop=True)
        grid.insert(0, "Đơn vị", [names[c] for c in unit_order])
        grid_codes = wide_codes.rename(columns=QUARTERS).reset_index(drop=True)
        grid_codes.insert(0, "Đơn vị", "")
        st.dataframe(
            grid.style.apply(lambda _: rv.chip_styles(grid_codes), axis=None),
            hide_index=True,
            placeholder=MISSING,
            column_config={"Đơn vị": st.column_config.TextColumn(pinned=True)},
        )
        st.caption(
            "✓ đã nộp (xanh) · ! trễ hạn (vàng) · ✕ chưa nộp hoặc cần nộp lại (đỏ) · — chưa đến hạn (xám) · "
            "ô trống: đơn vị chưa thành lập hoặc đã sáp nhập trong quý."
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
