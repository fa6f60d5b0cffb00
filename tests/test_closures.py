"""Closed periods (issue 15): the standing office's closure record (atomic, audited), unit submissions
touching a closed day refused with the rows named, an admin's closed changes listed and confirmed, the
setting against the store record, reopening, and the `store close|reopen|status` commands."""

from __future__ import annotations

import errno
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from cchc_lib.access.accounts import Account, Accounts
from cchc_lib.common import atomic
from cchc_lib.common.settings import Settings, load_settings
from cchc_lib.publishing.closures import effective_closed_through, year_closed
from cchc_lib.publishing.store import Store, StoreError
from cchc_lib.publishing.submissions import prepare_update, publish_preview
from cchc_lib.reading.sandbox import read_trusted
from cchc_lib.sample.builder import WorkbookSpec, build_xlsx
from tests.command import run_cli
from tests.test_store import ADMIN, UNIT, assert_refused_unchanged, snapshot
from tests.test_submissions import UNITS, act

SETTINGS = Settings()
CLOSED_MESSAGE = (
    "Kỳ đến hết ngày 31/03/2024 đã khóa sổ; liên hệ Văn phòng thường trực CCHC (quản trị viên) để mở lại."
)
TARGETS = [
    {"Năm": 2024, "Quý": None, "Mã đơn vị": "XCB", "TIN_BAI": 10, "PHONG_SU": 2},
    {"Năm": 2024, "Quý": None, "Mã đơn vị": "VHTT", "TIN_BAI": 20},
]
# Rows 2..5 of the published `Hoạt động` sheet (a clean table from A1).
BASE_ACTS = [
    act(date(2024, 1, 5), "XCB", "TIN_BAI", 2, "a"),
    act(date(2024, 2, 5), "VHTT", "TIN_BAI", 1, "b"),
    act(date(2024, 3, 5), "XCB", "PHONG_SU", None, "c"),
    act(date(2024, 5, 5), "XCB", "TIN_BAI", None, "d"),
]


def workbook(acts: list[dict], targets: list[dict] | None = None) -> bytes:
    return build_xlsx(WorkbookSpec(UNITS, targets or TARGETS, acts))


def prepare(s: Store, data: bytes, account: Account = ADMIN, settings: Settings = SETTINGS, **kw) -> object:
    kw.setdefault("kind", "unit" if account.role == "unit" else "replace")
    kw.setdefault("file_name", "tep.xlsx")
    if kw["kind"] == "unit":
        kw.setdefault("unit_code", account.unit_code or "XCB")
    return prepare_update(s, data, account=account, settings=settings, reader=read_trusted, **kw)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "store")
    preview = prepare(s, workbook(BASE_ACTS))
    assert publish_preview(s, preview, ADMIN).number == 1
    return s


def errors(preview) -> list[dict]:
    return preview.errors.to_dict("records")


# ---------------------------------------------------------------------------- the store record


def test_the_closure_is_kept_in_the_store_and_audited(store: Store) -> None:
    assert store.closure_record() is None and store.closed_through() is None
    store.close_through(date(2024, 3, 31), ADMIN)
    raw = json.loads((store.root / "closures.json").read_text(encoding="utf-8"))
    assert (raw["closed_through"], raw["user"]) == ("2024-03-31", "admin1")
    assert store.closed_through() == date(2024, 3, 31)
    entry = store.audit()[-1]
    assert (entry["kind"], entry["outcome"], entry["user"], entry["closed_through"], entry["before"]) == (
        "closure",
        "saved",
        "admin1",
        "2024-03-31",
        None,
    )
    store.reopen(ADMIN)
    assert store.closed_through() is None
    entry = store.audit()[-1]
    assert (entry["closed_through"], entry["before"], entry["file_name"]) == (
        None,
        "2024-03-31",
        "Mở lại kỳ đã khóa sổ",
    )


def test_a_failed_write_keeps_the_previous_closure_whole(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.close_through(date(2024, 3, 31), ADMIN)
    before = (store.root / "closures.json").read_bytes()

    def full_disk(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", full_disk)
    with pytest.raises(StoreError) as info:
        store.close_through(date(2024, 6, 30), ADMIN)
    assert info.value.code == "disk_full"
    assert (store.root / "closures.json").read_bytes() == before
    assert not [p.name for p in store.root.iterdir() if p.name.startswith(atomic.TEMP_PREFIX)]
    assert store.closed_through() == date(2024, 3, 31)
    assert store.audit()[-1]["outcome"] == "refused" and store.audit()[-1]["code"] == "disk_full"


@pytest.mark.parametrize("account", [UNIT, Account("xem", "viewer"), None])
def test_only_an_admin_closes_or_reopens(store: Store, account: Account | None) -> None:
    for action in (lambda: store.close_through(date(2024, 3, 31), account), lambda: store.reopen(account)):
        before = snapshot(store.root)
        with pytest.raises(StoreError) as info:
            action()
        assert info.value.code == "forbidden"
        assert "Văn phòng thường trực CCHC (quản trị viên)" in info.value.message
        assert_refused_unchanged(store, before, "forbidden")
    assert store.closure_record() is None


def test_the_store_record_wins_over_the_setting_and_a_reopening_clears_both(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("[periods]\nclosed_through = 2024-01-31\n", encoding="utf-8")  # a TOML date
    settings = load_settings(path)
    assert settings.closed_through == "31/01/2024"
    assert effective_closed_through(store, settings) == date(2024, 1, 31)
    assert effective_closed_through(store, replace(SETTINGS, closed_through="2024-01-31")) == date(
        2024, 1, 31
    )
    store.close_through(date(2024, 3, 31), ADMIN)
    assert effective_closed_through(store, settings) == date(2024, 3, 31)
    store.close_through(date(2024, 1, 15), ADMIN)  # earlier than the setting: the record still decides
    assert effective_closed_through(store, settings) == date(2024, 1, 15)
    store.reopen(ADMIN)
    assert effective_closed_through(store, settings) is None


def test_a_setting_that_is_not_a_date_stops_publishing(store: Store) -> None:
    with pytest.raises(StoreError) as info:
        prepare(store, workbook(BASE_ACTS), UNIT, replace(SETTINGS, closed_through="31/13/2024"))
    assert info.value.code == "bad_setting" and "'31/13/2024'" in info.value.message


def test_a_year_is_closed_from_its_last_report_day() -> None:
    assert not year_closed(2024, date(2024, 12, 13), SETTINGS)
    assert year_closed(2024, date(2024, 12, 14), SETTINGS)  # the report year ends on 14/12 (cut-off 15)
    assert not year_closed(2024, date(2024, 12, 14), replace(SETTINGS, cutoff_day=20))
    assert year_closed(2023, date(2024, 1, 1), SETTINGS) and not year_closed(2024, None, SETTINGS)


# ---------------------------------------------------------------------------- unit submissions


def test_a_unit_submission_on_a_closed_day_is_refused_naming_the_row(store: Store) -> None:
    store.close_through(date(2024, 3, 31), ADMIN)
    submitted = workbook(
        [act(date(2024, 3, 10), "XCB", "TIN_BAI", 1, "mới"), act(date(2024, 4, 10), "XCB", "TIN_BAI")]
    )
    preview = prepare(store, submitted, UNIT)
    assert not preview.publishable
    assert [(e["code"], e["sheet"], e["row"], e["column"]) for e in errors(preview)] == [
        ("closed_period", "Hoạt động", 2, "Ngày")
    ]
    message = errors(preview)[0]["message"]
    assert message.startswith("Dòng 2 có ngày 10/03/2024, thuộc kỳ đã khóa sổ")
    assert message.endswith(CLOSED_MESSAGE)
    before = snapshot(store.root)
    with pytest.raises(StoreError) as info:
        publish_preview(store, preview, UNIT)
    assert info.value.code == "invalid"
    assert_refused_unchanged(store, before, "invalid")


def test_a_unit_submission_dropping_closed_rows_is_refused_naming_them(store: Store) -> None:
    store.close_through(date(2024, 3, 31), ADMIN)
    # the first half-year replaced by one row: rows a (05/01) and c (05/03) of the current data would go
    preview = prepare(
        store,
        workbook([BASE_ACTS[3]]),
        UNIT,
        date_range=(date(2024, 1, 1), date(2024, 6, 30)),
        mode="correct",
    )
    [error] = errors(preview)
    assert (error["code"], error["sheet"], error["row"]) == ("closed_period", "Hoạt động", None)
    assert error["message"].startswith(
        "Việc nộp này sẽ bỏ 2 dòng hiện có của đơn vị trong kỳ đã khóa sổ (dòng 2: 05/01/2024, XCB, TIN_BAI, "
        "số lượng 2, 'a'; dòng 4: 05/03/2024, XCB, PHONG_SU, số lượng 1, 'c')"
    )
    assert "bắt đầu sau ngày 31/03/2024" in error["message"] and error["message"].endswith(CLOSED_MESSAGE)


def test_a_submission_keeping_the_closed_rows_as_they_are_is_accepted(store: Store) -> None:
    store.close_through(date(2024, 3, 31), ADMIN)
    new = act(date(2024, 6, 1), "XCB", "TIN_BAI", 3, "e")
    mine = [BASE_ACTS[0], BASE_ACTS[2], BASE_ACTS[3], new]
    preview = prepare(
        store, workbook(mine), UNIT, date_range=(date(2024, 1, 1), date(2024, 6, 30)), mode="correct"
    )
    assert preview.publishable, errors(preview)
    assert preview.closed_changes.empty
    assert preview.changes[["type_code", "rows_added", "rows_removed"]].values.tolist() == [["TIN_BAI", 1, 0]]
    assert publish_preview(store, preview, UNIT).number == 2


def test_updating_a_closed_row_by_adding_is_refused_and_an_identical_one_accepted(store: Store) -> None:
    """Mode "add": row a (05/01/2024, TIN_BAI, 'a', quantity 2) sent with quantity 5 would update a closed
    row (refused, naming the file row); sent unchanged next to a new open row it changes nothing there."""
    store.close_through(date(2024, 3, 31), ADMIN)
    changed = act(date(2024, 1, 5), "XCB", "TIN_BAI", 5, "a")
    preview = prepare(store, workbook([changed]), UNIT)
    assert [(e["code"], e["row"]) for e in errors(preview)][:1] == [("closed_period", 2)]
    assert not preview.publishable
    same = prepare(store, workbook([BASE_ACTS[0], act(date(2024, 4, 2), "XCB", "TIN_BAI", 1, "f")]), UNIT)
    assert same.publishable, errors(same)
    assert (len(same.plan.added), len(same.plan.updated), same.plan.unchanged) == (1, 0, 1)


def test_a_submission_only_on_open_days_is_published(store: Store) -> None:
    store.close_through(date(2024, 3, 31), ADMIN)
    preview = prepare(store, workbook([act(date(2024, 4, 1), "XCB", "TIN_BAI", 4)]), UNIT)
    assert preview.publishable and preview.closed_through == date(2024, 3, 31)
    assert publish_preview(store, preview, UNIT).number == 2


def test_reopening_lets_the_same_submission_through(store: Store) -> None:
    submitted = workbook([act(date(2024, 3, 10), "XCB", "TIN_BAI", 1, "mới")])
    store.close_through(date(2024, 3, 31), ADMIN)
    assert not prepare(store, submitted, UNIT).publishable
    store.reopen(ADMIN)
    preview = prepare(store, submitted, UNIT)
    assert preview.publishable and preview.closed_through is None
    assert publish_preview(store, preview, UNIT).number == 2


def test_the_setting_alone_closes_too(store: Store) -> None:
    settings = replace(SETTINGS, closed_through="31/03/2024")
    preview = prepare(store, workbook([act(date(2024, 3, 31), "XCB", "TIN_BAI")]), UNIT, settings)
    assert [e["code"] for e in errors(preview)] == ["closed_period"]
    assert errors(preview)[0]["message"].endswith(CLOSED_MESSAGE)
    assert prepare(store, workbook([act(date(2024, 4, 1), "XCB", "TIN_BAI")]), UNIT, settings).publishable


def test_a_closure_made_after_the_preview_refuses_its_publishing(store: Store) -> None:
    store.close_through(date(2024, 3, 31), ADMIN)
    preview = prepare(store, workbook([act(date(2024, 4, 10), "XCB", "TIN_BAI")]), UNIT)
    assert preview.publishable
    store.close_through(date(2024, 4, 30), ADMIN)
    before = snapshot(store.root)
    with pytest.raises(StoreError) as info:
        publish_preview(store, preview, UNIT)
    assert info.value.code == "closed_changed"
    assert "Kỳ đến hết ngày 30/04/2024 đã khóa sổ" in info.value.message
    assert_refused_unchanged(store, before, "closed_changed")


# ---------------------------------------------------------------------------- admins


def test_an_admin_replacement_lists_the_closed_changes_and_needs_a_confirmation(store: Store) -> None:
    store.close_through(date(2024, 12, 14), ADMIN)  # the whole 2024 report year, targets included
    changed = [act(date(2024, 1, 5), "XCB", "TIN_BAI", 3, "a"), *BASE_ACTS[1:]]
    targets = [TARGETS[0], {"Năm": 2024, "Quý": None, "Mã đơn vị": "VHTT", "TIN_BAI": 25}]
    preview = prepare(store, workbook(changed, targets))
    assert preview.publishable  # an admin may, once confirmed
    listed = preview.closed_changes[["change", "sheet", "row", "description"]].astype(object)
    assert listed.where(listed.notna(), None).values.tolist() == [
        ["thêm", "Hoạt động", 2, "05/01/2024, XCB, TIN_BAI, số lượng 3, 'a'"],
        ["bỏ", "Hoạt động (dữ liệu hiện hành)", 2, "05/01/2024, XCB, TIN_BAI, số lượng 2, 'a'"],
        ["sửa", "Kế hoạch", None, "Chỉ tiêu TIN_BAI của VHTT, năm 2024: 20 → 25"],
    ]
    before = snapshot(store.root)
    with pytest.raises(StoreError) as info:
        publish_preview(store, preview, ADMIN)
    assert info.value.code == "closed_unconfirmed"
    assert "3 dòng hoạt động hoặc chỉ tiêu của kỳ đã khóa sổ (đến hết ngày 14/12/2024)" in info.value.message
    assert_refused_unchanged(store, before, "closed_unconfirmed")
    assert publish_preview(store, preview, ADMIN, confirm_closed=True).number == 2
    published = store.audit()[-1]
    assert (published["outcome"], published["version"], published["closed_changes"]) == ("published", 2, 3)


def test_an_admin_replacement_of_open_days_only_needs_no_confirmation(store: Store) -> None:
    store.close_through(date(2024, 3, 31), ADMIN)  # 2024 targets stay open
    targets = [TARGETS[0], {"Năm": 2024, "Quý": None, "Mã đơn vị": "VHTT", "TIN_BAI": 25}]
    preview = prepare(store, workbook([*BASE_ACTS, act(date(2024, 4, 2), "VHTT", "TIN_BAI")], targets))
    assert preview.closed_changes.empty
    assert publish_preview(store, preview, ADMIN).number == 2
    assert "closed_changes" not in store.audit()[-1]


def test_an_admin_submitting_for_a_unit_gets_the_warning_not_an_error(store: Store) -> None:
    store.close_through(date(2024, 3, 31), ADMIN)
    preview = prepare(
        store,
        workbook([act(date(2024, 3, 10), "XCB", "TIN_BAI", 1, "mới")]),
        ADMIN,
        kind="unit",
        unit_code="XCB",
    )
    assert preview.publishable
    assert preview.closed_changes[["change", "row"]].values.tolist() == [["thêm", 2]]
    assert publish_preview(store, preview, ADMIN, confirm_closed=True).number == 2


# ---------------------------------------------------------------------------- command line


def test_store_close_status_import_reopen_on_the_command_line(store: Store, tmp_path: Path) -> None:
    users = tmp_path / "users.toml"
    accounts = Accounts(users)
    accounts.add("admin1", "admin", "mat-khau-dai-123")
    accounts.add("xcb1", "unit", "mat-khau-dai-123", "XCB")
    where = ("--store-dir", str(store.root))
    who = (*where, "--users-file", str(users))

    plain = run_cli("store", "status", *where)
    plain_json = run_cli("store", "status", "--format", "json", *where)
    assert "Khóa sổ" not in plain.stdout and "closed_through" not in json.loads(plain_json.stdout)

    done = run_cli("store", "close", "--through", "31/03/2024", "--user", "admin1", *who)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Đã khóa sổ đến hết ngày 31/03/2024")
    status = run_cli("store", "status", *where)
    assert status.stdout.splitlines()[:-1] == plain.stdout.splitlines()  # one line more, nothing else
    assert status.stdout.splitlines()[-1].startswith("Khóa sổ: đến hết ngày 31/03/2024 (ghi bởi admin1 lúc ")
    assert json.loads(run_cli("store", "status", "--format", "json", *where).stdout)["closed_through"] == (
        "2024-03-31"
    )

    closed_file = tmp_path / "xcb.xlsx"
    closed_file.write_bytes(workbook([act(date(2024, 3, 10), "XCB", "TIN_BAI", 1, "mới")]))
    refused = run_cli("store", "import", str(closed_file), "--user", "xcb1", "--unit", "XCB", *who)
    assert refused.returncode == 1
    assert "Lỗi (Hoạt động, 2, Ngày): Dòng 2 có ngày 10/03/2024" in refused.stderr
    assert CLOSED_MESSAGE in refused.stderr
    admin = run_cli("store", "import", str(closed_file), "--user", "admin1", "--unit", "XCB", *who)
    assert admin.returncode == 1 and "--confirm-closed" in admin.stderr
    assert "- thêm: Hoạt động dòng 2: 10/03/2024, XCB, TIN_BAI, số lượng 1, 'mới'" in admin.stderr

    assert run_cli("store", "close", "--through", "31/03/2024", "--user", "xcb1", *who).returncode == 1
    bad = run_cli("store", "close", "--through", "31/02/2024", "--user", "admin1", *who)
    assert bad.returncode == 2 and bad.stderr.startswith("Ngày khóa sổ '31/02/2024' không hợp lệ")

    reopened = run_cli("store", "reopen", "--user", "admin1", *who)
    assert reopened.returncode == 0 and reopened.stdout.startswith("Đã mở lại")
    assert run_cli("store", "status", *where).stdout == plain.stdout
    published = run_cli("store", "import", str(closed_file), "--user", "xcb1", "--unit", "XCB", *who)
    assert published.returncode == 0, published.stderr
    assert "Đã công bố phiên bản 2" in published.stdout
