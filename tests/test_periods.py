"""Tests for cchc_lib.common.periods: period names, quarter bounds, date -> quarter, labels."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from cchc_lib.common.periods import (
    CALENDAR,
    REPORT,
    Period,
    PeriodError,
    assign_quarters,
    parse_period,
    period_span_word,
    previous_year,
    quarter_bounds,
)


@pytest.mark.parametrize(
    ("text", "year", "kind", "quarters", "name"),
    [
        ("2024", 2024, "", (1, 2, 3, 4), "2024"),
        ("2024-Q1", 2024, "Q1", (1,), "2024-Q1"),
        ("2024-Q2", 2024, "Q2", (2,), "2024-Q2"),
        ("2024-Q3", 2024, "Q3", (3,), "2024-Q3"),
        ("2024-Q4", 2024, "Q4", (4,), "2024-Q4"),
        ("2024-q4", 2024, "Q4", (4,), "2024-Q4"),
        ("2024-H1", 2024, "H1", (1, 2), "2024-H1"),
        ("2025-h2", 2025, "H2", (3, 4), "2025-H2"),
        ("2024-9M", 2024, "9M", (1, 2, 3), "2024-9M"),
        ("2024-9m", 2024, "9M", (1, 2, 3), "2024-9M"),
        ("  2023-Q2 ", 2023, "Q2", (2,), "2023-Q2"),
    ],
)
def test_parse_period_valid(text: str, year: int, kind: str, quarters: tuple[int, ...], name: str) -> None:
    period = parse_period(text)
    assert period == Period(year, kind)
    assert period.quarters == quarters
    assert period.name == name


@pytest.mark.parametrize(
    "text",
    [
        "",
        "24",
        "2024-Q5",
        "2024-Q0",
        "2024-H3",
        "2024-6M",
        "2024Q1",
        "2024-",
        "Q1-2024",
        "2024 - Q1",
        "năm 2024",
    ],
)
def test_parse_period_invalid(text: str) -> None:
    with pytest.raises(PeriodError, match="không hợp lệ"):
        parse_period(text)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("2024", "Năm 2024"),
        ("2024-Q1", "Quý I năm 2024"),
        ("2024-Q2", "Quý II năm 2024"),
        ("2024-Q3", "Quý III năm 2024"),
        ("2024-Q4", "Quý IV năm 2024"),
        # regression: these used to read "6 tháng đầu năm năm 2024"
        ("2024-H1", "6 tháng đầu năm 2024"),
        ("2024-H2", "6 tháng cuối năm 2024"),
        ("2024-9M", "9 tháng năm 2024"),
    ],
)
def test_vietnamese_labels(text: str, label: str) -> None:
    assert parse_period(text).label == label


def test_previous_year() -> None:
    assert previous_year(Period(2024, "H1")) == Period(2023, "H1")
    assert Period(2024, "").previous_year() == Period(2023, "")


@pytest.mark.parametrize(
    ("calendar", "cutoff", "year", "quarter", "start", "end"),
    [
        (CALENDAR, 15, 2024, 1, date(2024, 1, 1), date(2024, 3, 31)),
        (CALENDAR, 15, 2024, 2, date(2024, 4, 1), date(2024, 6, 30)),
        (CALENDAR, 15, 2024, 3, date(2024, 7, 1), date(2024, 9, 30)),
        (CALENDAR, 15, 2024, 4, date(2024, 10, 1), date(2024, 12, 31)),
        (REPORT, 15, 2024, 1, date(2023, 12, 15), date(2024, 3, 14)),
        (REPORT, 15, 2024, 2, date(2024, 3, 15), date(2024, 6, 14)),
        (REPORT, 15, 2024, 3, date(2024, 6, 15), date(2024, 9, 14)),
        (REPORT, 15, 2024, 4, date(2024, 9, 15), date(2024, 12, 14)),
        # other cut-off days
        (REPORT, 20, 2024, 1, date(2023, 12, 20), date(2024, 3, 19)),
        (REPORT, 20, 2024, 4, date(2024, 9, 20), date(2024, 12, 19)),
        (REPORT, 1, 2024, 1, date(2023, 12, 1), date(2024, 2, 29)),  # 2024 is a leap year
        (REPORT, 1, 2023, 1, date(2022, 12, 1), date(2023, 2, 28)),
        (REPORT, 28, 2024, 3, date(2024, 6, 28), date(2024, 9, 27)),
        # the calendar calendar ignores the cut-off day
        (CALENDAR, 20, 2024, 1, date(2024, 1, 1), date(2024, 3, 31)),
    ],
)
def test_quarter_bounds(calendar: str, cutoff: int, year: int, quarter: int, start: date, end: date) -> None:
    assert quarter_bounds(year, quarter, calendar, cutoff) == (start, end)


@pytest.mark.parametrize(
    ("text", "calendar", "start", "end"),
    [
        ("2024", CALENDAR, date(2024, 1, 1), date(2024, 12, 31)),
        ("2024-H1", CALENDAR, date(2024, 1, 1), date(2024, 6, 30)),
        ("2024-H2", CALENDAR, date(2024, 7, 1), date(2024, 12, 31)),
        ("2024-9M", CALENDAR, date(2024, 1, 1), date(2024, 9, 30)),
        ("2024", REPORT, date(2023, 12, 15), date(2024, 12, 14)),
        ("2024-H1", REPORT, date(2023, 12, 15), date(2024, 6, 14)),
        ("2024-H2", REPORT, date(2024, 6, 15), date(2024, 12, 14)),
        ("2024-9M", REPORT, date(2023, 12, 15), date(2024, 9, 14)),
        ("2024-Q2", REPORT, date(2024, 3, 15), date(2024, 6, 14)),
    ],
)
def test_period_bounds(text: str, calendar: str, start: date, end: date) -> None:
    assert parse_period(text).bounds(calendar, 15) == (start, end)


def _assign(values: list[str | None], calendar: str, cutoff: int = 15) -> list[tuple[object, object]]:
    dates = pd.Series(pd.to_datetime(values, format="%d/%m/%Y"))
    frame = assign_quarters(dates, calendar, cutoff)
    return list(zip(frame["year"].tolist(), frame["quarter"].tolist(), strict=True))


BOUNDARY_DATES = [
    "14/12/2023",
    "15/12/2023",
    "31/12/2023",
    "01/01/2024",
    "14/03/2024",
    "15/03/2024",
    "31/03/2024",
    "01/04/2024",
    "14/06/2024",
    "15/06/2024",
    "30/06/2024",
    "14/09/2024",
    "15/09/2024",
    "14/12/2024",
    "15/12/2024",
    "31/12/2024",
    "29/02/2024",
]


def test_assign_quarters_calendar_boundaries() -> None:
    assert _assign(BOUNDARY_DATES, CALENDAR) == [
        (2023, 4),
        (2023, 4),
        (2023, 4),
        (2024, 1),
        (2024, 1),
        (2024, 1),
        (2024, 1),
        (2024, 2),
        (2024, 2),
        (2024, 2),
        (2024, 2),
        (2024, 3),
        (2024, 3),
        (2024, 4),
        (2024, 4),
        (2024, 4),
        (2024, 1),
    ]


def test_assign_quarters_report_boundaries() -> None:
    assert _assign(BOUNDARY_DATES, REPORT) == [
        (2023, 4),  # 14/12/2023: last day of 2023 Q4
        (2024, 1),  # 15/12/2023: first day of the 2024 report year
        (2024, 1),
        (2024, 1),
        (2024, 1),  # 14/03: last day of Q1
        (2024, 2),  # 15/03: first day of Q2
        (2024, 2),
        (2024, 2),
        (2024, 2),  # 14/06
        (2024, 3),  # 15/06
        (2024, 3),
        (2024, 3),  # 14/09
        (2024, 4),  # 15/09
        (2024, 4),  # 14/12
        (2025, 1),  # 15/12/2024 -> 2025 Q1
        (2025, 1),
        (2024, 1),
    ]


def test_assign_quarters_other_cutoff() -> None:
    dates = ["19/03/2024", "20/03/2024", "19/12/2024", "20/12/2024", "15/03/2024"]
    assert _assign(dates, REPORT, 20) == [(2024, 1), (2024, 2), (2024, 4), (2025, 1), (2024, 1)]
    assert _assign(["28/02/2024", "01/03/2024", "30/11/2024", "01/12/2024"], REPORT, 1) == [
        (2024, 1),
        (2024, 2),
        (2024, 4),
        (2025, 1),
    ]


@pytest.mark.parametrize("calendar", [CALENDAR, REPORT])
def test_assign_quarters_missing_date_stays_missing(calendar: str) -> None:
    # regression: under the report calendar a missing date used to come out as quarter 1
    dates = pd.Series(pd.to_datetime(["15/12/2024", None, "01/05/2024"], format="%d/%m/%Y"), index=[7, 8, 9])
    frame = assign_quarters(dates, calendar)
    assert list(frame.index) == [7, 8, 9]
    assert str(frame["year"].dtype) == "Int64"
    assert str(frame["quarter"].dtype) == "Int64"
    assert frame["year"].isna().tolist() == [False, True, False]
    assert frame["quarter"].isna().tolist() == [False, True, False]
    assert frame.loc[9, "quarter"] == 2


def test_assign_quarters_keeps_index_and_handles_empty() -> None:
    frame = assign_quarters(pd.Series([], dtype="datetime64[ns]"), REPORT)
    assert list(frame.columns) == ["year", "quarter"]
    assert len(frame) == 0


@pytest.mark.parametrize("cutoff", [0, 29, 31, -1])
def test_bad_cutoff_day(cutoff: int) -> None:
    with pytest.raises(PeriodError, match="Ngày chốt"):
        quarter_bounds(2024, 2, REPORT, cutoff)
    with pytest.raises(PeriodError, match="Ngày chốt"):
        assign_quarters(pd.Series(pd.to_datetime(["2024-03-20"])), REPORT, cutoff)


def test_bad_calendar() -> None:
    with pytest.raises(PeriodError, match="Lịch"):
        quarter_bounds(2024, 1, "fiscal")
    with pytest.raises(PeriodError, match="Lịch"):
        assign_quarters(pd.Series(pd.to_datetime(["2024-03-20"])), "fiscal")


@pytest.mark.parametrize(
    ("name", "to_date", "following", "word"),
    [
        ("2024-Q1", "2024-Q1", "2024-Q2", "quý"),
        ("2024-Q2", "2024-H1", "2024-Q3", "quý"),
        ("2024-Q3", "2024-9M", "2024-Q4", "quý"),
        ("2024-Q4", "2024", "2025-Q1", "quý"),
        ("2024-H1", "2024-H1", "2024-H2", "6 tháng"),
        ("2024-H2", "2024", "2025-H1", "6 tháng"),
        ("2024-9M", "2024-9M", "2024-Q4", "9 tháng"),
        ("2024", "2024", "2025", "năm"),
    ],
)
def test_year_to_date_next_period_and_span_word(name, to_date, following, word):
    period = parse_period(name)
    assert period.year_to_date() == parse_period(to_date)
    assert period.next() == parse_period(following)
    assert period_span_word(period) == word
