"""Who is using the dashboard: password login (accounts file, throttled) kept across reloads by a
server-side session whose id rides in an HttpOnly cookie set by the app server's routes
(cchc_lib/web/routes.py), OpenID Connect, roles, logout, the admin's session controls."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from cchc_lib.access import sessions as session_records
from cchc_lib.access.accounts import Account, AccountError, Accounts
from cchc_lib.access.sessions import COOKIE_NAME, Sessions
from cchc_lib.common.settings import load_settings
from cchc_lib.publishing.store_factory import open_accounts, open_sessions
from cchc_lib.web import routes, upload_gate
from cchc_lib.web.sign_in import sign_in_page

__all__ = [
    "COOKIE_NAME",
    "PAGE_ROLES",
    "ROLE_RANK",
    "SESSION_KEY",
    "account_box",
    "admin_sessions_panel",
    "allowed",
    "client_address",
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

# Session state: {"name": <account name>, "session": <digest of the session id>} after a password
# login. The role is looked up in the accounts file on every run, and the session record is checked
# (at most once a second), so a revocation, a changed role or a removed account applies at once.
SESSION_KEY = "cchc.auth"
# Other session keys that belong to a logged-in person and go away on logout.
_PRIVATE_PREFIXES = ("cchc.upload", "cchc.rollback")
# Whether this session has looked at the request's cookie yet (after a logout it must not log back
# in), the script to load on the next run (the login ticket's or the logout's), when the session
# record was last checked, and why a login ended (shown once).
_COOKIE_CHECKED = "cchc.cookie.checked"
_PENDING_SCRIPT = "cchc.cookie.pending"
_CHECKED_AT = "cchc.cookie.checked_at"
_ENDED = "cchc.cookie.ended"
_RECHECK_S = 1.0
# The websocket connection a password login belongs to (its Sec-WebSocket-Key, random per handshake):
# a reconnection to the same browser session (Streamlit lets a client present a session id within
# server.disconnectedSessionTTL) keeps the login only when it carries that login's session cookie,
# so a stolen Streamlit session id alone never inherits a login.
_CONNECTION = "cchc.auth.connection"
ROLE_RANK = {"viewer": 0, "unit": 1, "admin": 2}
# Pages that need more than viewing (the menu hides them from logged-in people without the role).
PAGE_ROLES = {
    "pages/4_cap_nhat_du_lieu.py": "unit",
    "pages/6_lich_su.py": "unit",
}

REFUSED = "Bạn không có quyền xem trang này."
UNMAPPED_EMAIL = (
    "Địa chỉ e-mail {email} chưa được cấp quyền sử dụng bảng theo dõi. "
    "Hãy liên hệ quản trị viên hoặc đăng xuất rồi đăng nhập bằng tài khoản khác."
)
ACCOUNTS_BROKEN = "Không đọc được tệp tài khoản; hãy báo quản trị viên."
SESSIONS_BROKEN = "Không ghi được phiên đăng nhập vào thư mục kho dữ liệu; hãy báo quản trị viên."
SESSION_ENDED = "Phiên đăng nhập đã kết thúc; vui lòng đăng nhập lại."
END_ALL_LABEL = "Kết thúc mọi phiên đăng nhập"
EVENT_LABELS = {
    "login": "Đăng nhập",
    "login_failed": "Đăng nhập sai",
    "logout": "Đăng xuất",
    "revoked": "Phiên bị kết thúc",
    "end_all": "Kết thúc mọi phiên",
}
REASON_LABELS = {
    "logout": "đăng xuất",
    "idle": "quá thời gian không dùng",
    "max_age": "quá thời hạn phiên",
    "account_removed": "tài khoản đã xóa",
    "password_changed": "mật khẩu đã đổi",
    "role_changed": "vai trò đã đổi",
    "end_all": "quản trị viên kết thúc mọi phiên",
}


def _accounts() -> Accounts:
    return open_accounts(load_settings())  # PostgreSQL with store_url, else $CCHC_USERS or users.toml


def _sessions() -> Sessions:
    return open_sessions(load_settings())


def _request_cookie() -> str | None:
    try:
        return st.context.cookies.get(COOKIE_NAME)
    except Exception:  # no client connection (AppTest, bare script run)
        return None


def client_address() -> str:
    """The visitor's address (X-Forwarded-For only with the behind_proxy setting); "" without one."""
    try:
        raw_headers, raw_peer = st.context.headers, st.context.ip_address
        headers = {str(k): v for k, v in raw_headers.items() if isinstance(v, str)}
    except Exception:  # no client connection (bare script run)
        return ""
    peer = raw_peer if isinstance(raw_peer, str) else None  # AppTest has no real connection
    return routes.client_address(headers, peer, load_settings().behind_proxy)


def _user_agent() -> str:
    try:
        agent = st.context.headers.get("User-Agent")
    except Exception:
        return ""
    return agent if isinstance(agent, str) else ""


def _connection_key() -> str:
    """This run's websocket handshake key ("" without a real connection: AppTest, bare run)."""
    try:
        key = st.context.headers.get("Sec-Websocket-Key")
    except Exception:
        return ""
    return key if isinstance(key, str) else ""


def _start_session(name: str, key: str | None) -> None:
    for item in [k for k in st.session_state if str(k).startswith(_PRIVATE_PREFIXES)]:
        del st.session_state[item]
    st.session_state[SESSION_KEY] = {"name": name, "session": key} if key else {"name": name}
    st.session_state[_CHECKED_AT] = time.monotonic()
    st.session_state[_CONNECTION] = _connection_key()


def _same_browser(state: dict) -> bool:
    """Whether this run comes from the connection the login was made on, or from a reconnection that
    carries the login's session cookie (then the new connection becomes the login's)."""
    key, connection = state.get("session"), _connection_key()
    if not key or not connection or connection == st.session_state.get(_CONNECTION):
        return True
    cookie = _request_cookie()
    if cookie and session_records.digest(cookie) == key:
        st.session_state[_CONNECTION] = connection
        return True
    LOG.warning("Login dropped: a reconnection without the login's session cookie (%s)", state.get("name"))
    return False


def _script(path: str) -> str:
    return f'<script src="{path}"></script>'


def restore_from_cookie() -> Account | None:
    """Once per session, with nobody logged in: the account of the live session the request's cookie
    names (logged in now), else None."""
    if st.session_state.get(_COOKIE_CHECKED):
        return None
    st.session_state[_COOKIE_CHECKED] = True
    session_id = _request_cookie()
    if not session_id:
        return None
    try:
        account = _sessions().validate(session_id, _accounts(), client_address())
    except (AccountError, OSError):
        LOG.exception("Checking a login session failed")
        return None
    if account is None:
        return None
    _start_session(account.name, session_records.digest(session_id))
    LOG.info("Login restored from the session cookie: %s (%s)", account.name, account.role)
    return account


def _session_holds(state: dict) -> bool:
    """Whether the session record behind a password login still holds (checked at most once a second)."""
    key = state.get("session")
    if not key:
        return True  # a login without a record (set by the server itself, e.g. in tests)
    now = time.monotonic()
    if now - float(st.session_state.get(_CHECKED_AT, 0.0)) < _RECHECK_S:
        return True
    try:
        holds = _sessions().validate_key(key, _accounts(), client_address()) is not None
    except (AccountError, OSError):
        LOG.exception("Checking a login session failed")
        holds = False
    st.session_state[_CHECKED_AT] = now
    return holds


def _forget_login() -> None:
    upload_gate.revoke()
    for item in [k for k in st.session_state if str(k).startswith((SESSION_KEY, *_PRIVATE_PREFIXES))]:
        del st.session_state[item]
    st.session_state[_COOKIE_CHECKED] = True  # the request's cookie must not log this session back in


def cookie_update() -> None:
    """Have the browser load the pending script (the login ticket's, or the logout's); call once a run.
    The scripts come from the app server (same origin, allowed by the CSP) and are empty: their
    responses set or clear the HttpOnly cookie (cchc_lib/web/routes.py)."""
    script = st.session_state.pop(_PENDING_SCRIPT, None)
    if script:
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
        if not (_same_browser(state) and _session_holds(state)):
            _forget_login()
            st.session_state[_ENDED] = True
            return None
        try:
            account = _accounts().get(str(state["name"]))
        except AccountError:
            LOG.exception("Reading the accounts file failed")
            return None
        if account is None:  # removed since the login
            _forget_login()
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
    """The login form (name + password, throttled after repeated failures) and the OIDC button(s)."""
    providers = oidc_providers()
    if st.session_state.pop(_ENDED, False):
        st.info(SESSION_ENDED, icon=":material/logout:")
    with st.form(f"login_{key}", clear_on_submit=True, enter_to_submit=True):
        name = st.text_input("Tên đăng nhập", key=f"login_name_{key}", autocomplete="username")
        password = st.text_input(
            "Mật khẩu", type="password", key=f"login_password_{key}", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Đăng nhập", type="primary", icon=":material/login:")
    if submitted:
        settings, address = load_settings(), client_address()
        try:
            records = open_sessions(settings)
            account, session_id = session_records.login(
                _accounts(), records, name, password, address, _user_agent()
            )
            ticket = records.issue_ticket(session_id) if routes.cookie_max_age_s(settings) > 0 else None
        except AccountError as exc:
            LOG.warning("Login refused for %r from %s: %s", (name or "")[:64], address, exc.code)
            st.error(exc.message, icon=":material/lock:")
        except OSError:
            LOG.exception("Writing a login session failed")
            st.error(SESSIONS_BROKEN, icon=":material/error:")
        else:
            _start_session(account.name, session_records.digest(session_id))
            if ticket:
                st.session_state[_PENDING_SCRIPT] = _script(f"{routes.LOGIN_JS}?ticket={ticket}")
            LOG.info("Login: %s (%s) from %s", account.name, account.role, address)
            st.rerun()
    for provider in providers:
        label = "Đăng nhập bằng tài khoản tổ chức" + (f" ({provider})" if provider else "")
        if st.button(label, key=f"oidc_{key}_{provider or ''}", icon=":material/badge:"):
            st.login(provider) if provider else st.login()


def logout() -> None:
    """End the session record, forget the login (and the person's pending upload / rollback) and have
    the browser load the logout route, whose response expires the cookie; OIDC sessions end too."""
    state = st.session_state.get(SESSION_KEY)
    key = state.get("session") if isinstance(state, dict) else None
    if key:
        try:
            _sessions().end_key(str(key), "logout", client_address())
        except OSError:
            LOG.exception("Ending a login session failed")
    _forget_login()
    st.session_state[_PENDING_SCRIPT] = _script(routes.LOGOUT_JS)
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


def gate(require_role: str | None, title: str = "") -> bool:
    """True when the visitor may see a page needing `require_role`.

    An anonymous visitor who may not is shown the page `title`, what the page is for and how to sign in,
    with the login form (sign_in.sign_in_page), and the script stops here; a logged-in visitor without
    the role gets False (the frame shows the refusal).
    """
    settings = load_settings()
    account = current_account()
    if allowed(account, require_role, settings.require_login):
        return True
    if account is not None:
        return False
    sign_in_page(title, require_role, login_panel)
    st.stop()
    return False  # not reached


def _when(epoch: float) -> str:
    from cchc_lib.web.reporting_view import fmt_when

    return fmt_when(pd.Timestamp.fromtimestamp(epoch))


def _events_frame(entries: list[dict]) -> pd.DataFrame:
    from cchc_lib.web.reporting_view import fmt_when

    rows = []
    for e in entries:
        note = REASON_LABELS.get(str(e.get("reason") or ""), "")
        if e.get("event") == "login_failed" and e.get("known") is False:
            note = "không có tài khoản này"
        if e.get("sessions") is not None:
            note = (note + "; " if note else "") + f"{e['sessions']} phiên"
        rows.append(
            {
                "Thời gian": fmt_when(e.get("time")),
                "Sự kiện": EVENT_LABELS.get(str(e.get("event")), str(e.get("event") or "")),
                "Tài khoản": str(e.get("user") or "—"),
                "Địa chỉ": str(e.get("address") or "—"),
                "Ghi chú": note,
            }
        )
    return pd.DataFrame(rows, columns=["Thời gian", "Sự kiện", "Tài khoản", "Địa chỉ", "Ghi chú"])


def admin_sessions_panel(account: Account | None) -> None:
    """For admins (nothing for anyone else): the open login sessions, the sources of failed logins
    being slowed down, the recent login events, and the button that ends every session."""
    if account is None or not account.is_admin:
        return
    records = _sessions()
    with st.expander("Phiên đăng nhập và đăng nhập sai", icon=":material/shield_person:"):
        try:
            live = records.records()
            slowed = records.throttle().entries()
            events = records.audit_entries(200)
        except OSError:
            LOG.exception("Reading the sessions folder failed")
            st.error(SESSIONS_BROKEN, icon=":material/error:")
            return
        st.caption(f"{len(live)} phiên đang mở (mỗi trình duyệt đã đăng nhập là một phiên).")
        if live:
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "Tài khoản": r.name,
                            "Đăng nhập lúc": _when(r.created),
                            "Dùng lần cuối": _when(r.last_seen),
                            "Địa chỉ": r.address or "—",
                            "Trình duyệt": r.user_agent[:60] or "—",
                        }
                        for r in live
                    ]
                ),
                hide_index=True,
                key="cchc.sessions.live",
            )
        if st.button(END_ALL_LABEL, icon=":material/logout:", key="cchc.sessions.end_all"):
            ended = records.end_all(by=account.name)
            LOG.warning("All %d login sessions ended by %s", ended, account.name)
            st.session_state[_PENDING_SCRIPT] = _script(routes.LOGOUT_JS)
            _forget_login()
            st.session_state[_ENDED] = True
            st.rerun()
        st.markdown("**Nguồn đăng nhập sai đang bị làm chậm**")
        if slowed:
            now = time.time()
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "Tài khoản": e.account or "(mọi tên đăng nhập)",
                            "Địa chỉ": e.address or "—",
                            "Số lần sai": e.failures,
                            "Lần sai cuối": _when(e.last),
                            "Phải chờ đến": _when(e.until) if e.until > now else "—",
                        }
                        for e in slowed
                    ]
                ),
                hide_index=True,
                key="cchc.sessions.slowed",
            )
        else:
            st.caption("Không có lần đăng nhập sai nào trong một giờ qua.")
        st.markdown("**Đăng nhập, đăng xuất và đăng nhập sai gần đây**")
        if events:
            st.dataframe(_events_frame(events), hide_index=True, key="cchc.sessions.events")
        else:
            st.caption("Chưa có sự kiện nào.")
