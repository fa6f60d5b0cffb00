"""The app through nginx on loopback: the real Streamlit server behind a test copy of deploy/nginx.conf
(HTTP only, every proxy directive as written), the page drawn in Chromium over the proxied websocket."""

from __future__ import annotations

import http.client
import time
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import free_port, running_server, server_folder, settle
from tests.nginx_config import DEPLOY_CONF, http_only, nginx_binary, running_nginx

pytestmark = pytest.mark.browser


def wait_for(url: str, process, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"nginx did not answer at {url}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app (behind_proxy = true) and nginx in front of it; nginx's base URL."""
    nginx_binary()
    folder, env = server_folder(tmp_path_factory, "proxied_server")
    with (folder / "settings.toml").open("a", encoding="utf-8") as settings:
        settings.write("behind_proxy = true\n")
    with running_server(folder, env) as app:
        app_port, port = int(app.rsplit(":", 1)[1]), free_port()
        site = http_only(DEPLOY_CONF.read_text(encoding="utf-8"), port, app_port)
        nginx_folder = folder / "nginx"
        nginx_folder.mkdir()
        with running_nginx(nginx_folder, site) as process:
            base = f"http://127.0.0.1:{port}"
            wait_for(f"{base}/_stcore/health", process)
            yield base


def websocket_handshake(base: str) -> int:
    """The status of a websocket opening request for Streamlit's stream through `base` (101: switched)."""
    port = int(base.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/_stcore/stream", headers={
            "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Origin": base})  # fmt: skip
        return connection.getresponse().status
    finally:
        connection.close()


def test_the_websocket_goes_through(proxied: str) -> None:
    """Without the Upgrade/Connection lines of the config nginx would answer 200 here (checked by hand)."""
    assert websocket_handshake(proxied) == 101


def test_the_app_answers_through_nginx(proxied: str, browser) -> None:
    with urllib.request.urlopen(f"{proxied}/", timeout=10) as response:
        assert response.status == 200
        assert response.headers["Server"].startswith("nginx")  # nginx answered …
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]  # … with the app's page
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page = context.new_page()
    sockets = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    try:
        page.goto(f"{proxied}/")
        settle(page)  # waits for the websocket to be CONNECTED and the script to have drawn the page
        # The first page of a fresh server reads the sample first (a loaded machine: allow for it).
        expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=90_000)
        expect(page.locator("h1").first).to_have_text("Tổng quan", timeout=30_000)
        expect(page.get_by_test_id("stException")).to_have_count(0, timeout=30_000)
        assert any(url.startswith(f"ws://127.0.0.1:{proxied.rsplit(':', 1)[1]}/_stcore/stream") for url in sockets)
    finally:
        context.close()

