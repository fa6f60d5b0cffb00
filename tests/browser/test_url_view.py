"""The view in the address bar, in a real Chromium at phone and desktop width: a chosen period and unit
type survive a reload, open the same in a new browser from the copied link, follow the menu to another
page, and the back button returns to the earlier view."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import full_screenshot, settle

pytestmark = pytest.mark.browser
expect.set_options(timeout=30_000)  # a rerun can take longer than 5 s on the shared 2-core machine

WIDTHS = {"390": {"width": 390, "height": 844}, "1366": {"width": 1366, "height": 900}}
CAPTION_Q2 = "Quý II năm 2024 (01/04/2024 – 30/06/2024) · UBND xã, thị trấn"
CAPTION_Q3 = "Quý III năm 2024 (01/07/2024 – 30/09/2024) · UBND xã, thị trấn"


def new_page(browser, viewport: dict[str, int]):
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    return context, context.new_page()


def sidebar(page):
    """The sidebar, opened first on a phone (where it starts folded)."""
    bar = page.get_by_test_id("stSidebar")
    opener = page.get_by_test_id("stExpandSidebarButton")
    if opener.is_visible():
        opener.click()
        # the sidebar slides in: wait until it stands still at the left edge
        page.wait_for_function(
            "() => { const r = document.querySelector('[data-testid=stSidebar]').getBoundingClientRect();"
            " const still = r.left === 0 && window._cchcLeft === r.left; window._cchcLeft = r.left; return still; }",
            polling=200,
        )
    expect(bar).to_have_attribute("data-collapsed", "false")
    return bar


def choose(page, label: str, option: str, url_part: str) -> None:
    """Pick `option` in the sidebar selector `label`; wait until the address shows `url_part`."""
    box = sidebar(page).get_by_role("combobox", name=label, exact=True)
    box.click()
    if box.get_attribute("aria-expanded") != "true":
        box.press("ArrowDown")
    page.get_by_role("option", name=option, exact=True).click()
    page.wait_for_url(re.compile(re.escape(url_part)))
    page.keyboard.press("Escape")
    settle(page)


def headline(page) -> list[str]:
    values = page.get_by_test_id("stMain").get_by_test_id("stMetricValue")
    expect(values).to_have_count(4)
    return [v.strip() for v in values.all_inner_texts()]


def context_line(page) -> str:
    return page.get_by_test_id("stMain").get_by_text("UBND huyện Cẩm Xuyên · ").first.inner_text()


def copied_link(page) -> str:
    sidebar(page).get_by_role("button", name="Sao chép liên kết").click()
    code = page.get_by_test_id("stPopoverBody").get_by_test_id("stCode")
    expect(code).to_be_visible()
    text = code.inner_text().strip()
    page.keyboard.press("Escape")
    return text


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_address_carries_the_view(server: str, browser, screenshots: Path, width: str) -> None:
    viewport = WIDTHS[width]
    context, page = new_page(browser, viewport)
    forwarded = None
    try:
        page.goto(server)
        settle(page)
        whole_year = headline(page)
        choose(page, "Kỳ", "Quý II", "ky=q2")
        choose(page, "Loại đơn vị", "UBND xã, thị trấn", "loai=ubnd-xa-thi-tran")
        assert page.url == f"{server}/?ky=q2&loai=ubnd-xa-thi-tran"
        q2 = headline(page)
        assert q2 != whole_year
        assert CAPTION_Q2 in context_line(page)
        full_screenshot(page, screenshots / f"duong_dan_quy2_{width}.png")

        page.reload()  # a new session: only the address knows the view
        settle(page)
        assert headline(page) == q2 and CAPTION_Q2 in context_line(page)

        link = copied_link(page)
        assert link == f"{server}/?nam=2024&ky=q2&lich=dl&loai=ubnd-xa-thi-tran"
        forwarded, other = new_page(browser, viewport)  # someone else opens the forwarded link
        other.goto(link)
        settle(other)
        assert headline(other) == q2 and CAPTION_Q2 in context_line(other)
        other.screenshot(path=str(screenshots / f"duong_dan_chuyen_tiep_{width}.png"))

        sidebar(page).get_by_test_id("stPageLink").filter(has_text="Đơn vị").first.click()
        page.wait_for_url(f"{server}/don_vi?ky=q2&loai=ubnd-xa-thi-tran")
        settle(page)
        expect(page.locator("h1").first).to_have_text("Đơn vị")
        assert CAPTION_Q2 in context_line(page)
        assert sidebar(page).get_by_role("combobox", name="Kỳ", exact=True).input_value() == "Quý II"
        full_screenshot(page, screenshots / f"duong_dan_don_vi_{width}.png")

        page.go_back()
        page.wait_for_url(f"{server}/?ky=q2&loai=ubnd-xa-thi-tran")
        settle(page)
        expect(page.locator("h1").first).to_have_text("Tổng quan")
        assert headline(page) == q2 and CAPTION_Q2 in context_line(page)

        choose(page, "Kỳ", "Quý III", "ky=q3")  # a later view, then back to the earlier one
        q3 = headline(page)
        assert q3 != q2 and CAPTION_Q3 in context_line(page)
        page.go_back()
        page.wait_for_url(f"{server}/?ky=q2&loai=ubnd-xa-thi-tran")
        settle(page)
        assert headline(page) == q2 and CAPTION_Q2 in context_line(page)
        assert sidebar(page).get_by_role("combobox", name="Kỳ", exact=True).input_value() == "Quý II"
    finally:
        if forwarded is not None:
            forwarded.close()
        context.close()


def test_a_hostile_address_opens_the_default_view(server: str, browser) -> None:
    context, page = new_page(browser, WIDTHS["1366"])
    try:
        page.goto(f"{server}/?nam=9999&ky=%3Cscript%3E&lich=&loai=khong-co&dv={'A' * 5000}&x=1")
        settle(page)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        assert "Năm 2024 (01/01/2024 – 31/12/2024) · Tất cả đơn vị" in context_line(page)
        expect(page.get_by_test_id("stMain").get_by_test_id("stMetricValue")).to_have_count(4)
    finally:
        context.close()
