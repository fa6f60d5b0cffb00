"""`store backup` / `store restore` (cli.md): a round trip gives every file back byte for byte; a damaged or
tampered archive is refused with the store untouched; the command line's output and exit codes."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from cchc_lib.access.sessions import Sessions
from cchc_lib.publishing.store import Store
from cchc_lib.publishing.store_backup import BackupError, backup_store, restore_store
from tests.command import run_cli
from tests.test_store import ADMIN, tiny_xlsx

# The login state a backup leaves out (a restored store starts with everyone logged out).
LOGIN_STATE = ("sessions/records/", "sessions/tickets/", "sessions/throttle.json")


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` with its bytes (nothing left out)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def kept(files: dict[str, bytes]) -> dict[str, bytes]:
    """The files a backup must hold: all but the locks and the login state."""
    return {
        name: data
        for name, data in files.items()
        if not name.endswith(".lock") and not any(name.startswith(rule) for rule in LOGIN_STATE)
    }


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A store with two versions, saved report texts, a derived cache file and an open login session."""
    store = Store(tmp_path / "store")
    store.publish(tiny_xlsx("một"), account=ADMIN, kind="replace", file_name="mot.xlsx", base_version=None)
    store.publish(tiny_xlsx("hai"), account=ADMIN, kind="replace", file_name="hai.xlsx", base_version=1)
    store.save_report_texts("2024-Q1", "calendar", {"kien_nghi": "Đề nghị tập huấn."}, ADMIN)
    (store.root / "cache").mkdir(exist_ok=True)
    (store.root / "cache" / "keys-v1-abc.parquet").write_bytes(bytes(range(256)) * 40)
    Sessions(store.root).create(ADMIN, "hash", "10.0.0.1", "Firefox")
    return store.root


def test_round_trip_gives_every_file_back_byte_for_byte(root: Path, tmp_path: Path) -> None:
    before = tree(root)
    assert any(name.startswith("sessions/records/") for name in before)  # the fixture has a login
    result = backup_store(root, tmp_path / "sao_luu.tar.gz")
    expected = kept(before)
    assert {"current", "audit.jsonl", "versions/000001.xlsx", "versions/000002.xlsx",
            "cache/keys-v1-abc.parquet", "sessions/audit.jsonl"} <= set(expected)  # fmt: skip
    assert (result.files, result.size) == (len(expected), sum(len(d) for d in expected.values()))

    # The store moves on (a third version), then the backup is restored over it.
    Store(root).publish(tiny_xlsx("ba"), account=ADMIN, kind="replace", file_name="ba.xlsx", base_version=2)
    moved_on = tree(root)
    restored = restore_store(tmp_path / "sao_luu.tar.gz", root)

    assert kept(tree(root)) == expected
    assert not any(name.startswith("sessions/records/") for name in tree(root))
    assert Store(root).current_number() == 2 and Store(root).verify()
    assert restored.previous is not None and restored.previous.parent == root.parent
    assert tree(restored.previous) == moved_on  # the replaced store is kept whole, never deleted
    assert sorted(p.name for p in root.parent.iterdir() if p.name.startswith(".tmp-")) == []


def test_manifest_lists_the_sha256_of_every_file(root: Path, tmp_path: Path) -> None:
    backup_store(root, tmp_path / "b.tar.gz")
    with tarfile.open(tmp_path / "b.tar.gz") as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("MANIFEST.json").read())
    assert names[0] == "MANIFEST.json"
    listed = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    assert listed == {name: hashlib.sha256(data).hexdigest() for name, data in kept(tree(root)).items()}
    assert sorted(names[1:]) == sorted(listed)


def test_restore_into_a_new_server_folder(root: Path, tmp_path: Path) -> None:
    backup_store(root, tmp_path / "b.tar.gz")
    target = tmp_path / "server" / "data" / "store"
    result = restore_store(tmp_path / "b.tar.gz", target)
    assert result.previous is None
    assert tree(target) == kept(tree(root))


def rewrite(archive: Path, out: Path, change) -> None:
    """Copy `archive` member by member into `out`, `change(name, data)` giving each member's new bytes
    (None drops it); the manifest is copied as it was."""
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            data = change(member.name, src.extractfile(member).read())
            if data is None:
                continue
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))


def flip_last_byte(name: str, data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1]) if name == "versions/000002.xlsx" else data


TAMPERED = {
    "one byte changed": (lambda a, o: rewrite(a, o, flip_last_byte), "tệp versions/000002.xlsx không khớp mã kiểm tra sha256"),
    "a file dropped": (
        lambda a, o: rewrite(a, o, lambda n, d: None if n == "current" else d),
        "thiếu tệp ghi trong bảng mã kiểm tra: current",
    ),
    "no manifest": (
        lambda a, o: rewrite(a, o, lambda n, d: None if n == "MANIFEST.json" else d),
        "thiếu bảng mã kiểm tra MANIFEST.json",
    ),
    "truncated": (lambda a, o: o.write_bytes(a.read_bytes()[: a.stat().st_size // 2]), "không đọc được dạng tar.gz"),
    "not an archive": (lambda a, o: o.write_bytes(b"PK\x03\x04 not a tar"), "không đọc được dạng tar.gz"),
}


@pytest.mark.parametrize("case", TAMPERED)
def test_a_damaged_archive_is_refused_and_the_store_untouched(root: Path, tmp_path: Path, case: str) -> None:
    damage, reason = TAMPERED[case]
    backup_store(root, tmp_path / "good.tar.gz")
    Store(root).publish(tiny_xlsx("ba"), account=ADMIN, kind="replace", file_name="ba.xlsx", base_version=2)
    before = tree(root)
    damage(tmp_path / "good.tar.gz", tmp_path / "bad.tar.gz")

    done = run_cli("store", "restore", str(tmp_path / "bad.tar.gz"), "--store-dir", str(root))

    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert reason in done.stderr
    assert "Chưa khôi phục gì: kho dữ liệu hiện tại được giữ nguyên." in done.stderr
    assert "Traceback" not in done.stderr
    assert tree(root) == before
    assert sorted(p.name for p in root.parent.iterdir()) == sorted(["store", "good.tar.gz", "bad.tar.gz"])


def test_members_outside_the_store_or_unlisted_are_refused(root: Path, tmp_path: Path) -> None:
    backup_store(root, tmp_path / "good.tar.gz")
    with tarfile.open(tmp_path / "good.tar.gz") as src, tarfile.open(tmp_path / "evil.tar.gz", "w:gz") as dst:
        for member in src.getmembers():
            dst.addfile(member, src.extractfile(member))
        info = tarfile.TarInfo("../evil.txt")
        info.size = 4
        dst.addfile(info, io.BytesIO(b"evil"))
    before = tree(root)
    with pytest.raises(BackupError) as refused:
        restore_store(tmp_path / "evil.tar.gz", root)
    assert refused.value.code == "damaged" and "../evil.txt" in refused.value.message
    assert tree(root) == before and not (tmp_path / "evil.txt").exists()


def test_command_line_backup_and_restore(root: Path, tmp_path: Path) -> None:
    archive = tmp_path / "b.tar.gz"
    files = len(kept(tree(root)))
    done = run_cli("store", "backup", str(archive), "--store-dir", str(root))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Đã sao lưu kho dữ liệu {root} vào {archive}: {files} tệp, ")
    assert "kèm mã kiểm tra sha256 của từng tệp (MANIFEST.json)." in done.stdout

    again = run_cli("store", "backup", str(archive), "--store-dir", str(root))
    assert again.returncode == 2 and "đã có" in again.stderr and again.stdout == ""
    nowhere = run_cli("store", "backup", str(tmp_path / "no" / "b.tar.gz"), "--store-dir", str(root))
    assert nowhere.returncode == 2 and f"Thư mục '{tmp_path / 'no'}' không tồn tại." in nowhere.stderr
    empty = run_cli("store", "backup", str(tmp_path / "e.tar.gz"), "--store-dir", str(tmp_path / "none"))
    assert empty.returncode == 1 and "chưa có gì để sao lưu" in empty.stderr

    done = run_cli("store", "restore", str(archive), "--store-dir", str(root))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"Đã khôi phục kho dữ liệu {root} từ {archive}: {files} tệp, ")
    assert lines[1].startswith(f"Kho dữ liệu trước đó được giữ nguyên ở {root}.truoc-khoi-phuc-")
    assert lines[2] == "Mọi phiên đăng nhập đã kết thúc: người dùng đăng nhập lại."
    missing = run_cli("store", "restore", str(tmp_path / "x.tar.gz"), "--store-dir", str(root))
    assert missing.returncode == 2 and "Không có tệp sao lưu" in missing.stderr


def test_a_busy_store_is_not_backed_up_or_replaced(root: Path, tmp_path: Path) -> None:
    """While a publish holds the store's lock, backup and restore wait, then give up with a message."""
    from filelock import FileLock

    backup_store(root, tmp_path / "b.tar.gz")
    before = tree(root)
    with FileLock(root / ".lock"):
        with pytest.raises(BackupError) as busy:
            backup_store(root, tmp_path / "c.tar.gz", timeout=0.2)
        assert busy.value.code == "busy" and not (tmp_path / "c.tar.gz").exists()
        with pytest.raises(BackupError) as busy:
            restore_store(tmp_path / "b.tar.gz", root, timeout=0.2)
        assert busy.value.code == "busy"
    assert tree(root) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.tar.gz", "store"]
