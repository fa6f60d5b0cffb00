"""Login sessions and the login throttle in the PostgreSQL store, so every server sees the same logins."""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from psycopg.types.json import Json

from cchc_lib.access.sessions import AUDIT_MAX_BYTES, Sessions
from cchc_lib.access.throttle import Throttle
from cchc_lib.publishing.store_base import StoreError
from cchc_lib.publishing.store_pg import PgDb

__all__ = ["PgSessions", "PgThrottle"]

SESSIONS_LOCK_KEY = 0x43434843_0003  # the sessions' writes (not the publish lock: a login never waits for it)
THROTTLE_LOCK_KEY = 0x43434843_0004
_LOCK_TIMEOUT_S = 30.0
_AUDIT_MAX_ROWS = AUDIT_MAX_BYTES // 160  # about the folder log's size in events; older ones are dropped


class PgSessions(Sessions):
    """`Sessions` whose records, tickets, throttle state and audit log are rows of `cchc_session_items` and
    `cchc_session_audit`, keyed by the path the folder layout gives them (records/<digest>.json, ...).
    Every write is one transaction under an advisory lock; the rules (timeouts, revocation, tickets) are
    those of `Sessions`. `root` (the store_dir setting) only names the keys: nothing is written there."""

    def __init__(
        self,
        url: str,
        root: str | os.PathLike[str],
        *,
        idle_minutes: float = 60.0,
        max_hours: float = 12.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(root, idle_minutes=idle_minutes, max_hours=max_hours, clock=clock)
        self._db = PgDb(url, check=False)  # never raises here: an unreachable database reads as no session

    def _key(self, path: Path) -> str:
        return Path(path).relative_to(self.folder).as_posix()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with self._db.locked(SESSIONS_LOCK_KEY, _LOCK_TIMEOUT_S):
            yield

    def _read(self, path: Path) -> dict[str, Any] | None:
        try:
            rows = self._db.rows("SELECT data FROM cchc_session_items WHERE path = %s", (self._key(path),))
        except StoreError:
            return None  # as the folder sessions read an unreadable file: no session
        raw = rows[0][0] if rows else None
        return raw if isinstance(raw, dict) else None

    def _write(self, path: Path, data: dict[str, Any]) -> None:
        with self._db.conn() as conn:
            conn.execute(
                "INSERT INTO cchc_session_items (path, data) VALUES (%s, %s) ON CONFLICT (path) "
                "DO UPDATE SET data = EXCLUDED.data, updated_at = now()",
                (self._key(path), Json(data)),
            )

    def _remove(self, path: Path) -> None:
        with self._db.conn() as conn:
            conn.execute("DELETE FROM cchc_session_items WHERE path = %s", (self._key(path),))

    def _exists(self, path: Path) -> bool:
        return bool(self._db.rows("SELECT 1 FROM cchc_session_items WHERE path = %s", (self._key(path),)))

    def _listed(self, folder: Path) -> list[Path]:
        prefix = self._key(folder) + "/"
        rows = self._db.rows(
            "SELECT path FROM cchc_session_items WHERE starts_with(path, %s) ORDER BY path", (prefix,)
        )
        return [self.folder / row[0] for row in rows]

    def throttle(self) -> Throttle:
        return PgThrottle(self._db, self.folder / "throttle.json", clock=self.clock)

    def audit(self, event: str, *, user: str | None = None, address: str | None = None, **extra: Any) -> None:
        """As `Sessions.audit`, one row per event (the oldest dropped past about as many events as the
        folder log keeps). Best effort: an unreachable database must not stop a logout."""
        entry = self._audit_entry(event, user=user, address=address, **extra)
        with contextlib.suppress(StoreError), self._locked(), self._db.conn() as conn:
            conn.execute("INSERT INTO cchc_session_audit (entry) VALUES (%s)", (Json(entry),))
            conn.execute(
                "DELETE FROM cchc_session_audit WHERE id <= (SELECT max(id) FROM cchc_session_audit) - %s",
                (_AUDIT_MAX_ROWS,),
            )

    def audit_entries(self, limit: int = 200) -> list[dict[str, Any]]:
        try:
            rows = self._db.rows("SELECT entry FROM cchc_session_audit ORDER BY id DESC LIMIT %s", (limit,))
        except StoreError:
            return []
        return [row[0] for row in rows if isinstance(row[0], dict)]


class PgThrottle(Throttle):
    """`Throttle` whose state is the row `throttle.json` of `cchc_session_items` (one JSON object)."""

    def __init__(self, db: PgDb, path: Path, **options: Any) -> None:
        super().__init__(path, **options)
        self._db = db
        self._item = "throttle.json"

    def _lock(self) -> Any:
        return self._db.locked(THROTTLE_LOCK_KEY, _LOCK_TIMEOUT_S)

    def _read_state(self) -> str:
        try:
            rows = self._db.rows("SELECT data FROM cchc_session_items WHERE path = %s", (self._item,))
        except StoreError as exc:
            raise OSError(exc.message) from exc  # read as no state, as an unreadable file
        if not rows:
            raise FileNotFoundError(self._item)
        return json.dumps(rows[0][0])

    def _write_state(self, text: str) -> None:
        with self._db.conn() as conn:
            conn.execute(
                "INSERT INTO cchc_session_items (path, data) VALUES (%s, %s::json) ON CONFLICT (path) "
                "DO UPDATE SET data = EXCLUDED.data, updated_at = now()",
                (self._item, text),
            )

    def size_bytes(self) -> int:
        try:
            return len(self._read_state().encode("utf-8"))
        except OSError:
            return 0
