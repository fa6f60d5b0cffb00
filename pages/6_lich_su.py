"""Lịch sử phiên bản: every published version, rollback (admins, with confirmation), the audit log."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cchc_lib.common.formatting import MISSING, fmt_int
from cchc_lib.publishing.store import StoreError, Version
from cchc_lib.publishing.store_factory import open_store
from cchc_lib.web import auth, closures_view, page_frame
from cchc_lib.web.reporting_view import fmt_when

frame = page_frame("Lịch sử phiên bản", require_role="unit", needs_data=False)

PENDING = "cchc.rollback.pending"  # the version number waiting for confirmation
DONE = "cchc.rollback.done"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OUTCOMES = {
    "published": "Đã công bố",
    "refused": "Bị từ chối",
    "saved": "Đã lưu",
    "repaired": "Đã sửa kho",
    "sent": "Đã gửi",
    "failed": "Gửi không được",
}
KINDS = {
    "replace": "Thay toàn bộ",
    "unit": "Đơn vị nộp",
    "rollback": "Khôi phục",
    "batch": "Nộp nhiều tệp của đơn vị",
    "report_texts": "Sửa nội dung báo cáo",
    "repair": "Sửa kho dữ liệu (store repair)",
    "column_mapping": "Lưu cách ghép cột",
    "reminder_sent": "Gửi e-mail nhắc nộp báo cáo",
    "closure": "Khóa sổ / mở lại",
}
AUDIT_ROWS = 500


def kind_label(kind: str, unit_code: str | None = None, rollback_of: int | None = None) -> str:
    if kind == "unit" and unit_code:
        return f"Đơn vị nộp ({unit_code})"
    if kind == "rollback" and rollback_of:
        return f"Khôi phục phiên bản {rollback_of}"
    return KINDS.get(kind, kind or MISSING)


def versions_frame(history: list[Version], current: int | None) -> pd.DataFrame:
    rows = [
        {
            "Số": v.number,
            "Thời gian": fmt_when(v.created_at),
            "Người cập nhật": v.user,
            "Loại": kind_label(v.kind, v.unit_code, v.rollback_of),
            "Tệp": v.file_name or MISSING,
            "Dòng hoạt động": fmt_int(v.rows) if v.rows is not None else MISSING,
            "Hiện hành": "✔" if v.number == current else "",
        }
        for v in reversed(history)
    ]
    return pd.DataFrame(rows)


def audit_frame(entries: list[dict]) -> pd.DataFrame:
    rows = [
        {
            "Thời gian": fmt_when(e.get("time")),
            "Người": e.get("user") or MISSING,
            "Thao tác": kind_label(str(e.get("kind") or ""), e.get("unit_code"), e.get("rollback_of")),
            "Kết quả": OUTCOMES.get(e.get("outcome"), e.get("outcome") or MISSING),
            "Phiên bản": str(e["version"]) if e.get("version") is not None else MISSING,
            "Tệp": e.get("file_name") or MISSING,
            "Lý do từ chối": e.get("reason") or "",
        }
        for e in reversed(entries[-AUDIT_ROWS:])
    ]
    return pd.DataFrame(rows)


with frame.guard():
    account = auth.current_account()
    if account is None:
        st.stop()
    auth.admin_sessions_panel(account)  # admins only: sessions, failed logins, end all
    store = open_store(frame.settings)
    if message := st.session_state.pop(DONE, None):
        st.success(message, icon=":material/check_circle:")
    try:  # a damaged store (the frame showed what is damaged) lists the versions that can still be read
        history = store.history(skip_damaged=frame.store_damaged)
        current = store.current_number()
    except StoreError as exc:
        if not frame.store_damaged:
            st.error(exc.message, icon=":material/error:")
            st.stop()
        current = None
    if not history and frame.store_damaged:
        if account.is_admin:
            st.subheader("Nhật ký thao tác", divider="gray")
            st.dataframe(audit_frame(store.audit()), hide_index=True, placeholder=MISSING)
        st.stop()
    if not history:
        shown = "bảng theo dõi đang dùng dữ liệu mẫu" if frame.has_data else "bảng theo dõi chưa có dữ liệu"
        st.info(
            f"Chưa có phiên bản nào được công bố; {shown}. Dữ liệu được công bố qua trang «Cập nhật dữ liệu».",
            icon=":material/info:",
        )
        st.stop()

    st.subheader("Các phiên bản", divider="gray")
    st.caption("Mỗi lần cập nhật tạo một phiên bản mới; không phiên bản nào bị sửa hay xóa.")
    st.dataframe(versions_frame(history, current), hide_index=True, placeholder=MISSING)

    if account.is_admin:
        st.subheader("Khôi phục phiên bản cũ", divider="gray")
        by_number = {v.number: v for v in history}
        older = [v.number for v in reversed(history) if v.number != current]
        if not older:
            st.caption("Chỉ có một phiên bản nên chưa có gì để khôi phục.")
        else:
            chosen = st.selectbox(
                "Phiên bản",
                older,
                format_func=lambda n: (
                    f"Phiên bản {n} — {fmt_when(by_number[n].created_at)} — {by_number[n].user} — "
                    f"{by_number[n].file_name or MISSING}"
                ),
                key="cchc.rollback.choice",
            )
            left, right = st.columns(2)
            with left:
                if st.button("Khôi phục phiên bản này…", icon=":material/restore:", key="cchc.rollback.ask"):
                    st.session_state[PENDING] = chosen
            with right:
                st.download_button(
                    "Tải tệp của phiên bản",
                    data=lambda: store.read_bytes(chosen),
                    file_name=f"phien_ban_{chosen}.xlsx",
                    mime=XLSX_MIME,
                    on_click="ignore",
                    icon=":material/download:",
                    key="cchc.rollback.download",
                )
            pending = st.session_state.get(PENDING)
            if pending is not None and pending in by_number:
                st.warning(
                    f"Khôi phục phiên bản {pending} ({fmt_when(by_number[pending].created_at)}, "
                    f"{by_number[pending].user})? Nội dung của phiên bản đó sẽ trở thành phiên bản mới số "
                    f"{(current or 0) + 1}; phiên bản hiện hành {current} vẫn được giữ và có thể khôi phục lại.",
                    icon=":material/warning:",
                )
                yes, no = st.columns(2)
                with yes:
                    confirm = st.button(
                        "Xác nhận khôi phục", type="primary", icon=":material/check:", key="cchc.rollback.yes"
                    )
                with no:
                    cancel = st.button("Hủy", key="cchc.rollback.no")
                if cancel:
                    st.session_state.pop(PENDING, None)
                    st.rerun()
                if confirm:
                    st.session_state.pop(PENDING, None)
                    try:
                        version = store.rollback(int(pending), auth.current_account())
                    except StoreError as exc:
                        st.error(exc.message, icon=":material/error:")
                    else:
                        st.session_state[DONE] = (
                            f"Đã khôi phục phiên bản {pending}: dữ liệu hiện hành là phiên bản số {version.number}."
                        )
                        st.rerun()

        closures_view.admin_panel(store, account, frame.settings)  # close / reopen periods (issue 15)
        st.subheader("Nhật ký thao tác", divider="gray")
        st.caption(
            f"Mọi lần công bố, khôi phục, sửa nội dung báo cáo và lần bị từ chối ({AUDIT_ROWS} mục gần nhất, "
            "mới nhất trước)."
        )
        st.dataframe(audit_frame(store.audit()), hide_index=True, placeholder=MISSING)
