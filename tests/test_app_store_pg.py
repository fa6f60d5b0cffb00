"""The real app (AppTest) on the PostgreSQL store: the same figures as on the folder store, a rollback from
the history page seen at once, and a clear Vietnamese message (no figure, no traceback) when the database
is unreachable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from cchc_lib.publishing.store_pg import PgStore, close_pools
from tests.pg_cluster import Cluster, cluster
from tests.test_app_store_faults import ACTS, ADMIN, FIGURE_V1, FIGURE_V2, ORGANISATION, figures, open_page
from tests.test_app_upload import APP, SAMPLE, make_env
from tests.test_submissions import workbook

UNREACHABLE = "Không kết nối được cơ sở dữ liệu PostgreSQL của kho dữ liệu"


@pytest.fixture(scope="module")
def pg() -> Iterator[Cluster]:
    yield from cluster()


def _pg_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str) -> SimpleNamespace:
    env = make_env(tmp_path, monkeypatch, SAMPLE, unit="XCB")
    with env.settings.open("a", encoding="utf-8") as handle:
        handle.write(f'organisation = "{ORGANISATION}"\nstore_url = "{url}"\n')
    return env


def test_the_app_shows_the_postgresql_store_as_the_folder_store(
    pg: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = pg.new_database()
    env = _pg_env(tmp_path, monkeypatch, url)
    store = PgStore(url, tmp_path / "writer-cache")
    store.publish(workbook(ACTS), account=ADMIN, kind="replace", file_name="goc.xlsx", base_version=None)
    store.publish(workbook(ACTS[:2]), account=ADMIN, kind="replace", file_name="moi.xlsx", base_version=1)
    overview = open_page(APP)
    assert not overview.exception
    assert figures(overview)["Đã thực hiện / kế hoạch"] == FIGURE_V2
    assert any("phiên bản 2 " in str(c.value) + " " for c in overview.sidebar.caption)
    assert not (tmp_path / "store" / "versions").exists()  # nothing of the folder store was written
    store.rollback(1, ADMIN)  # another server's rollback: seen at the next run
    overview.run()
    assert figures(overview)["Đã thực hiện / kế hoạch"] == FIGURE_V1
    assert any("phiên bản 3 " in str(c.value) + " " for c in overview.sidebar.caption)
    assert env.store.current() is None  # the folder store at store_dir stays untouched
    close_pools()


def test_an_unreachable_database_is_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as sock:  # a loopback port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    _pg_env(tmp_path, monkeypatch, f"postgresql://cchc@127.0.0.1:{port}/cchc")
    overview = open_page(APP)
    assert not overview.exception
    shown = "\n".join(str(e.value) for e in overview.error)
    assert UNREACHABLE in shown and "Traceback" not in shown
    assert "Đã thực hiện / kế hoạch" not in figures(overview)
    close_pools()
