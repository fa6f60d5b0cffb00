"""Server-side login sessions: records keyed by a digest, idle and absolute expiry on a settable
clock, every revocation, one-time tickets, and the throttled login with its audit log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cchc_lib.access.accounts import Account, AccountError, Accounts
from cchc_lib.access.sessions import TICKET_TTL_S, Sessions, digest, login, wait_text


class Clock:
    """A settable clock."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


PASSWORD = "mat-khau-dai"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def accounts(tmp_path: Path) -> Accounts:
    a = Accounts(tmp_path / "users.toml")
    a.add("quantri", "admin", PASSWORD)
    a.add("xcb", "unit", PASSWORD, unit_code="XCB")
    return a


@pytest.fixture
def sessions(tmp_path: Path, clock: Clock) -> Sessions:
    return Sessions(tmp_path / "store", idle_minutes=60, max_hours=12, clock=clock)


def open_session(sessions: Sessions, accounts: Accounts, name: str = "quantri") -> str:
    return sessions.create(accounts.get(name), accounts.password_hash(name), "10.0.0.7", "Chromium")


def test_record_holds_only_the_digest(sessions: Sessions, accounts: Accounts, clock: Clock) -> None:
    session_id = open_session(sessions, accounts)
    assert len(session_id) == 43  # secrets.token_urlsafe(32)
    [path] = list(sessions.records_dir.iterdir())
    assert path.name == f"{digest(session_id)}.json"
    raw = json.loads(path.read_text())
    assert raw == {
        "key": digest(session_id), "name": "quantri", "role": "admin", "fingerprint": raw["fingerprint"],
        "created": clock.now, "last_seen": clock.now, "address": "10.0.0.7", "user_agent": "Chromium",
    }  # fmt: skip
    assert session_id not in "".join(p.read_text() for p in sessions.folder.rglob("*") if p.is_file())
    assert accounts.password_hash("quantri") not in path.read_text()
    assert path.stat().st_mode & 0o777 == 0o600
    assert sessions.validate(session_id, accounts) == Account("quantri", "admin")


def test_idle_timeout_and_refresh(sessions: Sessions, accounts: Accounts, clock: Clock) -> None:
    session_id = open_session(sessions, accounts)
    for _ in range(5):  # used every 50 minutes: stays alive past the first idle hour
        clock.now += 50 * 60
        assert sessions.validate(session_id, accounts) is not None
    clock.now += 60 * 60
    assert sessions.validate(session_id, accounts) is None
    assert list(sessions.records_dir.iterdir()) == []
    assert sessions.audit_entries()[0]["event"] == "revoked"
    assert sessions.audit_entries()[0]["reason"] == "idle"


def test_absolute_timeout_whatever_the_use(sessions: Sessions, accounts: Accounts, clock: Clock) -> None:
    session_id = open_session(sessions, accounts)
    for _ in range(15):  # 12 h 30 min of use, every 50 minutes
        clock.now += 50 * 60
        alive = sessions.validate(session_id, accounts) is not None
        if clock.now - 1_000_000.0 < 12 * 3600:
            assert alive
    assert not alive
    assert sessions.audit_entries()[0]["reason"] == "max_age"


def test_last_seen_is_written_at_most_every_30_s(sessions: Sessions, accounts, clock: Clock) -> None:
    session_id = open_session(sessions, accounts)
    path = sessions.records_dir / f"{digest(session_id)}.json"
    clock.now += 10
    sessions.validate(session_id, accounts)
    assert json.loads(path.read_text())["last_seen"] == 1_000_000.0
    clock.now += 25
    sessions.validate(session_id, accounts)
    assert json.loads(path.read_text())["last_seen"] == 1_000_035.0


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda a: a.set_password("quantri", "mat-khau-moi-1"), "password_changed"),
        (lambda a: a.set_role("quantri", "viewer"), "role_changed"),
        (lambda a: a.remove("quantri"), "account_removed"),
    ],
)
def test_account_changes_end_the_session(sessions: Sessions, accounts: Accounts, change, reason) -> None:
    """Even without the command line's explicit revocation, a record no longer matching the account
    file is refused and deleted at its next use."""
    session_id, other = open_session(sessions, accounts), open_session(sessions, accounts, "xcb")
    change(accounts)
    assert sessions.validate(session_id, accounts) is None
    assert sessions.audit_entries()[0]["reason"] == reason
    assert sessions.validate(other, accounts) == Account("xcb", "unit", "XCB")
    accounts.set_role("xcb", "unit", "TT")  # a unit change is a role change too
    assert sessions.validate(other, accounts) is None


def test_logout_end_account_and_end_all(sessions: Sessions, accounts: Accounts) -> None:
    a, b, c, d = (open_session(sessions, accounts, n) for n in ("quantri", "quantri", "xcb", "xcb"))
    assert sessions.end(a) is True and sessions.end(a) is False
    assert sessions.validate(a, accounts) is None and sessions.validate(b, accounts) is not None
    assert sessions.end_account("xcb", "password_changed") == 2
    assert sessions.validate(c, accounts) is None and sessions.validate(d, accounts) is None
    e = open_session(sessions, accounts, "xcb")
    assert len(sessions.records()) == 2
    assert sessions.end_all(by="quantri") == 2
    assert sessions.validate(b, accounts) is None and sessions.validate(e, accounts) is None
    events = [(x["event"], x.get("reason"), x.get("sessions")) for x in reversed(sessions.audit_entries())]
    assert events[4:] == [("logout", "logout", None), ("revoked", "password_changed", 2),
                          ("login", None, None), ("end_all", None, 2)]  # fmt: skip


@pytest.mark.parametrize(
    "hostile",
    [None, "", "a" * 31, "a" * 65, "../../etc/passwd" + "a" * 30, "é" * 43, 12345, b"x" * 43, "A" * 43],
)
def test_hostile_ids_and_tickets_are_refused(sessions: Sessions, accounts: Accounts, hostile) -> None:
    open_session(sessions, accounts)
    assert sessions.validate(hostile, accounts) is None
    assert sessions.validate_key(hostile, accounts) is None
    assert sessions.redeem_ticket(hostile) is None
    assert sessions.end(hostile) is False


def test_tickets_are_one_time_and_short_lived(sessions: Sessions, accounts: Accounts, clock) -> None:
    session_id = open_session(sessions, accounts)
    ticket = sessions.issue_ticket(session_id)
    assert ticket != session_id and len(ticket) == 43
    assert sessions.redeem_ticket(ticket) == session_id
    assert sessions.redeem_ticket(ticket) is None  # used up
    late = sessions.issue_ticket(session_id)
    clock.now += TICKET_TTL_S
    assert sessions.redeem_ticket(late) is None
    assert list(sessions.tickets_dir.iterdir()) == []
    stale = sessions.issue_ticket(session_id)
    clock.now += TICKET_TTL_S + 1
    open_session(sessions, accounts)  # creating a session prunes expired tickets
    assert list(sessions.tickets_dir.iterdir()) == []
    assert sessions.redeem_ticket(stale) is None


def test_login_throttles_the_attacker_not_the_owner(sessions: Sessions, accounts: Accounts, clock) -> None:
    attacker, owner = "10.0.0.66", "10.0.0.7"
    codes = []
    for _ in range(8):
        with pytest.raises(AccountError) as info:
            login(accounts, sessions, "quantri", "doan-sai", attacker, "curl")
        codes.append(info.value.code)
    # 3 failures are free, then 2 s: the next tries come too soon and are refused unchecked
    assert codes == ["bad_credentials"] * 3 + ["throttled"] * 5
    assert "thử lại sau 2 giây" in info.value.message
    with pytest.raises(AccountError) as info:  # the right password from the attacker's address waits too
        login(accounts, sessions, "quantri", PASSWORD, attacker, "curl")
    assert info.value.code == "throttled"
    account, session_id = login(accounts, sessions, "quantri", PASSWORD, owner, "Chromium")
    assert account == Account("quantri", "admin") and sessions.validate(session_id, accounts) == account
    clock.now += 2
    account, _ = login(accounts, sessions, "quantri", PASSWORD, attacker, "curl")  # after the wait
    assert account.name == "quantri"
    events = [(e["event"], e["user"], e["address"]) for e in reversed(sessions.audit_entries())]
    assert events == [("login_failed", "quantri", attacker)] * 3 + [
        ("login", "quantri", owner), ("login", "quantri", attacker)
    ]  # fmt: skip


def test_unknown_names_make_no_account_state(sessions: Sessions, accounts: Accounts, clock) -> None:
    for i in range(12):
        with pytest.raises(AccountError):
            login(accounts, sessions, f"ai-do-{i}" + "x" * 1000, "sai", "10.0.0.66")
        clock.now += 1000  # past every wait
    rows = [(e.account, e.address, e.failures) for e in sessions.throttle().entries()]
    assert rows == [(None, "10.0.0.66", 12)]
    failed = sessions.audit_entries()
    assert len(failed) == 12 and {len(e["user"]) for e in failed} == {64} and not failed[0]["known"]


@pytest.mark.parametrize(("seconds", "text"), [(0.2, "1 giây"), (2, "2 giây"), (59.5, "1 phút"),
                                               (61, "2 phút"), (900, "15 phút")])  # fmt: skip
def test_wait_text(seconds: float, text: str) -> None:
    assert wait_text(seconds) == text


def test_audit_log_is_bounded(sessions: Sessions, monkeypatch: pytest.MonkeyPatch) -> None:
    import cchc_lib.access.sessions as module

    monkeypatch.setattr(module, "AUDIT_MAX_BYTES", 20_000)
    for i in range(2_000):
        sessions.audit("login_failed", user=f"ai-do-{i}", address="10.0.0.66")
    size = sessions.audit_path.stat().st_size
    assert 10_000 - 200 <= size <= 20_000 + 200, size
    newest = sessions.audit_entries(5)
    assert [e["user"] for e in newest] == [f"ai-do-{i}" for i in range(1999, 1994, -1)]
    lines = sessions.audit_path.read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line)["event"] == "login_failed" for line in lines)  # no torn first line


def test_threads_sharing_a_session(sessions: Sessions, accounts: Accounts, clock: Clock) -> None:
    """Reruns of several browser tabs validate (and refresh) one record at once while another thread
    logs in and out: no error, no torn record."""
    from concurrent.futures import ThreadPoolExecutor

    session_id = open_session(sessions, accounts)

    def validate(i: int) -> bool:
        clock.now += 31  # every call may rewrite last_seen
        return sessions.validate(session_id, accounts) is not None

    def churn(i: int) -> bool:
        other = open_session(sessions, accounts, "xcb")
        return sessions.end(other)

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(validate, range(60))) + list(pool.map(churn, range(20)))
    assert all(results)
    assert sessions.validate(session_id, accounts) == Account("quantri", "admin")
    assert [r.name for r in sessions.records()] == ["quantri"]
