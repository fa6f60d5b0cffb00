"""Login cookie tokens: round trip, tampering, expiry, wrong key, password change, removed or locked
account, hostile cookie values, the key file and the cookie script."""

from __future__ import annotations

import base64
import json
import os
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as hs

from cchc_lib import session_token as tok
from cchc_lib.accounts import Account, AccountError, Accounts
from tests.test_accounts import Clock

SECRET = b"k" * 32
NOW = 1_800_000_000.0
HOUR = 3600.0
HASH = "scrypt$16384$8$1$c2FsdA==$aGFzaA=="


@pytest.fixture
def accounts(tmp_path: Path) -> Accounts:
    a = Accounts(tmp_path / "users.toml", max_failures=2, lockout_minutes=10, clock=Clock(NOW))
    a.add("quantri", "admin", "mat-khau-dai")
    a.add("xcb", "unit", "mat-khau-xcb", unit_code="XCB")
    return a


def test_round_trip() -> None:
    token = tok.issue("quantri", HASH, SECRET, NOW, 12 * HOUR)
    assert tok.is_token_text(token)
    claims = tok.read(token, SECRET, NOW + 60)
    assert claims == tok.Claims("quantri", int(NOW), int(NOW + 12 * HOUR), tok.fingerprint(SECRET, HASH))
    assert HASH not in base64.urlsafe_b64decode(token.split(".")[0] + "==").decode()


def test_tampered_payload_or_mac_is_refused() -> None:
    token = tok.issue("xcb", HASH, SECRET, NOW, HOUR)
    payload, mac = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body[1] = "quantri"  # become someone else, keep the signature
    forged = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    assert tok.read(f"{forged}.{mac}", SECRET, NOW) is None
    flipped = mac[:-2] + ("A" if mac[-2] != "A" else "B") + mac[-1]
    assert tok.read(f"{payload}.{flipped}", SECRET, NOW) is None
    assert tok.read(f"{payload}.{mac}x", SECRET, NOW) is None
    assert tok.read(f"{payload}.{mac}", SECRET, NOW) is not None


def test_expired_and_future_tokens_are_refused() -> None:
    token = tok.issue("xcb", HASH, SECRET, NOW, HOUR)
    assert tok.read(token, SECRET, NOW + HOUR - 1) is not None
    assert tok.read(token, SECRET, NOW + HOUR) is None
    assert tok.read(token, SECRET, NOW - 3600) is None  # issued "in the future": a clock gone wrong


def test_wrong_secret_is_refused() -> None:
    token = tok.issue("xcb", HASH, SECRET, NOW, HOUR)
    assert tok.read(token, b"x" * 32, NOW) is None


def test_account_for_token(accounts: Accounts) -> None:
    token = tok.issue_for(accounts, "xcb", SECRET, NOW, HOUR)
    assert tok.account_for_token(accounts, token, SECRET, NOW) == Account("xcb", "unit", "XCB")
    assert tok.issue_for(accounts, "khong-co", SECRET, NOW, HOUR) is None


def test_password_change_ends_the_token(accounts: Accounts) -> None:
    token = tok.issue_for(accounts, "xcb", SECRET, NOW, HOUR)
    accounts.set_password("xcb", "mat-khau-moi-dai")
    assert tok.account_for_token(accounts, token, SECRET, NOW) is None


def test_removed_account_ends_the_token(accounts: Accounts) -> None:
    token = tok.issue_for(accounts, "xcb", SECRET, NOW, HOUR)
    accounts.remove("xcb")
    assert tok.account_for_token(accounts, token, SECRET, NOW) is None
    accounts.add("xcb", "admin", "mat-khau-xcb")  # same name and password again: a new salt
    assert tok.account_for_token(accounts, token, SECRET, NOW) is None


def test_locked_account_is_refused_until_the_lock_ends(accounts: Accounts) -> None:
    token = tok.issue_for(accounts, "quantri", SECRET, NOW, HOUR)
    for _ in range(2):
        with pytest.raises(AccountError):
            accounts.authenticate("quantri", "sai")
    assert tok.account_for_token(accounts, token, SECRET, NOW) is None
    accounts.clock.now += 10 * 60 + 1
    assert tok.account_for_token(accounts, token, SECRET, accounts.clock.now) == Account("quantri", "admin")


GARBAGE = [None, 42, b"abc.def", "", ".", "a.b", "a" * 100_000, "x" * 900 + "." + "y" * 43, "é.é",
           "<script>.x", "a.b.c", "=" * 50 + "." + "A" * 43, "A" * 5 + "." + "A" * 43, "\x00.\x00"]  # fmt: skip


@pytest.mark.parametrize("value", GARBAGE)
def test_garbage_never_raises(accounts: Accounts, value: object) -> None:
    assert tok.read(value, SECRET, NOW) is None
    assert tok.account_for_token(accounts, value, SECRET, NOW) is None


@given(hs.text(max_size=2000) | hs.text(alphabet="AZaz09_-.", max_size=300))
def test_any_text_is_refused_without_raising(value: str) -> None:
    assert tok.read(value, SECRET, NOW) is None


def test_secret_file_created_once_with_mode_0600(tmp_path: Path) -> None:
    users = tmp_path / "conf" / "users.toml"
    results: list[bytes] = []
    threads = [threading.Thread(target=lambda: results.append(tok.server_secret(users))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    path = tok.secret_path(users)
    assert path == tmp_path / "conf" / "users.toml.secret"
    assert len(set(results)) == 1 and len(results[0]) >= tok.MIN_SECRET_BYTES
    assert path.stat().st_mode & 0o777 == 0o600
    assert sorted(os.listdir(path.parent)) == ["users.toml.secret"]  # no temp files left
    assert tok.server_secret(users) == results[0]


def test_short_secret_file_is_refused(tmp_path: Path) -> None:
    tok.secret_path(tmp_path / "users.toml").write_bytes(b"short\n")
    with pytest.raises(ValueError, match="too short"):
        tok.server_secret(tmp_path / "users.toml")


def test_cookie_script_sets_and_expires() -> None:
    token = tok.issue("quantri", HASH, SECRET, NOW, HOUR)
    script = tok.cookie_script("cchc_login", token, 43200)
    assert f"cchc_login={token}; Path=/; Max-Age=43200; SameSite=Strict" in script
    assert "location.protocol==='https:'?'; Secure'" in script
    assert script.startswith("<script>") and script.endswith("</script>")
    assert "cchc_login=; Path=/; Max-Age=0;" in tok.cookie_script("cchc_login", None, 43200)
    for hostile in ["x'</script><script>alert(1)//.", "a.b; Domain=evil", "A" * 5000]:
        assert "Max-Age=0;" in tok.cookie_script("cchc_login", hostile, 43200)
        assert hostile not in tok.cookie_script("cchc_login", hostile, 43200)
    with pytest.raises(ValueError):
        tok.cookie_script("x'; y", token, 60)
