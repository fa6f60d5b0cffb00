"""Plotly figures from metric tables, in Vietnamese and legible on a 390 px phone (never calls st.*)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from cchc_lib.common.formatting import fmt_int, fmt_num, fmt_pct
from cchc_lib.common.labels import QUARTER_LABELS, STATUS_COLORS, STATUS_ICONS, STATUS_LABELS, STATUS_ORDER

__all__ = [
    "CHART_CONFIG",
    "PLAN_COLOR",
    "ACTUAL_COLOR",
    "plan_actual_by_type",
    "completion_by_unit",
    "completion_by_group",
    "quarter_trend",
    "unit_quarter_heatmap",
    "status_donut",
    "breakdown_bar",
    "empty_figure",
]

# Pass as `config=` to st.plotly_chart: no toolbar, no scroll-zoom (a phone page must scroll).
CHART_CONFIG: dict[str, Any] = {"displayModeBar": False, "scrollZoom": False, "responsive": True}

PLAN_COLOR = "#CBD5E1"  # light slate: the plan is the frame the actual fills
ACTUAL_COLOR = "#1F5F8B"  # calm navy
CUMULATIVE_PLAN_COLOR = "#7C8A9A"
NEUTRAL_COLOR = "#3D7EA6"
TEXT_COLOR = "#1F2933"
GRID_COLOR = "#E5E9EF"
THRESHOLD_COLOR = "#52606D"
FONT_FAMILY = "Inter, Roboto, 'Segoe UI', Arial, sans-serif"

DEFAULT_COMPLETE_PCT = 100.0
DEFAULT_NEAR_PCT = 70.0
LINE_CHARS = 28  # an axis label longer than this wraps onto a second line (the full name in hover)
# The phone's unit chart (`narrow=True`): names of at most two 16-character lines, so that at 390 px the
# bars keep about two thirds of the width (the full name in the hover; a tap opens the unit's page).
NARROW_LINE_CHARS = 16
NARROW_PCT_ROOM = 1.45  # the % range's head room for the "✓ 200,0 %" labels outside a narrow chart's bars
LABEL_MAX_CHARS = 2 * LINE_CHARS  # only a label longer than two lines is shortened on the axis
ROW_PX = 30  # height per bar row in horizontal bar charts (two-line labels: TWO_LINE_ROW_PX)
TWO_LINE_ROW_PX = 38
PLAN_WIDTH = 0.75
ACTUAL_WIDTH = 0.38

AXIS_COUNT = "Số lượng"
AXIS_PCT = "Tỷ lệ hoàn thành (%)"
NO_DATA = "Chưa có dữ liệu cho kỳ này"
TEMPLATE = "plotly_white"


# The figures are built as plain dicts (traces + layout) and wrapped without plotly's per-property
# validation, which costs 20-35 ms a chart (most of a page rerun). `go.Figure(..., _validate=False)`
# is the switch plotly itself uses for its bundled templates (plotly/io/_templates.py); the trade-off
# is that a misspelt property would reach the browser, so tests/test_charts.py re-validates every
# chart (`go.Figure(fig.to_dict())`) on the sample workbook. Figures, not bare dicts, are returned:
# st.plotly_chart re-validates a dict (and rejects one without traces) but only copies a Figure.


def _figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> go.Figure:
    """A Figure from trace dicts (each with "type") and a layout dict, without property validation."""
    return go.Figure({"data": data, "layout": layout}, _validate=False)


@cache
def _template() -> dict[str, Any]:
    """The house template as data: what the validator expands `template="plotly_white"` to.

    Shared between figures: go.Figure deep-copies its layout, so no figure can alter it.
    """
    return pio.templates[TEMPLATE].to_plotly_json()


def _merge(into: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """`update` written into `into` like fig.update_layout: nested dicts merged, other values replaced."""
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
    return into


def _axis(**extra: Any) -> dict[str, Any]:
    """The house axis (no drag-zoom, light grid, small ticks and title), with `extra` merged in."""
    axis = {
        "fixedrange": True,
        "automargin": True,
        "gridcolor": GRID_COLOR,
        "zeroline": False,
        "title": {"font": {"size": 13}, "standoff": 6},
        "tickfont": {"size": 13},
    }
    return _merge(axis, extra)


def _layout(height: int, *, legend: bool = True, top: int = 36, **extra: Any) -> dict[str, Any]:
    """The house look: white, compact margins, legend on top, Vietnamese separators, no drag-zoom.

    `extra` (e.g. xaxis=..., barmode=...) is merged in like fig.update_layout.
    """
    layout = {
        "template": _template(),
        "separators": ",.",
        "height": height,
        "autosize": True,
        "margin": {"l": 8, "r": 16, "t": top, "b": 8},
        "font": {"family": FONT_FAMILY, "size": 13, "color": TEXT_COLOR},
        "showlegend": legend,
        "legend": {
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.0,
            "xanchor": "left",
            "x": 0,
            "font": {"size": 13},
            "itemclick": "toggle",
        },
        "hoverlabel": {"font": {"family": FONT_FAMILY, "size": 13}, "align": "left"},
        "dragmode": False,
        "bargap": 0.25,
        "plot_bgcolor": "white",
        "xaxis": _axis(),
        "yaxis": _axis(),
    }
    return _merge(layout, extra)


def _short(text: Any, limit: int = LABEL_MAX_CHARS) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _wrapped(text: Any, width: int = LINE_CHARS) -> str:
    """An axis label on at most two lines: broken at the last space within `width` characters (the
    second line shortened with "…" only when the name is longer than two lines)."""
    text = str(text)
    if len(text) <= width:
        return text
    cut = text.rfind(" ", 0, width + 1)
    if cut <= 0:
        return _short(text, width)
    return text[:cut] + "<br>" + _short(text[cut + 1 :], width)


def _row_px(labels: list[str], width: int = LINE_CHARS) -> int:
    return TWO_LINE_ROW_PX if any(len(str(x)) > width for x in labels) else ROW_PX


def _category_axis(labels: list[str], width: int = LINE_CHARS, **extra: Any) -> dict[str, Any]:
    """A category axis listing `labels` top to bottom, long ones on two lines of `width` characters
    (shortened with "…" beyond two lines; the full text in the hover)."""
    return {
        "autorange": "reversed",
        "tickmode": "array",
        "tickvals": labels,
        "ticktext": [_wrapped(x, width) for x in labels],
        **extra,
    }


def _plotly_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _unique_labels(names: pd.Series, codes: pd.Series | None = None) -> list[str]:
    """Category labels: the names, with ` (code)` (or a counter) added where names repeat. Plotly reads
    a few HTML tags in text (<b>, <br>, <a href>): names from the workbook are entity-escaped so they
    show as written and cannot restyle the chart or add links."""
    names = [_plotly_text(n) for n in names.astype(str)]
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    if len(seen) == len(names):
        return names
    code_list = codes.tolist() if codes is not None else None
    out: list[str] = []
    counter: dict[str, int] = {}
    for i, name in enumerate(names):
        if seen[name] == 1:
            out.append(name)
        elif code_list is not None:
            out.append(f"{name} ({code_list[i]})")
        else:
            counter[name] = counter.get(name, 0) + 1
            out.append(f"{name} ({counter[name]})")
    return out


def _status_of(pct: float, actual: float, planned: float, complete_pct: float, near_pct: float) -> str:
    """The completion class of one row (same rule as metrics.classify_units)."""
    if not planned:
        return "no_plan"
    if not actual:
        return "no_activity"
    if pct >= complete_pct:
        return "complete"
    return "near" if pct >= near_pct else "behind"


def _pct_range(values: list[float], thresholds: tuple[float, ...], room: float = 1.22) -> list[float]:
    present = [v for v in values if not math.isnan(v)]
    top = max([*thresholds, max(present) if present else 0.0])
    return [0, top * room + 2]


def _threshold_lines(near_pct: float, complete_pct: float) -> tuple[list[dict], list[dict]]:
    """(shapes, annotations): dashed vertical lines at the two thresholds, drawn over the bars,
    labelled just above the plot (the near label to the left of its line, the complete label to the
    right, so they never collide)."""
    shapes: list[dict] = []
    annotations: list[dict] = []
    for value, color, anchor, dash in (
        (near_pct, STATUS_COLORS["near"], "right", "dot"),
        (complete_pct, STATUS_COLORS["complete"], "left", "dash"),
    ):
        # slate lines: a green line would vanish over the green bars it is meant to measure
        # (the shape fig.add_vline makes: full plot height via the y domain)
        shapes.append(
            {
                "type": "line",
                "x0": value,
                "x1": value,
                "xref": "x",
                "y0": 0,
                "y1": 1,
                "yref": "y domain",
                "line": {"color": THRESHOLD_COLOR, "width": 1.5, "dash": dash},
                "layer": "above",
            }
        )
        annotations.append(
            {
                "x": value,
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "xanchor": anchor,
                "text": fmt_pct(value, 0),
                "showarrow": False,
                "font": {"size": 13, "color": color},
            }
        )
    return shapes, annotations


def _status_key(statuses: list[str], per_line: int = 3) -> dict[str, Any]:
    """Layout update: the colour key as the figure title, flush with the figure's left edge.

    A horizontal legend wraps at the plot-area width, which long unit names make narrow on a phone
    (one entry per line over the bars); the title can span the whole figure.
    """
    present = [s for s in STATUS_ORDER if s in set(statuses)]
    items = [
        f"<span style='color:{STATUS_COLORS[s]}'>■</span> {STATUS_ICONS[s]} {STATUS_LABELS[s]}" for s in present
    ]
    lines = ["   ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return {
        "showlegend": False,
        "title": {
            "text": "<br>".join(lines),
            "xref": "container",
            "x": 0.02,
            "xanchor": "left",
            "yref": "paper",
            "y": 1,
            "yanchor": "bottom",
            # room for the threshold labels; plotly anchors a multi-line title on its first line
            "pad": {"b": 22 + 18 * (len(lines) - 1)},
            "font": {"size": 13, "color": TEXT_COLOR},
        },
        "margin": {"t": 30 + 18 * len(lines)},
    }


def empty_figure(message: str = NO_DATA) -> go.Figure:
    """A blank figure that says `message` in the middle (no axes)."""
    annotation = {
        "text": message,
        "x": 0.5,
        "y": 0.5,
        "xref": "paper",
        "yref": "paper",
        "showarrow": False,
        "font": {"size": 15, "color": "#6B7785"},
    }
    layout = _layout(
        220,
        legend=False,
        top=8,
        annotations=[annotation],
        xaxis={"visible": False},
        yaxis={"visible": False},
    )
    return _figure([], layout)


def plan_actual_by_type(rollup_by_type: pd.DataFrame) -> go.Figure:
    """Plan vs actual per activity type (metrics.rollup(pva, "activity_type")).

    Input columns: activity_type, activity_name, planned, actual, completion_pct. Horizontal
    overlaid bars in catalogue order (top to bottom): a wide light plan bar, a narrow dark actual bar
    and the completion % at the end of the longer bar.
    """
    if rollup_by_type is None or rollup_by_type.empty:
        return empty_figure()
    df = rollup_by_type.reset_index(drop=True)
    names = _unique_labels(df["activity_name"], df.get("activity_type"))
    planned = df["planned"].astype(float).tolist()
    actual = df["actual"].astype(float).tolist()
    pct_text = [fmt_pct(p) for p in df["completion_pct"].tolist()]
    custom = [[fmt_num(p, 1).removesuffix(",0"), t] for p, t in zip(planned, pct_text, strict=True)]
    ends = [max(p, a) for p, a in zip(planned, actual, strict=True)]
    data = [
        {
            "type": "bar",
            "name": "Kế hoạch",
            "y": names,
            "x": planned,
            "orientation": "h",
            "width": PLAN_WIDTH,
            "marker": {"color": PLAN_COLOR},
            "customdata": custom,
            "hovertemplate": "<b>%{y}</b><br>Kế hoạch: %{customdata[0]}<extra></extra>",
        },
        {
            "type": "bar",
            "name": "Thực hiện",
            "y": names,
            "x": actual,
            "orientation": "h",
            "width": ACTUAL_WIDTH,
            "marker": {"color": ACTUAL_COLOR},
            "customdata": custom,
            "hovertemplate": (
                "<b>%{y}</b><br>Thực hiện: %{x:,.0f}<br>Kế hoạch: %{customdata[0]}"
                "<br>Hoàn thành: %{customdata[1]}<extra></extra>"
            ),
        },
        {
            "type": "scatter",
            "name": "Tỷ lệ hoàn thành",
            "y": names,
            "x": ends,
            "mode": "text",
            "text": [f"  {t}" for t in pct_text],
            "textposition": "middle right",
            "textfont": {"size": 13, "color": TEXT_COLOR},
            "showlegend": False,
            "hoverinfo": "skip",
            "cliponaxis": False,
        },
    ]
    top = max(ends) if ends and max(ends) > 0 else 1.0
    layout = _layout(
        110 + _row_px(names) * 2 * len(names),
        barmode="overlay",
        xaxis={"title": {"text": AXIS_COUNT}, "range": [0, top * 1.3], "tickformat": ",~f"},
        yaxis=_category_axis(names),
    )
    return _figure(data, layout)


def _completion_bars(
    labels: list[str],
    df: pd.DataFrame,
    statuses: list[str],
    complete_pct: float,
    near_pct: float,
    hover_title: str,
    codes: list[str] | None = None,
    narrow: bool = False,
) -> go.Figure:
    """Horizontal completion-% bars, one trace per status (legend = status), in `labels` order; with
    `codes` (one per label) each bar's customdata ends with its unit code (a click names the unit);
    `narrow`: the phone's shape (short label lines, two key items a line, room for the % labels)."""
    width = NARROW_LINE_CHARS if narrow else LINE_CHARS
    pct = df["completion_pct"].astype(float).tolist()
    planned = df["planned"].tolist()
    actual = df["actual"].tolist()
    rows_of: dict[str, list[int]] = {}
    for i, status in enumerate(statuses):
        rows_of.setdefault(status, []).append(i)
    data: list[dict[str, Any]] = []
    for status in STATUS_ORDER:
        rows = rows_of.get(status)
        if not rows:
            continue
        values = [pct[i] for i in rows]
        pct_text = [fmt_pct(v) for v in values]
        icon = STATUS_ICONS[status]
        if status in ("no_activity", "no_plan"):
            text = [f"{icon} {STATUS_LABELS[status].lower()}"] * len(rows)
        else:
            text = [f"{icon} {t}" for t in pct_text]
        custom = [
            [fmt_num(planned[i], 1).removesuffix(",0"), fmt_int(actual[i]), t, *([codes[i]] if codes else [])]
            for i, t in zip(rows, pct_text, strict=True)
        ]
        data.append(
            {
                "type": "bar",
                "name": STATUS_LABELS[status],
                "y": [labels[i] for i in rows],
                "x": [0.0 if math.isnan(v) else v for v in values],
                "orientation": "h",
                "marker": {"color": STATUS_COLORS[status]},
                "text": text,
                "textposition": "outside",
                "textfont": {"size": 13, "color": TEXT_COLOR},
                "cliponaxis": False,
                "customdata": custom,
                "hovertemplate": (
                    f"<b>%{{y}}</b><br>{hover_title}: {STATUS_LABELS[status]}"
                    "<br>Thực hiện: %{customdata[1]} / kế hoạch %{customdata[0]}"
                    "<br>Hoàn thành: %{customdata[2]}<extra></extra>"
                ),
            }
        )
    shapes, annotations = _threshold_lines(near_pct, complete_pct)
    layout = _layout(
        140 + _row_px(labels, width) * len(labels),
        top=72,
        barmode="overlay",
        shapes=shapes,
        annotations=annotations,
        xaxis={
            "title": {"text": AXIS_PCT},
            "range": _pct_range(pct, (complete_pct, near_pct), NARROW_PCT_ROOM if narrow else 1.22),
            "ticksuffix": " %",
        },
        yaxis=_category_axis(labels, width, type="category", categoryorder="array", categoryarray=labels),
    )
    return _figure(data, _merge(layout, _status_key(statuses, 2 if narrow else 3)))


def completion_by_unit(
    classified: pd.DataFrame, complete_pct: float = 100, near_pct: float = 70, *, narrow: bool = False
) -> go.Figure:
    """Completion % per unit (metrics.classify_units output), best first, coloured by status.

    Input columns: unit_code, unit_name, planned, actual, completion_pct, status (status_label
    optional). Units without a plan (NaN %) go last; ties keep the input order. Dashed vertical lines
    mark `complete_pct` and `near_pct`; the height grows with the number of units. Each bar's customdata
    ends with its unit_code (chart_links.unit_of_points reads it from a click). `narrow` gives the phone's
    shape: names on two lines of NARROW_LINE_CHARS (shortened with "…"; the full name in the hover).
    """
    if classified is None or classified.empty:
        return empty_figure()
    df = classified.reset_index(drop=True)
    order = df["completion_pct"].astype(float).sort_values(ascending=False, na_position="last", kind="stable")
    df = df.take(order.index).reset_index(drop=True)
    labels = _unique_labels(df["unit_name"], df.get("unit_code"))
    if "status" in df.columns:
        statuses = df["status"].astype(str).tolist()
    else:
        statuses = [
            _status_of(p, a, pl, complete_pct, near_pct)
            for p, a, pl in zip(
                df["completion_pct"].tolist(), df["actual"].tolist(), df["planned"].tolist(), strict=True
            )
        ]
    codes = df["unit_code"].astype(str).tolist() if "unit_code" in df.columns else None
    return _completion_bars(labels, df, statuses, complete_pct, near_pct, "Xếp loại", codes, narrow)


def completion_by_group(
    rollup: pd.DataFrame,
    label_col: str,
    complete_pct: float = DEFAULT_COMPLETE_PCT,
    near_pct: float = DEFAULT_NEAR_PCT,
) -> go.Figure:
    """Completion % per group of a rollup (e.g. metrics.rollup(pva, "unit_type"), label_col="unit_type").

    Input columns: `label_col`, planned, actual, completion_pct. Bars in the input order, coloured by
    the same status rule as units, with the threshold lines.
    """
    if rollup is None or rollup.empty:
        return empty_figure()
    df = rollup.reset_index(drop=True)
    labels = _unique_labels(df[label_col])
    statuses = [
        _status_of(p, a, pl, complete_pct, near_pct)
        for p, a, pl in zip(
            df["completion_pct"].tolist(), df["actual"].tolist(), df["planned"].tolist(), strict=True
        )
    ]
    return _completion_bars(labels, df, statuses, complete_pct, near_pct, "Xếp loại")


def quarter_trend(series: pd.DataFrame) -> go.Figure:
    """Plan and actual per quarter (overlaid bars) with cumulative plan and actual lines.

    Input: metrics.quarterly_series (quarter, label, planned, actual, cumulative_planned,
    cumulative_actual, completion_pct), in quarter order.
    """
    if series is None or series.empty:
        return empty_figure()
    df = series.reset_index(drop=True)
    if "label" in df.columns:
        x = df["label"].astype(str).tolist()
    else:
        x = [QUARTER_LABELS.get(int(q), str(q)) for q in df["quarter"].tolist()]
    pct = [fmt_pct(v) for v in df["completion_pct"].tolist()]
    data = [
        {
            "type": "bar",
            "name": "Kế hoạch quý",
            "x": x,
            "y": df["planned"].astype(float).tolist(),
            "width": 0.7,
            "marker": {"color": PLAN_COLOR},
            "hovertemplate": "<b>%{x}</b><br>Kế hoạch: %{y:,.1~f}<extra></extra>",
        },
        {
            "type": "bar",
            "name": "Thực hiện quý",
            "x": x,
            "y": df["actual"].astype(float).tolist(),
            "width": 0.36,
            "marker": {"color": ACTUAL_COLOR},
            "customdata": pct,
            "hovertemplate": "<b>%{x}</b><br>Thực hiện: %{y:,.0f}<br>Hoàn thành: %{customdata}<extra></extra>",
        },
        {
            "type": "scatter",
            "name": "Kế hoạch lũy kế",
            "x": x,
            "y": df["cumulative_planned"].astype(float).tolist(),
            "mode": "lines+markers",
            "line": {"color": CUMULATIVE_PLAN_COLOR, "width": 2, "dash": "dash"},
            "marker": {"size": 6},
            "hovertemplate": "<b>%{x}</b><br>Kế hoạch lũy kế: %{y:,.1~f}<extra></extra>",
        },
        {
            "type": "scatter",
            "name": "Thực hiện lũy kế",
            "x": x,
            "y": df["cumulative_actual"].astype(float).tolist(),
            "mode": "lines+markers",
            "line": {"color": STATUS_COLORS["complete"], "width": 2.5},
            "marker": {"size": 7},
            "hovertemplate": "<b>%{x}</b><br>Thực hiện lũy kế: %{y:,.0f}<extra></extra>",
        },
    ]
    # the completion % sits under each quarter name: on the bars it would collide with the lines
    ticktext = [f"<b>{q}</b><br><span style='font-size:13px'>{p}</span>" for q, p in zip(x, pct, strict=True)]
    layout = _layout(
        360,
        top=64,
        barmode="overlay",
        hovermode="closest",
        yaxis={"title": {"text": AXIS_COUNT}, "tickformat": ",~f", "rangemode": "tozero"},
        xaxis={
            "type": "category",
            "tickmode": "array",
            "tickvals": x,
            "ticktext": ticktext,
        },
    )
    return _figure(data, layout)


# Heatmap cells: the five statuses (their colours, white text) and a pale cell, dark text, for a quarter
# in which the unit did not exist (not yet founded, or merged away).
HEAT_STATUSES: tuple[str, ...] = STATUS_ORDER
NOT_EXISTING = ("#F3F4F6", "—", "Chưa thành lập / đã sáp nhập")
HEAT_AXIS = "Tỷ lệ hoàn thành theo quý (%)"


def _discrete_scale(colors: list[str]) -> list[list[Any]]:
    """A colorscale on 0..len(colors) giving colours[i] to z = i + 0.5 (flat bands, no blends)."""
    n = len(colors)
    scale: list[list[Any]] = []
    for i, color in enumerate(colors):
        scale += [[i / n, color], [(i + 1) / n, color]]
    return scale


def _heat_cell(planned: Any, actual: Any, pct: float, complete_pct: float, near_pct: float) -> tuple[str, str]:
    """(status, cell text) of an existing unit-quarter: the icon and the completion % (counts in hover)."""
    status = _status_of(pct, actual, planned, complete_pct, near_pct)
    if status == "no_plan":
        return status, STATUS_ICONS[status]
    # the % sign is in the axis title: a phone's cells are about five characters wide
    return status, f"{STATUS_ICONS[status]} {fmt_num(0.0 if math.isnan(pct) else pct, 0)}"


def _heat_key(statuses: set[str], not_existing: bool) -> dict[str, Any]:
    """The heatmap's colour key (every status present, and the not-existing cell) as the title."""
    items = [
        f"<span style='color:{STATUS_COLORS[s]}'>■</span> {STATUS_ICONS[s]} {STATUS_LABELS[s]}"
        for s in HEAT_STATUSES
        if s in statuses
    ]
    if not_existing:
        items.append(f"<span style='color:#B8BEC6'>□</span> {NOT_EXISTING[1]} {NOT_EXISTING[2]}")
    lines = [line for line in ("   ".join(items[:3]), "   ".join(items[3:])) if line]
    return {
        "title": {
            "text": "<br>".join(lines),
            "xref": "container",
            "x": 0.02,
            "xanchor": "left",
            "font": {"size": 13, "color": TEXT_COLOR},
        },
        "margin": {"t": 60 + 18 * len(lines)},
    }


def unit_quarter_heatmap(
    matrix: pd.DataFrame, complete_pct: float = DEFAULT_COMPLETE_PCT, near_pct: float = DEFAULT_NEAR_PCT
) -> go.Figure:
    """Units × quarters, each cell coloured by its status with the icon and the completion % written in
    it (actual and planned counts in the hover); a quarter in which the unit did not exist is a pale
    cell marked "—".

    Input: metrics.unit_quarter_matrix (unit_code, unit_name, quarter, planned, actual,
    completion_pct, and `exists`; without `exists` a cell with no plan and no activity counts as
    existing). Units in the input order, quarters I..IV. Two traces: the existing cells (white text on
    the status colours) and the not-existing ones (dark text on the pale cell).
    """
    if matrix is None or matrix.empty:
        return empty_figure()
    df = matrix.reset_index(drop=True)
    units = df.drop_duplicates("unit_code")[["unit_code", "unit_name"]].reset_index(drop=True)
    labels = _unique_labels(units["unit_name"], units["unit_code"])
    quarters = sorted(int(q) for q in df["quarter"].dropna().unique())
    exists = df["exists"].astype(bool).tolist() if "exists" in df.columns else [True] * len(df)
    # (unit, quarter) -> (planned, actual, completion %, exists), the first row where a pair repeats
    cells: dict[tuple[Any, int], tuple[Any, Any, float, bool]] = {}
    for code, q, planned, actual, pct, here in zip(
        df["unit_code"].tolist(),
        df["quarter"].tolist(),
        df["planned"].tolist(),
        df["actual"].tolist(),
        df["completion_pct"].tolist(),
        exists,
        strict=True,
    ):
        cells.setdefault((code, int(q)), (planned, actual, float(pct), bool(here)))
    z: list[list[float | None]] = []
    z_absent: list[list[float | None]] = []
    text: list[list[str]] = []
    text_absent: list[list[str]] = []
    custom: list[list[list[str]]] = []
    seen: set[str] = set()
    for code in units["unit_code"].tolist():
        z_row, a_row, t_row, ta_row, c_row = [], [], [], [], []
        for q in quarters:
            cell = cells.get((code, q))
            if cell is None or not cell[3]:
                z_row.append(None)
                t_row.append("")
                a_row.append(0.5)
                ta_row.append(NOT_EXISTING[1])
                c_row.append([NOT_EXISTING[2], "—", "—", "—"])
                continue
            planned, actual, pct, _ = cell
            status, label = _heat_cell(planned, actual, pct, complete_pct, near_pct)
            seen.add(status)
            z_row.append(HEAT_STATUSES.index(status) + 0.5)
            t_row.append(label)
            a_row.append(None)
            ta_row.append("")
            c_row.append(
                [STATUS_LABELS[status], fmt_num(planned, 1).removesuffix(",0"), fmt_int(actual), fmt_pct(pct)]
            )
        z.append(z_row)
        z_absent.append(a_row)
        text.append(t_row)
        text_absent.append(ta_row)
        custom.append(c_row)
    x = [QUARTER_LABELS.get(q, str(q)) for q in quarters]
    common = {"type": "heatmap", "x": x, "y": labels, "texttemplate": "%{text}", "xgap": 2, "ygap": 2}
    heat = {
        **common,
        "z": z,
        "text": text,
        "textfont": {"size": 13, "color": "#FFFFFF"},
        "customdata": custom,
        "zmin": 0,
        "zmax": len(HEAT_STATUSES),
        "colorscale": _discrete_scale([STATUS_COLORS[s] for s in HEAT_STATUSES]),
        "showscale": False,
        "hovertemplate": (
            "<b>%{y}</b> · %{x}<br>%{customdata[0]}<br>Thực hiện: %{customdata[2]} / kế hoạch"
            " %{customdata[1]}<br>Hoàn thành: %{customdata[3]}<extra></extra>"
        ),
    }
    absent = {
        **common,
        "z": z_absent,
        "text": text_absent,
        "textfont": {"size": 13, "color": TEXT_COLOR},
        "zmin": 0,
        "zmax": 1,
        "colorscale": [[0, NOT_EXISTING[0]], [1, NOT_EXISTING[0]]],
        "showscale": False,
        "hovertemplate": f"<b>%{{y}}</b> · %{{x}}<br>{NOT_EXISTING[2]}<extra></extra>",
    }
    not_existing = any(v is not None for row in z_absent for v in row)
    layout = _layout(
        120 + _row_px(labels) * len(labels),
        legend=False,
        top=30,
        plot_bgcolor="#FFFFFF",
        margin={"b": 30},
        xaxis={"side": "top", "showgrid": False, "title": {"text": HEAT_AXIS, "font": {"size": 13}}},
        yaxis=_category_axis(labels, showgrid=False),
    )
    traces = [heat, absent] if not_existing else [heat]
    return _figure(traces, _merge(layout, _heat_key(seen, not_existing)))


def status_donut(headline: Mapping[str, Any]) -> go.Figure:
    """Units by completion class as a donut (metrics.headline output; uses "by_status", "units").

    Slices in STATUS_ORDER with the status colours; empty classes are left out; the hole shows the
    number of units.
    """
    by_status = dict(headline.get("by_status") or {}) if headline else {}
    statuses = [s for s in STATUS_ORDER if int(by_status.get(s, 0) or 0) > 0]
    if not statuses:
        return empty_figure()
    values = [int(by_status[s]) for s in statuses]
    units = int(headline.get("units") or sum(values))
    pie = {
        "type": "pie",
        "labels": [STATUS_LABELS[s] for s in statuses],
        "values": values,
        "hole": 0.62,
        "sort": False,
        "direction": "clockwise",
        "marker": {"colors": [STATUS_COLORS[s] for s in statuses], "line": {"color": "white", "width": 2}},
        "texttemplate": "%{value}",
        "textposition": "inside",
        "textfont": {"size": 13, "color": "white"},
        "hovertemplate": "<b>%{label}</b><br>%{value:,.0f} đơn vị (%{percent:.1%})<extra></extra>",
    }
    annotation = {
        "text": f"<b>{fmt_int(units)}</b><br>đơn vị",
        "x": 0.5,
        "y": 0.5,
        "xref": "paper",
        "yref": "paper",
        "showarrow": False,
        "font": {"size": 18, "color": TEXT_COLOR},
    }
    layout = _layout(340, top=8, annotations=[annotation], margin={"l": 8, "r": 8, "t": 8, "b": 8})
    # the legend under the donut (`legend=` of _layout only switches it on or off)
    _merge(
        layout["legend"], {"orientation": "h", "yanchor": "top", "y": -0.02, "xanchor": "center", "x": 0.5}
    )
    return _figure([pie], layout)


def breakdown_bar(breakdown_df: pd.DataFrame, title: str) -> go.Figure:
    """Quantity per category, largest on top, labelled "count · share %" (metrics.breakdown output).

    Input columns: value, quantity, share_pct (already sorted descending).
    """
    if breakdown_df is None or breakdown_df.empty:
        return empty_figure()
    df = breakdown_df.reset_index(drop=True)
    labels = _unique_labels(df["value"])
    quantity = df["quantity"].astype(float).tolist()
    share = [fmt_pct(v) for v in df["share_pct"].tolist()]
    bar = {
        "type": "bar",
        "name": AXIS_COUNT,
        "y": labels,
        "x": quantity,
        "orientation": "h",
        "marker": {"color": NEUTRAL_COLOR},
        "text": [f"{fmt_int(q)} · {s}" for q, s in zip(quantity, share, strict=True)],
        "textposition": "outside",
        "textfont": {"size": 13, "color": TEXT_COLOR},
        "cliponaxis": False,
        "customdata": share,
        "hovertemplate": "<b>%{y}</b><br>Số lượng: %{x:,.0f}<br>Tỷ trọng: %{customdata}<extra></extra>",
    }
    top = max(quantity) if quantity and max(quantity) > 0 else 1.0
    layout = _layout(
        100 + _row_px(labels) * len(labels),
        legend=False,
        top=40,
        xaxis={"title": {"text": AXIS_COUNT}, "range": [0, top * 1.6], "tickformat": ",~f"},
        yaxis=_category_axis(labels),
        title={
            "text": title,
            "x": 0.02,
            "xanchor": "left",
            "y": 0.98,
            "yanchor": "top",
            "font": {"size": 15},
        },
    )
    return _figure([bar], layout)
