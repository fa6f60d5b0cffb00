"""The real app (AppTest) with store_url set: the login form checks the accounts of the PostgreSQL store (an
account only in the users file is unknown there), and an account removed by another server ends the login
at the page's next run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cchc_lib.access.accounts import Account
from cchc_lib.publishing.pg_accounts import PgAccounts
from cchc_lib.publishing.store_pg import close_pools
from cchc_lib.web import auth
from tests.pg_cluster import Cluster, cluster
from tests.test_app_login_cookie import login_on_upload, restored, scripts, session_from_ticket
from tests.test_app_store_pg import _pg_env
from tests.test_app_upload import PASSWORD, assert_asked_to_sign_in, texts

BAD_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng."


@pytest.fixture(scope="module")
def pg() -> Iterator[Cluster]:
    yield from cluster()


def test_the_login_form_uses_the_accounts_of_the_database(
    pg: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = pg.new_database()
    env = _pg_env(tmp_path, monkeypatch, url)  # its users file holds quantri, camnhuong, nguoixem
    assert env.accounts.get("quantri") == Account("quantri", "admin")
    other_server = PgAccounts(url)
    other_server.add("chipg", "admin", PASSWORD)

    only_in_the_file = login_on_upload("quantri")
    assert not only_in_the_file.exception
    assert scripts(only_in_the_file) == [] and "cchc.auth" not in only_in_the_file.session_state
    assert BAD_CREDENTIALS in texts(only_in_the_file, "error")

    at = login_on_upload("chipg")
    assert not at.exception
    session_id = session_from_ticket(at)
    assert at.session_state["cchc.auth"]["name"] == "chipg"
    page = restored(monkeypatch, session_id)
    assert len(page.get("file_uploader")) == 1  # an admin of the database may publish

    monkeypatch.setattr(auth, "_RECHECK_S", 0.0)  # the session record is checked at this very run
    other_server.set_role("chipg", "viewer")  # on another server: this login ends at the next run
    page.run()
    assert not page.exception
    assert "cchc.auth" not in page.session_state
    assert_asked_to_sign_in(page)  # signed out: the page asks to sign in again
    close_pools()
