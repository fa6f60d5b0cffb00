"""Login sessions and the login throttle against both backends: the API tests of test_sessions.py run on
the folder sessions and on PostgreSQL (a real throw-away server), and a login made through one server's
object is valid through another's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from cchc_lib.access.accounts import Account, Accounts
from cchc_lib.access.sessions import TICKET_TTL_S, Sessions, digest
from cchc_lib.common.settings import Settings
from cchc_lib.publishing.pg_sessions import PgSessions
from cchc_lib.publishing.store_factory import open_sessions
from cchc_lib.publishing.store_pg import close_pools
from tests.pg_cluster import Cluster, cluster
from tests.test_sessions import (  # noqa: F401  (collected here again, on both backends)
    PASSWORD,
    Clock,
    accounts,
    clock,
    open_session,
    test_absolute_timeout_whatever_the_use,
    test_account_changes_end_the_session,
    test_hostile_ids_and_tickets_are_refused,
    test_login_throttles_the_attacker_not_the_owner,
    test_logout_end_account_and_end_all,
    test_threads_sharing_a_session,
    test_unknown_names_make_no_account_state,
)


@pytest.fixture(scope="module")
def pg() -> Iterator[Cluster]:
    yield from cluster()


@pytest.fixture(params=["folder", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    if request.param == "folder":
        yield Settings(store_dir=str(tmp_path / "store"), session_idle_minutes=60, session_max_hours=12)
        return
    url = request.getfixturevalue("pg").new_database()
    yield Settings(
        store_dir=str(tmp_path / "cache"), store_url=url, session_idle_minutes=60, session_max_hours=12
    )
    close_pools()


@pytest.fixture
def sessions(settings: Settings, clock: Clock) -> Sessions:  # noqa: F811
    return open_sessions(settings, clock=clock)


def test_from_settings_chooses_the_backend(settings: Settings, clock: Clock) -> None:  # noqa: F811
    chosen = open_sessions(settings, clock=clock)
    assert isinstance(chosen, PgSessions) == bool(settings.store_url)


def test_a_login_on_one_server_is_valid_on_another(
    settings: Settings,
    accounts: Accounts,  # noqa: F811
    clock: Clock,  # noqa: F811
) -> None:
    server_a, server_b = (open_sessions(settings, clock=clock) for _ in range(2))
    session_id = open_session(server_a, accounts)
    ticket = server_a.issue_ticket(session_id)
    assert server_b.redeem_ticket(ticket) == session_id  # the cookie route may run on the other server
    assert server_a.redeem_ticket(ticket) is None  # used up everywhere
    assert server_b.validate(session_id, accounts) == Account("quantri", "admin")
    late = server_a.issue_ticket(session_id)
    clock.now += TICKET_TTL_S
    assert server_b.redeem_ticket(late) is None
    assert server_b.end(session_id) is True
    assert server_a.validate(session_id, accounts) is None
    assert [e["event"] for e in reversed(server_a.audit_entries())] == ["login", "logout"]


def test_lockout_is_shared_between_servers(
    settings: Settings,
    accounts: Accounts,  # noqa: F811
    clock: Clock,  # noqa: F811
) -> None:
    from cchc_lib.access.accounts import AccountError
    from cchc_lib.access.sessions import login

    server_a, server_b = (open_sessions(settings, clock=clock) for _ in range(2))
    for _ in range(3):
        with pytest.raises(AccountError):
            login(accounts, server_a, "quantri", "doan-sai", "10.0.0.66")
    with pytest.raises(AccountError) as info:  # the fourth try, on the other server, must wait too
        login(accounts, server_b, "quantri", PASSWORD, "10.0.0.66")
    assert info.value.code == "throttled"
    counts = sorted((e.account or "", e.address, e.failures) for e in server_b.throttle().entries())
    assert counts == [("", "10.0.0.66", 3), ("quantri", "10.0.0.66", 3)]


def test_postgresql_sessions_keep_only_digests(pg: Cluster, tmp_path: Path, clock: Clock) -> None:  # noqa: F811
    url = pg.new_database()
    accounts_ = Accounts(tmp_path / "users.toml")
    accounts_.add("quantri", "admin", PASSWORD)
    s = PgSessions(url, tmp_path / "cache", clock=clock)
    session_id = open_session(s, accounts_)
    with psycopg.connect(url) as conn:
        stored = conn.execute("SELECT path, data::text FROM cchc_session_items").fetchall()
        audit = conn.execute("SELECT entry::text FROM cchc_session_audit").fetchall()
    assert [path for path, _ in stored] == [f"records/{digest(session_id)}.json"]
    everything = " ".join(text for _, text in stored) + " ".join(text for (text,) in audit)
    assert session_id not in everything and accounts_.password_hash("quantri") not in everything
    assert not (tmp_path / "cache").exists()  # nothing written to the local folder
    close_pools()
