"""Tests for cchc_lib.figures.metrics on a tiny hand-made workbook; every expected value is worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from cchc_lib.common.periods import CALENDAR, REPORT, Period, parse_period
from cchc_lib.figures import metrics
from cchc_lib.figures.metrics import (
    STATUS_LABELS,
    STATUS_ORDER,
    activities_in_period,
    breakdown,
    classify_units,
    comparable_headlines,
    compare_with_previous,
    filter_workbook,
    headline,
    plan_vs_actual,
    previous_year_pva,
    quarterly_series,
    rollup,
    unit_quarter_matrix,
    units_in_period,
    units_without_activity,
)
from cchc_lib.reading.model import ACTIVITY_COLUMNS, Workbook

NAN = math.nan

# ---------------------------------------------------------------------------------------------
# The fixture workbook
#
# Units (workbook order):
#   PNV  Phòng Nội vụ        Phòng chuyên môn   always valid
#   XCB  UBND xã Cẩm Bình    UBND xã, thị trấn  valid until 30/06/2024 (merged mid-year)
#   TTVH Trung tâm Văn hóa   Đơn vị sự nghiệp   always valid, no targets at all
# Existence of XCB in 2024: calendar Q1 Q2 yes, Q3 (from 01/07) no, Q4 no;
#                           report   Q1 Q2 yes, Q3 (15/06–14/09) YES, Q4 (15/09–) no.
# XCB's share of each quarter's days (validity dates inclusive):
#   calendar: Q1 1, Q2 1, Q3 0, Q4 0
#   report (cut-off 15): Q1 1, Q2 1, Q3 16/92 = 4/23 (15/06..30/06 = 16 of 16+31+31+14 = 92 days), Q4 0
#   report (cut-off 20): Q3 = 20/06–19/09 (11+31+31+19 = 92 days), XCB 20/06..30/06 = 11 -> 11/92
#
# Types (catalogue order): TIN_BAI "Tin, bài", PHONG_SU "Phóng sự".
#
# Targets 2024: PNV TIN_BAI year 8 and Q1 2; PNV PHONG_SU Q2 3; XCB TIN_BAI year 4; XCB PHONG_SU Q1 1.
# Target 2023: PNV TIN_BAI year 4.
# Planned = sum over the quarters of (quarter target + year target / 4) x share:
#   PNV (always valid, same under both calendars):
#   PNV TB: Q1 2+8/4=4, Q2 2, Q3 2, Q4 2, H1 2+8*2/4=6, H2 4, 9M 2+8*3/4=8, year 2+8=10
#   PNV PS: Q2 3 only -> Q2/H1/9M/year 3, else 0
#   XCB TB: 4/4=1 x share per quarter -> calendar Q1 1, Q2 1, H1 2, 9M 2, year 2 (gone in Q3/Q4/H2);
#           report Q3 4/23, H2 4/23 + 0, 9M = year = 1+1+4/23 = 50/23
#   XCB PS: Q1 1 -> Q1/H1/9M/year 1, else 0
#
# Activities (Excel row, date, unit, type, quantity, channel) and where they count:
#   2 15/12/2023 PNV TB 2 Zalo OA        calendar 2023-Q4, report 2024-Q1
#   3 14/03/2024 PNV TB 1 Báo Hà Tĩnh    Q1 under both
#   4 15/03/2024 PNV PS 1 (none)         calendar Q1, report Q2
#   5 10/05/2024 XCB TB 3 Zalo OA        Q2 under both
#   6 20/08/2024 XCB TB 1 "" (blank)     Q3 under both, but after XCB's validity ended: never counted
#   7 15/12/2024 TTVH TB 5 Trang TTĐT    calendar 2024-Q4, report 2025-Q1
#   8 31/12/2024 PNV PS 1 Zalo OA        calendar 2024-Q4, report 2025-Q1
#   9 01/06/2023 PNV TB 2 Báo Hà Tĩnh    2023-Q2 under both


UNIT_INFO = {
    "PNV": ("Phòng Nội vụ", "Phòng chuyên môn"),
    "XCB": ("UBND xã Cẩm Bình", "UBND xã, thị trấn"),
    "TTVH": ("Trung tâm Văn hóa", "Đơn vị sự nghiệp"),
}
TYPE_NAMES = {"TIN_BAI": "Tin, bài", "PHONG_SU": "Phóng sự"}
TB, PS = "TIN_BAI", "PHONG_SU"


def make_workbook() -> Workbook:
    units = pd.DataFrame(
        {
            "unit_code": ["PNV", "XCB", "TTVH"],
            "unit_name": ["Phòng Nội vụ", "UBND xã Cẩm Bình", "Trung tâm Văn hóa"],
            "unit_type": ["Phòng chuyên môn", "UBND xã, thị trấn", "Đơn vị sự nghiệp"],
            "portal_url": ["https://pnv.example", None, None],
            "contact": [None, None, None],
            "valid_from": pd.to_datetime([None, None, None]),
            "valid_to": pd.to_datetime([None, "2024-06-30", None]),
            "successor_code": [None, None, None],
        }
    )
    types = pd.DataFrame(
        {"type_code": [TB, PS], "type_name": ["Tin, bài", "Phóng sự"], "measure": ["tin", None]}
    )
    targets = pd.DataFrame(
        {
            "year": [2024, 2024, 2024, 2024, 2024, 2023],
            "quarter": pd.array([None, 1, 2, None, 1, None], dtype="Int64"),
            "unit_code": ["PNV", "PNV", "PNV", "XCB", "XCB", "PNV"],
            "type_code": [TB, TB, PS, TB, PS, TB],
            "target": [8, 2, 3, 4, 1, 4],
        }
    )
    activities = pd.DataFrame(
        {
            "date": pd.to_datetime(
                [
                    "15/12/2023",
                    "14/03/2024",
                    "15/03/2024",
                    "10/05/2024",
                    "20/08/2024",
                    "15/12/2024",
                    "31/12/2024",
                    "01/06/2023",
                ],
                format="%d/%m/%Y",
            ),
            "unit_code": ["PNV", "PNV", "PNV", "XCB", "XCB", "TTVH", "PNV", "PNV"],
            "type_code": [TB, TB, PS, TB, TB, TB, PS, TB],
            "quantity": [2, 1, 1, 3, 1, 5, 1, 2],
            "title": [f"Tin {i}" for i in range(1, 9)],
            "channel": [
                "Zalo OA",
                "Báo Hà Tĩnh",
                None,
                "Zalo OA",
                "",
                "Trang TTĐT huyện",
                "Zalo OA",
                "Báo Hà Tĩnh",
            ],
            "reform_area": ["TTHC"] * 8,
            "link": [None] * 8,
            "note": [None] * 8,
            "row": [2, 3, 4, 5, 6, 7, 8, 9],
        }
    )
    return Workbook(units=units, activity_types=types, targets=targets, activities=activities)


@pytest.fixture
def wb() -> Workbook:
    return make_workbook()


def pva_frame(rows: list[tuple[str, str, float, int, float]]) -> pd.DataFrame:
    """Expected plan_vs_actual frame from (unit, type, planned, actual, completion_pct) rows."""
    return pd.DataFrame(
        {
            "unit_code": pd.Series([r[0] for r in rows], dtype="str"),
            "unit_name": pd.Series([UNIT_INFO[r[0]][0] for r in rows], dtype="str"),
            "unit_type": pd.Series([UNIT_INFO[r[0]][1] for r in rows], dtype="str"),
            "activity_type": pd.Series([r[1] for r in rows], dtype="str"),
            "activity_name": pd.Series([TYPE_NAMES[r[1]] for r in rows], dtype="str"),
            "planned": pd.Series([float(r[2]) for r in rows], dtype="float64"),
            "actual": pd.Series([r[3] for r in rows], dtype="int64"),
            "completion_pct": pd.Series([float(r[4]) for r in rows], dtype="float64"),
        }
    )


# (calendar, cutoff_day, period) -> rows; the arithmetic is in the header comment.
PVA_CASES: dict[tuple[str, int, str], list[tuple[str, str, float, int, float]]] = {
    (CALENDAR, 15, "2024-Q1"): [
        ("PNV", TB, 4, 1, 25.0),  # row 3 (14/03); 1/4*100
        ("PNV", PS, 0, 1, NAN),  # row 4 (15/03) is still Q1 in the calendar calendar; planned 0
        ("XCB", TB, 1, 0, 0.0),
        ("XCB", PS, 1, 0, 0.0),
        ("TTVH", TB, 0, 0, NAN),
        ("TTVH", PS, 0, 0, NAN),
    ],
    (CALENDAR, 15, "2024-Q2"): [
        ("PNV", TB, 2, 0, 0.0),
        ("PNV", PS, 3, 0, 0.0),
        ("XCB", TB, 1, 3, 300.0),  # row 5; 3/1*100
        ("XCB", PS, 0, 0, NAN),
        ("TTVH", TB, 0, 0, NAN),
        ("TTVH", PS, 0, 0, NAN),
    ],
    (CALENDAR, 15, "2024-Q3"): [  # XCB ended 30/06: gone, and row 6 (its 20/08 activity) is not counted
        ("PNV", TB, 2, 0, 0.0),
        ("PNV", PS, 0, 0, NAN),
        ("TTVH", TB, 0, 0, NAN),
        ("TTVH", PS, 0, 0, NAN),
    ],
    (CALENDAR, 15, "2024-Q4"): [
        ("PNV", TB, 2, 0, 0.0),
        ("PNV", PS, 0, 1, NAN),  # row 8 (31/12)
        ("TTVH", TB, 0, 5, NAN),  # row 7 (15/12)
        ("TTVH", PS, 0, 0, NAN),
    ],
    (CALENDAR, 15, "2024-H1"): [
        ("PNV", TB, 6, 1, 100 / 6),  # 1/6*100 = 16.67
        ("PNV", PS, 3, 1, 100 / 3),  # 33.33
        ("XCB", TB, 2, 3, 150.0),
        ("XCB", PS, 1, 0, 0.0),
        ("TTVH", TB, 0, 0, NAN),
        ("TTVH", PS, 0, 0, NAN),
    ],
    (CALENDAR, 15, "2024-H2"): [
        ("PNV", TB, 4, 0, 0.0),
        ("PNV", PS, 0, 1, NAN),
        ("TTVH", TB, 0, 5, NAN),
        ("TTVH", PS, 0, 0, NAN),
    ],
    (CALENDAR, 15, "2024-9M"): [
        ("PNV", TB, 8, 1, 12.5),  # 1/8*100
        ("PNV", PS, 3, 1, 100 / 3),
        # planned 1+1+1*0 = 2 (gone in Q3); row 5 only (row 6, 20/08, is after 30/06): 3/2*100
        ("XCB", TB, 2, 3, 150.0),
        ("XCB", PS, 1, 0, 0.0),
        ("TTVH", TB, 0, 0, NAN),
        ("TTVH", PS, 0, 0, NAN),
    ],
    (CALENDAR, 15, "2024"): [
        ("PNV", TB, 10, 1, 10.0),  # row 2 (15/12/2023) is 2023 in the calendar calendar
        ("PNV", PS, 3, 2, 200 / 3),  # rows 4 + 8
        ("XCB", TB, 2, 3, 150.0),  # 1+1+0+0 planned; row 5 (3), row 6 outside validity
        ("XCB", PS, 1, 0, 0.0),
        ("TTVH", TB, 0, 5, NAN),
        ("TTVH", PS, 0, 0, NAN),
    ],
    (CALENDAR, 15, "2025"): [  # XCB gone; no 2025 target, no 2025 activity
        ("PNV", TB, 0, 0, NAN),
        ("PNV", PS, 0, 0, NAN),
        ("TTVH", TB, 0, 0, NAN),
        ("TTVH", PS, 0, 0, NAN),
    ],
    (REPORT, 15, "2024-Q1"): [
        ("PNV", TB, 4, 3, 75.0),  # rows 2 (15/12/2023) + 3 (14/03) = 2+1; 3/4*100
        ("PNV", PS, 0, 0, NAN),  # row 4 (15/03) moved to Q2
        ("XCB", TB, 1, 0, 0.0),
        ("XCB", PS, 1, 0, 0.0),
        ("TTVH", TB, 0, 0, NAN),
        ("TTVH", PS, 0, 0, NAN),
    ],
    (REPORT, 15, "2024-Q2"): [
        ("PNV", TB, 2, 0, 0.0),
        ("PNV", PS, 3, 1, 100 / 3),  # row 4 (15/03)
        ("XCB", TB, 1, 3, 300.0),
        ("XCB", PS, 0, 0, NAN),
        ("TTVH", TB, 0, 0, NAN),
        ("TTVH", PS, 0, 0, NAN),
    ],
    (REPORT, 15, "2024-Q3"): [  # Q3 = 15/06–14/09 overlaps XCB's validity (until 30/06)
        ("PNV", TB, 2, 0, 0.0),
        ("PNV", PS, 0, 0, NAN),
        ("XCB", TB, 4 / 23, 0, 0.0),  # 1 x 16/92; row 6 (20/08) is outside XCB's validity
        ("XCB", PS, 0, 0, NAN),
        ("TTVH", TB, 0, 0, NAN),
        ("TTVH", PS, 0, 0, NAN),
    ],
    (REPORT, 15, "2024-Q4"): [  # 15/09–14/12: rows 7 and 8 fall into 2025-Q1
        ("PNV", TB, 2, 0, 0.0),
        ("PNV", PS, 0, 0, NAN),
        ("TTVH", TB, 0, 0, NAN),
        ("TTVH", PS, 0, 0, NAN),
    ],
    (REPORT, 15, "2024-H1"): [
        ("PNV", TB, 6, 3, 50.0),
        ("PNV", PS, 3, 1, 100 / 3),
        ("XCB", TB, 2, 3, 150.0),
        ("XCB", PS, 1, 0, 0.0),
        ("TTVH", TB, 0, 0, NAN),
        ("TTVH", PS, 0, 0, NAN),
    ],
    (REPORT, 15, "2024-H2"): [  # 15/06–14/12: XCB still exists (16 days of Q3)
        ("PNV", TB, 4, 0, 0.0),
        ("PNV", PS, 0, 0, NAN),
        ("XCB", TB, 4 / 23, 0, 0.0),  # 1 x 16/92 + 1 x 0
        ("XCB", PS, 0, 0, NAN),
        ("TTVH", TB, 0, 0, NAN),
        ("TTVH", PS, 0, 0, NAN),
    ],
    (REPORT, 15, "2024-9M"): [
        ("PNV", TB, 8, 3, 37.5),
        ("PNV", PS, 3, 1, 100 / 3),
        ("XCB", TB, 50 / 23, 3, 138.0),  # 1+1+4/23 = 50/23; row 5 (3): 3*23/50*100 = 138
        ("XCB", PS, 1, 0, 0.0),
        ("TTVH", TB, 0, 0, NAN),
        ("TTVH", PS, 0, 0, NAN),
    ],
    (REPORT, 15, "2024"): [  # 15/12/2023–14/12/2024
        ("PNV", TB, 10, 3, 30.0),
        ("PNV", PS, 3, 1, 100 / 3),
        ("XCB", TB, 50 / 23, 3, 138.0),  # as 9M (share 0 in Q4)
        ("XCB", PS, 1, 0, 0.0),
        ("TTVH", TB, 0, 0, NAN),
        ("TTVH", PS, 0, 0, NAN),
    ],
    (REPORT, 15, "2025"): [  # rows 7 (15/12/2024) and 8 (31/12/2024) count for 2025
        ("PNV", TB, 0, 0, NAN),
        ("PNV", PS, 0, 1, NAN),
        ("TTVH", TB, 0, 5, NAN),
        ("TTVH", PS, 0, 0, NAN),
    ],
    # cut-off day 20: Q1 = 20/12/2023–19/03/2024, so row 2 (15/12/2023) is out and row 4 (15/03) is in
    (REPORT, 20, "2024-Q1"): [
        ("PNV", TB, 4, 1, 25.0),
        ("PNV", PS, 0, 1, NAN),
        ("XCB", TB, 1, 0, 0.0),
        ("XCB", PS, 1, 0, 0.0),
        ("TTVH", TB, 0, 0, NAN),
        ("TTVH", PS, 0, 0, NAN),
    ],
    # year = 20/12/2023–19/12/2024: row 2 out, row 7 (15/12/2024) in, row 8 (31/12) out
    (REPORT, 20, "2024"): [
        ("PNV", TB, 10, 1, 10.0),
        ("PNV", PS, 3, 1, 100 / 3),
        # XCB TB: 1+1+11/92 = 195/92 planned; row 5 (3): 3*92/195*100 = 27600/195
        ("XCB", TB, 195 / 92, 3, 27600 / 195),
        ("XCB", PS, 1, 0, 0.0),
        ("TTVH", TB, 0, 5, NAN),
        ("TTVH", PS, 0, 0, NAN),
    ],
}


@pytest.mark.parametrize(("calendar", "cutoff", "period"), list(PVA_CASES))
def test_plan_vs_actual(wb: Workbook, calendar: str, cutoff: int, period: str) -> None:
    result = plan_vs_actual(wb, parse_period(period), calendar, cutoff)
    assert list(result.columns) == metrics.PVA_COLUMNS
    assert_frame_equal(result, pva_frame(PVA_CASES[(calendar, cutoff, period)]))


def test_plan_vs_actual_defaults_are_calendar_and_15(wb: Workbook) -> None:
    assert_frame_equal(
        plan_vs_actual(wb, Period(2024, "Q1")), pva_frame(PVA_CASES[(CALENDAR, 15, "2024-Q1")])
    )


def test_plan_vs_actual_adds_duplicate_targets_and_ignores_other_years(wb: Workbook) -> None:
    extra = pd.DataFrame(
        {
            "year": [2024, 2025],
            "quarter": pd.array([None, 1], dtype="Int64"),
            "unit_code": ["TTVH", "TTVH"],
            "type_code": [PS, PS],
            "target": [2, 9],
        }
    )
    wb.targets = pd.concat([wb.targets, extra, extra.iloc[:1]], ignore_index=True)
    result = plan_vs_actual(wb, Period(2024, "9M"))
    # TTVH PS: two whole-year targets of 2 -> 4 * 3/4 = 3.0; the 2025 target is ignored
    # (XCB TB: 1+1 for Q1, Q2, share 0 in calendar Q3)
    assert result["planned"].tolist() == [8.0, 3.0, 2.0, 1.0, 0.0, 3.0]


def test_plan_vs_actual_without_units(wb: Workbook) -> None:
    empty = filter_workbook(wb, unit_codes=[])
    assert_frame_equal(plan_vs_actual(empty, Period(2024, "")), pva_frame([]))


# ---------------------------------------------------------------------------------------------
# units_in_period / activities_in_period


@pytest.mark.parametrize(
    ("calendar", "period", "codes"),
    [
        (CALENDAR, "2024-Q2", ["PNV", "XCB", "TTVH"]),
        (CALENDAR, "2024-Q3", ["PNV", "TTVH"]),
        (CALENDAR, "2024-H2", ["PNV", "TTVH"]),
        (CALENDAR, "2024-9M", ["PNV", "XCB", "TTVH"]),
        (CALENDAR, "2024", ["PNV", "XCB", "TTVH"]),
        (REPORT, "2024-Q3", ["PNV", "XCB", "TTVH"]),
        (REPORT, "2024-Q4", ["PNV", "TTVH"]),
        (REPORT, "2024-H2", ["PNV", "XCB", "TTVH"]),
        (REPORT, "2025", ["PNV", "TTVH"]),
    ],
)
def test_units_in_period(wb: Workbook, calendar: str, period: str, codes: list[str]) -> None:
    assert units_in_period(wb, parse_period(period), calendar, 15)["unit_code"].tolist() == codes


def test_units_in_period_frame_and_inclusive_bounds(wb: Workbook) -> None:
    # XCB valid on 15/06/2024 only: the first day of report Q3 (bounds are inclusive), after report
    # Q2 (15/03–14/06), and inside calendar Q2 (01/04–30/06).
    wb.units.loc[1, "valid_from"] = pd.Timestamp("2024-06-15")
    wb.units.loc[1, "valid_to"] = pd.Timestamp("2024-06-15")
    assert units_in_period(wb, Period(2024, "Q3"), REPORT)["unit_code"].tolist() == ["PNV", "XCB", "TTVH"]
    assert units_in_period(wb, Period(2024, "Q2"), REPORT)["unit_code"].tolist() == ["PNV", "TTVH"]
    assert units_in_period(wb, Period(2024, "Q3"), CALENDAR)["unit_code"].tolist() == ["PNV", "TTVH"]
    result = units_in_period(wb, Period(2024, "Q2"), CALENDAR)
    assert list(result.columns) == list(wb.units.columns)  # the units' own columns, none added
    assert_frame_equal(result, wb.units)
    # a unit starting on 15/12/2024 exists in report 2025-Q1 but not in report 2024
    wb.units.loc[1, "valid_from"] = pd.Timestamp("2024-12-15")
    wb.units.loc[1, "valid_to"] = pd.NaT
    assert units_in_period(wb, Period(2024, ""), REPORT)["unit_code"].tolist() == ["PNV", "TTVH"]
    assert units_in_period(wb, Period(2025, "Q1"), REPORT)["unit_code"].tolist() == ["PNV", "XCB", "TTVH"]
    assert units_in_period(wb, Period(2024, "Q4"), CALENDAR)["unit_code"].tolist() == ["PNV", "XCB", "TTVH"]


def test_activities_in_period_frame(wb: Workbook) -> None:
    result = activities_in_period(wb, Period(2024, "Q1"), REPORT, 15)
    expected = pd.DataFrame(
        {
            "date": pd.to_datetime(["2023-12-15", "2024-03-14"]),
            "unit_code": ["PNV", "PNV"],
            "type_code": [TB, TB],
            "quantity": [2, 1],
            "title": ["Tin 1", "Tin 2"],
            "channel": ["Zalo OA", "Báo Hà Tĩnh"],
            "reform_area": ["TTHC", "TTHC"],
            "link": [None, None],
            "note": [None, None],
            "row": [2, 3],
            "unit_name": ["Phòng Nội vụ", "Phòng Nội vụ"],
            "unit_type": ["Phòng chuyên môn", "Phòng chuyên môn"],
            "type_name": ["Tin, bài", "Tin, bài"],
            "year": pd.array([2024, 2024], dtype="Int64"),
            "quarter": pd.array([1, 1], dtype="Int64"),
        }
    )
    assert list(result.columns) == [
        *ACTIVITY_COLUMNS,
        "unit_name",
        "unit_type",
        "type_name",
        "year",
        "quarter",
    ]
    assert_frame_equal(result, expected)


@pytest.mark.parametrize(
    ("calendar", "cutoff", "period", "rows", "quarters"),
    [
        (CALENDAR, 15, "2024-Q1", [3, 4], [1, 1]),
        (CALENDAR, 15, "2024-Q3", [], []),  # row 6 is XCB's, and XCB does not exist in calendar Q3
        # row 6 (XCB, 20/08) is outside XCB's validity (until 30/06): in no period at all
        (CALENDAR, 15, "2024-9M", [3, 4, 5], [1, 1, 2]),
        (CALENDAR, 15, "2024-H2", [7, 8], [4, 4]),
        (CALENDAR, 15, "2024", [3, 4, 5, 7, 8], [1, 1, 2, 4, 4]),
        (REPORT, 15, "2024-Q2", [4, 5], [2, 2]),
        (REPORT, 15, "2024-Q3", [], []),  # XCB exists in report Q3, but 20/08 is after its validity
        (REPORT, 15, "2024", [2, 3, 4, 5], [1, 1, 2, 2]),
        (REPORT, 15, "2025-Q1", [7, 8], [1, 1]),
        (REPORT, 15, "2023", [9], [2]),
        (REPORT, 20, "2024-Q1", [3, 4], [1, 1]),
    ],
)
def test_activities_in_period_rows(
    wb: Workbook, calendar: str, cutoff: int, period: str, rows: list[int], quarters: list[int]
) -> None:
    result = activities_in_period(wb, parse_period(period), calendar, cutoff)
    assert result["row"].tolist() == rows
    assert result["quarter"].tolist() == quarters
    assert result.index.tolist() == list(range(len(rows)))


# ---------------------------------------------------------------------------------------------
# filter_workbook


def test_filter_workbook_by_type(wb: Workbook) -> None:
    sub = filter_workbook(wb, unit_types=["UBND xã, thị trấn"])
    assert sub.units["unit_code"].tolist() == ["XCB"]
    assert sub.targets["unit_code"].tolist() == ["XCB", "XCB"]
    assert sub.activities["row"].tolist() == [5, 6]
    assert sub.activity_types is wb.activity_types
    assert sub.portal_reviews is None
    assert wb.units["unit_code"].tolist() == ["PNV", "XCB", "TTVH"]  # the original is untouched
    assert_frame_equal(
        plan_vs_actual(sub, Period(2024, "")),
        pva_frame([("XCB", TB, 2, 3, 150.0), ("XCB", PS, 1, 0, 0.0)]),
    )


def test_filter_workbook_by_code_and_both(wb: Workbook) -> None:
    wb.funding = pd.DataFrame(
        {
            "year": [2024, 2024],
            "unit_code": ["PNV", "XCB"],
            "allocated": [10, 20],
            "spent": [1, 2],
            "note": [None] * 2,
        }
    )
    sub = filter_workbook(wb, unit_codes=[" pnv", "TTVH", "NOPE"])
    assert sub.units["unit_code"].tolist() == ["PNV", "TTVH"]
    assert sub.activities["row"].tolist() == [2, 3, 4, 7, 8, 9]
    assert sub.targets["unit_code"].tolist() == ["PNV", "PNV", "PNV", "PNV"]
    assert sub.funding["unit_code"].tolist() == ["PNV"]
    assert filter_workbook(wb, unit_codes="xcb").units["unit_code"].tolist() == ["XCB"]
    both = filter_workbook(
        wb, unit_types=["Phòng chuyên môn", "UBND xã, thị trấn"], unit_codes=["XCB", "TTVH"]
    )
    assert both.units["unit_code"].tolist() == ["XCB"]
    assert filter_workbook(wb, unit_types=[]).units.empty
    assert filter_workbook(wb) is wb


# ---------------------------------------------------------------------------------------------
# rollup / classify_units / units_without_activity / headline
# Calendar 2024 rows (planned/actual): PNV TB 10/1, PNV PS 3/2, XCB TB 2/3, XCB PS 1/0,
# TTVH TB 0/5, TTVH PS 0/0.


@pytest.fixture
def pva_year(wb: Workbook) -> pd.DataFrame:
    return plan_vs_actual(wb, Period(2024, ""), CALENDAR)


def test_rollup_total(pva_year: pd.DataFrame) -> None:
    # planned 10+3+2+1 = 16; actual 1+2+3+0+5 = 11; 11/16*100 = 68.75
    expected = pd.DataFrame({"planned": [16.0], "actual": [11], "completion_pct": [68.75]})
    assert_frame_equal(rollup(pva_year), expected)


def test_rollup_by_unit(pva_year: pd.DataFrame) -> None:
    expected = pd.DataFrame(
        {
            "unit_code": ["PNV", "XCB", "TTVH"],
            "unit_name": ["Phòng Nội vụ", "UBND xã Cẩm Bình", "Trung tâm Văn hóa"],
            "unit_type": ["Phòng chuyên môn", "UBND xã, thị trấn", "Đơn vị sự nghiệp"],
            "planned": [13.0, 3.0, 0.0],  # 10+3, 2+1, 0
            "actual": [3, 3, 5],  # 1+2, 3+0, 5+0
            "completion_pct": [300 / 13, 100.0, NAN],
        }
    )
    assert_frame_equal(rollup(pva_year, "unit"), expected)


def test_rollup_by_unit_type_keeps_first_appearance_order(wb: Workbook) -> None:
    # a second commune, listed last, joins the "UBND xã, thị trấn" group (second in order)
    wb.units = pd.concat(
        [
            wb.units,
            pd.DataFrame(
                {"unit_code": ["XCM"], "unit_name": ["UBND xã Cẩm Minh"], "unit_type": ["UBND xã, thị trấn"]}
            ),
        ],
        ignore_index=True,
    )
    wb.targets = pd.concat(
        [
            wb.targets,
            pd.DataFrame(
                {
                    "year": [2024],
                    "quarter": pd.array([None], dtype="Int64"),
                    "unit_code": ["XCM"],
                    "type_code": [PS],
                    "target": [2],
                }
            ),
        ],
        ignore_index=True,
    )
    pva = plan_vs_actual(wb, Period(2024, ""), CALENDAR)
    expected = pd.DataFrame(
        {
            "unit_type": ["Phòng chuyên môn", "UBND xã, thị trấn", "Đơn vị sự nghiệp"],
            "planned": [13.0, 5.0, 0.0],  # XCB 3 + XCM 2
            "actual": [3, 3, 5],
            "completion_pct": [300 / 13, 60.0, NAN],
        }
    )
    assert_frame_equal(rollup(pva, "unit_type"), expected)


def test_rollup_by_activity_type(pva_year: pd.DataFrame) -> None:
    expected = pd.DataFrame(
        {
            "activity_type": [TB, PS],
            "activity_name": ["Tin, bài", "Phóng sự"],
            "planned": [12.0, 4.0],  # 10+2+0, 3+1+0
            "actual": [9, 2],  # 1+3+5, 2+0+0
            "completion_pct": [75.0, 50.0],
        }
    )
    assert_frame_equal(rollup(pva_year, "activity_type"), expected)


def test_rollup_empty_and_bad_key() -> None:
    empty = pva_frame([])
    assert_frame_equal(
        rollup(empty), pd.DataFrame({"planned": [0.0], "actual": [0], "completion_pct": [NAN]})
    )
    assert rollup(empty, "unit").empty
    assert list(rollup(empty, "unit").columns) == [
        "unit_code",
        "unit_name",
        "unit_type",
        "planned",
        "actual",
        "completion_pct",
    ]
    with pytest.raises(ValueError, match="rollup"):
        rollup(empty, "channel")


def status_frame(rows: list[tuple[str, float, int, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_code": pd.Series([r[0] for r in rows], dtype="str"),
            "unit_name": pd.Series([UNIT_INFO[r[0]][0] for r in rows], dtype="str"),
            "unit_type": pd.Series([UNIT_INFO[r[0]][1] for r in rows], dtype="str"),
            "planned": pd.Series([float(r[1]) for r in rows], dtype="float64"),
            "actual": pd.Series([r[2] for r in rows], dtype="int64"),
            "completion_pct": pd.Series([r[3] for r in rows], dtype="float64"),
            "status": pd.Series([r[4] for r in rows], dtype="str"),
            "status_label": pd.Series([STATUS_LABELS[r[4]] for r in rows], dtype="str"),
        }
    )


@pytest.mark.parametrize(
    ("calendar", "period", "complete", "near", "rows"),
    [
        # calendar 2024: PNV 3/13 = 23.1% behind, XCB 3/(2+1) = 100% exactly -> complete (>=),
        # TTVH planned 0 -> no_plan
        (
            CALENDAR,
            "2024",
            100.0,
            70.0,
            [
                ("PNV", 13, 3, 300 / 13, "behind"),
                ("XCB", 3, 3, 100.0, "complete"),
                ("TTVH", 0, 5, NAN, "no_plan"),
            ],
        ),
        # other thresholds: 100% is only near below complete 101, 23.1% near from 20
        (
            CALENDAR,
            "2024",
            101.0,
            20.0,
            [
                ("PNV", 13, 3, 300 / 13, "near"),
                ("XCB", 3, 3, 100.0, "near"),
                ("TTVH", 0, 5, NAN, "no_plan"),
            ],
        ),
        # calendar Q1: PNV (4+0)/(1+1) = 50% behind; XCB 0 of 2 -> no_activity; TTVH 0/0 no_plan
        (
            CALENDAR,
            "2024-Q1",
            100.0,
            70.0,
            [
                ("PNV", 4, 2, 50.0, "behind"),
                ("XCB", 2, 0, 0.0, "no_activity"),
                ("TTVH", 0, 0, NAN, "no_plan"),
            ],
        ),
        # report Q2: PNV 1/(2+3) = 20% behind; XCB 3/1 = 300% complete
        (
            REPORT,
            "2024-Q2",
            100.0,
            70.0,
            [("PNV", 5, 1, 20.0, "behind"), ("XCB", 1, 3, 300.0, "complete"), ("TTVH", 0, 0, NAN, "no_plan")],
        ),
        # report Q3: XCB planned 1 x 16/92 = 4/23, its 20/08 activity is outside its validity ->
        # no_activity; PNV 0 of 2 -> no_activity
        (
            REPORT,
            "2024-Q3",
            100.0,
            70.0,
            [
                ("PNV", 2, 0, 0.0, "no_activity"),
                ("XCB", 4 / 23, 0, 0.0, "no_activity"),
                ("TTVH", 0, 0, NAN, "no_plan"),
            ],
        ),
        # calendar Q1: PNV 2/4 = 50%: near only when near_pct <= 50 (>=)
        (
            CALENDAR,
            "2024-Q1",
            100.0,
            50.0,
            [("PNV", 4, 2, 50.0, "near"), ("XCB", 2, 0, 0.0, "no_activity"), ("TTVH", 0, 0, NAN, "no_plan")],
        ),
    ],
)
def test_classify_units(
    wb: Workbook, calendar: str, period: str, complete: float, near: float, rows: list[tuple]
) -> None:
    pva = plan_vs_actual(wb, parse_period(period), calendar)
    assert_frame_equal(classify_units(pva, complete, near), status_frame(rows))


def test_status_constants() -> None:
    assert STATUS_ORDER == ("complete", "near", "behind", "no_activity", "no_plan")
    assert STATUS_LABELS == {
        "complete": "Hoàn thành",
        "near": "Gần hoàn thành",
        "behind": "Chưa hoàn thành",
        "no_activity": "Chưa có hoạt động",
        "no_plan": "Không có chỉ tiêu",
    }


def test_units_without_activity(wb: Workbook) -> None:
    # calendar Q3: PNV planned 2 (TB: no Q3 target + 8/4 = 2; PS 0), actual 0; TTVH 0/0; XCB gone
    pva = plan_vs_actual(wb, Period(2024, "Q3"), CALENDAR)
    expected = pd.DataFrame(
        {
            "unit_code": ["PNV", "TTVH"],
            "unit_name": ["Phòng Nội vụ", "Trung tâm Văn hóa"],
            "unit_type": ["Phòng chuyên môn", "Đơn vị sự nghiệp"],
            "planned": [2.0, 0.0],
        }
    )
    assert_frame_equal(units_without_activity(pva), expected)
    # calendar 2024: every unit did something
    assert units_without_activity(plan_vs_actual(wb, Period(2024, ""))).empty


def test_headline(pva_year: pd.DataFrame, wb: Workbook) -> None:
    # calendar 2024: planned 16, actual 11 (rollup_total); PNV behind, XCB complete, TTVH no_plan
    assert headline(pva_year) == {
        "planned": 16.0,
        "actual": 11,
        "completion_pct": 68.75,
        "units": 3,
        "by_status": {"complete": 1, "near": 0, "behind": 1, "no_activity": 0, "no_plan": 1},
        "no_activity": 0,
    }
    # calendar Q3: PNV 0 of 2 (no_activity), TTVH 0 of 0 (no_plan); both did nothing
    q3 = headline(plan_vs_actual(wb, Period(2024, "Q3")))
    assert q3 == {
        "planned": 2.0,
        "actual": 0,
        "completion_pct": 0.0,
        "units": 2,
        "by_status": {"complete": 0, "near": 0, "behind": 0, "no_activity": 1, "no_plan": 1},
        "no_activity": 2,
    }
    assert type(q3["planned"]) is float and type(q3["actual"]) is int
    # report 2025: nothing planned -> completion None
    assert headline(plan_vs_actual(wb, Period(2025, ""), REPORT))["completion_pct"] is None
    assert headline(pva_frame([])) == {
        "planned": 0.0,
        "actual": 0,
        "completion_pct": None,
        "units": 0,
        "by_status": dict.fromkeys(STATUS_ORDER, 0),
        "no_activity": 0,
    }


# ---------------------------------------------------------------------------------------------
# quarterly_series / unit_quarter_matrix


def series_frame(rows: list[tuple[int, float, int, float, int, float]]) -> pd.DataFrame:
    labels = {1: "Quý I", 2: "Quý II", 3: "Quý III", 4: "Quý IV"}
    return pd.DataFrame(
        {
            "quarter": pd.Series([r[0] for r in rows], dtype="int64"),
            "label": pd.Series([labels[r[0]] for r in rows], dtype="str"),
            "planned": pd.Series([float(r[1]) for r in rows], dtype="float64"),
            "actual": pd.Series([r[2] for r in rows], dtype="int64"),
            "cumulative_planned": pd.Series([float(r[3]) for r in rows], dtype="float64"),
            "cumulative_actual": pd.Series([r[4] for r in rows], dtype="int64"),
            "completion_pct": pd.Series([r[5] for r in rows], dtype="float64"),
        }
    )


@pytest.mark.parametrize(
    ("calendar", "quarters", "rows"),
    [
        # planned per quarter = totals of the Qn plan_vs_actual cases above:
        # Q1 4+0+1+1 = 6, Q2 2+3+1+0 = 6, Q3 2 (XCB gone), Q4 2; actual Q1 1+1, Q2 3, Q3 0, Q4 1+5
        (
            CALENDAR,
            (1, 2, 3, 4),
            [
                (1, 6, 2, 6, 2, 100 / 3),
                (2, 6, 3, 12, 5, 50.0),
                (3, 2, 0, 14, 5, 0.0),
                (4, 2, 6, 16, 11, 300.0),
            ],
        ),
        # report: Q3 keeps XCB for 16 of 92 days (planned 2 + 4/23, actual 0: its 20/08 activity is
        # outside its validity); Q4 planned 2, actual 0
        (
            REPORT,
            (1, 2, 3, 4),
            [
                (1, 6, 3, 6, 3, 50.0),
                (2, 6, 4, 12, 7, 200 / 3),
                (3, 2 + 4 / 23, 0, 14 + 4 / 23, 7, 0.0),
                (4, 2, 0, 16 + 4 / 23, 7, 0.0),
            ],
        ),
        # a subset, accumulated in the order given
        (CALENDAR, (2, 4), [(2, 6, 3, 6, 3, 50.0), (4, 2, 6, 8, 9, 300.0)]),
        (REPORT, (3,), [(3, 2 + 4 / 23, 0, 2 + 4 / 23, 0, 0.0)]),
    ],
)
def test_quarterly_series(wb: Workbook, calendar: str, quarters: tuple[int, ...], rows: list[tuple]) -> None:
    assert_frame_equal(quarterly_series(wb, 2024, calendar, 15, quarters), series_frame(rows))


def test_quarterly_series_empty_year_and_bad_quarter(wb: Workbook) -> None:
    # 2022: no target, no activity -> zeros and NaN completion
    expected = series_frame([(q, 0, 0, 0, 0, NAN) for q in (1, 2, 3, 4)])
    assert_frame_equal(quarterly_series(wb, 2022, CALENDAR, 15), expected)
    with pytest.raises(ValueError, match="quarters"):
        quarterly_series(wb, 2024, CALENDAR, 15, (0, 1))


def test_unit_quarter_matrix_calendar(wb: Workbook) -> None:
    result = unit_quarter_matrix(wb, 2024, CALENDAR, 15)
    rows = [
        # PNV: planned Q1 4+0, Q2 2+3, Q3 2, Q4 2; actual Q1 1+1, Q4 1
        ("PNV", 1, 4, 2, 50.0),
        ("PNV", 2, 5, 0, 0.0),
        ("PNV", 3, 2, 0, 0.0),
        ("PNV", 4, 2, 1, 50.0),
        # XCB: Q1 1+1 planned; Q2 1 planned, 3 done; gone in Q3/Q4 (its 20/08 activity not shown)
        ("XCB", 1, 2, 0, 0.0),
        ("XCB", 2, 1, 3, 300.0),
        ("XCB", 3, 0, 0, NAN),
        ("XCB", 4, 0, 0, NAN),
        ("TTVH", 1, 0, 0, NAN),
        ("TTVH", 2, 0, 0, NAN),
        ("TTVH", 3, 0, 0, NAN),
        ("TTVH", 4, 0, 5, NAN),
    ]
    expected = pd.DataFrame(
        {
            "unit_code": [r[0] for r in rows],
            "unit_name": [UNIT_INFO[r[0]][0] for r in rows],
            "unit_type": [UNIT_INFO[r[0]][1] for r in rows],
            "quarter": pd.Series([r[1] for r in rows], dtype="int64"),
            "planned": [float(r[2]) for r in rows],
            "actual": pd.Series([r[3] for r in rows], dtype="int64"),
            "completion_pct": [r[4] for r in rows],
            # XCB is valid until 30/06/2024 (fixture); PNV and TTVH all year
            "exists": [True] * 4 + [True, True, False, False] + [True] * 4,
        }
    )
    assert_frame_equal(result, expected)


def test_unit_quarter_matrix_report_and_units_of_the_year(wb: Workbook) -> None:
    result = unit_quarter_matrix(wb, 2024, REPORT, 15)
    xcb = result[result["unit_code"] == "XCB"]
    # report: XCB exists in Q1..Q3: planned 2, 1, 1 x 16/92; actual 0, 3, 0 (20/08 is after its
    # validity); gone in Q4
    np.testing.assert_allclose(xcb["planned"], [2.0, 1.0, 4 / 23, 0.0])
    assert xcb["actual"].tolist() == [0, 3, 0, 0]
    # 2025: XCB no longer exists, so two units x four quarters
    assert unit_quarter_matrix(wb, 2025, REPORT, 15)["unit_code"].tolist() == ["PNV"] * 4 + ["TTVH"] * 4


# ---------------------------------------------------------------------------------------------
# previous year and comparison


def test_previous_year_pva_calendar(wb: Workbook) -> None:
    # 2023 (calendar): PNV TB year target 4; rows 9 (01/06/2023, 2) and 2 (15/12/2023, 2) -> 4 = 100%.
    # XCB existed in 2023 (valid_to 2024) and TTVH too; nothing planned or done for them.
    expected = pva_frame(
        [
            ("PNV", TB, 4, 4, 100.0),
            ("PNV", PS, 0, 0, NAN),
            ("XCB", TB, 0, 0, NAN),
            ("XCB", PS, 0, 0, NAN),
            ("TTVH", TB, 0, 0, NAN),
            ("TTVH", PS, 0, 0, NAN),
        ]
    )
    assert_frame_equal(previous_year_pva(wb, Period(2024, ""), CALENDAR, 15), expected)


def test_previous_year_pva_report(wb: Workbook) -> None:
    # report 2023 = 15/12/2022–14/12/2023: row 9 only (row 2 belongs to 2024): 2 of 4 = 50%
    result = previous_year_pva(wb, Period(2024, ""), REPORT, 15)
    assert result is not None
    assert result["actual"].tolist() == [2, 0, 0, 0, 0, 0]
    assert result["completion_pct"].iloc[0] == 50.0


@pytest.mark.parametrize(
    ("period", "calendar", "is_none"),
    [
        ("2023-Q1", CALENDAR, True),  # 2022: no target, no activity
        ("2024-Q1", CALENDAR, False),  # 2023-Q1: the 2023 whole-year target covers it
        ("2026-Q1", CALENDAR, True),  # 2025-Q1 (calendar): nothing
        ("2026-Q1", REPORT, False),  # 2025-Q1 (report) holds rows 7 and 8, though no target
    ],
)
def test_previous_year_pva_none(wb: Workbook, period: str, calendar: str, is_none: bool) -> None:
    assert (previous_year_pva(wb, parse_period(period), calendar, 15) is None) is is_none


def test_previous_year_pva_activity_only(wb: Workbook) -> None:
    result = previous_year_pva(wb, Period(2026, "Q1"), REPORT, 15)
    assert_frame_equal(
        result,
        pva_frame(
            [("PNV", TB, 0, 0, NAN), ("PNV", PS, 0, 1, NAN), ("TTVH", TB, 0, 5, NAN), ("TTVH", PS, 0, 0, NAN)]
        ),
    )


def compare_frame(rows: list[tuple[str, int, int, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "activity_type": pd.Series([r[0] for r in rows], dtype="str"),
            "activity_name": pd.Series([TYPE_NAMES[r[0]] for r in rows], dtype="str"),
            "actual": pd.Series([r[1] for r in rows], dtype="int64"),
            "actual_prev": pd.Series([r[2] for r in rows], dtype="int64"),
            "change": pd.Series([r[3] for r in rows], dtype="int64"),
            "change_pct": pd.Series([r[4] for r in rows], dtype="float64"),
        }
    )


def test_compare_with_previous(wb: Workbook, pva_year: pd.DataFrame) -> None:
    prev = previous_year_pva(wb, Period(2024, ""), CALENDAR, 15)
    # TB: 9 now (1+3+5), 4 in 2023 -> +5, 5/4*100 = 125%; PS: 2 now, 0 before -> +2, NaN
    assert_frame_equal(
        compare_with_previous(pva_year, prev), compare_frame([(TB, 9, 4, 5, 125.0), (PS, 2, 0, 2, NAN)])
    )
    # fewer than before: 2023 vs 2024 swapped -> TB 4 vs 9 = -5, -5/9*100%; PS 0 vs 2 = -2, -100%
    assert_frame_equal(
        compare_with_previous(prev, pva_year),
        compare_frame([(TB, 4, 9, -5, -500 / 9), (PS, 0, 2, -2, -100.0)]),
    )


def test_compare_with_previous_none_and_empty(pva_year: pd.DataFrame) -> None:
    assert_frame_equal(
        compare_with_previous(pva_year, None), compare_frame([(TB, 9, 0, 9, NAN), (PS, 2, 0, 2, NAN)])
    )
    # no unit now: the types come from the previous frame
    assert_frame_equal(
        compare_with_previous(pva_frame([]), pva_year),
        compare_frame([(TB, 0, 9, -9, -100.0), (PS, 0, 2, -2, -100.0)]),
    )


# ---------------------------------------------------------------------------------------------
# breakdown


def test_breakdown_channel(wb: Workbook) -> None:
    acts = activities_in_period(wb, Period(2024, ""), CALENDAR, 15)
    # rows 3, 4, 5, 7, 8 (row 6, the blank channel, is outside XCB's validity): Báo Hà Tĩnh 1;
    # None 1 -> (không ghi) 1; Zalo OA 3+1 = 4; Trang TTĐT 5; total 11. The tie at 1 goes by value:
    # "(" sorts before "B".
    expected = pd.DataFrame(
        {
            "value": ["Trang TTĐT huyện", "Zalo OA", "(không ghi)", "Báo Hà Tĩnh"],
            "quantity": [5, 4, 1, 1],
            "share_pct": [500 / 11, 400 / 11, 100 / 11, 100 / 11],
        }
    )
    assert_frame_equal(breakdown(acts, "channel"), expected)
    assert metrics.BLANK_LABEL == "(không ghi)"


def test_breakdown_ties_blanks_and_empty() -> None:
    acts = pd.DataFrame(
        {"reform_area": ["TTHC", "  ", None, "Chính quyền số", "TTHC"], "quantity": [1, 1, 2, 2, 1]}
    )
    # TTHC 1+1 = 2, Chính quyền số 2 (tie -> value order), "  " and None -> (không ghi) 1+2 = 3; total 7
    expected = pd.DataFrame(
        {
            "value": ["(không ghi)", "Chính quyền số", "TTHC"],
            "quantity": [3, 2, 2],
            "share_pct": [300 / 7, 200 / 7, 200 / 7],
        }
    )
    assert_frame_equal(breakdown(acts, "reform_area"), expected)
    empty = breakdown(acts.iloc[0:0], "reform_area")
    assert list(empty.columns) == ["value", "quantity", "share_pct"]
    assert empty.empty


def test_breakdown_by_unit_type(wb: Workbook) -> None:
    acts = activities_in_period(wb, Period(2024, "H1"), REPORT, 15)
    # report H1: rows 2,3 (PNV 2+1), 4 (PNV 1), 5 (XCB 3) -> Phòng chuyên môn 4, UBND xã 3
    result = breakdown(acts, "unit_type")
    assert result["value"].tolist() == ["Phòng chuyên môn", "UBND xã, thị trấn"]
    assert result["quantity"].tolist() == [4, 3]
    np.testing.assert_allclose(result["share_pct"], [400 / 7, 300 / 7])


# ---------------------------------------------------------------------------------------------
# speed guard (a per-row Python loop over 200,000 activities would take seconds, not milliseconds)


def test_comparable_headlines_use_only_types_tracked_last_year() -> None:
    def pva(rows: list[tuple[str, str, float, int]]) -> pd.DataFrame:
        frame = pd.DataFrame(rows, columns=["unit_code", "activity_type", "planned", "actual"])
        frame["unit_name"], frame["unit_type"], frame["activity_name"] = (
            frame["unit_code"],
            "T",
            frame["activity_type"],
        )
        frame["completion_pct"] = frame["actual"] / frame["planned"].where(frame["planned"] > 0) * 100
        return frame

    # this year: TB 8/10 for A, NEW 50/50 for A (a type not tracked last year), TB 2/10 for B
    now = pva([("A", "TB", 10, 8), ("A", "NEW", 50, 50), ("B", "TB", 10, 2)])
    # last year: TB 5/10 and 1/10; NEW had neither plan nor activity
    before = pva([("A", "TB", 10, 5), ("A", "NEW", 0, 0), ("B", "TB", 10, 1)])
    current, previous = comparable_headlines(now, before)
    assert (current["actual"], current["planned"], current["completion_pct"]) == (10, 20.0, 50.0)
    assert (previous["actual"], previous["planned"], previous["completion_pct"]) == (6, 20.0, 30.0)


def test_compare_with_previous_leaves_types_not_tracked_last_year_blank(pva_year: pd.DataFrame) -> None:
    """A type with neither plan nor activity last year is not "growth": its previous figures are blank."""
    # last year: TB planned 8 with 3 done; PS neither planned nor done (added to the plan this year)
    prev = pva_frame([("PNV", TB, 8, 3, 37.5), ("PNV", PS, 0, 0, NAN)])
    got = compare_with_previous(pva_year, prev, untracked_as_missing=True)
    assert list(got["activity_type"]) == [TB, PS]
    assert list(got["actual"]) == [9, 2]
    assert got["actual_prev"].tolist() == [3, pd.NA] and got["change"].tolist() == [6, pd.NA]
    assert got["change_pct"].iloc[0] == pytest.approx(200.0) and pd.isna(got["change_pct"].iloc[1])
    # planned last year but nothing done: tracked, so a real 0 and the whole actual as change
    prev_planned = pva_frame([("PNV", TB, 8, 3, 37.5), ("PNV", PS, 2, 0, 0.0)])
    got = compare_with_previous(pva_year, prev_planned, untracked_as_missing=True)
    assert got["actual_prev"].tolist() == [3, 0] and got["change"].tolist() == [6, 2]
