"""Units that exist for part of a period, and mergers: cchc_lib.figures.metrics on a tiny hand-made workbook.

Every expected value is worked out by hand in the comments (day counts included).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from cchc_lib.common.periods import CALENDAR, REPORT, Period, parse_period
from cchc_lib.figures.metrics import (
    MERGER_COLUMNS,
    PVA_COLUMNS,
    activities_in_period,
    breakdown,
    fold_predecessors,
    mergers_in_period,
    plan_vs_actual,
    previous_year_pva,
    quarterly_series,
    successors,
    unit_quarter_matrix,
    units_in_period,
)
from cchc_lib.reading.model import Workbook

NAN = math.nan
TB, PS = "TIN_BAI", "PHONG_SU"
COMMUNE = "UBND xã, thị trấn"
DEPT = "Phòng chuyên môn"

# ---------------------------------------------------------------------------------------------
# The fixture
#
# Units (workbook order), validity and successor:
#   PNV   Phòng Nội vụ   always valid
#   OLD1  Xã Cũ Một      until 30/06/2024, merged into NEW
#   OLD2  Xã Cũ Hai      until 30/06/2024, merged into NEW
#   NEW   Xã Mới         from 01/07/2024
#   SHORT Tổ công tác    01/05/2024–10/05/2024 (10 days)
#
# Quarter lengths 2024:
#   calendar Q1 01/01–31/03 = 91 (leap year), Q2 01/04–30/06 = 91, Q3 01/07–30/09 = 92, Q4 = 92
#   report   Q1 15/12/2023–14/03 = 17+31+29+14 = 91, Q2 15/03–14/06 = 17+30+31+14 = 92,
#            Q3 15/06–14/09 = 16+31+31+14 = 92, Q4 15/09–14/12 = 16+31+30+14 = 91
# Shares (days existed / days of the quarter):
#   NEW   calendar Q3 1, Q4 1;  report Q3 01/07–14/09 = 31+31+14 = 76 -> 76/92, Q4 1
#   OLD1, OLD2  calendar Q1 1, Q2 1;  report Q1 1, Q2 1, Q3 15/06–30/06 = 16 -> 16/92
#   SHORT calendar Q2 10/91;  report Q2 10/92
#
# Targets 2024: PNV TB year 8 (2 per quarter); OLD1 TB year 12 (3 per quarter), PS Q1 4;
#   OLD2 TB Q2 6; NEW TB Q3 10 + year 8 (Q3 10+2 = 12, Q4 2), PS Q4 5; SHORT TB Q2 91 + year 4
#   (Q2 91+1 = 92).
# Targets 2023: PNV TB year 4; OLD1 TB year 8; OLD2 TB year 4.
#
# Activities (Excel row, date, unit, type, quantity) — "out" = outside the unit's validity:
#   2  20/06/2024 NEW   TB 1  out (before 01/07)
#   3  01/07/2024 NEW   TB 2  first valid day
#   4  14/09/2024 NEW   TB 1  report Q3, calendar Q3
#   5  15/09/2024 NEW   PS 1  report Q4, calendar Q3
#   6  30/06/2024 OLD1  TB 3  last valid day: report Q3, calendar Q2
#   7  01/07/2024 OLD1  TB 5  out (after 30/06)
#   8  10/03/2024 OLD2  TB 1  Q1 under both
#   9  30/04/2024 SHORT TB 1  out (before 01/05)
#   10 01/05/2024 SHORT TB 4
#   11 10/05/2024 SHORT TB 1
#   12 11/05/2024 SHORT TB 7  out (after 10/05)
#   13 15/08/2024 PNV   TB 2
#   14 10/10/2023 OLD1  TB 4  (2023-Q4 under both)
#   15 01/08/2023 OLD2  TB 2  (2023-Q3 under both)
#   16 01/09/2023 PNV   TB 1  (2023-Q3 under both)

NAMES = {
    "PNV": ("Phòng Nội vụ", DEPT),
    "OLD1": ("Xã Cũ Một", COMMUNE),
    "OLD2": ("Xã Cũ Hai", COMMUNE),
    "NEW": ("Xã Mới", COMMUNE),
    "SHORT": ("Tổ công tác", DEPT),
    "A": ("Xã A", COMMUNE),
    "B": ("Xã B", COMMUNE),
    "C": ("Xã C", COMMUNE),
}
TYPE_NAMES = {TB: "Tin, bài", PS: "Phóng sự"}


def _units(rows: list[tuple[str, str | None, str | None, str | None]]) -> pd.DataFrame:
    """(code, valid_from, valid_to, successor) -> a units table."""
    return pd.DataFrame(
        {
            "unit_code": [r[0] for r in rows],
            "unit_name": [NAMES[r[0]][0] for r in rows],
            "unit_type": [NAMES[r[0]][1] for r in rows],
            "portal_url": [None] * len(rows),
            "contact": [None] * len(rows),
            "valid_from": pd.to_datetime([r[1] for r in rows]),
            "valid_to": pd.to_datetime([r[2] for r in rows]),
            "successor_code": [r[3] for r in rows],
        }
    )


def _types() -> pd.DataFrame:
    return pd.DataFrame(
        {"type_code": [TB, PS], "type_name": [TYPE_NAMES[TB], TYPE_NAMES[PS]], "measure": None}
    )


def _targets(rows: list[tuple[int, int | None, str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": [r[0] for r in rows],
            "quarter": pd.array([r[1] for r in rows], dtype="Int64"),
            "unit_code": [r[2] for r in rows],
            "type_code": [r[3] for r in rows],
            "target": [r[4] for r in rows],
        }
    )


def _activities(rows: list[tuple[int, str, str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime([r[1] for r in rows], format="%d/%m/%Y"),
            "unit_code": [r[2] for r in rows],
            "type_code": [r[3] for r in rows],
            "quantity": [r[4] for r in rows],
            "title": [f"Tin {r[0]}" for r in rows],
            "channel": None,
            "reform_area": None,
            "link": None,
            "note": None,
            "row": [r[0] for r in rows],
        }
    )


def make_workbook() -> Workbook:
    units = _units(
        [
            ("PNV", None, None, None),
            ("OLD1", None, "2024-06-30", "NEW"),
            ("OLD2", None, "2024-06-30", "NEW"),
            ("NEW", "2024-07-01", None, None),
            ("SHORT", "2024-05-01", "2024-05-10", None),
        ]
    )
    targets = _targets(
        [
            (2024, None, "PNV", TB, 8),
            (2024, None, "OLD1", TB, 12),
            (2024, 1, "OLD1", PS, 4),
            (2024, 2, "OLD2", TB, 6),
            (2024, 3, "NEW", TB, 10),
            (2024, None, "NEW", TB, 8),
            (2024, 4, "NEW", PS, 5),
            (2024, 2, "SHORT", TB, 91),
            (2024, None, "SHORT", TB, 4),
            (2023, None, "PNV", TB, 4),
            (2023, None, "OLD1", TB, 8),
            (2023, None, "OLD2", TB, 4),
        ]
    )
    activities = _activities(
        [
            (2, "20/06/2024", "NEW", TB, 1),
            (3, "01/07/2024", "NEW", TB, 2),
            (4, "14/09/2024", "NEW", TB, 1),
            (5, "15/09/2024", "NEW", PS, 1),
            (6, "30/06/2024", "OLD1", TB, 3),
            (7, "01/07/2024", "OLD1", TB, 5),
            (8, "10/03/2024", "OLD2", TB, 1),
            (9, "30/04/2024", "SHORT", TB, 1),
            (10, "01/05/2024", "SHORT", TB, 4),
            (11, "10/05/2024", "SHORT", TB, 1),
            (12, "11/05/2024", "SHORT", TB, 7),
            (13, "15/08/2024", "PNV", TB, 2),
            (14, "10/10/2023", "OLD1", TB, 4),
            (15, "01/08/2023", "OLD2", TB, 2),
            (16, "01/09/2023", "PNV", TB, 1),
        ]
    )
    return Workbook(units=units, activity_types=_types(), targets=targets, activities=activities)


@pytest.fixture
def wb() -> Workbook:
    return make_workbook()


def pva_frame(rows: list[tuple[str, str, float, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_code": pd.Series([r[0] for r in rows], dtype="str"),
            "unit_name": pd.Series([NAMES[r[0]][0] for r in rows], dtype="str"),
            "unit_type": pd.Series([NAMES[r[0]][1] for r in rows], dtype="str"),
            "activity_type": pd.Series([r[1] for r in rows], dtype="str"),
            "activity_name": pd.Series([TYPE_NAMES[r[1]] for r in rows], dtype="str"),
            "planned": pd.Series([float(r[2]) for r in rows], dtype="float64"),
            "actual": pd.Series([r[3] for r in rows], dtype="int64"),
            "completion_pct": pd.Series([float(r[4]) for r in rows], dtype="float64"),
        }
    )


# ---------------------------------------------------------------------------------------------
# planned with the validity share, actual only within validity

PVA_CASES = {
    # calendar Q3 (01/07–30/09): OLD1/OLD2 ended 30/06, SHORT ended 10/05 -> PNV and NEW only
    (CALENDAR, "2024-Q3"): [
        ("PNV", TB, 2, 2, 100.0),  # 8/4; row 13
        ("PNV", PS, 0, 0, NAN),
        ("NEW", TB, 12, 3, 25.0),  # (10 + 8/4) x 1; rows 3 + 4 = 2+1 (row 2, 20/06, is out); 3/12
        ("NEW", PS, 0, 1, NAN),  # row 5 (15/09) is calendar Q3; no Q3 target
    ],
    # report Q3 (15/06–14/09): the old communes for 16 days, NEW for 76 of 92 days
    (REPORT, "2024-Q3"): [
        ("PNV", TB, 2, 2, 100.0),
        ("PNV", PS, 0, 0, NAN),
        ("OLD1", TB, 3 * 16 / 92, 3, 3 / (3 * 16 / 92) * 100),  # 12/4 x 16/92 = 12/23; row 6 = 575 %
        ("OLD1", PS, 0, 0, NAN),  # the PS target is Q1's
        ("OLD2", TB, 0, 0, NAN),  # Q2 target only; (0 + 0/4) x 16/92 = 0
        ("OLD2", PS, 0, 0, NAN),
        ("NEW", TB, 12 * 76 / 92, 3, 3 / (12 * 76 / 92) * 100),  # 912/92 = 9.913; rows 3+4; 30.26 %
        ("NEW", PS, 0, 0, NAN),  # row 5 (15/09) is report Q4
    ],
    # calendar Q2 (01/04–30/06, 91 days): SHORT 10 of 91 days
    (CALENDAR, "2024-Q2"): [
        ("PNV", TB, 2, 0, 0.0),
        ("PNV", PS, 0, 0, NAN),
        ("OLD1", TB, 3, 3, 100.0),  # row 6 (30/06): the validity's last day counts
        ("OLD1", PS, 0, 0, NAN),
        ("OLD2", TB, 6, 0, 0.0),
        ("OLD2", PS, 0, 0, NAN),
        ("SHORT", TB, 92 * 10 / 91, 5, 5 / (92 * 10 / 91) * 100),  # (91 + 4/4) x 10/91; rows 10+11
        ("SHORT", PS, 0, 0, NAN),
    ],
    # report Q2 (15/03–14/06, 92 days): SHORT 10 of 92 days -> (91 + 1) x 10/92 = 10 exactly
    (REPORT, "2024-Q2"): [
        ("PNV", TB, 2, 0, 0.0),
        ("PNV", PS, 0, 0, NAN),
        ("OLD1", TB, 3, 0, 0.0),  # row 6 (30/06) is report Q3
        ("OLD1", PS, 0, 0, NAN),
        ("OLD2", TB, 6, 0, 0.0),  # row 8 (10/03) is report Q1
        ("OLD2", PS, 0, 0, NAN),
        ("SHORT", TB, 10, 5, 50.0),  # rows 10 (01/05) + 11 (10/05); rows 9 and 12 are out
        ("SHORT", PS, 0, 0, NAN),
    ],
    # report H2 (15/06–14/12): NEW TB 12 x 76/92 + 2 x 1, PS 0 + 5 x 1
    (REPORT, "2024-H2"): [
        ("PNV", TB, 4, 2, 50.0),
        ("PNV", PS, 0, 0, NAN),
        ("OLD1", TB, 3 * 16 / 92, 3, 3 / (3 * 16 / 92) * 100),  # nothing in Q4 (share 0)
        ("OLD1", PS, 0, 0, NAN),
        ("OLD2", TB, 0, 0, NAN),
        ("OLD2", PS, 0, 0, NAN),
        ("NEW", TB, 12 * 76 / 92 + 2, 3, 3 / (12 * 76 / 92 + 2) * 100),
        ("NEW", PS, 5, 1, 20.0),  # row 5 (15/09, report Q4)
    ],
    # calendar year: every unit; OLD1 TB 3+3 (Q1, Q2); SHORT TB 92 x 10/91
    (CALENDAR, "2024"): [
        ("PNV", TB, 8, 2, 25.0),
        ("PNV", PS, 0, 0, NAN),
        ("OLD1", TB, 6, 3, 50.0),  # row 7 (01/07) out
        ("OLD1", PS, 4, 0, 0.0),
        ("OLD2", TB, 6, 1, 100 / 6),  # row 8
        ("OLD2", PS, 0, 0, NAN),
        ("NEW", TB, 14, 3, 300 / 14),  # 12 + 2; rows 3, 4
        ("NEW", PS, 5, 1, 20.0),
        ("SHORT", TB, 920 / 91, 5, 5 / (920 / 91) * 100),
        ("SHORT", PS, 0, 0, NAN),
    ],
}


@pytest.mark.parametrize(("calendar", "period"), list(PVA_CASES))
def test_plan_vs_actual_with_validity(wb: Workbook, calendar: str, period: str) -> None:
    result = plan_vs_actual(wb, parse_period(period), calendar, 15)
    assert_frame_equal(result, pva_frame(PVA_CASES[(calendar, period)]))


def test_share_figures_the_brief_names(wb: Workbook) -> None:
    """Spot values written out: report Q3 for a unit from 01/07 is 76/92 of its quarter."""
    pva = plan_vs_actual(wb, Period(2024, "Q3"), REPORT).set_index(["unit_code", "activity_type"])
    assert pva.loc[("NEW", TB), "planned"] == pytest.approx(9.913043478, abs=1e-9)  # 12 x 76/92
    assert pva.loc[("OLD1", TB), "planned"] == pytest.approx(0.52173913, abs=1e-8)  # 3 x 16/92
    calendar = plan_vs_actual(wb, Period(2024, "Q2"), CALENDAR).set_index(["unit_code", "activity_type"])
    assert calendar.loc[("SHORT", TB), "planned"] == pytest.approx(10.10989011, abs=1e-8)  # 92 x 10/91


def test_unit_without_validity_dates_is_unchanged(wb: Workbook) -> None:
    """Without validity dates the share is 1: quarterly targets + year target x quarters / 4."""
    wb.units["valid_from"] = pd.NaT
    wb.units["valid_to"] = pd.NaT
    pva = plan_vs_actual(wb, Period(2024, "9M"), REPORT).set_index(["unit_code", "activity_type"])
    # NEW TB: Q3 10 + 8 x 3/4 = 16; OLD1 TB 12 x 3/4 = 9, PS Q1 4; SHORT TB Q2 91 + 4 x 3/4 = 94
    assert pva.loc[("NEW", TB), "planned"] == 16.0
    assert pva.loc[("OLD1", TB), "planned"] == 9.0
    assert pva.loc[("OLD1", PS), "planned"] == 4.0
    assert pva.loc[("SHORT", TB), "planned"] == 94.0
    # every activity now counts: report 9M = 15/12/2023–14/09/2024, SHORT rows 9..12 = 1+4+1+7
    assert pva.loc[("SHORT", TB), "actual"] == 13
    assert pva.loc[("OLD1", TB), "actual"] == 3 + 5  # rows 6 and 7


def test_year_target_and_quarterly_target_are_pro_rated_alike(wb: Workbook) -> None:
    # NEW in report Q3: only the quarterly target (10) -> 10 x 76/92; only the year target (8) ->
    # 8/4 x 76/92; both add up to 12 x 76/92.
    only_quarter = wb.targets[~((wb.targets["unit_code"] == "NEW") & wb.targets["quarter"].isna())]
    only_year = wb.targets[~((wb.targets["unit_code"] == "NEW") & (wb.targets["quarter"].fillna(0) == 3))]
    for targets, expected in ((only_quarter, 10 * 76 / 92), (only_year, 2 * 76 / 92)):
        sub = Workbook(wb.units, wb.activity_types, targets.reset_index(drop=True), wb.activities)
        pva = plan_vs_actual(sub, Period(2024, "Q3"), REPORT).set_index(["unit_code", "activity_type"])
        assert pva.loc[("NEW", TB), "planned"] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("calendar", "period", "codes"),
    [
        (CALENDAR, "2024-Q2", ["PNV", "OLD1", "OLD2", "SHORT"]),
        (CALENDAR, "2024-Q3", ["PNV", "NEW"]),
        (REPORT, "2024-Q2", ["PNV", "OLD1", "OLD2", "SHORT"]),
        (REPORT, "2024-Q3", ["PNV", "OLD1", "OLD2", "NEW"]),  # 16 days of the old, 76 of the new
        (REPORT, "2024-Q4", ["PNV", "NEW"]),
        (CALENDAR, "2024-Q1", ["PNV", "OLD1", "OLD2"]),
    ],
)
def test_units_in_period_share_at_least_one_day(
    wb: Workbook, calendar: str, period: str, codes: list[str]
) -> None:
    assert units_in_period(wb, parse_period(period), calendar)["unit_code"].tolist() == codes


@pytest.mark.parametrize(
    ("calendar", "period", "rows"),
    [
        (CALENDAR, "2024-Q3", [3, 4, 5, 13]),  # rows 2 (NEW before 01/07) and 7 (OLD1 after 30/06) out
        (REPORT, "2024-Q3", [3, 4, 6, 13]),  # 15/06–14/09: row 2 and row 7 are in the bounds, still out
        (CALENDAR, "2024-Q2", [6, 10, 11]),  # rows 9 and 12 (SHORT outside 01/05–10/05) out
        (CALENDAR, "2024", [3, 4, 5, 6, 8, 10, 11, 13]),
        (REPORT, "2023", [14, 15, 16]),  # 15/12/2022–14/12/2023
    ],
)
def test_activities_outside_validity_are_not_listed(
    wb: Workbook, calendar: str, period: str, rows: list[int]
) -> None:
    result = activities_in_period(wb, parse_period(period), calendar)
    assert result["row"].tolist() == rows
    # the same activities as plan_vs_actual counts
    assert result["quantity"].sum() == plan_vs_actual(wb, parse_period(period), calendar)["actual"].sum()


def test_breakdown_counts_only_activities_within_validity(wb: Workbook) -> None:
    # report Q3 rows 3, 4 (NEW 2+1), 6 (OLD1 3), 13 (PNV 2); rows 2 and 7 are out. Total 8;
    # the tie NEW/OLD1 at 3 goes by value.
    result = breakdown(activities_in_period(wb, Period(2024, "Q3"), REPORT), "unit_code")
    expected = pd.DataFrame(
        {"value": ["NEW", "OLD1", "PNV"], "quantity": [3, 3, 2], "share_pct": [37.5, 37.5, 25.0]}
    )
    assert_frame_equal(result, expected)


def test_quarterly_series_and_matrix_use_the_share(wb: Workbook) -> None:
    series = quarterly_series(wb, 2024, REPORT, 15).set_index("quarter")
    # report Q3: PNV 2 + OLD1 12/23 + OLD2 0 + NEW 228/23 = 2 + 240/23; actual 2 + 3 + 3 = 8
    assert series.loc[3, "planned"] == pytest.approx(2 + 240 / 23)
    assert series.loc[3, "actual"] == 8
    # report Q2: PNV 2 + OLD1 3 + OLD2 6 + SHORT 10 = 21; actual SHORT 5 (row 6 is Q3, row 8 Q1)
    assert series.loc[2, "planned"] == pytest.approx(21.0)
    assert series.loc[2, "actual"] == 5
    matrix = unit_quarter_matrix(wb, 2024, REPORT, 15)
    new = matrix[matrix["unit_code"] == "NEW"]
    # NEW: Q1, Q2 share 0; Q3 (10 + 2) x 76/92 TB + 0 PS; Q4 2 TB + 5 PS
    np.testing.assert_allclose(new["planned"], [0.0, 0.0, 912 / 92, 7.0])
    assert new["actual"].tolist() == [0, 0, 3, 1]
    old1 = matrix[matrix["unit_code"] == "OLD1"]
    # OLD1: Q1 3 TB + 4 PS; Q2 3; Q3 3 x 16/92; actual Q3 row 6 only (row 7 out)
    np.testing.assert_allclose(old1["planned"], [7.0, 3.0, 48 / 92, 0.0])
    assert old1["actual"].tolist() == [0, 0, 3, 0]
    # the matrix columns add up to the series
    np.testing.assert_allclose(
        matrix.groupby("quarter")["planned"].sum().to_numpy(), series["planned"].to_numpy()
    )


# ---------------------------------------------------------------------------------------------
# successors / mergers_in_period / fold_predecessors


def _links(pairs: list[tuple[str, object]]) -> pd.DataFrame:
    return pd.DataFrame({"unit_code": [p[0] for p in pairs], "successor_code": [p[1] for p in pairs]})


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        # a chain A -> B -> C: both end at C
        ([("A", "B"), ("B", "C"), ("C", None)], {"A": "C", "B": "C"}),
        # written lower-case with spaces; NaN and "" are no successor
        ([("A", " c "), ("B", math.nan), ("C", ""), ("D", None)], {"A": "C"}),
        # a cycle X <-> Y, and D running into it: all ignored; E's unknown successor ignored
        ([("X", "Y"), ("Y", "X"), ("D", "X"), ("E", "ZZZ"), ("F", "F"), ("G", "H"), ("H", None)], {"G": "H"}),
        # a link to a unit whose own link is unknown stops there
        ([("A", "B"), ("B", "NOPE")], {"A": "B"}),
    ],
)
def test_successors(pairs: list[tuple[str, object]], expected: dict[str, str]) -> None:
    assert successors(_links(pairs)) == expected


def test_successors_without_the_column(wb: Workbook) -> None:
    assert successors(wb.units.drop(columns="successor_code")) == {}
    assert successors(wb.units) == {"OLD1": "NEW", "OLD2": "NEW"}
    assert mergers_in_period(
        Workbook(wb.units.drop(columns="successor_code"), wb.activity_types, wb.targets, wb.activities),
        Period(2024, "Q3"),
    ).empty


def merger_frame(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_code": pd.Series([r[0] for r in rows], dtype="str"),
            "unit_name": pd.Series([NAMES[r[0]][0] for r in rows], dtype="str"),
            "successor_code": pd.Series([r[1] for r in rows], dtype="str"),
            "successor_name": pd.Series([NAMES[r[1]][0] for r in rows], dtype="str"),
            "merge_date": pd.Series(pd.to_datetime([r[2] for r in rows]), dtype="datetime64[ns]"),
        }
    )


@pytest.mark.parametrize(
    ("calendar", "period", "listed"),
    [
        (CALENDAR, "2024-Q3", True),  # 01/07–30/09 holds 01/07
        (CALENDAR, "2024-Q2", False),  # ends 30/06, the last day of the old communes
        (CALENDAR, "2024-H2", True),
        (CALENDAR, "2024", True),
        (CALENDAR, "2024-H1", False),
        (REPORT, "2024-Q3", True),  # 15/06–14/09
        (REPORT, "2024-Q2", False),  # 15/03–14/06
        (REPORT, "2024-H1", False),
        (REPORT, "2024-9M", True),  # 15/12/2023–14/09/2024
        (REPORT, "2024", True),
        (REPORT, "2025", False),  # 15/12/2024–14/12/2025
    ],
)
def test_mergers_in_period(wb: Workbook, calendar: str, period: str, listed: bool) -> None:
    result = mergers_in_period(wb, parse_period(period), calendar, 15)
    rows = [("OLD1", "NEW", "2024-07-01"), ("OLD2", "NEW", "2024-07-01")] if listed else []
    assert list(result.columns) == MERGER_COLUMNS
    assert_frame_equal(result, merger_frame(rows))


def chain_workbook() -> Workbook:
    """A -> B on 01/07/2024, B -> C on 01/07/2025; A's merge date at a report-calendar bound."""
    units = _units(
        [
            ("A", None, "2024-06-30", "B"),
            ("B", "2024-07-01", "2025-06-30", "c"),  # written lower-case
            ("C", "2025-07-01", None, None),
        ]
    )
    targets = _targets(
        [
            (2023, None, "A", TB, 4),
            (2024, None, "A", TB, 4),
            (2024, None, "B", TB, 8),
            (2025, None, "C", TB, 8),
        ]
    )
    activities = _activities(
        [(2, "01/03/2023", "A", TB, 1), (3, "01/03/2024", "A", TB, 2), (4, "01/08/2024", "B", TB, 3)]
    )
    return Workbook(units=units, activity_types=_types(), targets=targets, activities=activities)


def test_mergers_in_period_name_the_direct_successor_and_bounds_are_inclusive() -> None:
    chain = chain_workbook()
    assert successors(chain.units) == {"A": "C", "B": "C"}
    assert_frame_equal(
        mergers_in_period(chain, Period(2024, ""), CALENDAR), merger_frame([("A", "B", "2024-07-01")])
    )
    assert_frame_equal(
        mergers_in_period(chain, Period(2025, "H2"), CALENDAR), merger_frame([("B", "C", "2025-07-01")])
    )
    # A valid until 14/06/2024: merged on 15/06, the first day of report Q3 and inside calendar Q2
    chain.units.loc[0, "valid_to"] = pd.Timestamp("2024-06-14")
    assert_frame_equal(
        mergers_in_period(chain, Period(2024, "Q3"), REPORT), merger_frame([("A", "B", "2024-06-15")])
    )
    assert mergers_in_period(chain, Period(2024, "Q2"), REPORT).empty
    assert len(mergers_in_period(chain, Period(2024, "Q2"), CALENDAR)) == 1
    # without an end date a merger has no date and is not listed
    chain.units.loc[0, "valid_to"] = pd.NaT
    assert mergers_in_period(chain, Period(2024, ""), CALENDAR).empty


def test_fold_predecessors_sums_into_the_final_successor(wb: Workbook) -> None:
    # calendar 2024: OLD1 TB 6/3, PS 4/0; OLD2 TB 6/1, PS 0/0; NEW TB 14/3, PS 5/1
    # -> NEW TB 6+6+14 = 26 planned, 3+1+3 = 7 actual; PS 4+0+5 = 9, 0+0+1 = 1
    pva = plan_vs_actual(wb, Period(2024, ""), CALENDAR)
    folded = fold_predecessors(pva, wb.units)
    expected = pva_frame(
        [
            ("PNV", TB, 8, 2, 25.0),
            ("PNV", PS, 0, 0, NAN),
            ("NEW", TB, 26, 7, 700 / 26),
            ("NEW", PS, 9, 1, 100 / 9),
            ("SHORT", TB, 920 / 91, 5, 5 / (920 / 91) * 100),
            ("SHORT", PS, 0, 0, NAN),
        ]
    )
    assert list(folded.columns) == PVA_COLUMNS
    assert_frame_equal(folded, expected)
    # totals are kept
    assert folded["planned"].sum() == pytest.approx(pva["planned"].sum())
    assert folded["actual"].sum() == pva["actual"].sum()
    # an explicit mapping: only OLD2 into PNV (its name and type taken from the units table)
    by_hand = fold_predecessors(pva, wb.units, {"OLD2": "PNV"})
    pnv = by_hand[by_hand["unit_code"] == "PNV"]
    assert pnv["planned"].tolist() == [14.0, 0.0]  # 8 + 6, 0 + 0
    assert pnv["actual"].tolist() == [3, 0]  # 2 + 1
    assert (pnv["unit_type"] == DEPT).all()
    assert "OLD2" not in set(by_hand["unit_code"]) and "OLD1" in set(by_hand["unit_code"])
    # no successors: unchanged
    assert_frame_equal(fold_predecessors(pva, wb.units.drop(columns="successor_code")), pva)


def test_previous_year_folded_onto_this_years_units(wb: Workbook) -> None:
    # calendar 2023-Q3 (01/07–30/09/2023): PNV TB 4/4 = 1, row 16 (1); OLD1 TB 8/4 = 2, nothing
    # (row 14 is Q4); OLD2 TB 4/4 = 1, row 15 (2). NEW and SHORT did not exist.
    plain = previous_year_pva(wb, Period(2024, "Q3"), CALENDAR)
    assert_frame_equal(
        plain,
        pva_frame(
            [
                ("PNV", TB, 1, 1, 100.0),
                ("PNV", PS, 0, 0, NAN),
                ("OLD1", TB, 2, 0, 0.0),
                ("OLD1", PS, 0, 0, NAN),
                ("OLD2", TB, 1, 2, 200.0),
                ("OLD2", PS, 0, 0, NAN),
            ]
        ),
    )
    # folded: both communes merged on 01/07/2024, by the end of 2024-Q3 -> NEW TB 2+1 = 3, 0+2 = 2
    folded = previous_year_pva(wb, Period(2024, "Q3"), CALENDAR, fold_successors=True)
    assert_frame_equal(
        folded,
        pva_frame(
            [
                ("PNV", TB, 1, 1, 100.0),
                ("PNV", PS, 0, 0, NAN),
                ("NEW", TB, 3, 2, 200 / 3),
                ("NEW", PS, 0, 0, NAN),
            ]
        ),
    )
    # 2024-Q1 ends 31/03/2024, before the merger: the communes keep their own rows
    assert_frame_equal(
        previous_year_pva(wb, Period(2024, "Q1"), CALENDAR, fold_successors=True),
        previous_year_pva(wb, Period(2024, "Q1"), CALENDAR),
    )
    assert previous_year_pva(wb, Period(2023, ""), CALENDAR, fold_successors=True) is None  # 2022: nothing


def test_previous_year_fold_stops_at_the_unit_standing_at_the_period_end() -> None:
    chain = chain_workbook()
    # calendar 2024 (previous of 2025): A TB 4/4 x 2 quarters = 2, row 3 (2); B TB 8/4 x 2 = 4, row 4 (3).
    # By 31/12/2025 A and B have both merged -> all into C: 6 planned, 5 done.
    folded = previous_year_pva(chain, Period(2025, ""), CALENDAR, fold_successors=True)
    assert_frame_equal(folded, pva_frame([("C", TB, 6, 5, 500 / 6), ("C", PS, 0, 0, NAN)]))
    # 2024-Q1 (previous of 2025-Q1): A only, TB 1 planned, row 3 (2). At 31/03/2025 B still stands
    # (merged into C on 01/07/2025), so A folds into B, not into its final successor C.
    folded = previous_year_pva(chain, Period(2025, "Q1"), CALENDAR, fold_successors=True)
    assert_frame_equal(folded, pva_frame([("B", TB, 1, 2, 200.0), ("B", PS, 0, 0, NAN)]))
