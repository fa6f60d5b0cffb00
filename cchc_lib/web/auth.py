"""Who is using the dashboard: password login (accounts file, lockout) kept across reloads by a signed
cookie, OpenID Connect, roles, logout."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

import streamlit as st

from cchc_lib import session_token
from cchc_lib.accounts import Account, AccountError, Accounts
from cchc_lib.settings import load_settings

__all__ = [
    "COOKIE_NAME",
    "PAGE_ROLES",
    "ROLE_RANK",
    "SESSION_KEY",
    "account_box",
    "allowed",
    "cookie_update",
    "current_account",
    "gate",
    "login_panel",
    "logout",
    "menu_visible",
    "oidc_providers",
    "restore_from_cookie",
]

LOG = logging.getLogger("cchc_lib.web")

# Session state: {"name": <account name>} after a password login. Only the name is kept: the role is
# looked up in the accounts file on every run, so a changed role or a removed account applies at once.
SESSION_KEY = "cchc.auth"
# Other session keys that belong to a logged-in person and go away on logout.
_PRIVATE_PREFIXES = ("cchc.upload", "cchc.rollback")
# The "stay logged in" cookie (a session_token, set and expired by a script in the page: Streamlit
# reads request cookies only when the websocket connects). Session keys: whether this session has
# looked at the cookie yet (after a logout it must not log back in), and the cookie change to send
# on the next run (a token, or None to expire it).
COOKIE_NAME = "cchc_login"
_COOKIE_CHECKED = "cchc.cookie.checked"
_COOKIE_PENDING = "cchc.cookie.pending"
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


def _cookie_ttl_s() -> float:
    return max(0.0, float(load_settings().login_cookie_hours)) * 3600


def _cookie_secret() -> bytes | None:
    """[cchc] cookie_secret from st.secrets, else the key file next to the accounts file; None (and the
    cookie is not used) when neither can be had."""
    try:
        section = st.secrets.get("cchc")
        configured = section.get("cookie_secret") if isinstance(section, Mapping) else None
    except Exception:  # no secrets.toml at all
        configured = None
    if configured:
        key = str(configured).encode("utf-8")
        if len(key) >= session_token.MIN_SECRET_BYTES:
            return key
        LOG.error("[cchc] cookie_secret is shorter than %d bytes: login cookie disabled", len(key))
        return None
    try:
        return session_token.server_secret(_accounts().path)
    except (OSError, ValueError):
        LOG.exception("No cookie signing key: login cookie disabled")
        return None


def _request_cookie() -> str | None:
    try:
        return st.context.cookies.get(COOKIE_NAME)
    except Exception:  # no client connection (AppTest, bare script run)
        return None


def _start_session(name: str) -> None:
    for item in [k for k in st.session_state if str(k).startswith(_PRIVATE_PREFIXES)]:
        del st.session_state[item]
    st.session_state[SESSION_KEY] = {"name": name}


def _remember(name: str) -> None:
    """After a password login: send the browser a signed cookie so reloads and new tabs stay logged in."""
    ttl, secret = _cookie_ttl_s(), _cookie_secret()
    if ttl > 0 and secret is not None:
        try:
            token = session_token.issue_for(_accounts(), name, secret, time.time(), ttl)
        except AccountError:
            LOG.exception("Reading the accounts file failed")
            token = None
        st.session_state[_COOKIE_PENDING] = token


def restore_from_cookie() -> Account | None:
    """Once per session, with nobody logged in: the account a valid login cookie names (logged in
    now), else None; a cookie that no longer logs in (expired, password changed, account removed or
    locked out, forged) is expired in the browser."""
    if st.session_state.get(_COOKIE_CHECKED):
        return None
    st.session_state[_COOKIE_CHECKED] = True
    token = _request_cookie()
    if token is None:
        return None
    secret = _cookie_secret() if _cookie_ttl_s() > 0 else None
    try:
        account = session_token.account_for_token(_accounts(), token, secret, time.time()) if secret else None
    except AccountError:
        LOG.exception("Reading the accounts file failed")
        return None
    if account is None:
        st.session_state[_COOKIE_PENDING] = None
        return None
    _start_session(account.name)
    LOG.info("Login restored from cookie: %s (%s)", account.name, account.role)
    return account


def cookie_update() -> None:
    """Run the pending cookie change in the browser (an invisible script); call once per page run."""
    if _COOKIE_PENDING in st.session_state:
        token = st.session_state.pop(_COOKIE_PENDING)
        script = session_token.cookie_script(COOKIE_NAME, token, int(_cookie_ttl_s()))
        st.html(script, unsafe_allow_javascript=True, width="content")


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
    if not (isinstance(state, dict) and state.get("name")) and restore_from_cookie() is not None:
        state = st.session_state.get(SESSION_KEY)
    if isinstance(state, dict) and state.get("name"):
        try:
            account = _accounts().get(str(state["name"]))
        except AccountError:
            LOG.exception("Reading the accounts file failed")
            return None
        if account is None:  # removed since the login
            st.session_state.pop(SESSION_KEY, None)
            st.session_state[_COOKIE_PENDING] = None
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
            _start_session(account.name)
            _remember(account.name)
            LOG.info("Login: %s (%s)", account.name, account.role)
            st.rerun()
    for provider in providers:
        label = "Đăng nhập bằng tài khoản tổ chức" + (f" ({provider})" if provider else "")
        if st.button(label, key=f"oidc_{key}_{provider or ''}", icon=":material/badge:"):
            st.login(provider) if provider else st.login()


def logout() -> None:
    """Forget the login (and the person's pending upload / rollback) and expire the login cookie; OIDC
    sessions are ended too."""
    for item in [k for k in st.session_state if str(k).startswith((SESSION_KEY, *_PRIVATE_PREFIXES))]:
        del st.session_state[item]
    st.session_state[_COOKIE_CHECKED] = True  # the request's cookie must not log this session back in
    st.session_state[_COOKIE_PENDING] = None
    if _oidc_email():
        st.logout()
    st.rerun()


def account_box() -> None:
    """Sidebar block: who is logged in with a logout button, or a folded login form (and the pending
    login cookie change)."""
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
    cookie_update()  # last: the (empty) script element sits under the block


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
