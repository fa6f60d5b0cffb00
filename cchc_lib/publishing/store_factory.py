"""The one place that chooses the store's backend: the folder store, or PostgreSQL when `store_url` is set
(the versions and, for the logins, the sessions and the accounts)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from cchc_lib.access.accounts import Accounts
from cchc_lib.access.sessions import Sessions
from cchc_lib.common.settings import Settings
from cchc_lib.publishing.store import Store

__all__ = ["open_accounts", "open_sessions", "open_store"]


def open_store(
    settings: Settings, root: str | os.PathLike[str] | None = None, *, watch: bool = False
) -> Store:
    """The configured store: a folder store at `root` when given (`--store-dir`), else PostgreSQL when the
    `store_url` setting is set (cchc_lib.publishing.store_pg; `store_dir` is then this server's local cache), else
    the folder store at `store_dir`. StoreError when the database is unreachable or its schema is not the
    one this program knows (see cchc_lib.publishing.pg_schema.check_schema). `watch` (the web server): on
    PostgreSQL, `check` learns of a new version from this process's listener (LISTEN/NOTIFY), polling every
    `store_poll_seconds` while it is down; the folder store reads its pointer file as always."""
    if root is not None:
        return Store(root)
    if settings.store_url.strip():
        from cchc_lib.publishing.store_pg import (
            PgStore,  # psycopg is loaded only by a deployment that uses it
        )

        return PgStore(settings.store_url.strip(), settings.store_path, watch=watch,
                       poll_seconds=settings.store_poll_seconds)  # fmt: skip
    return Store(settings.store_path)


def open_sessions(settings: Settings, clock: Callable[[], float] = time.time) -> Sessions:
    """The configured login sessions: in PostgreSQL when `store_url` is set (shared by every server,
    cchc_lib.publishing.pg_sessions), else under the store folder (Sessions.from_settings)."""
    if settings.store_url.strip():
        from cchc_lib.publishing.pg_sessions import PgSessions  # psycopg only where it is used

        return PgSessions(settings.store_url.strip(), settings.store_path,
                          idle_minutes=settings.session_idle_minutes,
                          max_hours=settings.session_max_hours, clock=clock)  # fmt: skip
    return Sessions.from_settings(settings, clock)


def open_accounts(settings: Settings, path: str | os.PathLike[str] | None = None) -> Accounts:
    """The configured accounts: the accounts file at `path` when given (`--users-file`), else PostgreSQL
    when `store_url` is set (shared by every server, cchc_lib.publishing.pg_accounts; $CCHC_USERS is then
    not read), else the accounts file ($CCHC_USERS, else users.toml at the project root)."""
    if path is not None:
        return Accounts(path)
    if settings.store_url.strip():
        from cchc_lib.publishing.pg_accounts import PgAccounts  # psycopg only where it is used

        return PgAccounts(settings.store_url.strip())
    return Accounts()
