"""`store verify` and `store repair` on real damaged stores (the command line as a subprocess): what they
report, exit codes, the confirmation, nothing deleted (damaged files moved to damaged/ byte for byte)."""

from __future__ import annotations

import getpass
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cchc_lib.access.accounts import Accounts
from cchc_lib.publishing.store import Store
from cchc_lib.publishing.version_keys import cache_file, version_keys
from tests.command import run_cli
from tests.test_store import ADMIN, snapshot, tiny_xlsx

ROOT = Path(__file__).resolve().parent.parent


def run(root: Path, *args: str, answer: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli("store", *args, "--store-dir", str(root), answer=answer)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A store with versions 1 ("một") and 2 ("hai")."""
    store = Store(tmp_path / "store")
    store.publish(tiny_xlsx("một"), account=ADMIN, kind="replace", file_name="mot.xlsx", base_version=None)
    store.publish(tiny_xlsx("hai"), account=ADMIN, kind="replace", file_name="hai.xlsx", base_version=1)
    return store.root


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


# name: (damage, problem code, words printed, what repair does: (current after, rollback_of, new version?))
FAULTS = {
    "pointer_to_missing": (
        lambda r: (r / "current").write_text(json.dumps({"number": 7, "sha256": "0" * 64})),
        "pointer_unknown",
        "Tệp «current» chỉ đến phiên bản số 7, nhưng không có phiên bản đó trong versions/.",
        (8, 2),
    ),
    "metadata_garbage": (
        lambda r: (r / "versions" / "000002.json").write_bytes(b"\xff garbage"),
        "meta_corrupt",
        "Tệp thông tin của phiên bản số 2 (versions/000002.json) bị hỏng.",
        (3, 1),
    ),
    "bytes_truncated": (
        lambda r: truncate(r / "versions" / "000002.xlsx"),
        "bytes_mismatch",
        "Tệp dữ liệu của phiên bản số 2 (versions/000002.xlsx) không khớp mã kiểm tra (sha256)",
        (3, 1),
    ),
    "old_version_tampered": (
        lambda r: (r / "versions" / "000001.xlsx").write_bytes(tiny_xlsx("sửa trộm")),
        "bytes_mismatch",
        "Tệp dữ liệu của phiên bản số 1 (versions/000001.xlsx) không khớp",
        (2, None),
    ),
    "pointer_garbage": (
        lambda r: (r / "current").write_bytes(b"{{{"),
        "pointer_corrupt",
        "Tệp «current» (chỉ phiên bản hiện hành) bị hỏng: không đọc được.",
        (2, None),
    ),
    "pointer_deleted": (
        lambda r: (r / "current").unlink(),
        "pointer_missing",
        "Tệp «current» (chỉ phiên bản hiện hành) không còn",
        (2, None),
    ),
    "pointer_behind": (
        lambda r: (r / "current").write_text(
            json.dumps({"number": 1, "sha256": Store(r, repair=False).version(1).sha256})
        ),
        "pointer_behind",
        "Tệp «current» chỉ đến phiên bản số 1, nhưng phiên bản số 2 đã được công bố sau đó.",
        (2, None),
    ),
}


def test_verify_a_sound_store(root: Path) -> None:
    done = run(root, "verify")
    assert done.returncode == 0, done.stderr
    assert "Không phát hiện vấn đề nào. Phiên bản hiện hành: 2 (khớp mã kiểm tra)." in done.stdout
    assert "- tệp dữ liệu của 2 phiên bản so với mã kiểm tra sha256" in done.stdout
    assert "- nhật ký thao tác (audit.jsonl, 2 dòng)" in done.stdout
    data = json.loads(run(root, "verify", "--format", "json").stdout)
    assert (data["state"], data["current"], data["problems"], data["repair"]) == ("ok", 2, [], None)


def test_verify_an_empty_store(tmp_path: Path) -> None:
    done = run(tmp_path / "none", "verify")
    assert done.returncode == 0
    assert "Kho dữ liệu chưa có phiên bản nào được công bố: không có gì hỏng." in done.stdout


@pytest.mark.parametrize("fault", list(FAULTS))
def test_verify_reports_the_damage_and_what_to_run(root: Path, fault: str) -> None:
    damage, code, words, _ = FAULTS[fault]
    damage(root)
    done = run(root, "verify")
    assert done.returncode == 1
    assert words in done.stdout
    assert "Cách xử lý: chạy `python -m cchc_lib store repair`" in done.stdout
    data = json.loads(run(root, "verify", "--format", "json").stdout)
    assert data["state"] == "damaged" and code in [p["code"] for p in data["problems"]]
    assert data["repair"] is not None


@pytest.mark.parametrize("fault", list(FAULTS))
def test_repair_after_confirmation_restores_the_last_good_version(root: Path, fault: str) -> None:
    damage, _, words, (current, rollback_of) = FAULTS[fault]
    damage(root)
    before = snapshot(root)
    done = run(root, "repair", answer="có\n")
    assert done.returncode == 0, done.stdout + done.stderr
    assert words in done.stdout and "Xác nhận? (có/không)" in done.stdout
    assert "Đã ghi vào nhật ký thao tác." in done.stdout
    store = Store(root)
    assert (store.current_number(), store.current().rollback_of) == (current, rollback_of)
    assert store.verify()
    # Nothing deleted: every file that was there is still there, in place or under damaged/, same bytes.
    after = snapshot(root)
    for rel, data in before.items():
        if rel in ("audit.jsonl", "current"):
            continue
        kept = [k for k, v in after.items() if (k == rel or k.endswith("/" + rel)) and v == data]
        assert kept, rel
    if "current" in before and after.get("current") != before["current"]:
        assert [k for k, v in after.items() if k.startswith("damaged/") and k.endswith("/current")]
    [entry] = [e for e in store.audit() if e.get("kind") == "repair"]
    assert (entry["outcome"], entry["user"], entry["role"]) == ("repaired", getpass.getuser(), "server")
    assert entry["version"] == current
    assert bool(entry["moved"]) == (fault != "pointer_deleted")  # a deleted pointer leaves nothing to keep
    assert run(root, "verify").returncode == 0


def test_repair_is_cancelled_without_a_yes(root: Path) -> None:
    truncate(root / "versions" / "000002.xlsx")
    before = snapshot(root)
    for answer in ("không\n", "", "\n"):
        done = run(root, "repair", answer=answer)
        assert done.returncode == 1
        assert "Đã hủy: chưa sửa gì." in done.stderr
        assert snapshot(root) == before


def test_repair_with_yes_and_a_named_admin(root: Path, tmp_path: Path) -> None:
    users = tmp_path / "users.toml"
    accounts = Accounts(users)
    accounts.add("quantri", "admin", "mat-khau-dai-du-12")
    accounts.add("xem", "viewer", "mat-khau-dai-du-12")
    truncate(root / "versions" / "000002.xlsx")
    refused = run(root, "repair", "--yes", "--user", "xem", "--users-file", str(users))
    assert refused.returncode == 1 and "Chỉ tài khoản quản trị mới được sửa kho" in refused.stderr
    done = run(root, "repair", "--yes", "--user", "quantri", "--users-file", str(users))
    assert done.returncode == 0
    assert "Đã khôi phục nội dung phiên bản 1 thành phiên bản mới 3." in done.stdout
    [entry] = [e for e in Store(root).audit() if e.get("kind") == "repair"]
    assert (entry["user"], entry["role"], entry["restored"], entry["quarantined"]) == (
        "quantri",
        "admin",
        1,
        [2],
    )


def test_repair_of_a_sound_store_does_nothing(root: Path) -> None:
    before = snapshot(root)
    done = run(root, "repair", "--yes")
    assert done.returncode == 0 and "Kho dữ liệu không có gì hỏng: không cần sửa." in done.stdout
    assert snapshot(root) == before


def test_no_good_version_left_then_publish_again(root: Path) -> None:
    truncate(root / "versions" / "000001.xlsx")
    truncate(root / "versions" / "000002.xlsx")
    done = run(root, "repair", "--yes")
    assert done.returncode == 0
    assert "Không còn phiên bản hợp lệ nào" in done.stdout
    assert Store(root).current() is None
    after = run(root, "verify")
    assert after.returncode == 1 and "Kho không còn phiên bản dữ liệu hợp lệ nào" in after.stdout
    assert "công bố lại tệp số liệu" in after.stdout
    version = Store(root).publish(
        tiny_xlsx("ba"), account=ADMIN, kind="replace", file_name="ba.xlsx", base_version=None
    )
    assert version.number == 3  # never reuses the numbers of the versions moved away
    assert run(root, "verify").returncode == 0


@pytest.fixture
def books(tmp_path: Path) -> Path:
    """A store with two versions that are real tracking workbooks (their keys can be cached)."""
    from datetime import date

    from tests.test_submissions import act, workbook

    acts = [act(date(2024, 1, 5), "XCB", "TIN_BAI", 2, "a"), act(date(2024, 2, 5), "VHTT", "TIN_BAI", 1, "b")]
    store = Store(tmp_path / "books")
    store.publish(workbook(acts), account=ADMIN, kind="replace", file_name="a.xlsx", base_version=None)
    store.publish(workbook(acts[:1]), account=ADMIN, kind="replace", file_name="b.xlsx", base_version=1)
    return store.root


def test_a_damaged_cache_file_is_found_and_moved_away(books: Path) -> None:
    root = books
    store = Store(root)
    for version in store.history():
        version_keys(version.path, version.sha256, root / "cache")
    target = cache_file(root / "cache", store.version(1).sha256)
    target.write_bytes(b"PAR1 torn")
    done = run(root, "verify")
    assert done.returncode == 1 and f"Tệp bộ nhớ đệm cache/{target.name} bị hỏng" in done.stdout
    assert run(root, "repair", "--yes").returncode == 0
    assert not target.exists() and list((root / "damaged").rglob(target.name))
    assert Store(root).current_number() == 2  # the versions were sound: no new version
    assert run(root, "verify").returncode == 0


def test_a_swapped_cache_file_is_found(books: Path) -> None:
    root = books
    store = Store(root)
    one, two = (store.version(n) for n in (1, 2))
    version_keys(one.path, one.sha256, root / "cache")
    cache_file(root / "cache", one.sha256).rename(cache_file(root / "cache", two.sha256))
    done = run(root, "verify")
    assert done.returncode == 1 and "được tính từ một tệp khác với tệp mang tên của nó" in done.stdout


def test_a_garbage_audit_line_is_reported_and_left_alone(root: Path) -> None:
    audit = root / "audit.jsonl"
    lines = audit.read_bytes().splitlines(keepends=True)
    audit.write_bytes(lines[0] + b"\x00 not json\n" + lines[1])
    done = run(root, "verify")
    assert done.returncode == 1 and "Dòng 2 của nhật ký thao tác (audit.jsonl) không đọc được." in done.stdout
    before = audit.read_bytes()
    repair = run(root, "repair", "--yes")
    assert repair.returncode == 1 and "nhật ký thao tác được giữ nguyên làm bằng chứng" in repair.stdout
    assert audit.read_bytes() == before


def test_status_output_is_unchanged(root: Path) -> None:
    done = run(root, "status")
    assert done.returncode == 0
    assert done.stdout.splitlines()[0] == "Phiên bản hiện hành: 2"
    assert done.stdout.splitlines()[-1] == "Kiểm tra tệp: khớp"


def test_template_from_a_damaged_store_refuses_instead_of_using_the_sample(books: Path, tmp_path: Path) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text(f'store_dir = "{books.as_posix()}"\n', encoding="utf-8")
    target = tmp_path / "mau.xlsx"
    (books / "current").write_text(json.dumps({"number": 7, "sha256": "0" * 64}), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "cchc_lib", "--settings", str(settings), "template", "--out", str(target)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Kho dữ liệu bị hỏng" in done.stderr and "store verify" in done.stderr
    assert not target.exists()
