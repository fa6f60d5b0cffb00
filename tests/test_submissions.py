"""Preparing and publishing updates: hostile/invalid uploads refused, unit merge, change preview, stale preview.
On the suite's store backend ($CCHC_TEST_STORE); the hostile uploads on both backends."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cchc_lib.access.accounts import Account
from cchc_lib.common.settings import Settings
from cchc_lib.publishing.store import Store, StoreError
from cchc_lib.publishing.submissions import prepare_update, publish_preview
from cchc_lib.reading.safety import MESSAGES
from cchc_lib.reading.sandbox import read_trusted, read_untrusted
from cchc_lib.sample.builder import Layout, WorkbookSpec, build_xlsx
from tests.hostile import CASES
from tests.store_backends import BACKENDS, Backend, assert_refused_unchanged, backend, stored
from tests.test_store import ADMIN, UNIT, VIEWER

SETTINGS = Settings()
UNITS = [
    {"Mã đơn vị": "XCB", "Tên đơn vị": "Xã Cẩm Bình", "Loại đơn vị": "UBND xã, thị trấn"},
    {"Mã đơn vị": "VHTT", "Tên đơn vị": "Phòng Văn hóa và Thông tin", "Loại đơn vị": "Phòng chuyên môn"},
]
TARGETS = [
    {"Năm": 2024, "Quý": None, "Mã đơn vị": "XCB", "TIN_BAI": 10, "PHONG_SU": 2},
    {"Năm": 2024, "Quý": None, "Mã đơn vị": "VHTT", "TIN_BAI": 20},
]


def act(day: date, unit: str, kind: str, qty: int | None = None, title: str = "") -> dict:
    row = {"Ngày": day, "Mã đơn vị": unit, "Loại hoạt động": kind, "Tiêu đề": title}
    if qty is not None:
        row["Số lượng"] = qty
    return row


BASE_ACTS = [
    act(date(2024, 1, 5), "XCB", "TIN_BAI", 2, "a"),
    act(date(2024, 2, 5), "VHTT", "TIN_BAI", 1, "b"),
    act(date(2024, 3, 5), "XCB", "PHONG_SU", None, "c"),
    act(date(2024, 5, 5), "XCB", "TIN_BAI", None, "d"),
]


def workbook(acts: list[dict], layout: Layout | None = None, units: list[dict] | None = None) -> bytes:
    return build_xlsx(WorkbookSpec(units or UNITS, TARGETS, acts), layout=layout)


def prepare(s: Store, data: bytes, account: Account | None = ADMIN, **kw) -> object:
    kw.setdefault("kind", "replace")
    kw.setdefault("file_name", "tep.xlsx")
    return prepare_update(s, data, account=account, settings=SETTINGS, reader=read_trusted, **kw)


def with_base(s: Store) -> Store:
    """`s` (empty) once its version 1 is the base workbook (title block and total row, like official files)."""
    preview = prepare(s, workbook(BASE_ACTS, Layout(title_block=True, total_row=True)), file_name="goc.xlsx")
    assert preview.publishable
    assert publish_preview(s, preview, ADMIN).number == 1
    return s


@pytest.fixture
def store(suite_store: Backend) -> Store:
    """The base workbook as version 1 on the suite's store backend."""
    return with_base(suite_store.open())


@pytest.fixture(scope="module", params=BACKENDS)
def store_each(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The base workbook as version 1, once on each backend: one store for all the hostile uploads of the
    module (each test checks that its refusal left everything stored as it found it)."""
    for chosen in backend(request.param, request, tmp_path_factory.mktemp("each")):
        yield with_base(chosen.open())


@pytest.fixture
def folder_store(tmp_path: Path) -> Store:
    """The base workbook as version 1 in a folder store (the command line's `--store-dir`)."""
    return with_base(Store(tmp_path / "folder"))


# ---------------------------------------------------------------------------- broken and hostile


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_upload_refused_and_nothing_changes(store_each: Store, case) -> None:
    store = store_each
    settings = replace(SETTINGS, **case.settings)
    before = stored(store)
    with pytest.raises(StoreError) as info:
        prepare_update(
            store,
            case.build(),
            account=ADMIN,
            kind="replace",
            file_name="x.xlsx",
            settings=settings,
            reader=read_trusted,
        )
    assert info.value.code == "unreadable"
    assert info.value.detail == case.code
    # what was found in this file (its size, the sheet and its size...) when known, then what to do
    assert info.value.message.endswith(MESSAGES[case.code])
    if case.code == "too_large":
        assert info.value.message.startswith("Tệp nặng ") and "; giới hạn là " in info.value.message
    assert_refused_unchanged(store, before, "", logged=False)
    assert store.current().number == 1


def test_real_sandbox_refuses_a_far_cell_and_reads_a_good_file(store: Store) -> None:
    """The default reader (child process) end to end, once each way."""
    far = next(c for c in CASES if c.name == "far_cell_no_dimension").build()
    with pytest.raises(StoreError) as info:
        prepare_update(store, far, account=ADMIN, kind="replace", file_name="x.xlsx", settings=SETTINGS)
    assert info.value.code == "unreadable"
    good = workbook([*BASE_ACTS, act(date(2024, 6, 1), "VHTT", "TIN_BAI", 4)])
    preview = prepare_update(
        store, good, account=ADMIN, kind="replace", file_name="g.xlsx", settings=SETTINGS
    )
    assert preview.publishable
    assert read_untrusted(good, SETTINGS).ok


# ---------------------------------------------------------------------------- invalid content

INVALID = [
    ("bad_date", [act("31/02/2024", "XCB", "TIN_BAI")], None),
    ("unknown_unit", [act(date(2024, 1, 1), "XYZ", "TIN_BAI")], None),
    ("unknown_type", [act(date(2024, 1, 1), "XCB", "BAO_IN")], None),
    ("negative_quantity", [act(date(2024, 1, 1), "XCB", "TIN_BAI", -3)], None),
    ("missing_unit_sheet", BASE_ACTS, "no_units"),
]


@pytest.mark.parametrize(("name", "acts", "variant"), INVALID, ids=[i[0] for i in INVALID])
def test_invalid_workbook_previewed_with_errors_and_publish_refused(
    store: Store, name: str, acts: list[dict], variant: str | None
) -> None:
    data = workbook(acts)
    if variant == "no_units":
        book = load_workbook(io.BytesIO(data))
        del book["Đơn vị"]
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
    before = stored(store)
    preview = prepare(store, data)
    assert not preview.publishable
    assert len(preview.errors) >= 1
    assert preview.data is None
    assert_refused_unchanged(store, before, "", logged=False)
    with pytest.raises(StoreError) as info:
        publish_preview(store, preview, ADMIN)
    assert info.value.code == "invalid"
    assert info.value.message.startswith("Tệp còn lỗi nên chưa thể cập nhật")
    assert_refused_unchanged(store, before, "invalid")
    assert store.current().number == 1


# ---------------------------------------------------------------------------- permissions, stale, duplicate


@pytest.mark.parametrize(
    ("account", "kind", "unit", "words"),
    [
        (VIEWER, "replace", None, "chỉ được xem"),
        (None, "unit", "XCB", "chỉ được xem"),
        (UNIT, "replace", None, "không được thay thế toàn bộ"),
        (UNIT, "unit", "VHTT", "không phải của đơn vị VHTT"),
    ],
    ids=["viewer", "anonymous", "unit_replaces_all", "unit_for_other_unit"],
)
def test_no_permission_refused_before_reading(store: Store, account, kind, unit, words) -> None:
    before = stored(store)
    with pytest.raises(StoreError) as info:
        prepare(store, b"not even read", account=account, kind=kind, unit_code=unit)
    assert info.value.code == "forbidden"
    assert words in info.value.message
    assert_refused_unchanged(store, before, "forbidden")


def test_unit_rows_of_another_unit_refused(store: Store) -> None:
    data = workbook([act(date(2024, 1, 2), "XCB", "TIN_BAI", 1), act(date(2024, 1, 3), "VHTT", "TIN_BAI", 9)])
    before = stored(store)
    preview = prepare(store, data, account=UNIT, kind="unit", unit_code="XCB")
    errors = preview.errors
    assert list(errors["code"]) == ["other_unit"]
    assert int(errors["row"].iloc[0]) == 3  # header on row 1, second data row
    assert errors["column"].iloc[0] == "Mã đơn vị"
    assert "thuộc đơn vị VHTT" in errors["message"].iloc[0]
    with pytest.raises(StoreError) as info:
        publish_preview(store, preview, UNIT)
    assert info.value.code == "invalid"
    assert_refused_unchanged(store, before, "invalid")


def test_unit_submission_type_missing_from_current_catalogue(store: Store) -> None:
    types = [
        {"Mã loại": "TIN_BAI", "Tên loại hoạt động": "Tin, bài"},
        {"Mã loại": "BAO_IN", "Tên loại hoạt động": "Báo in"},
    ]
    data = build_xlsx(
        WorkbookSpec(UNITS, [], [act(date(2024, 1, 2), "XCB", "BAO_IN", 1)], activity_types=types)
    )
    preview = prepare(store, data, account=UNIT, kind="unit", unit_code="XCB")
    assert list(preview.errors["code"]) == ["unknown_type"]
    assert not preview.publishable


def test_unit_submission_outside_given_range(store: Store) -> None:
    data = workbook([act(date(2024, 4, 2), "XCB", "TIN_BAI", 1)])
    preview = prepare(
        store,
        data,
        account=UNIT,
        kind="unit",
        unit_code="XCB",
        date_range=(date(2024, 1, 1), date(2024, 3, 31)),
        mode="correct",
    )
    [error] = preview.errors.to_dict("records")
    assert error["code"] == "outside_range"
    assert (error["sheet"], error["row"], error["column"]) == ("Hoạt động", 2, "Ngày")  # header on row 1
    message = error["message"]
    assert "Dòng 2 của trang Hoạt động" in message and "02/04/2024" in message
    assert "01/01/2024–31/03/2024" in message
    assert preview.data is None and not preview.publishable


def test_unit_submission_reversed_range_refused(store: Store) -> None:
    data = workbook([act(date(2024, 2, 2), "XCB", "TIN_BAI", 1)])
    preview = prepare(
        store,
        data,
        account=UNIT,
        kind="unit",
        unit_code="XCB",
        date_range=(date(2024, 3, 31), date(2024, 1, 1)),
        mode="correct",
    )
    assert list(preview.errors["code"]) == ["bad_range"]
    assert not preview.publishable


def test_unit_submission_without_rows_needs_a_range(store: Store) -> None:
    preview = prepare(store, workbook([]), account=UNIT, kind="unit", unit_code="XCB", mode="correct")
    assert list(preview.errors["code"]) == ["no_rows"]
    assert "chọn khoảng ngày" in preview.errors["message"].iloc[0]
    assert not preview.publishable


def test_an_empty_file_adds_nothing_and_points_to_the_correction_mode(store: Store) -> None:
    preview = prepare(store, workbook([]), account=UNIT, kind="unit", unit_code="XCB")
    assert list(preview.errors["code"]) == ["no_rows"]
    assert "Sửa lại số liệu trong một khoảng thời gian" in preview.errors["message"].iloc[0]
    assert not preview.publishable


def changes_of(preview) -> dict[tuple[str, str], tuple]:
    """(unit, type) -> (rows added, rows removed, actual before, actual after) of a preview."""
    return {
        (r["unit_code"], r["type_code"]): (
            r["rows_added"],
            r["rows_removed"],
            r["actual_before"],
            r["actual_after"],
        )
        for r in preview.changes.to_dict("records")
    }


def activity_rows(s: Store, number: int) -> list[tuple]:
    acts = read_trusted(s.read_bytes(number), SETTINGS).workbook.activities
    return sorted(
        (r["date"].date(), r["unit_code"], r["type_code"], int(r["quantity"]), r["title"])
        for r in acts.to_dict("records")
    )


def test_empty_unit_submission_with_range_removes_the_units_rows_in_it(store: Store) -> None:
    preview = prepare(
        store,
        workbook([]),
        account=UNIT,
        kind="unit",
        unit_code="XCB",
        date_range=(date(2024, 1, 1), date(2024, 3, 31)),
        mode="correct",
    )
    assert preview.errors.empty and preview.publishable
    got = changes_of(preview)
    # XCB in Q1: a (TIN_BAI 2, 5 Jan) and c (PHONG_SU 1, 5 Mar) go; d (TIN_BAI 1, 5 May) stays
    assert got == {("XCB", "PHONG_SU"): (0, 1, 1, 0), ("XCB", "TIN_BAI"): (0, 1, 3, 1)}
    assert any(
        "2 dòng hiện có của đơn vị XCB từ 01/01/2024 đến 31/03/2024 sẽ bị bỏ" in n for n in preview.notes
    )
    assert preview.removals == 2
    version = publish_preview(store, preview, UNIT, confirm_removals=True)
    assert (version.number, version.rows) == (2, 2)
    assert activity_rows(store, 2) == [
        (date(2024, 2, 5), "VHTT", "TIN_BAI", 1, "b"),
        (date(2024, 5, 5), "XCB", "TIN_BAI", 1, "d"),
    ]


def test_unit_submission_with_a_range_wider_than_the_file(store: Store) -> None:
    preview = prepare(
        store,
        workbook([act(date(2024, 2, 10), "XCB", "TIN_BAI", 4, "moi")]),
        account=UNIT,
        kind="unit",
        unit_code="XCB",
        date_range=(date(2024, 1, 1), date(2024, 6, 30)),
        mode="correct",
    )
    assert preview.publishable and preview.date_range == (date(2024, 1, 1), date(2024, 6, 30))
    assert any("3 dòng hiện có của đơn vị XCB" in n and "1 dòng trong tệp nộp" in n for n in preview.notes)
    publish_preview(store, preview, UNIT, confirm_removals=True)
    # a (5 Jan) and d (5 May) lie outside the file's only date but inside the chosen range: replaced too
    assert activity_rows(store, 2) == [
        (date(2024, 2, 5), "VHTT", "TIN_BAI", 1, "b"),
        (date(2024, 2, 10), "XCB", "TIN_BAI", 4, "moi"),
    ]


def test_unit_submission_on_empty_store(tmp_path: Path) -> None:
    s = Store(tmp_path / "empty")
    with pytest.raises(StoreError) as info:
        prepare(s, workbook(BASE_ACTS), account=UNIT, kind="unit", unit_code="XCB")
    assert info.value.code == "no_base"
    assert s.current() is None and s.audit() == []


def test_stale_preview_refused(store: Store) -> None:
    mine = prepare(
        store, workbook([*BASE_ACTS, act(date(2024, 7, 1), "XCB", "TIN_BAI", 1)]), file_name="cua-toi.xlsx"
    )
    theirs = prepare(
        store, workbook([*BASE_ACTS, act(date(2024, 8, 1), "VHTT", "TIN_BAI", 1)]), file_name="khac.xlsx"
    )
    publish_preview(store, theirs, ADMIN)
    before = stored(store)
    with pytest.raises(StoreError) as info:
        publish_preview(store, mine, ADMIN)
    assert info.value.code == "stale"
    assert "hiện là phiên bản 2" in info.value.message and "trên phiên bản 1" in info.value.message
    entry = assert_refused_unchanged(store, before, "stale")
    assert entry["file_name"] == "cua-toi.xlsx"
    assert store.current().file_name == "khac.xlsx"


def test_identical_reupload_recognised(store: Store) -> None:
    same = store.read_bytes(1)
    preview = prepare(store, same)
    assert preview.duplicate and not preview.publishable
    assert preview.changes.empty
    before = stored(store)
    with pytest.raises(StoreError) as info:
        publish_preview(store, preview, ADMIN)
    assert info.value.code == "duplicate"
    assert_refused_unchanged(store, before, "duplicate")


def test_unit_resubmits_the_same_rows(store: Store) -> None:
    data = workbook(
        [act(date(2024, 1, 5), "XCB", "TIN_BAI", 2, "a"), act(date(2024, 3, 5), "XCB", "PHONG_SU", 1, "c")]
    )
    preview = prepare(store, data, account=UNIT, kind="unit", unit_code="XCB")
    assert preview.errors.empty and preview.duplicate
    before = stored(store)
    with pytest.raises(StoreError) as info:
        publish_preview(store, preview, UNIT)
    assert info.value.code == "duplicate"
    assert_refused_unchanged(store, before, "duplicate")


def test_preview_then_permission_checked_again_at_publish(store: Store) -> None:
    preview = prepare(store, workbook([*BASE_ACTS, act(date(2024, 7, 1), "XCB", "TIN_BAI", 1)]))
    before = stored(store)
    with pytest.raises(StoreError) as info:
        publish_preview(store, preview, VIEWER)
    assert info.value.code == "forbidden"
    assert_refused_unchanged(store, before, "forbidden")


# ---------------------------------------------------------------------------- good paths


def test_replace_preview_counts_changes(store: Store) -> None:
    new = [
        act(date(2024, 1, 5), "XCB", "TIN_BAI", 2, "a"),  # kept
        act(date(2024, 2, 5), "VHTT", "TIN_BAI", 3, "b"),  # quantity 1 -> 3: one removed, one added
        act(date(2024, 5, 5), "XCB", "TIN_BAI", None, "d"),  # kept
        act(date(2024, 6, 1), "VHTT", "PHONG_SU", 2, "e"),  # added
    ]  # XCB PHONG_SU "c" removed
    preview = prepare(store, workbook(new))
    assert preview.publishable and preview.rows == 4 and preview.base_version == 1
    got = changes_of(preview)
    assert got == {
        ("VHTT", "PHONG_SU"): (1, 0, 0, 2),
        ("VHTT", "TIN_BAI"): (1, 1, 1, 3),
        ("XCB", "PHONG_SU"): (0, 1, 1, 0),
    }
    version = publish_preview(store, preview, ADMIN)
    assert (version.number, version.kind, version.rows, version.previous) == (2, "replace", 4, 1)


def test_a_correction_replaces_only_its_rows_in_range(store: Store) -> None:
    sub = [
        act(date(2024, 1, 1), "XCB", "TIN_BAI", 5, "=1+1"),  # formula-looking text stays text
        act(date(2024, 3, 31), "XCB", "PHONG_SU", None, "c2"),
    ]
    preview = prepare(
        store,
        workbook(sub),
        account=UNIT,
        kind="unit",
        unit_code="xcb",
        file_name="xcb-q1.xlsx",
        mode="correct",
    )
    assert preview.errors.empty and preview.publishable
    assert preview.date_range == (date(2024, 1, 1), date(2024, 3, 31))
    got = changes_of(preview)
    # XCB TIN_BAI before: a(2, 5 Jan, in range) + d(1, 5 May, outside): 3; after: new(5) + d(1): 6
    assert got == {("XCB", "PHONG_SU"): (1, 1, 1, 1), ("XCB", "TIN_BAI"): (1, 1, 3, 6)}
    # neither file row has the date and title of a (5 Jan) or c (5 Mar): both are removed
    assert sorted(preview.plan.removed["title"]) == ["a", "c"]
    before = stored(store)
    with pytest.raises(StoreError) as info:
        publish_preview(store, preview, UNIT)
    assert info.value.code == "removals_unconfirmed"
    assert "xóa 2 dòng" in info.value.message
    assert_refused_unchanged(store, before, "removals_unconfirmed")
    version = publish_preview(store, preview, UNIT, confirm_removals=True)
    assert (version.number, version.kind, version.unit_code, version.user, version.rows) == (
        2,
        "unit",
        "XCB",
        "xcb1",
        4,
    )
    result = read_trusted(store.read_bytes(2), SETTINGS)
    assert result.ok
    rows = sorted(
        (r["date"].date(), r["unit_code"], r["type_code"], int(r["quantity"]), r["title"])
        for r in result.workbook.activities.to_dict("records")
    )
    assert rows == [
        (date(2024, 1, 1), "XCB", "TIN_BAI", 5, "=1+1"),
        (date(2024, 2, 5), "VHTT", "TIN_BAI", 1, "b"),
        (date(2024, 3, 31), "XCB", "PHONG_SU", 1, "c2"),
        (date(2024, 5, 5), "XCB", "TIN_BAI", 1, "d"),
    ]
    # Everything else in the workbook is kept: the title block, the other sheets, the total row below the data.
    book = load_workbook(io.BytesIO(store.read_bytes(2)))
    ws = book["Hoạt động"]
    assert ws["A1"].value == "ỦY BAN NHÂN DÂN"
    assert [c.value for c in ws[6]][:3] == ["Ngày", "Mã đơn vị", "Loại hoạt động"]
    assert [ws.cell(row=r, column=1).value for r in range(7, 11)] == [
        datetime(2024, 2, 5),
        datetime(2024, 5, 5),
        datetime(2024, 1, 1),
        datetime(2024, 3, 31),
    ]
    assert ws.cell(row=11, column=1).value == "Tổng cộng"
    assert ws.cell(row=9, column=5).data_type == "s"
    assert book.sheetnames == load_workbook(io.BytesIO(store.read_bytes(1))).sheetnames
    assert store.read_bytes(1) != store.read_bytes(2) and store.verify(1)


def test_rollback_after_unit_submission_restores_the_figures(store: Store) -> None:
    preview = prepare(
        store,
        workbook([act(date(2024, 1, 1), "XCB", "TIN_BAI", 7)]),
        account=UNIT,
        kind="unit",
        unit_code="XCB",
    )
    publish_preview(store, preview, UNIT)
    version = store.rollback(1, ADMIN)
    assert version.number == 3
    restored = read_trusted(store.read_bytes(3), SETTINGS).workbook.activities
    assert int(restored["quantity"].sum()) == 2 + 1 + 1 + 1


def test_store_command_line(folder_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cchc_lib.access.accounts import Accounts

    store = folder_store
    from cchc_lib.commands.cli_store import main

    users = tmp_path / "users.toml"
    Accounts(users).add("admin1", "admin", "mat-khau-dai")
    Accounts(users).add("xem", "viewer", "mat-khau-dai")
    good = tmp_path / "moi.xlsx"
    good.write_bytes(workbook([*BASE_ACTS, act(date(2024, 6, 1), "VHTT", "TIN_BAI", 4)]))
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 hong")
    common = ["--store-dir", str(store.root), "--users-file", str(users)]
    assert main(["store", "import", str(broken), "--user", "admin1", *common]) == 2
    assert main(["store", "import", str(tmp_path / "khong-co.xlsx"), "--user", "admin1", *common]) == 2
    assert main(["store", "import", str(good), "--user", "xem", *common]) == 1
    assert main(["store", "import", str(good), "--user", "ai-do", *common]) == 1
    assert "chỉ được xem" in capsys.readouterr().err
    assert main(["store", "import", str(good), "--user", "admin1", *common]) == 0
    assert "Đã công bố phiên bản 2" in capsys.readouterr().out
    assert main(["store", "import", str(good), "--user", "admin1", *common]) == 1
    assert "giống hệt" in capsys.readouterr().err
    assert main(["store", "rollback", "abc", "--user", "admin1", *common]) == 1
    assert main(["store", "rollback", "9", "--user", "admin1", *common]) == 1
    assert main(["store", "rollback", "1", "--user", "xem", *common]) == 1
    assert main(["store", "rollback", "1", "--user", "admin1", *common]) == 0
    capsys.readouterr()
    assert main(["store", "status", *common]) == 0
    assert "Phiên bản hiện hành: 3" in capsys.readouterr().out
    assert main(["store", "history", "--format", "json", *common]) == 0
    import json

    assert [v["number"] for v in json.loads(capsys.readouterr().out)] == [1, 2, 3]
    assert store.current().number == 3


def test_store_import_of_a_unit_for_a_whole_period(
    folder_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`store import --unit XCB --period 2024-Q1` with no activity row: XCB reports nothing for Q1, so its
    Q1 rows go (a, c) and its May row and the other unit's row stay."""
    from cchc_lib.access.accounts import Accounts
    from cchc_lib.commands.cli_store import main

    store = folder_store
    users = tmp_path / "users.toml"
    Accounts(users).add("xcb1", "unit", "mat-khau-dai", unit_code="XCB")
    empty = tmp_path / "xcb_quy1.xlsx"
    empty.write_bytes(workbook([]))
    common = ["--store-dir", str(store.root), "--users-file", str(users)]
    base = ["store", "import", str(empty), "--user", "xcb1", *common]
    assert main([*base, "--period", "2024-Q1"]) == 2  # a period without --unit means nothing
    assert "chỉ dùng cùng --unit" in capsys.readouterr().err
    assert main([*base, "--unit", "XCB"]) == 1  # no rows and no period: nothing says what to replace
    assert main([*base, "--unit", "XCB", "--period", "2024-Q5"]) == 2
    assert "không hợp lệ" in capsys.readouterr().err
    assert store.current_number() == 1
    capsys.readouterr()
    # The contract (docs/cli.md): the rows it drops are published without a confirmation, as always.
    assert main([*base, "--unit", "XCB", "--period", "2024-Q1"]) == 0
    out = capsys.readouterr()
    assert out.out == (
        "Mã đơn vị\tLoại hoạt động\tThêm dòng\tBớt dòng\tThực hiện trước\tThực hiện sau\n"
        "XCB\tPHONG_SU\t0\t1\t1\t0\n"
        "XCB\tTIN_BAI\t0\t1\t3\t1\n"
        "Đã công bố phiên bản 2 (2 dòng hoạt động).\n"
    )
    assert out.err == (
        "Tệp nộp không có dòng hoạt động nào: 2 dòng hiện có của đơn vị XCB từ 01/01/2024 đến 31/03/2024 sẽ "
        "bị bỏ (đơn vị không có hoạt động trong khoảng này). Mọi số liệu khác giữ nguyên; chỉ trang tính Hoạt "
        "động của tệp nộp được dùng.\n"
    )
    assert activity_rows(store, 2) == [
        (date(2024, 2, 5), "VHTT", "TIN_BAI", 1, "b"),
        (date(2024, 5, 5), "XCB", "TIN_BAI", 1, "d"),
    ]
