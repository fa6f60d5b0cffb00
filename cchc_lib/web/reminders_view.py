"""Reminding the units that have not reported (page Tình hình báo cáo): the message to copy, the letter
(công văn đôn đốc) to download and the reminder e-mails, for signed-in accounts; letter and e-mail for
admins only."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from cchc_lib.access.accounts import Account
from cchc_lib.documents import reminders
from cchc_lib.documents.reports import DOCX_MIME
from cchc_lib.publishing import mailer
from cchc_lib.publishing.store import StoreError
from cchc_lib.publishing.store_factory import open_store
from cchc_lib.web import render as ui
from cchc_lib.web.frame import Frame

__all__ = ["CONFIRM_KEY", "render_reminders", "smtp_from_secrets"]

CONFIRM_KEY = "cchc.reminder_confirm"
SIGN_IN = "Đăng nhập để xem đầu mối, số điện thoại và danh sách nhắc các đơn vị chưa nộp."
NOBODY = "Không có đơn vị nào chưa nộp trong kỳ này: không cần công văn đôn đốc hay e-mail nhắc."
NO_SMTP = (
    "Gửi e-mail nhắc: chưa cấu hình máy chủ thư. Quản trị viên khai báo mục [smtp] (host, port, user, "
    "password, sender, starttls) trong tệp secrets của ứng dụng."
)
NO_ADDRESS = "Không đơn vị chưa nộp nào có địa chỉ e-mail (cột «Email» của trang «Đơn vị»)."


def smtp_from_secrets() -> mailer.SmtpConfig | None:
    """The [smtp] secrets as mailer.SmtpConfig, None when there are none (or no secrets file)."""
    try:
        raw = st.secrets.get("smtp")
    except Exception:  # no secrets file at all
        return None
    return mailer.smtp_config(raw)


def _email_panel(frame: Frame, pending: pd.DataFrame, reminder: reminders.Reminder, account: Account) -> None:
    config = smtp_from_secrets()
    if config is None:
        st.caption(NO_SMTP)
        return
    targets = mailer.recipients(pending)
    if targets.empty:
        st.caption(NO_ADDRESS)
        return
    if st.button("Gửi e-mail nhắc", icon=":material/mail:", key="reminder_email"):
        st.session_state[CONFIRM_KEY] = frame.period.name
    if st.session_state.get(CONFIRM_KEY) != frame.period.name:
        return
    with st.container(border=True):
        st.warning(f"Sẽ gửi {len(targets)} e-mail nhắc, mỗi đơn vị một e-mail, tới:", icon=":material/mail:")
        shown = targets[["unit_name", "contact", "email"]].rename(
            columns={"unit_name": "Đơn vị", "contact": "Đầu mối", "email": "Email"}
        )
        st.dataframe(shown, hide_index=True)
        left, right = st.columns(2)
        confirm = left.button(f"Xác nhận gửi {len(targets)} e-mail", type="primary", key="reminder_send")
        if right.button("Hủy", key="reminder_cancel"):
            st.session_state.pop(CONFIRM_KEY, None)
            st.rerun()
    if not confirm:
        return
    st.session_state.pop(CONFIRM_KEY, None)
    try:
        result = mailer.send_reminders(
            config, pending, reminder, store=open_store(frame.settings), account=account
        )
    except (OSError, StoreError) as exc:  # smtplib.SMTPException is an OSError too
        st.error(
            f"Không gửi được e-mail qua máy chủ thư {config.host}:{config.port} ({type(exc).__name__}). "
            "Hãy kiểm tra cấu hình [smtp] rồi thử lại; lần thử đã được ghi vào nhật ký thao tác.",
            icon=":material/error:",
        )
        return
    st.success(
        f"Đã gửi {len(result.sent)} e-mail nhắc; đã ghi vào nhật ký thao tác.", icon=":material/check:"
    )
    if result.failed:
        codes = ", ".join(code for code, _ in result.failed)
        st.warning(f"Không gửi được tới các đơn vị: {codes} (máy chủ thư từ chối địa chỉ).")


def render_reminders(
    frame: Frame, status: pd.DataFrame, account: Account | None, today: date | None = None
) -> None:
    """The "Nhắc các đơn vị chưa nộp" section for `status` (reporting.period_status of the page)."""
    ui.section("Nhắc các đơn vị chưa nộp")
    if account is None:
        st.caption(SIGN_IN)
        return
    pending = reminders.pending_contacts(status, frame.workbook.units)
    reminder = reminders.Reminder(frame.period, frame.calendar, frame.settings, today or date.today())
    st.markdown("**Sao chép danh sách chưa nộp**")
    st.caption("Bấm biểu tượng sao chép ở góc khung rồi dán vào Zalo hoặc tin nhắn.")
    st.code(reminders.message_text(pending, reminder), language=None, wrap_lines=True)
    if not account.is_admin:
        return
    if pending.empty:
        st.info(NOBODY, icon=":material/check_circle:")
        return
    st.download_button(
        "Tải công văn đôn đốc (Word)",
        data=lambda: reminders.build_letter(pending, reminder) or b"",
        file_name=f"cong_van_don_doc_{frame.period.name}.docx",
        mime=DOCX_MIME,
        on_click="ignore",
        icon=":material/description:",
        key="reminder_letter",
    )
    _email_panel(frame, pending, reminder, account)
