"""Several units' files at once in a real Chromium: three files uploaded together (one with an error), the
two good ones published as one version holding exactly their rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from cchc_lib.access.accounts import Account, Accounts
from cchc_lib.publishing.store import Store
from cchc_lib.reading.sandbox import read_trusted
from cchc_lib.sample.builder import build_xlsx
from cchc_lib.sample.sample_data import sample_spec
from cchc_lib.web.batch_view import SWITCH_LABEL
from tests.batch_files import keyed, new_rows, unit_file
from tests.browser.helpers import (
    full_screenshot,
    open_signed_in,
    running_server,
    server_folder,
    settle,
    upload_files,
)

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "mat-khau-dai-123"
DAY = date(2024, 11, 28)  # no sample row of XCN or XCS on that day
CHECKED = 180_000  # three files checked in the limited worker on a busy 2-core machine
WAIT = 60_000  # one rerun of the page on a busy machine


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """A server of its own (it publishes): a store whose version 1 is the sample, an admin, three files."""
    folder, env = server_folder(tmp_path_factory, "batch_server")
    Accounts(folder / "users.toml").add("quantri", "admin", PASSWORD)
    store = Store(folder / "store")
    spec = sample_spec()
    store.publish(
        build_xlsx(spec), account=Account("quantri", "admin"), kind="replace", file_name="mau.xlsx",
        base_version=None, rows=len(spec.activities),
    )  # fmt: skip
    files = {
        "cam_nhuong.xlsx": unit_file("XCN", new_rows("XCN", 3, DAY)),
        "co_loi.xlsx": unit_file(
            "XCB", [{"Ngày": "31/02/2024", "Mã đơn vị": "XCB", "Loại hoạt động": "TIN_BAI", "Tiêu đề": "sai"}]
        ),
        "cam_son.xlsx": unit_file("XCS", new_rows("XCS", 2, DAY)),
    }
    paths = []
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    with running_server(folder, env) as base:
        yield SimpleNamespace(base=base, store=store, paths=paths)


def test_three_files_at_once_one_bad_the_two_good_published(site, browser, screenshots: Path) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    try:
        open_signed_in(page, f"{site.base}/cap_nhat_du_lieu", "quantri", PASSWORD)
        main = page.get_by_test_id("stMain")
        expect(page.get_by_test_id("stFileUploaderDropzoneInput")).to_have_count(
            1, timeout=WAIT
        )  # one-file form
        main.get_by_text(SWITCH_LABEL).click()
        settle(page)
        expect(main.get_by_text("Loại cập nhật")).to_have_count(
            0, timeout=WAIT
        )  # the batch instead of the one-file form
        expect(page.get_by_test_id("stFileUploaderDropzoneInput")).to_have_count(1, timeout=WAIT)
        upload_files(page, *site.paths, settled=False)  # the check takes long: waited for below
        button = main.get_by_role("button", name="Công bố 2 tệp hợp lệ")
        expect(button).to_be_visible(timeout=CHECKED)
        settle(page)
        expect(main.get_by_text("co_loi.xlsx: 1 lỗi, 0 cảnh báo")).to_be_visible(timeout=WAIT)
        table = main.get_by_test_id("stDataFrame").first
        expect(table).to_be_visible(timeout=WAIT)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        full_screenshot(page, screenshots / "nop_nhieu_tep_1280.png")
        assert site.store.current_number() == 1  # nothing changes before the click

        button.click()
        expect(main.get_by_text("Đã công bố phiên bản số 2")).to_be_visible(timeout=CHECKED)
        settle(page)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        assert site.store.current_number() == 2
        version = site.store.current()
        assert version.kind == "batch" and version.file_name == "cam_nhuong.xlsx, cam_son.xlsx"
        before = read_trusted(site.store.read_bytes(1)).workbook.activities
        after = read_trusted(site.store.read_bytes(2)).workbook.activities
        expected = keyed(before) + [
            (DAY.isoformat(), "XCN", "TIN_BAI", "2", f"Tin XCN {i}") for i in (1, 2, 3)
        ]
        expected += [(DAY.isoformat(), "XCS", "TIN_BAI", "2", f"Tin XCS {i}") for i in (1, 2)]
        assert keyed(after) == sorted(expected)
        entry = site.store.audit()[-1]
        assert [(f["unit_code"], f["file_name"]) for f in entry["files"]] == [
            ("XCN", "cam_nhuong.xlsx"),
            ("XCS", "cam_son.xlsx"),
        ]
        assert [h["file_name"] for h in entry["held"]] == ["co_loi.xlsx"]
    except Exception:
        full_screenshot(page, screenshots / "nop_nhieu_tep_loi.png")
        raise
    finally:
        context.close()
