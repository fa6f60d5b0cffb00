"""Columnar snapshots (cchc_lib/publishing/snapshots.py): the tables come back exactly as parsed; a damaged,
swapped or foreign snapshot is never used; the dashboard's loader parses once, then reads the
snapshot, and rebuilds a damaged one; reading the sample never creates a store folder."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import fields, replace
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from cchc_lib.common.settings import Settings
from cchc_lib.publishing import published, snapshots
from cchc_lib.reading.model import Workbook
from cchc_lib.reading.sandbox import read_trusted
from cchc_lib.web import data
from tests.xlsx import make_xlsx

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "cam_xuyen_2024.xlsx"


def built_workbook() -> bytes:
    """Every sheet of the format, the optional ones included (Nhóm kênh is not in the sample)."""
    return make_xlsx(
        {
            "Đơn vị": [
                ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Hiệu lực từ", "Hiệu lực đến"],
                ["PNV", "Phòng Nội vụ", "Phòng chuyên môn", None, None],
                ["XCB", "UBND xã Cẩm Bình", "UBND xã, thị trấn", None, datetime(2024, 6, 30)],
            ],
            "Kế hoạch": [
                ["Năm", "Quý", "Mã đơn vị", "TIN_BAI", "PHONG_SU"],
                [2024, None, "PNV", 12, 2],
                [2024, 1, "XCB", 3, None],
            ],
            "Hoạt động": [
                ["Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng", "Tiêu đề", "Kênh đăng tải"],
                [datetime(2024, 2, 1), "PNV", "TIN_BAI", 2, "Tin về một cửa", "Cổng TTĐT huyện"],
                [datetime(2024, 3, 5), "XCB", "PHONG_SU", None, "Phóng sự CCHC", "Đài truyền thanh xã"],
            ],
            "Nhóm kênh": [
                ["Mã nhóm", "Tên nhóm kênh", "Từ khóa"],
                ["CONG", "Cổng/Trang TTĐT", "cổng; trang"],
                ["DAI", "Đài truyền thanh", "đài"],
            ],
        }
    )


def parsed(data_bytes: bytes) -> Workbook:
    result = read_trusted(data_bytes, Settings())
    assert result.ok, result.errors
    return result.workbook


def assert_same(left: Workbook, right: Workbook) -> None:
    for f in fields(Workbook):
        a, b = getattr(left, f.name), getattr(right, f.name)
        if a is None or b is None:
            assert a is None and b is None, f.name
        else:
            assert_frame_equal(a.reset_index(drop=True), b, check_exact=True, obj=f.name)


@pytest.mark.parametrize("source", ["sample", "built"])
def test_round_trip_is_exact(tmp_path: Path, source: str) -> None:
    body = SAMPLE.read_bytes() if source == "sample" else built_workbook()
    sha = hashlib.sha256(body).hexdigest()
    workbook = parsed(body)
    assert snapshots.write(tmp_path, sha, workbook, "ctx")
    back = snapshots.load(tmp_path, sha, "ctx")
    assert back is not None
    assert_same(workbook, back)
    if source == "built":
        assert back.channel_groups is not None and back.channel_groups.shape[0] == 2
        assert back.portal_reviews is None  # an absent sheet stays absent


def _written(tmp_path: Path) -> tuple[str, Workbook]:
    body = built_workbook()
    sha = hashlib.sha256(body).hexdigest()
    workbook = parsed(body)
    assert snapshots.write(tmp_path, sha, workbook, "ctx")
    return sha, workbook


def test_changed_rows_are_refused(tmp_path: Path) -> None:
    sha, workbook = _written(tmp_path)
    changed = workbook.activities.copy()
    changed.loc[0, "quantity"] = 1_000_000  # a table swapped for other rows, its manifest kept
    path = snapshots.table_path(tmp_path, sha, "activities")
    path.write_bytes(snapshots._parquet(changed))
    assert snapshots.load(tmp_path, sha, "ctx") is None


def test_torn_table_missing_manifest_and_foreign_source_are_refused(tmp_path: Path) -> None:
    sha, _ = _written(tmp_path)
    table = snapshots.table_path(tmp_path, sha, "units")
    original = table.read_bytes()
    table.write_bytes(original[: len(original) // 2])
    assert snapshots.load(tmp_path, sha, "ctx") is None
    table.write_bytes(original)
    assert snapshots.load(tmp_path, sha, "ctx") is not None
    assert snapshots.load(tmp_path, sha, "other settings") is None
    manifest = snapshots.manifest_path(tmp_path, sha)
    body = json.loads(manifest.read_text())
    other = "0" * 64
    shutil.copyfile(manifest, snapshots.manifest_path(tmp_path, other))  # a manifest copied to another name
    assert snapshots.load(tmp_path, other, "ctx") is None
    body["tables"]["targets"]["rows"] += 1
    manifest.write_text(json.dumps(body))
    assert snapshots.load(tmp_path, sha, "ctx") is None
    manifest.unlink()
    assert snapshots.load(tmp_path, sha, "ctx") is None
    assert snapshots.load(tmp_path, "not-a-sha", "ctx") is None


def test_loader_parses_once_then_reads_the_snapshot_and_rebuilds_a_damaged_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = built_workbook()
    sha = hashlib.sha256(body).hexdigest()
    version = tmp_path / "store" / "versions" / "000001.xlsx"
    version.parent.mkdir(parents=True)
    version.write_bytes(body)
    settings = replace(Settings(), store_dir=str(tmp_path / "store"))
    parses: list[int] = []
    real = published.parse_isolated

    def counting(raw: bytes, s: Settings):
        parses.append(len(raw))
        return real(raw, s)

    monkeypatch.setattr(published, "parse_isolated", counting)
    first = data._read(version, sha, settings)
    assert len(parses) == 1
    cache = tmp_path / "store" / "cache"
    assert snapshots.manifest_path(cache, sha).is_file()
    again = data._read(version, sha, settings)  # a restart: the snapshot, no parse
    assert len(parses) == 1
    assert_same(first, again)
    snapshots.table_path(cache, sha, "activities").write_bytes(b"not parquet")
    rebuilt = data._read(version, sha, settings)
    assert len(parses) == 2
    assert_same(first, rebuilt)
    assert snapshots.load(cache, sha, snapshots.settings_context(settings)) is not None  # written afresh
    other = replace(settings, max_upload_mb=5.0)  # other settings: parsed again under them
    data._read(version, sha, other)
    assert len(parses) == 3


def test_the_sample_is_snapshotted_beside_it_never_in_a_store(tmp_path: Path) -> None:
    sample = tmp_path / "mau.xlsx"
    shutil.copyfile(SAMPLE, sample)
    settings = replace(Settings(), store_dir=str(tmp_path / "store"), sample_file=str(sample))
    info = sample.stat()
    workbook = data._read(sample, f"{info.st_mtime_ns}:{info.st_size}", settings)
    assert not (tmp_path / "store").exists()  # "nothing published yet" stays true
    sha = hashlib.sha256(sample.read_bytes()).hexdigest()
    back = snapshots.load(tmp_path / data.SAMPLE_CACHE_DIR, sha, snapshots.settings_context(settings))
    assert back is not None
    assert_same(workbook, back)
    assert isinstance(back.activities, pd.DataFrame) and len(back.activities) == len(workbook.activities)
