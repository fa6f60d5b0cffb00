"""Fixtures for the browser tests: a Streamlit server on a free port and a Chromium browser."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.helpers import ROOT, running_server, server_folder

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
]

if not CHROMIUM.exists():
    if os.environ.get("CCHC_REQUIRE_BROWSER"):  # set by the README test command: CI must not skip these
        raise RuntimeError("CCHC_REQUIRE_BROWSER is set but /usr/bin/chromium is missing")
    pytest.skip("Debian chromium (/usr/bin/chromium) is not installed", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
EXPECT_TIMEOUT_MS = 60_000  # a rerun can take far longer than Playwright's 5 s on a loaded 2-core machine


@pytest.fixture(autouse=True)
def patient_expect() -> None:
    """Every browser test waits up to EXPECT_TIMEOUT_MS for a state (set per test: a module that sets
    a shorter time at import does not shorten the others')."""
    sync_api.expect.set_options(timeout=EXPECT_TIMEOUT_MS)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run app.py` on a free port with the sample data and an empty store; its base URL."""
    folder, env = server_folder(tmp_path_factory, "server")
    with running_server(folder, env) as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
