"""Fixtures shared by the test modules."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import pg_cluster, store_backends

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "cam_xuyen_2024.xlsx"


@pytest.fixture(scope="session")
def pg() -> Iterator[pg_cluster.Cluster]:
    """The session's throw-away PostgreSQL cluster: started when a test first needs it, stopped at the end."""
    yield from pg_cluster.cluster()
    pg_cluster.shutdown()


@pytest.fixture(params=store_backends.BACKENDS)
def store_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[store_backends.Backend]:
    """A fresh empty store, once on each backend (tests/store_backends.py)."""
    yield from store_backends.backend(request.param, request, tmp_path)


@pytest.fixture
def suite_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[store_backends.Backend]:
    """A fresh empty store on the suite's backend ($CCHC_TEST_STORE, the folder store by default)."""
    yield from store_backends.backend(store_backends.suite_backend(), request, tmp_path)


@pytest.fixture
def settings_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suite_store: store_backends.Backend
) -> Path:
    """Settings pointing at a copy of the sample and an empty store (never the real data/store)."""
    sample = tmp_path / "sample.xlsx"
    shutil.copyfile(SAMPLE, sample)
    path = tmp_path / "settings.toml"
    path.write_text(f'sample_file = "{sample.as_posix()}"\n{suite_store.toml()}')
    monkeypatch.setenv("CCHC_SETTINGS", str(path))
    return path


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> None:
    """Every AppTest runs as the same Streamlit session ("test session id"), so the page actions' rate
    limits (web/limits.py, per session) would count every test's uploads together: each test starts
    with none counted, as a real new session does."""
    from cchc_lib.web import limits

    limits._limits.clear()
