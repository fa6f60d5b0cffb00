"""A whole-workbook replacement is compared with the current version in the worker (replace_job): the
server does not load the current tables a second time, the change table says what the two files say,
and a damaged snapshot makes the server compare as before."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from cchc_lib.access.accounts import Account
from cchc_lib.common.settings import Settings
from cchc_lib.publishing import snapshots, submissions
from cchc_lib.publishing.store import Store
from cchc_lib.publishing.submissions import prepare_update, publish_preview
from cchc_lib.sample.builder import WorkbookSpec, build_xlsx

ADMIN = Account("quantri", "admin")
UNITS = [
    {"Mã đơn vị": "XCB", "Tên đơn vị": "Xã Cẩm Bình", "Loại đơn vị": "UBND xã, thị trấn"},
    {"Mã đơn vị": "VHTT", "Tên đơn vị": "Phòng Văn hóa và Thông tin", "Loại đơn vị": "Phòng chuyên môn"},
]
TARGETS = [{"Năm": 2024, "Quý": None, "Mã đơn vị": "XCB", "TIN_BAI": 10, "PHONG_SU": 2}]


def act(day: date, unit: str, kind: str, qty: int, title: str) -> dict:
    return {"Ngày": day, "Mã đơn vị": unit, "Loại hoạt động": kind, "Số lượng": qty, "Tiêu đề": title}


OLD = [
    act(date(2024, 1, 5), "XCB", "TIN_BAI", 2, "a"),
    act(date(2024, 2, 5), "XCB", "TIN_BAI", 1, "b"),
    act(date(2024, 3, 5), "VHTT", "PHONG_SU", 3, "c"),
]
# "b" removed, "a" kept, one new XCB news item of 4, VHTT unchanged
NEW = [OLD[0], OLD[2], act(date(2024, 4, 9), "XCB", "TIN_BAI", 4, "d")]


def replacement(store: Store, settings: Settings, acts: list[dict]):
    """The preview of replacing the whole workbook by one holding `acts`."""
    body = build_xlsx(WorkbookSpec(UNITS, TARGETS, acts))
    return prepare_update(store, body, account=ADMIN, kind="replace", file_name="f.xlsx", settings=settings)


def published_store(tmp_path: Path) -> tuple[Store, Settings, str]:
    settings = replace(Settings(), store_dir=str(tmp_path / "store"))
    store = Store(settings.store_path)
    version = publish_preview(store, replacement(store, settings, OLD), ADMIN)
    return store, settings, version.sha256


def change_of(preview, unit: str, kind: str) -> dict:
    row = preview.changes[(preview.changes["unit_code"] == unit) & (preview.changes["type_code"] == kind)]
    assert len(row) == 1, preview.changes
    return row.iloc[0].to_dict()


def check_changes(preview, settings: Settings) -> None:
    assert preview.errors.empty
    xcb = change_of(preview, "XCB", "TIN_BAI")
    assert (xcb["rows_before"], xcb["rows_after"], xcb["rows_added"], xcb["rows_removed"]) == (2, 2, 1, 1)
    assert (xcb["actual_before"], xcb["actual_after"]) == (3, 6)
    vhtt = preview.changes[preview.changes["unit_code"] == "VHTT"]
    assert vhtt.empty or (vhtt["rows_added"].sum() == 0 and vhtt["rows_removed"].sum() == 0)
    assert len(preview.tables.activities) == 3 and preview.rows == 3
    assert preview.tables_context == snapshots.settings_context(settings)  # the snapshot it will be kept as


def test_the_replacement_is_compared_in_the_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store, settings, _ = published_store(tmp_path)

    def no_load(*_args, **_kwargs):
        raise AssertionError("the server loaded the current tables itself")

    monkeypatch.setattr(submissions, "cached_tables", no_load)
    monkeypatch.setattr(submissions, "change_table", no_load)
    preview = replacement(store, settings, NEW)
    check_changes(preview, settings)


def test_a_damaged_snapshot_is_compared_in_the_server_as_before(tmp_path: Path) -> None:
    store, settings, sha256 = published_store(tmp_path)
    table = snapshots.table_path(settings.store_path / "cache", sha256, "activities")
    table.write_bytes(table.read_bytes()[:-9] + b"damaged!!")
    preview = replacement(store, settings, NEW)
    check_changes(preview, settings)


def test_an_upload_with_errors_is_not_compared(tmp_path: Path) -> None:
    store, settings, _ = published_store(tmp_path)
    bad = [*NEW, act(date(2024, 5, 1), "KHONG_CO", "TIN_BAI", 1, "e")]
    preview = replacement(store, settings, bad)
    assert not preview.errors.empty and preview.tables is None
    assert isinstance(preview.errors, pd.DataFrame)
