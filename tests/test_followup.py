"""cchc_lib.figures.followup: last portal reviews, overdue reviews, funding and initiatives (hand-computed)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from cchc_lib.figures import followup

UNITS = pd.DataFrame(
    {
        "unit_code": ["A", "B", "C"],
        "unit_name": ["Phòng Nội vụ", "UBND xã Cẩm Bình", "Đài truyền thanh"],
        "unit_type": ["Phòng", "Xã", "Xã"],
    }
)


def test_last_reviews_and_summary() -> None:
    reviews = pd.DataFrame(
        {
            "review_date": pd.to_datetime(["2024-01-10", "2024-06-20", "2024-03-01", "2025-01-05"]),
            "unit_code": ["A", "A", "B", "C"],
            "reviewer": ["x", "y", "x", "x"],
            "has_cchc_section": [True, True, False, True],
            "updated_this_quarter": [False, True, False, True],
            "broken_links": [0, 1, 3, 0],
            "score": [70.0, 90.0, 60.0, 99.0],
            "findings": ["", "tốt", "thiếu", "tốt"],
        }
    )
    last = followup.last_reviews(reviews, UNITS, date(2024, 6, 30))
    # C: only reviewed after the date -> never reviewed, overdue, first; B: 121 days -> overdue; A: 10 days
    assert last["unit_code"].tolist() == ["C", "B", "A"]
    assert last["overdue"].tolist() == [True, True, False]
    assert last["days_since"].iloc[1:].tolist() == [121, 10]
    assert last["score"].iloc[1:].tolist() == [60.0, 90.0]
    assert followup.review_summary(last) == {"units": 3, "reviewed": 2, "overdue": 2, "mean_score": 75.0}


def test_funding_by_unit_and_totals() -> None:
    funding = pd.DataFrame(
        {
            "year": [2024, 2024, 2024, 2023],
            "unit_code": ["A", "A", "B", "B"],
            "allocated": [10_000_000, 5_000_000, 0, 9_000_000],
            "spent": pd.array([6_000_000, None, 0, 9_000_000], dtype="Int64"),
            "note": [None, None, None, None],
        }
    )
    funds = followup.funding_by_unit(funding, UNITS, 2024)
    assert funds["unit_code"].tolist() == ["A", "B"]
    assert funds["allocated"].tolist() == [15_000_000, 0]
    assert funds["spent"].tolist() == [6_000_000, 0]
    assert funds["spent_pct"].iloc[0] == pytest.approx(40.0) and pd.isna(funds["spent_pct"].iloc[1])
    assert followup.funding_totals(funds) == {
        "allocated": 15e6,
        "spent": 6e6,
        "spent_pct": pytest.approx(40.0),
    }


def test_initiatives_of_year_keeps_the_units_given() -> None:
    initiatives = pd.DataFrame(
        {
            "year": [2024, 2024, 2023],
            "unit_code": ["A", "Z", "B"],
            "name": ["Cà phê số", "khác", "cũ"],
            "reform_area": [None, None, None],
            "status": ["Đang áp dụng", None, None],
            "result": [None, None, None],
        }
    )
    items = followup.initiatives_of_year(initiatives, UNITS, 2024)
    assert items[["unit_name", "name"]].values.tolist() == [["Phòng Nội vụ", "Cà phê số"]]
