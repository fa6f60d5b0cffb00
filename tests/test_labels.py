"""Tests for cchc_lib.common.labels: Vietnamese headers, quarter names, status colours."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from cchc_lib.common.labels import (
    COLUMN_LABELS,
    QUARTER_LABELS,
    STATUS_COLORS,
    STATUS_LABELS,
    STATUS_ORDER,
    vn_columns,
)
from cchc_lib.reading import model

METRIC_COLUMNS = [
    "unit_code", "unit_name", "unit_type", "activity_type", "activity_name", "planned", "actual",
    "completion_pct", "status", "status_label", "quarter", "label", "cumulative_planned",
    "cumulative_actual", "actual_prev", "change", "change_pct", "value", "quantity", "share_pct",
]  # fmt: skip


@pytest.mark.parametrize(
    ("column", "label"),
    [
        ("unit_code", "Mã đơn vị"),
        ("unit_name", "Tên đơn vị"),
        ("unit_type", "Loại đơn vị"),
        ("activity_type", "Mã loại"),
        ("activity_name", "Loại hoạt động"),
        ("planned", "Kế hoạch"),
        ("actual", "Thực hiện"),
        ("completion_pct", "Tỷ lệ hoàn thành (%)"),
        ("status_label", "Xếp loại"),
        ("date", "Ngày"),
        ("quantity", "Số lượng"),
        ("title", "Tiêu đề"),
        ("channel", "Kênh đăng tải"),
        ("reform_area", "Lĩnh vực CCHC"),
        ("link", "Đường dẫn"),
        ("note", "Ghi chú"),
        ("quarter", "Quý"),
    ],
)
def test_documented_labels(column: str, label: str) -> None:
    assert COLUMN_LABELS[column] == label


def test_every_model_and_metrics_column_has_a_label() -> None:
    columns = (
        model.UNIT_COLUMNS + model.TYPE_COLUMNS + model.TARGET_COLUMNS + model.ACTIVITY_COLUMNS
        + model.REVIEW_COLUMNS + model.FUNDING_COLUMNS + model.INITIATIVE_COLUMNS
        + model.PROBLEM_COLUMNS + METRIC_COLUMNS
    )  # fmt: skip
    missing = [c for c in columns if c not in COLUMN_LABELS]
    assert missing == []


def test_vn_columns_renames_known_and_keeps_unknown() -> None:
    df = pd.DataFrame({"unit_code": ["A"], "planned": [1.0], "extra": [3]})
    out = vn_columns(df)
    assert list(out.columns) == ["Mã đơn vị", "Kế hoạch", "extra"]
    assert out.iloc[0].tolist() == ["A", 1.0, 3]
    assert list(df.columns) == ["unit_code", "planned", "extra"]  # input untouched


def test_quarter_labels() -> None:
    assert QUARTER_LABELS == {1: "Quý I", 2: "Quý II", 3: "Quý III", 4: "Quý IV"}


def test_status_constants() -> None:
    assert STATUS_ORDER == ("complete", "near", "behind", "no_activity", "no_plan")
    assert STATUS_LABELS == {
        "complete": "Hoàn thành",
        "near": "Gần hoàn thành",
        "behind": "Chưa hoàn thành",
        "no_activity": "Chưa có hoạt động",
        "no_plan": "Không có chỉ tiêu",
    }
    assert set(STATUS_COLORS) == set(STATUS_ORDER)
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in STATUS_COLORS.values())
    assert len(set(STATUS_COLORS.values())) == 5


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def test_status_colour_hues() -> None:
    r, g, b = _rgb(STATUS_COLORS["complete"])
    assert g > r and g > b  # green
    r, g, b = _rgb(STATUS_COLORS["near"])
    assert r > g > b  # amber
    r, g, b = _rgb(STATUS_COLORS["behind"])
    assert r > g and r > b  # red
    r, g, b = _rgb(STATUS_COLORS["no_plan"])
    assert max(r, g, b) - min(r, g, b) < 30  # grey
