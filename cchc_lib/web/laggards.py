"""The units to chase: those behind plan and those with nothing done in the period, by name, lowest
completion first, each with its status icon (the overview's first block and the print page)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cchc_lib.common.formatting import fmt_int, fmt_pct
from cchc_lib.common.labels import STATUS_COLORS, STATUS_ICONS

__all__ = ["LAGGARD_STATUSES", "laggard_styles", "laggards", "render_laggards"]

LAGGARD_STATUSES = ("behind", "no_activity")
NBSP = "\u00a0"


def laggards(classified: pd.DataFrame, detail: bool = True) -> pd.DataFrame:
    """metrics.classify_units rows behind or with nothing done, lowest completion first (ties by
    name): Đơn vị, Xếp loại (icon + label) and, with `detail`, Thực hiện / kế hoạch; then Tỷ lệ (with
    the icon when not `detail`, for a narrow phone table)."""
    rows = classified[classified["status"].isin(LAGGARD_STATUSES)]
    rows = rows.sort_values(["completion_pct", "unit_name"], kind="stable")
    icons = [STATUS_ICONS[s] for s in rows["status"]]
    shares = [fmt_pct(p) for p in rows["completion_pct"]]
    out = {"Đơn vị": rows["unit_name"].astype(str).tolist()}
    if detail:
        out["Xếp loại"] = [f"{i} {label}" for i, label in zip(icons, rows["status_label"], strict=True)]
        out["Thực hiện / kế hoạch"] = [
            f"{fmt_int(a)} / {fmt_int(p)}" for a, p in zip(rows["actual"], rows["planned"], strict=True)
        ]
        out["Tỷ lệ"] = shares
    else:
        # non-breaking spaces: "✕ 23,1 %" never wraps in a phone's narrow column
        out["Tỷ lệ"] = [f"{i}\u00a0{share.replace(' ', NBSP)}" for i, share in zip(icons, shares, strict=True)]
    return pd.DataFrame(out)


_STATUS_OF_ICON = {icon: status for status, icon in STATUS_ICONS.items()}


def laggard_styles(table: pd.DataFrame) -> pd.DataFrame:
    """CSS per cell of a `laggards` table: each row in its status colour (read from the icon that
    starts its "Xếp loại", else its "Tỷ lệ"), bold; the icon keeps the meaning without colour."""
    column = "Xếp loại" if "Xếp loại" in table.columns else "Tỷ lệ"
    styles = []
    for text in table[column].astype(str):
        status = _STATUS_OF_ICON.get(text[:1])
        styles.append(f"color: {STATUS_COLORS[status]}; font-weight: 600" if status else "")
    return pd.DataFrame({c: styles for c in table.columns}, index=table.index)


def render_laggards(classified: pd.DataFrame, near_pct: float, detail: bool = True) -> None:
    """The table (or the sentence that no unit is behind, which holds only when the table is empty)."""
    table = laggards(classified, detail)
    if table.empty:
        st.markdown(
            f"{STATUS_ICONS['complete']} Mọi đơn vị có chỉ tiêu đều đạt từ {fmt_pct(near_pct, 0)} trở lên."
        )
    else:
        styles = laggard_styles(table)
        name_style = dict(zip(table["Đơn vị"], styles["Đơn vị"], strict=True))
        shown = table.set_index("Đơn vị")  # the names as the row headers
        cells = styles.drop(columns="Đơn vị").set_axis(shown.index)
        st.table(shown.style.apply(lambda _: cells, axis=None).map_index(lambda n: name_style.get(n, "")))
