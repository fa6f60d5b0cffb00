"""How a server process learns that another published a version: PostgreSQL's LISTEN/NOTIFY, one listener per process."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo

__all__ = [
    "CHANNEL",
    "LISTENER_NAME",
    "Listener",
    "PointerWatch",
    "announce",
    "forget",
    "listener",
    "pointer_watch",
    "stop_listeners",
]

LOG = logging.getLogger(__name__)
CHANNEL = "cchc_version"  # NOTIFY channel; payload: the number of the version made current
LISTENER_NAME = "cchc-listen"  # application_name of the listener's connection (pg_stat_activity)
_WAIT_S = 0.5  # the listener looks at its stop flag this often
_HEARTBEAT_S = 30.0  # an idle listener reads the pointer this often (finds a dead link, misses nothing)
_BACKOFF_S = (0.2, 10.0)  # reconnection delay: first, doubling up to the last
_KEEPALIVE = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3}

_LISTENERS: dict[str, Listener] = {}
_WATCHES: dict[str, PointerWatch] = {}
_REGISTRY_LOCK = threading.Lock()
_INHERITED: list[Any] = []  # a forked child's copies of its parent's listeners: never closed (shared sockets)


def announce(conn: psycopg.Connection, number: int) -> None:
    """NOTIFY every listening server that version `number` is current, inside the caller's transaction
    (PostgreSQL delivers it on commit only, never for a rolled-back publish)."""
    conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(number)))


def _connect(conninfo: str) -> psycopg.Connection:
    return psycopg.connect(conninfo, autocommit=True)


class Listener:
    """A daemon thread holding one dedicated connection that LISTENs on CHANNEL and records the number of
    the newest announced current version (`state()`); on every (re)connection it reads the pointer itself,
    so nothing announced while it was away is missed. A lost connection is retried with a doubling delay."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = make_conninfo(conninfo, application_name=LISTENER_NAME, **_KEEPALIVE)
        self._lock = threading.Lock()
        self._up = False
        self._announced: int | None = None
        self._conn: psycopg.Connection | None = None
        self._stop = threading.Event()
        self.connections = 0  # successful (re)connections so far
        self.backend_pid: int | None = None  # the server process of the current connection
        self._thread = threading.Thread(target=self._run, name=LISTENER_NAME, daemon=True)
        self._thread.start()

    def state(self) -> tuple[bool, int | None]:
        """(listening now, the announced current version's number: None for an empty store)."""
        with self._lock:
            return self._up, self._announced

    def stop(self) -> None:
        """End the thread (its connection is closed within _WAIT_S)."""
        self._stop.set()

    def _record(self, number: int | None, *, up: bool | None = None) -> None:
        with self._lock:
            self._announced = number
            if up is not None:
                self._up = up

    def _down(self) -> None:
        with self._lock:
            self._up = False

    def _seed(self, conn: psycopg.Connection) -> None:
        row = conn.execute("SELECT number FROM cchc_pointer").fetchone()
        self._record(int(row[0]) if row else None, up=True)

    def _serve(self, conn: psycopg.Connection) -> None:
        conn.execute(f"LISTEN {CHANNEL}")
        self._seed(conn)  # after LISTEN: a publish committed meanwhile is in the pointer or announced
        self.backend_pid = conn.info.backend_pid
        self.connections += 1
        seeded = time.monotonic()
        while not self._stop.is_set():
            for notice in conn.notifies(timeout=_WAIT_S):
                try:
                    self._record(int(notice.payload))
                except ValueError:
                    LOG.warning("Ignoring the announcement %r on %s", notice.payload, CHANNEL)
            if time.monotonic() - seeded > _HEARTBEAT_S:
                self._seed(conn)
                seeded = time.monotonic()

    def _run(self) -> None:
        delay = _BACKOFF_S[0]
        while not self._stop.is_set():
            try:
                conn = _connect(self._conninfo)
            except psycopg.Error as exc:
                LOG.warning("Listening for new versions: cannot connect (%s); retrying in %.1f s", exc, delay)
            else:
                self._conn = conn
                try:
                    self._serve(conn)
                except psycopg.Error as exc:
                    if self.state()[0]:  # it was listening: retry soon, doubling from the first delay
                        delay = _BACKOFF_S[0]
                    LOG.warning("Listening for new versions: connection lost (%s); polling meanwhile", exc)
                except Exception:  # never end the thread: the pages poll meanwhile, the listener retries
                    LOG.exception("Listening for new versions failed; polling meanwhile")
                finally:
                    self._down()
                    self._conn = None
                    conn.close()
            if self._stop.wait(delay):
                break
            delay = min(delay * 2, _BACKOFF_S[1])


@dataclass(frozen=True)
class _Memo:
    rows: Any
    number: int | None
    at: float
    generation: int


class PointerWatch:
    """The current pointer's rows as this process last read them, read again only when the listener
    announces another version, when this process committed a write (`forget`), or, while the listener is
    down, once they are `poll_s` seconds old: no query per page rerun."""

    def __init__(self, listener: Listener, clock: Callable[[], float] = time.monotonic) -> None:
        self.listener = listener
        self._clock = clock
        self._lock = threading.Lock()
        self._memo: _Memo | None = None
        self._generation = 0
        self.reads = 0  # pointer queries made through the watch

    def forget(self) -> None:
        """This process changed the store: the next `rows` reads the pointer (and nothing read before)."""
        with self._lock:
            self._generation += 1
            self._memo = None

    def rows(self, fetch: Callable[[], Any], number_of: Callable[[Any], int | None], poll_s: float) -> Any:
        """`fetch()` (the pointer query) or its remembered result; `number_of(rows)`: their version."""
        up, announced = self.listener.state()
        with self._lock:
            memo, generation = self._memo, self._generation
        now = self._clock()
        if memo is not None and memo.generation == generation:
            if up and memo.number == announced:
                return memo.rows
            if not up and now - memo.at < poll_s:
                return memo.rows
        rows = fetch()
        with self._lock:
            self.reads += 1
            if self._generation == generation:
                self._memo = _Memo(rows, number_of(rows), now, generation)
        return rows


def listener(url: str, conninfo: str) -> Listener:
    """This process's one listener for the store at `url` (started on first use)."""
    with _REGISTRY_LOCK:
        found = _LISTENERS.get(url)
        if found is None:
            found = _LISTENERS[url] = Listener(conninfo)
        return found


def pointer_watch(url: str, conninfo: str) -> PointerWatch:
    """This process's one PointerWatch for the store at `url` (its listener started on first use)."""
    with _REGISTRY_LOCK:
        found = _WATCHES.get(url)
    if found is None:
        found = PointerWatch(listener(url, conninfo))
        with _REGISTRY_LOCK:
            found = _WATCHES.setdefault(url, found)
    return found


def forget(url: str) -> None:
    """This process committed a write to the store at `url`: its watch (if any) reads the pointer again
    at the next check, without waiting for its own announcement to come back."""
    with _REGISTRY_LOCK:
        found = _WATCHES.get(url)
    if found is not None:
        found.forget()


def stop_listeners() -> None:
    """Stop this process's listeners and forget what they announced (started again on the next use)."""
    with _REGISTRY_LOCK:
        for found in _LISTENERS.values():
            found.stop()
        _LISTENERS.clear()
        _WATCHES.clear()


def _after_fork() -> None:
    # The child has no listener thread; the inherited connection shares the parent's socket, so closing
    # it (even by garbage collection) would end the parent's listener: keep it, unused, and start afresh.
    # The registry's lock may have been held by another thread of the parent: the child gets a new one.
    global _REGISTRY_LOCK
    _REGISTRY_LOCK = threading.Lock()
    _INHERITED.extend(_LISTENERS.values())
    _LISTENERS.clear()
    _WATCHES.clear()


os.register_at_fork(after_in_child=_after_fork)
