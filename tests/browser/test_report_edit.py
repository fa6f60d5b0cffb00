"""Tried as a clerk would, in a real Chromium: edit two sections of the report on the Báo cáo page, save,
download the Word file, reopen the page in a new session: the edits are there."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from docx import Document
from playwright.sync_api import expect

from cchc_lib.access.accounts import Account, Accounts
from cchc_lib.publishing.store import Store
from tests.browser.helpers import full_screenshot, open_signed_in, running_server, server_folder, settle

pytestmark = pytest.mark.browser
expect.set_options(timeout=30_000)  # a rerun can take longer than 5 s on the shared 2-core machine

DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "mat-khau-dai-123"
CHI_DAO = "1. Công tác chỉ đạo, điều hành"
KIEN_NGHI = "IV. KIẾN NGHỊ, ĐỀ XUẤT"
OWN_CHI_DAO = "UBND huyện ban hành Kế hoạch số 05/KH-UBND ngày 10/01/2024 về tuyên truyền CCHC."
OWN_KIEN_NGHI = "Đề nghị Sở Nội vụ mở lớp tập huấn nghiệp vụ tuyên truyền cho công chức cấp xã."


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """A server of its own (it writes report texts): the sample published as version 1, two accounts."""
    folder, env = server_folder(tmp_path_factory, "report_server")
    accounts = Accounts(folder / "users.toml")
    accounts.add("quantri", "admin", PASSWORD)
    accounts.add("nguoixem", "viewer", PASSWORD)
    store = Store(folder / "store")
    store.publish(
        (folder / "sample.xlsx").read_bytes(),
        account=Account("quantri", "admin"),
        kind="replace",
        file_name="mau.xlsx",
        base_version=None,
    )
    with running_server(folder, env) as base:
        yield SimpleNamespace(base=base, store=store, folder=folder)


def open_report(browser, site: SimpleNamespace, user: str):
    """A new browser session: log in on the upload page's form, then follow the menu to Báo cáo."""
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True, locale="vi-VN")
    page = context.new_page()
    open_signed_in(page, f"{site.base}/cap_nhat_du_lieu", user, PASSWORD)
    page.get_by_test_id("stSidebar").get_by_role("link", name="Báo cáo", exact=True).click()
    page.wait_for_timeout(500)
    settle(page)
    expect(page.get_by_test_id("stHeading").filter(has_text="Báo cáo").first).to_be_visible()
    return context, page


def text_area(page, heading: str):
    return page.locator("textarea").and_(page.get_by_label(heading, exact=False))


def test_edit_two_sections_download_and_reopen(site, browser, screenshots: Path) -> None:
    context, page = open_report(browser, site, "quantri")
    try:
        chi_dao = text_area(page, CHI_DAO)
        kien_nghi = text_area(page, KIEN_NGHI)
        expect(chi_dao).to_have_count(1)
        expect(kien_nghi).to_have_count(1)
        assert kien_nghi.input_value().startswith("[Đề nghị bổ sung: ")
        generated = chi_dao.input_value()
        assert generated and generated != OWN_CHI_DAO
        chi_dao.fill(OWN_CHI_DAO)
        chi_dao.press("Control+Enter")
        settle(page)
        # Streamlit's English "Press ⌘+Enter to apply" is hidden while typing
        kien_nghi.fill(OWN_KIEN_NGHI)
        hints = page.get_by_test_id("InputInstructions")
        assert all(not hints.nth(i).is_visible() for i in range(hints.count()))
        kien_nghi.press("Control+Enter")
        settle(page)
        page.get_by_role("button", name="Lưu nội dung").click()
        settle(page)
        expect(page.get_by_text("Đã lưu nội dung báo cáo")).to_have_count(1)
        [saved_file] = (site.folder / "store" / "report_texts").rglob("*.json")
        assert json.loads(saved_file.read_text(encoding="utf-8"))["texts"] == {
            "chi_dao": OWN_CHI_DAO,
            "kien_nghi": OWN_KIEN_NGHI,
        }

        number = page.get_by_label("Số báo cáo")
        number.fill("45")
        number.press("Enter")
        settle(page)
        full_screenshot(page, screenshots / "bao_cao_sua_noi_dung_1280.png")
        page.get_by_role("button", name="Lập báo cáo để tải về").click()
        expect(page.get_by_role("button", name="Tải báo cáo (Word)")).to_have_count(1, timeout=60_000)
        settle(page)
        with page.expect_download() as info:
            page.get_by_role("button", name="Tải báo cáo (Word)").click()
        path = site.folder / "bao_cao.docx"
        info.value.save_as(path)
        document = Document(str(path))
        paragraphs = [p.text for p in document.paragraphs]
        assert paragraphs[paragraphs.index(CHI_DAO) + 1] == OWN_CHI_DAO
        assert generated.splitlines()[0] not in paragraphs
        assert paragraphs[paragraphs.index(KIEN_NGHI) + 1] == OWN_KIEN_NGHI
        cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
        assert "Số: 45/" in cells
    finally:
        context.close()

    # a new session (another tab, after closing the browser): the edits come back from the store
    context, page = open_report(browser, site, "quantri")
    try:
        expect(text_area(page, CHI_DAO)).to_have_value(OWN_CHI_DAO)
        expect(text_area(page, KIEN_NGHI)).to_have_value(OWN_KIEN_NGHI)
        expect(page.get_by_role("button", name="Dùng lại nội dung tự động")).to_have_count(2)
    finally:
        context.close()

    # a viewer sees the edited text in the preview, and no editor
    context, page = open_report(browser, site, "nguoixem")
    try:
        expect(page.locator("textarea")).to_have_count(0)
        page.get_by_text("Xem trước nội dung báo cáo").click()
        expect(page.get_by_text(OWN_KIEN_NGHI)).to_have_count(1)
    finally:
        context.close()
