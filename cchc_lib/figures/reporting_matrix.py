"""The unit x quarter submission matrix and its traffic-light chips (icon + text + colour, never colour alone)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from cchc_lib.common.periods import REPORT, Period
from cchc_lib.figures.reporting import period_status

__all__ = ["CHIPS", "MATRIX_COLUMNS", "NOT_EXPECTED", "Chip", "chip", "chip_legend", "submission_matrix"]

MATRIX_COLUMNS = ["unit_code", "unit_name", "unit_type", "quarter", "status", "days_late"]
NOT_EXPECTED = ""  # the cell of a quarter in which the unit did not exist (not expected to report)


@dataclass(frozen=True)
class Chip:
    """How one status shows in a cell: icon and words (readable without colour), text and fill colour."""

    icon: str
    text: str
    color: str
    fill: str


# Dark text on a light fill: every pair is above 7:1 (WCAG AA asks 4.5:1; tests/test_reporting checks).
_GREEN = ("#14532D", "#DCFCE7")
_AMBER = ("#713F12", "#FEF3C7")
_RED = ("#7F1D1D", "#FEE2E2")
_GREY = ("#374151", "#F3F4F6")
CHIPS: dict[str, Chip] = {
    "on_time": Chip("✓", "đúng hạn", *_GREEN),
    "baseline": Chip("✓", "đã nộp", *_GREEN),
    "late": Chip("!", "trễ {days} ngày", *_AMBER),
    "resubmit": Chip("✕", "cần nộp lại", *_RED),
    "missing": Chip("✕", "chưa nộp", *_RED),
    "not_due": Chip("—", "chưa đến hạn", *_GREY),
}


def chip(status: str, days_late: object = None) -> str:
    """The words of a cell: "✓ đúng hạn", "! trễ 6 ngày", "✕ chưa nộp", "— chưa đến hạn"; "" for no status."""
    found = CHIPS.get(status)
    if found is None:
        return NOT_EXPECTED
    days = "?" if days_late is None or pd.isna(days_late) else int(days_late)
    return f"{found.icon} {found.text.format(days=days)}"


def chip_legend() -> list[tuple[str, Chip]]:
    """(example words, chip) for every kind of cell, in the order a legend shows them."""
    return [
        (chip(code, 3), CHIPS[code])
        for code in ("on_time", "baseline", "late", "resubmit", "missing", "not_due")
    ]


def submission_matrix(
    units: pd.DataFrame,
    versions: pd.DataFrame,
    keys: Mapping[int, pd.DataFrame],
    year: int,
    *,
    cutoff_day: int = 15,
    grace_days: int = 5,
    today: date,
    calendar: str = REPORT,
    current: int | None = None,
) -> pd.DataFrame:
    """Long form, MATRIX_COLUMNS: one row per unit of `units` (their order) and quarter 1..4 of `year`
    under `calendar`, with the quarter's status (reporting.period_status) and days late; status ""
    for a quarter in which the unit did not exist."""
    frames = []
    for quarter in (1, 2, 3, 4):
        status = period_status(
            units,
            versions,
            keys,
            Period(year, f"Q{quarter}"),
            cutoff_day=cutoff_day,
            grace_days=grace_days,
            today=today,
            calendar=calendar,
            current=current,
        ).set_index("unit_code")
        base = units[["unit_code", "unit_name", "unit_type"]].assign(quarter=quarter)
        base["status"] = base["unit_code"].map(status["status"]).fillna(NOT_EXPECTED)
        base["days_late"] = base["unit_code"].map(status["days_late"]).astype("Int64")
        frames.append(base)
    order = {code: i for i, code in enumerate(units["unit_code"])}
    long = pd.concat(frames, ignore_index=True)
    long = long.sort_values(
        ["unit_code", "quarter"], key=lambda c: c.map(order) if c.name == "unit_code" else c
    )
    return long[MATRIX_COLUMNS].reset_index(drop=True)
