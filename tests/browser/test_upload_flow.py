"""Updating data in a real Chromium: direct-link refusal, login, problems + marked copy, publish, rollback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from cchc_lib.access.accounts import Account, Accounts
from cchc_lib.publishing.store import Store
from cchc_lib.reading.marking import LIST_SHEET, PROBLEM_HEADER
from cchc_lib.sample.builder import build_xlsx
from cchc_lib.sample.sample_data import sample_spec
from cchc_lib.web.sign_in import SIGN_IN_HOW
from tests.browser.helpers import (
    full_screenshot,
    running_server,
    server_folder,
    settle,
    sign_in,
    upload_files,
)

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "mat-khau-dai-123"
REFUSED = "Bạn không có quyền xem trang này."
FIGURE = "Đã thực hiện / kế hoạch"
ERROR_FILL = "FFFFC7CE"
ADDED = 3 * 5  # the good workbook adds three 2024 rows of 5 items each


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """A server of its own (it publishes): temp store seeded with the sample as version 1, temp users."""
    folder, env = server_folder(tmp_path_factory, "upload_server")
    sample, store_dir = folder / "sample.xlsx", folder / "store"
    accounts = Accounts(folder / "users.toml")
    accounts.add("quantri", "admin", PASSWORD)
    accounts.add("nguoixem", "viewer", PASSWORD)
    store = Store(store_dir)
    store.publish(
        sample.read_bytes(),
        account=Account("quantri", "admin"),
        kind="replace",
        file_name="mau.xlsx",
        base_version=None,
        rows=len(sample_spec().activities),
    )
    spec = sample_spec()
    extra = [
        {
            "Ngày": date(2024, 11, 20),
            "Mã đơn vị": "XCN",
            "Loại hoạt động": "TIN_BAI",
            "Số lượng": 5,
            "Tiêu đề": f"Tin {i}",
        }
        for i in range(3)
    ]
    bad = [
        {"Ngày": "31/02/2024", "Mã đơn vị": "XCN", "Loại hoạt động": "TIN_BAI", "Tiêu đề": "ngày sai"},
        {
            "Ngày": date(2024, 3, 1),
            "Mã đơn vị": "KHONGCO",
            "Loại hoạt động": "TIN_BAI",
            "Tiêu đề": "đơn vị sai",
        },
    ]
    good_path, bad_path = folder / "bo_sung.xlsx", folder / "co_loi.xlsx"
    good_path.write_bytes(build_xlsx(replace(spec, activities=spec.activities + extra)))
    bad_path.write_bytes(build_xlsx(replace(spec, activities=spec.activities + bad)))
    bad_rows = len(spec.activities) + 2, len(spec.activities) + 3  # header on row 1
    with running_server(folder, env) as base:
        yield SimpleNamespace(
            base=base, store=store, folder=folder, good=good_path, bad=bad_path, bad_rows=bad_rows
        )


def main(page):
    return page.get_by_test_id("stMain")


def metric_value(page, label: str) -> str:
    metric = page.get_by_test_id("stMetric").filter(has_text=label).first
    return metric.get_by_test_id("stMetricValue").inner_text().strip()


def actual_of(figure: str) -> int:
    """'12.345 / 13.000' -> 12345."""
    return int(figure.split("/")[0].strip().replace(".", ""))


def go(page, label: str) -> None:
    """Follow a menu link (keeps the session, hence the login; a full page load would start a new one)."""
    page.get_by_test_id("stSidebar").get_by_role("link", name=label).click()
    page.wait_for_timeout(500)
    settle(page)


def test_viewer_cannot_reach_upload_by_direct_link(site, browser, screenshots: Path) -> None:
    """The first request after the server started is a direct link to the upload page."""
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(f"{site.base}/cap_nhat_du_lieu")
        settle(page)
        expect(page.get_by_text(SIGN_IN_HOW)).to_have_count(1)  # anonymous: asked to sign in, not refused
        expect(page.get_by_text(REFUSED)).to_have_count(0)
        expect(page.get_by_test_id("stFileUploaderDropzoneInput")).to_have_count(0)
        full_screenshot(page, screenshots / "cap_nhat_tu_choi_1280.png")
        sign_in(page, "nguoixem", PASSWORD)  # a logged-in viewer is refused too
        expect(page.get_by_text(REFUSED)).to_have_count(1)
        expect(page.get_by_test_id("stFileUploaderDropzoneInput")).to_have_count(0)
        expect(page.get_by_text("Đăng nhập: nguoixem")).to_have_count(1)
        page.goto(f"{site.base}/lich_su")
        settle(page)
        expect(page.get_by_text(REFUSED)).to_have_count(1)
        expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
    finally:
        context.close()


def test_upload_errors_marked_copy_publish_and_rollback(site, browser, screenshots: Path) -> None:
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(site.base)
        settle(page)
        before = actual_of(metric_value(page, FIGURE))

        page.goto(f"{site.base}/cap_nhat_du_lieu")
        settle(page)
        sign_in(page, "quantri", PASSWORD)
        expect(page.get_by_test_id("stFileUploaderDropzoneInput")).to_have_count(1)
        # Streamlit's English "Upload" / "20MB per file" are restated in Vietnamese
        shown = page.evaluate(
            "() => ['[data-testid=stFileUploaderDropzone] button p',"
            " '[data-testid=stFileUploaderDropzoneInstructions] span']"
            ".map(s => getComputedStyle(document.querySelector(s), '::after').content)"
        )
        assert shown == ['"Chọn tệp"', '"hoặc kéo thả tệp vào đây · tối đa 20 MB · .xlsx"']

        # 1. a workbook with errors: the problem table and the marked copy, nothing published
        upload_files(page, site.bad)
        expect(page.get_by_text("Tệp có 2 lỗi")).to_have_count(1)
        expect(main(page).get_by_test_id("stDataFrame")).to_have_count(1)
        expect(page.get_by_role("button", name="Xác nhận cập nhật")).to_have_count(0)
        full_screenshot(page, screenshots / "cap_nhat_loi_1280.png")
        # the marked copy is built on request, in the limited worker
        expect(page.get_by_role("button", name="Tải tệp đã đánh dấu lỗi")).to_have_count(0)
        page.get_by_role("button", name="Tạo tệp đánh dấu lỗi").click()
        with page.expect_download() as info:
            page.get_by_role("button", name="Tải tệp đã đánh dấu lỗi").click()
        marked = site.folder / "marked.xlsx"
        info.value.save_as(marked)
        assert info.value.suggested_filename == "co_loi_danh_dau_loi.xlsx"
        book = load_workbook(marked)
        assert book.sheetnames[0] == LIST_SHEET
        sheet = book["Hoạt động"]
        headers = [c.value for c in sheet[1]]
        problem_col = headers.index(PROBLEM_HEADER) + 1
        date_col = headers.index("Ngày") + 1
        bad_date_row, bad_unit_row = site.bad_rows
        assert sheet.cell(bad_date_row, date_col).value == "31/02/2024"
        assert sheet.cell(bad_date_row, date_col).fill.start_color.rgb == ERROR_FILL
        assert "31/02/2024" in sheet.cell(bad_date_row, problem_col).value
        assert "KHONGCO" in sheet.cell(bad_unit_row, problem_col).value
        assert sheet.cell(bad_date_row - 1, problem_col).value is None
        assert [r[4] for r in book[LIST_SHEET].iter_rows(min_row=2, values_only=True)] and book[
            LIST_SHEET
        ].max_row == 3
        assert site.store.current_number() == 1

        # 2. a good workbook: preview, confirm, a new version, the overview figure changes
        upload_files(page, site.good)
        expect(page.get_by_text("Xem trước thay đổi")).to_have_count(1)
        assert site.store.current_number() == 1  # nothing changes before the click
        full_screenshot(page, screenshots / "cap_nhat_xem_truoc_1280.png")
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(800)
        full_screenshot(page, screenshots / "cap_nhat_xem_truoc_390.png")
        page.set_viewport_size(DESKTOP)
        page.get_by_role("button", name="Xác nhận cập nhật").click()
        settle(page)
        expect(page.get_by_text("Đã cập nhật dữ liệu: phiên bản số 2")).to_have_count(1)
        assert site.store.current_number() == 2
        go(page, "Tổng quan")
        assert actual_of(metric_value(page, FIGURE)) == before + ADDED
        expect(page.get_by_test_id("stException")).to_have_count(0)

        # 3. roll back to version 1 (with confirmation): the figure returns
        go(page, "Lịch sử phiên bản")
        expect(page.get_by_text("Đăng nhập: quantri")).to_have_count(1)
        full_screenshot(page, screenshots / "lich_su_1280.png")
        page.get_by_role("button", name="Khôi phục phiên bản này…").click()
        settle(page)
        assert site.store.current_number() == 2  # asking is not doing
        page.get_by_role("button", name="Xác nhận khôi phục").click()
        settle(page)
        expect(page.get_by_text("dữ liệu hiện hành là phiên bản số 3")).to_have_count(1)
        assert site.store.current().rollback_of == 1
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(800)
        full_screenshot(page, screenshots / "lich_su_390.png")
        page.set_viewport_size(DESKTOP)
        go(page, "Tổng quan")
        assert actual_of(metric_value(page, FIGURE)) == before

        # 4. the reporting status page
        go(page, "Tình hình báo cáo")
        expect(page.get_by_test_id("stException")).to_have_count(0)
        expect(page.get_by_text("Các đơn vị").first).to_be_attached()
        full_screenshot(page, screenshots / "tinh_hinh_bao_cao_1280.png")
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(800)
        full_screenshot(page, screenshots / "tinh_hinh_bao_cao_390.png")
    finally:
        context.close()
