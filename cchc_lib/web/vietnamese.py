"""Streamlit's own English, hidden or restated in Vietnamese by one style sheet drawn on every page,
and the page's language made Vietnamese before Streamlit's own scripts start (`PageLanguage`).

A style element (the Content-Security-Policy allows inline styles, never inline scripts): text that
Streamlit draws in English is shrunk to nothing and a Vietnamese `::after` text takes its place, or the
control is hidden where the page offers a Vietnamese one. Tooltips are portals without a link to their
button, so each is matched through `body:has(<its button>:hover)`: only one tooltip shows at a time.
"""

from __future__ import annotations

import gzip
from typing import Any

import streamlit as st

__all__ = ["CSS", "LOCALE_JS", "LOCALE_SCRIPT", "PageLanguage", "hide_english", "locale_js", "with_locale"]

# Streamlit's date picker (months, weekdays, first day of the week) follows the browser's language,
# which is often English. The dashboard is Vietnamese only: a same-origin script (served by the app
# server at LOCALE_JS, allowed by the CSP's script-src 'self') makes the page report Vietnamese, so the
# picker shows "tháng 12 năm 2024", T2 … CN and starts on Monday. It changes nothing else in the page.
# Streamlit reads the language when it draws the app, so the script must run before Streamlit's own
# modules: `PageLanguage` puts it at the top of the page's <head> (a script drawn by the page itself
# would run after the picker had taken English, whenever the page's last redraw came first).
LOCALE_JS = "/_cchc/vi.js"
LOCALE_SCRIPT = """(() => {
  const vi = { language: "vi-VN", languages: ["vi-VN", "vi"] };
  for (const [name, value] of Object.entries(vi)) {
    try { Object.defineProperty(Navigator.prototype, name, { get: () => value, configurable: true }); }
    catch (e) { /* an older browser keeps its own language */ }
  }
})();
"""


def _replace(selector: str, text: str, size: str = "0.875rem") -> str:
    """Rules that show `text` instead of the text of the elements matched by `selector`."""
    return (
        f"{selector} {{ font-size: 0 !important; }}\n"
        f'{selector}::after {{ content: "{text}"; font-size: {size}; }}\n'
    )


def _tooltip(button: str, text: str) -> str:
    """The tooltip of `button` (hovered or focused) in Vietnamese."""
    tip = "[data-testid=stTooltipContent] [data-testid=stMarkdownContainer] p"
    return _replace(f"body:has({button}:hover) {tip}, body:has({button}:focus-visible) {tip}", text)


_TOOLBAR = "[data-testid=stElementToolbarButton]"
_DISCONNECTED = "body:has([data-testid=stApp]:not([data-test-connection-state=CONNECTED]))"
_SYSTEM_DIALOG = f"{_DISCONNECTED} section[role=dialog]:not([data-testid=stDialog])"

CSS = "\n".join(
    [
        # The status widget: viewers have nothing to stop; "Connecting" becomes Vietnamese.
        "[data-testid=stStatusWidget] button { display: none !important; }",
        _replace("[data-testid=stConnectionStatus] label", "Đang kết nối lại…"),
        _tooltip("[data-testid=stConnectionStatus]", "Đang kết nối lại với máy chủ"),
        # The "Connection error" dialog shown while the server cannot be reached.
        _replace(f"{_SYSTEM_DIALOG} h2", "Mất kết nối với máy chủ", "1.25rem"),
        _replace(
            f"{_SYSTEM_DIALOG} h2 + div > div",
            "Bảng theo dõi đang tự kết nối lại. Nếu thông báo còn mãi, hãy kiểm tra mạng rồi tải lại trang.",
        ),
        # Table and chart toolbars: the pages offer their own Vietnamese downloads ("Tải Excel").
        f"{_TOOLBAR}:has(button[aria-label='Download as CSV']),"
        f" {_TOOLBAR}:has(button[aria-label='Show/hide columns']) {{ display: none !important; }}",
        _tooltip(f"{_TOOLBAR} button[aria-label=Search]", "Tìm trong bảng"),
        _tooltip(f"{_TOOLBAR} button[aria-label=Fullscreen]", "Phóng to toàn màn hình"),
        _tooltip(f"{_TOOLBAR} button[aria-label='Close fullscreen']", "Thu nhỏ lại"),
        # A text box being edited: "Press Enter to apply".
        _replace("[data-testid=InputInstructions]", "Nhấn Enter để áp dụng", "0.75rem"),
        _replace(
            "[data-testid=stTextArea] [data-testid=InputInstructions]",
            "Nhấn Ctrl+Enter để áp dụng",
            "0.75rem",
        ),
        # A chosen file's size in English units ("205.5KB"): the name alone is enough.
        "[data-testid=stFileChipName] ~ * { display: none !important; }",
        # A selector whose typed text matches nothing: "No results".
        _replace("[role=listbox][data-empty=true] [role=option] span", "Không có kết quả"),
    ]
)


def hide_english() -> None:
    """Draw the style sheet (once per page run; it takes no room)."""
    st.html(f"<style>\n{CSS}</style>")


_HEAD = b"<head>"
_LOCALE_TAG = f'<script src="{LOCALE_JS}"></script>'.encode("ascii")


def with_locale(html: bytes) -> bytes:
    """The page `html` declared Vietnamese (`lang="vi"`) and loading LOCALE_JS first thing in <head>
    (unchanged when it has no <head> or already loads it)."""
    if _LOCALE_TAG in html or _HEAD not in html:
        return html
    html = html.replace(b'<html lang="en">', b'<html lang="vi">', 1)
    return html.replace(_HEAD, _HEAD + b"\n    " + _LOCALE_TAG, 1)


class PageLanguage:
    """ASGI middleware: every HTML page the server sends (Streamlit's index.html, for every page path)
    goes through `with_locale`, sent uncompressed (Streamlit gzips the page paths other than the root
    for a browser that accepts it; the page is 8 KB); any other response passes untouched, unbuffered."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] | None = None
        gzipped = False
        body: list[bytes] = []

        async def send_page(message: dict[str, Any]) -> None:
            nonlocal start, gzipped
            if message["type"] == "http.response.start":
                headers = {k.lower(): v.lower() for k, v in message.get("headers", [])}
                encoding = headers.get(b"content-encoding", b"")
                if headers.get(b"content-type", b"").startswith(b"text/html") and encoding in (b"", b"gzip"):
                    start, gzipped = message, encoding == b"gzip"  # held until the whole page is here
                    return
                await send(message)
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            page = b"".join(body)
            page = with_locale(gzip.decompress(page) if gzipped else page)
            dropped = (b"content-length", b"content-encoding")
            kept = [(k, v) for k, v in start.get("headers", []) if k.lower() not in dropped]
            await send({**start, "headers": [*kept, (b"content-length", str(len(page)).encode())]})
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, send_page)


async def locale_js(request: object) -> object:
    """The app server's route for LOCALE_JS: the constant script, cacheable for an hour."""
    from starlette.responses import Response

    return Response(LOCALE_SCRIPT, media_type="text/javascript", headers={"cache-control": "max-age=3600"})
