"""The units to chase: those behind plan and those with nothing done in the period, by name, lowest
completion first, each with its status icon (the overview's first block and the print page); the same
marks on any table with a "Xếp loại" column (mark_statuses)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from cchc_lib.common.formatting import fmt_int, fmt_pct
from cchc_lib.common.labels import COLUMN_LABELS, STATUS_COLORS, STATUS_ICONS, STATUS_LABELS

__all__ = ["LAGGARD_STATUSES", "STATUS_COLUMN", "laggard_styles", "laggards", "mark_statuses", "render_laggards"]

LAGGARD_STATUSES = ("behind", "no_activity")
STATUS_COLUMN = COLUMN_LABELS["status_label"]  # "Xếp loại": the status label column of a shown table
NAME_COLUMN = COLUMN_LABELS["unit_name"]  # "Tên đơn vị"
_STATUS_OF_LABEL = {label: status for status, label in STATUS_LABELS.items()}
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


def mark_statuses(styler: Styler, shown: pd.DataFrame) -> Styler:
    """`styler` (of the shown table `shown`) with its "Xếp loại" column marked as the laggards table is:
    every label led by its status icon ("✕ Chưa hoàn thành"), and the rows of the units to chase (behind,
    no activity) in their status colour, bold, their unit name led by the icon too (the status column
    may be off a phone's screen); the icon keeps the meaning without colour. The data is unchanged (a
    download of the same rows stays plain); a table without the column is left as it is."""
    if STATUS_COLUMN not in shown.columns:
        return styler
    statuses = [_STATUS_OF_LABEL.get(str(label)) for label in shown[STATUS_COLUMN]]

    def with_icon(label: object) -> str:
        status = _STATUS_OF_LABEL.get(str(label))
        return f"{STATUS_ICONS[status]}{NBSP}{label}" if status else str(label)

    rows = [f"color: {STATUS_COLORS[s]}; font-weight: 600" if s in LAGGARD_STATUSES else "" for s in statuses]
    cells = pd.DataFrame({c: rows for c in shown.columns}, index=shown.index)
    styler = styler.format(with_icon, subset=[STATUS_COLUMN]).apply(lambda _: cells, axis=None)
    if NAME_COLUMN in shown.columns:
        for status in LAGGARD_STATUSES:
            chased = [i for i, s in zip(shown.index, statuses, strict=True) if s == status]
            if chased:
                styler = styler.format(
                    lambda name, icon=STATUS_ICONS[status]: f"{icon}{NBSP}{name}",
                    subset=pd.IndexSlice[chased, [NAME_COLUMN]],
                )
    return styler


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
