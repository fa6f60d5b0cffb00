"""Tests for cchc_lib.documents.charts: traces carry the input numbers in the right order, colours, Vietnamese."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from cchc_lib.common.labels import STATUS_COLORS
from cchc_lib.common.periods import Period
from cchc_lib.common.settings import Settings
from cchc_lib.documents import charts
from cchc_lib.figures import metrics
from cchc_lib.reading.sandbox import read_trusted

NAN = math.nan
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "cam_xuyen_2024.xlsx"


def by_type_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "activity_type": ["TIN_BAI", "PHONG_SU", "BAI_DANG_TTDT"],
            "activity_name": ["Tin, bài", "Phóng sự", "Bài đăng Cổng/Trang TTĐT"],
            "planned": [120.0, 0.0, 240.0],
            "actual": [134, 3, 201],
            "completion_pct": [134 / 120 * 100, NAN, 83.75],
        }
    )


def classified_frame() -> pd.DataFrame:
    # completion: A 50, B 130, C no plan, D 0 (no activity), E 80
    return pd.DataFrame(
        {
            "unit_code": ["A", "B", "C", "D", "E"],
            "unit_name": ["Phòng Tư pháp", "Phòng Nội vụ", "Công an huyện", "UBND xã Cẩm Duệ", "Phòng Y tế"],
            "unit_type": ["Phòng chuyên môn"] * 5,
            "planned": [10.0, 10.0, 0.0, 5.0, 10.0],
            "actual": [5, 13, 2, 0, 8],
            "completion_pct": [50.0, 130.0, NAN, 0.0, 80.0],
            "status": ["behind", "complete", "no_plan", "no_activity", "near"],
            "status_label": ["Chưa hoàn thành", "Hoàn thành", "Không có chỉ tiêu", "Chưa có hoạt động", "Gần hoàn thành"],
        }
    )  # fmt: skip


def bars(fig: go.Figure) -> list[go.Bar]:
    return [t for t in fig.data if t.type == "bar"]


def assert_house_style(fig: go.Figure) -> None:
    assert fig.layout.separators == ",."
    assert fig.layout.height is not None and fig.layout.height >= 200
    assert fig.layout.margin.l <= 16 and fig.layout.margin.r <= 24


def test_plan_actual_by_type_values_order_and_widths() -> None:
    fig = charts.plan_actual_by_type(by_type_frame())
    plan, actual = bars(fig)
    names = ["Tin, bài", "Phóng sự", "Bài đăng Cổng/Trang TTĐT"]
    assert plan.name == "Kế hoạch" and actual.name == "Thực hiện"
    assert list(plan.y) == names and list(actual.y) == names
    assert list(plan.x) == [120.0, 0.0, 240.0]
    assert list(actual.x) == [134.0, 3.0, 201.0]
    assert plan.orientation == actual.orientation == "h"
    assert plan.width > actual.width  # wide light plan bar, narrow actual bar
    assert fig.layout.barmode == "overlay"
    labels = next(t for t in fig.data if t.type == "scatter")
    assert [s.strip() for s in labels.text] == ["111,7 %", "—", "83,8 %"]
    assert list(labels.x) == [134.0, 3.0, 240.0]  # at the end of the longer bar
    assert fig.layout.xaxis.title.text == "Số lượng"
    assert fig.layout.yaxis.autorange == "reversed"  # catalogue order top to bottom
    assert "%{x:,.0f}" in actual.hovertemplate and "Thực hiện" in actual.hovertemplate
    assert fig.layout.legend.orientation == "h"
    assert_house_style(fig)


def test_completion_by_unit_sorted_coloured_and_thresholds() -> None:
    fig = charts.completion_by_unit(classified_frame())
    # order top to bottom: 130 (B), 80 (E), 50 (A), 0 (D), no plan (C) last
    assert list(fig.layout.yaxis.categoryarray) == [
        "Phòng Nội vụ",
        "Phòng Y tế",
        "Phòng Tư pháp",
        "UBND xã Cẩm Duệ",
        "Công an huyện",
    ]
    assert fig.layout.yaxis.autorange == "reversed"
    by_name = {t.name: t for t in bars(fig)}
    assert list(by_name) == [
        "Hoàn thành",
        "Gần hoàn thành",
        "Chưa hoàn thành",
        "Chưa có hoạt động",
        "Không có chỉ tiêu",
    ]
    expected = {
        "Hoàn thành": ("complete", ["Phòng Nội vụ"], [130.0]),
        "Gần hoàn thành": ("near", ["Phòng Y tế"], [80.0]),
        "Chưa hoàn thành": ("behind", ["Phòng Tư pháp"], [50.0]),
        "Chưa có hoạt động": ("no_activity", ["UBND xã Cẩm Duệ"], [0.0]),
        "Không có chỉ tiêu": ("no_plan", ["Công an huyện"], [0.0]),
    }
    for name, (status, ys, xs) in expected.items():
        trace = by_name[name]
        assert trace.marker.color == STATUS_COLORS[status]
        assert list(trace.y) == ys and list(trace.x) == xs
    assert list(by_name["Hoàn thành"].text) == ["✓ 130,0 %"]
    assert list(by_name["Gần hoàn thành"].text) == ["! 80,0 %"]
    assert list(by_name["Chưa hoàn thành"].text) == ["✕ 50,0 %"]
    assert list(by_name["Chưa có hoạt động"].text) == ["∅ chưa có hoạt động"]
    key = fig.layout.title.text  # the colour key names each status with its icon, not by colour alone
    assert "✓ Hoàn thành" in key and "✕ Chưa hoàn thành" in key and "∅ Chưa có hoạt động" in key
    lines = sorted(s.x0 for s in fig.layout.shapes if s.type == "line")
    assert lines == [70, 100]
    assert {a.text for a in fig.layout.annotations} >= {"70 %", "100 %"}
    assert fig.layout.xaxis.title.text == "Tỷ lệ hoàn thành (%)"
    assert fig.layout.barmode == "overlay"  # one bar per row, no group offsets
    assert_house_style(fig)


def test_completion_by_unit_custom_thresholds_and_height_grows() -> None:
    fig = charts.completion_by_unit(classified_frame(), complete_pct=90, near_pct=60)
    assert sorted(s.x0 for s in fig.layout.shapes) == [60, 90]
    many = pd.concat([classified_frame()] * 6, ignore_index=True)
    many["unit_code"] = [f"U{i}" for i in range(len(many))]
    many["unit_name"] = [f"Đơn vị {i}" for i in range(len(many))]
    assert charts.completion_by_unit(many).layout.height > fig.layout.height


def test_duplicate_unit_names_stay_separate() -> None:
    df = classified_frame().iloc[:2].assign(unit_name=["UBND xã Cẩm Quang", "UBND xã Cẩm Quang"])
    fig = charts.completion_by_unit(df)
    assert list(fig.layout.yaxis.categoryarray) == ["UBND xã Cẩm Quang (B)", "UBND xã Cẩm Quang (A)"]


def test_names_from_the_workbook_cannot_carry_plotly_markup() -> None:
    """Plotly renders <b>, <br> and <a href> in labels: a name shows as written, entity-escaped."""
    df = classified_frame().iloc[:2].assign(unit_name=['Phòng <a href="http://x">Tư pháp</a>', "P&A <br>"])
    fig = charts.completion_by_unit(df)
    assert sorted(fig.layout.yaxis.categoryarray) == sorted(
        ['Phòng &lt;a href="http://x"&gt;Tư pháp&lt;/a&gt;', "P&amp;A &lt;br&gt;"]
    )


def test_completion_by_group_status_from_thresholds() -> None:
    rollup = pd.DataFrame(
        {
            "unit_type": ["Phòng chuyên môn", "Đơn vị sự nghiệp", "UBND xã, thị trấn"],
            "planned": [100.0, 50.0, 40.0],
            "actual": [100, 20, 30],
            "completion_pct": [100.0, 40.0, 75.0],
        }
    )
    fig = charts.completion_by_group(rollup, "unit_type")
    colours = {y: t.marker.color for t in bars(fig) for y in t.y}
    assert colours == {
        "Phòng chuyên môn": STATUS_COLORS["complete"],
        "Đơn vị sự nghiệp": STATUS_COLORS["behind"],
        "UBND xã, thị trấn": STATUS_COLORS["near"],
    }
    assert list(fig.layout.yaxis.categoryarray) == [
        "Phòng chuyên môn",
        "Đơn vị sự nghiệp",
        "UBND xã, thị trấn",
    ]
    assert sorted(s.x0 for s in fig.layout.shapes) == [70, 100]


def test_quarter_trend() -> None:
    series = pd.DataFrame(
        {
            "quarter": [1, 2, 3, 4],
            "label": ["Quý I", "Quý II", "Quý III", "Quý IV"],
            "planned": [10.0, 10.0, 10.0, 10.0],
            "actual": [8, 12, 5, 0],
            "cumulative_planned": [10.0, 20.0, 30.0, 40.0],
            "cumulative_actual": [8, 20, 25, 25],
            "completion_pct": [80.0, 120.0, 50.0, 0.0],
        }
    )
    fig = charts.quarter_trend(series)
    plan, actual = bars(fig)
    lines = [t for t in fig.data if t.type == "scatter"]
    quarters = ["Quý I", "Quý II", "Quý III", "Quý IV"]
    assert list(plan.x) == quarters and list(plan.y) == [10.0] * 4
    assert list(actual.y) == [8.0, 12.0, 5.0, 0.0]
    assert plan.width > actual.width
    assert [t.name for t in lines] == ["Kế hoạch lũy kế", "Thực hiện lũy kế"]
    assert list(lines[0].y) == [10.0, 20.0, 30.0, 40.0] and list(lines[1].y) == [8.0, 20.0, 25.0, 25.0]
    assert "80,0 %" in fig.layout.xaxis.ticktext[0] and "Quý I" in fig.layout.xaxis.ticktext[0]
    assert fig.layout.yaxis.title.text == "Số lượng"
    assert_house_style(fig)


def test_unit_quarter_heatmap() -> None:
    matrix = pd.DataFrame(
        {
            "unit_code": ["A", "A", "B", "B"],
            "unit_name": ["Phòng Nội vụ", "Phòng Nội vụ", "Phòng Tư pháp", "Phòng Tư pháp"],
            "unit_type": ["Phòng chuyên môn"] * 4,
            "quarter": [1, 2, 1, 2],
            "planned": [10.0, 10.0, 0.0, 4.0],
            "actual": [5, 12, 3, 1],
            "completion_pct": [50.0, 120.0, NAN, 25.0],
        }
    )
    fig = charts.unit_quarter_heatmap(matrix)
    heat = fig.data[0]
    assert heat.type == "heatmap" and len(fig.data) == 1  # every unit existed in both quarters
    assert list(heat.x) == ["Quý I", "Quý II"]
    assert list(heat.y) == ["Phòng Nội vụ", "Phòng Tư pháp"]
    # the cells say the completion % with the status icon (50 % behind, 120 % complete, no plan, 25 %)
    assert [list(r) for r in heat.text] == [["✕ 50", "✓ 120"], ["–", "✕ 25"]]
    assert fig.layout.xaxis.title.text == "Tỷ lệ hoàn thành theo quý (%)"
    # and are coloured by status: band i of the stepped scale is STATUS_ORDER[i]
    order = ["complete", "near", "behind", "no_activity", "no_plan"]
    assert [list(r) for r in heat.z] == [[2.5, 0.5], [4.5, 2.5]]
    for i, status in enumerate(order):
        assert heat.colorscale[2 * i][1] == STATUS_COLORS[status]
    assert heat.zmin == 0 and heat.zmax == 5
    # the counts are in the hover
    assert [list(c) for c in heat.customdata[0]] == [
        ["Chưa hoàn thành", "10", "5", "50,0 %"],
        ["Hoàn thành", "10", "12", "120,0 %"],
    ]
    assert "✕ Chưa hoàn thành" in fig.layout.title.text and "– Không có chỉ tiêu" in fig.layout.title.text


def test_heatmap_marks_no_activity_and_quarters_the_unit_did_not_exist() -> None:
    matrix = pd.DataFrame(
        {
            "unit_code": ["X"] * 4,
            "unit_name": ["UBND xã Cẩm Bình"] * 4,
            "unit_type": ["UBND xã, thị trấn"] * 4,
            "quarter": [1, 2, 3, 4],
            "planned": [2.0, 1.0, 0.0, 0.0],
            "actual": [0, 1, 0, 0],
            "completion_pct": [0.0, 100.0, NAN, NAN],
            "exists": [True, True, False, False],  # merged away on 30/06
        }
    )
    fig = charts.unit_quarter_heatmap(matrix)
    heat, absent = fig.data
    assert list(heat.text[0]) == ["∅ 0", "✓ 100", "", ""]
    assert list(heat.z[0]) == [3.5, 0.5, None, None]
    assert list(absent.text[0]) == ["", "", "—", "—"]
    assert list(absent.z[0]) == [None, None, 0.5, 0.5]
    assert "Chưa thành lập / đã sáp nhập" in fig.layout.title.text
    assert "∅ Chưa có hoạt động" in fig.layout.title.text


def _contrast(a: str, b: str) -> float:
    def lum(h: str) -> float:
        r, g, b_ = (int(h.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
        f = lambda c: c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4  # noqa: E731
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b_)

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_status_colours_are_readable_and_told_apart() -> None:
    for status, colour in STATUS_COLORS.items():
        # white text in heatmap cells, and the colour as text (threshold labels) on white
        assert _contrast(colour, "#FFFFFF") >= 4.5, status
    # "chưa hoàn thành" and "chưa có hoạt động" differ in lightness, not only in hue (was 1.18:1)
    assert _contrast(STATUS_COLORS["behind"], STATUS_COLORS["no_activity"]) >= 1.8
    fig = charts.completion_by_unit(classified_frame())
    for annotation in fig.layout.annotations:
        assert _contrast(annotation.font.color, "#FFFFFF") >= 4.5, annotation.text


def test_long_unit_names_wrap_onto_two_lines_in_full() -> None:
    frame = classified_frame()
    long_name = "Trung tâm Văn hóa, Thông tin và Thể thao huyện Cẩm Xuyên"
    frame.loc[0, "unit_name"] = long_name
    fig = charts.completion_by_unit(frame)
    ticks = dict(zip(fig.layout.yaxis.tickvals, fig.layout.yaxis.ticktext, strict=True))
    assert ticks[long_name] == "Trung tâm Văn hóa, Thông tin<br>và Thể thao huyện Cẩm Xuyên"  # 28 + 27
    assert long_name in fig.layout.yaxis.categoryarray  # the hover's %{y} is the full name


def test_the_phone_unit_chart_gives_the_width_to_the_bars() -> None:
    """narrow=True: names on two lines of at most 16 characters ("…" beyond, the full name kept as the
    category for the hover), two colour-key items a line, head room for the % labels past the bars."""
    frame = classified_frame()
    long_name = "Chi nhánh Văn phòng Đăng ký đất đai huyện Cẩm Xuyên"
    frame.loc[0, "unit_name"] = long_name
    wide = charts.completion_by_unit(frame)
    narrow = charts.completion_by_unit(frame, narrow=True)
    ticks = dict(zip(narrow.layout.yaxis.tickvals, narrow.layout.yaxis.ticktext, strict=True))
    assert ticks[long_name] == "Chi nhánh Văn<br>phòng Đăng ký đ…"  # 13 + 16 characters
    assert ticks["UBND xã Cẩm Duệ"] == "UBND xã Cẩm Duệ"  # 15: one line
    assert ticks["Phòng Nội vụ"] == "Phòng Nội vụ"
    assert all(len(line) <= 16 for text in ticks.values() for line in text.split("<br>"))
    assert long_name in narrow.layout.yaxis.categoryarray  # the hover's %{y}
    assert list(narrow.layout.yaxis.categoryarray) == list(wide.layout.yaxis.categoryarray)
    assert [t.x for t in narrow.data] == [t.x for t in wide.data]  # the same bars
    key_lines = narrow.layout.title.text.split("<br>")
    assert len(key_lines) == 3 and all(line.count("■") <= 2 for line in key_lines)  # 5 statuses
    assert wide.layout.title.text.count("<br>") == 1
    # 130 % is the top value: the wide range is 130·1.22+2, the narrow one leaves more room
    assert wide.layout.xaxis.range[1] == pytest.approx(130 * 1.22 + 2)
    assert narrow.layout.xaxis.range[1] == pytest.approx(130 * 1.45 + 2)
    go.Figure(narrow.to_dict())  # passes plotly's validation


def test_status_donut() -> None:
    headline = {
        "planned": 100.0,
        "actual": 80,
        "completion_pct": 80.0,
        "units": 6,
        "by_status": {"complete": 2, "near": 0, "behind": 3, "no_activity": 1, "no_plan": 0},
        "no_activity": 1,
    }
    fig = charts.status_donut(headline)
    pie = fig.data[0]
    assert list(pie.labels) == ["Hoàn thành", "Chưa hoàn thành", "Chưa có hoạt động"]
    assert list(pie.values) == [2, 3, 1]
    assert list(pie.marker.colors) == [STATUS_COLORS[s] for s in ("complete", "behind", "no_activity")]
    assert pie.hole > 0.5
    assert "<b>6</b>" in fig.layout.annotations[0].text
    assert "đơn vị" in pie.hovertemplate


def test_status_donut_without_units_is_empty() -> None:
    fig = charts.status_donut({"units": 0, "by_status": dict.fromkeys(("complete", "near"), 0)})
    assert fig.data == ()
    assert fig.layout.annotations[0].text == "Chưa có dữ liệu cho kỳ này"


def test_breakdown_bar() -> None:
    df = pd.DataFrame(
        {
            "value": ["Trang TTĐT huyện", "Zalo OA", "(không ghi)"],
            "quantity": [1234, 100, 6],
            "share_pct": [92.09, 7.46, 0.45],
        }
    )
    fig = charts.breakdown_bar(df, "Theo kênh đăng tải")
    (bar,) = bars(fig)
    assert list(bar.y) == ["Trang TTĐT huyện", "Zalo OA", "(không ghi)"]
    assert list(bar.x) == [1234.0, 100.0, 6.0]
    assert list(bar.text) == ["1.234 · 92,1 %", "100 · 7,5 %", "6 · 0,5 %"]
    assert fig.layout.title.text == "Theo kênh đăng tải"
    assert fig.layout.yaxis.autorange == "reversed"  # largest on top
    assert "%{x:,.0f}" in bar.hovertemplate


@pytest.mark.parametrize(
    "build",
    [
        lambda: charts.plan_actual_by_type(by_type_frame().iloc[:0]),
        lambda: charts.completion_by_unit(classified_frame().iloc[:0]),
        lambda: charts.completion_by_group(
            pd.DataFrame(columns=["unit_type", "planned", "actual", "completion_pct"]), "unit_type"
        ),
        lambda: charts.quarter_trend(pd.DataFrame()),
        lambda: charts.unit_quarter_heatmap(pd.DataFrame()),
        lambda: charts.breakdown_bar(pd.DataFrame(columns=["value", "quantity", "share_pct"]), "x"),
    ],
)
def test_empty_inputs_give_the_empty_figure(build) -> None:
    fig = build()
    assert fig.data == ()
    assert fig.layout.annotations[0].text == "Chưa có dữ liệu cho kỳ này"


def test_empty_figure_message() -> None:
    fig = charts.empty_figure("Không có đơn vị nào")
    assert fig.layout.annotations[0].text == "Không có đơn vị nào"
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False


def test_figures_serialise() -> None:
    # the screens hand figures to st.plotly_chart, which serialises them to JSON
    for fig in (charts.plan_actual_by_type(by_type_frame()), charts.completion_by_unit(classified_frame())):
        assert '"separators":",."' in fig.to_json().replace(" ", "")


# The charts skip plotly's property validation at runtime (it cost 20-35 ms a figure), so these tests
# run it: every chart the screens draw from the bundled sample must pass plotly's validator unchanged.


def sample_figures() -> list[tuple[str, go.Figure]]:
    wb = read_trusted(SAMPLE, Settings()).workbook
    figures: list[tuple[str, go.Figure]] = []
    for kind in ("Q2", "9M", ""):
        for unit_types in (None, [str(wb.units["unit_type"].iloc[-1])]):
            fwb = metrics.filter_workbook(wb, unit_types=unit_types) if unit_types else wb
            period = Period(2024, kind)
            pva = metrics.plan_vs_actual(fwb, period, "report", 15)
            acts = metrics.activities_in_period(fwb, period, "report", 15)
            tag = f"{kind or 'năm'} {unit_types or 'all'}"
            figures += [
                (f"type {tag}", charts.plan_actual_by_type(metrics.rollup(pva, "activity_type"))),
                (f"unit {tag}", charts.completion_by_unit(metrics.classify_units(pva), 90, 60)),
                (
                    f"unit_type {tag}",
                    charts.completion_by_group(metrics.rollup(pva, "unit_type"), "unit_type"),
                ),
                (f"quarter {tag}", charts.quarter_trend(metrics.quarterly_series(fwb, 2024, "report", 15))),
                (
                    f"heatmap {tag}",
                    charts.unit_quarter_heatmap(metrics.unit_quarter_matrix(fwb, 2024, "report", 15)),
                ),
                (f"donut {tag}", charts.status_donut(metrics.headline(pva))),
                (f"channel {tag}", charts.breakdown_bar(metrics.breakdown(acts, "channel"), "Theo kênh")),
            ]
    figures.append(("empty", charts.empty_figure()))
    return figures


@pytest.mark.skipif(not SAMPLE.is_file(), reason="the bundled sample workbook is missing")
def test_every_sample_chart_passes_plotly_validation() -> None:
    figures = sample_figures()
    kinds = {name.split()[0] for name, fig in figures if fig.data}
    assert kinds == {"type", "unit", "unit_type", "quarter", "heatmap", "donut", "channel"}  # real data
    for name, fig in figures:
        sent = json.loads(pio.to_json(fig, validate=False))  # what st.plotly_chart sends
        validated = go.Figure(fig.to_dict())  # raises ValueError on an unknown property or bad value
        assert json.loads(pio.to_json(validated, validate=True)) == sent, name  # validation changes nothing


def test_template_is_what_plotly_expands_the_name_to() -> None:
    fig = charts.empty_figure()
    expected = go.Layout(template="plotly_white").to_plotly_json()["template"]
    assert fig.to_dict()["layout"]["template"] == expected
    fig.layout.template.layout.paper_bgcolor = "red"  # a figure's template is its own copy
    assert charts.empty_figure().to_dict()["layout"]["template"] == expected


def test_revalidation_catches_a_bad_property() -> None:
    # the check above is not vacuous: an unvalidated figure keeps a misspelt property...
    fig = charts._figure([{"type": "bar", "x": [1], "colour": "red"}], {"heigth": 300})
    # ...which re-validation rejects
    with pytest.raises(ValueError, match="colour"):
        go.Figure(fig.to_dict())
