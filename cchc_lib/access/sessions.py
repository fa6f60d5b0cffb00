"""Server-side login sessions in the store folder (shared by every server using it): random ids kept
only as SHA-256 digests, idle and absolute timeouts, revocation, one-time login tickets, an audit log.

Layout under `<store>/sessions/`::

    records/<sha256 of the session id>.json   name, role, password fingerprint, created, last_seen,
                                              address, user_agent
    tickets/<sha256 of the ticket>.json       a login waiting for its cookie: the session id, expires
    throttle.json                             login failure counts (cchc_lib/access/throttle.py)
    audit.jsonl                               logins, failures, logouts, revocations (one JSON a line)
    .lock                                     taken by every write

A record is valid while its account exists with the same password hash and role it had at the login,
it was used within the idle timeout and is younger than the absolute timeout; anything else deletes
it. Nothing here raises on a hostile id or ticket.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock

from cchc_lib.access.accounts import Account, AccountError, Accounts
from cchc_lib.access.throttle import Throttle
from cchc_lib.common.atomic import atomic_write
from cchc_lib.common.settings import Settings

__all__ = [
    "AUDIT_MAX_BYTES",
    "COOKIE_NAME",
    "login",
    "wait_text",
    "TICKET_TTL_S",
    "SessionRecord",
    "Sessions",
    "digest",
    "password_fingerprint",
]

COOKIE_NAME = "cchc_session"
TICKET_TTL_S = 60.0
AUDIT_MAX_BYTES = 4_000_000  # about 25,000 events; older ones are dropped past that
TOUCH_EVERY_S = 30.0  # last_seen is rewritten at most this often (a rerun must not write a file)
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")  # token_urlsafe(32) gives 43 characters
_MAX_AGENT = 200
_MAX_NAME = 64


def digest(secret_text: str) -> str:
    """The SHA-256 hex digest a session id or ticket is stored under."""
    return hashlib.sha256(secret_text.encode("ascii")).hexdigest()


def password_fingerprint(password_hash: str) -> str:
    """A digest of the stored password hash: changes with the password, reveals nothing new."""
    return hashlib.sha256(b"cchc-password|" + password_hash.encode("utf-8")).hexdigest()[:32]


def _well_formed(value: object) -> bool:
    return isinstance(value, str) and bool(_ID_RE.match(value))


@dataclass(frozen=True)
class SessionRecord:
    key: str  # sha256 of the session id (the id itself is only in the browser's cookie)
    name: str
    role: str
    fingerprint: str
    created: float
    last_seen: float
    address: str
    user_agent: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Sessions:
    """The session records under `<root>/sessions` (`root`: the store folder)."""

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        idle_minutes: float = 60.0,
        max_hours: float = 12.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.folder = Path(root) / "sessions"
        self.records_dir = self.folder / "records"
        self.tickets_dir = self.folder / "tickets"
        self.audit_path = self.folder / "audit.jsonl"
        self.lock_path = self.folder / ".lock"
        self.idle_s = max(60.0, float(idle_minutes) * 60)
        self.max_s = max(60.0, float(max_hours) * 3600)
        self.clock = clock

    @classmethod
    def from_settings(cls, settings: Settings, clock: Callable[[], float] = time.time) -> Sessions:
        """The sessions under the configured store folder (publishing.store_factory.open_sessions chooses
        PostgreSQL instead when `store_url` is set)."""
        return cls(settings.store_path, idle_minutes=settings.session_idle_minutes,
                   max_hours=settings.session_max_hours, clock=clock)  # fmt: skip

    def throttle(self) -> Throttle:
        """The login throttle kept next to the records."""
        return Throttle(self.folder / "throttle.json", clock=self.clock)

    # ------------------------------------------------------------- plumbing
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.records_dir.mkdir(parents=True, exist_ok=True)
        self.tickets_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.lock_path, timeout=30, thread_local=False)  # a new object per use
        with lock:
            yield

    def _record_path(self, key: str) -> Path:
        return self.records_dir / f"{key}.json"

    def _read(self, path: Path) -> dict[str, Any] | None:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return raw if isinstance(raw, dict) else None

    def _record(self, key: str) -> SessionRecord | None:
        raw = self._read(self._record_path(key))
        try:
            return SessionRecord(**raw) if raw else None
        except TypeError:
            return None

    def _write(self, path: Path, data: dict[str, Any]) -> None:
        atomic_write(path, json.dumps(data, ensure_ascii=False).encode("utf-8"), mode=0o600)

    # The storage primitives the PostgreSQL sessions (cchc_lib.publishing.pg_sessions) replace.
    def _remove(self, path: Path) -> None:
        path.unlink(missing_ok=True)

    def _exists(self, path: Path) -> bool:
        return path.exists()

    def _listed(self, folder: Path) -> list[Path]:
        """The `*.json` items under `folder` (records or tickets), sorted."""
        return sorted(folder.glob("*.json")) if folder.is_dir() else []

    def _audit_entry(self, event: str, *, user: str | None, address: str | None, **extra: Any) -> dict[str, Any]:
        return {
            "time": datetime.fromtimestamp(self.clock(), UTC).astimezone().isoformat(timespec="seconds"),
            "event": event,
            "user": (user or None) and str(user)[:_MAX_NAME],
            "address": (address or None) and str(address)[:64],
            **extra,
        }

    def audit(self, event: str, *, user: str | None = None, address: str | None = None, **extra: Any) -> None:
        """Append an event (login, login_failed, login_throttled, logout, revoked, end_all) to the
        sessions' audit log. Best effort: a full disk must not stop a logout."""
        entry = self._audit_entry(event, user=user, address=address, **extra)
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        with contextlib.suppress(OSError), self._locked():
            fd = os.open(self.audit_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                os.write(fd, line)
                os.fsync(fd)
                size = os.fstat(fd).st_size
            finally:
                os.close(fd)
            if size > AUDIT_MAX_BYTES:  # failed logins come from anonymous input: keep the newest half
                data = self.audit_path.read_bytes()[-AUDIT_MAX_BYTES // 2 :]
                atomic_write(self.audit_path, data[data.find(b"\n") + 1 :], mode=0o600)

    def audit_entries(self, limit: int = 200) -> list[dict[str, Any]]:
        """The last `limit` audit entries, newest first."""
        try:
            lines = self.audit_path.read_text(encoding="utf-8").splitlines()[-limit:]
        except OSError:
            return []
        entries = []
        for line in reversed(lines):
            with contextlib.suppress(ValueError):
                entries.append(json.loads(line))
        return [e for e in entries if isinstance(e, dict)]

    # --------------------------------------------------------------- create
    def create(self, account: Account, password_hash: str, address: str = "", user_agent: str = "") -> str:
        """A new session for `account` (its password hash as it stands now): the random session id for
        the cookie. The record keeps only the id's digest."""
        session_id = secrets.token_urlsafe(32)
        now = self.clock()
        record = SessionRecord(
            key=digest(session_id),
            name=account.name,
            role=account.role if account.unit_code is None else f"{account.role}:{account.unit_code}",
            fingerprint=password_fingerprint(password_hash),
            created=now,
            last_seen=now,
            address=str(address or "")[:64],
            user_agent=str(user_agent or "")[:_MAX_AGENT],
        )
        with self._locked():
            self._prune_locked()
            self._write(self._record_path(record.key), record.to_json())
        self.audit("login", user=account.name, address=record.address, session=record.key[:12])
        return session_id

    def issue_ticket(self, session_id: str) -> str:
        """A one-time ticket, valid TICKET_TTL_S seconds, that the login route exchanges for the cookie
        holding `session_id` (the ticket file is deleted when used or expired)."""
        ticket = secrets.token_urlsafe(32)
        with self._locked():
            self._write(self.tickets_dir / f"{digest(ticket)}.json",
                        {"session": session_id, "expires": self.clock() + TICKET_TTL_S})  # fmt: skip
        return ticket

    def redeem_ticket(self, ticket: object) -> str | None:
        """The session id of an unused, unexpired ticket (used up now), else None."""
        if not _well_formed(ticket):
            return None
        path = self.tickets_dir / f"{digest(str(ticket))}.json"
        with self._locked():
            raw = self._read(path)
            self._remove(path)
        if not raw or not isinstance(raw.get("expires"), int | float) or raw["expires"] <= self.clock():
            return None
        session_id = raw.get("session")
        return session_id if _well_formed(session_id) else None

    # ------------------------------------------------------------- validate
    def _refusal(self, record: SessionRecord, accounts: Accounts) -> str | None:
        now = self.clock()
        if now - record.created >= self.max_s:
            return "max_age"
        if now - record.last_seen >= self.idle_s:
            return "idle"
        account = accounts.get(record.name)
        stored = accounts.password_hash(record.name)
        if account is None or stored is None:
            return "account_removed"
        if password_fingerprint(stored) != record.fingerprint:
            return "password_changed"
        role = account.role if account.unit_code is None else f"{account.role}:{account.unit_code}"
        if role != record.role:
            return "role_changed"
        return None

    def validate_key(self, key: object, accounts: Accounts, address: str = "") -> Account | None:
        """The account of the live session stored under `key` (a digest), refreshing its last use;
        None (and the record deleted, the reason audit-logged) when it no longer holds."""
        if not (isinstance(key, str) and re.fullmatch(r"[0-9a-f]{64}", key)):
            return None
        record = self._record(key)
        if record is None:
            return None
        reason = self._refusal(record, accounts)
        if reason is not None:
            self._delete(key, reason, record.name, address)
            return None
        if self.clock() - record.last_seen >= TOUCH_EVERY_S:
            with self._locked():
                if self._exists(self._record_path(key)):  # not revoked meanwhile
                    touched = {**record.to_json(), "last_seen": self.clock()}
                    self._write(self._record_path(key), touched)
        return accounts.get(record.name)

    def validate(self, session_id: object, accounts: Accounts, address: str = "") -> Account | None:
        """`validate_key` for the session id a cookie carries."""
        return self.validate_key(digest(session_id), accounts, address) if _well_formed(session_id) else None

    # ----------------------------------------------------------- revocation
    def _delete(self, key: str, reason: str, user: str | None, address: str = "") -> bool:
        with self._locked():
            path = self._record_path(key)
            existed = self._exists(path)
            self._remove(path)
        if existed:
            self.audit("logout" if reason == "logout" else "revoked", user=user, address=address,
                       reason=reason, session=key[:12])  # fmt: skip
        return existed

    def end(self, session_id: object, reason: str = "logout", address: str = "") -> bool:
        """End the session a cookie names; whether there was one."""
        return self.end_key(digest(session_id), reason, address) if _well_formed(session_id) else False

    def end_key(self, key: str, reason: str = "logout", address: str = "") -> bool:
        """End the session stored under `key`; whether there was one."""
        if not re.fullmatch(r"[0-9a-f]{64}", key or ""):
            return False
        record = self._record(key)
        return self._delete(key, reason, record.name if record else None, address)

    def end_account(self, name: str, reason: str, by: str | None = None) -> int:
        """End every session of `name` (password changed, account removed, role changed)."""
        ended = 0
        with self._locked():
            for record in self._records_locked():
                if record.name == name:
                    self._remove(self._record_path(record.key))
                    ended += 1
        self.audit("revoked", user=name, reason=reason, sessions=ended, by=by)
        return ended

    def end_all(self, by: str | None = None) -> int:
        """End every session (the admin's "Kết thúc mọi phiên đăng nhập"); how many there were."""
        with self._locked():
            paths = self._listed(self.records_dir)
            for path in paths:
                self._remove(path)
        self.audit("end_all", user=by, sessions=len(paths))
        return len(paths)

    # -------------------------------------------------------------- listing
    def _records_locked(self) -> list[SessionRecord]:
        records = []
        for path in self._listed(self.records_dir):
            record = self._record(path.stem)
            if record is not None:
                records.append(record)
        return records

    def records(self) -> list[SessionRecord]:
        """Every stored record (live or not yet pruned), most recently used first."""
        return sorted(self._records_locked(), key=lambda r: r.last_seen, reverse=True)

    def _prune_locked(self) -> None:
        now = self.clock()
        for record in self._records_locked():
            if now - record.created >= self.max_s or now - record.last_seen >= self.idle_s:
                self._remove(self._record_path(record.key))
        for path in self._listed(self.tickets_dir):
            raw = self._read(path)
            if not raw or not isinstance(raw.get("expires"), int | float) or raw["expires"] <= now:
                self._remove(path)


def wait_text(seconds: float) -> str:
    """ "30 giây", "2 phút" (rounded up) for a throttle wait."""
    seconds = max(1, int(-(-seconds // 1)))
    return f"{seconds} giây" if seconds < 60 else f"{-(-seconds // 60)} phút"


def login(
    accounts: Accounts, sessions: Sessions, name: str, password: str, address: str = "", user_agent: str = ""
) -> tuple[Account, str]:
    """A password login through the throttle: (account, new session id). AccountError "throttled"
    (too many failures for this account from this address, or from this address; the password is
    not even checked) or "bad_credentials". Failures and logins are audit-logged; throttled tries
    are not (their rate is what the throttle bounds)."""
    name = (name or "").strip()
    known = accounts.get(name) is not None if len(name) <= _MAX_NAME else False
    throttle = sessions.throttle()
    wait = throttle.wait_s(name if known else None, address)
    if wait > 0:
        raise AccountError(
            "throttled",
            f"Đăng nhập sai nhiều lần từ địa chỉ này; vui lòng thử lại sau {wait_text(wait)}.",
        )
    try:
        account = accounts.authenticate(name, password)
    except AccountError:
        wait = throttle.failed(name if known else None, address)
        sessions.audit("login_failed", user=name[:_MAX_NAME] or None, address=address, known=known,
                       wait_s=round(wait))  # fmt: skip
        raise
    stored = accounts.password_hash(account.name) or ""
    throttle.succeeded(account.name, address)
    return account, sessions.create(account, stored, address, user_agent)
