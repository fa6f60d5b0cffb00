"""The screenshots of the user guide (docs/huong-dan-su-dung.md), taken from the real server in Chromium:
each page is checked for what the guide says it shows, then shot at 390 px (phone) or 1366 px (desktop)
into docs/images/ as a small palette PNG."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image
from playwright.sync_api import expect

from cchc_lib.access.accounts import Account, Accounts
from cchc_lib.publishing.store import Store
from cchc_lib.sample.builder import build_xlsx
from cchc_lib.sample.sample_data import sample_spec
from tests.browser.helpers import ROOT, running_server, server_folder, settle, sign_in, upload_files

pytestmark = pytest.mark.browser

IMAGES = ROOT / "docs" / "images"
GUIDE = ROOT / "docs" / "huong-dan-su-dung.md"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
PASSWORD = "mat-khau-dai-123"
BAD_DATE = "31/02/2024"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """A server whose store holds the sample as version 1 and the sample with one more activity as
    version 2 (both published by the standing office's admin), with an admin `vanphong` and the focal point `xcb` of unit XCB; a workbook with one wrong date."""
    folder, env = server_folder(tmp_path_factory, "guide_server")
    accounts = Accounts(folder / "users.toml")
    accounts.add("vanphong", "admin", PASSWORD)
    accounts.add("xcb", "unit", PASSWORD, "XCB")
    spec = sample_spec()
    Store(folder / "store").publish((folder / "sample.xlsx").read_bytes(), account=Account("vanphong", "admin"),
                                    kind="replace", file_name="so_lieu_2024.xlsx", base_version=None,
                                    rows=len(spec.activities))  # fmt: skip
    more = {"Ngày": date(2024, 11, 20), "Mã đơn vị": "XCB", "Loại hoạt động": "TIN_BAI", "Số lượng": 2,
            "Tiêu đề": "Tin tuyên truyền CCHC"}  # fmt: skip
    Store(folder / "store").publish(build_xlsx(replace(spec, activities=[*spec.activities, more])),
                                    account=Account("vanphong", "admin"), kind="replace",
                                    file_name="so_lieu_2024_bo_sung.xlsx", base_version=1,
                                    rows=len(spec.activities) + 1)  # fmt: skip
    wrong = {"Ngày": BAD_DATE, "Mã đơn vị": "XCN", "Loại hoạt động": "TIN_BAI", "Tiêu đề": "Tin ngày sai"}
    bad = folder / "so_lieu_co_loi.xlsx"
    bad.write_bytes(build_xlsx(replace(spec, activities=[*spec.activities, wrong])))
    with running_server(folder, env) as base:
        yield SimpleNamespace(base=base, bad=bad)


def shoot(page, name: str) -> Path:
    """The visible viewport as docs/images/`name` (palette PNG, 128 colours: small enough to commit)."""
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(800)  # the last chart transitions
    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    path = IMAGES / name
    image.quantize(colors=128).save(path, optimize=True)
    return path


def open_page(browser, url: str, viewport: dict[str, int]):
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    page.goto(url)
    settle(page)
    return context, page


def log_in(page, name: str) -> None:
    sign_in(page, name, PASSWORD)
    expect(page.get_by_text(f"Đăng nhập: {name}")).to_have_count(1, timeout=30_000)


def go(page, label: str) -> None:
    """Follow a menu link (the session, hence the login, is kept)."""
    page.get_by_test_id("stSidebar").get_by_role("link", name=label, exact=True).click()
    page.wait_for_timeout(500)
    settle(page)
    expect(page.locator("h1").first).to_have_text(label, timeout=30_000)


def assert_small_png(path: Path, width: int) -> None:
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size[0] == width
    assert path.stat().st_size < 250_000


def test_leader_overview_on_a_phone_and_a_desktop(site, browser) -> None:
    for viewport, name in ((PHONE, "tong-quan-dien-thoai.png"), (DESKTOP, "tong-quan.png")):
        context, page = open_page(browser, site.base, viewport)
        try:
            # The first page of a fresh server reads the published version first (allow for a loaded machine).
            expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=90_000)
            expect(page.locator("h1").first).to_have_text("Tổng quan", timeout=30_000)
            expect(page.get_by_test_id("stException")).to_have_count(0, timeout=30_000)
            # published data: no sample banner
            expect(page.get_by_text("Đang hiển thị DỮ LIỆU MẪU")).to_have_count(0, timeout=30_000)
            assert_small_png(shoot(page, name), viewport["width"])
        finally:
            context.close()


def test_standing_office_checks_a_file_and_follows_the_cycle(site, browser) -> None:
    context, page = open_page(browser, f"{site.base}/cap_nhat_du_lieu", DESKTOP)
    try:
        log_in(page, "vanphong")
        upload_files(page, site.bad)
        expect(page.get_by_text("Tệp có 1 lỗi nên chưa thể cập nhật.")).to_have_count(1, timeout=60_000)
        expect(page.get_by_role("button", name="Xác nhận cập nhật")).to_have_count(0, timeout=30_000)
        expect(page.get_by_role("button", name="Tạo tệp đánh dấu lỗi")).to_have_count(1, timeout=30_000)
        page.get_by_text("Danh sách lỗi").first.scroll_into_view_if_needed()
        assert_small_png(shoot(page, "kiem-tra-tep.png"), DESKTOP["width"])

        go(page, "Tình hình báo cáo")
        expect(page.get_by_text("Sao chép danh sách chưa nộp").first).to_be_attached(timeout=30_000)
        assert_small_png(shoot(page, "tinh-hinh-bao-cao.png"), DESKTOP["width"])

        go(page, "Báo cáo")
        page.get_by_role("button", name="Lập báo cáo để tải về").click()
        expect(page.get_by_role("button", name="Tải báo cáo (Word)")).to_have_count(1, timeout=60_000)
        assert_small_png(shoot(page, "bao-cao.png"), DESKTOP["width"])

        go(page, "Lịch sử phiên bản")
        expect(page.get_by_text("Khôi phục phiên bản cũ")).to_have_count(1, timeout=30_000)
        expect(page.get_by_text("so_lieu_2024.xlsx").first).to_be_attached(timeout=30_000)
        expect(page.get_by_role("button", name="Khôi phục phiên bản này…")).to_have_count(1, timeout=30_000)
        assert_small_png(shoot(page, "lich-su-phien-ban.png"), DESKTOP["width"])
    finally:
        context.close()


def test_unit_focal_point_submits_its_own_figures(site, browser) -> None:
    context, page = open_page(browser, f"{site.base}/cap_nhat_du_lieu", DESKTOP)
    try:
        log_in(page, "xcb")
        expect(page.get_by_role("button", name="Tải mẫu của đơn vị")).to_have_count(1, timeout=30_000)
        expect(page.get_by_test_id("stFileUploaderDropzoneInput")).to_have_count(1, timeout=30_000)
        expect(page.get_by_text("Thêm và cập nhật hoạt động")).to_have_count(1, timeout=30_000)  # the safe default
        assert_small_png(shoot(page, "don-vi-nop-so-lieu.png"), DESKTOP["width"])
    finally:
        context.close()


def test_the_guide_shows_every_screenshot() -> None:
    """Every PNG this test writes is in the guide, and the guide shows no other image."""
    shown = {line.split("](images/")[1].split(")")[0] for line in GUIDE.read_text(encoding="utf-8").splitlines()
             if "](images/" in line}  # fmt: skip
    assert shown == {"tong-quan-dien-thoai.png", "tong-quan.png", "kiem-tra-tep.png", "tinh-hinh-bao-cao.png",
                     "bao-cao.png", "lich-su-phien-ban.png", "don-vi-nop-so-lieu.png"}  # fmt: skip
