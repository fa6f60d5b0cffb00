"""The dashboard in a real Chromium: every page by direct link, the filtered download, phone width."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.helpers import SAMPLE, full_screenshot, settle

pytestmark = pytest.mark.browser

PAGES = {
    "": "Tổng quan",
    "don_vi": "Đơn vị",
    "hoat_dong": "Hoạt động",
    "theo_doi_chi_dao": "Theo dõi chỉ đạo",
    "bao_cao": "Báo cáo",
    "ban_in": "Bản in một trang",
}
MENU = ["Tổng quan", "Đơn vị", "Hoạt động", "Theo dõi chỉ đạo"]  # the menu starts with these
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def open_page(browser, url: str, viewport: dict[str, int]):
    context = browser.new_context(viewport=viewport, accept_downloads=True, locale="vi-VN")
    page = context.new_page()
    page.goto(url)
    settle(page)
    return context, page


def metric_value(page, label: str) -> str:
    metric = page.get_by_test_id("stMetric").filter(has_text=label).first
    return metric.get_by_test_id("stMetricValue").inner_text().strip()


@pytest.mark.parametrize(
    "path", ["don_vi", "theo_doi_chi_dao", "hoat_dong", "bao_cao", ""]
)  # direct links first
def test_direct_link_shows_the_frame(server: str, browser, screenshots: Path, path: str) -> None:
    context, page = open_page(browser, f"{server}/{path}", DESKTOP)
    try:
        expect(page.get_by_test_id("stException")).to_have_count(0)
        assert page.locator("h1").first.inner_text().strip() == PAGES[path]
        sidebar = page.get_by_test_id("stSidebar")
        links = [t.strip().splitlines()[-1] for t in sidebar.get_by_test_id("stPageLink").all_inner_texts()]
        assert links[: len(MENU)] == MENU and "Báo cáo" in links
        expect(sidebar.get_by_text("UBND huyện Cẩm Xuyên").first).to_be_attached()
        expect(sidebar.get_by_text("Năm", exact=True)).to_have_count(1)
        expect(sidebar.get_by_text("Theo kỳ báo cáo (chốt ngày 15)")).to_have_count(1)
        expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)  # the automatic file-name menu is hidden
        expect(page.get_by_text("Năm 2024").first).to_be_attached()
        full_screenshot(page, screenshots / f"{path or 'tong_quan'}_1280.png")
    finally:
        context.close()


def _raw_sheet(name: str) -> pd.DataFrame:
    """A sheet of the sample as written (openpyxl), header on row 1."""
    wb = load_workbook(SAMPLE, read_only=True)
    rows = list(wb[name].iter_rows(values_only=True))
    wb.close()
    width = len(rows[0])
    return pd.DataFrame([tuple(r[:width]) + (None,) * (width - len(r)) for r in rows[1:]], columns=rows[0])


def _acts_2024() -> pd.DataFrame:
    acts = _raw_sheet("Hoạt động")
    return acts[pd.to_datetime(acts["Ngày"]).dt.year == 2024]


def _expected_zalo_rows() -> int:
    """2024 activity rows whose title, note or channel mention Zalo (openpyxl + pandas on the raw sheet)."""
    acts = _acts_2024()
    text = (
        acts["Tiêu đề"].fillna("") + " " + acts["Ghi chú"].fillna("") + " " + acts["Kênh đăng tải"].fillna("")
    )
    return int(text.str.lower().str.contains("zalo").sum())


def test_filtered_xlsx_download_holds_exactly_the_filtered_rows(
    server: str, browser, screenshots: Path
) -> None:
    expected = _expected_zalo_rows()
    context, page = open_page(browser, f"{server}/hoat_dong", DESKTOP)
    try:
        before = metric_value(page, "Số dòng")
        page.get_by_text("Lọc hoạt động").click()  # the filters are folded by default
        search = page.get_by_placeholder("Tiêu đề, ghi chú, tên đơn vị…")
        search.fill("zalo")
        search.press("Enter")
        page.wait_for_function(
            "(before) => [...document.querySelectorAll('[data-testid=stMetric]')]"
            ".some(m => m.innerText.includes('Số dòng') && !m.innerText.includes(before))",
            arg=before,
            timeout=30_000,
        )
        settle(page)
        shown = metric_value(page, "Số dòng")
        assert shown == f"{expected:,}".replace(",", ".")
        with page.expect_download(timeout=30_000) as info:
            page.get_by_role("button", name="Tải Excel").click()
        download = info.value
        assert download.suggested_filename == "hoat_dong_2024.xlsx"
        book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
        sheet = book.worksheets[0]
        values = list(sheet.iter_rows(values_only=True))
        header_at = next(i for i, row in enumerate(values) if row and row[0] == "Ngày")
        data_rows = [row for row in values[header_at + 1 :] if any(v is not None for v in row)]
        assert len(data_rows) == expected
        header = values[header_at]
        columns = [header.index(name) for name in ("Tiêu đề", "Ghi chú", "Kênh đăng tải")]
        assert all("zalo" in " ".join(str(r[c] or "") for c in columns).lower() for r in data_rows)
        assert sheet.freeze_panes == f"A{header_at + 2}"

        with page.expect_download(timeout=30_000) as info:
            page.get_by_role("button", name="Tải CSV").click()
        csv = Path(info.value.path()).read_bytes()
        assert csv.startswith(b"\xef\xbb\xbf")
        assert len(pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig")) == expected
        page.screenshot(path=str(screenshots / "hoat_dong_loc_1280.png"))
    finally:
        context.close()


@pytest.mark.parametrize("path", list(PAGES))
def test_phone_width_has_no_horizontal_scroll(server: str, browser, screenshots: Path, path: str) -> None:
    context, page = open_page(browser, f"{server}/{path}", PHONE)
    try:
        expect(page.get_by_test_id("stException")).to_have_count(0)
        scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll_width <= inner_width
        if path == "":
            # the headline comes first: the completion rate is on the first screen
            box = page.get_by_test_id("stMetric").first.bounding_box()
            assert box is not None and box["y"] + box["height"] <= PHONE["height"]
            assert "%" in metric_value(page, "Tỷ lệ hoàn thành")
            assert metric_value(page, "Đơn vị hoàn thành").count("/") == 1
        page.screenshot(path=str(screenshots / f"{path or 'tong_quan'}_390_first_screen.png"))
        full_screenshot(page, screenshots / f"{path or 'tong_quan'}_390.png")
        scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll_width <= inner_width
    finally:
        context.close()


def test_a_folded_summary_table_opens_and_downloads_its_rows(server: str, browser, screenshots: Path) -> None:
    """The "Bảng số liệu" folds are built only when opened: open the first one (by activity type) and
    download it; its actual figures equal the raw sheet's 2024 quantities per type (blank = 1)."""
    acts = _acts_2024()
    names = dict(_raw_sheet("Loại hoạt động")[["Mã loại", "Tên loại hoạt động"]].itertuples(index=False))
    quantity = pd.to_numeric(acts["Số lượng"]).fillna(1)
    expected = quantity.groupby(acts["Loại hoạt động"].map(lambda t: names.get(t, t))).sum().astype(int)
    context, page = open_page(browser, server, DESKTOP)
    try:
        main = page.get_by_test_id("stMain")
        expect(main.get_by_test_id("stDataFrame")).to_have_count(0)  # folded sections are not built
        section = main.get_by_test_id("stExpander").filter(has_text="Kế hoạch và thực hiện theo loại hoạt động")
        section.get_by_text("Kế hoạch và thực hiện theo loại hoạt động").click()
        expect(section.get_by_text("Bảng số liệu")).to_have_count(1)
        settle(page)
        section.get_by_text("Bảng số liệu").click()
        expect(main.get_by_test_id("stDataFrame")).to_have_count(1)
        settle(page)
        fold = section.get_by_test_id("stExpander").first
        with page.expect_download(timeout=30_000) as info:
            fold.get_by_role("button", name="Tải Excel").click()
        sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).worksheets[0]
        values = list(sheet.iter_rows(values_only=True))
        header_at = next(i for i, row in enumerate(values) if row and row[0] == "Loại hoạt động")
        header = values[header_at]
        got = {
            row[0]: row[header.index("Thực hiện")]
            for row in values[header_at + 1 :]
            if row and row[0] is not None
        }
        assert got == expected.to_dict()
        page.screenshot(path=str(screenshots / "tong_quan_bang_so_lieu_1280.png"))
    finally:
        context.close()
