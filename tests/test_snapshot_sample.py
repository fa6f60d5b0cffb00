"""The bundled sample gets its columnar snapshot on the dashboard's first start, beside the sample file; a
missing or damaged one is rebuilt from the .xlsx on the next start, and the log says so."""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cchc_lib.common.settings import load_settings
from cchc_lib.publishing import published, snapshots
from cchc_lib.reading.sandbox import read_trusted
from cchc_lib.web import data
from tests.test_snapshots import assert_same

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "cam_xuyen_2024.xlsx"
APP = str(ROOT / "app.py")
pytestmark = pytest.mark.skipif(not SAMPLE.is_file(), reason="the bundled sample workbook is missing")


def start() -> AppTest:
    """A server start: nothing parsed is kept in memory, then the overview's first run."""
    data._load.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["cchc.year"] = 2024
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.metric, "the overview shows the sample's figures"
    return at


def test_first_start_snapshots_the_sample_and_a_damaged_or_missing_one_is_rebuilt(
    settings_env: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    settings = load_settings()
    sample = settings.sample_path
    cache = sample.parent / data.SAMPLE_CACHE_DIR
    sha256 = hashlib.sha256(sample.read_bytes()).hexdigest()
    context = snapshots.settings_context(settings)
    expected = read_trusted(sample.read_bytes(), settings).workbook
    parses: list[int] = []
    real = published.parse_isolated
    monkeypatch.setattr(published, "parse_isolated", lambda d, s: parses.append(len(d)) or real(d, s))
    assert not cache.exists()

    with caplog.at_level(logging.INFO, logger="cchc_lib.publishing"):
        start()
    assert parses == [sample.stat().st_size]  # parsed once, in the worker
    assert "No sound snapshot" in caplog.text and "rebuilding" in caplog.text
    assert_same(expected, snapshots.load(cache, sha256, context))
    assert not settings.store_path.exists()  # "nothing published yet" stays true

    caplog.clear()
    start()  # a restart: the snapshot is read, nothing is parsed
    assert len(parses) == 1 and "rebuilding" not in caplog.text

    snapshots.table_path(cache, sha256, "targets").write_bytes(b"PAR1 torn")
    with caplog.at_level(logging.INFO, logger="cchc_lib.publishing"):
        start()
    assert len(parses) == 2
    # its bytes no longer hash to what the manifest recorded: not even handed to the Parquet reader
    assert "table targets does not match its digest" in caplog.text and "rebuilding" in caplog.text
    assert_same(expected, snapshots.load(cache, sha256, context))

    caplog.clear()
    shutil.rmtree(cache)
    with caplog.at_level(logging.INFO, logger="cchc_lib.publishing"):
        start()
    assert len(parses) == 3 and "No sound snapshot" in caplog.text
    assert_same(expected, snapshots.load(cache, sha256, context))
