"""The units to chase (cchc_lib/web/laggards.py) on a hand-built classification."""

from __future__ import annotations

import math

import pandas as pd

from cchc_lib.web.laggards import laggards

NAN = math.nan


def classified() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_code": ["A", "B", "C", "D", "E", "F"],
            "unit_name": ["Phòng Nội vụ", "UBND xã Cẩm Bình", "Phòng Y tế", "UBND xã Cẩm Duệ", "Công an", "Kho bạc"],
            "planned": [10.0, 8.0, 4.0, 5.0, 0.0, 6.0],
            "actual": [12, 2, 3, 0, 4, 0],
            "completion_pct": [120.0, 25.0, 75.0, 0.0, NAN, 0.0],
            "status": ["complete", "behind", "near", "no_activity", "no_plan", "no_activity"],
            "status_label": [
                "Hoàn thành", "Chưa hoàn thành", "Gần hoàn thành", "Chưa có hoạt động", "Không có chỉ tiêu",
                "Chưa có hoạt động",
            ],
        }
    )  # fmt: skip


def test_behind_and_idle_units_lowest_first_with_icons() -> None:
    table = laggards(classified())
    assert table["Đơn vị"].tolist() == [
        "Kho bạc",
        "UBND xã Cẩm Duệ",
        "UBND xã Cẩm Bình",
    ]  # 0, 0 (by name), 25
    assert table["Xếp loại"].tolist() == ["∅ Chưa có hoạt động", "∅ Chưa có hoạt động", "✕ Chưa hoàn thành"]
    assert table["Thực hiện / kế hoạch"].tolist() == ["0 / 6", "0 / 5", "2 / 8"]
    assert table["Tỷ lệ"].tolist() == ["0,0 %", "0,0 %", "25,0 %"]


def test_phone_table_has_two_columns() -> None:
    table = laggards(classified(), detail=False)
    assert list(table.columns) == ["Đơn vị", "Tỷ lệ"]
    nbsp = "\u00a0"  # never wraps
    assert table["Tỷ lệ"].tolist() == [f"∅{nbsp}0,0{nbsp}%", f"∅{nbsp}0,0{nbsp}%", f"✕{nbsp}25,0{nbsp}%"]


def test_nobody_behind_gives_an_empty_table() -> None:
    frame = classified()
    assert laggards(frame[frame["status"].isin(["complete", "near", "no_plan"])]).empty
