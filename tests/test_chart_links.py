"""Charts a click can follow (cchc_lib/documents/chart_links.py): unit codes on bars and heatmap cells."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import pytest

from cchc_lib.documents import charts
from cchc_lib.documents.chart_links import clickable_cells, unit_of_points


def classified() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_code": ["XA", "XB", "XC"],
            "unit_name": ["UBND xã A", "UBND xã B", "Phòng C"],
            "planned": [10.0, 4.0, 5.0],
            "actual": [5, 4, 0],
            "completion_pct": [50.0, 100.0, 0.0],
            "status": ["behind", "complete", "no_activity"],
        }
    )


def matrix() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_code": ["XA", "XA", "XB", "XB"],
            "unit_name": ["UBND xã A", "UBND xã A", "UBND xã B", "UBND xã B"],
            "quarter": [1, 2, 1, 2],
            "planned": [2.0, 2.0, 2.0, 0.0],
            "actual": [1, 2, 0, 0],
            "completion_pct": [50.0, 100.0, 0.0, math.nan],
        }
    )


def test_each_unit_bar_carries_its_code() -> None:
    fig = charts.completion_by_unit(classified())
    code_of = {}
    for trace in fig.data:
        for label, custom in zip(trace.y, trace.customdata, strict=True):
            code_of[label] = custom[-1]
    assert code_of == {"UBND xã A": "XA", "UBND xã B": "XB", "Phòng C": "XC"}
    go.Figure(fig.to_dict())  # still a valid figure


def test_group_bars_carry_no_code() -> None:
    rollup = pd.DataFrame({"unit_type": ["Xã"], "planned": [4.0], "actual": [2], "completion_pct": [50.0]})
    [trace] = charts.completion_by_group(rollup, "unit_type").data
    assert len(trace.customdata[0]) == 3


def test_every_heatmap_cell_gets_a_marker_with_the_unit_code() -> None:
    fig = clickable_cells(charts.unit_quarter_heatmap(matrix()), ["XA", "XB"])
    heat, markers = fig.data[0], fig.data[-1]
    assert heat.type == "heatmap" and heat.hoverinfo == "skip"
    assert markers.type == "scatter" and markers.marker.opacity == 0
    assert list(zip(markers.x, markers.y, strict=True)) == [
        ("Quý I", "UBND xã A"), ("Quý II", "UBND xã A"), ("Quý I", "UBND xã B"), ("Quý II", "UBND xã B"),
    ]  # fmt: skip
    assert [list(c) for c in markers.customdata] == [
        ["Chưa hoàn thành", "2", "1", "50,0 %", "XA"],
        ["Hoàn thành", "2", "2", "100,0 %", "XA"],
        ["Chưa có hoạt động", "2", "0", "0,0 %", "XB"],
        ["Không có chỉ tiêu", "0", "0", "—", "XB"],
    ]
    assert "customdata[3]" in markers.hovertemplate  # the cell's own hover text
    assert fig.layout.hoverdistance == -1
    go.Figure(fig.to_dict())


def test_the_empty_figure_is_left_alone() -> None:
    empty = charts.unit_quarter_heatmap(matrix().iloc[0:0])
    assert clickable_cells(empty, []) is empty


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ([{"customdata": ["5", "10", "50,0 %", "XA"], "y": "UBND xã A"}], "XA"),
        ([{"y": "no customdata"}, {"customdata": ["a", "XB"]}], "XB"),
        ([{"customdata": ["5", 10]}], None),  # the last item is not a code
        ([{"customdata": []}], None),
        ([{"customdata": ["x" * 61]}], None),  # longer than any unit code
        ([], None),
        (None, None),
    ],
)
def test_unit_of_points(points, expected) -> None:
    assert unit_of_points(points) == expected


def test_no_chart_text_is_smaller_than_13px() -> None:
    """Every font size a figure sets (layout, axes, traces, annotations) is at least 13 px."""
    series = pd.DataFrame({"quarter": [1, 2], "label": ["Quý I", "Quý II"], "planned": [4.0, 4.0],
                           "actual": [2, 5], "cumulative_planned": [4.0, 8.0], "cumulative_actual": [2, 7],
                           "completion_pct": [50.0, 87.5]})  # fmt: skip
    figures = [
        charts.completion_by_unit(classified()),
        charts.unit_quarter_heatmap(matrix()),
        charts.quarter_trend(series),
        charts.empty_figure(),
    ]

    def sizes(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "size" and isinstance(value, int | float):
                    yield value
                else:
                    yield from sizes(value)
        elif isinstance(node, list):
            for item in node:
                yield from sizes(item)

    for fig in figures:
        spec = fig.to_dict()
        spec["layout"].pop("template", None)  # plotly's own template, overridden by the layout
        for trace in spec["data"]:
            trace.pop("marker", None)  # marker sizes are not text
        found = list(sizes(spec))
        assert found and min(found) >= 13, found
        assert "font-size:11px" not in str(spec) and "font-size:12px" not in str(spec)
