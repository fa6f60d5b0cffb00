"""Login throttling that slows the attacker, not the owner: growing delays per (account, address) and
per address, never a lock the right password from another address cannot pass; bounded state.

State (JSON, one file shared by every server using the store folder)::

    {"a|10.0.0.7": {"n": 12, "last": 1733100000.0},          # failures from an address (any name)
     "u|quantri|10.0.0.7": {"n": 5, "last": 1733100000.0}}   # failures for an account from an address

Only accounts that exist get a per-account entry (a name nobody has never creates state of its own);
an entry is forgotten `forget_s` after its last failure, and at most `max_entries` (the most recently
failed) are kept, so a flood of names or addresses cannot grow the file.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock

from cchc_lib.common.atomic import atomic_write

__all__ = ["MAX_ADDRESS_CHARS", "Throttle", "ThrottleEntry", "delay_for"]

MAX_ADDRESS_CHARS = 64  # an IPv6 address with a zone fits; anything longer is cut


def delay_for(failures: int, free: int, cap_s: float) -> float:
    """Seconds to wait after `failures` consecutive failures: none for the first `free - 1`, then 2, 4,
    8 ... seconds, at most `cap_s`."""
    if failures < free:
        return 0.0
    return float(min(cap_s, 2 ** min(failures - free + 1, 40)))


@dataclass(frozen=True)
class ThrottleEntry:
    """One counted source of failures, for the admin's table."""

    account: str | None  # None: the per-address count
    address: str
    failures: int
    last: float
    until: float  # epoch seconds before which a login from here is refused (<= last: no wait)


class Throttle:
    """Failure counts in `path` (see the module docstring); `clock` is settable for tests."""

    def __init__(
        self,
        path: str | Path,
        *,
        free_per_account: int = 3,
        free_per_address: int = 10,
        cap_s: float = 900.0,
        forget_s: float = 3600.0,
        max_entries: int = 2000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name("." + self.path.name + ".lock")
        self.free_per_account = free_per_account
        self.free_per_address = free_per_address
        self.cap_s = cap_s
        self.forget_s = max(forget_s, cap_s)
        self.max_entries = max_entries
        self.clock = clock

    # ------------------------------------------------------------------ state
    @staticmethod
    def _address(address: str | None) -> str:
        return (address or "?")[:MAX_ADDRESS_CHARS]

    def _keys(self, name: str | None, address: str | None) -> list[tuple[str, int]]:
        addr = self._address(address)
        keys = [(f"a|{addr}", self.free_per_address)]
        if name:
            keys.append((f"u|{name}|{addr}", self.free_per_account))
        return keys

    def _load(self) -> dict[str, dict[str, float]]:
        try:
            raw = json.loads(self._read_state())
        except (OSError, ValueError):
            return {}
        if not isinstance(raw, dict):
            return {}
        now = self.clock()
        return {
            k: v
            for k, v in raw.items()
            if isinstance(v, dict)
            and isinstance(v.get("n"), int)
            and isinstance(v.get("last"), int | float)
            and now - v["last"] < self.forget_s
        }

    def _save(self, state: dict[str, dict[str, Any]]) -> None:
        if len(state) > self.max_entries:
            newest = sorted(state.items(), key=lambda kv: kv[1]["last"], reverse=True)[: self.max_entries]
            state = dict(newest)
        self._write_state(json.dumps(state, separators=(",", ":")))

    # The storage primitives the PostgreSQL throttle (cchc_lib.publishing.pg_sessions) replaces.
    def _read_state(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def _write_state(self, text: str) -> None:
        atomic_write(self.path, text.encode("utf-8"), mode=0o600)

    def _lock(self) -> Any:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return FileLock(self.lock_path, timeout=30, thread_local=False)  # a new object per use

    def _until(self, entry: dict[str, Any] | None, free: int) -> float:
        if not entry:
            return 0.0
        return float(entry["last"]) + delay_for(int(entry["n"]), free, self.cap_s)

    # ------------------------------------------------------------------- API
    def wait_s(self, name: str | None, address: str | None) -> float:
        """Seconds before `name` (an existing account, or None) may try again from `address` (0: now)."""
        state = self._load()
        now = self.clock()
        return max([0.0] + [self._until(state.get(k), free) - now for k, free in self._keys(name, address)])

    def failed(self, name: str | None, address: str | None) -> float:
        """Count a failed login (`name` only when the account exists); the wait it now imposes."""
        with self._lock():
            state = self._load()
            now = self.clock()
            waits = [0.0]
            for key, free in self._keys(name, address):
                entry = state.get(key) or {"n": 0}
                state[key] = {"n": int(entry["n"]) + 1, "last": now}
                waits.append(self._until(state[key], free) - now)
            self._save(state)
        return max(waits)

    def succeeded(self, name: str, address: str | None) -> None:
        """A right password: forget the account's failures from this address (the address keeps its
        own count, so one known password cannot reset guessing at others)."""
        key = f"u|{name}|{self._address(address)}"
        with self._lock():
            state = self._load()
            if key in state:
                del state[key]
                self._save(state)

    def forget_account(self, name: str) -> None:
        """Drop every count of `name` (after an admin reset its password)."""
        with self._lock():
            state = self._load()
            keep = {k: v for k, v in state.items() if not k.startswith(f"u|{name}|")}
            if len(keep) != len(state):
                self._save(keep)

    def entries(self) -> list[ThrottleEntry]:
        """Every live count, most recent failure first."""
        rows = []
        for key, entry in self._load().items():
            kind, _, rest = key.partition("|")
            if kind == "u":
                name, _, address = rest.rpartition("|")
                free: int = self.free_per_account
            else:
                name, address, free = None, rest, self.free_per_address
            rows.append(
                ThrottleEntry(
                    name or None, address, int(entry["n"]), float(entry["last"]), self._until(entry, free)
                )
            )
        return sorted(rows, key=lambda r: r.last, reverse=True)

    def size_bytes(self) -> int:
        """Bytes of the state file (0 when there is none)."""
        try:
            return self.path.stat().st_size
        except OSError:
            return 0
