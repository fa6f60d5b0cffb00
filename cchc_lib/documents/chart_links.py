"""Charts a click can follow: the unit code a clicked bar or heatmap cell stands for (no streamlit).

Bars of charts.completion_by_unit carry the unit code as the last item of their customdata. A plotly
heatmap reports no clicked cell to Streamlit (streamlit/streamlit#8760), so `clickable_cells` lays an
invisible marker over the centre of every cell, carrying the cell's hover text and the unit code; with
no hover distance limit a tap anywhere in a cell picks its own marker (the nearest centre on a grid).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

__all__ = ["clickable_cells", "unit_of_points"]

_MAX_CODE = 60  # characters: a longer value is not a unit code of the workbook


def unit_of_points(points: Sequence[Mapping[str, Any]] | None) -> str | None:
    """The unit code of the first clicked point whose customdata ends with one, or None."""
    for point in points or ():
        custom = point.get("customdata") if isinstance(point, Mapping) else None
        if isinstance(custom, list | tuple) and custom:
            code = custom[-1]
            if isinstance(code, str) and 0 < len(code) <= _MAX_CODE:
                return code
    return None


def clickable_cells(heatmap: go.Figure, codes: Sequence[str]) -> go.Figure:
    """charts.unit_quarter_heatmap `heatmap` (its first trace the status cells, rows in `codes` order)
    with one invisible marker per cell: customdata = the cell's four hover values + the unit code, the
    same hover text; the heatmap traces themselves no longer answer hover or clicks. A figure with
    no heatmap trace (the empty figure) is returned as it is."""
    spec = heatmap.to_dict()
    traces = spec.get("data", [])
    if not traces or traces[0].get("type") != "heatmap":
        return heatmap
    heat = traces[0]
    xs, ys, custom, hover = heat["x"], heat["y"], heat["customdata"], heat.get("hovertemplate")
    points_x, points_y, points_custom = [], [], []
    for row, (label, code) in enumerate(zip(ys, codes, strict=True)):
        for col, quarter in enumerate(xs):
            points_x.append(quarter)
            points_y.append(label)
            points_custom.append([*custom[row][col], str(code)])
    for trace in traces:
        trace["hoverinfo"] = "skip"
        trace.pop("hovertemplate", None)
    traces.append(
        {
            "type": "scatter",
            "mode": "markers",
            "x": points_x,
            "y": points_y,
            "customdata": points_custom,
            "marker": {"symbol": "square", "size": 24, "opacity": 0},
            "hovertemplate": hover,
            "showlegend": False,
        }
    )
    spec["layout"]["hoverdistance"] = -1
    return go.Figure(spec, _validate=False)
