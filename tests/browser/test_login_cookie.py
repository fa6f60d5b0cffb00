"""The login session in a real Chromium: the HttpOnly cookie survives a reload and a new tab; a copied
cookie replayed in a fresh browser is refused after logout, after a password change and after the
admin ends every session; an attacker's failures from one address do not stop the owner at another;
the security headers are on the page and on the routes, and no page breaks the CSP."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from cchc_lib.access.accounts import Accounts
from cchc_lib.access.throttle import Throttle
from cchc_lib.web.sign_in import SIGN_IN_HOW
from tests.browser.helpers import ROOT, full_screenshot, running_server, server_folder, settle, sign_in

pytestmark = pytest.mark.browser
expect.set_options(timeout=30_000)  # a rerun can take longer than 5 s on the shared 2-core machine

DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "mat-khau-dai-123"
REFUSED = "Bạn không có quyền xem trang này."
COOKIE = "cchc_session"
THROTTLED = "Đăng nhập sai nhiều lần từ địa chỉ này"
PAGES = ["/", "/don_vi", "/hoat_dong", "/theo_doi_chi_dao", "/cap_nhat_du_lieu", "/bao_cao", "/lich_su",
         "/tinh_hinh_bao_cao"]  # fmt: skip
HEADERS = {
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """A server of its own with the sample data, an empty temp store and a temp users file; it trusts
    X-Forwarded-For (behind_proxy), so each browser context can stand for another client address."""
    folder, env = server_folder(tmp_path_factory, "login_cookie_server")
    settings = folder / "settings.toml"
    settings.write_text(settings.read_text() + "behind_proxy = true\n")
    accounts = Accounts(folder / "users.toml")
    accounts.add("quantri", "admin", PASSWORD)
    accounts.add("camnhuong", "unit", PASSWORD, "XCN")
    with running_server(folder, env) as base:
        yield SimpleNamespace(base=base, folder=folder, env=env, accounts=accounts)


def new_context(browser, address: str = "10.0.0.7"):
    return browser.new_context(
        viewport=DESKTOP, locale="vi-VN", extra_http_headers={"X-Forwarded-For": address}
    )


def open_page(page, url: str) -> None:
    page.goto(url)
    settle(page)


def expect_logged_in(page, user: str = "quantri") -> None:
    expect(page.get_by_test_id("stSidebar").get_by_text(f"Đăng nhập: {user}")).to_be_visible()
    expect(page.get_by_text(REFUSED)).to_have_count(0)
    if user == "quantri":
        expect(page.get_by_test_id("stFileUploaderDropzoneInput")).to_have_count(1)


def expect_anonymous(page) -> None:
    """Asked to sign in (calmly: what the page is for and how), not refused; no upload, nobody signed in."""
    expect(page.get_by_text(SIGN_IN_HOW)).to_have_count(1)
    expect(page.get_by_text(REFUSED)).to_have_count(0)
    expect(page.get_by_test_id("stFileUploaderDropzoneInput")).to_have_count(0)
    expect(page.get_by_text("Đăng nhập: ")).to_have_count(0)


def submit_login(page, user: str, password: str) -> None:
    sign_in(page, user, password, settled=False)  # the callers wait for the cookie's response or an error


def log_in(site, context, user: str = "quantri") -> tuple[object, dict]:
    """Log in on the upload page; (the page, the session cookie) once the cookie round trip is done."""
    page = context.new_page()
    open_page(page, f"{site.base}/cap_nhat_du_lieu")
    expect_anonymous(page)
    # the page then loads /_cchc/login.js?ticket=…, whose response sets the cookie
    with page.expect_response(lambda r: "/_cchc/login.js?ticket=" in r.url, timeout=60_000) as loaded:
        submit_login(page, user, PASSWORD)
    assert loaded.value.ok and "httponly" in (loaded.value.header_value("set-cookie") or "").lower()
    settle(page)
    expect_logged_in(page, user)
    [cookie] = [c for c in context.cookies() if c["name"] == COOKIE]
    return page, cookie


def replay(site, browser, cookie: dict):
    """A fresh browser (another address) holding only a copy of `cookie`; its upload page, settled."""
    context = new_context(browser, "10.0.0.99")
    context.add_cookies([{k: cookie[k] for k in ("name", "value", "domain", "path")}])
    page = context.new_page()
    open_page(page, f"{site.base}/cap_nhat_du_lieu")
    return context, page


def test_cookie_is_http_only_and_survives_reload_and_new_tab(site, browser, screenshots: Path) -> None:
    context = new_context(browser)
    try:
        page, cookie = log_in(site, context)
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
        assert not cookie["secure"]  # plain http on loopback; https gets Secure (tests/test_routes.py)
        assert cookie["expires"] > 0 and len(cookie["value"]) == 43
        assert COOKIE not in page.evaluate("document.cookie")  # no script in the page can read it
        assert cookie["value"] not in page.content()

        page.reload()  # a new websocket session: only the cookie can log it in
        settle(page)
        expect_logged_in(page)
        full_screenshot(page, screenshots / "dang_nhap_sau_tai_lai_1280.png")
        tab = context.new_page()  # a new tab by direct link
        open_page(tab, f"{site.base}/cap_nhat_du_lieu")
        expect_logged_in(tab)
        tab.close()
    finally:
        context.close()


def test_copied_cookie_is_refused_after_logout(site, browser, screenshots: Path) -> None:
    context = new_context(browser)
    try:
        page, cookie = log_in(site, context)
        other, copy_page = replay(site, browser, cookie)  # the copy works while the session lives
        expect_logged_in(copy_page)
        other.close()

        with page.expect_response(lambda r: "/_cchc/logout.js" in r.url, timeout=60_000):
            page.get_by_test_id("stSidebar").get_by_role("button", name="Đăng xuất").click()
        settle(page)
        expect_anonymous(page)
        assert not [c for c in context.cookies() if c["name"] == COOKIE]  # cleared by the route
        page.reload()
        settle(page)
        expect_anonymous(page)
        full_screenshot(page, screenshots / "dang_xuat_sau_tai_lai_1280.png")

        other, copy_page = replay(site, browser, cookie)
        expect_anonymous(copy_page)
        other.close()
    finally:
        context.close()


def test_copied_cookie_is_refused_after_a_password_change(site, browser) -> None:
    context = new_context(browser)
    try:
        page, cookie = log_in(site, context, "camnhuong")
        command = [sys.executable, "-m", "cchc_lib", "users", "passwd", "camnhuong", "--password-stdin"]
        done = subprocess.run(command, cwd=ROOT, env={**os.environ, **site.env},
                              input="mat-khau-moi-456\n", capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "đã kết thúc 1 phiên đăng nhập" in done.stdout
        other, copy_page = replay(site, browser, cookie)
        expect_anonymous(copy_page)
        other.close()
        page.reload()  # the browser that logged in is out too
        settle(page)
        expect_anonymous(page)
    finally:
        site.accounts.set_password("camnhuong", PASSWORD)
        context.close()


def test_end_all_sessions_refuses_every_copied_cookie(site, browser, screenshots: Path) -> None:
    unit_context, admin_context = new_context(browser, "10.0.0.8"), new_context(browser)
    try:
        _, unit_cookie = log_in(site, unit_context, "camnhuong")
        page, admin_cookie = log_in(site, admin_context)
        open_page(page, f"{site.base}/lich_su")
        page.get_by_text("Phiên đăng nhập và đăng nhập sai").click()
        expect(page.get_by_text("phiên đang mở", exact=False)).to_be_visible()  # ours and earlier tests'
        full_screenshot(page, screenshots / "phien_dang_nhap_1280.png")
        with page.expect_response(lambda r: "/_cchc/logout.js" in r.url, timeout=60_000):
            page.get_by_role("button", name="Kết thúc mọi phiên đăng nhập").click()
        settle(page)
        expect(page.get_by_text("Đăng nhập: quantri")).to_have_count(0)
        for cookie in (unit_cookie, admin_cookie):
            other, copy_page = replay(site, browser, cookie)
            expect_anonymous(copy_page)
            other.close()
    finally:
        unit_context.close()
        admin_context.close()


def test_attacker_failures_do_not_stop_the_owner(site, browser, screenshots: Path) -> None:
    attacker = new_context(browser, "10.0.0.66")
    owner = new_context(browser, "10.0.0.7")
    try:
        page = attacker.new_page()
        open_page(page, f"{site.base}/cap_nhat_du_lieu")
        errors = page.get_by_test_id("stMain").get_by_test_id("stAlertContentError")
        for attempt in range(1, 4):  # the three free failures, through the form
            submit_login(page, "quantri", f"doan-sai-{attempt}")
            settle(page)
            expect(errors).to_contain_text("Tên đăng nhập hoặc mật khẩu không đúng.")
        # ... and the attack went on for a while (ten more failures from that address, counted in the
        # store the server reads), so the attacker now has to wait the longest delay
        throttle = Throttle(site.folder / "store" / "sessions" / "throttle.json")
        for _ in range(10):
            throttle.failed("quantri", "10.0.0.66")
        submit_login(page, "quantri", PASSWORD)  # even the right password waits, from there
        settle(page)
        expect(errors).to_contain_text(f"{THROTTLED}; vui lòng thử lại sau 15 phút.")
        expect(page.get_by_text("Đăng nhập: quantri")).to_have_count(0)

        owner_page, _ = log_in(site, owner)  # the owner, elsewhere, logs in at once
        open_page(owner_page, f"{site.base}/lich_su")
        owner_page.get_by_text("Phiên đăng nhập và đăng nhập sai").click()
        expect(owner_page.get_by_text("Nguồn đăng nhập sai đang bị làm chậm")).to_be_visible()
        expect(owner_page.get_by_test_id("stDataFrame")).to_have_count(3)  # sessions, slowed, events
        rows = {(e.account, e.address): e.failures for e in throttle.entries()}
        assert rows[("quantri", "10.0.0.66")] == 13 and ("quantri", "10.0.0.7") not in rows
        logged = (site.folder / "store" / "sessions" / "audit.jsonl").read_text(encoding="utf-8")
        assert logged.count('"event": "login_failed", "user": "quantri", "address": "10.0.0.66"') == 3
        assert '"event": "login", "user": "quantri", "address": "10.0.0.7"' in logged
        full_screenshot(owner_page, screenshots / "dang_nhap_sai_bi_lam_cham_1280.png")
    finally:
        attacker.close()
        owner.close()


def test_security_headers_and_no_csp_violation(site, browser) -> None:
    context = new_context(browser, "10.0.0.9")
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        for path in PAGES:
            response = page.goto(f"{site.base}{path}")
            settle(page)
            headers = response.headers
            assert {k: headers.get(k) for k in HEADERS} == HEADERS, path
            assert "frame-ancestors 'none'" in headers["content-security-policy"]
            assert "script-src 'self' 'sha256-" in headers["content-security-policy"]
        for route in ("/_cchc/login?ticket=x", "/_cchc/logout", "/_cchc/login.js", "/_stcore/health"):
            response = page.context.request.get(f"{site.base}{route}", max_redirects=0)
            assert {k: response.headers.get(k) for k in HEADERS} == HEADERS, route
            assert "default-src 'self'" in response.headers["content-security-policy"], route
        assert violations == []  # every page renders within the policy (plotly, tables, uploads)
        icon = page.evaluate("document.querySelector(\"link[rel='shortcut icon']\").href")
        assert icon.startswith("data:image/svg+xml,")  # the emoji page icon: no third-party request
    finally:
        context.close()
