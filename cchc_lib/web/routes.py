"""HTTP routes and middleware of the app server (st.App in app.py): the login cookie is set and
cleared here, HttpOnly, never by a script in the page; security headers on every response.

Flow: the Streamlit login form checks the password, creates the session record and a one-time
ticket, and has the page load `<script src="/_cchc/login.js?ticket=T">` (same origin, allowed by the
CSP): that response exchanges the ticket for the HttpOnly cookie (its body is empty), so the page
stays where it is and later reloads and tabs carry the cookie. Logout ends the record and loads
`/_cchc/logout.js`, whose response ends the record the cookie names (if any) and expires the cookie.
`/_cchc/login?ticket=T&next=/page` and `/_cchc/logout?next=/page` do the same as navigations.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from cchc_lib.access.sessions import COOKIE_NAME, Sessions
from cchc_lib.common.settings import Settings, load_settings
from cchc_lib.publishing.store_factory import open_sessions
from cchc_lib.web.client import client_address
from cchc_lib.web.upload_gate import UploadGate
from cchc_lib.web.vietnamese import LOCALE_JS, PageLanguage, locale_js

__all__ = [
    "LOGIN_JS",
    "LOGIN_PATH",
    "LOGOUT_JS",
    "LOGOUT_PATH",
    "MIDDLEWARE",
    "ROUTES",
    "SecurityHeaders",
    "client_address",
    "content_security_policy",
    "cookie_max_age_s",
    "safe_next",
    "security_headers",
]

LOG = logging.getLogger("cchc_lib.web")
PREFIX = "/_cchc"
LOGIN_PATH, LOGIN_JS = f"{PREFIX}/login", f"{PREFIX}/login.js"
LOGOUT_PATH, LOGOUT_JS = f"{PREFIX}/logout", f"{PREFIX}/logout.js"
_NEXT_RE = re.compile(r"^/(?![/\\])[A-Za-z0-9._~!$&'()*+,;=:@%/?-]{0,500}$")
_STATIC_INDEX = "static/index.html"


# --------------------------------------------------------------------- helpers
def is_https(headers: Mapping[str, str], scheme: str) -> bool:
    """Whether the browser talks https to us: the request's scheme, or a proxy's X-Forwarded-Proto
    (trusting it can only make the cookie stricter)."""
    proto = next((v for k, v in headers.items() if k.lower() == "x-forwarded-proto"), "")
    return scheme in ("https", "wss") or proto.split(",")[0].strip().lower() == "https"


def safe_next(value: object) -> str:
    """A same-origin path to go back to (anything else, e.g. `//evil.example`, becomes "/")."""
    return value if isinstance(value, str) and _NEXT_RE.match(value) else "/"


def cookie_max_age_s(settings: Settings) -> int:
    """Seconds the cookie lives: login_cookie_hours, never beyond session_max_hours (0: no cookie)."""
    hours = min(float(settings.login_cookie_hours), float(settings.session_max_hours))
    return max(0, int(hours * 3600))


@lru_cache(maxsize=1)
def _inline_script_hashes() -> tuple[str, ...]:
    """CSP hashes of the inline scripts in Streamlit's own index.html (one: `window.prerenderReady`)."""
    import streamlit

    try:
        html = (Path(streamlit.__file__).parent / _STATIC_INDEX).read_text(encoding="utf-8")
    except OSError:
        return ()
    bodies = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    return tuple(
        "'sha256-" + base64.b64encode(hashlib.sha256(b.encode("utf-8")).digest()).decode() + "'"
        for b in bodies
    )


def content_security_policy() -> str:
    """Only the app's own scripts (plus the hashed inline one of Streamlit's page); inline styles are
    allowed because Streamlit's components (emotion) and plotly write <style> and style attributes."""
    scripts = " ".join(("'self'", *_inline_script_hashes()))
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "frame-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def security_headers() -> list[tuple[bytes, bytes]]:
    """The headers every HTTP response of the app server carries."""
    return [
        (b"content-security-policy", content_security_policy().encode("ascii")),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"x-content-type-options", b"nosniff"),
    ]


class SecurityHeaders:
    """ASGI middleware adding `security_headers()` to every HTTP response (not to websockets)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.extra = security_headers()
        self.names = {name for name, _ in self.extra}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message.get("type") == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in self.names]
                message = {**message, "headers": kept + self.extra}
            await send(message)

        await self.app(scope, receive, send_with_headers)


# ---------------------------------------------------------------------- routes
def _sessions(settings: Settings) -> Sessions:
    return open_sessions(settings)


def _no_store(response: Response) -> Response:
    response.headers["cache-control"] = "no-store"
    return response


def _script(body: str) -> Response:
    return _no_store(Response(body, media_type="text/javascript"))


def _set_session_cookie(response: Response, request: Request, settings: Settings) -> Response:
    """`response` carrying the cookie for the ticket in the request (when it is good and unused)."""
    try:
        session_id = _sessions(settings).redeem_ticket(request.query_params.get("ticket"))
    except Exception:  # a broken store folder: no cookie (the login then lasts only this tab)
        LOG.exception("Redeeming a login ticket failed")
        return response
    max_age = cookie_max_age_s(settings)
    if session_id and max_age > 0:
        response.set_cookie(
            COOKIE_NAME,
            session_id,
            max_age=max_age,
            path="/",
            secure=is_https(request.headers, request.url.scheme),
            httponly=True,
            samesite="strict",
        )
    return response


def _clear_session_cookie(response: Response, request: Request, settings: Settings) -> Response:
    """`response` ending the session the request's cookie names (if any) and expiring the cookie."""
    session_id = request.cookies.get(COOKIE_NAME)
    if session_id:
        peer = request.client.host if request.client else None
        try:
            _sessions(settings).end(
                session_id, "logout", client_address(request.headers, peer, settings.behind_proxy)
            )
        except Exception:
            LOG.exception("Ending a session at logout failed")
    response.delete_cookie(
        COOKIE_NAME,
        path="/",
        secure=is_https(request.headers, request.url.scheme),
        httponly=True,
        samesite="strict",
    )
    return response


async def login_js(request: Request) -> Response:
    """Loaded by the page right after a login (`<script src>`): the response sets the cookie for the
    ticket; the script itself is empty, so the page stays as it is."""
    return _set_session_cookie(_script(""), request, load_settings())


async def logout_js(request: Request) -> Response:
    """Loaded by the page at logout: the response ends the session and expires the cookie."""
    return _clear_session_cookie(_script(""), request, load_settings())


async def login(request: Request) -> Response:
    """The same exchange as a navigation (a link works without scripts), then back to `next`."""
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    return _set_session_cookie(_no_store(response), request, load_settings())


async def logout(request: Request) -> Response:
    """Logout as a navigation, then back to `next`."""
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    return _clear_session_cookie(_no_store(response), request, load_settings())


ROUTES = [
    Route(LOGIN_PATH, login, methods=["GET"]),
    Route(LOGIN_JS, login_js, methods=["GET"]),
    Route(LOGOUT_PATH, logout, methods=["GET"]),
    Route(LOGOUT_JS, logout_js, methods=["GET"]),
    Route(LOCALE_JS, locale_js, methods=["GET"]),  # the date picker in Vietnamese (web/vietnamese.py)
]
# The headers wrap everything (the upload gate's refusals included); the gate stands in front of
# Streamlit's upload endpoint (cchc_lib/web/upload_gate.py); every HTML page loads the language script
# first (cchc_lib/web/vietnamese.py).
MIDDLEWARE = [Middleware(SecurityHeaders), Middleware(UploadGate), Middleware(PageLanguage)]
