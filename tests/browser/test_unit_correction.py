"""A unit's correction in a real Chromium (390 px and 1366 px): the rows it removes are listed, publishing
needs the confirmation, and the store's current version changes only once it is given."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from cchc_lib.access.accounts import Account, Accounts
from cchc_lib.publishing.store import Store
from cchc_lib.sample.builder import build_xlsx
from cchc_lib.sample.sample_data import sample_spec
from tests.browser.helpers import (
    full_screenshot,
    open_signed_in,
    running_server,
    server_folder,
    settle,
    upload_files,
)

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-dai-123"
CORRECT = "Sửa lại số liệu trong một khoảng thời gian"
PUBLISH = "Xác nhận cập nhật"
# (viewport, month of 2024 whose first and last XCN rows make the correction file)
CASES = [({"width": 390, "height": 844}, 5), ({"width": 1366, "height": 900}, 10)]


def correction(month: int) -> tuple[list[dict], int]:
    """The XCN rows of the sample dated first and last in `month` of 2024 (the file), and how many other
    XCN rows lie between those two dates (what the correction removes), counted from the sample itself."""
    rows = sorted(
        (a for a in sample_spec().activities if a["Mã đơn vị"] == "XCN" and a["Ngày"].year == 2024),
        key=lambda a: a["Ngày"],
    )
    in_month = [a for a in rows if a["Ngày"].month == month]
    first, last = in_month[0], in_month[-1]
    between = [a for a in rows if first["Ngày"] <= a["Ngày"] <= last["Ngày"]]
    return [first, last], len(between) - 2


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """A server of its own (it publishes): the sample as version 1, camnhuong the unit account of XCN."""
    folder, env = server_folder(tmp_path_factory, "correction_server")
    sample = folder / "sample.xlsx"
    Accounts(folder / "users.toml").add("camnhuong", "unit", PASSWORD, "XCN")
    store = Store(folder / "store")
    store.publish(
        sample.read_bytes(),
        account=Account("quantri", "admin"),
        kind="replace",
        file_name="mau.xlsx",
        base_version=None,
    )
    files = {}
    for _, month in CASES:
        rows, removed = correction(month)
        path = folder / f"sua_thang_{month}.xlsx"
        path.write_bytes(build_xlsx(replace(sample_spec(), activities=rows)))
        files[month] = (path, removed)
    with running_server(folder, env) as base:
        yield SimpleNamespace(base=base, store=store, files=files)


@pytest.mark.parametrize(("viewport", "month"), CASES, ids=["390px", "1366px"])
def test_a_correction_lists_its_removals_and_publishes_only_once_confirmed(
    site, browser, screenshots: Path, viewport: dict, month: int
) -> None:
    path, removed = site.files[month]
    assert removed >= 1  # the sample has XCN rows between the two dates
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    try:
        open_signed_in(page, f"{site.base}/cap_nhat_du_lieu", "camnhuong", PASSWORD)
        area = page.get_by_test_id("stMain")
        expect(area.get_by_text(CORRECT)).to_be_visible()
        area.get_by_text(CORRECT).click()
        settle(page)
        before = site.store.current_number()
        upload_files(page, path)
        block = area.get_by_test_id("stAlertContentError")
        expect(block).to_contain_text(f"{removed} dòng")
        expect(block).to_contain_text("sẽ bị xóa")
        expect(block).to_contain_text("Tỷ lệ hoàn thành năm 2024:")
        expect(area.get_by_text(f"{removed} dòng xóa")).to_have_count(1)
        table = area.get_by_test_id("stDataFrame").filter(has_text="Tiêu đề")
        expect(table).to_have_count(1)
        button = area.get_by_role("button", name=PUBLISH)
        expect(button).to_be_disabled()
        full_screenshot(page, screenshots / f"sua_lai_xoa_dong_{viewport['width']}.png")
        assert site.store.current_number() == before  # nothing published without the confirmation
        area.get_by_text(f"Tôi xác nhận xóa {removed} dòng này").click()
        settle(page)
        expect(button).to_be_enabled()
        assert site.store.current_number() == before
        button.click()
        settle(page)
        expect(area.get_by_text("Đã nộp số liệu quý")).to_have_count(1)
        assert site.store.current_number() == before + 1
        current = site.store.current()
        assert (current.kind, current.unit_code, current.user) == ("unit", "XCN", "camnhuong")
        expect(area.get_by_text("Các lần nộp số liệu của đơn vị")).to_have_count(1)
    finally:
        context.close()
