"""Several servers on one PostgreSQL store learn of a new version: NOTIFY heard within a second by another
process, polling while the listener is down, the listener back after its connection was killed, one load
of a version per process whatever the number of sessions, a forked child leaving its parent's listener
alone, and the reporting status reading versions this server never opened (real PostgreSQL server)."""

from __future__ import annotations

import hashlib
import logging
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from cchc_lib.common.settings import Settings
from cchc_lib.publishing import pg_notify
from cchc_lib.publishing.store import Store
from cchc_lib.publishing.store_factory import open_store
from cchc_lib.publishing.store_pg import PgStore, close_pools
from cchc_lib.sample.builder import build_xlsx
from cchc_lib.sample.sample_data import sample_spec
from cchc_lib.web import data, reporting_view
from tests.command import ROOT
from tests.pg_cluster import Cluster, cluster
from tests.test_store_backends import ADMIN, tiny_xlsx
from tests.test_version_keys import ROWS

# Server A, in a process of its own: publishes a new one-cell workbook for every line read, prints its number.
PUBLISHER = textwrap.dedent(
    """
    import sys
    from cchc_lib.access.accounts import Account
    from cchc_lib.common.settings import Settings
    from cchc_lib.publishing.store_factory import open_store
    from tests.test_store_backends import tiny_xlsx
    store = open_store(Settings(store_dir=sys.argv[2], store_url=sys.argv[1]))
    print("ready", flush=True)
    for line in sys.stdin:
        data = tiny_xlsx("A " + line.strip())
        version = store.publish(data, account=Account("admin1", "admin"), kind="replace",
                                file_name="a.xlsx", base_version=store.current_number())
        print(version.number, flush=True)
    """
)


@pytest.fixture(scope="module")
def pg() -> Iterator[Cluster]:
    yield from cluster()


@pytest.fixture
def url(pg: Cluster) -> Iterator[str]:
    yield pg.new_database()
    close_pools()


class Publisher:
    """Server A: `publish()` makes a new version in the other process and returns its number once committed."""

    def __init__(self, url: str, cache: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", PUBLISHER, url, str(cache)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._line() == "ready"
        self.count = 0

    def _line(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def publish(self) -> int:
        assert self.process.stdin is not None
        self.count += 1
        self.process.stdin.write(f"lần {self.count}\n")
        self.process.stdin.flush()
        return int(self._line())

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(30)


@pytest.fixture
def publisher(url: str, tmp_path: Path) -> Iterator[Publisher]:
    found = Publisher(url, tmp_path / "cache-a")
    yield found
    found.close()


def wait_for(condition: Callable[[], object], seconds: float, what: str) -> float:
    """Seconds until `condition()` holds, polled every 5 ms; fails after `seconds`."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > seconds:
            pytest.fail(f"not within {seconds} s: {what}")
        time.sleep(0.005)
    return time.monotonic() - start


def listening(store: PgStore) -> pg_notify.Listener:
    assert store.watch is not None
    found = store.watch.listener
    wait_for(lambda: found.state()[0], 15, "the listener is listening")
    return found


def count_queries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every query the PostgreSQL stores of this process send through their pool, from now on."""
    sent: list[str] = []
    original = PgStore._rows

    def counted(self: PgStore, query: str, params: tuple = ()) -> list[tuple]:
        sent.append(query)
        return original(self, query, params)

    monkeypatch.setattr(PgStore, "_rows", counted)
    return sent


def shown(store: PgStore) -> int | None:
    """The version a page of server B shows: the web's check of the store."""
    current = store.check(deep=False).current
    return None if current is None else current.number


def test_a_publish_on_another_server_is_heard_within_a_second(
    url: str, tmp_path: Path, publisher: Publisher, monkeypatch: pytest.MonkeyPatch
) -> None:
    b = PgStore(url, tmp_path / "cache-b", watch=True)
    heard = listening(b)
    assert heard.state() == (True, None) and shown(b) is None
    for expected in (1, 2, 3):
        assert publisher.publish() == expected  # committed in the other process
        assert wait_for(lambda n=expected: heard.state()[1] == n, 1.0, f"version {expected} announced") < 1.0
        assert shown(b) == expected
    sent = count_queries(monkeypatch)
    for _ in range(200):  # page reruns with no new version: the announcement is enough
        assert shown(PgStore(url, tmp_path / "cache-b", watch=True)) == 3
    assert sent == []
    assert b.current().number == 3  # the commands' reading is untouched: the database itself
    assert sent and "cchc_pointer" in sent[0]


def test_a_publish_in_this_process_is_shown_at_once(url: str, tmp_path: Path) -> None:
    b = PgStore(url, tmp_path / "cache-b", watch=True)
    listening(b)
    assert shown(b) is None
    writer = PgStore(url, tmp_path / "cache-w")  # another session of this server, publishing
    for expected in (1, 2):
        writer.publish(tiny_xlsx(f"lần {expected}"), account=ADMIN, kind="replace", file_name="w.xlsx",
                       base_version=expected - 1 or None)  # fmt: skip
        assert shown(b) == expected  # no wait for the announcement to come back


def test_with_the_listener_killed_the_pointer_is_polled_and_the_listener_comes_back(
    url: str, tmp_path: Path, publisher: Publisher, monkeypatch: pytest.MonkeyPatch, pg: Cluster
) -> None:
    b = PgStore(url, tmp_path / "cache-b", watch=True, poll_seconds=0.5)
    heard = listening(b)
    assert shown(b) is None
    first_pid = heard.backend_pid
    blocked = threading.Event()
    blocked.set()
    real_connect = pg_notify._connect

    def connect(conninfo: str) -> psycopg.Connection:
        if blocked.is_set():
            raise psycopg.OperationalError("the test keeps the listener away")
        return real_connect(conninfo)

    monkeypatch.setattr(pg_notify, "_connect", connect)
    with psycopg.connect(pg.url("postgres"), autocommit=True) as admin:
        names = admin.execute(
            "SELECT application_name FROM pg_stat_activity WHERE pid = %s", (first_pid,)
        ).fetchone()
        assert names == (pg_notify.LISTENER_NAME,)
        admin.execute("SELECT pg_terminate_backend(%s)", (first_pid,))
    wait_for(lambda: not heard.state()[0], 5, "the listener noticed its connection is gone")

    assert publisher.publish() == 1
    sent = count_queries(monkeypatch)
    wait_for(lambda: shown(b) == 1, 0.5 + 1.0, "version 1 seen by polling")
    pointer_reads = [q for q in sent if "cchc_pointer" in q]
    started = time.monotonic()
    while time.monotonic() - started < 1.2:  # reruns for 1.2 s: the pointer read at most every 0.5 s
        assert shown(b) == 1
        time.sleep(0.01)
    polled = [q for q in sent if "cchc_pointer" in q][len(pointer_reads) :]
    assert 1 <= len(polled) <= 3
    assert not heard.state()[0]  # all the while without the listener

    blocked.clear()
    wait_for(lambda: heard.state()[0], 15, "the listener reconnected")
    assert heard.connections == 2 and heard.backend_pid != first_pid
    assert publisher.publish() == 2
    wait_for(lambda: heard.state()[1] == 2, 1.0, "version 2 announced to the reconnected listener")
    assert shown(b) == 2


def test_a_version_is_loaded_once_per_process_however_many_sessions(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = sample_spec()
    first, second = (build_xlsx(replace(spec, activities=rows)) for rows in (ROWS, ROWS[:2]))
    a = PgStore(url, tmp_path / "cache-a")
    a.publish(first, account=ADMIN, kind="replace", file_name="a.xlsx", base_version=None)
    settings = Settings(store_dir=str(tmp_path / "cache-b"), store_url=url)
    loads: list[str] = []
    real_read = data._read

    def read(path: Path, stamp: str, settings: Settings) -> object:
        loads.append(stamp)
        return real_read(path, stamp, settings)

    monkeypatch.setattr(data, "_read", read)
    data._load.clear()
    seen: list[tuple[int | None, int, int]] = []

    def session() -> None:
        for _ in range(5):  # reruns of one session
            source = data.current_source(settings)
            assert source is not None
            workbook = data.load_workbook(source, settings)
            seen.append((source.number, id(workbook), len(workbook.activities)))

    def sessions() -> None:
        threads = [threading.Thread(target=session) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert len(seen) == 40

    sessions()
    assert loads == [hashlib.sha256(first).hexdigest()]
    assert {(n, rows) for n, _, rows in seen} == {(1, 3)} and len({i for _, i, _ in seen}) == 1

    b = open_store(settings, watch=True)
    assert isinstance(b, PgStore) and b.watch is not None
    heard = listening(b)
    a.publish(second, account=ADMIN, kind="replace", file_name="b.xlsx", base_version=1)
    wait_for(lambda: heard.state()[1] == 2, 1.0, "version 2 announced")
    seen.clear()
    sessions()
    assert loads == [hashlib.sha256(first).hexdigest(), hashlib.sha256(second).hexdigest()]
    assert {(n, rows) for n, _, rows in seen} == {(2, 2)} and len({i for _, i, _ in seen}) == 1
    data._load.clear()


# A server process listening, forking a child (as a parse worker would be): the child listens on its own
# connection and publishes; the parent's listener, untouched by the child's exit, hears it.
FORKING = textwrap.dedent(
    """
    import os, sys, time
    from cchc_lib.access.accounts import Account
    from cchc_lib.publishing.store_pg import PgStore
    from tests.test_store_backends import tiny_xlsx

    def until(condition):
        end = time.monotonic() + 15
        while not condition():
            if time.monotonic() > end:
                return False
            time.sleep(0.005)
        return True

    url, folder = sys.argv[1], sys.argv[2]
    parent = PgStore(url, folder + "/p", watch=True)
    assert until(lambda: parent.watch.listener.state()[0])
    pid = os.fork()
    if pid == 0:
        child = PgStore(url, folder + "/c", watch=True)
        ok = child.watch.listener is not parent.watch.listener and until(lambda: child.watch.listener.state()[0])
        ok = ok and child.watch.listener.backend_pid != parent.watch.listener.backend_pid
        child.publish(tiny_xlsx("con"), account=Account("admin1", "admin"), kind="replace",
                      file_name="c.xlsx", base_version=None)
        os._exit(0 if ok else 5)
    _, status = os.waitpid(pid, 0)
    heard = until(lambda: parent.watch.listener.state() == (True, 1))
    print(os.waitstatus_to_exitcode(status), heard, parent.watch.listener.connections, flush=True)
    """
)


def test_a_forked_child_leaves_its_parents_listener_alone(url: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", FORKING, url, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == ["0", "True", "1"], result.stderr


def test_the_folder_store_still_reads_its_pointer_file(tmp_path: Path) -> None:
    settings = Settings(store_dir=str(tmp_path / "store"))
    viewer = open_store(settings, watch=True)
    assert type(viewer) is Store
    writer = open_store(settings)
    writer.publish(tiny_xlsx("một"), account=ADMIN, kind="replace", file_name="a.xlsx", base_version=None)
    assert viewer.check(deep=False).current.number == 1  # at once, nothing to wait for
    writer.publish(tiny_xlsx("hai"), account=ADMIN, kind="replace", file_name="b.xlsx", base_version=1)
    assert viewer.check(deep=False).current.number == 2


def test_the_reporting_status_reads_versions_this_server_never_opened(
    url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    spec = sample_spec()
    first, second = (build_xlsx(replace(spec, activities=rows)) for rows in (ROWS, ROWS[:2]))
    a = PgStore(url, tmp_path / "cache-a")
    a.publish(first, account=ADMIN, kind="replace", file_name="a.xlsx", base_version=None)
    a.publish(second, account=ADMIN, kind="replace", file_name="b.xlsx", base_version=1)
    settings = Settings(store_dir=str(tmp_path / "cache-b"), store_url=url)
    reporting_view._version_keys.clear()
    with caplog.at_level(logging.WARNING):
        versions, keys, current = reporting_view.store_versions(settings)
    assert "Reading version file" not in caplog.text
    assert current == 2 and list(versions["version"]) == [1, 2]
    assert sorted(keys) == [1, 2]
    assert list(keys[1]["unit_code"]) == ["XCB", "XCN", "XCN"]
    assert list(keys[2]["unit_code"]) == ["XCB", "XCN"]
    local = tmp_path / "cache-b" / "pg_versions"
    assert (local / "000001.xlsx").read_bytes() == first and (local / "000002.xlsx").read_bytes() == second
    reporting_view._version_keys.clear()
