"""Rate limits of the costly page actions, per browser session and per client address: checks of an
uploaded file (`uploads_per_10min`) and report builds (`reports_per_10min`). The upload endpoint's own
limit lives in upload_gate; logins have their own throttle (cchc_lib/access/throttle.py)."""

from __future__ import annotations

import threading

from cchc_lib.access.rate_limit import RateLimit, wait_message
from cchc_lib.common.settings import Settings
from cchc_lib.web import auth, upload_gate

__all__ = ["ACTIONS", "RateLimited", "keys", "peek", "take"]

WINDOW_S = 600.0
# action -> (the Settings field holding its limit, the phrase of the refusal)
ACTIONS = {
    "check": ("uploads_per_10min", "kiểm tra tệp tải lên"),
    "report": ("reports_per_10min", "tạo báo cáo"),
}
_lock = threading.Lock()
_limits: dict[tuple[str, int], RateLimit] = {}


class RateLimited(Exception):
    """An action refused by its rate limit; the message is the Vietnamese refusal."""


def _limit(action: str, settings: Settings) -> tuple[RateLimit, str]:
    field, phrase = ACTIONS[action]
    limit = int(getattr(settings, field))
    with _lock:
        rate = _limits.setdefault((action, limit), RateLimit(limit, WINDOW_S))
    return rate, phrase


def keys() -> tuple[str, str]:
    """This browser session's and this client address's keys (take them during the page run: a
    deferred download's callable runs outside it). A run without a client address (AppTest, a bare
    run) has no address key: "" is ignored, so such runs never share one count."""
    address = auth.client_address()
    return f"s|{upload_gate.current_session_id() or ''}", f"a|{address}" if address else ""


def peek(action: str, settings: Settings, who: tuple[str, str] | None = None) -> str | None:
    """The refusal `take` would give now (None: allowed), counting nothing."""
    rate, phrase = _limit(action, settings)
    wait = rate.peek(who or keys())
    return wait_message(phrase, wait) if wait > 0 else None


def take(action: str, settings: Settings, who: tuple[str, str] | None = None) -> None:
    """Count one `action` for this session and address (`who`, default this run's `keys()`), or raise
    RateLimited with the refusal."""
    rate, phrase = _limit(action, settings)
    wait = rate.acquire(who or keys())
    if wait > 0:
        raise RateLimited(wait_message(phrase, wait))
