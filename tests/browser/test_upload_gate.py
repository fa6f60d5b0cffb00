"""Attacks on the real server through its own endpoints (a real HTTP client and a raw websocket on
loopback, Chromium for the logged-in side): an anonymous visitor cannot push files into the server's
memory through Streamlit's upload endpoint, a logged-in uploader's session is bounded, and a stolen
Streamlit session id presented on a raw websocket does not inherit an admin's login."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from playwright.sync_api import expect
from websockets.sync.client import connect

from cchc_lib.access.accounts import Accounts
from tests.browser.helpers import running_server, server_folder, settle, sign_in

pytestmark = pytest.mark.browser
expect.set_options(timeout=30_000)

PASSWORD = "mat-khau-dai-123"
MB = 1024 * 1024
LOGGED_IN = "Đăng nhập: quantri".encode()
UPLOAD_PAGE = "cap_nhat_du_lieu"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    folder, env = server_folder(tmp_path_factory, "upload_gate_server")
    settings = folder / "settings.toml"
    # a small memory budget and rate so the bounds are reached with few requests; no batch room, so a
    # session holds the one-file box's two files (the batch's room: tests/test_upload_gate.py)
    settings.write_text(
        settings.read_text() + "upload_memory_mb = 45\nuploads_per_10min = 6\nmax_batch_mb = 0\n"
    )
    Accounts(folder / "users.toml").add("quantri", "admin", PASSWORD)
    with running_server(folder, env) as base:
        yield SimpleNamespace(base=base, folder=folder, pid=_server_pid(base))


def _server_pid(base: str) -> int:
    """The streamlit process listening on `base`'s port (found by its command line)."""
    port = base.rsplit(":", 1)[1]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"streamlit" in b" ".join(command) and port.encode() in command:
                return int(entry.name)
    raise RuntimeError("the server process was not found")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def ws_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/_stcore/stream"


def forward_messages(ws, until: bytes | None = None, seconds: float = 60.0) -> list[bytes]:
    """Raw ForwardMsg frames until the script finishes (or `until` is seen)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    frames: list[bytes] = []
    while True:
        try:
            frame = ws.recv(timeout=seconds)
        except TimeoutError:
            return frames
        if isinstance(frame, str):
            continue
        frames.append(frame)
        message = ForwardMsg()
        message.ParseFromString(frame)
        if until is not None and until in frame:
            return frames
        if message.WhichOneof("type") == "script_finished":
            return frames


def rerun(ws, page: str = "") -> None:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    message = BackMsg()
    message.rerun_script.page_name = page
    message.rerun_script.query_string = ""
    ws.send(message.SerializeToString())


def session_id_of(frames: list[bytes]) -> str:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    for frame in frames:
        message = ForwardMsg()
        message.ParseFromString(frame)
        if message.WhichOneof("type") == "new_session":
            return message.new_session.initialize.session_id
    raise AssertionError("no new_session message")


def anonymous_session(base: str) -> tuple[object, str]:
    """A raw websocket session (what an attacker's script opens): the socket and its session id."""
    ws = connect(ws_url(base), subprotocols=["streamlit"], origin=base, max_size=None, open_timeout=60)
    rerun(ws)
    return ws, session_id_of(forward_messages(ws))


def xsrf_client(base: str) -> tuple[httpx.Client, dict[str, str]]:
    """An HTTP client holding Streamlit's XSRF cookie, and the header that matches it."""
    client = httpx.Client(base_url=base, timeout=120)
    client.get("/_stcore/health")  # the route that hands out the XSRF cookie
    token = client.cookies.get("_streamlit_xsrf") or ""
    return client, {"X-Xsrftoken": token}


def put_file(client: httpx.Client, headers: dict[str, str], session_id: str, size: int) -> httpx.Response:
    body = os.urandom(size)
    files = {"file": ("x.xlsx", body, "application/octet-stream")}
    return client.put(f"/_stcore/upload_file/{session_id}/{uuid.uuid4()}", files=files, headers=headers)


def test_anonymous_upload_push_is_refused_and_memory_stays(site) -> None:
    ws, session_id = anonymous_session(site.base)
    client, headers = xsrf_client(site.base)
    try:
        before = rss_mb(site.pid)
        statuses = [put_file(client, headers, session_id, 19 * MB).status_code for _ in range(25)]
        after = rss_mb(site.pid)
    finally:
        client.close()
        ws.close()
    assert set(statuses) == {403}, statuses  # Streamlit alone answers 204 and keeps every file
    assert after - before < 100, (before, after)  # 25 x 19 MB would be 475 MB


def test_an_unknown_session_id_is_refused_before_the_body(site) -> None:
    client, headers = xsrf_client(site.base)
    try:
        response = put_file(client, headers, "not-a-session", 1024)
    finally:
        client.close()
    assert response.status_code == 403
    assert "đăng nhập" in response.text


def _logged_in_session(site, browser) -> tuple[object, object, list[str]]:
    """Chromium logged in as the admin on the upload page: (context, page, the Streamlit session ids
    seen on its websocket)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    ids: list[str] = []

    def watch(ws) -> None:
        def received(payload) -> None:
            if isinstance(payload, bytes):
                message = ForwardMsg()
                message.ParseFromString(payload)
                if message.WhichOneof("type") == "new_session":
                    ids.append(message.new_session.initialize.session_id)

        ws.on("framereceived", received)

    page.on("websocket", watch)
    page.goto(f"{site.base}/{UPLOAD_PAGE}")
    settle(page)
    sign_in(page, "quantri", PASSWORD, settled=False)
    expect(page.get_by_test_id("stSidebar").get_by_text("Đăng nhập: quantri")).to_be_visible()
    expect(page.get_by_test_id("stFileUploaderDropzoneInput")).to_have_count(1)
    assert ids, "the page's websocket carried no session id"
    return context, page, ids


def test_logged_in_uploader_is_bounded_per_session(site, browser) -> None:
    context, _page, ids = _logged_in_session(site, browser)
    client, headers = xsrf_client(site.base)
    try:
        statuses = [put_file(client, headers, ids[-1], 15 * MB).status_code for _ in range(4)]
        oversize = put_file(client, headers, ids[-1], 21 * MB)
    finally:
        client.close()
        context.close()
    # two files of the 20 MB limit per session; the third and later are refused (or rate-limited)
    assert statuses[:2] == [204, 204], statuses
    assert all(code in (429, 503) for code in statuses[2:]), statuses
    assert oversize.status_code in (413, 429)


def test_a_stolen_session_id_does_not_inherit_the_login(site, browser) -> None:
    context, page, ids = _logged_in_session(site, browser)
    session_id = ids[-1]
    page.close()  # the tab closes: Streamlit keeps the session for server.disconnectedSessionTTL
    try:
        ws = connect(
            ws_url(site.base),
            subprotocols=["streamlit", "x", session_id],
            origin=site.base,
            max_size=None,
            open_timeout=60,
        )
        try:
            rerun(ws, UPLOAD_PAGE)
            frames = forward_messages(ws, until=LOGGED_IN)
        finally:
            ws.close()
    finally:
        context.close()
    shown = b"".join(frames)
    assert "Tên đăng nhập".encode() in shown  # the page ran, and asks for a login
    assert LOGGED_IN not in shown
