"""Shared pieces of the browser tests: a Streamlit server process, waiting for a page, screenshots."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "cam_xuyen_2024.xlsx"
# A page has settled when its script is idle and the frame (the sidebar menu) has been drawn: the
# script state alone is also "notRunning" for a moment before the first run starts.
_SETTLED = (
    "() => document.querySelector('[data-test-script-state=notRunning]') !== null"
    " && document.querySelectorAll('[data-testid=stPageLink]').length > 0"
)


def server_folder(tmp_path_factory, name: str) -> tuple[Path, dict[str, str]]:
    """A temp folder for one server: a copy of the sample (sample.xlsx), settings.toml pointing at it and
    at store/ inside the folder, and users.toml there (not created). Returns the folder and the
    environment that points the server at them. Skips when the bundled sample is missing."""
    import pytest

    if not SAMPLE.is_file():
        pytest.skip("the bundled sample workbook is missing")
    folder = tmp_path_factory.mktemp(name)
    sample = folder / "sample.xlsx"
    shutil.copyfile(SAMPLE, sample)
    (folder / "settings.toml").write_text(
        f'sample_file = "{sample.as_posix()}"\nstore_dir = "{(folder / "store").as_posix()}"\n'
    )
    return folder, {"CCHC_SETTINGS": str(folder / "settings.toml"), "CCHC_USERS": str(folder / "users.toml")}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(folder: Path, env: dict[str, str]) -> Iterator[str]:
    """`streamlit run app.py` on a free port with extra environment `env`; yields its base URL."""
    port = free_port()
    log = (folder / "server.log").open("wb")
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1",
               "--server.fileWatcherType", "none"]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start; see {folder / 'server.log'}")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def settle(page, timeout: int = 60_000) -> None:
    """Wait until the app is connected, the script has finished and the frame is drawn."""
    page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_function(_SETTLED, timeout=timeout)
    # Then until the page stops changing: the browser may still be drawing the last elements.
    deadline_ms, previous = timeout, -1
    while deadline_ms > 0:
        count = page.evaluate("document.querySelectorAll('[data-testid=stApp] *').length")
        if count == previous:
            break
        previous = count
        page.wait_for_timeout(500)
        deadline_ms -= 500


def full_screenshot(page, path: Path, pause_ms: int = 1500) -> None:
    """The whole main column: grow the viewport to the content height, then shoot."""
    size = page.viewport_size
    height = page.evaluate(
        "document.querySelector('[data-testid=stMainBlockContainer]').getBoundingClientRect().height"
    )
    page.set_viewport_size({"width": size["width"], "height": int(height) + 160})
    page.wait_for_timeout(pause_ms)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


def sign_in(page, user: str, password: str, *, settled: bool = True) -> None:
    """Fill the sign-in form of the main column (the one a protected page shows an anonymous visitor) and
    submit it; then wait for the page to settle, unless `settled` is False (the caller waits for a state
    of its own, e.g. the login cookie's response)."""
    main = page.get_by_test_id("stMain")
    main.get_by_label("Tên đăng nhập").fill(user)
    main.get_by_label("Mật khẩu").fill(password)
    main.get_by_role("button", name="Đăng nhập").click()
    if settled:
        settle(page)


def open_signed_in(page, url: str, user: str, password: str) -> None:
    """Open `url` (a protected page: the upload page in most tests), settle, sign in there, settle."""
    page.goto(url)
    settle(page)
    sign_in(page, user, password)


def upload_files(page, *paths: Path, settled: bool = True) -> None:
    """Put `paths` (one workbook, or several for the batch) into the page's file uploader; then wait for
    the check's rerun to finish, unless `settled` is False (the caller waits for its own state)."""
    files = [str(p) for p in paths]
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(files[0] if len(files) == 1 else files)
    if settled:
        page.wait_for_timeout(500)  # the rerun the upload starts has begun
        settle(page)
