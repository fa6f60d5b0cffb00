"""A broken store in the real server and a real Chromium: the error page, never the sample's figures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from cchc_lib.access.accounts import Account
from cchc_lib.publishing.store import Store
from tests.browser.helpers import running_server, server_folder, settle

pytestmark = pytest.mark.browser

DAMAGED = "Kho dữ liệu đã công bố bị hỏng: bảng theo dõi không hiển thị số liệu nào"
SAMPLE_FIGURE = "99,3"  # the sample's completion rate on the overview (its default period)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """A server of its own: the sample published as version 1 of a temp store (so a sound store shows
    the sample's figure, and a fallback to the sample or to earlier figures would show it again)."""
    folder, env = server_folder(tmp_path_factory, "faults_server")
    store = Store(folder / "store")
    store.publish(
        (folder / "sample.xlsx").read_bytes(),
        account=Account("quantri", "admin"),
        kind="replace",
        file_name="mau.xlsx",
        base_version=None,
    )
    with running_server(folder, env) as base:
        yield SimpleNamespace(base=base, store=store)


def test_a_broken_pointer_shows_the_error_page_not_the_sample(site: SimpleNamespace, browser) -> None:
    expect.set_options(timeout=30_000)
    page = browser.new_page()
    try:
        page.goto(site.base)
        settle(page)
        expect(page.get_by_test_id("stMetric").first).to_be_visible()
        expect(page.get_by_test_id("stMainBlockContainer")).to_contain_text(SAMPLE_FIGURE)

        # The pointer names a version that does not exist (as in the report of issue 14).
        (site.store.root / "current").write_text(json.dumps({"number": 7, "sha256": "0" * 64}))
        page.goto(site.base)
        settle(page)
        main = page.get_by_test_id("stMainBlockContainer")
        expect(main.get_by_test_id("stAlertContentError")).to_contain_text(DAMAGED)
        expect(main).to_contain_text("python -m cchc_lib store repair")
        expect(page.get_by_test_id("stMetric")).to_have_count(0)
        assert SAMPLE_FIGURE not in main.inner_text()
        assert "DỮ LIỆU MẪU" not in main.inner_text()
    finally:
        page.close()
