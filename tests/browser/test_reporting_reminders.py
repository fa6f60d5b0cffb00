"""Reporting status in a real Chromium after a rollback, the message to copy, and the reminder e-mail
reaching a local SMTP sink started by the test (never a real address)."""

from __future__ import annotations

import email
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from email import policy
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from cchc_lib.access.accounts import Account, Accounts
from cchc_lib.publishing.store import Store
from cchc_lib.sample.builder import build_xlsx
from cchc_lib.sample.sample_data import sample_spec
from tests.browser.helpers import full_screenshot, running_server, server_folder, settle
from tests.test_mailer import _Sink

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "mat-khau-dai-123"
# The sample's three units without 2024 activity get phones and addresses; XCTG submits, then the
# admin rolls back to before it.
CONTACTS = {
    "BQLCT": ("0239 3861 234", "bqlct@bqlct.example"),
    "CCTK": ("0912 000 222", ""),
    "XCTG": ("0987 111 333", "camthang@xctg.example"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    folder, env = server_folder(tmp_path_factory, "reporting_server")
    accounts = Accounts(folder / "users.toml")
    accounts.add("quantri", "admin", PASSWORD)
    spec = sample_spec()
    units = [
        {**u, "Điện thoại": CONTACTS[u["Mã đơn vị"]][0], "Email": CONTACTS[u["Mã đơn vị"]][1]}
        if u["Mã đơn vị"] in CONTACTS
        else u
        for u in spec.units
    ]
    base = replace(spec, units=units)
    extra = [
        {"Ngày": date(2024, 11, 20), "Mã đơn vị": "XCTG", "Loại hoạt động": "TIN_BAI", "Tiêu đề": f"Tin {i}"}
        for i in range(2)
    ]
    store, admin = Store(folder / "store"), Account("quantri", "admin")
    v1 = store.publish(
        build_xlsx(base), account=admin, kind="replace", file_name="goc.xlsx", base_version=None
    )
    store.publish(
        build_xlsx(replace(base, activities=base.activities + extra)),
        account=Account("camthang", "unit", "XCTG"),
        kind="unit",
        file_name="xctg.xlsx",
        base_version=v1.number,
        unit_code="XCTG",
    )
    store.rollback(v1.number, admin)
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Sink)
    server.daemon_threads = True
    server.received = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    secrets = folder / "secrets.toml"
    secrets.write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {server.server_address[1]}\nsender = "vp@ubnd.example"\n'
        "starttls = false\n",
        encoding="utf-8",
    )
    try:
        with running_server(folder, {**env, "STREAMLIT_SECRETS_FILES": str(secrets)}) as url:
            yield SimpleNamespace(base=url, store=store, sink=server)
    finally:
        server.shutdown()
        server.server_close()


def test_status_after_rollback_and_the_reminder_email(site, browser, screenshots) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(f"{site.base}/tinh_hinh_bao_cao")
        settle(page)
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_test_id("stExpander").filter(has_text="Đăng nhập").locator("summary").click()
        sidebar.get_by_label("Tên đăng nhập").fill("quantri")
        sidebar.get_by_label("Mật khẩu").fill(PASSWORD)
        sidebar.get_by_role("button", name="Đăng nhập").click()
        settle(page)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        main = page.get_by_test_id("stMain")
        expect(
            main.get_by_text("Kỳ: Năm 2024 (theo dương lịch: 01/01/2024 – 31/12/2024) · hạn nộp 05/01/2025")
        ).to_be_visible()
        expect(main.get_by_test_id("stMetricValue").first).to_have_text("44 / 47")
        message = main.get_by_test_id("stCode").first.inner_text()
        assert "3 đơn vị sau" in message
        assert "UBND xã Cẩm Thăng (đầu mối Trần Thị Thanh Sơn, ĐT 0987 111 333) — cần nộp lại" in message
        assert "Chi cục Thống kê huyện Cẩm Xuyên (đầu mối Đặng Thị Thanh Trang, ĐT 0912 000 222)" in message
        full_screenshot(page, screenshots / "tinh_hinh_bao_cao_nhac_1280.png")

        main.get_by_role("button", name="Gửi e-mail nhắc").click()
        settle(page)
        assert site.sink.received == []  # nothing before the confirmation
        expect(main.get_by_text("Sẽ gửi 2 e-mail nhắc")).to_be_visible()
        main.get_by_role("button", name="Xác nhận gửi 2 e-mail").click()
        settle(page)
        expect(main.get_by_text("Đã gửi 2 e-mail nhắc")).to_be_visible()
        received = {
            tuple(to): email.message_from_bytes(data, policy=policy.default)
            for to, data in site.sink.received
        }
        assert set(received) == {("bqlct@bqlct.example",), ("camthang@xctg.example",)}
        body = received[("camthang@xctg.example",)].get_content()
        assert "UBND xã Cẩm Thăng" in body and "nộp lại" in body and "hạn nộp ngày 05/01/2025" in body
        assert [e["units"] for e in site.store.audit() if e.get("kind") == "reminder_sent"] == [
            ["BQLCT", "XCTG"]
        ]

        page.set_viewport_size(PHONE)
        page.wait_for_timeout(800)
        full_screenshot(page, screenshots / "tinh_hinh_bao_cao_nhac_390.png")
    finally:
        context.close()
