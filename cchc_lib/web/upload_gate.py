"""Who may push a file into the server's memory: Streamlit's upload endpoint
(`PUT /_stcore/upload_file/{session_id}/{file_id}`) accepts any live browser session, logged in or not,
and any file id, with no upload box on screen. This gate (ASGI middleware in front of it) lets a file
through only for a browser session whose upload page granted it (a logged-in uploader's widget is on
screen), within the upload size limit, within a per-session and a whole-server memory budget, and
within a rate per session and per client address. Everything else is refused before the body is read.

Grants live in the server's memory (uploads go to the server holding the websocket) and expire
`GRANT_S` seconds after the page last drew the upload box; logout revokes them.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Any

from cchc_lib.access.rate_limit import RateLimit, wait_message
from cchc_lib.common.settings import Settings, load_settings
from cchc_lib.web.client import client_address

__all__ = [
    "GRANT_S",
    "UploadGate",
    "current_session_id",
    "grant",
    "granted",
    "held_bytes",
    "held_files",
    "revoke",
    "session_budget_bytes",
    "session_file_limit",
]

LOG = logging.getLogger("cchc_lib.web")
GRANT_S = 15 * 60.0
_MULTIPART_SLACK = 64 * 1024  # the form's boundary and headers around the file
_PATH_RE = re.compile(r"/_stcore/upload_file/([^/]+)/([^/]+)/?$")
_MB = 1024 * 1024

_lock = threading.Lock()
_grants: dict[str, float] = {}  # Streamlit session id -> monotonic expiry
_in_flight: dict[str, int] = {}  # Streamlit session id -> bytes being received now
_in_flight_files: dict[str, int] = {}  # Streamlit session id -> files being received now
_rates: dict[int, RateLimit] = {}


def current_session_id() -> str | None:
    """The Streamlit session id of the browser session running this page (None outside a run)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def grant(session_id: str | None = None) -> None:
    """Let this browser session (default: the one running the page) upload for GRANT_S seconds."""
    session_id = session_id or current_session_id()
    if not session_id:
        return
    now = time.monotonic()
    with _lock:
        for key in [k for k, until in _grants.items() if until <= now]:
            del _grants[key]
        _grants[session_id] = now + GRANT_S


def revoke(session_id: str | None = None) -> None:
    """End this browser session's grant (logout)."""
    session_id = session_id or current_session_id()
    with _lock:
        _grants.pop(session_id or "", None)


def granted(session_id: str) -> bool:
    with _lock:
        return _grants.get(session_id, 0.0) > time.monotonic()


def session_budget_bytes(settings: Settings) -> int:
    """What one browser session may hold: two files of the upload limit in the one-file box (the old one
    until replaced) plus one batch of units' files (`max_batch_mb` in all)."""
    return int((2 * settings.max_upload_mb + settings.max_batch_mb) * _MB) + 2 * _MULTIPART_SLACK


def session_file_limit(settings: Settings) -> int:
    """How many files one browser session may hold: the one-file box's two and one batch's."""
    return 2 + max(int(settings.max_batch_files), 0)


def _file_storage() -> dict[str, dict[str, Any]]:
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return {}
    storage = getattr(Runtime.instance().uploaded_file_mgr, "file_storage", None)
    return storage if isinstance(storage, dict) else {}


def held_bytes(session_id: str | None = None) -> int:
    """Bytes of uploaded files the server holds (for one session, or in all)."""
    storage = _file_storage()
    sessions = [storage.get(session_id) or {}] if session_id else list(storage.values())
    return sum(len(getattr(rec, "data", b"")) for files in sessions for rec in list(files.values()))


def held_files(session_id: str) -> int:
    """Uploaded files the server holds for one session."""
    return len(_file_storage().get(session_id) or {})


def _rate(settings: Settings) -> RateLimit:
    limit = int(settings.uploads_per_10min)
    with _lock:
        if limit not in _rates:
            _rates[limit] = RateLimit(limit, 600.0)
        return _rates[limit]


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def _address(scope: dict[str, Any], settings: Settings) -> str:
    client = scope.get("client")
    peer = client[0] if client else None
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers") or []}
    return client_address(headers, peer, settings.behind_proxy)


def check(scope: dict[str, Any], session_id: str, settings: Settings) -> tuple[int, str] | None:
    """(HTTP status, Vietnamese reason) refusing this upload request, or None to let it through."""
    limit_mb = settings.max_upload_mb
    if not granted(session_id):
        return 403, "Chỉ người đã đăng nhập với quyền cập nhật dữ liệu mới tải tệp lên được."
    length_text = _header(scope, b"content-length")
    if not length_text.isdigit():
        return 411, "Yêu cầu tải tệp lên không cho biết kích thước tệp."
    length = int(length_text)
    if length > limit_mb * _MB + _MULTIPART_SLACK:
        return 413, f"Tệp lớn hơn giới hạn {limit_mb:g} MB."
    wait = _rate(settings).acquire((f"s|{session_id}", f"a|{_address(scope, settings)}"))
    if wait > 0:
        return 429, wait_message("tải tệp lên", wait)
    with _lock:
        mine = _in_flight.get(session_id, 0)
        mine_files = _in_flight_files.get(session_id, 0)
        everyone = sum(_in_flight.values())
    files = session_file_limit(settings)
    if held_files(session_id) + mine_files + 1 > files:
        return 429, (
            f"Phiên làm việc này đã giữ {files} tệp tải lên, mức tối đa; hãy bỏ bớt tệp hoặc tải lại trang rồi "
            "thử lại."
        )
    if held_bytes(session_id) + mine + length > session_budget_bytes(settings):
        return 429, "Phiên làm việc này đang giữ quá nhiều tệp tải lên; hãy tải lại trang rồi thử lại."
    if held_bytes() + everyone + length > settings.upload_memory_mb * _MB:
        return 503, "Máy chủ đang bận xử lý nhiều tệp tải lên; vui lòng thử lại sau ít phút."
    return None


class UploadGate:
    """ASGI middleware applying `check` to every PUT on Streamlit's upload endpoint."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        match = _PATH_RE.search(scope.get("path", "")) if scope.get("type") == "http" else None
        if match is None or scope.get("method") != "PUT":
            await self.app(scope, receive, send)
            return
        session_id = match.group(1)
        settings = load_settings()
        refusal = check(scope, session_id, settings)
        if refusal is not None:
            status, reason = refusal
            LOG.warning("Upload refused (%s) for session %s: %s", status, session_id[:8], reason)
            await _refuse(send, status, reason)
            return
        length = int(_header(scope, b"content-length"))
        with _lock:
            _in_flight[session_id] = _in_flight.get(session_id, 0) + length
            _in_flight_files[session_id] = _in_flight_files.get(session_id, 0) + 1
        try:
            await self.app(scope, receive, send)
        finally:
            with _lock:
                for counts, amount in ((_in_flight, length), (_in_flight_files, 1)):
                    left = counts.get(session_id, 0) - amount
                    if left > 0:
                        counts[session_id] = left
                    else:
                        counts.pop(session_id, None)


async def _refuse(send: Any, status: int, reason: str) -> None:
    body = reason.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode("ascii")),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
