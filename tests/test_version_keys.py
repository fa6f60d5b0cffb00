"""Activity keys of published versions kept on disk: computed once, survive restarts, never trusted blindly."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from cchc_lib.publishing import published
from cchc_lib.publishing.version_keys import cache_file, version_keys
from cchc_lib.reading import sandbox
from cchc_lib.sample.builder import build_xlsx
from cchc_lib.sample.sample_data import sample_spec

ROWS = [
    {
        "Ngày": date(2024, 2, 1),
        "Mã đơn vị": "XCB",
        "Loại hoạt động": "TIN_BAI",
        "Số lượng": 2,
        "Tiêu đề": "Tin một",
    },
    {
        "Ngày": date(2024, 5, 9),
        "Mã đơn vị": "XCN",
        "Loại hoạt động": "TIN_BAI",
        "Số lượng": 1,
        "Tiêu đề": "Tin hai",
    },
    {
        "Ngày": date(2024, 5, 9),
        "Mã đơn vị": "XCN",
        "Loại hoạt động": "TIN_BAI",
        "Số lượng": 1,
        "Tiêu đề": "Tin ba",
    },
]


@pytest.fixture
def version(tmp_path: Path) -> tuple[Path, str]:
    """A published-like file with three known activity rows, and its sha256."""
    data = build_xlsx(replace(sample_spec(), activities=ROWS))
    path = tmp_path / "000001.xlsx"
    path.write_bytes(data)
    return path, hashlib.sha256(data).hexdigest()


def no_parse(*_args, **_kwargs):
    raise AssertionError("the workbook was parsed although its keys are cached")


def test_keys_are_computed_once_then_read_from_disk(
    version: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, sha = version
    cache = tmp_path / "cache"
    first = version_keys(path, sha, cache)
    assert first is not None
    assert sorted(first["unit_code"]) == ["XCB", "XCN", "XCN"]
    assert sorted(first["date"].dt.date) == [date(2024, 2, 1), date(2024, 5, 9), date(2024, 5, 9)]
    assert first["key"].nunique() == 3  # the two XCN rows differ by title only
    # the keys, and the version's snapshot rebuilt by the parse (nothing of any other content)
    names = sorted(p.name for p in cache.iterdir())
    assert f"keys-v1-{sha}.parquet" in names and f"snap-v2-{sha}.json" in names
    assert all(sha in name for name in names)

    monkeypatch.setattr(sandbox, "read_trusted", no_parse)  # a restarted server: no parse any more
    monkeypatch.setattr(published, "parse_isolated", no_parse)
    again = version_keys(path, sha, cache)
    pd.testing.assert_frame_equal(again.reset_index(drop=True), first.reset_index(drop=True))


def test_keys_of_tables_already_in_memory_need_no_second_load(
    version: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, sha = version
    tables = sandbox.read_trusted(path.read_bytes()).workbook  # what the dashboard holds for this version
    monkeypatch.setattr(sandbox, "read_trusted", no_parse)
    monkeypatch.setattr(published, "parse_isolated", no_parse)
    monkeypatch.setattr(published.snapshots, "load", no_parse)
    cache = tmp_path / "cache"
    keys = version_keys(path, sha, cache, tables=tables)
    assert sorted(keys["unit_code"]) == ["XCB", "XCN", "XCN"]
    assert sorted(keys["date"].dt.date) == [date(2024, 2, 1), date(2024, 5, 9), date(2024, 5, 9)]
    assert keys["key"].nunique() == 3
    # kept for the next restart like keys of a parse
    assert sorted(pd.read_parquet(cache_file(cache, sha))["unit_code"]) == ["XCB", "XCN", "XCN"]


def test_a_torn_cache_file_is_recomputed_and_replaced(version: tuple[Path, str], tmp_path: Path) -> None:
    path, sha = version
    cache = tmp_path / "cache"
    target = cache_file(cache, sha)
    cache.mkdir()
    target.write_bytes(b"PAR1 torn")
    keys = version_keys(path, sha, cache)
    assert keys is not None and len(keys) == 3
    assert pd.read_parquet(target)["key"].nunique() == 3


def test_a_foreign_parquet_file_is_not_taken_for_keys(version: tuple[Path, str], tmp_path: Path) -> None:
    path, sha = version
    cache = tmp_path / "cache"
    cache.mkdir()
    pd.DataFrame({"x": [1, 2]}).to_parquet(cache_file(cache, sha))
    keys = version_keys(path, sha, cache)
    assert keys is not None and sorted(keys["unit_code"]) == ["XCB", "XCN", "XCN"]


def test_an_unwritable_cache_still_gives_the_keys(version: tuple[Path, str], tmp_path: Path) -> None:
    path, sha = version
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    keys = version_keys(path, sha, blocker)
    assert keys is not None and len(keys) == 3


def test_anything_but_a_sha256_never_names_a_file(version: tuple[Path, str], tmp_path: Path) -> None:
    path, _ = version
    cache = tmp_path / "cache"
    for bad in ("../../etc/passwd", "", "A" * 64, "0" * 63):
        assert cache_file(cache, bad) is None
        assert len(version_keys(path, bad, cache)) == 3
    assert not cache.exists()


def test_an_unreadable_version_gives_none(tmp_path: Path) -> None:
    path = tmp_path / "000001.xlsx"
    path.write_bytes(b"not a workbook")
    assert version_keys(path, hashlib.sha256(b"not a workbook").hexdigest(), tmp_path / "cache") is None
    assert version_keys(tmp_path / "missing.xlsx", "0" * 64, tmp_path / "cache") is None
