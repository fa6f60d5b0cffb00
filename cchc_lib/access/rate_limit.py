"""Sliding-window rate limits for costly actions (uploads, previews, report builds) per key (a browser
session, a client address), in the server's memory: bounded, thread-safe, with a settable clock.

Each key keeps the times of its last `limit` accepted actions; an action is refused while `limit` of
them fall inside the last `window_s` seconds, and the caller learns how many seconds to wait. At most
`max_keys` keys are kept (the least recently used go first), so a flood of addresses or sessions
cannot grow the state.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable

__all__ = ["RateLimit", "wait_message"]


class RateLimit:
    """`limit` actions per `window_s` seconds for each key (0 or less: no limit)."""

    def __init__(
        self,
        limit: int,
        window_s: float,
        *,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = int(limit)
        self.window_s = float(window_s)
        self.max_keys = max(1, int(max_keys))
        self.clock = clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _wait(self, hits: deque[float] | None, now: float) -> float:
        if hits is None or len(hits) < self.limit:
            return 0.0
        return max(0.0, hits[0] + self.window_s - now)

    def peek(self, keys: Iterable[str]) -> float:
        """The seconds `acquire` would ask to wait now (0: it would accept), counting nothing."""
        if self.limit <= 0:
            return 0.0
        with self._lock:
            now = self.clock()
            waits = []
            for key in [k for k in dict.fromkeys(keys) if k]:
                hits = self._hits.get(key)
                recent = deque((t for t in hits or () if t > now - self.window_s), maxlen=self.limit)
                waits.append(self._wait(recent, now))
            return max(waits, default=0.0)

    def acquire(self, keys: Iterable[str]) -> float:
        """Count one action for every key and return 0, or count nothing and return the seconds to wait
        when any key is over its limit. Empty keys are ignored."""
        wanted = [k for k in dict.fromkeys(keys) if k]
        if self.limit <= 0 or not wanted:
            return 0.0
        with self._lock:
            now = self.clock()
            for key in wanted:
                hits = self._hits.get(key)
                while hits and hits[0] <= now - self.window_s:
                    hits.popleft()
            wait = max(self._wait(self._hits.get(k), now) for k in wanted)
            if wait > 0:
                return wait
            for key in wanted:
                hits = self._hits.setdefault(key, deque(maxlen=self.limit))
                hits.append(now)
                self._hits.move_to_end(key)
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
            return 0.0

    def __len__(self) -> int:
        return len(self._hits)


def wait_message(action: str, wait_s: float) -> str:
    """The Vietnamese refusal: "Bạn đã {action} quá nhiều lần trong thời gian ngắn; vui lòng thử lại sau
    N giây." (minutes once it is a minute or more)."""
    seconds = max(1, math.ceil(wait_s))
    when = f"{seconds} giây" if seconds < 60 else f"{math.ceil(seconds / 60)} phút"
    return f"Bạn đã {action} quá nhiều lần trong thời gian ngắn; vui lòng thử lại sau {when}."
