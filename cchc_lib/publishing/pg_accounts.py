"""The accounts in the PostgreSQL store, so every server sees the same users, roles and OIDC mappings."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from cchc_lib.access.accounts import AccountError, Accounts, plain_document
from cchc_lib.publishing.store_base import StoreError
from cchc_lib.publishing.store_pg import PgDb

__all__ = ["ACCOUNTS_LOCK_KEY", "PgAccounts"]

ACCOUNTS_LOCK_KEY = 0x43434843_0005  # every change of the accounts (never the publish lock)
_LOCK_TIMEOUT_S = 30.0  # as the accounts file's lock
_DOCUMENT = """
SELECT coalesce((SELECT json_object_agg(name, json_build_object('role', role, 'unit', unit, 'hash', hash))
                 FROM cchc_accounts), '{}'::json),
       coalesce((SELECT json_object_agg(email, mapping) FROM cchc_oidc), '{}'::json)
"""


@contextlib.contextmanager
def _as_account_error() -> Iterator[None]:
    """The database's refusals as the accounts' own (the page and the command line show AccountError)."""
    try:
        yield
    except StoreError as exc:
        raise AccountError(exc.code, exc.message) from exc


class PgAccounts(Accounts):
    """`Accounts` whose document is the rows of `cchc_accounts` (name, role, unit, password hash) and
    `cchc_oidc` (e-mail, role or "unit:CODE"), schema 3. A change is one transaction under an advisory
    lock: it reads the rows, applies the change (the rules are those of `Accounts`) and writes only the
    rows that differ, so two servers adding accounts at once lose nothing. Nothing is written locally."""

    def __init__(self, url: str) -> None:  # no accounts file: `path` is not set
        self._db = PgDb(url, check=False)  # a schema the server does not know is refused at its start

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        with _as_account_error(), self._db.locked(ACCOUNTS_LOCK_KEY, _LOCK_TIMEOUT_S):
            yield

    def _load(self) -> dict[str, Any]:
        with _as_account_error():
            [(users, oidc)] = self._db.rows(_DOCUMENT)
        return {"users": dict(users or {}), "oidc": dict(oidc or {})}

    def _save(self, raw: dict[str, Any]) -> None:
        wanted = plain_document(raw)
        # The lock is re-entrant: inside a change this is the change's own transaction.
        with self._lock(), self._db.conn() as conn:
            stored = self.document()
            gone_users = sorted(set(stored["users"]) - set(wanted["users"]))
            gone_oidc = sorted(set(stored["oidc"]) - set(wanted["oidc"]))
            if gone_users:
                conn.execute("DELETE FROM cchc_accounts WHERE name = ANY(%s)", (gone_users,))
            if gone_oidc:
                conn.execute("DELETE FROM cchc_oidc WHERE email = ANY(%s)", (gone_oidc,))
            for name, user in wanted["users"].items():
                if stored["users"].get(name) != user:
                    conn.execute(
                        "INSERT INTO cchc_accounts (name, role, unit, hash) VALUES (%s, %s, %s, %s) "
                        "ON CONFLICT (name) DO UPDATE SET role = EXCLUDED.role, unit = EXCLUDED.unit, "
                        "hash = EXCLUDED.hash, updated_at = now()",
                        (name, user["role"], user["unit"], user["hash"]),
                    )
            for email, mapping in wanted["oidc"].items():
                if stored["oidc"].get(email) != mapping:
                    conn.execute(
                        "INSERT INTO cchc_oidc (email, mapping) VALUES (%s, %s) ON CONFLICT (email) "
                        "DO UPDATE SET mapping = EXCLUDED.mapping, updated_at = now()",
                        (email, mapping),
                    )
