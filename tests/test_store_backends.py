"""The store's core against both backends (folder and a real PostgreSQL server): publish, stale preview,
duplicate, rollback, permissions, texts/mappings/closures, concurrent publishers (SIGKILL: test_store_kill.py),
the database going away mid-publish, and the schema checks of PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import psycopg
import pytest
from openpyxl import Workbook, load_workbook

from cchc_lib.access.accounts import Account
from cchc_lib.common.settings import Settings
from cchc_lib.publishing.pg_schema import SCHEMA_VERSION
from cchc_lib.publishing.store import Store, StoreError
from cchc_lib.publishing.store_factory import open_store
from cchc_lib.publishing.store_pg import PgStore, close_pools
from tests.command import ROOT, run_cli
from tests.pg_cluster import Cluster
from tests.store_backends import Backend

ADMIN = Account("admin1", "admin")
UNIT = Account("xcb1", "unit", "XCB")
VIEWER = Account("xem", "viewer")


def tiny_xlsx(text: str, pad: int = 0) -> bytes:
    """A one-cell workbook whose A1 holds `text` (B2 padded with `pad` characters)."""
    book = Workbook()
    book.active["A1"] = text
    if pad:
        book.active["B2"] = "x" * pad
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def publish(s: Store, data: bytes, base: int | None, **kw: object) -> int:
    options = {"account": ADMIN, "kind": "replace", "file_name": "f.xlsx", **kw}
    return s.publish(data, base_version=base, **options).number  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------ the interface


def test_backend_is_chosen_by_store_url(store_backend: Backend, tmp_path: Path) -> None:
    s = store_backend.open()
    assert isinstance(s, Store)
    assert isinstance(open_store(Settings(store_dir=str(tmp_path / "other"))), Store)
    assert not isinstance(open_store(Settings(store_dir=str(tmp_path / "other"))), PgStore)


def test_publish_history_and_bytes(store_backend: Backend) -> None:
    a, b = tiny_xlsx("một"), tiny_xlsx("hai")
    s = store_backend.open()
    assert s.current() is None and s.history() == [] and s.check().state == "empty"
    publish(s, a, None, file_name="mot.xlsx", rows=3)
    publish(s, b, 1, file_name="hai.xlsx", rows=5)
    other = store_backend.open()  # another server: sees the same store
    current = other.current()
    assert current is not None
    assert (current.number, current.previous, current.file_name, current.rows, current.user) == (
        2,
        1,
        "hai.xlsx",
        5,
        "admin1",
    )
    assert current.sha256 == hashlib.sha256(b).hexdigest() and current.size == len(b)
    assert current.path.read_bytes() == b  # the file the dashboard opens
    assert other.read_bytes(1) == a and other.read_bytes(2) == b
    assert [(v.number, v.file_name) for v in other.history()] == [(1, "mot.xlsx"), (2, "hai.xlsx")]
    published = [(e["version"], e["sha256"]) for e in other.audit() if e["outcome"] == "published"]
    assert published == [(1, hashlib.sha256(a).hexdigest()), (2, hashlib.sha256(b).hexdigest())]
    health = other.check()
    assert health.state == "ok" and health.current is not None and health.current.number == 2
    assert other.verify_all() == []


def test_stale_preview_is_refused_with_the_same_message(store_backend: Backend) -> None:
    s = store_backend.open()
    publish(s, tiny_xlsx("một"), None)
    publish(s, tiny_xlsx("hai"), 1)
    with pytest.raises(StoreError) as caught:
        publish(store_backend.open(), tiny_xlsx("ba"), 1)
    assert caught.value.code == "stale"
    assert caught.value.message == (
        "Dữ liệu đã được cập nhật (hiện là phiên bản 2) sau khi bạn xem trước trên phiên bản 1. Bản xem "
        "trước đã cũ: hãy tải tệp lên lại để xem trước những thay đổi so với dữ liệu mới nhất."
    )
    assert s.current_number() == 2 and len(s.history()) == 2
    last = s.audit()[-1]
    assert (last["outcome"], last["code"], last["previous"], last["version"]) == ("refused", "stale", 2, None)


def test_duplicate_and_permission_refusals(store_backend: Backend) -> None:
    s = store_backend.open()
    one = tiny_xlsx("một")  # built once: openpyxl stamps the save time, so a second build may differ
    publish(s, one, None)
    with pytest.raises(StoreError) as dup:
        publish(s, one, 1)
    assert dup.value.code == "duplicate"
    with pytest.raises(StoreError) as forbidden:
        publish(s, tiny_xlsx("hai"), 1, account=VIEWER)
    assert forbidden.value.code == "forbidden"
    with pytest.raises(StoreError) as other_unit:
        publish(s, tiny_xlsx("hai"), 1, account=UNIT, kind="unit", unit_code="PNV")
    assert other_unit.value.code == "forbidden"
    with pytest.raises(StoreError) as not_xlsx:
        publish(s, b"not a workbook", 1)
    assert not_xlsx.value.code == "not_xlsx"
    assert s.current_number() == 1
    refused = [(e["code"], e["user"]) for e in s.audit() if e["outcome"] == "refused"]
    assert refused == [
        ("duplicate", "admin1"),
        ("forbidden", "xem"),
        ("forbidden", "xcb1"),
        ("not_xlsx", "admin1"),
    ]
    assert publish(s, tiny_xlsx("đơn vị"), 1, account=UNIT, kind="unit", unit_code="xcb") == 2
    assert s.current().unit_code == "XCB"  # type: ignore[union-attr]


def test_rollback_makes_old_content_current_as_a_new_version(store_backend: Backend) -> None:
    a, b = tiny_xlsx("một"), tiny_xlsx("hai")
    s = store_backend.open()
    publish(s, a, None, file_name="mot.xlsx", rows=3)
    publish(s, b, 1)
    with pytest.raises(StoreError) as refused:
        s.rollback(1, UNIT)
    assert refused.value.code == "forbidden"
    version = s.rollback(1, ADMIN)
    assert (version.number, version.kind, version.rollback_of, version.previous) == (3, "rollback", 1, 2)
    assert store_backend.open().read_bytes(3) == a and store_backend.open().current().file_name == "mot.xlsx"  # type: ignore[union-attr]
    with pytest.raises(StoreError) as unknown:
        s.rollback(9, ADMIN)
    assert unknown.value.code == "unknown_version"


def test_texts_mappings_and_closures_are_shared(store_backend: Backend) -> None:
    s = store_backend.open()
    s.save_report_texts("2024-Q1", "report", {"chi_dao": "Ban hành Kế hoạch số 12/KH-UBND."}, ADMIN)
    mapping = {"Hoạt động": {"Ngày đăng": "date", "Đơn vị thực hiện": "unit_code"}}
    s.save_column_mapping("xcb", mapping, UNIT)
    s.close_through(date(2024, 6, 30), ADMIN)
    other = store_backend.open()
    assert other.report_texts("2024-Q1", "report") == {"chi_dao": "Ban hành Kế hoạch số 12/KH-UBND."}
    assert other.report_texts("2024-Q2", "report") == {}
    assert other.column_mapping("XCB") == mapping and other.column_mapping("PNV") is None
    assert other.closed_through() == date(2024, 6, 30)
    other.reopen(ADMIN)
    assert s.closed_through(date(2023, 12, 31)) is None  # a reopening closes nothing, whatever the setting
    s.save_column_mapping("XCB", None, UNIT)
    assert other.column_mapping("XCB") is None
    kinds = [e["kind"] for e in other.audit()]
    assert kinds == ["report_texts", "column_mapping", "closure", "closure", "column_mapping"]


# ------------------------------------------------------------------------------------ concurrency


def _publisher(settings: Settings, worker: int, count: int) -> None:
    """Publish `count` distinct workbooks, each on the version current when it tried (retrying when stale)."""
    s = open_store(settings)
    for i in range(count):
        data = tiny_xlsx(f"người {worker} lần {i}")
        while True:
            try:
                s.publish(
                    data,
                    account=ADMIN,
                    kind="replace",
                    file_name=f"w{worker}-{i}.xlsx",
                    base_version=s.current_number(),
                )
                break
            except StoreError as exc:
                if exc.code not in ("stale", "busy"):
                    raise


def test_concurrent_publishers_lose_nothing(store_backend: Backend, tmp_path: Path) -> None:
    workers, count = 4, 5
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_publisher, args=(store_backend.settings, w, count)) for w in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(180)
        assert process.exitcode == 0
    history = store_backend.open().history()
    assert [v.number for v in history] == list(range(1, workers * count + 1))  # consecutive
    assert [v.previous for v in history] == [None, *range(1, workers * count)]  # each on the one before
    assert sorted(v.file_name for v in history) == sorted(
        f"w{w}-{i}.xlsx" for w in range(workers) for i in range(count)
    )  # no lost update
    reader = store_backend.open()
    for version in history:
        assert load_workbook(io.BytesIO(reader.read_bytes(version.number))).active["A1"].value == (
            "người {} lần {}".format(*version.file_name[1:-5].split("-"))
        )


# ------------------------------------------------------------------------------------ PostgreSQL only


def _rows(url: str, query: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchall()


class _DiesMidPublish(PgStore):
    """A store whose database server is stopped right after the version row was written, before the
    audit entry and the commit (the real server, stopped for real)."""

    server: Cluster

    def _write_version(self, version, data, derived=None):  # type: ignore[no-untyped-def]
        written = super()._write_version(version, data, derived)
        self.server.stop("immediate")
        return written


def test_database_going_away_mid_publish_leaves_nothing_half_done(pg: Cluster, tmp_path: Path) -> None:
    url = pg.new_database()
    s = PgStore(url, tmp_path / "cache")
    publish(s, tiny_xlsx("một"), None)
    dying = _DiesMidPublish(url, tmp_path / "cache")
    dying.server = pg
    try:
        with pytest.raises(StoreError) as caught:
            publish(dying, tiny_xlsx("hai"), 1)
        assert caught.value.code == "db_unavailable"
        assert "PostgreSQL" in caught.value.message and "nguyên vẹn" in caught.value.message
        assert "Traceback" not in caught.value.message
        # While the server is down: a clear refusal, not a hang and not a traceback.
        with pytest.raises(StoreError) as down:
            PgStore(url, tmp_path / "cache").current()
        assert down.value.code == "db_unavailable"
    finally:
        pg.start()
    after = PgStore(url, tmp_path / "cache")
    assert after.current_number() == 1
    assert _rows(url, "SELECT number FROM cchc_versions") == [(1,)]
    assert [e["version"] for e in after.audit() if e["outcome"] == "published"] == [1]
    assert publish(after, tiny_xlsx("hai"), 1) == 2  # and the store goes on
    close_pools()


def test_versions_are_immutable_in_the_database(pg: Cluster, tmp_path: Path) -> None:
    url = pg.new_database()
    publish(PgStore(url, tmp_path / "cache"), tiny_xlsx("một"), None)
    for statement in ("UPDATE cchc_versions SET data = 'x'", "DELETE FROM cchc_versions"):
        with pytest.raises(psycopg.errors.RaiseException), psycopg.connect(url) as conn:
            conn.execute(statement)
    close_pools()


def test_schema_checks_refuse_an_unknown_schema(pg: Cluster, tmp_path: Path) -> None:
    url = pg.new_database(migrated=False)
    with pytest.raises(StoreError) as missing:
        PgStore(url, tmp_path / "cache")
    assert missing.value.code == "schema_missing" and "store migrate" in missing.value.message
    with psycopg.connect(url, autocommit=True) as conn:
        from cchc_lib.publishing.pg_schema import migrate

        assert migrate(conn) == (None, SCHEMA_VERSION)
        assert migrate(conn) == (SCHEMA_VERSION, SCHEMA_VERSION)  # idempotent
        conn.execute("INSERT INTO cchc_schema (version) VALUES (%s)", (SCHEMA_VERSION + 1,))
    close_pools()
    with pytest.raises(StoreError) as unknown:
        PgStore(url, tmp_path / "cache")
    assert unknown.value.code == "schema_unknown"
    assert unknown.value.message.startswith(
        f"Cơ sở dữ liệu PostgreSQL của kho dữ liệu có lược đồ phiên bản {SCHEMA_VERSION + 1}, mới hơn"
    )
    close_pools()


def test_a_password_in_the_settings_is_refused(tmp_path: Path) -> None:
    settings = Settings(store_dir=str(tmp_path), store_url="postgresql://cchc:secret@127.0.0.1:1/cchc")
    with pytest.raises(StoreError) as caught:
        open_store(settings)
    assert caught.value.code == "secret_in_settings" and "secret" not in caught.value.message


def test_migrate_command(pg: Cluster, tmp_path: Path) -> None:
    url = pg.new_database(migrated=False)
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(f'store_url = "{url}"\nstore_dir = "{tmp_path / "cache"}"\n', encoding="utf-8")
    first = run_cli("--settings", str(settings_file), "store", "migrate")
    assert (first.returncode, first.stdout) == (
        0,
        f"Đã tạo lược đồ kho dữ liệu trong PostgreSQL (phiên bản {SCHEMA_VERSION}).\n",
    )
    again = run_cli("--settings", str(settings_file), "store", "migrate")
    assert (again.returncode, again.stdout) == (
        0,
        f"Lược đồ kho dữ liệu đã ở phiên bản {SCHEMA_VERSION}: không có gì thay đổi.\n",
    )
    status = run_cli("--settings", str(settings_file), "store", "status", "--format", "json")
    assert status.returncode == 0, status.stderr
    plain = tmp_path / "plain.toml"
    plain.write_text(f'store_dir = "{tmp_path / "folder"}"\n', encoding="utf-8")
    refused = run_cli("--settings", str(plain), "store", "migrate")
    assert refused.returncode == 1 and "store_url" in refused.stderr


def test_the_server_refuses_to_start_on_a_schema_it_does_not_know(pg: Cluster, tmp_path: Path) -> None:
    url = pg.new_database(migrated=False)
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(f'store_url = "{url}"\nstore_dir = "{tmp_path / "cache"}"\n', encoding="utf-8")
    port = str(_free_port())
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
               "--server.port", port, "--server.address", "127.0.0.1"]  # fmt: skip
    env = {**os.environ, "CCHC_SETTINGS": str(settings_file)}
    ended = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert ended.returncode == 1
    assert (
        "Máy chủ không khởi động: Cơ sở dữ liệu PostgreSQL của kho dữ liệu chưa được khởi tạo. Quản trị viên "
        "hãy chạy lệnh `python -m cchc_lib store migrate` rồi khởi động lại máy chủ."
    ) in ended.stderr
    assert "Traceback" not in ended.stderr


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_older_schema_is_refused_then_upgraded_keeping_the_data(pg: Cluster, tmp_path: Path) -> None:
    from cchc_lib.publishing.pg_schema import MIGRATIONS

    url = pg.new_database(migrated=False)
    with psycopg.connect(url, autocommit=True) as conn:  # a database migrated by the release of schema 1
        conn.execute(
            "CREATE TABLE cchc_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        conn.execute(MIGRATIONS[0][1])
        conn.execute("INSERT INTO cchc_schema (version) VALUES (1)")
        data = tiny_xlsx("một")
        meta = {"number": 1, "sha256": hashlib.sha256(data).hexdigest(), "created_at": "2024-05-02T08:00:00+07:00",
                "user": "admin1", "kind": "replace", "file_name": "mot.xlsx", "rows": 3, "previous": None,
                "unit_code": None, "size": len(data), "rollback_of": None}  # fmt: skip
        conn.execute(
            "INSERT INTO cchc_versions (number, sha256, size, data, meta) VALUES (1, %s, %s, %s, %s)",
            (meta["sha256"], len(data), data, psycopg.types.json.Json(meta)),
        )
        conn.execute("INSERT INTO cchc_pointer (number, sha256) VALUES (1, %s)", (meta["sha256"],))
    with pytest.raises(StoreError) as old:
        PgStore(url, tmp_path / "cache")
    assert old.value.code == "schema_old"
    assert "cũ hơn phiên bản" in old.value.message and "store migrate" in old.value.message
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(f'store_url = "{url}"\nstore_dir = "{tmp_path / "cache"}"\n', encoding="utf-8")
    upgraded = run_cli("--settings", str(settings_file), "store", "migrate")
    assert (upgraded.returncode, upgraded.stdout) == (
        0,
        f"Đã nâng lược đồ kho dữ liệu từ phiên bản 1 lên {SCHEMA_VERSION}.\n",
    )
    close_pools()
    store = PgStore(url, tmp_path / "cache")
    assert store.read_bytes(1) == data and store.current().file_name == "mot.xlsx"  # type: ignore[union-attr]
    assert publish(store, tiny_xlsx("hai"), 1) == 2
    close_pools()


def test_copy_a_folder_store_into_postgresql_and_back(pg: Cluster, tmp_path: Path) -> None:
    from cchc_lib.publishing.store_copy import copy_store

    folder = Store(tmp_path / "folder")
    a, b = tiny_xlsx("một"), tiny_xlsx("hai")
    publish(folder, a, None, file_name="mot.xlsx", rows=3)
    publish(folder, b, 1, file_name="hai.xlsx", rows=5)
    folder.rollback(1, ADMIN)
    with pytest.raises(StoreError):
        publish(folder, tiny_xlsx("ba"), 1)  # stale: a refusal in the audit log
    folder.save_report_texts("2024-Q1", "report", {"chi_dao": "Ban hành Kế hoạch số 12/KH-UBND."}, ADMIN)
    folder.save_column_mapping("XCB", {"Hoạt động": {"Ngày đăng": "date"}}, UNIT)
    folder.close_through(date(2024, 6, 30), ADMIN)
    url = pg.new_database()
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(f'store_url = "{url}"\nstore_dir = "{tmp_path / "folder"}"\n', encoding="utf-8")
    copied = run_cli("--settings", str(settings_file), "store", "copy", "--to-postgresql")
    assert (copied.returncode, copied.stdout) == (
        0,
        "Đã chép 3 phiên bản (hiện hành: 3), 7 mục nhật ký và 3 nội dung đã lưu sang cơ sở dữ liệu PostgreSQL; "
        "mã kiểm tra sha256 của mọi phiên bản khớp với kho nguồn.\n",
    )
    database = PgStore(url, tmp_path / "cache")
    assert [database.read_bytes(n) for n in (1, 2, 3)] == [a, b, a]
    assert database.current().rollback_of == 1  # type: ignore[union-attr]
    assert database.audit() == folder.audit()
    assert database.report_texts("2024-Q1", "report") == {"chi_dao": "Ban hành Kế hoạch số 12/KH-UBND."}
    assert database.column_mapping("XCB") == {"Hoạt động": {"Ngày đăng": "date"}}
    assert database.closed_through() == date(2024, 6, 30)
    again = run_cli("--settings", str(settings_file), "store", "copy", "--to-postgresql")
    assert again.returncode == 1 and "Kho đích đã có dữ liệu" in again.stderr  # never into a store in use
    back = Store(tmp_path / "back")
    result = copy_store(database, back)
    assert (result.versions, result.audit_entries, result.documents, result.current) == (3, 7, 3, 3)
    assert [back.read_bytes(n) for n in (1, 2, 3)] == [a, b, a]
    assert back.check().state == "ok" and back.audit() == folder.audit()
    assert back.column_mapping("XCB") == {"Hoạt động": {"Ngày đăng": "date"}}
    assert back.closed_through() == date(2024, 6, 30)
    close_pools()


# ------------------------------------------------------------------------------------ the test fixtures


def test_without_postgresql_binaries_the_tests_skip_unless_required(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests import pg_cluster

    def missing() -> Path:
        raise RuntimeError("PostgreSQL server binaries not found")

    monkeypatch.setattr(pg_cluster, "_bin_dir", missing)
    monkeypatch.setattr(pg_cluster, "_SHARED", [])
    monkeypatch.delenv("CCHC_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="binaries not found"):
        next(pg_cluster.cluster())
    monkeypatch.setenv("CCHC_REQUIRE_BROWSER", "1")  # the README test command (CI): never skipped
    with pytest.raises(RuntimeError, match="binaries not found"):
        next(pg_cluster.cluster())


@pytest.mark.parametrize(
    ("value", "chosen"), [(None, "folder"), ("", "folder"), ("PostgreSQL", "postgresql")]
)
def test_the_suite_backend_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str | None, chosen: str
) -> None:
    from tests.store_backends import ENV, suite_backend

    if value is None:
        monkeypatch.delenv(ENV, raising=False)
    else:
        monkeypatch.setenv(ENV, value)
    assert suite_backend() == chosen
    monkeypatch.setenv(ENV, "sqlite")
    with pytest.raises(RuntimeError, match="sqlite"):
        suite_backend()
