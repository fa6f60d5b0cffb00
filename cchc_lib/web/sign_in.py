"""The calm page a visitor sees where a sign-in is needed: the page's title, what the page is for, who it
serves and how to sign in, then the sign-in form (no refusal: nobody has been refused yet)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

__all__ = ["PAGE_PURPOSES", "SIGN_IN_HOW", "SIGN_IN_KEY", "WHO_FOR", "sign_in_page", "sign_in_text"]

# What each protected page is for, by its title (the frame's title), in the words of its users.
PAGE_PURPOSES = {
    "Cập nhật dữ liệu": (
        "Trang này để **đầu mối đơn vị nộp số liệu hoạt động** của đơn vị (tải tệp Excel lên, xem trước "
        "thay đổi rồi xác nhận) và để văn phòng thường trực cập nhật tệp theo dõi chung."
    ),
    "Lịch sử phiên bản": (
        "Trang này liệt kê **các lần cập nhật dữ liệu** (ai cập nhật, lúc nào, bằng tệp nào) và cho phép "
        "quản trị viên khôi phục một phiên bản trước."
    ),
}
# Who may use a page needing each role (None: the whole dashboard behind the `require_login` setting).
WHO_FOR = {
    "unit": "Trang này dành cho đầu mối đơn vị và quản trị viên.",
    "admin": "Trang này chỉ dành cho quản trị viên.",
    None: "Bảng theo dõi chỉ dành cho người có tài khoản.",
}
SIGN_IN_HOW = (
    "Đăng nhập bằng tài khoản được cấp ở khung dưới đây. Chưa có tài khoản: liên hệ văn phòng thường trực."
)
SIGN_IN_KEY = "cchc-sign-in"  # the container of the explanation and the form: `.st-key-cchc-sign-in`


def sign_in_text(title: str, require_role: str | None) -> str:
    """The explanation (markdown): what the page `title` is for (when known) and who it is for, then
    how to sign in (a paragraph of its own)."""
    who = WHO_FOR.get(require_role, WHO_FOR["unit"])
    about = " ".join(part for part in (PAGE_PURPOSES.get(title, ""), who) if part)
    return f"{about}\n\n{SIGN_IN_HOW}"


def sign_in_page(title: str, require_role: str | None, login_form: Callable[[str], None]) -> None:
    """Draw the page's title, the explanation and `login_form("main")` (the sign-in form)."""
    if title:
        st.title(title)
    with st.container(key=SIGN_IN_KEY):
        st.info(sign_in_text(title, require_role), icon=":material/login:")
        left, _ = st.columns([2, 1])
        with left:
            login_form("main")
