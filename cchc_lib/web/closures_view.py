"""Closed periods on screen: the standing office's close / reopen control (history page), the notice of
what is closed (upload page) and the warning an admin confirms before publishing closed changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from cchc_lib.access.accounts import Account
from cchc_lib.common.formatting import MISSING
from cchc_lib.common.settings import Settings
from cchc_lib.publishing.closures import closed_message, effective_closed_through
from cchc_lib.publishing.store import Store, StoreError
from cchc_lib.publishing.submissions import Preview
from cchc_lib.web.reporting_view import fmt_when

__all__ = ["admin_panel", "closed_changes_frame", "closed_changes_gate", "closed_notice"]

DONE = "cchc.closure.done"  # the message shown once after closing or reopening
PENDING_REOPEN = "cchc.closure.reopen"  # True while "Mở lại" waits for its confirmation
CHANGE_HEADERS = {
    "change": "Thay đổi",
    "sheet": "Trang tính",
    "row": "Dòng",
    "description": "Nội dung",
}


def _closed(store: Store, settings: Settings) -> date | None:
    """The effective closed day; a `closed_through` setting that is not a date is shown and stops the page."""
    try:
        return effective_closed_through(store, settings)
    except StoreError as exc:
        st.error(exc.message, icon=":material/error:")
        st.stop()


def closed_notice(store: Store, settings: Settings, account: Account) -> None:
    """On the upload page: what is closed, for a unit account the rule and whom to ask."""
    closed = _closed(store, settings)
    if closed is None:
        return
    if account.is_admin:
        st.caption(
            f"Kỳ đến hết ngày {closed:%d/%m/%Y} đã khóa sổ: thay đổi nào chạm vào kỳ đó sẽ được liệt kê để bạn "
            "xác nhận trước khi cập nhật."
        )
    else:
        st.info(
            f"{closed_message(closed)} Tệp nộp chỉ được thay đổi các hoạt động sau ngày đó.",
            icon=":material/lock:",
        )


def closed_changes_gate(preview: Preview) -> bool:
    """Before an admin's publish: the closed rows and targets it changes, and the checkbox confirming them.
    True when publishing may go ahead (nothing closed is changed, or the admin confirmed)."""
    changes = preview.closed_changes
    if changes is None or changes.empty or preview.closed_through is None:
        return True
    st.warning(
        f"Tệp này thay đổi **{len(changes)}** dòng hoạt động hoặc chỉ tiêu của kỳ đã khóa sổ (đến hết ngày "
        f"{preview.closed_through:%d/%m/%Y}). Báo cáo của kỳ đó có thể đã ban hành; hãy kiểm tra danh sách "
        "dưới đây trước khi xác nhận.",
        icon=":material/lock:",
    )
    st.dataframe(closed_changes_frame(changes), hide_index=True)
    return st.checkbox(
        f"Tôi xác nhận thay đổi {len(changes)} mục của kỳ đã khóa sổ",
        key=f"cchc.closure.confirm.{preview.upload_sha256[:12]}",
    )


def admin_panel(store: Store, account: Account, settings: Settings) -> None:
    """On the history page, admins only: the closed day (and who set it), «Khóa sổ đến ngày» + button,
    «Mở lại» with a confirmation."""
    if not account.is_admin:
        return
    st.subheader("Khóa sổ", divider="gray")
    if message := st.session_state.pop(DONE, None):
        st.success(message, icon=":material/check_circle:")
    closed = _closed(store, settings)
    record = store.closure_record()
    if closed is None:
        st.caption(
            "Chưa khóa sổ kỳ nào: tài khoản đơn vị nộp được số liệu của mọi ngày. Khóa sổ sau khi ban hành báo "
            "cáo để số liệu của kỳ đó không bị sửa; chỉ quản trị viên mới thay đổi được kỳ đã khóa."
        )
    else:
        source = (
            f"ghi bởi {record.get('user') or MISSING} lúc {fmt_when(record.get('updated_at'))}"
            if record
            else "theo cài đặt closed_through"
        )
        st.markdown(f"Đã khóa sổ đến hết ngày **{closed:%d/%m/%Y}** ({source}).")
    default = closed or date(date.today().year - 1, 12, 31)
    day = st.date_input(
        "Khóa sổ đến ngày",
        value=default,
        min_value=date(1900, 1, 1),
        max_value=date(2100, 12, 31),
        format="DD/MM/YYYY",
        key="cchc.closure.day",
        help="Các hoạt động đến hết ngày này, và chỉ tiêu của các năm đã hết, chỉ quản trị viên mới sửa được.",
    )
    left, right = st.columns(2)
    with left:
        if st.button("Khóa sổ", icon=":material/lock:", key="cchc.closure.close") and isinstance(day, date):
            _apply(lambda: store.close_through(day, account), f"Đã khóa sổ đến hết ngày {day:%d/%m/%Y}.")
    with right:
        if closed is not None and st.button("Mở lại…", icon=":material/lock_open:", key="cchc.closure.ask"):
            st.session_state[PENDING_REOPEN] = True
    if closed is not None and st.session_state.get(PENDING_REOPEN):
        st.warning(
            f"Mở lại kỳ đến hết ngày {closed:%d/%m/%Y}? Sau đó tài khoản đơn vị lại sửa được số liệu của kỳ này "
            "(kể cả kỳ khóa theo cài đặt closed_through) cho đến lần khóa sổ sau.",
            icon=":material/warning:",
        )
        yes, no = st.columns(2)
        with yes:
            if st.button("Xác nhận mở lại", type="primary", key="cchc.closure.reopen_yes"):
                st.session_state.pop(PENDING_REOPEN, None)
                _apply(lambda: store.reopen(account), "Đã mở lại: không kỳ nào bị khóa sổ.")
        with no:
            if st.button("Hủy", key="cchc.closure.reopen_no"):
                st.session_state.pop(PENDING_REOPEN, None)
                st.rerun()


def _apply(action: Callable[[], None], done: str) -> None:
    try:
        action()
    except StoreError as exc:
        st.error(exc.message, icon=":material/error:")
    else:
        st.session_state[DONE] = done
        st.rerun()


def closed_changes_frame(changes: pd.DataFrame) -> pd.DataFrame:
    """The closed changes as the screen lists them (Vietnamese headers)."""
    shown = changes.assign(row=changes["row"].astype("string").fillna(MISSING))
    return shown[list(CHANGE_HEADERS)].rename(columns=CHANGE_HEADERS)
