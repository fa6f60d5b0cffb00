"""Submission plans on hand-built frames, and the two modes end to end on built .xlsx files."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pandas as pd
import pytest

from cchc_lib.common.periods import CALENDAR, REPORT, Period
from cchc_lib.publishing.store import Store, StoreError
from cchc_lib.publishing.submission_plan import (
    match_rows,
    match_text,
    plan_submission,
    submission_history,
    submission_period,
    submission_timeliness,
)
from cchc_lib.publishing.submissions import publish_preview
from cchc_lib.reading.model import ACTIVITY_COLUMNS
from cchc_lib.reading.sandbox import read_trusted
from tests.store_backends import Backend, assert_refused_unchanged, stored
from tests.test_store import ADMIN, UNIT
from tests.test_submissions import BASE_ACTS, SETTINGS, act, prepare, workbook


def rows(*records: tuple) -> pd.DataFrame:
    """Activity frame from (date, unit, type, quantity, title, link, channel, row) tuples."""
    frame = pd.DataFrame(
        [
            {
                "date": pd.Timestamp(d),
                "unit_code": u,
                "type_code": t,
                "quantity": q,
                "title": title,
                "channel": channel,
                "reform_area": None,
                "link": link,
                "note": None,
                "row": r,
            }
            for d, u, t, q, title, link, channel, r in records
        ],
        columns=ACTIVITY_COLUMNS,
    )
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


CURRENT = rows(
    (date(2024, 1, 5), "XCB", "TIN_BAI", 2, "Hội nghị CCHC", None, "Cổng", 2),
    (date(2024, 2, 5), "VHTT", "TIN_BAI", 1, "Hội nghị CCHC", None, None, 3),
    (date(2024, 3, 5), "XCB", "PHONG_SU", 1, "Phóng sự", "https://x.vn/ps", None, 4),
    (date(2024, 5, 5), "XCB", "TIN_BAI", 1, "d", None, None, 5),
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Tin  BÀI\u00a0", "tin bài"),
        ("Hoa\u0300 bình", "hoà bình"),  # NFD to NFC
        ("Tin\u200bbài", "tinbài"),  # a zero-width space dropped
        ("", None),
        ("   ", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_match_text(value, expected) -> None:
    assert match_text(value) == expected


def test_rows_match_by_title_or_link_once_each() -> None:
    submitted = rows(
        (date(2024, 1, 5), "XCB", "TIN_BAI", 4, "  hội NGHỊ  cchc ", None, None, 2),  # title -> current 0
        (date(2024, 3, 5), "XCB", "PHONG_SU", 1, "Tên khác", "https://x.vn/ps", None, 3),  # link -> 2
        (date(2024, 1, 5), "XCB", "TIN_BAI", 1, "Hội nghị CCHC", None, None, 4),  # 0 is taken already
        (date(2024, 1, 6), "XCB", "TIN_BAI", 2, "Hội nghị CCHC", None, None, 5),  # another day
        (date(2024, 5, 5), "XCB", "PHONG_SU", 1, "d", None, None, 6),  # another type
        (date(2024, 5, 5), "XCB", "TIN_BAI", 1, None, None, None, 7),  # no title, no link: never matches
    )
    unit_rows = CURRENT[CURRENT["unit_code"] == "XCB"]
    assert match_rows(unit_rows, submitted) == [0, 1, None, None, None, None]


def test_adding_updates_matched_rows_adds_the_rest_and_removes_nothing() -> None:
    submitted = rows(
        (date(2024, 1, 5), "XCB", "TIN_BAI", 5, "hội nghị cchc", None, "Zalo", 2),  # updates row 2
        (date(2024, 5, 5), "XCB", "TIN_BAI", 1, "d", None, None, 3),  # equal to row 5
        (date(2024, 6, 1), "XCB", "TIN_BAI", 3, "mới", None, None, 4),  # added
    )
    plan = plan_submission(CURRENT, submitted, "XCB", "add")
    assert list(plan.added["row"]) == [4]
    assert list(plan.updated["row"]) == [2]
    assert plan.unchanged == 1
    assert plan.removed.empty
    assert list(CURRENT.loc[plan.drop, "row"]) == [2]  # only the updated row leaves the sheet
    assert list(plan.insert["row"]) == [2, 4]
    assert plan.span == (date(2024, 1, 5), date(2024, 6, 1))
    assert not plan.changes_nothing


def test_adding_never_touches_another_units_rows() -> None:
    # same date, type and title as VHTT's row 3, but submitted for XCB: a new XCB row
    submitted = rows((date(2024, 2, 5), "XCB", "TIN_BAI", 1, "Hội nghị CCHC", None, None, 2))
    plan = plan_submission(CURRENT, submitted, "XCB", "add")
    assert list(plan.added["row"]) == [2] and not plan.drop.any()


def test_correcting_the_files_span_removes_the_unmatched_rows_of_the_unit() -> None:
    submitted = rows(
        (date(2024, 1, 5), "XCB", "TIN_BAI", 2, "Hội nghị CCHC", None, "Cổng", 2),  # equal to row 2
        (date(2024, 3, 10), "XCB", "TIN_BAI", 1, "mới", None, None, 3),
    )
    plan = plan_submission(CURRENT, submitted, "XCB", "correct")
    # span 05/01–10/03: XCB rows 2 and 4 are in it (VHTT's row 3 is another unit's, row 5 is in May)
    assert list(CURRENT.loc[plan.drop, "row"]) == [2, 4]
    assert list(plan.removed["row"]) == [4]
    assert (list(plan.added["row"]), plan.updated.empty, plan.unchanged) == ([3], True, 1)
    assert list(plan.insert["row"]) == [2, 3]


def test_correcting_a_chosen_range_with_no_rows_removes_all_of_it() -> None:
    plan = plan_submission(CURRENT, rows(), "XCB", "correct", (date(2024, 1, 1), date(2024, 12, 31)))
    assert list(plan.removed["row"]) == [2, 4, 5] and plan.span is None


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError):
        plan_submission(CURRENT, rows(), "XCB", "replace")


@pytest.mark.parametrize(
    ("span_end", "calendar", "expected"),
    [
        (date(2024, 11, 30), CALENDAR, Period(2024, "Q4")),
        (date(2024, 12, 20), REPORT, Period(2025, "Q1")),  # after the 15 Dec cut-off: next year's Q1
        (date(2024, 3, 14), REPORT, Period(2024, "Q1")),
    ],
)
def test_submission_period(span_end, calendar, expected) -> None:
    assert submission_period((date(2024, 1, 1), span_end), calendar, 15) == expected


@pytest.mark.parametrize(
    ("submitted_on", "calendar", "expected"),
    [
        (date(2025, 1, 5), CALENDAR, ("quý IV/2024", 0)),  # deadline 31/12/2024 + 5 = 05/01/2025
        (date(2025, 1, 8), CALENDAR, ("quý IV/2024", 3)),
        (date(2024, 12, 19), REPORT, ("quý IV/2024", 0)),  # 14/12/2024 + 5
        (date(2024, 12, 20), REPORT, ("quý IV/2024", 1)),
    ],
)
def test_submission_timeliness(submitted_on, calendar, expected) -> None:
    assert submission_timeliness(Period(2024, "Q4"), submitted_on, calendar, 15, 5) == expected


def test_submission_history_keeps_the_units_own_submissions_newest_first() -> None:
    at = datetime(2025, 1, 2, 9, 0, tzinfo=UTC)
    versions = [
        SimpleNamespace(
            number=1, kind="replace", unit_code=None, created_at=at, user="admin1", file_name="g", rows=4
        ),
        SimpleNamespace(
            number=2, kind="unit", unit_code="XCB", created_at=at, user="xcb1", file_name="a", rows=5
        ),
        SimpleNamespace(
            number=3, kind="unit", unit_code="VHTT", created_at=at, user="v", file_name="b", rows=6
        ),
        SimpleNamespace(
            number=4, kind="unit", unit_code="xcb", created_at=at, user="admin1", file_name="c", rows=7
        ),
    ]
    history = submission_history(versions, "XCB")
    assert history[["version", "user", "file_name", "rows"]].values.tolist() == [
        [4, "admin1", "c", 7],
        [2, "xcb1", "a", 5],
    ]


# ---------------------------------------------------------------------------- end to end, built .xlsx


@pytest.fixture
def store(suite_store: Backend) -> Store:
    """Version 1: BASE_ACTS (XCB a 05/01 TIN_BAI 2, VHTT b, XCB c 05/03 PHONG_SU, XCB d 05/05 TIN_BAI)."""
    s = suite_store.open()
    assert publish_preview(s, prepare(s, workbook(BASE_ACTS), file_name="goc.xlsx"), ADMIN).number == 1
    return s


def published_rows(s: Store, number: int) -> list[tuple]:
    acts = read_trusted(s.read_bytes(number), SETTINGS).workbook.activities
    return sorted(
        (r["date"].date(), r["unit_code"], r["type_code"], int(r["quantity"]), r["title"])
        for r in acts.to_dict("records")
    )


def test_a_file_with_one_older_row_changed_and_one_new_row_keeps_everything_else(store: Store) -> None:
    """The audit's case: a file that does not repeat the unit's older rows drops none of them."""
    data = workbook(
        [act(date(2024, 3, 5), "XCB", "PHONG_SU", 4, " C "), act(date(2024, 6, 1), "XCB", "TIN_BAI", 3, "e")]
    )
    preview = prepare(store, data, account=UNIT, kind="unit", unit_code="XCB")
    assert preview.publishable and preview.mode == "add"
    assert (len(preview.plan.added), len(preview.plan.updated), preview.removals) == (1, 1, 0)
    version = publish_preview(store, preview, UNIT)  # no removal: no confirmation needed
    assert version.number == 2
    assert published_rows(store, 2) == [
        (date(2024, 1, 5), "XCB", "TIN_BAI", 2, "a"),
        (date(2024, 2, 5), "VHTT", "TIN_BAI", 1, "b"),
        (date(2024, 3, 5), "XCB", "PHONG_SU", 4, "C"),  # updated: quantity 1 -> 4, title as the file has it
        (date(2024, 5, 5), "XCB", "TIN_BAI", 1, "d"),
        (date(2024, 6, 1), "XCB", "TIN_BAI", 3, "e"),
    ]


def test_adding_rows_already_there_changes_nothing(store: Store) -> None:
    preview = prepare(
        store, workbook([BASE_ACTS[0], BASE_ACTS[3]]), account=UNIT, kind="unit", unit_code="XCB"
    )
    assert preview.duplicate and not preview.publishable and preview.plan.unchanged == 2
    before = stored(store)
    with pytest.raises(StoreError) as info:
        publish_preview(store, preview, UNIT)
    assert info.value.code == "duplicate"
    assert_refused_unchanged(store, before, "duplicate")


def test_a_correction_lists_its_removals_and_their_effect_and_needs_the_flag(store: Store) -> None:
    # 2024 targets of XCB: TIN_BAI 10 + PHONG_SU 2 = 12 planned; actual a 2 + c 1 + d 1 = 4 (33,3 %).
    # Correcting Q1 with only row a: c (05/03) goes; after: a 2 + d 1 = 3 of 12 = 25 %.
    preview = prepare(
        store,
        workbook([BASE_ACTS[0]]),
        account=UNIT,
        kind="unit",
        unit_code="XCB",
        mode="correct",
        date_range=(date(2024, 1, 1), date(2024, 3, 31)),
    )
    assert preview.publishable and preview.removals == 1
    assert preview.plan.removed[["title", "type_code"]].values.tolist() == [["c", "PHONG_SU"]]
    [effect] = preview.completion.to_dict("records")
    assert effect["year"] == 2024 and effect["label"] == "năm 2024"
    assert effect["before_pct"] == pytest.approx(400 / 12) and effect["after_pct"] == pytest.approx(25.0)
    before = stored(store)
    with pytest.raises(StoreError) as info:
        publish_preview(store, preview, UNIT)
    assert info.value.code == "removals_unconfirmed"
    assert_refused_unchanged(store, before, "removals_unconfirmed")
    assert store.current_number() == 1
    assert publish_preview(store, preview, UNIT, confirm_removals=True).number == 2
    assert (date(2024, 3, 5), "XCB", "PHONG_SU", 1, "c") not in published_rows(store, 2)
