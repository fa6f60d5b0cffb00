"""Accounts: scrypt hashes, roles, stateless password checks, OIDC mapping, the users command (which
ends the sessions of a changed or removed account)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from cchc_lib.access.accounts import Account, AccountError, Accounts, hash_password, verify_password


@pytest.fixture
def accounts(tmp_path: Path) -> Accounts:
    a = Accounts(tmp_path / "users.toml")
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


def test_failures_keep_no_state_and_never_lock(accounts: Accounts) -> None:
    """Throttling is cchc_lib.access.throttle's: the accounts file checks passwords only, so twenty wrong
    passwords and a 100,000-character name leave no file behind and the right password still works."""
    before = sorted(p.name for p in accounts.path.parent.iterdir())
    for name in ["quantri"] * 20 + ["x" * 100_000]:
        with pytest.raises(AccountError) as info:
            accounts.authenticate(name, "sai")
        assert info.value.code == "bad_credentials"
    assert sorted(p.name for p in accounts.path.parent.iterdir()) == before
    assert accounts.authenticate("quantri", "mat-khau-dai").role == "admin"


def test_set_role(accounts: Accounts) -> None:
    assert accounts.set_role("xcb", "viewer") == Account("xcb", "viewer")
    assert accounts.get("xcb") == Account("xcb", "viewer")
    assert accounts.set_role("xcb", "unit", "tt") == Account("xcb", "unit", "TT")
    assert accounts.authenticate("xcb", "mat-khau-xcb") == Account("xcb", "unit", "TT")
    for args, code in [(("xcb", "unit"), "bad_unit"), (("khong-co", "admin"), "unknown_user")]:
        with pytest.raises(AccountError) as info:
            accounts.set_role(*args)
        assert info.value.code == code


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


def test_users_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from cchc_lib.access.sessions import Sessions
    from cchc_lib.commands.cli_store import main

    users, store = tmp_path / "u.toml", tmp_path / "store"
    common = ["--users-file", str(users), "--store-dir", str(store)]
    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-dai\n"))
    assert main(["users", "add", "quantri", "--role", "admin", "--password-stdin", *common]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("ngan\n"))
    assert main(["users", "add", "b", "--role", "admin", "--password-stdin", *common]) == 1
    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-xcb\n"))
    assert main(["users", "add", "xcb", "--role", "unit", "--unit", "XCB", "--password-stdin", *common]) == 0

    sessions = Sessions(store)
    accounts = Accounts(users)

    def open_session(name: str) -> str:
        return sessions.create(accounts.get(name), accounts.password_hash(name), "10.0.0.1", "test")

    first, second, unit = open_session("quantri"), open_session("quantri"), open_session("xcb")
    capsys.readouterr()
    assert main(["users", "sessions", *common]) == 0
    assert sorted(line.split("\t")[0] for line in capsys.readouterr().out.splitlines()) == [
        "quantri", "quantri", "xcb"
    ]  # fmt: skip

    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-moi\n"))
    assert main(["users", "passwd", "quantri", "--password-stdin", *common]) == 0
    assert "đã kết thúc 2 phiên đăng nhập" in capsys.readouterr().out
    assert Accounts(users).authenticate("quantri", "mat-khau-moi").is_admin
    assert sessions.validate(first, accounts) is None and sessions.validate(second, accounts) is None
    assert sessions.validate(unit, accounts) == Account("xcb", "unit", "XCB")

    assert main(["users", "role", "xcb", "--role", "viewer", *common]) == 0
    assert sessions.validate(unit, accounts) is None
    assert accounts.get("xcb") == Account("xcb", "viewer")
    assert main(["users", "role", "xcb", "--role", "unit", *common]) == 1  # no unit given

    again = open_session("quantri")
    assert main(["users", "sessions", "--end-all", *common]) == 0
    assert "Đã kết thúc 1 phiên đăng nhập." in capsys.readouterr().out
    assert sessions.validate(again, accounts) is None

    later = open_session("quantri")
    assert main(["users", "remove", "khong-co", *common]) == 1
    assert main(["users", "remove", "quantri", *common]) == 0
    assert sessions.validate(later, accounts) is None
    events = [(e["event"], e.get("reason")) for e in reversed(sessions.audit_entries())]
    assert events == [
        ("login", None), ("login", None), ("login", None),
        ("revoked", "password_changed"), ("revoked", "role_changed"),
        ("login", None), ("end_all", None), ("login", None), ("revoked", "account_removed"),
    ]  # fmt: skip
