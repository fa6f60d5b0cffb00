"""Store: versions, audit log, permissions, stale/duplicate refusals, rollback, ENOSPC, concurrent publishers."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import multiprocessing
import os
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from cchc_lib.access.accounts import Account
from cchc_lib.publishing.store import Store, StoreError

ADMIN = Account("admin1", "admin")
UNIT = Account("xcb1", "unit", "XCB")
VIEWER = Account("xem", "viewer")


def tiny_xlsx(text: str) -> bytes:
    """A one-cell workbook whose A1 holds `text`."""
    book = Workbook()
    book.active["A1"] = text
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` (except the lock file) with its bytes."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A store holding two versions, both published by the admin."""
    s = Store(tmp_path / "store")
    s.publish(
        tiny_xlsx("một"), account=ADMIN, kind="replace", file_name="mot.xlsx", base_version=None, rows=3
    )
    s.publish(tiny_xlsx("hai"), account=ADMIN, kind="replace", file_name="hai.xlsx", base_version=1, rows=5)
    return s


def assert_refused_unchanged(s: Store, before: dict[str, bytes], code: str, logged: bool = True) -> dict:
    """Only audit.jsonl may differ from `before`, by exactly one refusal entry with `code` (if logged)."""
    after = snapshot(s.root)
    assert {k: v for k, v in after.items() if k != "audit.jsonl"} == {
        k: v for k, v in before.items() if k != "audit.jsonl"
    }
    old_audit = before.get("audit.jsonl", b"")
    new_audit = after.get("audit.jsonl", b"")
    assert new_audit.startswith(old_audit)
    extra = new_audit[len(old_audit) :].decode("utf-8").splitlines()
    if not logged:
        assert extra == []
        return {}
    assert len(extra) == 1
    entry = json.loads(extra[0])
    assert entry["outcome"] == "refused"
    assert entry["code"] == code
    return entry


# ------------------------------------------------------------------------------------ good paths


def test_publish_writes_immutable_versions_and_audit(store: Store) -> None:
    current = store.current()
    assert current is not None
    assert (
        current.number,
        current.user,
        current.kind,
        current.file_name,
        current.rows,
        current.previous,
    ) == (
        2,
        "admin1",
        "replace",
        "hai.xlsx",
        5,
        1,
    )
    assert current.sha256 == hashlib.sha256(tiny_xlsx("hai")).hexdigest() or store.verify()
    assert [v.number for v in store.history()] == [1, 2]
    assert load_workbook(io.BytesIO(store.read_bytes(1))).active["A1"].value == "một"
    assert load_workbook(io.BytesIO(store.read_bytes(2))).active["A1"].value == "hai"
    audit = store.audit()
    assert [(e["outcome"], e["version"], e["previous"], e["user"]) for e in audit] == [
        ("published", 1, None, "admin1"),
        ("published", 2, 1, "admin1"),
    ]
    assert audit[1]["file_name"] == "hai.xlsx" and audit[1]["rows"] == 5
    assert audit[1]["sha256"] == current.sha256
    assert current.created_at.tzinfo is not None
    assert sorted(p.name for p in (store.root / "versions").iterdir()) == [
        "000001.json",
        "000001.xlsx",
        "000002.json",
        "000002.xlsx",
    ]


def test_empty_store(tmp_path: Path) -> None:
    s = Store(tmp_path / "nothing")
    assert s.current() is None
    assert s.history() == []
    assert s.audit() == []
    assert s.verify() is True


def test_unit_account_publishes_own_unit(store: Store) -> None:
    v = store.publish(
        tiny_xlsx("ba"), account=UNIT, kind="unit", file_name="x.xlsx", base_version=2, unit_code="xcb"
    )
    assert (v.number, v.kind, v.unit_code, v.user) == (3, "unit", "XCB", "xcb1")


def test_rollback_creates_new_version_with_old_content(store: Store) -> None:
    v = store.rollback(1, ADMIN)
    assert (v.number, v.kind, v.rollback_of, v.previous, v.file_name) == (3, "rollback", 1, 2, "mot.xlsx")
    assert store.read_bytes(3) == store.read_bytes(1)
    assert store.current().number == 3
    assert store.audit()[-1]["outcome"] == "published" and store.audit()[-1]["rollback_of"] == 1


def test_verify_detects_tampering(store: Store) -> None:
    assert store.verify() and store.verify_all() == []
    path = store.current().path
    os.chmod(path, 0o644)
    path.write_bytes(tiny_xlsx("sửa trộm"))
    assert store.verify() is False
    assert store.verify_all() == [2]
    with pytest.raises(StoreError) as info:
        store.read_bytes(2)
    assert info.value.code == "corrupt"


def test_leftovers_of_a_killed_writer_are_cleaned_on_open(store: Store) -> None:
    versions = store.root / "versions"
    (versions / ".tmp-000003.xlsx.999").write_bytes(b"PK half")
    (store.root / ".tmp-current.999").write_bytes(b"{")
    (versions / "000003.xlsx").write_bytes(tiny_xlsx("never current"))
    with (store.root / "audit.jsonl").open("ab") as handle:
        handle.write(b'{"torn": ')
    reopened = Store(store.root)
    assert sorted(p.name for p in versions.iterdir()) == [
        "000001.json",
        "000001.xlsx",
        "000002.json",
        "000002.xlsx",
    ]
    assert not (store.root / ".tmp-current.999").exists()
    assert (store.root / "audit.jsonl").read_bytes().endswith(b"\n")
    assert [e["version"] for e in reopened.audit()] == [1, 2]
    assert reopened.current().number == 2


def test_missing_audit_entry_is_recovered(store: Store) -> None:
    lines = (store.root / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    (store.root / "audit.jsonl").write_text(lines[0] + "\n", encoding="utf-8")  # killed before the audit line
    Store(store.root)
    entries = store.audit()
    assert [(e["version"], e.get("recovered", False)) for e in entries] == [(1, False), (2, True)]


# ------------------------------------------------------------------------------------ refusals

REFUSALS = [
    # (name, account, kwargs, code, words in the message)
    ("viewer", VIEWER, {}, "forbidden", "chỉ được xem"),
    ("anonymous", None, {}, "forbidden", "chỉ được xem"),
    ("unit_replaces_all", UNIT, {}, "forbidden", "không được thay thế toàn bộ"),
    (
        "unit_other_unit",
        UNIT,
        {"kind": "unit", "unit_code": "VHTT"},
        "forbidden",
        "không phải của đơn vị VHTT",
    ),
    ("unit_without_code", UNIT, {"kind": "unit", "unit_code": None}, "forbidden", "chỉ được nộp số liệu"),
    ("admin_unit_without_code", ADMIN, {"kind": "unit"}, "bad_kind", "phải nêu mã đơn vị"),
    ("unknown_kind", ADMIN, {"kind": "xoa_het"}, "bad_kind", "không hợp lệ"),
    ("kind_rollback", ADMIN, {"kind": "rollback"}, "bad_kind", "khôi phục"),
    ("stale_from_empty", ADMIN, {"base_version": None}, "stale", "hiện là phiên bản 2"),
    ("stale_older", ADMIN, {"base_version": 1}, "stale", "Bản xem trước đã cũ"),
    ("stale_future", ADMIN, {"base_version": 7}, "stale", "tải tệp lên lại"),
    ("duplicate", ADMIN, {"data": "same"}, "duplicate", "giống hệt dữ liệu hiện hành (phiên bản 2)"),
    ("empty_bytes", ADMIN, {"data": b""}, "empty", "rỗng"),
    ("not_zip", ADMIN, {"data": b"Ngay,Ma don vi\n1,2\n"}, "not_xlsx", "không phải là tệp Excel"),
    ("html", ADMIN, {"data": b"<html><table></table></html>"}, "not_xlsx", "không phải là tệp Excel"),
    ("not_bytes", ADMIN, {"data": "PK\x03\x04 text"}, "empty", "rỗng"),
]


@pytest.mark.parametrize(
    ("name", "account", "kwargs", "code", "words"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
def test_publish_refusals_change_nothing(
    store: Store, name: str, account: Account | None, kwargs: dict, code: str, words: str
) -> None:
    args = {
        "data": tiny_xlsx(f"mới {name}"),
        "account": account,
        "kind": "replace",
        "file_name": "moi.xlsx",
        "base_version": 2,
        "unit_code": None,
    }
    args.update(kwargs)
    if args["data"] == "same":
        args["data"] = store.read_bytes(2)
    before = snapshot(store.root)
    with pytest.raises(StoreError) as info:
        store.publish(args.pop("data"), **args)
    assert info.value.code == code
    assert words in info.value.message
    entry = assert_refused_unchanged(store, before, code)
    if entry:
        assert entry["user"] == (account.name if account else None)
        assert entry["reason"] == info.value.message
    assert store.current().number == 2


ROLLBACK_REFUSALS = [
    ("viewer", VIEWER, 1, "forbidden", "chỉ được xem"),
    ("unit", UNIT, 1, "forbidden", "Chỉ quản trị viên"),
    ("anonymous", None, 1, "forbidden", "chỉ được xem"),
    ("unknown_version", ADMIN, 99, "unknown_version", "Không có phiên bản số 99"),
    ("version_zero", ADMIN, 0, "unknown_version", "Không có phiên bản số 0"),
    ("negative", ADMIN, -1, "unknown_version", "Không có phiên bản số -1"),
    ("to_current", ADMIN, 2, "duplicate", "giống hệt"),
]


@pytest.mark.parametrize(
    ("name", "account", "number", "code", "words"), ROLLBACK_REFUSALS, ids=[r[0] for r in ROLLBACK_REFUSALS]
)
def test_rollback_refusals_change_nothing(
    store: Store, name: str, account: Account | None, number: int, code: str, words: str
) -> None:
    before = snapshot(store.root)
    with pytest.raises(StoreError) as info:
        store.rollback(number, account)
    assert info.value.code == code
    assert words in info.value.message
    assert_refused_unchanged(store, before, code)
    assert store.current().number == 2


def test_rollback_refuses_a_tampered_version(store: Store) -> None:
    path = store._version_path(1)
    path.write_bytes(tiny_xlsx("sửa"))
    before = snapshot(store.root)
    with pytest.raises(StoreError) as info:
        store.rollback(1, ADMIN)
    assert info.value.code == "corrupt"
    assert_refused_unchanged(store, before, "corrupt")


def test_unknown_version_read(store: Store) -> None:
    for number in (0, 3, 99):
        with pytest.raises(StoreError) as info:
            store.read_bytes(number)
        assert info.value.code == "unknown_version"
        assert info.value.message == f"Không có phiên bản số {number}."


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EIO])
def test_disk_full_keeps_old_version(store: Store, monkeypatch: pytest.MonkeyPatch, err: int) -> None:
    before = snapshot(store.root)

    def failing_write(fd: int, data: bytes) -> int:
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(os, "write", failing_write)
    with pytest.raises(StoreError) as info:
        store.publish(tiny_xlsx("ba"), account=ADMIN, kind="replace", file_name="ba.xlsx", base_version=2)
    monkeypatch.undo()
    if err == errno.ENOSPC:
        assert info.value.code == "disk_full"
        assert "Ổ đĩa của máy chủ đã đầy" in info.value.message
    else:
        assert info.value.code == "io_error"
    assert "Dữ liệu hiện hành vẫn nguyên vẹn" in info.value.message
    # the refusal could not be logged either (the disk is full): nothing at all changed
    assert_refused_unchanged(store, before, info.value.code, logged=False)
    assert store.current().number == 2 and store.verify()
    assert not [p for p in store.root.rglob(".tmp-*")]
    # once there is room again, publishing works
    assert (
        store.publish(
            tiny_xlsx("ba"), account=ADMIN, kind="replace", file_name="ba.xlsx", base_version=2
        ).number
        == 3
    )


def test_disk_full_on_pointer_keeps_old_version(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """ENOSPC after the version file was written: the new file is dropped, the pointer still says 2."""
    real_write = os.write
    calls = {"n": 0}

    def write_then_fail(fd: int, data: bytes) -> int:
        calls["n"] += 1
        if calls["n"] >= 3:  # the xlsx and its metadata got through; the pointer does not
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write_then_fail)
    with pytest.raises(StoreError) as info:
        store.publish(tiny_xlsx("ba"), account=ADMIN, kind="replace", file_name="ba.xlsx", base_version=2)
    monkeypatch.undo()
    assert info.value.code == "disk_full"
    assert store.current().number == 2 and store.verify()
    assert sorted(p.name for p in (store.root / "versions").iterdir())[-1] == "000002.xlsx"


# ------------------------------------------------------------------------------------ concurrency


def _publisher(root: str, worker: int, count: int) -> None:
    s = Store(root)
    done = 0
    while done < count:
        base = s.current_number()
        try:
            s.publish(
                f"PK\x03\x04 worker {worker} item {done}".encode(),
                account=ADMIN,
                kind="replace",
                file_name=f"w{worker}-{done}.xlsx",
                base_version=base,
            )
            done += 1
        except StoreError as exc:
            if exc.code != "stale":
                raise


def test_concurrent_publishers_lose_nothing(tmp_path: Path) -> None:
    root = tmp_path / "store"
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_publisher, args=(str(root), w, 5)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    s = Store(root)
    history = s.history()
    assert [v.number for v in history] == list(range(1, 21))
    assert [v.previous for v in history] == [None, *range(1, 20)]
    assert sorted(v.file_name for v in history) == sorted(
        f"w{w}-{i}.xlsx" for w in range(4) for i in range(5)
    )
    for v in history:
        worker, item = v.file_name[1:-5].split("-")
        assert s.read_bytes(v.number) == f"PK\x03\x04 worker {worker} item {item}".encode()
    published = [e for e in s.audit() if e["outcome"] == "published"]
    assert [e["version"] for e in published] == list(range(1, 21))


# ------------------------------------------------------------------------------------ damage is kept
def test_opening_a_store_whose_pointer_was_deleted_deletes_nothing(store: Store) -> None:
    """The killed-writer cleanup once took every version above a missing pointer for leftovers."""
    (store.root / "current").unlink()
    before = snapshot(store.root)
    reopened = Store(store.root)
    assert snapshot(store.root) == before
    assert [f.code for f in reopened.check().problems] == ["pointer_missing"]


def test_pointer_and_audit_deleted_keeps_every_version(store: Store) -> None:
    (store.root / "current").unlink()
    (store.root / "audit.jsonl").unlink()
    before = snapshot(store.root)
    Store(store.root)
    assert snapshot(store.root) == before


def test_a_killed_first_publish_is_still_cleaned(tmp_path: Path) -> None:
    root = tmp_path / "store"
    (root / "versions").mkdir(parents=True)
    (root / "versions" / "000001.xlsx").write_bytes(tiny_xlsx("never current"))
    reopened = Store(root)
    assert list((root / "versions").iterdir()) == []
    assert reopened.check().state == "empty"


def test_check_states(store: Store, tmp_path: Path) -> None:
    assert Store(tmp_path / "nothing").check().state == "empty"
    health = store.check()
    assert (health.state, health.current.number, health.problems) == ("ok", 2, ())
    (store.root / "versions" / "000001.xlsx").write_bytes(tiny_xlsx("sửa trộm"))
    assert store.check(deep=False).state == "ok"  # the page check reads only the current version's bytes
    deep = store.check()
    assert (deep.state, [(f.code, f.number) for f in deep.problems]) == ("damaged", [("bytes_mismatch", 1)])


def test_metadata_rewritten_with_another_sha_is_caught_by_the_audit(store: Store) -> None:
    """Someone replaces version 2's bytes and rewrites its metadata and pointer to match: the sha256 the
    audit log recorded when version 2 was published still tells."""
    data = tiny_xlsx("giả mạo")
    sha = hashlib.sha256(data).hexdigest()
    meta = store.root / "versions" / "000002.json"
    raw = json.loads(meta.read_text(encoding="utf-8"))
    raw["sha256"] = sha
    meta.write_text(json.dumps(raw), encoding="utf-8")
    (store.root / "versions" / "000002.xlsx").write_bytes(data)
    (store.root / "current").write_text(json.dumps({"number": 2, "sha256": sha}), encoding="utf-8")
    assert [(f.code, f.number) for f in store.check(deep=False).problems] == [("audit_sha", 2)]


def test_a_publish_after_a_repair_never_reuses_a_number(store: Store) -> None:
    (store.root / "versions" / "000002.xlsx").write_bytes(b"PK\x03\x04 hong")
    plan, version = store.restore_last_good("root", "server")
    assert (plan.restore, version.number, version.rollback_of) == (1, 3, 1)
    assert sorted(p.name for p in (store.root / "damaged").rglob("00000*")) == ["000002.json", "000002.xlsx"]
    after = store.publish(tiny_xlsx("bốn"), account=ADMIN, kind="replace", file_name="b.xlsx", base_version=3)
    assert after.number == 4
    assert store.check().state == "ok"


def test_a_repair_confirmed_on_another_state_is_refused(store: Store) -> None:
    (store.root / "versions" / "000002.xlsx").write_bytes(b"PK\x03\x04 hong")
    plan = store.repair_plan()
    (store.root / "current").write_bytes(b"{{")  # changed after the admin read the plan
    before = snapshot(store.root)
    with pytest.raises(StoreError) as info:
        store.restore_last_good("root", "server", expected=plan)
    assert info.value.code == "stale"
    assert snapshot(store.root) == before
