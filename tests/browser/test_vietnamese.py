"""No Streamlit English on screen, in a real Chromium whose language is English (the worst case): every
page of the menu, logged in as admin, with every fold, selector and date picker opened, the table
tool tips hovered and a file chosen in the uploader; then the server stops and the reconnect notice
is Vietnamese. Screenshots of every page at 390 and 1366 px."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from cchc_lib.access.accounts import Accounts
from tests.browser.helpers import SAMPLE, full_screenshot, running_server, server_folder, settle
from tests.browser.test_login_cookie import PASSWORD, submit_login

pytestmark = pytest.mark.browser
expect.set_options(timeout=30_000)  # a rerun can take longer than 5 s on the shared 2-core machine

PAGES = ["/", "/don_vi", "/hoat_dong", "/theo_doi_chi_dao", "/cap_nhat_du_lieu", "/bao_cao", "/lich_su",
         "/tinh_hinh_bao_cao"]  # fmt: skip
WIDTHS = {"390": {"width": 390, "height": 844}, "1366": {"width": 1366, "height": 900}}
# The English the audit found (and its relatives), as whole words; Streamlit's sizes ("205.5KB", "20MB").
ENGLISH = re.compile(
    r"\b(Select all|Select \d+ match|No results|Stop|Stopping|Running|Connecting|Connection error|Print|"
    r"Record( a)? screen|Made with Streamlit|Streamlit|Download as CSV|Show/hide columns|Search|Fullscreen|"
    r"Press (Enter|⌘|Ctrl)|Browse files|Drag and drop|Upload|January|February|March|April|June|July|August|"
    r"September|October|November|December|Sunday|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
    r"Clear all|Copy to clipboard|Choose date|per file)\b|\d(KB|MB|GB)\b"
)
WEEKDAY_LETTERS = ["S", "M", "T", "W", "T", "F", "S"]  # an English calendar's header row
# Visible text: text nodes drawn with a size (not display:none, hidden or font-size 0), the text of
# ::before/::after, and the title of every element with a size (a hover shows it).
VISIBLE_TEXT = """() => {
  const out = [];
  const shown = (e) => { const s = getComputedStyle(e); const r = e.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && parseFloat(s.fontSize) > 0
      && r.width > 1 && r.height > 1; };  // 1 px: text for screen readers only
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement, text = node.textContent.trim();
    if (text && parent && shown(parent) && !parent.closest('svg')) out.push(text);
  }
  for (const e of document.body.querySelectorAll('*')) {
    for (const pseudo of ['::before', '::after']) {
      const s = getComputedStyle(e, pseudo), c = s.content, r = e.getBoundingClientRect();
      if (c && c.startsWith('"') && parseFloat(s.fontSize) > 0 && r.width > 0 && r.height > 0
          && getComputedStyle(e).display !== 'none') out.push(c.slice(1, -1));
    }
    const r = e.getBoundingClientRect();
    if (e.title && r.width > 0 && r.height > 0) out.push(e.title);
  }
  return out;
}"""
SELECTORS = "[data-testid=stSelectbox], [data-testid=stMultiSelect]"
_ON_TOP = """(b) => { const r = b.getBoundingClientRect();
  const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
  return hit !== null && b.contains(hit); }"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """A server of its own with the sample data and an admin account."""
    folder, env = server_folder(tmp_path_factory, "vietnamese_server")
    Accounts(folder / "users.toml").add("quantri", "admin", PASSWORD)
    with running_server(folder, env) as base:
        yield SimpleNamespace(base=base, folder=folder, env=env)


def english_in(page) -> list[str]:
    texts = page.evaluate(VISIBLE_TEXT)
    found = [t for t in texts if ENGLISH.search(t)]
    headers = page.evaluate("[...document.querySelectorAll('[role=grid] thead th')].map(th => th.innerText)")
    if headers == WEEKDAY_LETTERS:
        found.append(f"weekday header {headers}")
    return found


def logged_in_page(browser, site, viewport: dict[str, int]):
    context = browser.new_context(viewport=viewport, locale="en-US")  # an English browser
    page = context.new_page()
    page.goto(f"{site.base}/cap_nhat_du_lieu")
    settle(page)
    with page.expect_response(lambda r: "/_cchc/login.js?ticket=" in r.url, timeout=60_000):
        submit_login(page, "quantri", PASSWORD)
    settle(page)
    expect(page.get_by_test_id("stSidebar").get_by_text("Đăng nhập: quantri")).to_be_attached()
    return context, page


def open_sidebar(page) -> None:
    opener = page.get_by_test_id("stExpandSidebarButton")
    if opener.is_visible():
        opener.click()
        expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "false")


def open_folds(page) -> None:
    """Open every closed fold of the main column (each opening may rerun the page)."""
    main = page.get_by_test_id("stMain")
    for _ in range(30):
        closed = main.locator("[data-testid=stExpander] details:not([open]) > summary")
        if closed.count() == 0:
            return
        closed.first.click()
        settle(page)


def check_selectors(page, where: str, problems: list[str]) -> int:
    """Open every visible selector (and type into it when it takes typing); the English seen."""
    opened = 0
    boxes = page.locator(SELECTORS)
    for i in range(boxes.count()):
        box = boxes.nth(i).get_by_role("combobox").first
        if not box.is_visible() or box.is_disabled():
            continue
        box.click()
        for _ in range(3):  # a rerun that lands right after the click closes the list again
            if box.get_attribute("aria-expanded") != "true":
                box.press("ArrowDown")
            try:
                expect(box).to_have_attribute("aria-expanded", "true", timeout=15_000)
                break
            except AssertionError:
                settle(page)
        expect(box).to_have_attribute("aria-expanded", "true")
        opened += 1
        problems += [f"{where} selector {i}: {t}" for t in english_in(page)]
        if box.get_attribute("inputmode") != "none":  # typing allowed: a text that matches nothing
            box.press_sequentially("zzqx")
            expect(page.get_by_role("listbox").last).to_have_attribute("data-empty", "true")
            problems += [f"{where} selector {i} typed: {t}" for t in english_in(page)]
            box.fill("")
        box.press("Escape")
        expect(box).to_have_attribute("aria-expanded", "false")
    return opened


def check_dates(page, where: str, problems: list[str]) -> int:
    opened = 0
    inputs = page.get_by_test_id("stDateInput")
    for i in range(inputs.count()):
        field = inputs.nth(i)
        if not field.is_visible():
            continue
        field.get_by_role("button").last.click()  # the calendar button
        grid = page.get_by_role("grid").last
        expect(grid).to_be_visible()
        opened += 1
        problems += [f"{where} date {i}: {t}" for t in english_in(page)]
        headers = grid.locator("thead th").all_inner_texts()
        assert headers == ["T2", "T3", "T4", "T5", "T6", "T7", "CN"], headers  # Monday first
        page.keyboard.press("Escape")
        expect(grid).to_have_count(0)
    return opened


def check_toolbars(page, where: str, problems: list[str]) -> int:
    """Hover every visible table/chart toolbar button; its tool tip must be Vietnamese."""
    hovered = 0
    main = page.get_by_test_id("stMain")
    shown = page.locator("[data-testid=stDataFrame], [data-testid=stPlotlyChart]")
    for element in main.get_by_test_id("stElementContainer").filter(has=shown).all()[:6]:
        if not element.is_visible():
            continue
        element.hover(position={"x": 5, "y": 5})
        for button in element.get_by_test_id("stBaseButton-elementToolbar").all():
            if not button.is_visible():
                continue
            button.scroll_into_view_if_needed()  # the toolbar sits above the element's top edge
            element.hover(position={"x": 5, "y": 5})
            if not button.evaluate(_ON_TOP):
                continue  # a table's grid lies over its toolbar at some sizes: no pointer reaches it
            button.hover()
            tip = page.get_by_test_id("stTooltipContent")
            expect(tip).to_be_visible()
            hovered += 1
            problems += [f"{where} tool tip: {t}" for t in english_in(page)]
            element.hover(position={"x": 5, "y": 5})  # off the button: its tool tip closes
    return hovered


@pytest.mark.parametrize("width", list(WIDTHS))
def test_no_english_on_any_page(site, browser, screenshots: Path, width: str) -> None:
    context, page = logged_in_page(browser, site, WIDTHS[width])
    problems: list[str] = []
    seen = {"selectors": 0, "dates": 0, "tool tips": 0}
    try:
        for path in PAGES:
            page.goto(f"{site.base}{path}")
            settle(page)
            expect(page.get_by_test_id("stException")).to_have_count(0)
            expect(page.get_by_test_id("stMainMenu")).to_have_count(0)  # no ⋮ menu: no Print, no Record
            problems += [f"{path}: {t}" for t in english_in(page)]
            name = path.strip("/") or "tong_quan"
            page.screenshot(path=str(screenshots / f"trang_{name}_{width}_man_dau.png"))
            open_folds(page)
            problems += [f"{path} opened: {t}" for t in english_in(page)]
            if width == "1366":  # the widgets are the same at both widths: open them once
                seen["tool tips"] += check_toolbars(page, path, problems)
                seen["dates"] += check_dates(page, path, problems)
                open_sidebar(page)
                seen["selectors"] += check_selectors(page, path, problems)
            if path == "/cap_nhat_du_lieu":
                page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(SAMPLE))
                expect(page.get_by_test_id("stFileChipName").first).to_be_visible()
                settle(page)
                problems += [f"{path} uploaded: {t}" for t in english_in(page)]
            full_screenshot(page, screenshots / f"trang_{name}_{width}.png")
        print(f"opened at {width} px:", seen)
        assert problems == [], "\n".join(problems)
        if width == "1366":
            # the overview's 5 sidebar selectors on each of the 8 pages and the pages' own; the report's
            # and the upload page's dates; the toolbars of the overview's charts and tables at least
            assert seen["selectors"] >= 4 * len(PAGES) and seen["dates"] >= 1 and seen["tool tips"] >= 2, seen
    finally:
        context.close()


def test_the_reconnect_notice_is_vietnamese(tmp_path_factory, browser, screenshots: Path) -> None:
    """A server of its own is stopped under an open page: the notices that follow are Vietnamese."""
    folder, env = server_folder(tmp_path_factory, "reconnect_server")
    context = browser.new_context(viewport=WIDTHS["1366"], locale="en-US")
    page = context.new_page()
    try:
        with running_server(folder, env) as base:
            page.goto(base)
            settle(page)
        expect(page.locator("section[role=dialog]")).to_be_visible(timeout=60_000)
        texts = page.evaluate(VISIBLE_TEXT)
        assert "Mất kết nối với máy chủ" in texts, texts
        assert [t for t in texts if ENGLISH.search(t) or "Connection" in t or "not responding" in t] == []
        status = page.get_by_test_id("stConnectionStatus")  # drawn only with a toolbar (not in "minimal")
        if status.count():
            assert "Đang kết nối lại…" in texts
        page.screenshot(path=str(screenshots / "mat_ket_noi_1366.png"))
    finally:
        context.close()
