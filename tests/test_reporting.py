"""Reporting status: submission events from store versions, deadlines, on time / late / missing."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest

from cchc_lib.common.periods import Period
from cchc_lib.figures.reporting import (
    STATUS_LABELS,
    activity_keys,
    lineage,
    period_caption,
    period_status,
    status_counts,
    submission_deadline,
    submission_events,
    units_in_range,
    versions_table,
    year_overview,
)
from cchc_lib.figures.reporting_matrix import CHIPS, chip, submission_matrix
from cchc_lib.publishing.store_base import Version
from cchc_lib.reading.model import ACTIVITY_COLUMNS


def version(**fields) -> Version:
    """A store Version with the fields reporting reads (number, time, user, kind, unit, lineage)."""
    return Version(sha256="0" * 64, path=Path("versions"), file_name="data.xlsx", rows=None, **fields)


VN = timezone(timedelta(hours=7))
Q1 = (date(2023, 12, 15), date(2024, 3, 14))  # 2024-Q1 under the report calendar, cut-off day 15


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN)


def act(day: date, unit: str, kind: str = "TIN_BAI", qty: int = 1, title: str = "", row: int = 2) -> dict:
    return {
        "date": pd.Timestamp(day),
        "unit_code": unit,
        "type_code": kind,
        "quantity": qty,
        "title": title or f"{unit} {day}",
        "channel": None,
        "reform_area": None,
        "link": None,
        "note": None,
        "row": row,
    }


def keys_of(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=ACTIVITY_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"])
    return activity_keys(frame)


UNITS = pd.DataFrame(
    {
        "unit_code": ["A", "B", "C", "D", "E", "F"],
        "unit_name": ["Đơn vị A", "Đơn vị B", "Đơn vị C", "Đơn vị D", "Đơn vị E", "Đơn vị F"],
        "unit_type": ["Phòng chuyên môn"] * 3 + ["UBND xã, thị trấn"] * 3,
        # D starts 01/04/2024 (after Q1), E ended 01/12/2023 (before Q1), F starts 01/03/2024 (in Q1)
        "valid_from": pd.to_datetime([None, None, None, "2024-04-01", None, "2024-03-01"]),
        "valid_to": pd.to_datetime([None, None, None, None, "2023-12-01", None]),
    }
)

A1 = act(date(2024, 1, 5), "A")
B_Q2 = act(date(2024, 3, 16), "B")  # 16/03 is already Q2 under the report calendar
B1 = act(date(2024, 2, 1), "B")
C1 = act(date(2023, 12, 20), "C")  # 20/12/2023 belongs to 2024-Q1 under the report calendar
F_Q2 = act(date(2024, 3, 20), "F")

# v1 replace 18/03 (A's Q1 row, B's Q2 row); v2 B submits 19/03 23:30 (deadline day);
# v3 replace 25/03 adds C's Q1 row; v4 rollback to v1 (discarding v2 and v3); v5 F submits a Q2 row;
# v6 A removes its row.
HISTORY = [
    version(
        number=1, created_at=at(2024, 3, 18), user="admin", kind="replace", unit_code=None, previous=None
    ),
    version(number=2, created_at=at(2024, 3, 19, 23, 30), user="b1", kind="unit", unit_code="B", previous=1),
    version(
        number=3, created_at=at(2024, 3, 25, 9), user="admin", kind="replace", unit_code=None, previous=2
    ),
    version(
        number=4,
        created_at=at(2024, 3, 26),
        user="admin",
        kind="rollback",
        unit_code=None,
        previous=3,
        rollback_of=1,
    ),
    version(number=5, created_at=at(2024, 4, 1), user="f1", kind="unit", unit_code="F", previous=4),
    version(number=6, created_at=at(2024, 4, 10), user="a1", kind="unit", unit_code="A", previous=5),
]
KEYS = {
    1: keys_of(A1, B_Q2),
    2: keys_of(A1, B_Q2, B1),
    3: keys_of(A1, B_Q2, B1, C1),
    4: keys_of(A1, B_Q2),
    5: keys_of(A1, B_Q2, F_Q2),
    6: keys_of(B_Q2, F_Q2),
}
VERSIONS = versions_table(HISTORY)
TODAY = date(2024, 5, 1)


@pytest.mark.parametrize(
    ("name", "grace", "expected"),
    [
        ("2024-Q1", 5, date(2024, 3, 19)),
        ("2024-Q2", 5, date(2024, 6, 19)),
        ("2024-Q4", 0, date(2024, 12, 14)),
        ("2024-H1", 3, date(2024, 6, 17)),
        ("2024-9M", 5, date(2024, 9, 19)),
        ("2024", 10, date(2024, 12, 24)),
    ],
)
def test_deadline_is_report_period_end_plus_grace(name: str, grace: int, expected: date) -> None:
    year, _, kind = name.partition("-")
    assert submission_deadline(Period(int(year), kind), 15, grace) == expected


def test_deadline_follows_cutoff_day() -> None:
    # cut-off day 20: Q1 ends 19/03, + 5 days = 24/03
    assert submission_deadline(Period(2024, "Q1"), 20, 5) == date(2024, 3, 24)


def test_activity_keys_ignore_excel_row_number_only() -> None:
    keys = keys_of(
        act(date(2024, 1, 5), "A", row=2),
        act(date(2024, 1, 5), "A", row=40),
        act(date(2024, 1, 5), "A", title="khác"),
        act(date(2024, 1, 5), "A", qty=3),
    )
    assert list(keys.columns) == ["unit_code", "date", "key"]
    assert keys["key"].iloc[0] == keys["key"].iloc[1]
    assert keys["key"].nunique() == 3
    assert list(keys["unit_code"]) == ["A"] * 4


def test_versions_table() -> None:
    assert list(VERSIONS["version"]) == [1, 2, 3, 4, 5, 6]
    assert list(VERSIONS["kind"]) == ["replace", "unit", "replace", "rollback", "unit", "unit"]
    assert VERSIONS["previous"].isna().tolist() == [True, False, False, False, False, False]
    assert list(VERSIONS["previous"].iloc[1:]) == [1, 2, 3, 4, 5]


def test_events_for_q1() -> None:
    events = submission_events(VERSIONS, KEYS, *Q1)
    got = list(
        events[["unit_code", "version", "kind", "rows_added", "rows_removed"]].itertuples(
            index=False, name=None
        )
    )
    assert got == [
        ("A", 1, "replace", 1, 0),  # first version: A's Q1 row appears (B's row is Q2)
        ("B", 2, "unit", 1, 0),
        ("C", 3, "replace", 1, 0),  # A and B rows unchanged in v3: no event for them
        ("A", 6, "unit", 0, 1),  # a unit submission that only removes rows still counts
    ]  # v4 rollback ignored; v5 (F) only touched Q2


def test_events_for_q2() -> None:
    events = submission_events(VERSIONS, KEYS, date(2024, 3, 15), date(2024, 6, 14))
    got = list(events[["unit_code", "version", "rows_added"]].itertuples(index=False, name=None))
    assert got == [("B", 1, 1), ("F", 5, 1)]


def test_replace_counts_only_units_with_new_rows_and_multiplicity() -> None:
    versions = versions_table(
        [
            version(
                number=1, created_at=at(2024, 1, 2), user="x", kind="replace", unit_code=None, previous=None
            ),
            version(
                number=2, created_at=at(2024, 2, 2), user="x", kind="replace", unit_code=None, previous=1
            ),
        ]
    )
    # v2 repeats A's row twice more (an identical row counts again) and drops B's row
    keys = {1: keys_of(A1, B1), 2: keys_of(A1, A1, A1)}
    events = submission_events(versions, keys, *Q1)
    got = list(
        events[["unit_code", "version", "rows_added", "rows_removed"]].itertuples(index=False, name=None)
    )
    assert got == [("A", 1, 1, 0), ("B", 1, 1, 0), ("A", 2, 2, 0)]
    changes = submission_events(versions, keys, *Q1, removals=True)  # every change, removals too
    got = list(
        changes[["unit_code", "version", "rows_added", "rows_removed"]].itertuples(index=False, name=None)
    )
    assert got == [("A", 1, 1, 0), ("B", 1, 1, 0), ("A", 2, 2, 0), ("B", 2, 0, 1)]


def test_unit_kind_counts_only_its_own_unit() -> None:
    versions = versions_table(
        [
            version(
                number=1, created_at=at(2024, 1, 2), user="x", kind="replace", unit_code=None, previous=None
            ),
            version(number=2, created_at=at(2024, 2, 2), user="b", kind="unit", unit_code="b", previous=1),
        ]
    )
    keys = {1: keys_of(A1), 2: keys_of(A1, B1, act(date(2024, 1, 9), "C"))}
    events = submission_events(versions, keys, *Q1)
    assert list(events[["unit_code", "version"]].itertuples(index=False, name=None)) == [("A", 1), ("B", 2)]


def test_versions_without_keys_are_skipped() -> None:
    keys = {k: v for k, v in KEYS.items() if k != 2}
    events = submission_events(VERSIONS, keys, *Q1)
    # v2 has no keys, and v3 (whose previous is v2) cannot be compared: only v1 and v6 remain
    assert list(events[["unit_code", "version"]].itertuples(index=False, name=None)) == [("A", 1), ("A", 6)]


def test_units_in_range() -> None:
    assert list(units_in_range(UNITS, *Q1)["unit_code"]) == ["A", "B", "C", "F"]
    assert list(units_in_range(UNITS, date(2024, 3, 15), date(2024, 6, 14))["unit_code"]) == [
        "A",
        "B",
        "C",
        "D",
        "F",
    ]


def test_status_q1_as_of_version_3() -> None:
    # current = v3 (before the rollback): lineage v3 -> v2 -> v1, every Q1 row still in the data
    status = period_status(
        UNITS, VERSIONS, KEYS, Period(2024, "Q1"), cutoff_day=15, grace_days=5, today=TODAY, current=3
    )
    assert list(status["unit_code"]) == ["A", "B", "C", "F"]
    assert list(status["status"]) == ["on_time", "on_time", "late", "missing"]
    assert list(status["status_label"]) == ["Đúng hạn", "Đúng hạn", "Trễ hạn", "Chưa nộp (quá hạn)"]
    assert status["version"].tolist()[:3] == [1, 2, 3] and pd.isna(status["version"].iloc[3])
    assert status["days_late"].tolist()[:3] == [0, 0, 6]  # 25/03 is 6 days after 19/03
    assert list(status["submissions"]) == [1, 1, 1, 0]
    assert list(status["user"].iloc[:3]) == ["admin", "b1", "admin"]
    assert status["submitted_at"].iloc[1] == at(2024, 3, 19, 23, 30)
    assert status_counts(status) == {
        "expected": 4,
        "submitted": 3,
        "not_submitted": 1,
        "on_time": 2,
        "late": 1,
        "baseline": 0,
        "resubmit": 0,
        "not_due": 0,
        "missing": 1,
    }


def test_status_q1_after_the_rollback_follows_the_current_version() -> None:
    # current = v6: lineage v6 -> v5 -> v4 (rollback of v1) -> v1. B's v2 and C's v3 were discarded by
    # the rollback: "Cần nộp lại". A's row came in v1 (on time); A removed it itself in v6, which is
    # its own submission and still counts (A reported that it has nothing).
    status = period_status(
        UNITS, VERSIONS, KEYS, Period(2024, "Q1"), cutoff_day=15, grace_days=5, today=TODAY
    )
    assert list(status["status"]) == ["on_time", "resubmit", "resubmit", "missing"]
    assert list(status["status_label"])[1:3] == ["Cần nộp lại", "Cần nộp lại"]
    assert list(status["submissions"]) == [2, 0, 0, 0]
    assert status["version"].tolist()[0] == 1 and status["version"].isna().tolist()[1:] == [True] * 3
    counts = status_counts(status)
    assert (counts["submitted"], counts["not_submitted"], counts["resubmit"]) == (1, 3, 2)


def test_a_current_version_not_among_the_versions_means_the_highest() -> None:
    args = (UNITS, VERSIONS, KEYS, Period(2024, "Q1"))
    options = {"cutoff_day": 15, "grace_days": 5, "today": TODAY}
    assert period_status(*args, current=99, **options).equals(period_status(*args, **options))


def test_lineage_follows_rollbacks() -> None:
    assert lineage(VERSIONS) == {6, 5, 4, 1}
    assert lineage(VERSIONS, 3) == {3, 2, 1}
    assert lineage(versions_table([])) == set()


def test_a_replace_that_drops_a_units_rows_marks_it_resubmit() -> None:
    history = [
        version(
            number=1, created_at=at(2024, 3, 1), user="admin", kind="replace", unit_code=None, previous=None
        ),
        version(number=2, created_at=at(2024, 3, 5), user="b1", kind="unit", unit_code="B", previous=1),
        version(
            number=3, created_at=at(2024, 3, 10), user="admin", kind="replace", unit_code=None, previous=2
        ),
    ]
    keys = {1: keys_of(A1), 2: keys_of(A1, B1), 3: keys_of(A1, C1)}  # v3 drops B's row, adds C's
    status = period_status(
        UNITS, versions_table(history), keys, Period(2024, "Q1"), cutoff_day=15, grace_days=5, today=TODAY
    )
    # B submitted (v2), then the whole-book replace v3 no longer holds B's row: B must submit again
    assert list(status["status"]) == ["on_time", "resubmit", "on_time", "missing"]


def test_status_before_deadline_is_not_due() -> None:
    status = period_status(
        UNITS, VERSIONS, KEYS, Period(2024, "Q2"), cutoff_day=15, grace_days=5, today=date(2024, 6, 19)
    )
    assert list(status["unit_code"]) == ["A", "B", "C", "D", "F"]
    assert list(status["status"]) == ["not_due", "on_time", "not_due", "not_due", "on_time"]
    after = period_status(
        UNITS, VERSIONS, KEYS, Period(2024, "Q2"), cutoff_day=15, grace_days=5, today=date(2024, 6, 20)
    )
    assert list(after["status"]) == ["missing", "on_time", "missing", "missing", "on_time"]


def test_first_version_after_deadline_is_baseline_not_late() -> None:
    history = [
        version(
            number=1, created_at=at(2024, 11, 1), user="admin", kind="replace", unit_code=None, previous=None
        ),
        version(
            number=2, created_at=at(2024, 11, 2), user="admin", kind="replace", unit_code=None, previous=1
        ),
    ]
    keys = {1: keys_of(A1), 2: keys_of(A1, B1)}
    status = period_status(
        UNITS,
        versions_table(history),
        keys,
        Period(2024, "Q1"),
        cutoff_day=15,
        grace_days=5,
        today=date(2024, 11, 5),
    )
    assert list(status["status"]) == ["baseline", "late", "missing", "missing"]
    assert pd.isna(status["days_late"].iloc[0])
    assert status["days_late"].iloc[1] == (date(2024, 11, 2) - date(2024, 3, 19)).days == 228
    assert status["status_label"].iloc[0] == STATUS_LABELS["baseline"]


def test_empty_store_everyone_missing_or_not_due() -> None:
    status = period_status(
        UNITS,
        versions_table([]),
        {},
        Period(2024, "Q1"),
        cutoff_day=15,
        grace_days=5,
        today=date(2024, 3, 19),
    )
    assert list(status["status"]) == ["not_due"] * 4
    assert status_counts(status)["submitted"] == 0


def test_year_overview() -> None:
    overview = year_overview(
        UNITS, VERSIONS, KEYS, 2024, cutoff_day=15, grace_days=5, today=TODAY, kinds=("Q1", "Q2")
    )
    assert list(overview["period"]) == ["2024-Q1", "2024-Q2"]
    assert list(overview["label"]) == ["Quý I năm 2024", "Quý II năm 2024"]
    assert list(overview["first_day"]) == [date(2023, 12, 15), date(2024, 3, 15)]
    assert list(overview["deadline"]) == [date(2024, 3, 19), date(2024, 6, 19)]
    assert list(overview["expected"]) == [4, 5]
    assert list(overview["submitted"]) == [1, 2]  # Q1: B and C were discarded by the rollback
    assert list(overview["resubmit"]) == [2, 0]
    assert list(overview["not_submitted"]) == [3, 3]
    assert list(overview["on_time"]) == [1, 2]
    assert list(overview["late"]) == [0, 0]
    assert list(overview["missing"]) == [1, 0]
    assert list(overview["not_due"]) == [0, 3]


# ------------------------------------------------------------------ one period definition, labelled
def test_period_caption_names_the_definition_and_the_deadline() -> None:
    q4 = Period(2024, "Q4")
    assert period_caption(q4, "report", 15, 5) == (
        "Kỳ: Quý IV năm 2024 (theo kỳ chốt số liệu báo cáo: 15/09/2024 – 14/12/2024) · hạn nộp 19/12/2024"
    )
    assert period_caption(q4, "calendar", 15, 5) == (
        "Kỳ: Quý IV năm 2024 (theo dương lịch: 01/10/2024 – 31/12/2024) · hạn nộp 05/01/2025"
    )


def test_status_under_the_calendar_quarters() -> None:
    # calendar Q1 2024 = 01/01-31/03, deadline 05/04: C's row of 20/12/2023 is outside, B's row of
    # 16/03 is inside. As of v3: A (v1, 18/03), B (v2 has B1 and B_Q2 was in v1 already -> v1), C none.
    status = period_status(
        UNITS,
        VERSIONS,
        KEYS,
        Period(2024, "Q1"),
        cutoff_day=15,
        grace_days=5,
        today=TODAY,
        calendar="calendar",
        current=3,
    )
    assert list(status["status"]) == ["on_time", "on_time", "missing", "missing"]
    assert status["version"].tolist()[:2] == [1, 1]


# ------------------------------------------------------------------ the matrix and its chips
def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_chips_have_icon_words_and_contrast() -> None:
    assert chip("on_time", 0) == "✓ đúng hạn"
    assert chip("late", 6) == "! trễ 6 ngày"
    assert chip("missing") == "✕ chưa nộp"
    assert chip("resubmit") == "✕ cần nộp lại"
    assert chip("not_due") == "— chưa đến hạn"
    assert chip("") == ""
    for found in CHIPS.values():
        light, dark = sorted((_luminance(found.color), _luminance(found.fill)))
        assert (dark + 0.05) / (light + 0.05) >= 4.5, found
    icons = {code: c.icon for code, c in CHIPS.items()}
    assert len({icons["on_time"], icons["late"], icons["missing"], icons["not_due"]}) == 4


def test_submission_matrix_after_the_rollback() -> None:
    matrix = submission_matrix(UNITS, VERSIONS, KEYS, 2024, cutoff_day=15, grace_days=5, today=TODAY)
    wide = matrix.pivot(index="unit_code", columns="quarter", values="status")
    # report calendar, today 01/05/2024: Q1 as after the rollback; Q2-Q4 not due yet except B and F's
    # Q2 rows (on time); D starts 01/04 (not in Q1), E ended 01/12/2023 (in no 2024 quarter)
    assert wide.loc["A"].tolist() == ["on_time", "not_due", "not_due", "not_due"]
    assert wide.loc["B"].tolist() == ["resubmit", "on_time", "not_due", "not_due"]
    assert wide.loc["C"].tolist() == ["resubmit", "not_due", "not_due", "not_due"]
    assert wide.loc["D"].tolist() == ["", "not_due", "not_due", "not_due"]
    assert wide.loc["E"].tolist() == ["", "", "", ""]
    assert wide.loc["F"].tolist() == ["missing", "on_time", "not_due", "not_due"]
    assert list(dict.fromkeys(matrix["unit_code"])) == ["A", "B", "C", "D", "E", "F"]


# ------------------------------------------------------------------ a real store: publish, roll back
def test_rollback_discarding_a_unit_submission_marks_it_resubmit(tmp_path) -> None:
    from cchc_lib.access.accounts import Account
    from cchc_lib.figures.metrics import plan_vs_actual
    from cchc_lib.publishing.store import Store
    from cchc_lib.publishing.version_keys import version_keys
    from cchc_lib.reading.sandbox import read_trusted
    from cchc_lib.sample.builder import WorkbookSpec, build_xlsx

    units = [
        {"Mã đơn vị": "XA", "Tên đơn vị": "Xã A", "Loại đơn vị": "UBND xã, thị trấn"},
        {"Mã đơn vị": "XB", "Tên đơn vị": "Xã B", "Loại đơn vị": "UBND xã, thị trấn"},
    ]
    targets = [{"Năm": 2024, "Mã đơn vị": u, "TIN_BAI": 4} for u in ("XA", "XB")]
    row_a = {"Ngày": date(2024, 2, 1), "Mã đơn vị": "XA", "Loại hoạt động": "TIN_BAI", "Tiêu đề": "a"}
    row_b = {"Ngày": date(2024, 2, 2), "Mã đơn vị": "XB", "Loại hoạt động": "TIN_BAI", "Tiêu đề": "b"}
    store = Store(tmp_path / "store")
    admin = Account("quantri", "admin")
    v1 = store.publish(
        build_xlsx(WorkbookSpec(units, targets, [row_a])),
        account=admin,
        kind="replace",
        file_name="goc.xlsx",
        base_version=None,
    )
    store.publish(
        build_xlsx(WorkbookSpec(units, targets, [row_a, row_b])),
        account=Account("xb", "unit", "XB"),
        kind="unit",
        file_name="xb.xlsx",
        base_version=v1.number,
        unit_code="XB",
    )

    def status_now():
        history = store.history()
        keys = {v.number: version_keys(v.path, v.sha256, None) for v in history}
        return period_status(
            read_trusted(store.read_bytes(store.current_number())).workbook.units,
            versions_table(history),
            keys,
            Period(2024, "Q1"),
            cutoff_day=15,
            grace_days=5,
            today=date(2024, 5, 1),
            calendar="calendar",
            current=store.current_number(),
        ).set_index("unit_code")

    before = status_now()
    assert before.loc["XB", "status"] in ("on_time", "late")  # submitted (today's date decides which)
    store.rollback(v1.number, admin)
    after = status_now()
    assert after.loc["XB", "status"] == "resubmit"
    assert after.loc["XB", "status_label"] == "Cần nộp lại"
    assert status_counts(after.reset_index())["submitted"] == 1
    # the activity figures of the current version agree: XB has nothing in Q1
    wb = read_trusted(store.read_bytes(store.current_number())).workbook
    pva = plan_vs_actual(wb, Period(2024, "Q1"), "calendar", 15)
    actual = pva.groupby("unit_code")["actual"].sum()
    assert actual.get("XB", 0) == 0 and actual["XA"] == 1
