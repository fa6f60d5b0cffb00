"""The login cookie in a real Chromium: a password login survives a reload and a new tab (direct link),
and logging out ends it for reloads too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from cchc_lib.accounts import Accounts
from tests.browser.helpers import full_screenshot, running_server, server_folder, settle

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "mat-khau-dai-123"
REFUSED = "Bạn không có quyền xem trang này."
COOKIE = "cchc_login"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """A server of its own with the sample data, an empty temp store and a temp users file."""
    folder, env = server_folder(tmp_path_factory, "login_cookie_server")
    Accounts(folder / "users.toml").add("quantri", "admin", PASSWORD)
    with running_server(folder, env) as base:
        yield SimpleNamespace(base=base, folder=folder)


def open_page(page, url: str) -> None:
    page.goto(url)
    settle(page)


def expect_logged_in(page) -> None:
    expect(page.get_by_test_id("stSidebar").get_by_text("Đăng nhập: quantri")).to_be_visible()
    expect(page.get_by_test_id("stFileUploaderDropzoneInput")).to_have_count(1)
    expect(page.get_by_text(REFUSED)).to_have_count(0)


def expect_anonymous(page) -> None:
    expect(page.get_by_text(REFUSED)).to_have_count(1)
    expect(page.get_by_test_id("stFileUploaderDropzoneInput")).to_have_count(0)
    expect(page.get_by_text("Đăng nhập: quantri")).to_have_count(0)


def test_login_survives_reload_and_new_tab_until_logout(site, browser, screenshots: Path) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    upload_url = f"{site.base}/cap_nhat_du_lieu"
    try:
        open_page(page, upload_url)
        expect_anonymous(page)
        main = page.get_by_test_id("stMain")
        main.get_by_label("Tên đăng nhập").fill("quantri")
        main.get_by_label("Mật khẩu").fill(PASSWORD)
        main.get_by_role("button", name="Đăng nhập").click()
        settle(page)
        expect_logged_in(page)
        [cookie] = [c for c in context.cookies() if c["name"] == COOKIE]
        assert cookie["sameSite"] == "Strict" and cookie["path"] == "/" and not cookie["httpOnly"]
        assert cookie["expires"] > 0  # Max-Age given: kept across browser restarts until it expires

        page.reload()  # a new websocket session: only the cookie can log it in
        settle(page)
        expect_logged_in(page)
        full_screenshot(page, screenshots / "dang_nhap_sau_tai_lai_1280.png")

        tab = context.new_page()  # a new tab by direct link
        open_page(tab, upload_url)
        expect_logged_in(tab)
        tab.close()

        page.get_by_test_id("stSidebar").get_by_role("button", name="Đăng xuất").click()
        settle(page)
        expect_anonymous(page)
        page.wait_for_function(f"() => !document.cookie.includes('{COOKIE}=')", timeout=10_000)
        page.reload()
        settle(page)
        expect_anonymous(page)
        assert not [c for c in context.cookies() if c["name"] == COOKIE]
        full_screenshot(page, screenshots / "dang_xuat_sau_tai_lai_1280.png")
    finally:
        context.close()


def test_forged_cookie_is_refused_and_expired(site, browser) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    host = site.base.split("//")[1].split(":")[0]
    forged = "eyJuYW1lIjoicXVhbnRyaSJ9." + "A" * 43
    context.add_cookies([{"name": COOKIE, "value": forged, "domain": host, "path": "/"}])
    page = context.new_page()
    try:
        open_page(page, f"{site.base}/cap_nhat_du_lieu")
        expect_anonymous(page)
        page.wait_for_function(f"() => !document.cookie.includes('{COOKIE}=')", timeout=10_000)
    finally:
        context.close()
