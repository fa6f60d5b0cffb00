"""The app server's routes and middleware (starlette TestClient): the ticket exchanged once for an
HttpOnly cookie, logout ending the record and the cookie, safe redirects, the security headers."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from cchc_lib.access.accounts import Accounts
from cchc_lib.access.sessions import COOKIE_NAME, Sessions
from cchc_lib.web import routes

testclient = pytest.importorskip("starlette.testclient")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    settings = tmp_path / "settings.toml"
    settings.write_text(f'store_dir = "{(tmp_path / "store").as_posix()}"\n')
    monkeypatch.setenv("CCHC_SETTINGS", str(settings))
    accounts = Accounts(tmp_path / "users.toml")
    accounts.add("quantri", "admin", "mat-khau-dai")
    sessions = Sessions(tmp_path / "store")

    async def page(request):
        return PlainTextResponse("trang")

    app = Starlette(routes=[*routes.ROUTES, Route("/trang", page)], middleware=routes.MIDDLEWARE)
    client = testclient.TestClient(app, follow_redirects=False)
    session_id = sessions.create(accounts.get("quantri"), accounts.password_hash("quantri"))
    return client, sessions, accounts, session_id, settings


def set_cookie(response) -> str:
    return "; ".join(v for k, v in response.headers.multi_items() if k == "set-cookie")


def test_ticket_gives_an_http_only_cookie_once(site) -> None:
    client, sessions, _accounts, session_id, _ = site
    ticket = sessions.issue_ticket(session_id)
    response = client.get(f"/_cchc/login?ticket={ticket}&next=/cap_nhat_du_lieu%3Fx%3D1")
    assert response.status_code == 303 and response.headers["location"] == "/cap_nhat_du_lieu?x=1"
    cookie = set_cookie(response)
    assert cookie == f"{COOKIE_NAME}={session_id}; HttpOnly; Max-Age=43200; Path=/; SameSite=strict"
    assert response.headers["cache-control"] == "no-store"
    again = client.get(f"/_cchc/login?ticket={ticket}&next=/")
    assert again.status_code == 303 and set_cookie(again) == ""


def test_secure_behind_https(site) -> None:
    client, sessions, _, session_id, _ = site
    ticket = sessions.issue_ticket(session_id)
    response = client.get(f"/_cchc/login?ticket={ticket}", headers={"X-Forwarded-Proto": "https"})
    assert "; Secure" in set_cookie(response) and "HttpOnly" in set_cookie(response)


def test_cookie_lifetime_settings(site) -> None:
    client, sessions, _, session_id, settings = site
    base = settings.read_text()
    settings.write_text(base + "login_cookie_hours = 24\nsession_max_hours = 2\n")
    response = client.get(f"/_cchc/login?ticket={sessions.issue_ticket(session_id)}")
    assert "Max-Age=7200;" in set_cookie(response)  # never beyond the session's absolute lifetime
    settings.write_text(base + "login_cookie_hours = 0\n")
    response = client.get(f"/_cchc/login?ticket={sessions.issue_ticket(session_id)}")
    assert response.status_code == 303 and set_cookie(response) == ""


@pytest.mark.parametrize(
    ("next_", "location"),
    [("/lich_su", "/lich_su"), ("//evil.example/x", "/"), ("/\\evil.example", "/"), ("https://evil.example", "/"),
     ("", "/"), ("javascript:alert(1)", "/"), ("/a\r\nSet-Cookie:x=1", "/")],
)  # fmt: skip
def test_redirects_stay_on_the_site(site, next_: str, location: str) -> None:
    client = site[0]
    for path in ("/_cchc/login?ticket=x", "/_cchc/logout?x=1"):
        response = client.get(path, params={"next": next_})
        assert response.status_code == 303 and response.headers["location"] == location


def test_logout_ends_the_record_and_the_cookie(site) -> None:
    client, sessions, accounts, session_id, _ = site
    client.cookies.set(COOKIE_NAME, session_id)
    response = client.get("/_cchc/logout?next=/trang")
    assert response.status_code == 303 and response.headers["location"] == "/trang"
    cookie = set_cookie(response)
    assert cookie.startswith(f'{COOKIE_NAME}=""; ') and "Max-Age=0" in cookie and "HttpOnly" in cookie
    assert sessions.validate(session_id, accounts) is None
    assert sessions.audit_entries()[0]["event"] == "logout"


def test_script_routes_set_and_clear_the_cookie(site) -> None:
    """What the page loads after a login and at logout: empty scripts whose responses do the work."""
    client, sessions, accounts, session_id, _ = site
    ticket = sessions.issue_ticket(session_id)
    loaded = client.get(f"/_cchc/login.js?ticket={ticket}")
    assert loaded.status_code == 200 and loaded.text == ""
    assert loaded.headers["content-type"].startswith("text/javascript")
    assert loaded.headers["cache-control"] == "no-store"
    assert (
        set_cookie(loaded) == f"{COOKIE_NAME}={session_id}; HttpOnly; Max-Age=43200; Path=/; SameSite=strict"
    )
    assert set_cookie(client.get(f"/_cchc/login.js?ticket={ticket}")) == ""  # used up
    assert set_cookie(client.get('/_cchc/login.js?ticket=");alert(1);//')) == ""

    client.cookies.set(COOKIE_NAME, session_id)
    out = client.get("/_cchc/logout.js")
    assert out.status_code == 200 and out.text == ""
    assert "Max-Age=0" in set_cookie(out) and "HttpOnly" in set_cookie(out)
    assert sessions.validate(session_id, accounts) is None


@pytest.mark.parametrize("path", ["/trang", "/_cchc/login", "/_cchc/logout", "/_cchc/login.js", "/khong-co"])
def test_security_headers_on_every_response(site, path: str) -> None:
    response = site[0].get(path)
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-content-type-options"] == "nosniff"
    csp = dict(part.split(" ", 1) for part in response.headers["content-security-policy"].split("; "))
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert csp["default-src"] == "'self'" and csp["connect-src"] == "'self'"
    scripts = csp["script-src"].split()
    assert scripts[0] == "'self'" and all(s.startswith("'sha256-") for s in scripts[1:])
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]


def test_inline_script_hash_matches_streamlit_page() -> None:
    """The one inline script of Streamlit's index.html, hashed independently."""
    import base64
    import hashlib

    body = "\n      window.prerenderReady = false\n    "
    expected = "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
    assert routes._inline_script_hashes() == (expected,)


@pytest.mark.parametrize(
    ("headers", "peer", "behind_proxy", "expected"),
    [
        ({}, "127.0.0.1", False, "127.0.0.1"),
        ({"X-Forwarded-For": "10.0.0.66"}, "127.0.0.1", False, "127.0.0.1"),  # not trusted
        ({"X-Forwarded-For": "10.0.0.66"}, "127.0.0.1", True, "10.0.0.66"),
        ({"x-forwarded-for": "6.6.6.6, 10.0.0.66"}, "127.0.0.1", True, "10.0.0.66"),  # our proxy's entry
        ({"X-Forwarded-For": ""}, "127.0.0.1", True, "127.0.0.1"),
        ({}, None, False, ""),
    ],
)
def test_client_address(headers: dict, peer: str | None, behind_proxy: bool, expected: str) -> None:
    assert routes.client_address(headers, peer, behind_proxy) == expected


# ------------------------------------------------------------ the page language
_STREAMLIT_HEAD = '<!DOCTYPE html>\n<html lang="en">\n  <head>\n    <meta charset="UTF-8" />\n'


def _language_site(body: str, media_type: str, headers: dict[str, str] | None = None):
    from starlette.responses import Response

    from cchc_lib.web.vietnamese import PageLanguage

    async def page(request):
        return Response(body, media_type=media_type, headers=headers)

    app = Starlette(routes=[Route("/{path:path}", page)], middleware=[routes.Middleware(PageLanguage)])
    return testclient.TestClient(app)


def test_every_html_page_loads_the_language_script_before_anything_else() -> None:
    page = _STREAMLIT_HEAD + '    <script type="module" src="./static/js/index.js"></script>\n  </head>'
    response = _language_site(page, "text/html").get("/don_vi")
    expected = (
        '<!DOCTYPE html>\n<html lang="vi">\n  <head>\n    <script src="/_cchc/vi.js"></script>\n'
        '    <meta charset="UTF-8" />\n'
        '    <script type="module" src="./static/js/index.js"></script>\n  </head>'
    )
    assert response.text == expected
    assert response.headers["content-length"] == str(len(expected.encode("utf-8")))


def test_a_gzipped_page_is_sent_rewritten_and_uncompressed() -> None:
    from starlette.middleware.gzip import GZipMiddleware

    from cchc_lib.web.vietnamese import PageLanguage

    async def page(request):
        from starlette.responses import Response

        return Response(_STREAMLIT_HEAD + "  </head>" + " " * 2000, media_type="text/html")

    app = Starlette(
        routes=[Route("/{path:path}", page)],
        middleware=[routes.Middleware(PageLanguage), routes.Middleware(GZipMiddleware, minimum_size=500)],
    )
    response = testclient.TestClient(app).get("/bao_cao", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in response.headers
    assert response.text.startswith('<!DOCTYPE html>\n<html lang="vi">\n  <head>\n    <script src="/_cchc/vi.js">')


@pytest.mark.parametrize(
    ("media_type", "encoding"), [(b"application/javascript", None), (b"text/html", b"br")]
)
def test_other_responses_pass_untouched(media_type: bytes, encoding: bytes | None) -> None:
    import anyio

    from cchc_lib.web.vietnamese import PageLanguage

    body = (_STREAMLIT_HEAD + "</head>").encode("utf-8")
    headers = [(b"content-type", media_type)] + ([(b"content-encoding", encoding)] if encoding else [])
    sent: list[dict] = []

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "method": "GET", "path": "/"}
    # In a thread of its own: in the full run Playwright's sync API still holds an event loop running
    # in the main thread (its session fixtures stay open), and anyio.run refuses to start beside it.
    worker = threading.Thread(target=anyio.run, args=(PageLanguage(app), scope, receive, send))
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive()
    assert sent == [
        {"type": "http.response.start", "status": 200, "headers": headers},
        {"type": "http.response.body", "body": body},
    ]


def test_the_real_streamlit_page_gets_the_script_at_the_top_of_its_head() -> None:
    import streamlit

    from cchc_lib.web.vietnamese import with_locale

    html = (Path(streamlit.__file__).parent / "static" / "index.html").read_bytes()
    out = with_locale(html).decode("utf-8")
    head = out.index("<head>")
    assert out.index('<script src="/_cchc/vi.js"></script>') < out.index("<script", head + 7) + 1
    assert out.index('<script src="/_cchc/vi.js"></script>') < out.index("<meta", head)
    assert '<html lang="vi">' in out and with_locale(with_locale(html)) == with_locale(html)
