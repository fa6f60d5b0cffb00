"""Publishing writes the version's columnar snapshot in the same step: it reads back as exactly the
parsed workbook (the sample, an untidy official file), a damaged one is detected and rebuilt from the
.xlsx. Readers (the command line) use it instead of parsing. (A publisher killed at random moments never
leaves a snapshot without its version nor a current version without a sound snapshot: test_store_kill.py.)"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from dataclasses import fields, replace
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from cchc_lib.__main__ import build_parser
from cchc_lib.access.accounts import Account
from cchc_lib.common.settings import Settings
from cchc_lib.publishing import published, snapshots
from cchc_lib.publishing.store import Store
from cchc_lib.publishing.submissions import prepare_update, publish_preview
from cchc_lib.reading import sandbox
from cchc_lib.reading.model import Workbook
from cchc_lib.reading.sandbox import read_trusted
from cchc_lib.sample.builder import Layout, build_xlsx
from cchc_lib.sample.sample_data import sample_spec

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "cam_xuyen_2024.xlsx"
ADMIN = Account("quantri", "admin")
# An office's file as it is kept by hand: letterhead in merged cells, STT column, total rows, dates
# typed as text and as serials among real dates, NBSP around codes, blank rows, counts typed as text.
UNTIDY = Layout(
    title_block=True,
    stt=True,
    total_row=True,
    dates_as="mixed",
    nbsp=True,
    blank_rows=True,
    numbers_as_text=True,
)


def untidy_workbook() -> bytes:
    return build_xlsx(sample_spec(), layout=UNTIDY)


def parsed(body: bytes, settings: Settings) -> Workbook:
    result = read_trusted(body, settings)
    assert result.ok, result.errors
    return result.workbook


def assert_same(left: Workbook, right: Workbook) -> None:
    for f in fields(Workbook):
        a, b = getattr(left, f.name), getattr(right, f.name)
        if a is None or b is None:
            assert a is None and b is None, f.name
        else:
            assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=True, obj=f.name)


def store_settings(tmp_path: Path) -> Settings:
    return replace(Settings(), store_dir=str(tmp_path / "store"))


def test_the_untidy_fixture_is_untidy() -> None:
    """The fixture really holds what the round trip must survive (else the test below proves little)."""
    import re

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(untidy_workbook()))
    sheet = book["Hoạt động"]
    assert sheet.merged_cells.ranges  # the letterhead / title in merged cells
    assert sheet["A1"].value and "STT" not in str(sheet["A1"].value)  # the header is not on row 1
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert sum(bool(re.fullmatch(r"\d{2}/\d{2}/\d{4}", t)) for t in texts) > 10  # dates typed as text


@pytest.mark.parametrize("source", ["sample", "untidy"])
def test_publishing_writes_a_snapshot_equal_to_the_parsed_version(tmp_path: Path, source: str) -> None:
    settings = store_settings(tmp_path)
    body = SAMPLE.read_bytes() if source == "sample" else untidy_workbook()
    store = Store(settings.store_path)
    preview = prepare_update(store, body, account=ADMIN, kind="replace", file_name="f.xlsx", settings=settings)
    assert preview.errors.empty
    version = publish_preview(store, preview, ADMIN)
    cache = settings.store_path / "cache"
    manifest = json.loads(snapshots.manifest_path(cache, version.sha256).read_text(encoding="utf-8"))
    assert manifest["source_sha256"] == hashlib.sha256(body).hexdigest() == version.sha256
    back = snapshots.load(cache, version.sha256, snapshots.settings_context(settings))
    assert back is not None
    expected = parsed(store.read_bytes(version.number), settings)  # parsed afresh, in this process
    assert_same(expected, back)
    if source == "untidy":  # the text and serial dates came back as the same days as the real ones
        assert back.activities["date"].dtype.kind == "M"
        assert len(back.activities) == len(sample_spec().activities)


def test_a_unit_submission_publishes_the_snapshot_of_the_merged_workbook(tmp_path: Path) -> None:
    settings = store_settings(tmp_path)
    store = Store(settings.store_path)
    base = untidy_workbook()
    first = prepare_update(store, base, account=ADMIN, kind="replace", file_name="f.xlsx", settings=settings)
    publish_preview(store, first, ADMIN)
    spec = sample_spec()
    code = spec.activities[0]["Mã đơn vị"]
    mine = [dict(a, **{"Số lượng": 7}) for a in spec.activities if a["Mã đơn vị"] == code][:3]
    unit = Account("dau-moi", "unit", code)
    preview = prepare_update(
        store,
        build_xlsx(replace(spec, activities=mine)),
        account=unit,
        kind="unit",
        unit_code=code,
        file_name="don_vi.xlsx",
        settings=settings,
    )
    assert preview.errors.empty and not preview.duplicate
    version = publish_preview(store, preview, unit)
    back = snapshots.load(settings.store_path / "cache", version.sha256, snapshots.settings_context(settings))
    assert back is not None
    expected = parsed(store.read_bytes(version.number), settings)
    assert_same(expected, back)
    # the unit's rows dated within its submission's first..last day are the three submitted ones
    days = pd.to_datetime([a["Ngày"] for a in mine])
    acts = back.activities
    inside = acts[(acts["unit_code"] == code) & acts["date"].between(days.min(), days.max())]
    assert sorted(inside["quantity"]) == [7, 7, 7]
    others = acts[acts["unit_code"] != code].drop(columns="row").reset_index(drop=True)
    base_acts = parsed(base, settings).activities
    expected_others = base_acts[base_acts["unit_code"] != code].drop(columns="row").reset_index(drop=True)
    assert_frame_equal(others, expected_others)


def test_a_damaged_snapshot_is_detected_logged_and_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = store_settings(tmp_path)
    body = untidy_workbook()
    store = Store(settings.store_path)
    preview = prepare_update(store, body, account=ADMIN, kind="replace", file_name="f.xlsx", settings=settings)
    version = publish_preview(store, preview, ADMIN)
    cache = settings.store_path / "cache"
    expected = parsed(body, settings)
    parses: list[int] = []
    real = published.parse_isolated
    monkeypatch.setattr(published, "parse_isolated", lambda d, s: parses.append(1) or real(d, s))

    assert_same(expected, published.published_tables(body, settings, cache))
    assert parses == []  # sound: read, not parsed

    # one activity's quantity changed inside a valid Parquet file: only the digest can tell
    table = snapshots.table_path(cache, version.sha256, "activities")
    frame = pd.read_parquet(table)
    frame.loc[0, "quantity"] = frame.loc[0, "quantity"] + 1
    frame.to_parquet(table, index=False)
    with caplog.at_level(logging.INFO):
        rebuilt = published.published_tables(body, settings, cache)
    assert parses == [1]
    assert_same(expected, rebuilt)
    assert "does not match its digest" in caplog.text and "rebuilding" in caplog.text
    assert_same(expected, snapshots.load(cache, version.sha256, snapshots.settings_context(settings)))

    # a manifest naming other bytes (e.g. copied from another version) is never used for these
    manifest = snapshots.manifest_path(cache, version.sha256)
    raw = json.loads(manifest.read_text(encoding="utf-8"))
    raw["source_sha256"] = "0" * 64
    manifest.write_text(json.dumps(raw), encoding="utf-8")
    assert_same(expected, published.published_tables(body, settings, cache))
    assert parses == [1, 1]

    # a truncated table file
    table.write_bytes(table.read_bytes()[:100])
    assert_same(expected, published.published_tables(body, settings, cache))
    assert parses == [1, 1, 1]


def test_summary_reads_a_published_version_from_its_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = store_settings(tmp_path)
    body = SAMPLE.read_bytes()
    store = Store(settings.store_path)
    preview = prepare_update(store, body, account=ADMIN, kind="replace", file_name="f.xlsx", settings=settings)
    version = publish_preview(store, preview, ADMIN)
    args = ["summary", str(version.path), "--period", "2024-Q1", "--format", "json"]

    def run() -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        parsed_args = build_parser().parse_args(args)
        code = parsed_args.handler(parsed_args, settings, out, err)
        return code, out.getvalue(), err.getvalue()

    parsed_run = run()  # the snapshot is used ...
    monkeypatch.setattr(sandbox, "parse_isolated", lambda *a, **k: pytest.fail("parsed"))
    assert run() == parsed_run  # ... and says exactly what a parse says
    monkeypatch.undo()
    snapshots.discard(settings.store_path / "cache", version.sha256)
    assert run() == parsed_run  # without the snapshot: parsed in the sandbox, the same output
    records = json.loads(parsed_run[1])
    assert parsed_run[0] == 0 and records and {"unit_code", "planned", "actual"} <= set(records[0])
