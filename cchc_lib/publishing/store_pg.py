"""The store in PostgreSQL, for several servers sharing one store: versions, pointer, audit log, documents."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import make_conninfo
from psycopg.types.json import Json
from psycopg_pool import ConnectionPool

from cchc_lib.common.atomic import atomic_write, discard_dead_temps
from cchc_lib.publishing.pg_notify import announce, forget, pointer_watch, stop_listeners
from cchc_lib.publishing.pg_schema import check_schema
from cchc_lib.publishing.store import Store
from cchc_lib.publishing.store_base import CACHE_DIR, StoreError, Version, _disk_error, _sha256, file_sha256
from cchc_lib.publishing.store_check import Finding, Health, RepairPlan, cache_findings

__all__ = ["PASSWORD_ENV", "PgDb", "PgStore", "close_pools", "conninfo", "connect"]

PASSWORD_ENV = "CCHC_STORE_PASSWORD"  # the database password: from the environment, never the settings
PUBLISH_LOCK_KEY = 0x43434843_0002  # the advisory lock every write of the store holds (its transaction)
LOCAL_VERSIONS = "pg_versions"  # under the local cache folder: the bytes of versions this server opened
_LOCK_TIMEOUT_S = 60.0
_CONNECT_TIMEOUT_S = 5
_POOL_TIMEOUT_S = 5.0
POLL_SECONDS = 2.0  # the pointer read's age at most while not listening (store_poll_seconds)

_POOLS: dict[str, ConnectionPool] = {}
_POOLS_LOCK = threading.Lock()
_SCHEMA_CHECKED: set[str] = set()
_INHERITED: list[ConnectionPool] = []  # a forked child's copies of its parent's pools: never closed
# One fetch of a version's bytes into the local cache at a time: the sessions of a server that all open a
# new version at once would otherwise write the same temporary file together (a torn copy, "corrupt").
_MATERIALISING = threading.Lock()


def _after_fork() -> None:
    # The parent's pools share its sockets: closing them here would end the parent's connections.
    global _MATERIALISING
    _MATERIALISING = threading.Lock()  # another thread of the parent may have held it
    _INHERITED.extend(_POOLS.values())
    _POOLS.clear()
    _SCHEMA_CHECKED.clear()


os.register_at_fork(after_in_child=_after_fork)


def conninfo(url: str) -> str:
    """The connection string of `url` (the `store_url` setting) with the password of $CCHC_STORE_PASSWORD
    when set (else libpq's own: PGPASSWORD, ~/.pgpass). StoreError "secret_in_settings" for a URL that
    carries a password: the settings file is kept in git, a password never is."""
    if urlsplit(url).password:
        raise StoreError(
            "secret_in_settings",
            "Cấu hình store_url có chứa mật khẩu cơ sở dữ liệu. Không ghi mật khẩu vào tệp cấu hình: hãy xóa "
            f"mật khẩu khỏi store_url và đặt biến môi trường {PASSWORD_ENV} (hoặc PGPASSWORD, tệp .pgpass).",
        )
    password = os.environ.get(PASSWORD_ENV)
    extra: dict[str, Any] = {"connect_timeout": _CONNECT_TIMEOUT_S, "application_name": "cchc"}
    if password:
        extra["password"] = password
    return make_conninfo(url, **extra)


def connect(url: str) -> psycopg.Connection:
    """One connection to the store's database (for `store migrate`); StoreError "db_unavailable"."""
    try:
        return psycopg.connect(conninfo(url), autocommit=True)
    except psycopg.OperationalError as exc:
        raise _unavailable() from exc


def _pool(url: str) -> ConnectionPool:
    with _POOLS_LOCK:
        pool = _POOLS.get(url)
        if pool is None:
            pool = ConnectionPool(
                conninfo(url),
                min_size=1,
                max_size=8,
                timeout=_POOL_TIMEOUT_S,
                check=ConnectionPool.check_connection,  # a connection broken by a restart is replaced
                name="cchc-store",
                open=True,
            )
            _POOLS[url] = pool
        return pool


def _discard_pool(url: str, exc: psycopg.Error) -> None:
    """After the database was unreachable: drop the pool of `url` (its reconnection backs off for minutes),
    so the next use connects at once with a new one."""
    if not isinstance(exc, psycopg.OperationalError) or isinstance(
        exc, pg_errors.LockNotAvailable | pg_errors.QueryCanceled
    ):
        return  # the database answered: the pool is sound
    with _POOLS_LOCK:
        pool = _POOLS.pop(url, None)
    if pool is not None:
        pool.close(timeout=0)


def close_pools() -> None:
    """Close this process's connection pools and stop its listeners (each is opened again on the next use)."""
    stop_listeners()
    with _POOLS_LOCK:
        for pool in _POOLS.values():
            pool.close()
        _POOLS.clear()
        _SCHEMA_CHECKED.clear()


def _unavailable(committing: bool = False) -> StoreError:
    if committing:
        return StoreError(
            "db_unavailable",
            "Mất kết nối với cơ sở dữ liệu PostgreSQL đúng lúc ghi nên không biết thao tác đã được ghi hay "
            "chưa (không có gì được ghi dở dang). Hãy xem trang Lịch sử cập nhật trước khi thử lại.",
        )
    return StoreError(
        "db_unavailable",
        "Không kết nối được cơ sở dữ liệu PostgreSQL của kho dữ liệu nên thao tác chưa được thực hiện; dữ "
        "liệu hiện hành vẫn nguyên vẹn. Hãy thử lại sau ít phút; nếu vẫn lỗi, báo quản trị viên kiểm tra "
        "máy chủ cơ sở dữ liệu.",
    )


def _db_error(exc: psycopg.Error, committing: bool = False) -> StoreError:
    if isinstance(exc, psycopg.OperationalError) and not isinstance(exc, pg_errors.LockNotAvailable):
        return _unavailable(committing)
    if isinstance(exc, pg_errors.LockNotAvailable | pg_errors.QueryCanceled):
        return StoreError("busy", "Có người khác đang cập nhật dữ liệu; vui lòng thử lại sau ít phút.")
    return StoreError(
        "db_error",
        f"Cơ sở dữ liệu PostgreSQL của kho dữ liệu báo lỗi (mã {exc.sqlstate or '?'}); dữ liệu hiện hành vẫn "
        "nguyên vẹn. Hãy báo quản trị viên (có thể cần chạy `python -m cchc_lib store migrate`).",
    )


_DIGESTS: dict[tuple[str, int, int, int], str] = {}  # sha256 of a local copy per (path, inode, size, mtime)


def _local_digest(path: Path) -> str | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    key = (str(path), info.st_ino, info.st_size, info.st_mtime_ns)
    if key not in _DIGESTS:
        if len(_DIGESTS) > 4096:
            _DIGESTS.clear()
        _DIGESTS[key] = file_sha256(path)
    return _DIGESTS[key]


def _row_number(rows: list[tuple[Any, ...]]) -> int | None:
    try:
        return int(rows[0][1]["number"]) if rows else None
    except (KeyError, TypeError, ValueError):
        return None


class PgDb:
    """The connections of one database for one store object: `conn()` (the write under way, else one from
    the process's pool), `locked(key, timeout)` (one transaction holding an advisory lock; the connection
    of the write under way while it lasts) and `rows(query)`. Errors come out as StoreError."""

    def __init__(self, url: str, *, check: bool = True) -> None:
        self.url = url
        self._local = threading.local()  # one object may serve several threads (the web's sessions)
        if check and url not in _SCHEMA_CHECKED:
            with self.conn() as conn:
                check_schema(conn)
            _SCHEMA_CHECKED.add(url)

    @property
    def tx(self) -> psycopg.Connection | None:
        """The connection of this thread's write under way, if any."""
        return getattr(self._local, "tx", None)

    @tx.setter
    def tx(self, conn: psycopg.Connection | None) -> None:
        self._local.tx = conn

    @contextlib.contextmanager
    def conn(self) -> Iterator[psycopg.Connection]:
        if self.tx is not None:
            yield self.tx
            return
        try:
            with _pool(self.url).connection() as conn:
                yield conn
        except psycopg.Error as exc:
            _discard_pool(self.url, exc)
            raise _db_error(exc) from exc

    @contextlib.contextmanager
    def locked(self, key: int, timeout: float = _LOCK_TIMEOUT_S) -> Iterator[None]:
        """Committed when the block ends without an exception; StoreError "busy" after `timeout`,
        "db_unavailable" when the database goes away (nothing of the block is then kept)."""
        if self.tx is not None:
            yield
            return
        committing = False
        try:
            with _pool(self.url).connection() as conn, conn.transaction():
                if timeout <= 0:
                    row = conn.execute("SELECT pg_try_advisory_xact_lock(%s)", (key,)).fetchone()
                    if not row or not row[0]:
                        raise StoreError(
                            "busy", "Có người khác đang cập nhật dữ liệu; vui lòng thử lại sau ít phút."
                        )
                else:
                    conn.execute("SELECT set_config('lock_timeout', %s, true)", (f"{int(timeout * 1000)}ms",))
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
                self.tx = conn
                try:
                    yield
                finally:
                    self.tx = None
                committing = True
        except psycopg.Error as exc:
            _discard_pool(self.url, exc)
            raise _db_error(exc, committing) from exc

    def rows(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self.conn() as conn:
            return conn.execute(query, params).fetchall()


class PgStore(Store):
    """The store in the PostgreSQL database of `url`: the same interface as the folder store (`Store`).

    Every write (a publish, a rollback, a refusal or an action in the audit log, a report text, a column
    mapping, a closure) is one transaction under one advisory lock: versions are numbered consecutively, a
    stale preview is refused exactly as in the folder store, and the version, the current pointer and its
    audit entry are committed together or not at all. Version rows are immutable (a trigger). `cache_dir`
    (the `store_dir` setting) is this server's own folder of derived data: the bytes of the versions it
    opened (`Version.path`, checked against their sha256) and the snapshots (cache/), never shared.

    Every publish NOTIFYs the other servers (cchc_lib.publishing.pg_notify). With `watch` (the web's
    store), `check` reads the pointer only when this process's listener announced another version, or,
    while the listener is down, when the pointer read is `poll_seconds` old: no query per page rerun."""

    def __init__(
        self,
        url: str,
        cache_dir: str | os.PathLike[str],
        *,
        check: bool = True,
        watch: bool = False,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.url = url
        self.root = Path(cache_dir)
        self.versions_dir = self.root / LOCAL_VERSIONS
        self._db = PgDb(url, check=check)
        self.watch = pointer_watch(url, conninfo(url)) if watch else None
        self.poll_seconds = poll_seconds
        with contextlib.suppress(OSError):  # what killed writers of this server left in its cache
            for folder in (self.versions_dir, self.root / CACHE_DIR):
                discard_dead_temps(folder)

    def __str__(self) -> str:
        parts = urlsplit(self.url)
        return f"PostgreSQL {parts.hostname or 'localhost'}/{parts.path.lstrip('/')}"

    # ----------------------------------------------------------------- connections
    def _conn(self) -> contextlib.AbstractContextManager[psycopg.Connection]:
        return self._db.conn()

    @contextlib.contextmanager
    def _locked(self, timeout: float = _LOCK_TIMEOUT_S) -> Iterator[None]:
        """One transaction holding the store's advisory lock (see PgDb.locked)."""
        with self._db.locked(PUBLISH_LOCK_KEY, timeout):
            yield
        forget(self.url)  # committed: this process's pages read the pointer afresh (the NOTIFY may lag)

    def _rows(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self._db.rows(query, params)

    # ----------------------------------------------------------------- reading
    def _version_path(self, number: int) -> Path:
        return self.versions_dir / f"{number:06d}.xlsx"

    def _from_meta(self, meta: Any) -> Version:
        try:
            return Version.from_json(meta, self._version_path(int(meta["number"])))
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError("corrupt", "Thông tin của một phiên bản trong cơ sở dữ liệu bị hỏng.") from exc

    def _pointer(self) -> tuple[int, str] | None:
        rows = self._rows("SELECT number, sha256 FROM cchc_pointer")
        return (int(rows[0][0]), str(rows[0][1])) if rows else None

    def _load_version(self, number: int) -> Version:
        rows = self._rows("SELECT meta FROM cchc_versions WHERE number = %s", (number,))
        if not rows:
            raise StoreError("unknown_version", f"Không có phiên bản số {number}.")
        return self._from_meta(rows[0][0])

    def _materialise(self, version: Version) -> Version:
        """Make sure `version.path` holds the version's bytes (fetched once, checked against the sha256)."""
        if _local_digest(version.path) == version.sha256:
            return version
        with _MATERIALISING:
            return self._fetch_bytes(version)

    def _fetch_bytes(self, version: Version) -> Version:
        if _local_digest(version.path) == version.sha256:  # another session fetched it meanwhile
            return version
        rows = self._rows("SELECT data FROM cchc_versions WHERE number = %s", (version.number,))
        data = bytes(rows[0][0]) if rows else b""
        if _sha256(data) != version.sha256:
            raise StoreError(
                "corrupt",
                f"Tệp của phiên bản số {version.number} không khớp mã kiểm tra (sha256): đã bị sửa hoặc hỏng.",
            )
        try:
            atomic_write(version.path, data)
        except OSError as exc:
            raise _disk_error(exc) from exc
        return version

    def _current_rows(self) -> list[tuple[Any, ...]]:
        """[(the pointer's sha256, the current version's metadata)], [] for an empty store: from the
        watch when there is one (see the class)."""

        def fetch() -> list[tuple[Any, ...]]:
            return self._rows(
                "SELECT p.sha256, v.meta FROM cchc_pointer p JOIN cchc_versions v ON v.number = p.number"
            )

        if self.watch is None:
            return fetch()
        return self.watch.rows(fetch, _row_number, self.poll_seconds)

    def current(self) -> Version | None:
        rows = self._rows("SELECT v.meta FROM cchc_pointer p JOIN cchc_versions v ON v.number = p.number")
        return self._materialise(self._from_meta(rows[0][0])) if rows else None

    def version(self, number: int) -> Version:
        return self._materialise(super().version(number))

    def history(self, *, skip_damaged: bool = False) -> list[Version]:
        rows = self._rows(
            "SELECT meta FROM cchc_versions WHERE number <= (SELECT number FROM cchc_pointer) ORDER BY number"
        )
        return [self._from_meta(row[0]) for row in rows]

    def audit(self) -> list[dict[str, Any]]:
        return [row[0] for row in self._rows("SELECT entry FROM cchc_audit ORDER BY id")]

    def _read_document(self, path: Path) -> str:
        rows = self._rows("SELECT content FROM cchc_documents WHERE path = %s", (self._document_key(path),))
        if not rows:
            raise FileNotFoundError(path)
        return str(rows[0][0])

    def _document_key(self, path: Path) -> str:
        return Path(path).relative_to(self.root).as_posix()

    # ----------------------------------------------------------------- writing (under _locked)
    def repair(self, timeout: float = _LOCK_TIMEOUT_S) -> None:
        """Nothing to repair: a killed writer's transaction leaves nothing behind."""

    def _repair_locked(self) -> None:
        """Nothing to repair (see `repair`)."""

    def _next_number(self, current: int | None) -> int:
        rows = self._rows("SELECT coalesce(max(number), 0) + 1 FROM cchc_versions")
        return max(int(rows[0][0]), (current or 0) + 1)

    def _write_version(
        self, version: Version, data: bytes, derived: Callable[[Version], object] | None = None
    ) -> bool:
        with self._conn() as conn:
            conn.execute(
                "INSERT INTO cchc_versions (number, sha256, size, data, meta) VALUES (%s, %s, %s, %s, %s)",
                (version.number, version.sha256, len(data), data, Json(version.to_json())),
            )
            if derived is not None:  # the local snapshot, keyed by content: harmless if the commit fails
                derived(version)
            conn.execute(
                "INSERT INTO cchc_pointer (id, number, sha256) VALUES (true, %s, %s) "
                "ON CONFLICT (id) DO UPDATE SET number = EXCLUDED.number, sha256 = EXCLUDED.sha256",
                (version.number, version.sha256),
            )
            announce(conn, version.number)  # delivered to every server's listener on commit only
        return True

    def _append_audit(self, entry: dict[str, Any]) -> None:
        with self._conn() as conn:
            conn.execute("INSERT INTO cchc_audit (entry) VALUES (%s)", (Json(entry),))

    def _write_document(self, path: Path, content: dict[str, Any] | None, entry: dict[str, Any]) -> None:
        key = self._document_key(path)
        with self._conn() as conn:
            if content is None:
                conn.execute("DELETE FROM cchc_documents WHERE path = %s", (key,))
            else:
                conn.execute(
                    "INSERT INTO cchc_documents (path, content) VALUES (%s, %s) ON CONFLICT (path) "
                    "DO UPDATE SET content = EXCLUDED.content, updated_at = now()",
                    (key, json.dumps(content, ensure_ascii=False, indent=1)),
                )
            self._append_audit(entry)

    # ----------------------------------------------------------------- checking
    def check(
        self,
        *,
        deep: bool = True,
        digest: Callable[[Path], str] = file_sha256,
        cache_check: Callable[[Path, str], str | None] | None = None,
    ) -> Health:
        """The current version's bytes against its sha256 (and the pointer's), with `deep` every version's
        bytes in the database, and this server's cache files (`cache_check`, as the folder store)."""
        if cache_check is None:
            from cchc_lib.publishing.version_keys import check_cache_file as cache_check
        problems: list[Finding] = []
        checked = ["chỉ phiên bản hiện hành trong cơ sở dữ liệu PostgreSQL"]
        rows = self._current_rows()
        if not rows:
            if self._rows("SELECT 1 FROM cchc_versions LIMIT 1"):
                problems.append(
                    Finding(
                        "pointer_missing", "Cơ sở dữ liệu có phiên bản nhưng mất chỉ phiên bản hiện hành."
                    )
                )
                return Health("damaged", None, tuple(problems), checked=tuple(checked))
            return Health("empty", None, checked=tuple(checked))
        current = self._from_meta(rows[0][1])
        if rows[0][0] != current.sha256:
            problems.append(
                Finding(
                    "pointer_mismatch",
                    f"Chỉ phiên bản hiện hành ghi mã kiểm tra khác với phiên bản số {current.number}.",
                    current.number,
                )
            )
        try:
            self._materialise(current)
        except StoreError as exc:
            problems.append(Finding("bytes_corrupt", exc.message, current.number))
        checked.append(f"dữ liệu của phiên bản hiện hành ({current.number})")
        if deep:
            bad = self._rows(
                "SELECT number FROM cchc_versions WHERE encode(sha256(data), 'hex') <> sha256 ORDER BY number"
            )
            for (number,) in bad:
                if number != current.number:
                    problems.append(
                        Finding(
                            "bytes_corrupt",
                            f"Dữ liệu của phiên bản số {number} không khớp mã kiểm tra (sha256).",
                            number,
                        )
                    )
            checked.append("dữ liệu của mọi phiên bản trong cơ sở dữ liệu")
        found, done = cache_findings(self.root, cache_check)
        problems.extend(found)
        checked.append(done)
        if problems:
            return Health("damaged", None, tuple(problems), checked=tuple(checked))
        return Health("ok", current, checked=tuple(checked))

    def repair_plan(
        self,
        *,
        digest: Callable[[Path], str] = file_sha256,
        cache_check: Callable[[Path, str], str | None] | None = None,
    ) -> RepairPlan:
        """Nothing for `store repair` to do: damage inside the database is restored from its backups."""
        health = self.check(deep=True, digest=digest, cache_check=cache_check)
        return RepairPlan(health.problems, (), None, None, False)

    def restore_last_good(self, *args: Any, **kwargs: Any) -> tuple[RepairPlan, Version | None]:
        raise StoreError(
            "unsupported",
            "Kho dữ liệu PostgreSQL không sửa bằng lệnh store repair: hãy khôi phục cơ sở dữ liệu từ bản sao "
            "lưu, hoặc dùng chức năng khôi phục phiên bản cũ.",
        )
