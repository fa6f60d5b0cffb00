"""cchc_lib.figures.selection: activity filtering and search, totals, ranks (hand-computed)."""

from __future__ import annotations

import pandas as pd
import pytest

from cchc_lib.figures import selection

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
    assert selection.distinct_values(ACTS, "channel") == [
        "Trang TTĐT huyện",
        "Zalo OA",
        "Đài truyền thanh xã",
        selection.BLANK,
    ]
    assert selection.distinct_values(ACTS, "type_code") == ["PHAT_THANH", "PHONG_SU", "TIN_BAI"]


@pytest.mark.parametrize(
    ("kwargs", "rows"),
    [
        ({}, [2, 3, 4, 5, 6]),
        ({"type_codes": ["TIN_BAI"]}, [2, 3, 6]),
        ({"channels": ["Zalo OA", selection.BLANK]}, [3, 4]),
        ({"reform_areas": [selection.BLANK]}, [5]),
        ({"type_codes": ["TIN_BAI"], "reform_areas": ["Cải cách TTHC"]}, [3, 6]),
        ({"rows": [4, 6, 99]}, [4, 6]),
        ({"type_codes": ["TIN_BAI"], "rows": [4, 6]}, [6]),
    ],
)
def test_filter_activities(kwargs: dict, rows: list[int]) -> None:
    assert selection.filter_activities(ACTS, **kwargs)["row"].tolist() == rows


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
    keys = selection.search_keys(ACTS, UNITS)
    assert sorted(selection.rows_matching(keys, text).tolist()) == rows


def test_activity_totals() -> None:
    assert selection.activity_totals(ACTS) == {"rows": 5, "quantity": 17, "units": 3}
    assert selection.activity_totals(ACTS.iloc[0:0]) == {"rows": 0, "quantity": 0, "units": 0}


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
    rank, count, ranked = selection.rank_in_group(classified, "A")
    assert (rank, count) == (3, 3)
    assert ranked["unit_code"].tolist() == ["B", "D", "A", "C"]
    assert ranked["rank"].tolist()[:3] == [1, 2, 3] and pd.isna(ranked["rank"].iloc[3])
    assert selection.rank_in_group(classified, "C")[0] is None
