"""Column mappings kept per unit in the store: round trip, permission, audit, atomic files, bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cchc_lib.access.accounts import Account
from cchc_lib.publishing.store import WHOLE_BOOK, Store, StoreError

ADMIN = Account("vanphong", "admin")
UNIT = Account("xcb1", "unit", "XCB")
OTHER_UNIT = Account("pnv1", "unit", "PNV")
VIEWER = Account("xem", "viewer")
MAPPING = {"Hoạt động": {"Ngày đăng": "date", "Đơn vị thực hiện": "unit_code", "Hình thức": "type_code"}}


def mapping_entries(store: Store) -> list[dict]:
    return [e for e in store.audit() if e.get("kind") == "column_mapping"]


def test_round_trip_per_unit(tmp_path: Path) -> None:
    store = Store(tmp_path)
    assert store.column_mapping("XCB") is None
    store.save_column_mapping("xcb", MAPPING, UNIT)  # the code is case-insensitive
    assert store.column_mapping("XCB") == MAPPING
    assert store.column_mapping("PNV") is None
    assert store.column_mapping(WHOLE_BOOK) is None
    record = store.column_mapping_record("XCB")
    assert record["user"] == "xcb1" and record["updated_at"]
    # a fresh Store object reads the same file
    assert Store(tmp_path).column_mapping("XCB") == MAPPING
    saved = json.loads((tmp_path / "column_mappings" / "XCB.json").read_text(encoding="utf-8"))
    assert saved["key"] == "XCB" and saved["mapping"] == MAPPING


def test_the_saved_mapping_is_normalised(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.save_column_mapping("XCB", {"hoat dong": {" Ngày đăng ": "Ngày"}}, UNIT)
    assert store.column_mapping("XCB") == {"Hoạt động": {"Ngày đăng": "date"}}


def test_admin_keeps_mappings_for_any_unit_and_the_whole_book(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.save_column_mapping("PNV", MAPPING, ADMIN)
    store.save_column_mapping(WHOLE_BOOK, {"Kinh phí": {"Kinh phí giao": "allocated"}}, ADMIN)
    assert store.column_mapping("PNV") == MAPPING
    assert store.column_mapping(WHOLE_BOOK) == {"Kinh phí": {"Kinh phí giao": "allocated"}}
    assert (tmp_path / "column_mappings" / "_toan_bo_so.json").is_file()


@pytest.mark.parametrize(
    ("account", "key"),
    [(OTHER_UNIT, "XCB"), (UNIT, WHOLE_BOOK), (VIEWER, "XCB"), (None, "XCB")],
)
def test_permission_refused_and_audit_logged(tmp_path: Path, account: Account | None, key: str) -> None:
    store = Store(tmp_path)
    with pytest.raises(StoreError) as caught:
        store.save_column_mapping(key, MAPPING, account)
    assert caught.value.code == "forbidden"
    assert store.column_mapping(key) is None
    [entry] = mapping_entries(store)
    assert entry["outcome"] == "refused" and entry["code"] == "forbidden"
    assert entry["user"] == (account.name if account else None)


def test_invalid_mapping_refused_with_the_reason(tmp_path: Path) -> None:
    store = Store(tmp_path)
    with pytest.raises(StoreError) as caught:
        store.save_column_mapping("XCB", {"Hoạt động": {"Ngày đăng": "khong_co"}}, UNIT)
    assert caught.value.code == "bad_mapping"
    assert "không có cột 'khong_co'" in caught.value.message
    assert store.column_mapping("XCB") is None
    assert [e["outcome"] for e in mapping_entries(store)] == ["refused"]


def test_audit_one_entry_per_change_and_forgetting(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.save_column_mapping("XCB", MAPPING, UNIT)
    store.save_column_mapping("XCB", MAPPING, UNIT)  # unchanged: no entry
    store.save_column_mapping("XCB", None, UNIT)  # forget
    assert store.column_mapping("XCB") is None
    assert not (tmp_path / "column_mappings" / "XCB.json").exists()
    entries = mapping_entries(store)
    assert [(e["outcome"], e["removed"], e["key"], e["user"]) for e in entries] == [
        ("saved", False, "XCB", "xcb1"),
        ("saved", True, "XCB", "xcb1"),
    ]
    assert entries[0]["mapping"] == MAPPING
    assert entries[0]["file_name"] == "Cách ghép cột đơn vị XCB"
    assert not list((tmp_path / "column_mappings").glob(".tmp-*"))


@pytest.mark.parametrize(
    "content",
    [
        "{ không phải json",
        json.dumps({"key": "PNV", "mapping": MAPPING}),
        json.dumps({"key": "XCB", "mapping": {"X": {}}}),
    ],
)
def test_a_damaged_or_foreign_file_is_ignored(tmp_path: Path, content: str) -> None:
    folder = tmp_path / "column_mappings"
    folder.mkdir(parents=True)
    (folder / "XCB.json").write_text(content, encoding="utf-8")
    assert Store(tmp_path).column_mapping("XCB") is None


def test_a_unit_code_that_is_not_a_file_name_is_hashed(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.save_column_mapping("../XÃ 1", MAPPING, ADMIN)
    assert store.column_mapping("../xã 1") == MAPPING
    names = [p.name for p in (tmp_path / "column_mappings").iterdir()]
    assert len(names) == 1 and names[0].startswith("unit-") and names[0].endswith(".json")
