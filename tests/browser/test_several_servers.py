"""Two Streamlit servers on two ports sharing one PostgreSQL store, in a real Chromium: each server listens
for new versions (LISTEN/NOTIFY), a version published through server A is shown by server B within seconds,
and a login made on A is valid on B."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from types import SimpleNamespace

import psycopg
import pytest
from playwright.sync_api import expect

from cchc_lib.access.accounts import Account
from cchc_lib.publishing.pg_accounts import PgAccounts
from cchc_lib.publishing.pg_notify import LISTENER_NAME
from cchc_lib.publishing.store_pg import PgStore, close_pools
from cchc_lib.sample.builder import build_xlsx
from cchc_lib.sample.sample_data import sample_spec
from tests.browser.helpers import SAMPLE, running_server, settle, sign_in, upload_files
from tests.pg_cluster import cluster

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-dai-123"
REFUSED = "Bạn không có quyền xem trang này."


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """One throw-away PostgreSQL store holding the sample as version 1 and the accounts; servers A and B on
    it, each with its own local cache folder ($CCHC_USERS names a file that does not exist: with store_url
    set the accounts are the database's)."""
    folder = tmp_path_factory.mktemp("several_servers")
    spec = sample_spec()
    extra = [
        {"Ngày": date(2024, 11, 20), "Mã đơn vị": "XCN", "Loại hoạt động": "TIN_BAI", "Số lượng": 5,
         "Tiêu đề": f"Tin {i}"}
        for i in range(3)
    ]  # fmt: skip
    good = folder / "bo_sung.xlsx"
    good.write_bytes(build_xlsx(replace(spec, activities=spec.activities + extra)))
    for server in cluster():
        url = server.new_database()
        PgAccounts(url).add("quantri", "admin", PASSWORD)
        store = PgStore(url, folder / "test-cache")
        store.publish(SAMPLE.read_bytes(), account=Account("quantri", "admin"), kind="replace",
                      file_name="mau.xlsx", base_version=None, rows=len(spec.activities))  # fmt: skip
        envs = []
        for name in ("a", "b"):
            settings = folder / f"settings-{name}.toml"
            settings.write_text(
                f'store_url = "{url}"\nstore_dir = "{(folder / f"cache-{name}").as_posix()}"\n'
                f'sample_file = "{SAMPLE.as_posix()}"\n',
                encoding="utf-8",
            )
            envs.append({"CCHC_SETTINGS": str(settings), "CCHC_USERS": str(folder / "users.toml")})
        (folder / "a").mkdir()
        (folder / "b").mkdir()
        with running_server(folder / "a", envs[0]) as base_a, running_server(folder / "b", envs[1]) as base_b:
            yield SimpleNamespace(a=base_a, b=base_b, store=store, good=good, folder=folder)
        close_pools()


def listeners(url: str) -> int:
    """How many server processes listen for new versions of the store at `url`."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND datname = current_database()",
            (LISTENER_NAME,),
        ).fetchone()
    return int(row[0]) if row else 0


def sidebar(page):
    return page.get_by_test_id("stSidebar")


def test_publish_on_a_shows_on_b_and_the_login_is_shared(sites, browser) -> None:
    viewer = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    admin = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    try:
        on_b = viewer.new_page()
        on_b.goto(sites.b)
        settle(on_b)
        expect(sidebar(on_b).get_by_text(re.compile(r"· phiên bản 1( ·|$)"))).to_have_count(1, timeout=30_000)

        on_a = admin.new_page()
        on_a.goto(f"{sites.a}/cap_nhat_du_lieu")
        settle(on_a)
        with on_a.expect_response(lambda r: "/_cchc/login.js?ticket=" in r.url, timeout=60_000):
            sign_in(on_a, "quantri", PASSWORD, settled=False)
        settle(on_a)
        upload_files(on_a, sites.good)
        expect(on_a.get_by_text("Xem trước thay đổi")).to_have_count(1, timeout=60_000)
        on_a.get_by_role("button", name="Xác nhận cập nhật").click()
        settle(on_a)
        expect(on_a.get_by_text("Đã cập nhật dữ liệu: phiên bản số 2")).to_have_count(1, timeout=60_000)
        assert sites.store.current_number() == 2
        published = time.monotonic()
        # Both servers listen (each opened a page): B learns of version 2 from A's NOTIFY, not per rerun.
        deadline = published + 30
        while listeners(sites.store.url) < 2:
            assert time.monotonic() < deadline, "server A and B do not both listen for new versions"
            time.sleep(0.05)
        assert listeners(sites.store.url) == 2  # one per server process, however many pages are open

        # Server B: its next page load shows version 2. Its pointer read is remembered until an announcement
        # of another version (idle, the listener reads the pointer every 30 s only): without NOTIFY it would
        # still show version 1 here.
        on_b.reload()
        settle(on_b)
        expect(sidebar(on_b).get_by_text(re.compile(r"· phiên bản 2( ·|$)"))).to_have_count(1, timeout=30_000)

        # The admin's login cookie, made on A, is valid on B (cookies are per host, not per port): B's
        # history page (admins only) opens, with its admin controls.
        on_a_to_b = admin.new_page()
        on_a_to_b.goto(f"{sites.b}/lich_su")
        settle(on_a_to_b)
        expect(on_a_to_b.get_by_text(REFUSED)).to_have_count(0)
        expect(on_a_to_b.get_by_text("Đăng nhập: quantri")).to_have_count(1, timeout=30_000)
        expect(on_a_to_b.get_by_role("button", name="Khóa sổ", exact=True)).to_have_count(1)  # admin only
    finally:
        viewer.close()
        admin.close()
