"""Accounts: scrypt hashes, roles, lockout after failed logins, OIDC mapping, the users command."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from cchc_lib.accounts import Account, AccountError, Accounts, hash_password, verify_password


class Clock:
    """A settable clock for Accounts (lockout times)."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def accounts(tmp_path: Path) -> Accounts:
    a = Accounts(tmp_path / "users.toml", max_failures=3, lockout_minutes=10, clock=Clock())
    a.add("quantri", "admin", "mat-khau-dai")
    a.add("xcb", "unit", "mat-khau-xcb", unit_code="xcb")
    return a


def test_hash_is_salted_and_verifies() -> None:
    first, second = hash_password("Bí mật 123"), hash_password("Bí mật 123")
    assert first != second and first.startswith("scrypt$16384$8$1$")
    assert verify_password("Bí mật 123", first) and verify_password("Bí mật 123", second)
    assert not verify_password("bí mật 123", first)
    assert not verify_password("x", "plain-text") and not verify_password("x", "")


def test_file_holds_no_password(accounts: Accounts) -> None:
    text = accounts.path.read_text(encoding="utf-8")
    assert "mat-khau" not in text
    assert accounts.list() == [Account("quantri", "admin"), Account("xcb", "unit", "XCB")]
    assert accounts.path.stat().st_mode & 0o777 == 0o600


def test_authenticate(accounts: Accounts) -> None:
    assert accounts.authenticate("xcb", "mat-khau-xcb") == Account("xcb", "unit", "XCB")
    for name, password in [("xcb", "sai-mat-khau"), ("khong-co", "mat-khau-xcb"), ("xcb", "")]:
        with pytest.raises(AccountError) as info:
            accounts.authenticate(name, password)
        assert info.value.code == "bad_credentials"
        assert info.value.message == "Tên đăng nhập hoặc mật khẩu không đúng."


def test_lockout_after_failures_and_expiry(accounts: Accounts) -> None:
    clock = accounts.clock
    for _ in range(2):
        with pytest.raises(AccountError):
            accounts.authenticate("quantri", "sai")
    with pytest.raises(AccountError) as info:
        accounts.authenticate("quantri", "sai")
    assert info.value.code == "locked" and "tạm khóa 10 phút" in info.value.message
    # even the right password is refused while locked, and the state survives a new object
    again = Accounts(accounts.path, max_failures=3, lockout_minutes=10, clock=clock)
    with pytest.raises(AccountError) as info:
        again.authenticate("quantri", "mat-khau-dai")
    assert info.value.code == "locked" and "10 phút" in info.value.message
    clock.now += 10 * 60 + 1
    assert again.authenticate("quantri", "mat-khau-dai").role == "admin"


def test_success_resets_failure_count(accounts: Accounts) -> None:
    for _ in range(2):
        with pytest.raises(AccountError):
            accounts.authenticate("xcb", "sai")
    accounts.authenticate("xcb", "mat-khau-xcb")
    for _ in range(2):
        with pytest.raises(AccountError) as info:
            accounts.authenticate("xcb", "sai")
        assert info.value.code == "bad_credentials"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("quantri", "admin", "mat-khau-moi"), "exists"),
        (("ai do", "admin", "mat-khau-moi"), "bad_name"),
        (("moi", "chu", "mat-khau-moi"), "bad_role"),
        (("moi", "unit", "mat-khau-moi"), "bad_unit"),
        (("moi", "viewer", "mat-khau-moi", "XCB"), "bad_unit"),
        (("moi", "admin", "ngan"), "weak_password"),
    ],
)
def test_add_refusals(accounts: Accounts, args: tuple, code: str) -> None:
    before = accounts.path.read_bytes()
    with pytest.raises(AccountError) as info:
        accounts.add(*args)
    assert info.value.code == code
    assert accounts.path.read_bytes() == before


def test_passwd_and_remove(accounts: Accounts) -> None:
    accounts.set_password("xcb", "mat-khau-moi-1")
    assert accounts.authenticate("xcb", "mat-khau-moi-1").unit_code == "XCB"
    with pytest.raises(AccountError):
        accounts.authenticate("xcb", "mat-khau-xcb")
    accounts.remove("xcb")
    assert accounts.get("xcb") is None
    with pytest.raises(AccountError) as info:
        accounts.remove("xcb")
    assert info.value.code == "unknown_user"


def test_oidc_mapping(tmp_path: Path) -> None:
    path = tmp_path / "users.toml"
    path.write_text(
        '[oidc]\n"Lan@CamXuyen.gov.vn" = "admin"\n"b@x.vn" = "unit:xcb"\n"c@x.vn" = "chu"\n', encoding="utf-8"
    )
    a = Accounts(path)
    assert a.for_email("lan@camxuyen.gov.vn") == Account("lan@camxuyen.gov.vn", "admin")
    assert a.for_email("b@x.vn") == Account("b@x.vn", "unit", "XCB")
    assert a.for_email("c@x.vn") is None and a.for_email("d@x.vn") is None and a.for_email(None) is None
    a.set_oidc("d@x.vn", "viewer")
    assert a.for_email("D@x.vn") == Account("d@x.vn", "viewer")


def test_broken_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "users.toml"
    path.write_text("[users\n", encoding="utf-8")
    with pytest.raises(AccountError) as info:
        Accounts(path).authenticate("a", "b")
    assert info.value.code == "bad_file"


def test_users_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cchc_lib.cli_store import main

    users = tmp_path / "u.toml"
    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-dai\n"))
    assert (
        main(["users", "add", "quantri", "--role", "admin", "--password-stdin", "--users-file", str(users)])
        == 0
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("ngan\n"))
    assert main(["users", "add", "b", "--role", "admin", "--password-stdin", "--users-file", str(users)]) == 1
    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-moi\n"))
    assert main(["users", "passwd", "quantri", "--password-stdin", "--users-file", str(users)]) == 0
    assert Accounts(users).authenticate("quantri", "mat-khau-moi").is_admin
    assert main(["users", "remove", "khong-co", "--users-file", str(users)]) == 1
    assert main(["users", "remove", "quantri", "--users-file", str(users)]) == 0
