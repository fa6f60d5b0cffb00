"""The store backends the tests run on: the folder store or PostgreSQL (the session's throw-away cluster),
chosen per test (the `store_backend` fixture, both) or for the whole suite by $CCHC_TEST_STORE."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from cchc_lib.common.settings import Settings
from cchc_lib.publishing.store import Store
from cchc_lib.publishing.store_factory import open_store
from cchc_lib.publishing.store_pg import close_pools

__all__ = [
    "BACKENDS",
    "ENV",
    "Backend",
    "assert_refused_unchanged",
    "backend",
    "stored",
    "suite_backend",
]

BACKENDS = ("folder", "postgresql")
ENV = "CCHC_TEST_STORE"  # "postgresql": the suite's default store (settings_env ...) is PostgreSQL
_SKIPPED_FILES = (".lock", "audit.jsonl")  # the lock is not content; the audit log is compared by entry


def suite_backend() -> str:
    """The backend of the suite's default store: $CCHC_TEST_STORE, "folder" when unset."""
    name = os.environ.get(ENV, "").strip().lower() or "folder"
    if name not in BACKENDS:
        raise RuntimeError(f"{ENV}={name!r}: expected one of {', '.join(BACKENDS)}")
    return name


@dataclass(frozen=True)
class Backend:
    """One fresh, empty store: `open()` makes a store object on it (each call: another server opening the
    same store); `settings` point at it (`store_dir`, and `store_url` for PostgreSQL)."""

    name: str
    settings: Settings

    @property
    def url(self) -> str:
        return self.settings.store_url

    def open(self) -> Store:
        return open_store(self.settings)

    def toml(self) -> str:
        """The settings file's lines that choose this store."""
        lines = f'store_dir = "{self.settings.store_path.as_posix()}"\n'
        return lines + (f'store_url = "{self.url}"\n' if self.url else "")

    def rows(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """The rows of `query` in the store's database (PostgreSQL only)."""
        with psycopg.connect(self.url) as conn:
            return conn.execute(query, params).fetchall()


def backend(name: str, request: pytest.FixtureRequest, folder: Path) -> Iterator[Backend]:
    """Body of a fixture giving a fresh store of backend `name` under `folder` (PostgreSQL: a new database
    on the session's cluster, the `pg` fixture, started on first use; its pools closed after the test)."""
    if name == "folder":
        yield Backend(name, Settings(store_dir=str(folder / "store")))
        return
    url = request.getfixturevalue("pg").new_database()
    yield Backend(name, Settings(store_dir=str(folder / "store"), store_url=url))
    close_pools()


def _tables(url: str) -> dict[str, list[str]]:
    """Every row of every table of the store (but its audit log and schema version), as sorted JSON texts."""
    with psycopg.connect(url) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                "AND table_name LIKE 'cchc%%' AND table_name NOT IN ('cchc_audit', 'cchc_schema') ORDER BY 1"
            )
        ]
        return {
            name: sorted(row[0] for row in conn.execute(f"SELECT to_jsonb(t)::text FROM {name} t"))
            for name in names
        }


def stored(s: Store) -> dict[str, Any]:
    """Everything `s` stores but its audit log (`audit` gives that): for the folder store the files under
    its folder with their bytes, for PostgreSQL every row of its tables (its folder is this server's cache:
    local copies of versions and snapshots, derived from the database, never the store)."""
    url = getattr(s, "url", None)
    if url:
        return {"files": {}, "tables": _tables(url), "audit": s.audit()}
    files = {
        str(p.relative_to(s.root)): p.read_bytes()
        for p in sorted(s.root.rglob("*"))
        if p.is_file() and p.name not in _SKIPPED_FILES
    }
    return {"files": files, "tables": {}, "audit": s.audit()}


def assert_refused_unchanged(s: Store, before: dict[str, Any], code: str, logged: bool = True) -> dict:
    """Nothing stored differs from `before` (`stored(s)`) but the audit log, which has exactly one more
    entry: a refusal with `code` (none when not `logged`). That entry, or {}."""
    after = stored(s)
    assert (after["files"], after["tables"]) == (before["files"], before["tables"])
    old = before["audit"]
    assert after["audit"][: len(old)] == old
    extra = after["audit"][len(old) :]
    if not logged:
        assert extra == []
        return {}
    assert len(extra) == 1
    assert (extra[0]["outcome"], extra[0]["code"]) == ("refused", code)
    return extra[0]
