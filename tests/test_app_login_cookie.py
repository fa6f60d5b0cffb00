"""AppTest of the login session: a login creates the server-side record and loads the ticket script,
a later session restored from the cookie, logout ending the record, revocations applied to a logged-in
page at its next run, the throttled form, the admin's session panel.

AppTest has no browser connection (st.context.cookies is empty there), so the request cookie is
supplied by patching auth._request_cookie; the cookie round trip itself is tests/browser/ and the
routes are tests/test_routes.py."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from cchc_lib.access.accounts import Account
from cchc_lib.access.sessions import Sessions, digest
from cchc_lib.common.settings import load_settings
from cchc_lib.publishing.store_factory import open_sessions
from cchc_lib.web import auth
from tests.test_app_upload import APP, HISTORY, PASSWORD, UPLOAD, _submit, assert_asked_to_sign_in, env, texts

__all__ = ["env"]  # the fixture, imported from the upload tests

TICKET_RE = re.compile(r'^<script src="/_cchc/login\.js\?ticket=([A-Za-z0-9_-]{43})"></script>$')
LOGOUT_SCRIPT = '<script src="/_cchc/logout.js"></script>'


def scripts(at: AppTest) -> list[str]:
    """The page's html elements that hold a login or logout script (the others are style only)."""
    return [e.proto.body for e in at.get("html") if "<script" in e.proto.body]


def with_cookie(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    monkeypatch.setattr(auth, "_request_cookie", lambda: value)


def records() -> Sessions:
    return open_sessions(load_settings())


def login_on_upload(user: str = "quantri", password: str = PASSWORD) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(UPLOAD).run()
    at.text_input(key="login_name_main").input(user)
    at.text_input(key="login_password_main").input(password)
    _submit(at)
    return at


def session_from_ticket(at: AppTest) -> str:
    """What the login route would put in the cookie for the ticket the page loads."""
    [script] = scripts(at)
    ticket = TICKET_RE.match(script).group(1)
    session_id = records().redeem_ticket(ticket)
    assert session_id is not None
    return session_id


def restored(monkeypatch, session_id: str | None, path: str = UPLOAD) -> AppTest:
    """A new browser session (a reload, a new tab) carrying the cookie `session_id`."""
    with_cookie(monkeypatch, session_id)
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(path).run()
    assert not at.exception
    return at


def test_login_creates_a_session_the_cookie_restores(env: SimpleNamespace, monkeypatch) -> None:
    at = login_on_upload()
    session_id = session_from_ticket(at)
    assert at.session_state["cchc.auth"] == {"name": "quantri", "session": digest(session_id)}
    assert records().validate(session_id, env.accounts) == Account("quantri", "admin")
    at.run()
    assert scripts(at) == []  # sent once

    fresh = restored(monkeypatch, session_id)
    assert fresh.session_state["cchc.auth"] == {"name": "quantri", "session": digest(session_id)}
    assert len(fresh.get("file_uploader")) == 1
    assert any("Đăng nhập: **quantri**" in t for t in texts(fresh.sidebar, "caption"))

    fresh.sidebar.button(key="logout").click().run()  # the request still carries the cookie
    assert scripts(fresh) == [LOGOUT_SCRIPT]
    assert "cchc.auth" not in fresh.session_state
    assert_asked_to_sign_in(fresh)
    fresh.run()
    assert "cchc.auth" not in fresh.session_state
    assert records().validate(session_id, env.accounts) is None  # ended on the server
    assert_asked_to_sign_in(restored(monkeypatch, session_id))  # the copied cookie no longer logs in
    events = [e["event"] for e in reversed(records().audit_entries())]
    assert events == ["login", "logout"]


@pytest.mark.parametrize("change", ["password", "removed", "role", "end_all", "forged"])
def test_refused_cookie(env: SimpleNamespace, monkeypatch, change: str) -> None:
    session_id = session_from_ticket(login_on_upload("camnhuong"))
    if change == "password":
        env.accounts.set_password("camnhuong", "mat-khau-moi-dai")
    elif change == "removed":
        env.accounts.remove("camnhuong")
    elif change == "role":
        env.accounts.set_role("camnhuong", "viewer")
    elif change == "end_all":
        records().end_all(by="quantri")
    else:
        session_id = session_id[:-2] + ("AA" if not session_id.endswith("AA") else "BB")
    at = restored(monkeypatch, session_id)
    assert "cchc.auth" not in at.session_state
    assert_asked_to_sign_in(at)


def test_revocation_ends_an_open_page_at_its_next_run(env: SimpleNamespace, monkeypatch) -> None:
    monkeypatch.setattr(auth, "_RECHECK_S", 0.0)
    session_id = session_from_ticket(login_on_upload())
    at = restored(monkeypatch, session_id)
    assert len(at.get("file_uploader")) == 1
    records().end_all(by="quantri")
    at.run()
    assert "cchc.auth" not in at.session_state
    assert_asked_to_sign_in(at)
    assert "Phiên đăng nhập đã kết thúc; vui lòng đăng nhập lại." in texts(at, "info")


def test_repeated_failures_are_throttled_not_locked(env: SimpleNamespace) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(UPLOAD).run()
    errors = []
    for _ in range(5):  # 3 free failures, then waits of 2, 4, 8 s: the next try comes too soon
        at.text_input(key="login_name_main").input("quantri")
        at.text_input(key="login_password_main").input("sai-mat-khau")
        _submit(at)
        errors.append(texts(at, "error")[-1])
    assert errors[0] == "Tên đăng nhập hoặc mật khẩu không đúng."
    assert errors[-1].startswith("Đăng nhập sai nhiều lần từ địa chỉ này; vui lòng thử lại sau ")
    assert "cchc.auth" not in at.session_state
    assert next(e.failures for e in records().throttle().entries() if e.account == "quantri") >= 3


def test_zero_hours_logs_in_without_a_cookie(env: SimpleNamespace) -> None:
    env.settings.write_text(env.settings.read_text() + "login_cookie_hours = 0\n")
    at = login_on_upload()
    assert scripts(at) == []
    assert at.session_state["cchc.auth"]["name"] == "quantri"
    assert len(records().records()) == 1  # still a server-side session (logout, end-all apply)


def test_admin_panel_ends_every_session(env: SimpleNamespace, monkeypatch) -> None:
    unit = session_from_ticket(login_on_upload("camnhuong"))
    unit_page = restored(monkeypatch, unit, HISTORY)
    assert not [b for b in unit_page.button if b.label == auth.END_ALL_LABEL]  # admins only
    with_cookie(monkeypatch, None)
    admin = session_from_ticket(login_on_upload("quantri"))
    at = restored(monkeypatch, admin, HISTORY)
    [live] = [d for d in at.dataframe if "Tài khoản" in d.value.columns and "Trình duyệt" in d.value.columns]
    assert sorted(live.value["Tài khoản"]) == ["camnhuong", "quantri"]
    [button] = [b for b in at.button if b.label == auth.END_ALL_LABEL]
    button.click().run()
    assert records().records() == []
    assert scripts(at) == [LOGOUT_SCRIPT]
    assert "cchc.auth" not in at.session_state
    assert records().audit_entries()[0] == {**records().audit_entries()[0], "event": "end_all", "sessions": 2}
    assert_asked_to_sign_in(restored(monkeypatch, unit))
