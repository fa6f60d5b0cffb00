"""cchc_lib.web.derive: activity filtering and search, totals, ranks, reviews, funding (hand-computed)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from cchc_lib.web import derive

UNITS = pd.DataFrame(
    {
        "unit_code": ["A", "B", "C"],
        "unit_name": ["Phòng Nội vụ", "UBND xã Cẩm Bình", "Đài truyền thanh"],
        "unit_type": ["Phòng", "Xã", "Xã"],
    }
)
ACTS = pd.DataFrame(
    {
        "row": [2, 3, 4, 5, 6],
        "unit_code": ["A", "B", "B", "C", "A"],
        "unit_name": [
            "Phòng Nội vụ",
            "UBND xã Cẩm Bình",
            "UBND xã Cẩm Bình",
            "Đài truyền thanh",
            "Phòng Nội vụ",
        ],
        "type_code": ["TIN_BAI", "TIN_BAI", "PHONG_SU", "PHAT_THANH", "TIN_BAI"],
        "quantity": [1, 2, 1, 12, 1],
        "title": ["Chuyển đổi số", "Cải cách TTHC", None, "Phát thanh CCHC", "Dịch vụ công"],
        "note": [None, "đăng lại Zalo", None, None, None],
        "channel": ["Trang TTĐT huyện", "Zalo OA", None, "Đài truyền thanh xã", "Trang TTĐT huyện"],
        "reform_area": ["Chính quyền số", "Cải cách TTHC", "Cải cách TTHC", None, "Cải cách TTHC"],
    }
)


def test_distinct_values_sorted_with_blank_last() -> None:
    assert derive.distinct_values(ACTS, "channel") == [
        "Trang TTĐT huyện",
        "Zalo OA",
        "Đài truyền thanh xã",
        derive.BLANK,
    ]
    assert derive.distinct_values(ACTS, "type_code") == ["PHAT_THANH", "PHONG_SU", "TIN_BAI"]


@pytest.mark.parametrize(
    ("kwargs", "rows"),
    [
        ({}, [2, 3, 4, 5, 6]),
        ({"type_codes": ["TIN_BAI"]}, [2, 3, 6]),
        ({"channels": ["Zalo OA", derive.BLANK]}, [3, 4]),
        ({"reform_areas": [derive.BLANK]}, [5]),
        ({"type_codes": ["TIN_BAI"], "reform_areas": ["Cải cách TTHC"]}, [3, 6]),
        ({"rows": [4, 6, 99]}, [4, 6]),
        ({"type_codes": ["TIN_BAI"], "rows": [4, 6]}, [6]),
    ],
)
def test_filter_activities(kwargs: dict, rows: list[int]) -> None:
    assert derive.filter_activities(ACTS, **kwargs)["row"].tolist() == rows


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ("zalo", [3]),  # in the note and the channel of row 3
        ("CHUYEN DOI SO", [2]),  # case and diacritics ignored
        ("cẩm bình", [3, 4]),  # the unit name counts
        ("dai truyen thanh", [5]),  # đ = d
        ("cải cách zalo", [3]),  # every word must appear
        ("không có", []),
    ],
)
def test_search(text: str, rows: list[int]) -> None:
    keys = derive.search_keys(ACTS, UNITS)
    assert sorted(derive.rows_matching(keys, text).tolist()) == rows


def test_activity_totals() -> None:
    assert derive.activity_totals(ACTS) == {"rows": 5, "quantity": 17, "units": 3}
    assert derive.activity_totals(ACTS.iloc[0:0]) == {"rows": 0, "quantity": 0, "units": 0}


def test_rank_in_group_best_completion_first_units_without_plan_unranked() -> None:
    classified = pd.DataFrame(
        {
            "unit_code": ["A", "B", "C", "D"],
            "unit_name": ["a", "b", "c", "d"],
            "planned": [10.0, 10.0, 0.0, 4.0],
            "actual": [5, 12, 3, 4],
            "completion_pct": [50.0, 120.0, float("nan"), 100.0],
        }
    )
    rank, count, ranked = derive.rank_in_group(classified, "A")
    assert (rank, count) == (3, 3)
    assert ranked["unit_code"].tolist() == ["B", "D", "A", "C"]
    assert ranked["rank"].tolist()[:3] == [1, 2, 3] and pd.isna(ranked["rank"].iloc[3])
    assert derive.rank_in_group(classified, "C")[0] is None


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
    last = derive.last_reviews(reviews, UNITS, date(2024, 6, 30))
    # C: only reviewed after the date -> never reviewed, overdue, first; B: 121 days -> overdue; A: 10 days
    assert last["unit_code"].tolist() == ["C", "B", "A"]
    assert last["overdue"].tolist() == [True, True, False]
    assert last["days_since"].iloc[1:].tolist() == [121, 10]
    assert last["score"].iloc[1:].tolist() == [60.0, 90.0]
    assert derive.review_summary(last) == {"units": 3, "reviewed": 2, "overdue": 2, "mean_score": 75.0}


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
    funds = derive.funding_by_unit(funding, UNITS, 2024)
    assert funds["unit_code"].tolist() == ["A", "B"]
    assert funds["allocated"].tolist() == [15_000_000, 0]
    assert funds["spent"].tolist() == [6_000_000, 0]
    assert funds["spent_pct"].iloc[0] == pytest.approx(40.0) and pd.isna(funds["spent_pct"].iloc[1])
    assert derive.funding_totals(funds) == {"allocated": 15e6, "spent": 6e6, "spent_pct": pytest.approx(40.0)}


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
    items = derive.initiatives_of_year(initiatives, UNITS, 2024)
    assert items[["unit_name", "name"]].values.tolist() == [["Phòng Nội vụ", "Cà phê số"]]
