"""Store: the clerk's report texts per period and calendar (round trip, permission, audit, damage, races)."""

from __future__ import annotations

import json
import logging
import multiprocessing
from pathlib import Path

import pytest

from cchc_lib.access.accounts import Account
from cchc_lib.publishing import store_texts as store_module
from cchc_lib.publishing.store import REPORT_TEXT_MAX_CHARS, Store, StoreError, clean_report_text

ADMIN = Account("vanphong", "admin")
UNIT = Account("xcb1", "unit", "XCB")
VIEWER = Account("xem", "viewer")
KEYS = ("chi_dao", "kenh", "nguyen_nhan", "phuong_huong", "kien_nghi")  # the store's tests fix their own keys


@pytest.fixture(autouse=True)
def known_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "_editable_keys", lambda: KEYS)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store")


def texts_entries(s: Store) -> list[dict]:
    return [e for e in s.audit() if e.get("kind") == "report_texts"]


def test_round_trip_per_period_and_calendar(store: Store) -> None:
    store.save_report_texts("2024-Q1", "report", {"chi_dao": "Ban hành Kế hoạch số 12/KH-UBND."}, ADMIN)
    assert store.report_texts("2024-Q1", "report") == {"chi_dao": "Ban hành Kế hoạch số 12/KH-UBND."}
    # another calendar, another period, another year: nothing of Q1's report calendar shows there
    assert store.report_texts("2024-Q1", "calendar") == {}
    assert store.report_texts("2024-H1", "report") == {}
    assert store.report_texts("2025-Q1", "report") == {}
    path = store.root / "report_texts" / "report" / "2024-Q1.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert raw["period"] == "2024-Q1" and raw["calendar"] == "report" and raw["user"] == "vanphong"
    assert raw["texts"] == {"chi_dao": "Ban hành Kế hoạch số 12/KH-UBND."}
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".tmp-")]


def test_period_names_are_normalised_and_checked(store: Store) -> None:
    store.save_report_texts(" 2024-q2 ", "calendar", {"kien_nghi": "Đề nghị bố trí kinh phí."}, ADMIN)
    assert store.report_texts("2024-Q2", "calendar") == {"kien_nghi": "Đề nghị bố trí kinh phí."}
    for bad in ("../../etc/passwd", "2024-Q5", ""):
        with pytest.raises(StoreError) as caught:
            store.report_texts(bad, "calendar")
        assert caught.value.code == "bad_period"
    with pytest.raises(StoreError) as caught:
        store.report_texts("2024", "../x")
    assert caught.value.code == "bad_period"


def test_a_save_replaces_and_reset_goes_back_to_the_generated_text(store: Store) -> None:
    store.save_report_texts("2024", "calendar", {"chi_dao": "A", "nguyen_nhan": "B"}, ADMIN)
    store.save_report_texts("2024", "calendar", {"chi_dao": "A2", "nguyen_nhan": "   "}, ADMIN)
    assert store.report_texts("2024", "calendar") == {"chi_dao": "A2"}
    entries = texts_entries(store)
    assert [(e["changed"], e["reset"]) for e in entries] == [
        (["chi_dao", "nguyen_nhan"], []),
        (["chi_dao"], ["nguyen_nhan"]),
    ]
    assert all(
        (e["user"], e["role"], e["period"], e["calendar"], e["outcome"], e["file_name"])
        == ("vanphong", "admin", "2024", "calendar", "saved", "Nội dung báo cáo Năm 2024 (quý dương lịch)")
        for e in entries
    )
    store.save_report_texts("2024", "calendar", {"chi_dao": "A2"}, ADMIN)  # nothing changed: no entry
    assert len(texts_entries(store)) == 2
    store.save_report_texts("2024", "calendar", {}, ADMIN)
    assert store.report_texts("2024", "calendar") == {}
    assert (texts_entries(store)[-1]["changed"], texts_entries(store)[-1]["reset"]) == ([], ["chi_dao"])


@pytest.mark.parametrize("account", [VIEWER, UNIT, None], ids=["viewer", "unit", "anonymous"])
def test_only_the_standing_office_may_save(store: Store, account: Account | None) -> None:
    with pytest.raises(StoreError) as caught:
        store.save_report_texts("2024-Q1", "report", {"chi_dao": "Sửa trái phép"}, account)
    assert caught.value.code == "forbidden"
    assert "Chỉ quản trị viên" in caught.value.message
    assert not (store.root / "report_texts").exists()
    [entry] = texts_entries(store)
    assert entry["outcome"] == "refused" and entry["code"] == "forbidden"
    assert entry["user"] == (account.name if account else None)
    assert (entry["period"], entry["calendar"]) == ("2024-Q1", "report")
    assert entry["file_name"] == "Nội dung báo cáo Quý I năm 2024 (lịch chốt số liệu báo cáo)"


def test_unknown_keys_and_too_long_texts_are_refused_and_nothing_is_written(store: Store) -> None:
    with pytest.raises(StoreError) as caught:
        store.save_report_texts("2024-Q1", "report", {"chi_dao": "x", "tieu_de": "y"}, ADMIN)
    assert caught.value.code == "bad_key"
    assert caught.value.message == (
        "Mục báo cáo không có: tieu_de. Các mục sửa được: chi_dao, kenh, nguyen_nhan, phuong_huong, kien_nghi."
    )
    with pytest.raises(StoreError) as caught:
        store.save_report_texts("2024-Q1", "report", {"chi_dao": "a" * (REPORT_TEXT_MAX_CHARS + 1)}, ADMIN)
    assert caught.value.code == "too_long"
    assert "20.001 ký tự, vượt giới hạn 20.000 ký tự" in caught.value.message
    store.save_report_texts("2024-Q1", "report", {"chi_dao": "a" * REPORT_TEXT_MAX_CHARS}, ADMIN)
    assert len(store.report_texts("2024-Q1", "report")["chi_dao"]) == REPORT_TEXT_MAX_CHARS
    assert [e["code"] for e in texts_entries(store) if e["outcome"] == "refused"] == ["bad_key", "too_long"]


def test_text_is_normalised() -> None:
    nfd = "Ho\u0302\u0323i nghi\u0323"  # "Hội nghị" typed in decomposed form
    raw = f"\ufeff{nfd}\u00a0tuyên\u200b truyền\x07\r\nDòng hai\t\r\n\r\n"
    assert clean_report_text(raw) == "Hội nghị tuyên truyền\nDòng hai"


def test_saved_text_is_normalised(store: Store) -> None:
    store.save_report_texts("2024-Q1", "report", {"chi_dao": "Ho\u0302\u0323i nghi\u0323\x00\r\nB"}, ADMIN)
    assert store.report_texts("2024-Q1", "report") == {"chi_dao": "Hội nghị\nB"}


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{not json",
        b"\xff\xfe\x00garbage",
        b"[1, 2]",
        b'{"period": "2024-Q1", "calendar": "report", "texts": "chi_dao"}',
        # a file copied from another period must never show there
        b'{"period": "2023-Q1", "calendar": "report", "texts": {"chi_dao": "Q1 2023"}}',
        b'{"period": "2024-Q1", "calendar": "calendar", "texts": {"chi_dao": "other calendar"}}',
    ],
    ids=["empty", "torn", "binary", "list", "texts-not-dict", "other-period", "other-calendar"],
)
def test_a_damaged_file_reads_as_empty_with_a_warning(
    store: Store, content: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    path = store.root / "report_texts" / "report" / "2024-Q1.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="cchc_lib.publishing.store"):
        assert store.report_texts("2024-Q1", "report") == {}
    assert any("2024-Q1" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    # the damaged file is replaced by the next save, and the reset keys are none (nothing was readable)
    store.save_report_texts("2024-Q1", "report", {"nguyen_nhan": "Mới"}, ADMIN)
    assert store.report_texts("2024-Q1", "report") == {"nguyen_nhan": "Mới"}


def test_unknown_or_non_text_entries_in_the_file_are_left_out(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    path = store.root / "report_texts" / "report" / "2024-Q1.json"
    path.parent.mkdir(parents=True)
    texts = {"chi_dao": "Giữ", "old_key": "Bỏ", "nguyen_nhan": 12}
    path.write_text(json.dumps({"period": "2024-Q1", "calendar": "report", "texts": texts}), "utf-8")
    with caplog.at_level(logging.WARNING, logger="cchc_lib.publishing.store"):
        assert store.report_texts("2024-Q1", "report") == {"chi_dao": "Giữ"}
    assert "old_key" in caplog.text


def _saver(root: str, key: str, rounds: int) -> None:
    s = Store(root)
    for i in range(rounds):
        done = False
        while not done:
            try:
                current = s.report_texts("2024-Q1", "report")
                s.save_report_texts("2024-Q1", "report", {**current, key: f"{key} lần {i}"}, ADMIN)
                done = True
            except StoreError as exc:  # pragma: no cover - only under extreme load
                assert exc.code == "busy"


def test_two_processes_saving_at_once_leave_a_whole_file(tmp_path: Path) -> None:
    root = tmp_path / "store"
    Store(root)
    ctx = multiprocessing.get_context("fork")  # fork: the children keep the test's section keys
    procs = [ctx.Process(target=_saver, args=(str(root), key, 15)) for key in ("chi_dao", "kien_nghi")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    s = Store(root)
    path = root / "report_texts" / "report" / "2024-Q1.json"
    raw = json.loads(path.read_text(encoding="utf-8"))  # whole JSON, never torn
    assert raw["period"] == "2024-Q1"
    saved = s.report_texts("2024-Q1", "report")
    # each process read-then-saved without holding the lock across both, so one may have overwritten the
    # other's last text; what is on disk is still exactly one of the saves, and the last of one process
    assert saved.get("chi_dao") in {None, *(f"chi_dao lần {i}" for i in range(15))}
    assert saved.get("kien_nghi") in {None, *(f"kien_nghi lần {i}" for i in range(15))}
    assert "chi_dao lần 14" in saved.values() or "kien_nghi lần 14" in saved.values()
    entries = [e for e in s.audit() if e.get("kind") == "report_texts"]
    # every save changed its own key: 30 whole audit lines, none torn or interleaved
    assert len(entries) == 30 and all(e["outcome"] == "saved" for e in entries)
    assert len((root / "audit.jsonl").read_text(encoding="utf-8").splitlines()) == 30
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".tmp-")]


def test_the_generated_text_a_save_was_made_against_is_kept_as_a_digest(store: Store) -> None:
    import hashlib

    def digest(text: str) -> str:  # computed here, not with the store's helper
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    generated = {"chi_dao": "Tự động: 3 kế hoạch.", "kien_nghi": "[Đề nghị bổ sung: kiến nghị]"}
    store.save_report_texts("2024-Q1", "report", {"chi_dao": "A", "kien_nghi": "B"}, ADMIN, basis=generated)
    assert store.report_texts_basis("2024-Q1", "report") == {
        "chi_dao": digest("Tự động: 3 kế hoạch."),
        "kien_nghi": digest("[Đề nghị bổ sung: kiến nghị]"),
    }
    # kien_nghi rewritten without naming what it was written against: its digest is dropped;
    # chi_dao unchanged keeps its digest
    store.save_report_texts("2024-Q1", "report", {"chi_dao": "A", "kien_nghi": "B2"}, ADMIN)
    assert store.report_texts_basis("2024-Q1", "report") == {"chi_dao": digest("Tự động: 3 kế hoạch.")}
    store.save_report_texts("2024-Q1", "report", {"kien_nghi": "B2"}, ADMIN)  # chi_dao reset
    assert store.report_texts_basis("2024-Q1", "report") == {}
    user, when = store.report_texts_saved_by("2024-Q1", "report")
    assert user == "vanphong" and when is not None and when.tzinfo is not None
    assert store.report_texts_saved_by("2024-Q2", "report") == (None, None)


def test_a_save_started_from_texts_someone_else_replaced_is_refused(store: Store) -> None:
    other = Account("phongnv", "admin")
    store.save_report_texts("2024-Q1", "report", {"chi_dao": "A"}, ADMIN)
    opened = store.report_texts("2024-Q1", "report")
    store.save_report_texts("2024-Q1", "report", {"chi_dao": "A", "kenh": "Kênh của người khác"}, other)
    path = store.root / "report_texts" / "report" / "2024-Q1.json"
    before = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        store.save_report_texts("2024-Q1", "report", {"chi_dao": "A2"}, ADMIN, expected=opened)
    assert caught.value.code == "stale"
    assert caught.value.message == (
        "Nội dung báo cáo kỳ này vừa được phongnv lưu sau khi bạn mở trang; nội dung của bạn chưa được lưu."
    )
    assert path.read_bytes() == before
    assert texts_entries(store)[-1]["outcome"] == "refused" and texts_entries(store)[-1]["code"] == "stale"
    # started from what is saved now: accepted
    now = store.report_texts("2024-Q1", "report")
    store.save_report_texts("2024-Q1", "report", {**now, "chi_dao": "A2"}, ADMIN, expected=now)
    assert store.report_texts("2024-Q1", "report") == {"chi_dao": "A2", "kenh": "Kênh của người khác"}
