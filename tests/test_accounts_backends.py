"""Accounts against both backends (the accounts file and a real throw-away PostgreSQL server): what one
server's Accounts changes another's sees, concurrent adds from two processes, the shared lockout, the
`users` commands on the configured backend, `users copy` both ways, and the accounts' schema migration."""

from __future__ import annotations

import multiprocessing
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from cchc_lib.access.accounts import Account, AccountError, Accounts, verify_password
from cchc_lib.access.sessions import login
from cchc_lib.common.settings import Settings
from cchc_lib.publishing.pg_accounts import PgAccounts
from cchc_lib.publishing.store_factory import open_accounts, open_sessions
from cchc_lib.publishing.store_pg import close_pools
from tests.command import run_cli
from tests.pg_cluster import Cluster, cluster

PASSWORD = "mat-khau-dai-123"


@pytest.fixture(scope="module")
def pg() -> Iterator[Cluster]:
    yield from cluster()


@pytest.fixture(params=["folder", "postgresql"])
def settings(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """Settings of one fresh accounts storage: the file of $CCHC_USERS, or a new migrated database."""
    monkeypatch.setenv("CCHC_USERS", str(tmp_path / "users.toml"))
    if request.param == "folder":
        yield Settings(store_dir=str(tmp_path / "store"))
        return
    yield Settings(store_dir=str(tmp_path / "cache"), store_url=request.getfixturevalue("pg").new_database())
    close_pools()


@pytest.fixture
def server(settings: Settings) -> Callable[[], Accounts]:
    """Another server's accounts object on the same storage at each call."""
    return lambda: open_accounts(settings)


def test_the_backend_follows_store_url_and_an_explicit_file_wins(settings: Settings, tmp_path: Path) -> None:
    chosen = open_accounts(settings)
    assert isinstance(chosen, PgAccounts) == bool(settings.store_url)
    if not settings.store_url:
        assert chosen.path == tmp_path / "users.toml"  # $CCHC_USERS, as before
    named = open_accounts(settings, tmp_path / "other.toml")
    assert type(named) is Accounts and named.path == tmp_path / "other.toml"


def test_what_one_server_changes_the_other_sees(server: Callable[[], Accounts]) -> None:
    a, b = server(), server()
    assert b.list() == [] and b.get("xcb") is None
    assert a.add("xcb", "unit", PASSWORD, unit_code="xcb") == Account("xcb", "unit", "XCB")
    a.add("quantri", "admin", "mat-khau-quan-tri")
    assert b.list() == [Account("quantri", "admin"), Account("xcb", "unit", "XCB")]
    assert b.authenticate("xcb", PASSWORD) == Account("xcb", "unit", "XCB")
    stored = b.password_hash("xcb")
    assert stored is not None and PASSWORD not in stored and verify_password(PASSWORD, stored)

    b.set_password("xcb", "mat-khau-moi-456")
    assert a.authenticate("xcb", "mat-khau-moi-456").unit_code == "XCB"
    with pytest.raises(AccountError) as old:
        a.authenticate("xcb", PASSWORD)
    assert old.value.code == "bad_credentials"
    assert a.password_hash("xcb") != stored

    assert a.set_role("xcb", "viewer") == Account("xcb", "viewer")
    assert b.get("xcb") == Account("xcb", "viewer")
    assert b.set_role("xcb", "unit", "tt") == Account("xcb", "unit", "TT")
    assert a.authenticate("xcb", "mat-khau-moi-456") == Account("xcb", "unit", "TT")

    a.set_oidc("Lan@CamXuyen.gov.vn", "admin")
    a.set_oidc("b@x.vn", "unit", "xcb")
    assert b.for_email("lan@camxuyen.gov.vn") == Account("lan@camxuyen.gov.vn", "admin")
    assert b.for_email("B@X.vn") == Account("b@x.vn", "unit", "XCB")
    b.set_oidc("b@x.vn", "viewer")  # a mapping changed again
    assert a.for_email("b@x.vn") == Account("b@x.vn", "viewer") and a.for_email("c@x.vn") is None

    b.remove("xcb")
    assert a.get("xcb") is None and a.list() == [Account("quantri", "admin")]
    with pytest.raises(AccountError) as gone:
        a.remove("xcb")
    assert gone.value.code == "unknown_user"
    assert a.document()["oidc"] == {"lan@camxuyen.gov.vn": "admin", "b@x.vn": "viewer"}


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
def test_a_refused_change_changes_nothing(server: Callable[[], Accounts], args: tuple, code: str) -> None:
    a = server()
    a.add("quantri", "admin", PASSWORD)
    before = server().document()
    with pytest.raises(AccountError) as info:
        a.add(*args)
    assert info.value.code == code
    with pytest.raises(AccountError) as unknown:
        a.set_password("khong-co", "mat-khau-moi")
    assert unknown.value.code == "unknown_user"
    assert server().document() == before


def _adder(kind: str, where: str, worker: int, count: int) -> None:
    """Add `count` accounts and as many OIDC mappings named after `worker` (another server's process)."""
    settings = Settings(store_dir=where, store_url="" if kind == "folder" else kind)
    accounts = open_accounts(settings, where if kind == "folder" else None)
    for i in range(count):
        accounts.add(f"w{worker}-{i}", "viewer", PASSWORD)
        accounts.set_oidc(f"w{worker}-{i}@x.vn", "unit", f"u{worker}")


def test_concurrent_adds_from_two_processes_lose_nothing(settings: Settings, tmp_path: Path) -> None:
    kind, where = settings.store_url or "folder", str(tmp_path / "users.toml")
    workers, count = 2, 6
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_adder, args=(kind, where, w, count)) for w in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(180)
        assert process.exitcode == 0
    document = open_accounts(settings).document()
    names = [f"w{w}-{i}" for w in range(workers) for i in range(count)]
    assert sorted(document["users"]) == sorted(names)
    assert document["oidc"] == {f"{name}@x.vn": f"unit:U{name[1]}" for name in names}
    assert open_accounts(settings).authenticate("w1-5", PASSWORD) == Account("w1-5", "viewer")


def test_wrong_passwords_and_the_lockout_are_shared(settings: Settings) -> None:
    open_accounts(settings).add("quantri", "admin", PASSWORD)
    (accounts_a, sessions_a), (accounts_b, sessions_b) = ((open_accounts(settings), open_sessions(settings))
                                                          for _ in range(2))  # fmt: skip
    for _ in range(3):
        with pytest.raises(AccountError) as wrong:
            login(accounts_a, sessions_a, "quantri", "doan-sai", "10.0.0.66")
        assert wrong.value.code == "bad_credentials"
    with pytest.raises(AccountError) as waiting:  # the right password on the other server must wait too
        login(accounts_b, sessions_b, "quantri", PASSWORD, "10.0.0.66")
    assert waiting.value.code == "throttled"
    account, session_id = login(accounts_b, sessions_b, "quantri", PASSWORD, "10.0.0.7")  # the owner elsewhere
    assert account == Account("quantri", "admin")
    assert sessions_a.validate(session_id, accounts_a) == Account("quantri", "admin")
    accounts_a.set_password("quantri", "mat-khau-moi-456")  # the session was made with the old hash
    assert sessions_b.validate(session_id, accounts_b) is None


# ------------------------------------------------------------------------------------ PostgreSQL only


def test_the_database_holds_hashes_and_a_change_writes_only_its_rows(pg: Cluster) -> None:
    url = pg.new_database()
    accounts = PgAccounts(url)
    accounts.add("quantri", "admin", PASSWORD)
    accounts.add("xcb", "unit", "mat-khau-xcb-1", "XCB")
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT name, role, unit, hash, updated_at FROM cchc_accounts ORDER BY name"
        ).fetchall()
    assert [row[:3] for row in rows] == [("quantri", "admin", ""), ("xcb", "unit", "XCB")]
    assert all(row[3].startswith("scrypt$16384$8$1$") and "mat-khau" not in row[3] for row in rows)
    accounts.set_password("xcb", "mat-khau-xcb-2")
    with psycopg.connect(url) as conn:
        after = dict(conn.execute("SELECT name, updated_at FROM cchc_accounts").fetchall())
    assert after["quantri"] == rows[0][4] and after["xcb"] > rows[1][4]
    close_pools()


def test_an_unreachable_or_old_database_is_a_clear_account_error(pg: Cluster) -> None:
    with socket.socket() as sock:  # a loopback port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    for action in (lambda a: a.get("quantri"), lambda a: a.add("quantri", "admin", PASSWORD)):
        with pytest.raises(AccountError) as down:
            action(PgAccounts(f"postgresql://cchc@127.0.0.1:{port}/cchc"))
        assert down.value.code == "db_unavailable"
        assert down.value.message.startswith("Không kết nối được cơ sở dữ liệu PostgreSQL")
    url = pg.new_database(migrated=False)
    with pytest.raises(AccountError) as missing:
        PgAccounts(url).authenticate("quantri", PASSWORD)
    assert missing.value.code == "db_error" and "store migrate" in missing.value.message
    close_pools()


def test_migrate_adds_the_accounts_tables_to_a_schema_2_database(pg: Cluster, tmp_path: Path) -> None:
    from cchc_lib.publishing.pg_schema import MIGRATIONS, SCHEMA_VERSION, migrate

    assert SCHEMA_VERSION == 3
    url = pg.new_database(migrated=False)
    with psycopg.connect(url, autocommit=True) as conn:  # a database migrated by the release of schema 2
        conn.execute(
            "CREATE TABLE cchc_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        for number, statements in MIGRATIONS[:2]:
            conn.execute(statements)
            conn.execute("INSERT INTO cchc_schema (version) VALUES (%s)", (number,))
        conn.execute("INSERT INTO cchc_session_items (path, data) VALUES ('throttle.json', '{}')")
        assert migrate(conn) == (2, 3)
        assert migrate(conn) == (3, 3)  # idempotent
        kept = conn.execute("SELECT count(*) FROM cchc_session_items").fetchone()
    assert kept == (1,)
    PgAccounts(url).add("quantri", "admin", PASSWORD)
    assert PgAccounts(url).get("quantri") == Account("quantri", "admin")
    close_pools()


# ------------------------------------------------------------------------------------ the command line


def _settings_file(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(
        f'store_url = "{url}"\nstore_dir = "{(tmp_path / "cache").as_posix()}"\n', encoding="utf-8"
    )
    return path


def test_the_users_commands_work_on_postgresql(pg: Cluster, tmp_path: Path) -> None:
    url = pg.new_database()
    where = ("--settings", str(_settings_file(tmp_path, url)))
    added = run_cli(*where, "users", "add", "xcb", "--role", "unit", "--unit", "xcb", "--password-stdin",
                    answer=PASSWORD + "\n")  # fmt: skip
    assert (added.returncode, added.stdout, added.stderr) == (
        0,
        "Đã thêm tài khoản xcb (đầu mối đơn vị XCB).\n",
        "",
    )
    assert PgAccounts(url).authenticate("xcb", PASSWORD) == Account(
        "xcb", "unit", "XCB"
    )  # another server sees it
    PgAccounts(url).add("quantri", "admin", PASSWORD)  # ... and the command line sees the other's
    listed = run_cli(*where, "users", "list")
    assert (listed.returncode, listed.stdout) == (0, "quantri\tadmin\t\nxcb\tunit\tXCB\n")
    role = run_cli(*where, "users", "role", "xcb", "--role", "viewer")
    assert (role.returncode, role.stdout) == (0, "xcb nay là người xem; đã kết thúc 0 phiên đăng nhập.\n")
    passwd = run_cli(*where, "users", "passwd", "xcb", "--password-stdin", answer="mat-khau-moi-456\n")
    assert passwd.returncode == 0 and PgAccounts(url).authenticate("xcb", "mat-khau-moi-456").role == "viewer"
    removed = run_cli(*where, "users", "remove", "xcb")
    assert removed.returncode == 0 and PgAccounts(url).get("xcb") is None
    refused = run_cli(*where, "users", "remove", "xcb")
    assert (refused.returncode, refused.stderr) == (1, "Không có tài khoản xcb.\n")

    named = tmp_path / "rieng.toml"  # --users-file still means that file
    alone = run_cli(*where, "users", "add", "tep", "--role", "viewer", "--password-stdin", "--users-file",
                    str(named), answer=PASSWORD + "\n")  # fmt: skip
    assert alone.returncode == 0 and Accounts(named).get("tep") == Account("tep", "viewer")
    assert PgAccounts(url).get("tep") is None
    status = run_cli(
        *where, "store", "close", "--through", "31/03/2024", "--user", "tep"
    )  # not in the database
    assert (status.returncode, status.stderr) == (
        1,
        "Không có tài khoản tep. Thêm bằng: python -m cchc_lib users add tep --role ...\n",
    )
    close_pools()


def test_users_copy_moves_a_users_file_into_postgresql_and_back(pg: Cluster, tmp_path: Path) -> None:
    url = pg.new_database()
    source = tmp_path / "users.toml"
    file_accounts = Accounts(source)
    file_accounts.add("quantri", "admin", PASSWORD)
    file_accounts.add("xcb", "unit", "mat-khau-xcb-1", "XCB")
    file_accounts.set_oidc("lan@camxuyen.gov.vn", "unit", "XCB")
    where = ("--settings", str(_settings_file(tmp_path, url)))

    copied = run_cli(*where, "users", "copy", "--to-postgresql", "--users-file", str(source))
    assert (copied.returncode, copied.stdout, copied.stderr) == (
        0,
        "Đã chép 2 tài khoản và 1 địa chỉ e-mail OIDC sang cơ sở dữ liệu PostgreSQL; mọi tài khoản (vai trò, "
        "đơn vị, mã băm mật khẩu) khớp với nguồn.\n",
        "",
    )
    database = PgAccounts(url)
    assert database.document() == file_accounts.document()
    assert database.authenticate("xcb", "mat-khau-xcb-1") == Account(
        "xcb", "unit", "XCB"
    )  # the same password
    assert database.for_email("lan@camxuyen.gov.vn") == Account("lan@camxuyen.gov.vn", "unit", "XCB")
    again = run_cli(*where, "users", "copy", "--to-postgresql", "--users-file", str(source))
    assert again.returncode == 1 and again.stderr.startswith("Nơi nhận đã có tài khoản")
    assert database.document() == file_accounts.document()

    database.set_password("xcb", "mat-khau-xcb-2")  # changed on the database, then copied back
    back = tmp_path / "ve" / "users.toml"
    returned = run_cli(*where, "users", "copy", "--to-file", str(back))
    assert returned.returncode == 0, returned.stderr
    assert returned.stdout.startswith(f"Đã chép 2 tài khoản và 1 địa chỉ e-mail OIDC sang tệp {back};")
    assert Accounts(back).document() == database.document()
    assert Accounts(back).authenticate("xcb", "mat-khau-xcb-2").unit_code == "XCB"
    assert back.stat().st_mode & 0o777 == 0o600
    over = run_cli(*where, "users", "copy", "--to-file", str(source))
    assert over.returncode == 1 and "đã có" in over.stderr
    assert Accounts(source).authenticate("xcb", "mat-khau-xcb-1")  # the file was not overwritten

    missing = run_cli(
        *where, "users", "copy", "--to-postgresql", "--users-file", str(tmp_path / "khong.toml")
    )
    assert missing.returncode == 1 and "Không có tệp tài khoản" in missing.stderr
    plain = tmp_path / "plain.toml"
    plain.write_text(f'store_dir = "{(tmp_path / "store").as_posix()}"\n', encoding="utf-8")
    no_url = run_cli(
        "--settings", str(plain), "users", "copy", "--to-postgresql", "--users-file", str(source)
    )
    assert no_url.returncode == 1 and "store_url" in no_url.stderr
    close_pools()
