"""Rendering helpers for the screens: headline cards, Vietnamese tables, charts, downloads, empty state."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from cchc_lib.common.formatting import MISSING, fmt_int, fmt_num, fmt_pct, vn_styler
from cchc_lib.common.labels import COLUMN_LABELS, STATUS_ICONS, STATUS_LABELS, STATUS_ORDER, vn_columns
from cchc_lib.web import messages as msg

SAME_PERIOD = "so với cùng kỳ năm trước"

__all__ = [
    "HEADLINE_KEY",
    "SAME_PERIOD",
    "PLOTLY_CONFIG",
    "Card",
    "cards",
    "chart",
    "count_delta",
    "data_table",
    "download_csv",
    "download_xlsx",
    "empty_state",
    "is_empty",
    "list_table",
    "md_escape",
    "pct_point_delta",
    "prepare",
    "section",
    "status_badges",
    "table",
    "PROBLEM_HEADERS",
    "problems_frame",
]

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$])")
# Plotly on phones: no mode bar, no scroll-zoom hijacking the page scroll.
_PLAN_COLUMNS = ("planned", "cumulative_planned")
_SIGNED_COLUMNS = ("change",)  # a change reads "+235" / "−6"
PLOTLY_CONFIG = {"displayModeBar": False, "scrollZoom": False, "responsive": True, "locale": "vi"}


@dataclass(frozen=True)
class Card:
    """One headline figure."""

    label: str
    value: str
    delta: str | None = None
    help: str | None = None
    delta_color: str = "normal"
    delta_description: str | None = None


def md_escape(text: object) -> str:
    """Text from the workbook made inert for Streamlit markdown."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def is_empty(df: pd.DataFrame | None) -> bool:
    return df is None or len(df) == 0


def empty_state(text: str = msg.EMPTY_PERIOD) -> None:
    st.info(text, icon=":material/info:")


def section(title: str) -> None:
    st.subheader(title, divider="gray")


HEADLINE_KEY = "cchc-headline"  # the overview's headline row: one compact row at every width (phone.py)


def cards(items: Sequence[Card], per_row: int | None = None, key: str | None = None) -> None:
    """Headline figures, `per_row` to a row on a desktop (all by default); stacked on a phone unless
    drawn in a container `key` that the phone style sheet keeps in one row."""
    if key is not None:
        with st.container(key=key):
            cards(items, per_row)
        return
    per_row = per_row or len(items)
    for start in range(0, len(items), per_row):
        row = items[start : start + per_row]
        for column, item in zip(st.columns(per_row), row, strict=False):
            column.metric(
                item.label,
                item.value,
                delta=item.delta,
                delta_color=item.delta_color,
                delta_description=item.delta_description,
                help=item.help,
                border=True,
            )


def pct_point_delta(current: float | None, previous: float | None) -> str | None:
    """'+5,2 điểm %' change between two completion rates, or None when either is missing."""
    if current is None or previous is None or pd.isna(current) or pd.isna(previous):
        return None
    change = current - previous
    sign = "+" if change >= 0 else ""
    return f"{sign}{fmt_num(change)} điểm %"


def count_delta(current: float | None, previous: float | None) -> str | None:
    """'+123' change between two counts, or None when either is missing."""
    if current is None or previous is None or pd.isna(current) or pd.isna(previous):
        return None
    change = current - previous
    return f"{'+' if change >= 0 else ''}{fmt_int(change)}"


def headline_cards(
    head: Mapping[str, Any],
    complete_pct: float,
    *,
    now: Mapping[str, Any] | None = None,
    prev: Mapping[str, Any] | None = None,
) -> None:
    """The four headline figures of a `metrics.headline` dict, in one row (HEADLINE_KEY); with
    `now`/`prev` (comparable headlines of this and last year) the first two carry the change against
    last year."""
    compare = now is not None and prev is not None
    described = SAME_PERIOD if compare else None
    cards(
        [
            Card(
                "Tỷ lệ hoàn thành",
                fmt_pct(head["completion_pct"]),
                delta=pct_point_delta(now["completion_pct"], prev["completion_pct"]) if compare else None,
                delta_description=described,
                help="Tổng số hoạt động đã thực hiện so với kế hoạch của kỳ.",
            ),
            Card(
                "Đã thực hiện / kế hoạch",
                f"{fmt_int(head['actual'])} / {fmt_int(head['planned'])}",
                delta=count_delta(now["actual"], prev["actual"]) if compare else None,
                delta_description=described,
            ),
            Card(
                "Đơn vị hoàn thành",
                f"{fmt_int(head['by_status']['complete'])} / {fmt_int(head['units'])}",
                help=f"Đơn vị đạt từ {fmt_pct(complete_pct, 0)} kế hoạch trở lên.",
            ),
            Card(
                "Đơn vị chưa có hoạt động",
                fmt_int(head["no_activity"]),
                help="Đơn vị có chỉ tiêu nhưng chưa có hoạt động nào trong kỳ.",
            ),
        ],
        key=HEADLINE_KEY,
    )


_BADGE_COLORS = {
    "complete": "green",
    "near": "orange",
    "behind": "red",
    "no_activity": "violet",
    "no_plan": "gray",
}


def status_badges(by_status: Mapping[str, int]) -> None:
    """One line of coloured badges: units per completion class, each with its status icon (the meaning
    never rests on colour; classes with no unit left out)."""
    parts = [
        f":{_BADGE_COLORS[code]}-badge[{STATUS_ICONS[code]} {STATUS_LABELS[code]}: {fmt_int(count)}]"
        for code in STATUS_ORDER
        if (count := by_status.get(code, 0))
    ]
    if parts:
        st.markdown("Xếp loại đơn vị: " + " ".join(parts))


def chart(figure: Any, key: str | None = None) -> None:
    st.plotly_chart(figure, config=PLOTLY_CONFIG, theme=None, key=key)


def _flexible(x: Any) -> str:
    """A plan figure: whole numbers without decimals (38), fractions as they are (9,5 / 873,25)."""
    if x is None or pd.isna(x):
        return MISSING
    return fmt_num(x, 0) if float(x).is_integer() else fmt_num(x, 2).rstrip("0")


def _signed(x: Any) -> str:
    """A change: "+1.234", "−6" (minus sign), "0"; missing "—"."""
    if x is None or pd.isna(x):
        return MISSING
    text = fmt_int(abs(x))
    return f"+{text}" if x > 0 else f"−{text}" if x < 0 else text


def prepare(df: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """`df` reduced to `columns` (in that order, missing ones skipped) with Vietnamese headers."""
    shown = df if columns is None else df[[c for c in columns if c in df.columns]]
    shown = shown.rename(columns=msg.EXTRA_LABELS)
    return vn_columns(shown.reset_index(drop=True))


def table(
    df: pd.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    link_columns: Sequence[str] = (),
    height: int | str = "auto",
    decimals: int = 1,
    max_rows: int | None = None,
    marks: Callable[[Styler, pd.DataFrame], Styler] | None = None,
) -> None:
    """Show `df` with Vietnamese headers and numbers (1.234 / 87,5 / dd/mm/yyyy); links clickable.

    `columns` picks and orders the columns; `max_rows` caps what is sent to the browser; `marks` adds
    styling to the Styler of the shown table (e.g. laggards.mark_statuses).
    """
    if max_rows is not None and len(df) > max_rows:
        df = df.head(max_rows)
    shown = prepare(df, columns)
    styler = vn_styler(shown, decimals=decimals)
    flexible = [COLUMN_LABELS[c] for c in _PLAN_COLUMNS if COLUMN_LABELS.get(c) in shown.columns]
    if flexible:
        styler = styler.format(_flexible, subset=flexible)
    signed = [COLUMN_LABELS[c] for c in _SIGNED_COLUMNS if COLUMN_LABELS.get(c) in shown.columns]
    if signed:
        styler = styler.format(_signed, subset=signed)
    if marks is not None:
        styler = marks(styler, shown)
    config: dict[str, Any] = {}
    for column in link_columns:
        label = COLUMN_LABELS.get(column, column)
        if label in shown.columns:
            config[label] = st.column_config.LinkColumn(label, display_text="Mở liên kết")
    st.dataframe(styler, hide_index=True, column_config=config, height=height, placeholder=MISSING)


def list_table(
    df: pd.DataFrame,
    *,
    columns: Sequence[str],
    link_columns: Sequence[str] = (),
    max_rows: int | None = None,
    height: int | str = "auto",
) -> None:
    """A long row list (activities) without a Styler, so thousands of rows stay fast: dates shown
    dd/mm/yyyy and whole numbers through column_config; links clickable."""
    if max_rows is not None and len(df) > max_rows:
        df = df.head(max_rows)
    shown = prepare(df, columns)
    config: dict[str, Any] = {}
    for name in columns:
        label = msg.EXTRA_LABELS.get(name, COLUMN_LABELS.get(name, name))
        if label not in shown.columns:
            continue
        series = shown[label]
        if name in link_columns:
            config[label] = st.column_config.LinkColumn(label, display_text="Mở liên kết")
        elif pd.api.types.is_datetime64_any_dtype(series.dtype):
            config[label] = st.column_config.DateColumn(label, format="DD/MM/YYYY")
        elif pd.api.types.is_integer_dtype(series.dtype):
            config[label] = st.column_config.NumberColumn(label, format="%d")
    st.dataframe(shown, hide_index=True, column_config=config, height=height, placeholder=MISSING)


def data_table(
    df: pd.DataFrame,
    *,
    columns: Sequence[str],
    file_name: str,
    key: str,
    title: str,
    expanded: bool = False,
    link_columns: Sequence[str] = (),
    marks: Callable[[Styler, pd.DataFrame], Styler] | None = None,
) -> None:
    """A folded "Bảng số liệu" with the table (styled by `marks`, see `table`) and its XLSX download
    (exactly the rows shown).

    The table is built only while the fold is open (a Vietnamese-formatted table costs a few ms per
    rerun; a page has five of them): opening or closing it reruns the page. `st.session_state[
    table_key(key)]` holds whether it is open.
    """
    fold = st.expander(
        "Bảng số liệu", expanded=expanded, icon=":material/table:", key=table_key(key), on_change="rerun"
    )
    if fold.open:
        with fold:
            table(df, columns=columns, link_columns=link_columns, marks=marks)
            download_xlsx(prepare(df, columns), file_name, key, title=title)


def table_key(key: str) -> str:
    """The session-state key of the fold of `data_table(..., key=key)` (True while open)."""
    return f"fold.{key}"


def download_xlsx(
    sheets: pd.DataFrame | Mapping[str, pd.DataFrame],
    file_name: str,
    key: str,
    *,
    title: str | None = None,
    label: str = "Tải Excel",
) -> None:
    """An XLSX download built only when clicked (no rerun)."""

    def _build() -> bytes:
        from cchc_lib.documents import (
            exports,  # imported on click: building files is not needed to draw the page
        )

        return exports.to_xlsx_bytes(
            sheets if isinstance(sheets, pd.DataFrame) else dict(sheets), title=title
        )

    st.download_button(
        label,
        data=_build,
        file_name=file_name,
        mime=XLSX_MIME,
        key=key,
        on_click="ignore",
        icon=":material/download:",
    )


def _csv(df: pd.DataFrame) -> bytes:
    from cchc_lib.documents import exports

    return exports.to_csv_bytes(df)


def download_csv(df: pd.DataFrame, file_name: str, key: str, *, label: str = "Tải CSV") -> None:
    """A CSV download (UTF-8 with BOM, neutralised cells) built only when clicked."""
    st.download_button(
        label,
        data=lambda: _csv(df),
        file_name=file_name,
        mime=CSV_MIME,
        key=key,
        on_click="ignore",
        icon=":material/download:",
    )


_UPLOADER_CSS = """<style>
[data-testid=stFileUploaderDropzone] button [data-testid=stMarkdownContainer] p {{ font-size: 0; }}
[data-testid=stFileUploaderDropzone] button [data-testid=stMarkdownContainer] p::after {{
  content: "Chọn tệp"; font-size: 0.875rem; }}
[data-testid=stFileUploaderDropzoneInstructions] span {{ font-size: 0; }}
[data-testid=stFileUploaderDropzoneInstructions] span::after {{
  content: "hoặc kéo thả tệp vào đây · tối đa {limit} MB · .xlsx"; font-size: 0.875rem; }}
</style>"""


def uploader_in_vietnamese(max_mb: float) -> None:
    """Streamlit's file uploader labels its button "Upload" and its limit "20MB per file" in English;
    restate both in Vietnamese (a style rule only: no script, the text is constant but for the number)."""
    limit = min(float(max_mb), float(st.get_option("server.maxUploadSize")))
    st.html(_UPLOADER_CSS.format(limit=fmt_num(limit, 0) if limit.is_integer() else fmt_num(limit, 1)))


# The problems of a workbook (model.PROBLEM_COLUMNS) as a table on screen.
LEVELS = {"error": "Lỗi", "warning": "Cảnh báo"}
PROBLEM_HEADERS = {
    "level": "Mức độ",
    "sheet": "Trang tính",
    "row": "Dòng",
    "column": "Cột",
    "message": "Nội dung",
}


def problems_frame(problems: pd.DataFrame) -> pd.DataFrame:
    """Problems as the screen shows them: Vietnamese level, blanks as '—', row as plain text."""
    shown = problems.assign(
        level=problems["level"].map(LEVELS).fillna(problems["level"]),
        row=problems["row"].astype("string").fillna(MISSING),
        sheet=problems["sheet"].fillna(MISSING),
        column=problems["column"].fillna(MISSING),
    )
    return shown[list(PROBLEM_HEADERS)].rename(columns=PROBLEM_HEADERS)
