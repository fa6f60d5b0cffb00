"""Period names (`2024`, `2024-Q1`, `2024-H1`, `2024-9M`), the two calendars, and date -> quarter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

__all__ = [
    "CALENDAR",
    "REPORT",
    "CALENDARS",
    "Period",
    "PeriodError",
    "parse_period",
    "quarter_bounds",
    "assign_quarters",
    "previous_year",
    "period_span_word",
]

CALENDAR = "calendar"
REPORT = "report"
CALENDARS = (CALENDAR, REPORT)

_KINDS: dict[str, tuple[int, ...]] = {
    "Q1": (1,),
    "Q2": (2,),
    "Q3": (3,),
    "Q4": (4,),
    "H1": (1, 2),
    "H2": (3, 4),
    "9M": (1, 2, 3),
    "": (1, 2, 3, 4),
}
_PATTERN = re.compile(r"^\s*(\d{4})(?:-(Q[1-4]|H[12]|9M))?\s*$", re.IGNORECASE)

_YEAR_TO_DATE = {1: "Q1", 2: "H1", 3: "9M", 4: ""}
# "trong quý", "trong 6 tháng", "trong 9 tháng", "trong năm": the period named inside a sentence.
_SPAN_WORDS = {
    "Q1": "quý",
    "Q2": "quý",
    "Q3": "quý",
    "Q4": "quý",
    "H1": "6 tháng",
    "H2": "6 tháng",
    "9M": "9 tháng",
    "": "năm",
}

_LABELS = {
    "Q1": "Quý I",
    "Q2": "Quý II",
    "Q3": "Quý III",
    "Q4": "Quý IV",
    "H1": "6 tháng đầu năm",
    "H2": "6 tháng cuối năm",
    "9M": "9 tháng",
    "": "Năm",
}


class PeriodError(ValueError):
    """A period name that is not one of the accepted forms."""


@dataclass(frozen=True)
class Period:
    """A reporting period: a year and the quarters of it that the period covers."""

    year: int
    kind: str  # "Q1".."Q4", "H1", "H2", "9M" or "" for the whole year

    @property
    def quarters(self) -> tuple[int, ...]:
        return _KINDS[self.kind]

    @property
    def name(self) -> str:
        return f"{self.year}-{self.kind}" if self.kind else str(self.year)

    @property
    def label(self) -> str:
        """Vietnamese label, e.g. `Quý I năm 2024`, `6 tháng đầu năm 2024`, `Năm 2024`."""
        if not self.kind:
            return f"Năm {self.year}"
        name = _LABELS[self.kind]
        # "6 tháng đầu năm" already ends with "năm": no second "năm" before the year.
        return f"{name} {self.year}" if name.endswith(" năm") else f"{name} năm {self.year}"

    def bounds(self, calendar: str = CALENDAR, cutoff_day: int = 15) -> tuple[date, date]:
        """First and last day (inclusive) of the period under `calendar`."""
        first = quarter_bounds(self.year, self.quarters[0], calendar, cutoff_day)[0]
        last = quarter_bounds(self.year, self.quarters[-1], calendar, cutoff_day)[1]
        return first, last

    def previous_year(self) -> Period:
        return Period(self.year - 1, self.kind)

    @property
    def is_year(self) -> bool:
        return not self.kind

    def year_to_date(self) -> Period:
        """The period from the start of the year to this period's end: Q1 -> Q1, Q2/H1 -> H1,
        Q3/9M -> 9M, Q4/H2/year -> the year (the cumulative result "lũy kế từ đầu năm")."""
        return Period(self.year, _YEAR_TO_DATE[self.quarters[-1]])

    def next(self) -> Period:
        """The period a report's "phương hướng, nhiệm vụ" looks to: the next quarter after a quarter
        (Q4 -> Q1 of the next year), H1 -> H2, H2 -> the next year's H1, 9M -> Q4, year -> next year."""
        if self.kind in ("Q1", "Q2", "Q3"):
            return Period(self.year, f"Q{int(self.kind[1]) + 1}")
        return {
            "Q4": Period(self.year + 1, "Q1"),
            "H1": Period(self.year, "H2"),
            "H2": Period(self.year + 1, "H1"),
            "9M": Period(self.year, "Q4"),
            "": Period(self.year + 1, ""),
        }[self.kind]


def parse_period(text: str) -> Period:
    """`2024-H1` -> Period(2024, "H1"); raises PeriodError with a Vietnamese message otherwise."""
    match = _PATTERN.match(str(text))
    if not match:
        raise PeriodError(
            f"Kỳ '{text}' không hợp lệ. Dùng một trong các dạng: 2024, 2024-Q1…2024-Q4, "
            "2024-H1, 2024-H2, 2024-9M."
        )
    return Period(int(match.group(1)), (match.group(2) or "").upper())


def period_span_word(period: Period) -> str:
    """The word a sentence uses for the period's span: "quý", "6 tháng", "9 tháng" or "năm"."""
    return _SPAN_WORDS[period.kind]


def previous_year(period: Period) -> Period:
    """The same period one year earlier."""
    return period.previous_year()


def _check(calendar: str, cutoff_day: int) -> None:
    if calendar not in CALENDARS:
        raise PeriodError(f"Lịch '{calendar}' không hợp lệ: dùng 'calendar' hoặc 'report'.")
    if not 1 <= cutoff_day <= 28:
        raise PeriodError(f"Ngày chốt số liệu {cutoff_day} không hợp lệ: dùng một ngày từ 1 đến 28.")


def quarter_bounds(
    year: int, quarter: int, calendar: str = CALENDAR, cutoff_day: int = 15
) -> tuple[date, date]:
    """First and last day (inclusive) of quarter `quarter` of `year` under `calendar`.

    Report calendar: the quarter ends on day cutoff_day-1 of its last month and starts on
    cutoff_day of the month before its first month (Q1 starts in December of the previous year).
    """
    _check(calendar, cutoff_day)
    first_month = 3 * quarter - 2
    if calendar == CALENDAR:
        start = date(year, first_month, 1)
        end = (date(year + 1, 1, 1) if quarter == 4 else date(year, first_month + 3, 1)) - timedelta(days=1)
        return start, end
    start_year, start_month = (year - 1, 12) if quarter == 1 else (year, first_month - 1)
    start = date(start_year, start_month, cutoff_day)
    end = date(year, first_month + 2, cutoff_day) - timedelta(days=1)
    return start, end


def assign_quarters(dates: pd.Series, calendar: str = CALENDAR, cutoff_day: int = 15) -> pd.DataFrame:
    """For each date, the (year, quarter) it counts towards: a frame with int columns `year`, `quarter`.

    Under the report calendar a date on or after the cut-off day of the last month of a quarter
    moves to the next quarter (15 Dec 2024 -> 2025 Q1). Missing dates give missing values.
    """
    _check(calendar, cutoff_day)
    values = pd.to_datetime(dates)
    year = values.dt.year.astype("Int64")
    month = values.dt.month.astype("Int64")
    if calendar == REPORT:
        shift = (month % 3 == 0) & (values.dt.day.astype("Int64") >= cutoff_day)
        month = month + shift.astype("Int64")
        year = year + (month > 12).astype("Int64")
        # arithmetic (not `where`) so that a missing date stays missing instead of becoming month 1
        month = (month - 1) % 12 + 1
    quarter = (month - 1) // 3 + 1
    return pd.DataFrame({"year": year.astype("Int64"), "quarter": quarter.astype("Int64")}, index=dates.index)
