"""The overview on a leader's phone (390 px) and a desktop (1366 px), in a real Chromium: one headline
row, the period bar at the top changing figures and address, a tap on a unit's bar or heatmap cell
opening its unit page, 44 px menu links, 13 px chart text, the freshness line under every title."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import settle
from tests.test_app_pages import _raw, vn_pct

pytestmark = pytest.mark.browser
expect.set_options(timeout=30_000)  # a rerun can take longer than 5 s on the shared 2-core machine

WIDTHS = {"390": {"width": 390, "height": 844}, "1366": {"width": 1366, "height": 900}}
ROW = ".st-key-cchc-headline [data-testid=stMetric]"
UNIT = "UBND xã Cẩm Mỹ"  # behind plan in the sample (43,5 % in 2024): its bar has a width
# The pages a visitor who is not logged in may open (the others show the login form instead).
PAGES = {
    "": "Tổng quan",
    "don_vi": "Đơn vị",
    "hoat_dong": "Hoạt động",
    "theo_doi_chi_dao": "Theo dõi chỉ đạo",
    "bao_cao": "Báo cáo",
    "tinh_hinh_bao_cao": "Tình hình báo cáo",
    "ban_in": "Bản in một trang",
}


def q2_completion() -> str:
    """Completion of calendar Q2 2024 from the raw sheets (openpyxl + pandas): the Q2 plan plus a quarter
    of each yearly target, against the activities dated April to June (blank quantity = 1)."""
    targets = _raw("Kế hoạch")
    columns = [c for c in targets.columns if c not in ("Năm", "Quý", "Mã đơn vị")]
    long = targets.melt(id_vars=["Năm", "Quý", "Mã đơn vị"], value_vars=columns, value_name="n").dropna(
        subset=["n"]
    )
    long = long[long["Năm"] == 2024]
    quarter = pd.to_numeric(long["Quý"], errors="coerce")
    planned = long.loc[quarter == 2, "n"].sum() + long.loc[quarter.isna(), "n"].sum() / 4
    acts = _raw("Hoạt động")
    days = pd.to_datetime(acts["Ngày"])
    actual = acts.loc[(days >= "2024-04-01") & (days <= "2024-06-30"), "Số lượng"].fillna(1).sum()
    return vn_pct(actual / planned * 100)


def open_page(browser, url: str, viewport: dict[str, int]):
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    page.goto(url)
    settle(page)
    return context, page


def completion(page) -> str:
    return page.locator(ROW).first.get_by_test_id("stMetricValue").inner_text().strip()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_headline_is_one_row_on_the_first_screen(server: str, browser, width: str) -> None:
    context, page = open_page(browser, server, WIDTHS[width])
    try:
        cards = page.locator(ROW)
        expect(cards).to_have_count(4)
        boxes = [c.bounding_box() for c in cards.all()]
        assert len({round(b["y"]) for b in boxes}) == 1, boxes  # one row: the same top
        assert all(b["x"] + b["width"] <= WIDTHS[width]["width"] for b in boxes)
        assert max(b["y"] + b["height"] for b in boxes) <= WIDTHS[width]["height"]  # on the first screen
        lefts = [b["x"] for b in boxes]
        assert lefts == sorted(lefts)
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]
    finally:
        context.close()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_period_bar_changes_the_figures_and_the_address(server: str, browser, width: str) -> None:
    context, page = open_page(browser, server, WIDTHS[width])
    try:
        bar = page.locator(".st-key-cchc-period-bar")
        expect(bar.get_by_text("Năm 2024 · theo quý dương lịch")).to_be_visible()
        bar_box, row_box = bar.bounding_box(), page.locator(ROW).first.bounding_box()
        assert bar_box["y"] + bar_box["height"] <= row_box["y"]  # above the figures
        whole_year = completion(page)
        bar.get_by_role("radio", name="Quý II", exact=True).click()
        page.wait_for_url(re.compile(r"[?&]ky=q2\b"))
        expect(page.locator(ROW).first.get_by_test_id("stMetricValue")).to_have_text(q2_completion())
        assert q2_completion() != whole_year
        expect(bar.get_by_role("radio", name="Quý II", exact=True)).to_have_attribute("aria-checked", "true")
        settle(page)
        page.reload()  # the address keeps the period
        settle(page)
        expect(page.locator(ROW).first.get_by_test_id("stMetricValue")).to_have_text(q2_completion())
    finally:
        context.close()


def _open_fold(page, title: str):
    fold = page.get_by_test_id("stExpander").filter(has_text=title)
    fold.get_by_text(title).click()
    chart = fold.get_by_test_id("stPlotlyChart").filter(visible=True)  # the unit chart: one of two shapes
    expect(chart).to_have_count(1)
    settle(page)
    chart.scroll_into_view_if_needed()
    return chart


def _tick_centre(chart, axis: str, text: str) -> float:
    """The centre (x for the x axis, y for the y axis) of a tick label, in the viewport (scrolled to)."""
    tick = chart.locator(f"g.{axis}tick text", has_text=text).first
    tick.scroll_into_view_if_needed()
    box = tick.bounding_box()
    return box["x"] + box["width"] / 2 if axis == "x" else box["y"] + box["height"] / 2


def _expect_unit_page(page, unit: str) -> None:
    page.wait_for_url(re.compile(r"/don_vi\b"))
    settle(page)
    expect(page.locator("h1").first).to_have_text("Đơn vị")
    expect(page.get_by_test_id("stMain").get_by_role("combobox", name="Chọn đơn vị")).to_have_value(unit)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_tap_on_a_unit_bar_opens_its_page(server: str, browser, width: str) -> None:
    context, page = open_page(browser, server, WIDTHS[width])
    try:
        chart = _open_fold(page, "Tỷ lệ hoàn thành theo đơn vị")
        y = _tick_centre(chart, "y", UNIT)
        bars = [b for b in (p.bounding_box() for p in chart.locator("g.trace.bars g.point path").all()) if b]
        [bar] = [b for b in bars if abs(b["y"] + b["height"] / 2 - y) < 6 and b["width"] > 4]
        if width == "390":  # chart text is at least 13 px on a phone
            sizes = chart.locator("svg text").evaluate_all(
                "els => els.filter(e => e.textContent.trim()).map(e => parseFloat(getComputedStyle(e).fontSize))"
            )
            assert sizes and min(sizes) >= 13, sorted(set(sizes))
        page.mouse.click(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
        _expect_unit_page(page, UNIT)
    finally:
        context.close()


def test_a_tap_on_a_heatmap_cell_opens_its_unit_on_the_same_period(server: str, browser) -> None:
    context, page = open_page(browser, f"{server}/?ky=q3", WIDTHS["390"])
    try:
        chart = _open_fold(page, "Đơn vị theo từng quý năm 2024")
        y = _tick_centre(chart, "y", UNIT)  # scrolls the unit's row into view, then the column is read
        x = chart.locator("g.xtick text", has_text="Quý II").first.bounding_box()
        x = x["x"] + x["width"] / 2
        page.mouse.click(x, y)
        _expect_unit_page(page, UNIT)
        assert "ky=q3" in page.url  # the period travels with the tap
    finally:
        context.close()


def test_menu_links_and_buttons_are_44px_on_a_phone(server: str, browser) -> None:
    context, page = open_page(browser, server, WIDTHS["390"])
    try:
        opener = page.get_by_test_id("stExpandSidebarButton")
        label = opener.evaluate("e => getComputedStyle(e, '::after').content")
        assert label == '"Menu · bộ lọc"'  # no longer an unlabelled ">>"
        assert opener.bounding_box()["height"] >= 44
        opener.click()
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar).to_have_attribute("data-collapsed", "false")
        links = sidebar.get_by_test_id("stPageLink-NavLink")
        expect(links.first).to_be_visible()
        heights = [link.bounding_box()["height"] for link in links.all()]
        assert len(heights) >= 7 and min(heights) >= 44, heights
        for button in page.get_by_test_id("stMain").locator(".st-key-cchc-period-bar button").all():
            assert button.bounding_box()["height"] >= 44
    finally:
        context.close()


@pytest.mark.parametrize("path", list(PAGES))
def test_the_freshness_line_is_under_every_title(server: str, browser, path: str) -> None:
    context, page = open_page(browser, f"{server}/{path}", WIDTHS["390"])
    try:
        title = page.locator("h1").first
        expect(title).to_have_text(PAGES[path])
        line = page.locator(".st-key-cchc-freshness")
        expect(line).to_have_text("Dữ liệu mẫu")
        title_box, line_box = title.bounding_box(), line.bounding_box()
        assert 0 <= line_box["y"] - (title_box["y"] + title_box["height"]) < 40  # right under the title
    finally:
        context.close()
