"""A throw-away PostgreSQL cluster for tests: Debian's server binaries, initdb in a temp folder, loopback port."""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from cchc_lib.publishing.pg_schema import migrate

__all__ = ["Cluster", "cluster", "shutdown"]


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError(
            "PostgreSQL server binaries not found: apt-get install -y -qq postgresql (see the README test command)"
        )
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """One server: `start()`, `stop(mode)`, `new_database()` (a fresh, migrated or empty database's URL)."""

    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.folder = Path(tempfile.mkdtemp(prefix="cchc-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        # initdb and postgres refuse to run as root: as root, run them as the unprivileged `postgres` user.
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "cchc", "-E", "UTF8", "--no-locale")

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.prefix, str(self.bin / tool), *args],
            check=True,
            capture_output=True,
            timeout=120,
            cwd=self.folder,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-o", options, "-w", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgresql://cchc@127.0.0.1:{self.port}/{database}"

    def new_database(self, *, migrated: bool = True) -> str:
        """A new empty database (its schema created by `migrate` unless `migrated` is False): its URL."""
        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        if migrated:
            with psycopg.connect(self.url(name), autocommit=True) as conn:
                migrate(conn)
        return self.url(name)

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


_SHARED: list[Cluster] = []


def cluster() -> Iterator[Cluster]:
    """Body of a `pg` fixture (tests/conftest.py has the session's): the one cluster of the test session,
    started on first use, stopped and deleted by `shutdown` or when the session's process exits. Without
    PostgreSQL's server binaries the test is skipped, unless CCHC_REQUIRE_BROWSER is set (the README test
    command, CI: then it fails)."""
    if not _SHARED:
        try:
            _bin_dir()
        except RuntimeError as exc:
            if os.environ.get("CCHC_REQUIRE_BROWSER"):
                raise
            pytest.skip(str(exc))
        server = Cluster()
        atexit.register(server.remove)
        server.start()
        _SHARED.append(server)
    yield _SHARED[0]


def shutdown() -> None:
    """Stop and delete the session's cluster, if one was started."""
    while _SHARED:
        server = _SHARED.pop()
        atexit.unregister(server.remove)
        server.remove()
