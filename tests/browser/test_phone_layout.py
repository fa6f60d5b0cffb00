"""What only a browser shows of the leader's and the focal point's phone (390 px) against a desktop
(1366 px): the sign-in explanation of a protected page fully below the header, and the unit chart's bars
keeping the width (short name lines on the phone, full names on the desktop)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cchc_lib.web.auth import REFUSED
from cchc_lib.web.sign_in import SIGN_IN_HOW, SIGN_IN_KEY
from tests.browser.helpers import settle

pytestmark = pytest.mark.browser

WIDTHS = {"390": {"width": 390, "height": 844}, "1366": {"width": 1366, "height": 900}}
UNIT_FOLD = "Tỷ lệ hoàn thành theo đơn vị"


def open_page(browser, url: str, viewport: dict[str, int]):
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    page.goto(url)
    settle(page)
    return context, page


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_upload_page_explains_itself_below_the_header(server: str, browser, width: str) -> None:
    viewport = WIDTHS[width]
    context, page = open_page(browser, f"{server}/cap_nhat_du_lieu", viewport)
    try:
        main = page.get_by_test_id("stMain")
        expect(page.locator("h1").first).to_have_text("Cập nhật dữ liệu")
        notice = page.locator(f".st-key-{SIGN_IN_KEY} [data-testid=stAlert]")
        expect(notice).to_contain_text(SIGN_IN_HOW)
        expect(notice).to_contain_text("đầu mối đơn vị nộp số liệu hoạt động")
        expect(page.get_by_text(REFUSED)).to_have_count(0)  # nobody was refused: asked to sign in
        button = main.get_by_role("button", name="Đăng nhập")
        expect(button).to_be_visible()
        header = page.get_by_test_id("stHeader").bounding_box()
        title, box, sign_in = (
            page.locator("h1").first.bounding_box(),
            notice.bounding_box(),
            button.bounding_box(),
        )
        header_bottom = header["y"] + header["height"] if header else 0
        text_top = page.evaluate(
            "() => { const r = document.createRange(); r.selectNodeContents(document.querySelector('h1'));"
            " return r.getBoundingClientRect().top; }"
        )
        assert text_top >= header_bottom - 1  # the title's text is not under the header
        assert box["y"] >= title["y"] + title["height"] - 1  # the explanation below the title, whole
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        # the sign-in button on the first screen, without scrolling
        assert sign_in["y"] + sign_in["height"] <= viewport["height"]
    finally:
        context.close()


def _unit_chart(page):
    fold = page.get_by_test_id("stExpander").filter(has_text=UNIT_FOLD)
    fold.get_by_text(UNIT_FOLD).click()
    chart = fold.get_by_test_id("stPlotlyChart").filter(visible=True)
    expect(chart).to_have_count(1)
    settle(page)
    expect(chart.locator("g.trace.bars g.point path").first).to_be_visible()
    return chart


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_unit_bars_keep_the_width(server: str, browser, width: str) -> None:
    viewport = WIDTHS[width]
    context, page = open_page(browser, server, viewport)
    try:
        chart = _unit_chart(page)
        frame = chart.bounding_box()
        bars = [b for b in (p.bounding_box() for p in chart.locator("g.trace.bars g.point path").all()) if b]
        plot_left = min(b["x"] for b in bars)  # every bar starts at 0 %
        share = (frame["x"] + frame["width"] - plot_left) / frame["width"]
        ticks = chart.locator("g.ytick text").all_text_contents()
        if width == "390":
            assert share >= 0.55, share  # the bars had 38 % of the width before
            lines = chart.locator("g.ytick text tspan").all_text_contents() or ticks
            assert max(len(line) for line in lines) <= 16, lines
        else:
            lines = chart.locator("g.ytick text tspan").all_text_contents()
            # the full name on the desktop, on two lines of up to 28 characters
            assert {"Chi nhánh Văn phòng Đăng ký", "đất đai huyện Cẩm Xuyên"} <= set(lines), lines
        labels = [b for b in (t.bounding_box() for t in chart.locator("g.trace.bars g.point text").all()) if b]
        assert labels and max(b["x"] + b["width"] for b in labels) <= frame["x"] + frame["width"] + 1
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    finally:
        context.close()
