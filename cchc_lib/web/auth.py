"""Who is using the dashboard: password login (accounts file, lockout), OpenID Connect, roles, logout."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import streamlit as st

from cchc_lib.accounts import Account, AccountError, Accounts
from cchc_lib.settings import load_settings

__all__ = [
    "PAGE_ROLES",
    "ROLE_RANK",
    "SESSION_KEY",
    "account_box",
    "allowed",
    "current_account",
    "gate",
    "login_panel",
    "logout",
    "menu_visible",
    "oidc_providers",
]

LOG = logging.getLogger("cchc_lib.web")

# Session state: {"name": <account name>} after a password login. Only the name is kept: the role is
# looked up in the accounts file on every run, so a changed role or a removed account applies at once.
SESSION_KEY = "cchc.auth"
# Other session keys that belong to a logged-in person and go away on logout.
_PRIVATE_PREFIXES = ("cchc.upload", "cchc.rollback")
ROLE_RANK = {"viewer": 0, "unit": 1, "admin": 2}
# Pages that need more than viewing (the menu hides them from logged-in people without the role).
PAGE_ROLES = {
    "pages/4_cap_nhat_du_lieu.py": "unit",
    "pages/6_lich_su.py": "unit",
}

NEED_ROLE = {
    "unit": "Trang này dành cho đầu mối đơn vị và quản trị viên. Vui lòng đăng nhập bằng tài khoản được cấp.",
    "admin": "Trang này chỉ dành cho quản trị viên. Vui lòng đăng nhập bằng tài khoản quản trị.",
}
NEED_LOGIN = "Bảng theo dõi chỉ dành cho người có tài khoản. Vui lòng đăng nhập."
REFUSED = "Bạn không có quyền xem trang này."
UNMAPPED_EMAIL = (
    "Địa chỉ e-mail {email} chưa được cấp quyền sử dụng bảng theo dõi. "
    "Hãy liên hệ quản trị viên hoặc đăng xuất rồi đăng nhập bằng tài khoản khác."
)
ACCOUNTS_BROKEN = "Không đọc được tệp tài khoản; hãy báo quản trị viên."


def _accounts() -> Accounts:
    return Accounts()  # $CCHC_USERS, else users.toml at the project root


def oidc_providers() -> list[str | None]:
    """OpenID Connect providers configured in st.secrets [auth]: [None] for a single unnamed provider,
    the names of [auth.<name>] sections otherwise; [] when OIDC is not configured."""
    try:
        section = st.secrets.get("auth")
    except Exception:  # no secrets.toml at all
        return []
    if not isinstance(section, Mapping):
        return []
    if "client_id" in section:
        return [None]
    return [
        str(name) for name, value in section.items() if isinstance(value, Mapping) and "client_id" in value
    ]


def _oidc_email() -> str | None:
    """The e-mail of a visitor logged in through st.login (None when not logged in that way)."""
    if not oidc_providers():
        return None
    try:
        if not st.user.get("is_logged_in"):
            return None
        email = st.user.get("email")
    except Exception:
        return None
    return str(email) if email else None


def current_account() -> Account | None:
    """The logged-in account (password login, else an OIDC e-mail mapped in the accounts file), or None."""
    state = st.session_state.get(SESSION_KEY)
    if isinstance(state, dict) and state.get("name"):
        try:
            account = _accounts().get(str(state["name"]))
        except AccountError:
            LOG.exception("Reading the accounts file failed")
            return None
        if account is None:  # removed since the login
            st.session_state.pop(SESSION_KEY, None)
        return account
    email = _oidc_email()
    if email:
        try:
            return _accounts().for_email(email)
        except AccountError:
            LOG.exception("Reading the accounts file failed")
    return None


def allowed(account: Account | None, require_role: str | None, require_login: bool = False) -> bool:
    """May `account` (None: anonymous) see a page needing `require_role` (None/"viewer"/"unit"/"admin")?

    Anonymous visitors are viewers unless `require_login`; "unit" pages admit units and admins; an
    unknown requirement admits nobody.
    """
    if (require_role or "viewer") not in ROLE_RANK:
        return False
    needed = ROLE_RANK[require_role or "viewer"]
    if account is None:
        return needed == 0 and not require_login
    return ROLE_RANK.get(account.role, 0) >= needed


def menu_visible(page: str) -> bool:
    """Whether the menu shows `page`: always to anonymous visitors (the page asks them to log in),
    to logged-in people only when their role may open it."""
    account = current_account()
    return account is None or allowed(account, PAGE_ROLES.get(page))


def login_panel(key: str) -> None:
    """The login form (name + password, lockout after repeated failures) and the OIDC button(s)."""
    providers = oidc_providers()
    with st.form(f"login_{key}", clear_on_submit=True, enter_to_submit=True):
        name = st.text_input("Tên đăng nhập", key=f"login_name_{key}", autocomplete="username")
        password = st.text_input(
            "Mật khẩu", type="password", key=f"login_password_{key}", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Đăng nhập", type="primary", icon=":material/login:")
    if submitted:
        try:
            account = _accounts().authenticate(name, password)
        except AccountError as exc:
            LOG.warning("Login refused for %r: %s", name, exc.code)
            st.error(exc.message, icon=":material/lock:")
        else:
            for item in [k for k in st.session_state if str(k).startswith(_PRIVATE_PREFIXES)]:
                del st.session_state[item]
            st.session_state[SESSION_KEY] = {"name": account.name}
            LOG.info("Login: %s (%s)", account.name, account.role)
            st.rerun()
    for provider in providers:
        label = "Đăng nhập bằng tài khoản tổ chức" + (f" ({provider})" if provider else "")
        if st.button(label, key=f"oidc_{key}_{provider or ''}", icon=":material/badge:"):
            st.login(provider) if provider else st.login()


def logout() -> None:
    """Forget the login (and the person's pending upload / rollback); OIDC sessions are ended too."""
    for item in [k for k in st.session_state if str(k).startswith((SESSION_KEY, *_PRIVATE_PREFIXES))]:
        del st.session_state[item]
    if _oidc_email():
        st.logout()
    st.rerun()


def account_box() -> None:
    """Sidebar block: who is logged in with a logout button, or a folded login form."""
    account = current_account()
    email = _oidc_email()
    if account is not None:
        st.caption(f"Đăng nhập: **{account.name}** · {account.role_label}")
        if st.button("Đăng xuất", key="logout", icon=":material/logout:"):
            logout()
    elif email:
        st.caption(UNMAPPED_EMAIL.format(email=email))
        if st.button("Đăng xuất", key="logout", icon=":material/logout:"):
            logout()
    else:
        with st.expander("Đăng nhập", icon=":material/login:"):
            login_panel("sidebar")


def gate(require_role: str | None) -> bool:
    """True when the visitor may see a page needing `require_role`.

    An anonymous visitor who may not is shown the refusal and the login form, and the script stops
    here; a logged-in visitor without the role gets False (the frame shows the refusal).
    """
    settings = load_settings()
    account = current_account()
    if allowed(account, require_role, settings.require_login):
        return True
    if account is not None:
        return False
    st.warning(REFUSED, icon=":material/block:")
    if require_role in NEED_ROLE:
        st.info(NEED_ROLE[require_role], icon=":material/lock:")
    else:
        st.info(NEED_LOGIN, icon=":material/lock:")
    left, _ = st.columns([2, 1])
    with left:
        login_panel("main")
    st.stop()
    return False  # not reached
