"""Fixtures shared by the test modules."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "cam_xuyen_2024.xlsx"


@pytest.fixture
def settings_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings pointing at a copy of the sample and an empty store (never the real data/store)."""
    sample = tmp_path / "sample.xlsx"
    shutil.copyfile(SAMPLE, sample)
    path = tmp_path / "settings.toml"
    path.write_text(f'sample_file = "{sample.as_posix()}"\nstore_dir = "{(tmp_path / "store").as_posix()}"\n')
    monkeypatch.setenv("CCHC_SETTINGS", str(path))
    return path


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> None:
    """Every AppTest runs as the same Streamlit session ("test session id"), so the page actions' rate
    limits (web/limits.py, per session) would count every test's uploads together: each test starts
    with none counted, as a real new session does."""
    from cchc_lib.web import limits

    limits._limits.clear()
