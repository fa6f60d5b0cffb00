"""AppTest of the "stay logged in" cookie: the script a login sends, a later session restored from
the cookie, logout expiring it, refused cookies, the configured key and the setting that turns it off.

AppTest has no browser connection (st.context.cookies is empty there), so the request cookie is
supplied by patching auth._request_cookie; the real browser round trip is tests/browser/."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from cchc_lib import session_token
from cchc_lib.web import auth
from tests.test_app_upload import APP, PASSWORD, UPLOAD, _submit, assert_refused, env, texts

__all__ = ["env"]  # the fixture, imported from the upload tests

SET_RE = re.compile(r"cchc_login=([A-Za-z0-9_.-]+); Path=/; Max-Age=(\d+); SameSite=Strict")


def scripts(at: AppTest) -> list[str]:
    """The page's html elements that hold a script (the upload page also has a style-only one)."""
    return [e.proto.body for e in at.get("html") if "<script" in e.proto.body]


def with_cookie(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    monkeypatch.setattr(auth, "_request_cookie", lambda: value)


def login_on_upload(user: str = "quantri") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(UPLOAD).run()
    at.text_input(key="login_name_main").input(user)
    at.text_input(key="login_password_main").input(PASSWORD)
    _submit(at)
    return at


def issued_token(at: AppTest) -> str:
    [match] = [m for m in map(SET_RE.search, scripts(at)) if m]
    assert match.group(2) == str(12 * 3600)
    return match.group(1)


def test_login_sends_a_cookie_that_restores_the_login(env: SimpleNamespace, monkeypatch) -> None:
    at = login_on_upload()
    token = issued_token(at)
    secret = session_token.server_secret(env.users)
    assert session_token.account_for_token(env.accounts, token, secret, time.time()).name == "quantri"
    assert (env.users.parent / "users.toml.secret").stat().st_mode & 0o777 == 0o600
    at.run()
    assert scripts(at) == []  # sent once

    with_cookie(monkeypatch, token)  # a reload: a new session carrying the cookie
    fresh = AppTest.from_file(APP, default_timeout=60)
    fresh.switch_page(UPLOAD).run()
    assert not fresh.exception
    assert fresh.session_state["cchc.auth"] == {"name": "quantri"}
    assert len(fresh.get("file_uploader")) == 1
    assert any("Đăng nhập: **quantri**" in t for t in texts(fresh.sidebar, "caption"))

    fresh.sidebar.button(key="logout").click().run()  # the request still carries the cookie
    assert any("cchc_login=; Path=/; Max-Age=0; SameSite=Strict" in s for s in scripts(fresh))
    assert "cchc.auth" not in fresh.session_state
    assert_refused(fresh)
    fresh.run()
    assert "cchc.auth" not in fresh.session_state


@pytest.mark.parametrize("change", ["tampered", "password", "removed"])
def test_refused_cookie_is_expired(env: SimpleNamespace, monkeypatch, change: str) -> None:
    token = issued_token(login_on_upload("camnhuong"))
    if change == "tampered":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif change == "password":
        env.accounts.set_password("camnhuong", "mat-khau-moi-dai")
    else:
        env.accounts.remove("camnhuong")
    with_cookie(monkeypatch, token)
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(UPLOAD).run()
    assert "cchc.auth" not in at.session_state
    assert_refused(at)
    assert any("cchc_login=; Path=/; Max-Age=0;" in s for s in scripts(at))


def test_configured_secret_is_used(env: SimpleNamespace, monkeypatch) -> None:
    configured = "c" * 40
    signed_by = {"file": session_token.server_secret(env.users), "configured": configured.encode()}
    for key, logged_in in [("file", False), ("configured", True)]:
        token = session_token.issue_for(env.accounts, "quantri", signed_by[key], time.time(), 3600)
        with_cookie(monkeypatch, token)
        at = AppTest.from_file(APP, default_timeout=60)
        at.secrets["cchc"] = {"cookie_secret": configured}
        at.switch_page(UPLOAD).run()
        assert ("cchc.auth" in at.session_state) is logged_in, key


def test_setting_zero_hours_turns_the_cookie_off(env: SimpleNamespace, monkeypatch) -> None:
    token = issued_token(login_on_upload())
    env.settings.write_text(env.settings.read_text() + "login_cookie_hours = 0\n")
    assert not [s for s in scripts(login_on_upload()) if SET_RE.search(s)]
    with_cookie(monkeypatch, token)
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(UPLOAD).run()
    assert "cchc.auth" not in at.session_state
