"""Plotly figures from metric tables, in Vietnamese and legible on a 390 px phone (never calls st.*)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from cchc_lib.formatting import fmt_int, fmt_num, fmt_pct
from cchc_lib.labels import QUARTER_LABELS, STATUS_COLORS, STATUS_LABELS, STATUS_ORDER

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
LABEL_MAX_CHARS = 24  # category labels longer than this are shortened on the axis (full in hover)
ROW_PX = 30  # height per bar row in horizontal bar charts
PLAN_WIDTH = 0.75
ACTUAL_WIDTH = 0.38

AXIS_COUNT = "Số lượng"
AXIS_PCT = "Tỷ lệ hoàn thành (%)"
NO_DATA = "Chưa có dữ liệu cho kỳ này"


def _layout(fig: go.Figure, height: int, *, legend: bool = True, top: int = 36) -> go.Figure:
    """The house look: white, compact margins, legend on top, Vietnamese separators, no drag-zoom."""
    fig.update_layout(
        template="plotly_white",
        separators=",.",
        height=height,
        autosize=True,
        margin={"l": 8, "r": 16, "t": top, "b": 8},
        font={"family": FONT_FAMILY, "size": 13, "color": TEXT_COLOR},
        showlegend=legend,
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.0,
            "xanchor": "left",
            "x": 0,
            "font": {"size": 12},
            "itemclick": "toggle",
        },
        hoverlabel={"font": {"family": FONT_FAMILY, "size": 13}, "align": "left"},
        dragmode=False,
        bargap=0.25,
        plot_bgcolor="white",
    )
    axis = {
        "fixedrange": True,
        "automargin": True,
        "gridcolor": GRID_COLOR,
        "zeroline": False,
        "title_font": {"size": 12},
        "title_standoff": 6,
        "tickfont": {"size": 12},
    }
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis)
    return fig


def _short(text: Any, limit: int = LABEL_MAX_CHARS) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _unique_labels(names: pd.Series, codes: pd.Series | None = None) -> list[str]:
    """Category labels: the names, with ` (code)` (or a counter) added where names repeat."""
    names = names.astype(str).tolist()
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    out: list[str] = []
    counter: dict[str, int] = {}
    for i, name in enumerate(names):
        if seen[name] == 1:
            out.append(name)
        elif codes is not None:
            out.append(f"{name} ({codes.iloc[i]})")
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


def _pct_range(values: pd.Series, thresholds: tuple[float, ...]) -> list[float]:
    top = max([*thresholds, float(values.max()) if values.notna().any() else 0.0])
    return [0, top * 1.22 + 2]


def _threshold_lines(fig: go.Figure, near_pct: float, complete_pct: float) -> None:
    """Dashed vertical lines at the two thresholds, drawn over the bars, labelled just above the plot
    (the near label to the left of its line, the complete label to the right, so they never collide)."""
    for value, color, anchor, dash in (
        (near_pct, STATUS_COLORS["near"], "right", "dot"),
        (complete_pct, STATUS_COLORS["complete"], "left", "dash"),
    ):
        # slate lines: a green line would vanish over the green bars it is meant to measure
        fig.add_vline(x=value, line={"color": THRESHOLD_COLOR, "width": 1.5, "dash": dash}, layer="above")
        fig.add_annotation(
            x=value,
            xref="x",
            y=1,
            yref="paper",
            yanchor="bottom",
            xanchor=anchor,
            text=fmt_pct(value, 0),
            showarrow=False,
            font={"size": 11, "color": color},
        )


def _status_key(fig: go.Figure, statuses: list[str]) -> None:
    """The colour key as the figure title, flush with the figure's left edge.

    A horizontal legend wraps at the plot-area width, which long unit names make narrow on a phone
    (one entry per line over the bars); the title can span the whole figure.
    """
    present = [s for s in STATUS_ORDER if s in set(statuses)]
    items = [f"<span style='color:{STATUS_COLORS[s]}'>■</span> {STATUS_LABELS[s]}" for s in present]
    lines = [line for line in ("   ".join(items[:3]), "   ".join(items[3:])) if line]
    fig.update_layout(
        showlegend=False,
        title={
            "text": "<br>".join(lines),
            "xref": "container",
            "x": 0.02,
            "xanchor": "left",
            "yref": "paper",
            "y": 1,
            "yanchor": "bottom",
            # room for the threshold labels; plotly anchors a multi-line title on its first line
            "pad": {"b": 22 + 18 * (len(lines) - 1)},
            "font": {"size": 12, "color": TEXT_COLOR},
        },
        margin={"t": 30 + 18 * len(lines)},
    )


def empty_figure(message: str = NO_DATA) -> go.Figure:
    """A blank figure that says `message` in the middle (no axes)."""
    fig = go.Figure()
    fig.add_annotation(
        text=message,
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        showarrow=False,
        font={"size": 15, "color": "#6B7785"},
    )
    _layout(fig, 220, legend=False, top=8)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


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
    pct_text = [fmt_pct(p) for p in df["completion_pct"]]
    custom = [[fmt_num(p, 1).removesuffix(",0"), t] for p, t in zip(planned, pct_text, strict=True)]
    fig = go.Figure()
    fig.add_bar(
        name="Kế hoạch",
        y=names,
        x=planned,
        orientation="h",
        width=PLAN_WIDTH,
        marker={"color": PLAN_COLOR},
        customdata=custom,
        hovertemplate="<b>%{y}</b><br>Kế hoạch: %{customdata[0]}<extra></extra>",
    )
    fig.add_bar(
        name="Thực hiện",
        y=names,
        x=actual,
        orientation="h",
        width=ACTUAL_WIDTH,
        marker={"color": ACTUAL_COLOR},
        customdata=custom,
        hovertemplate=(
            "<b>%{y}</b><br>Thực hiện: %{x:,.0f}<br>Kế hoạch: %{customdata[0]}"
            "<br>Hoàn thành: %{customdata[1]}<extra></extra>"
        ),
    )
    ends = [max(p, a) for p, a in zip(planned, actual, strict=True)]
    fig.add_scatter(
        name="Tỷ lệ hoàn thành",
        y=names,
        x=ends,
        mode="text",
        text=[f"  {t}" for t in pct_text],
        textposition="middle right",
        textfont={"size": 13, "color": TEXT_COLOR},
        showlegend=False,
        hoverinfo="skip",
        cliponaxis=False,
    )
    top = max(ends) if ends and max(ends) > 0 else 1.0
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(title_text=AXIS_COUNT, range=[0, top * 1.3], tickformat=",~f")
    fig.update_yaxes(
        title_text=None,
        autorange="reversed",
        tickmode="array",
        tickvals=names,
        ticktext=[_short(n) for n in names],
    )
    return _layout(fig, 110 + ROW_PX * 2 * len(names))


def _completion_bars(
    labels: list[str],
    df: pd.DataFrame,
    statuses: list[str],
    complete_pct: float,
    near_pct: float,
    hover_title: str,
) -> go.Figure:
    """Horizontal completion-% bars, one trace per status (legend = status), in `labels` order."""
    pct = df["completion_pct"].astype(float)
    fig = go.Figure()
    for status in STATUS_ORDER:
        rows = [i for i, s in enumerate(statuses) if s == status]
        if not rows:
            continue
        sub = df.iloc[rows]
        values = pct.iloc[rows]
        text = [fmt_pct(v) for v in values.tolist()]
        if status in ("no_activity", "no_plan"):
            text = [STATUS_LABELS[status].lower()] * len(rows)
        custom = [
            [fmt_num(p, 1).removesuffix(",0"), fmt_int(a), fmt_pct(v)]
            for p, a, v in zip(sub["planned"], sub["actual"], values, strict=True)
        ]
        fig.add_bar(
            name=STATUS_LABELS[status],
            y=[labels[i] for i in rows],
            x=values.fillna(0).tolist(),
            orientation="h",
            marker={"color": STATUS_COLORS[status]},
            text=text,
            textposition="outside",
            textfont={"size": 12, "color": TEXT_COLOR},
            cliponaxis=False,
            customdata=custom,
            hovertemplate=(
                f"<b>%{{y}}</b><br>{hover_title}: {STATUS_LABELS[status]}"
                "<br>Thực hiện: %{customdata[1]} / kế hoạch %{customdata[0]}"
                "<br>Hoàn thành: %{customdata[2]}<extra></extra>"
            ),
        )
    fig.update_layout(barmode="overlay", bargap=0.3)
    fig.update_xaxes(title_text=AXIS_PCT, range=_pct_range(pct, (complete_pct, near_pct)), ticksuffix=" %")
    fig.update_yaxes(
        title_text=None,
        type="category",
        categoryorder="array",
        categoryarray=labels,
        autorange="reversed",
        tickmode="array",
        tickvals=labels,
        ticktext=[_short(x) for x in labels],
    )
    _threshold_lines(fig, near_pct, complete_pct)
    _layout(fig, 140 + ROW_PX * len(labels), top=72)
    _status_key(fig, statuses)
    return fig


def completion_by_unit(
    classified: pd.DataFrame, complete_pct: float = 100, near_pct: float = 70
) -> go.Figure:
    """Completion % per unit (metrics.classify_units output), best first, coloured by status.

    Input columns: unit_code, unit_name, planned, actual, completion_pct, status (status_label
    optional). Units without a plan (NaN %) go last; ties keep the input order. Dashed vertical lines
    mark `complete_pct` and `near_pct`; the height grows with the number of units.
    """
    if classified is None or classified.empty:
        return empty_figure()
    df = classified.reset_index(drop=True)
    order = df["completion_pct"].astype(float).sort_values(ascending=False, na_position="last", kind="stable")
    df = df.loc[order.index].reset_index(drop=True)
    labels = _unique_labels(df["unit_name"], df.get("unit_code"))
    if "status" in df.columns:
        statuses = df["status"].astype(str).tolist()
    else:
        statuses = [
            _status_of(p, a, pl, complete_pct, near_pct)
            for p, a, pl in zip(df["completion_pct"], df["actual"], df["planned"], strict=True)
        ]
    return _completion_bars(labels, df, statuses, complete_pct, near_pct, "Xếp loại")


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
        for p, a, pl in zip(df["completion_pct"], df["actual"], df["planned"], strict=True)
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
        x = [QUARTER_LABELS.get(int(q), str(q)) for q in df["quarter"]]
    pct = [fmt_pct(v) for v in df["completion_pct"]]
    fig = go.Figure()
    fig.add_bar(
        name="Kế hoạch quý",
        x=x,
        y=df["planned"].astype(float).tolist(),
        width=0.7,
        marker={"color": PLAN_COLOR},
        hovertemplate="<b>%{x}</b><br>Kế hoạch: %{y:,.1~f}<extra></extra>",
    )
    fig.add_bar(
        name="Thực hiện quý",
        x=x,
        y=df["actual"].astype(float).tolist(),
        width=0.36,
        marker={"color": ACTUAL_COLOR},
        customdata=pct,
        hovertemplate="<b>%{x}</b><br>Thực hiện: %{y:,.0f}<br>Hoàn thành: %{customdata}<extra></extra>",
    )
    fig.add_scatter(
        name="Kế hoạch lũy kế",
        x=x,
        y=df["cumulative_planned"].astype(float).tolist(),
        mode="lines+markers",
        line={"color": CUMULATIVE_PLAN_COLOR, "width": 2, "dash": "dash"},
        marker={"size": 6},
        hovertemplate="<b>%{x}</b><br>Kế hoạch lũy kế: %{y:,.1~f}<extra></extra>",
    )
    fig.add_scatter(
        name="Thực hiện lũy kế",
        x=x,
        y=df["cumulative_actual"].astype(float).tolist(),
        mode="lines+markers",
        line={"color": STATUS_COLORS["complete"], "width": 2.5},
        marker={"size": 7},
        hovertemplate="<b>%{x}</b><br>Thực hiện lũy kế: %{y:,.0f}<extra></extra>",
    )
    fig.update_layout(barmode="overlay", hovermode="closest")
    fig.update_yaxes(title_text=AXIS_COUNT, tickformat=",~f", rangemode="tozero")
    # the completion % sits under each quarter name: on the bars it would collide with the lines
    ticktext = [f"<b>{q}</b><br><span style='font-size:11px'>{p}</span>" for q, p in zip(x, pct, strict=True)]
    fig.update_xaxes(title_text=None, type="category", tickmode="array", tickvals=x, ticktext=ticktext)
    return _layout(fig, 360, top=64)


HEAT_ZMAX = 110.0  # completion above 100 % is drawn like 100 %: a visible green band in the key


def _status_colorscale(
    near_pct: float = DEFAULT_NEAR_PCT, complete_pct: float = DEFAULT_COMPLETE_PCT
) -> list:
    """Stepped colours on 0..HEAT_ZMAX: the same three bands as the status colours (no muddy blends)."""
    near, complete, eps = near_pct / HEAT_ZMAX, complete_pct / HEAT_ZMAX, 1e-6
    return [
        [0.0, STATUS_COLORS["no_activity"]],
        [eps, STATUS_COLORS["behind"]],
        [near - eps, STATUS_COLORS["behind"]],
        [near, STATUS_COLORS["near"]],
        [complete - eps, STATUS_COLORS["near"]],
        [complete, STATUS_COLORS["complete"]],
        [1.0, STATUS_COLORS["complete"]],
    ]


def unit_quarter_heatmap(matrix: pd.DataFrame) -> go.Figure:
    """Units × quarters coloured by completion % (status colours), actual count in each cell.

    Input: metrics.unit_quarter_matrix (unit_code, unit_name, quarter, planned, actual,
    completion_pct), long form. Units in the input order, quarters I..IV; a cell without a plan is
    grey and shows its actual count.
    """
    if matrix is None or matrix.empty:
        return empty_figure()
    df = matrix.reset_index(drop=True)
    units = df.drop_duplicates("unit_code")[["unit_code", "unit_name"]].reset_index(drop=True)
    labels = _unique_labels(units["unit_name"], units["unit_code"])
    quarters = sorted(int(q) for q in df["quarter"].dropna().unique())
    by_cell = df.set_index(["unit_code", df["quarter"].astype(int)])
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    custom: list[list[list[str]]] = []
    for code in units["unit_code"]:
        z_row: list[float | None] = []
        t_row: list[str] = []
        c_row: list[list[str]] = []
        for q in quarters:
            if (code, q) in by_cell.index:
                row = by_cell.loc[(code, q)]
                if isinstance(row, pd.DataFrame):
                    row = row.iloc[0]
                pct = float(row["completion_pct"])
                z_row.append(None if pd.isna(pct) else pct)
                t_row.append(fmt_int(row["actual"]))
                c_row.append(
                    [fmt_num(row["planned"], 1).removesuffix(",0"), fmt_int(row["actual"]), fmt_pct(pct)]
                )
            else:
                z_row.append(None)
                t_row.append("")
                c_row.append(["—", "—", "—"])
        z.append(z_row)
        text.append(t_row)
        custom.append(c_row)
    x = [QUARTER_LABELS.get(q, str(q)) for q in quarters]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=x,
            y=labels,
            text=text,
            texttemplate="%{text}",
            textfont={"size": 12},
            customdata=custom,
            zmin=0,
            zmax=HEAT_ZMAX,
            xgap=2,
            ygap=2,
            colorscale=_status_colorscale(),
            colorbar={
                "orientation": "h",
                "y": -0.02,
                "yanchor": "top",
                "x": 0,
                "xanchor": "left",
                "len": 0.6,
                "thickness": 10,
                "title": {"text": "Hoàn thành (%)", "side": "top", "font": {"size": 11}},
                "tickvals": [0, DEFAULT_NEAR_PCT, DEFAULT_COMPLETE_PCT],
                "ticktext": ["0", fmt_num(DEFAULT_NEAR_PCT, 0), fmt_num(DEFAULT_COMPLETE_PCT, 0)],
                "tickfont": {"size": 11},
            },
            hovertemplate=(
                "<b>%{y}</b> · %{x}<br>Thực hiện: %{customdata[1]} / kế hoạch %{customdata[0]}"
                "<br>Hoàn thành: %{customdata[2]}<extra></extra>"
            ),
        )
    )
    fig.update_xaxes(title_text=None, side="top", showgrid=False)
    fig.update_yaxes(
        title_text=None,
        autorange="reversed",
        showgrid=False,
        tickmode="array",
        tickvals=labels,
        ticktext=[_short(x) for x in labels],
    )
    _layout(fig, 120 + ROW_PX * len(labels), legend=False, top=30)
    fig.update_layout(plot_bgcolor="#EEF1F4", margin={"b": 60})
    return fig


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
    fig = go.Figure(
        go.Pie(
            labels=[STATUS_LABELS[s] for s in statuses],
            values=values,
            hole=0.62,
            sort=False,
            direction="clockwise",
            marker={"colors": [STATUS_COLORS[s] for s in statuses], "line": {"color": "white", "width": 2}},
            texttemplate="%{value}",
            textposition="inside",
            textfont={"size": 13, "color": "white"},
            hovertemplate="<b>%{label}</b><br>%{value:,.0f} đơn vị (%{percent:.1%})<extra></extra>",
        )
    )
    fig.add_annotation(
        text=f"<b>{fmt_int(units)}</b><br>đơn vị",
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        showarrow=False,
        font={"size": 18, "color": TEXT_COLOR},
    )
    _layout(fig, 340, top=8)
    fig.update_layout(
        legend={"orientation": "h", "yanchor": "top", "y": -0.02, "xanchor": "center", "x": 0.5},
        margin={"l": 8, "r": 8, "t": 8, "b": 8},
    )
    return fig


def breakdown_bar(breakdown_df: pd.DataFrame, title: str) -> go.Figure:
    """Quantity per category, largest on top, labelled "count · share %" (metrics.breakdown output).

    Input columns: value, quantity, share_pct (already sorted descending).
    """
    if breakdown_df is None or breakdown_df.empty:
        return empty_figure()
    df = breakdown_df.reset_index(drop=True)
    labels = _unique_labels(df["value"])
    quantity = df["quantity"].astype(float).tolist()
    share = [fmt_pct(v) for v in df["share_pct"]]
    text = [f"{fmt_int(q)} · {s}" for q, s in zip(quantity, share, strict=True)]
    fig = go.Figure()
    fig.add_bar(
        name=AXIS_COUNT,
        y=labels,
        x=quantity,
        orientation="h",
        marker={"color": NEUTRAL_COLOR},
        text=text,
        textposition="outside",
        textfont={"size": 12, "color": TEXT_COLOR},
        cliponaxis=False,
        customdata=share,
        hovertemplate="<b>%{y}</b><br>Số lượng: %{x:,.0f}<br>Tỷ trọng: %{customdata}<extra></extra>",
    )
    top = max(quantity) if quantity and max(quantity) > 0 else 1.0
    fig.update_xaxes(title_text=AXIS_COUNT, range=[0, top * 1.6], tickformat=",~f")
    fig.update_yaxes(
        title_text=None,
        autorange="reversed",
        tickmode="array",
        tickvals=labels,
        ticktext=[_short(x) for x in labels],
    )
    _layout(fig, 100 + ROW_PX * len(labels), legend=False, top=40)
    fig.update_layout(
        title={"text": title, "x": 0.02, "xanchor": "left", "y": 0.98, "yanchor": "top", "font": {"size": 15}}
    )
    return fig
