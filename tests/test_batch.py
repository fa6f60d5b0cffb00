"""Several units' files at once (cchc_lib/publishing/batch.py): matched units, per-file problems, one merged version."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from cchc_lib.common.settings import Settings
from cchc_lib.figures.reporting import activity_keys, submission_events, versions_table
from cchc_lib.publishing.batch import (
    ACCEPTED,
    ADMIN_ONLY,
    HAS_ERRORS,
    NOTHING_NEW,
    UNTICKED,
    check_files,
    lines_table,
    merge_files,
    publish_batch,
)
from cchc_lib.publishing.store import Store, StoreError
from cchc_lib.publishing.submissions import prepare_update, publish_preview
from cchc_lib.reading.sandbox import read_trusted
from cchc_lib.sample.builder import WorkbookSpec, build_xlsx
from tests.hostile import CASES
from tests.store_backends import Backend, assert_refused_unchanged, stored
from tests.test_store import ADMIN, UNIT, VIEWER

SETTINGS = Settings()
UNITS = {
    "XCB": {"Mã đơn vị": "XCB", "Tên đơn vị": "Xã Cẩm Bình", "Loại đơn vị": "UBND xã, thị trấn"},
    "XCN": {"Mã đơn vị": "XCN", "Tên đơn vị": "Xã Cẩm Nhượng", "Loại đơn vị": "UBND xã, thị trấn"},
    "VHTT": {
        "Mã đơn vị": "VHTT",
        "Tên đơn vị": "Phòng Văn hóa và Thông tin",
        "Loại đơn vị": "Phòng chuyên môn",
    },
    # known to its own file only, not to the published workbook
    "XKH": {"Mã đơn vị": "XKH", "Tên đơn vị": "Xã Kỳ Hoa", "Loại đơn vị": "UBND xã, thị trấn"},
}
TARGETS = [
    {"Năm": 2024, "Quý": None, "Mã đơn vị": "XCB", "TIN_BAI": 10, "PHONG_SU": 2},
    {"Năm": 2024, "Quý": None, "Mã đơn vị": "XCN", "TIN_BAI": 8},
    {"Năm": 2024, "Quý": None, "Mã đơn vị": "VHTT", "TIN_BAI": 20},
]


def act(day: object, unit: str, kind: str, qty: int | None, title: str) -> dict:
    return {"Ngày": day, "Mã đơn vị": unit, "Loại hoạt động": kind, "Số lượng": qty, "Tiêu đề": title}


BASE = [
    act(date(2024, 1, 5), "XCB", "TIN_BAI", 2, "a"),
    act(date(2024, 2, 5), "VHTT", "TIN_BAI", 1, "b"),
    act(date(2024, 3, 5), "XCB", "PHONG_SU", 1, "c"),
    act(date(2024, 3, 10), "XCN", "TIN_BAI", 1, "e"),
]


def unit_file(codes: list[str], acts: list[dict]) -> bytes:
    """A unit's own workbook as it comes by e-mail: its unit(s), its targets, its activity rows."""
    units = [UNITS[c] for c in codes]
    return build_xlsx(WorkbookSpec(units, [t for t in TARGETS if t["Mã đơn vị"] in codes], acts))


@pytest.fixture
def store(suite_store: Backend) -> Store:
    s = suite_store.open()
    base = build_xlsx(WorkbookSpec([UNITS[c] for c in ("XCB", "XCN", "VHTT")], TARGETS, BASE))
    preview = prepare_update(
        s, base, account=ADMIN, kind="replace", file_name="goc.xlsx", settings=SETTINGS, reader=read_trusted
    )
    assert publish_preview(s, preview, ADMIN).number == 1
    return s


XCB_FILE = unit_file(
    ["XCB"],
    [act(date(2024, 3, 4), "XCB", "TIN_BAI", 3, "x1"), act(date(2024, 3, 20), "XCB", "PHONG_SU", 1, "x2")],
)
XCN_FILE = unit_file(
    ["XCN"],
    [act(date(2024, 3, 10), "XCN", "TIN_BAI", 1, "e"), act(date(2024, 3, 11), "XCN", "TIN_BAI", 4, "e2")],
)
UNKNOWN_FILE = unit_file(["XKH"], [act(date(2024, 3, 1), "XKH", "TIN_BAI", 1, "k")])
ERROR_FILE = unit_file(["VHTT"], [act("31/02/2024", "VHTT", "TIN_BAI", 1, "ngày sai")])
XCB_AGAIN = unit_file(["XCB"], [act(date(2024, 3, 25), "XCB", "TIN_BAI", 1, "x3")])
SEVERAL_FILE = unit_file(
    ["XCB", "XCN"],
    [act(date(2024, 4, 1), "XCB", "TIN_BAI", 1, "s1"), act(date(2024, 4, 2), "XCN", "TIN_BAI", 1, "s2")],
)
HOSTILE = next(c for c in CASES if c.name == "html_renamed").build()

FILES = [
    ("xcb.xlsx", XCB_FILE),
    ("khong_ro.xlsx", UNKNOWN_FILE),
    ("co_loi.xlsx", ERROR_FILE),
    ("xcn.xlsx", XCN_FILE),
    ("xcb_lan2.xlsx", XCB_AGAIN),
    ("nhieu_don_vi.xlsx", SEVERAL_FILE),
    ("doc_hai.xlsx", HOSTILE),
]


def rows_of(s: Store, number: int) -> list[tuple]:
    book = read_trusted(s.read_bytes(number), SETTINGS).workbook
    frame = book.activities
    return sorted(
        (pd.Timestamp(r.date).date(), r.unit_code, r.type_code, int(r.quantity), r.title)
        for r in frame.itertuples(index=False)
    )


def codes(check) -> list[str]:
    return list(check.problems.loc[check.problems["level"] == "error", "code"])


def test_each_file_matched_checked_and_the_good_ones_published_as_one_version(store: Store) -> None:
    checks = check_files(store, FILES, account=ADMIN, settings=SETTINGS, reader=read_trusted)
    assert [c.unit_code for c in checks] == ["XCB", None, None, "XCN", "XCB", None, None]
    assert checks[0].unit_name == "Xã Cẩm Bình" and checks[3].unit_name == "Xã Cẩm Nhượng"
    assert codes(checks[1]) == ["unknown_unit"] and "XKH" in checks[1].problems["message"].iloc[0]
    assert codes(checks[2]) == ["bad_date"]
    assert codes(checks[5]) == ["several_units"] and "XCB, XCN" in checks[5].problems["message"].iloc[0]
    assert codes(checks[6]) == ["html"]
    assert [c.errors for c in checks] == [0, 1, 1, 0, 0, 1, 1]

    batch = merge_files(store, checks, settings=SETTINGS)
    assert batch.accepted == [0, 3]
    assert batch.status[0] == ACCEPTED and batch.status[3] == ACCEPTED
    assert batch.status[1] == batch.status[2] == batch.status[5] == batch.status[6] == HAS_ERRORS
    assert "Đơn vị XCB đã có tệp «xcb.xlsx»" in batch.status[4]

    lines = lines_table(batch)
    assert list(lines["file_name"]) == [name for name, _ in FILES]
    assert list(lines["accepted"]) == [True, False, False, True, False, False, False]
    # xcb: its rows 04/03 and 20/03 match none of its rows ("a", "c" stay: nothing is removed): +2 −0;
    # xcn: "e" is unchanged, "e2" is new: +1 −0
    assert lines.loc[0, ["rows_in_file", "rows_added", "rows_removed"]].tolist() == [2, 2, 0]
    assert lines.loc[3, ["rows_in_file", "rows_added", "rows_removed"]].tolist() == [2, 1, 0]
    assert pd.isna(lines.loc[6, "rows_in_file"])

    first = store.read_bytes(1)
    version = publish_batch(store, batch, ADMIN)
    assert version.number == 2 and version.kind == "batch"
    assert store.current().number == 2
    assert store.read_bytes(1) == first
    assert rows_of(store, 2) == [
        (date(2024, 1, 5), "XCB", "TIN_BAI", 2, "a"),
        (date(2024, 2, 5), "VHTT", "TIN_BAI", 1, "b"),
        (date(2024, 3, 4), "XCB", "TIN_BAI", 3, "x1"),
        (date(2024, 3, 5), "XCB", "PHONG_SU", 1, "c"),
        (date(2024, 3, 10), "XCN", "TIN_BAI", 1, "e"),
        (date(2024, 3, 11), "XCN", "TIN_BAI", 4, "e2"),
        (date(2024, 3, 20), "XCB", "PHONG_SU", 1, "x2"),
    ]
    assert version.rows == 7
    entry = store.audit()[-1]
    assert entry["outcome"] == "published" and entry["version"] == 2 and entry["kind"] == "batch"
    assert [(f["unit_code"], f["file_name"]) for f in entry["files"]] == [
        ("XCB", "xcb.xlsx"),
        ("XCN", "xcn.xlsx"),
    ]
    assert [(f["rows_added"], f["rows_removed"]) for f in entry["files"]] == [(2, 0), (1, 0)]
    assert [h["file_name"] for h in entry["held"]] == [
        "khong_ro.xlsx",
        "co_loi.xlsx",
        "xcb_lan2.xlsx",
        "nhieu_don_vi.xlsx",
        "doc_hai.xlsx",
    ]
    assert entry["file_name"] == "xcb.xlsx, xcn.xlsx"


def test_unticking_a_file_lets_the_units_other_file_in(store: Store) -> None:
    files = [("xcb.xlsx", XCB_FILE), ("xcb_lan2.xlsx", XCB_AGAIN), ("xcn.xlsx", XCN_FILE)]
    checks = check_files(store, files, account=ADMIN, settings=SETTINGS, reader=read_trusted)
    batch = merge_files(store, checks, chosen={1, 2}, settings=SETTINGS)
    assert batch.accepted == [1, 2]
    assert batch.status[0] == UNTICKED
    publish_batch(store, batch, ADMIN)
    assert rows_of(store, 2) == [
        (date(2024, 1, 5), "XCB", "TIN_BAI", 2, "a"),
        (date(2024, 2, 5), "VHTT", "TIN_BAI", 1, "b"),
        (date(2024, 3, 5), "XCB", "PHONG_SU", 1, "c"),
        (date(2024, 3, 10), "XCN", "TIN_BAI", 1, "e"),
        (date(2024, 3, 11), "XCN", "TIN_BAI", 4, "e2"),
        (date(2024, 3, 25), "XCB", "TIN_BAI", 1, "x3"),
    ]


def test_a_file_that_changes_nothing_is_held_and_nothing_left_is_refused(store: Store) -> None:
    same = unit_file(["XCN"], [act(date(2024, 3, 10), "XCN", "TIN_BAI", 1, "e")])
    checks = check_files(
        store, [("y_nguyen.xlsx", same)], account=ADMIN, settings=SETTINGS, reader=read_trusted
    )
    batch = merge_files(store, checks, settings=SETTINGS)
    assert batch.status == [NOTHING_NEW] and not batch.publishable
    before = stored(store)
    with pytest.raises(StoreError) as info:
        publish_batch(store, batch, ADMIN)
    assert info.value.code == "invalid"
    assert_refused_unchanged(store, before, "invalid")


@pytest.mark.parametrize(
    ("account", "words"), [(UNIT, ADMIN_ONLY), (VIEWER, "chỉ được xem"), (None, "chỉ được xem")]
)
def test_only_admins_send_a_batch(store: Store, account, words: str) -> None:
    before = stored(store)
    with pytest.raises(StoreError) as info:
        check_files(store, [("xcb.xlsx", XCB_FILE)], account=account, settings=SETTINGS, reader=read_trusted)
    assert info.value.code == "forbidden" and words in info.value.message
    assert_refused_unchanged(store, before, "forbidden")


def test_a_batch_checked_on_an_older_version_is_refused(store: Store) -> None:
    checks = check_files(
        store, [("xcb.xlsx", XCB_FILE)], account=ADMIN, settings=SETTINGS, reader=read_trusted
    )
    batch = merge_files(store, checks, settings=SETTINGS)
    other = prepare_update(
        store, XCN_FILE, account=ADMIN, kind="unit", unit_code="XCN", file_name="xcn.xlsx",
        settings=SETTINGS, reader=read_trusted,
    )  # fmt: skip
    publish_preview(store, other, ADMIN)
    with pytest.raises(StoreError) as stale:
        merge_files(store, checks, settings=SETTINGS)
    assert stale.value.code == "stale"
    with pytest.raises(StoreError) as info:
        publish_batch(store, batch, ADMIN)
    assert info.value.code == "stale"
    assert store.current().number == 2 and store.audit()[-1]["code"] == "stale"


def test_no_base_version_yet(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as info:
        check_files(Store(tmp_path / "s"), [("xcb.xlsx", XCB_FILE)], account=ADMIN, settings=SETTINGS)
    assert info.value.code == "no_base"


def test_real_sandbox_one_hostile_file_does_not_touch_the_others(store: Store) -> None:
    """The default reader (a limited child process): a cell at XFD1048576 is refused for its file only."""
    far = next(c for c in CASES if c.name == "far_cell_no_dimension").build()
    files = [("xa_xa.xlsx", far), ("xcn.xlsx", XCN_FILE)]
    checks = check_files(store, files, account=ADMIN, settings=SETTINGS)
    assert checks[0].errors == 1 and checks[0].unit_code is None
    assert checks[1].errors == 0 and checks[1].unit_code == "XCN"
    batch = merge_files(store, checks, settings=SETTINGS)
    assert batch.accepted == [1]
    publish_batch(store, batch, ADMIN)
    assert (date(2024, 3, 11), "XCN", "TIN_BAI", 4, "e2") in rows_of(store, 2)
    assert len(rows_of(store, 2)) == 5


def test_a_unit_whose_file_only_updates_a_row_has_submitted(store: Store) -> None:
    """Reporting status: a batch counts for each unit whose rows changed, an update included; a batch
    file adds and updates only (b2, not in the file, stays)."""
    b = act(date(2024, 2, 5), "VHTT", "TIN_BAI", 1, "b")
    b2, b4 = (
        act(date(2024, 2, 10), "VHTT", "TIN_BAI", 1, "b2"),
        act(date(2024, 2, 20), "VHTT", "TIN_BAI", 1, "b4"),
    )
    single = prepare_update(
        store, unit_file(["VHTT"], [b, b2, b4]), account=ADMIN, kind="unit", unit_code="VHTT",
        file_name="vhtt.xlsx", settings=SETTINGS, reader=read_trusted,
    )  # fmt: skip
    publish_preview(store, single, ADMIN)  # version 2: VHTT has b, b2, b4
    b_three = act(date(2024, 2, 5), "VHTT", "TIN_BAI", 3, "b")  # the same activity, 3 items now
    files = [("vhtt_sua.xlsx", unit_file(["VHTT"], [b_three, b4])), ("xcn.xlsx", XCN_FILE)]
    checks = check_files(store, files, account=ADMIN, settings=SETTINGS, reader=read_trusted)
    batch = merge_files(store, checks, settings=SETTINGS)
    lines = lines_table(batch)
    assert batch.accepted == [0, 1]
    assert lines[["rows_added", "rows_removed"]].values.tolist() == [[1, 1], [1, 0]]  # b: old row out, new in
    publish_batch(store, batch, ADMIN)  # version 3: b now 3 items, XCN's e2 added
    assert [r for r in rows_of(store, 3) if r[1] == "VHTT"] == [
        (date(2024, 2, 5), "VHTT", "TIN_BAI", 3, "b"),
        (date(2024, 2, 10), "VHTT", "TIN_BAI", 1, "b2"),
        (date(2024, 2, 20), "VHTT", "TIN_BAI", 1, "b4"),
    ]
    history = store.history()
    keys = {
        v.number: activity_keys(read_trusted(store.read_bytes(v.number), SETTINGS).workbook.activities)
        for v in history
    }
    events = submission_events(versions_table(history), keys, date(2024, 1, 1), date(2024, 12, 31))
    third = events[events["version"] == 3]
    assert third[["unit_code", "rows_added", "rows_removed"]].values.tolist() == [
        ["VHTT", 1, 1],
        ["XCN", 1, 0],
    ]


def test_a_file_changing_a_closed_period_is_held_back_alone(store: Store) -> None:
    closed = Settings(closed_through="08/03/2024")
    late = unit_file(["XCN"], [act(date(2024, 3, 11), "XCN", "TIN_BAI", 4, "e2")])  # after the closed day
    files = [("xcb.xlsx", XCB_FILE), ("xcn.xlsx", late)]  # xcb.xlsx replaces "c" of 05/03: closed
    checks = check_files(store, files, account=ADMIN, settings=closed, reader=read_trusted)
    batch = merge_files(store, checks, settings=closed)
    assert batch.accepted == [1]
    assert batch.status[0].startswith("Tệp thay đổi ") and "(đến hết ngày 08/03/2024)" in batch.status[0]
    publish_batch(store, batch, ADMIN)
    assert (date(2024, 3, 5), "XCB", "PHONG_SU", 1, "c") in rows_of(store, 2)
    assert (date(2024, 3, 11), "XCN", "TIN_BAI", 4, "e2") in rows_of(store, 2)
