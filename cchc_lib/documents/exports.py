"""Bytes for downloads: CSV (UTF-8 with BOM) and XLSX tables with Vietnamese headers, formula-safe."""

from __future__ import annotations

import io
import math
import re
from datetime import date, datetime, time
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook as XlsxWorkbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cchc_lib.common.cell_text import FORMULA_PREFIXES, for_csv, put
from cchc_lib.common.labels import vn_columns

__all__ = ["DANGEROUS_PREFIXES", "neutralise", "to_csv_bytes", "to_xlsx_bytes"]

# the names this module has always exported (CSV: a text starting with = + - @ tab CR LF gets a "'")
DANGEROUS_PREFIXES = FORMULA_PREFIXES
neutralise = for_csv

DEFAULT_SHEET = "Dữ liệu"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
INT_FORMAT = "#,##0"
FLOAT_FORMAT = "0.0"
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
HEADER_FONT = Font(bold=True, color="1F2933")
HEADER_BORDER = Border(bottom=Side(style="thin", color="7C8A9A"))
TITLE_FONT = Font(bold=True, size=14)
MIN_WIDTH = 8
MAX_WIDTH = 50
WIDTH_SAMPLE_ROWS = 2000  # widths are measured on the first rows only: big exports stay fast
MAX_CELL_CHARS = 32767  # Excel's limit for one cell
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    return False


def _has_time(series: pd.Series) -> bool:
    values = pd.to_datetime(series.dropna())
    return bool(len(values)) and bool((values != values.dt.normalize()).any())


def _naive(series: pd.Series) -> pd.Series:
    """Timezone-aware datetimes as local wall-clock time without the zone (Excel has no zones)."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series.dt.tz_localize(None)
    return series


def _is_date_column(series: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return True
    if series.dtype != object:
        return False
    present = series.dropna()
    return bool(len(present)) and all(isinstance(v, date) for v in present)


def _text(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "Có" if value else "Không"
    return str(value)


# ----------------------------------------------------------------------------------------- CSV


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """`df` as CSV bytes for Excel users: UTF-8 with BOM, "," separator, CRLF, Vietnamese headers,
    dates dd/mm/yyyy (with hh:mm when a column holds times), True/False as Có/Không, blanks empty,
    numbers with "." decimals, every text cell and header neutralised. The index is not written."""
    out = vn_columns(df).reset_index(drop=True)
    columns = [neutralise(str(c)) for c in out.columns]
    data: dict[int, pd.Series] = {}
    for position in range(out.shape[1]):
        series = out.iloc[:, position]
        if _is_date_column(series):
            series = _naive(series) if pd.api.types.is_datetime64_any_dtype(series.dtype) else series
            fmt = "%d/%m/%Y %H:%M" if _has_time(series) else "%d/%m/%Y"
            series = series.map(lambda v, fmt=fmt: "" if _is_missing(v) else pd.Timestamp(v).strftime(fmt))
        elif pd.api.types.is_bool_dtype(series.dtype):
            series = series.map(lambda v: "" if _is_missing(v) else _text(v))
        elif pd.api.types.is_numeric_dtype(series.dtype):
            pass
        else:
            series = series.map(lambda v: v if _is_missing(v) else neutralise(_text(v)))
        data[position] = series
    frame = pd.DataFrame(data)
    frame.columns = columns
    text = frame.to_csv(index=False, sep=",", lineterminator="\r\n", na_rep="")
    return text.encode("utf-8-sig")


# ---------------------------------------------------------------------------------------- XLSX


def _sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique worksheet name (<= 31 chars, none of []:*?/\\)."""
    base = _SHEET_NAME_BAD.sub(" ", str(name)).strip().strip("'")[:31] or DEFAULT_SHEET
    candidate, n = base, 1
    while candidate.lower() in taken:
        n += 1
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


def _set_text(cell: Any, value: str) -> None:
    """Store `value` as a plain string cell: never a formula, whatever it starts with."""
    put(cell, ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL_CHARS])


def _column_kind(series: pd.Series) -> str:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if _is_date_column(series):
        return "datetime" if _has_time(series) else "date"
    return "text"


def _excel_value(value: Any, kind: str) -> Any:
    """The Python value openpyxl should write for one cell (None for blanks)."""
    if _is_missing(value):
        return None
    if kind in ("date", "datetime"):
        ts = pd.Timestamp(value)
        if ts.tzinfo is not None:
            ts = ts.tz_localize(None)
        return ts.to_pydatetime() if kind == "datetime" else datetime.combine(ts.date(), time())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int | float) and kind in ("int", "float"):
        return value if not (isinstance(value, float) and math.isinf(value)) else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return _text(value)


def _display_len(value: Any, kind: str) -> int:
    if value is None:
        return 0
    if kind == "date":
        return 10
    if kind == "datetime":
        return 16
    if isinstance(value, int | float):
        return len(f"{value:,.1f}") if kind == "float" else len(f"{value:,.0f}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def _write_sheet(ws: Worksheet, df: pd.DataFrame, title: str | None) -> None:
    out = vn_columns(df).reset_index(drop=True)
    first_row = 1
    if title:
        _set_text(ws.cell(row=1, column=1), title)
        ws.cell(row=1, column=1).font = TITLE_FONT
        first_row = 2
    header_row = first_row
    n_cols = out.shape[1]
    widths = [0] * n_cols
    for j, name in enumerate(out.columns, start=1):
        cell = ws.cell(row=header_row, column=j)
        _set_text(cell, str(name))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = HEADER_BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        widths[j - 1] = len(str(name))
    for j in range(n_cols):
        series = out.iloc[:, j]
        kind = _column_kind(series)
        if kind in ("date", "datetime") and pd.api.types.is_datetime64_any_dtype(series.dtype):
            series = _naive(series)
        number_format = {
            "int": INT_FORMAT,
            "float": FLOAT_FORMAT,
            "date": DATE_FORMAT,
            "datetime": DATETIME_FORMAT,
        }.get(kind)
        for i, raw in enumerate(series.tolist()):
            value = _excel_value(raw, kind)
            if value is None:
                continue
            cell = ws.cell(row=header_row + 1 + i, column=j + 1)
            if isinstance(value, str):
                _set_text(cell, value)
            else:
                cell.value = value
                if number_format:
                    cell.number_format = number_format
                elif isinstance(value, int):
                    cell.number_format = INT_FORMAT
            if i < WIDTH_SAMPLE_ROWS:
                widths[j] = max(widths[j], _display_len(value, kind))
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))
    last_col = get_column_letter(max(n_cols, 1))
    if n_cols:
        ws.auto_filter.ref = f"A{header_row}:{last_col}{header_row + len(out)}"
    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def to_xlsx_bytes(sheets: dict[str, pd.DataFrame] | pd.DataFrame, title: str | None = None) -> bytes:
    """An .xlsx file with one sheet per frame (a single frame goes to the sheet "Dữ liệu").

    Per sheet: optional bold `title` in row 1; Vietnamese headers (bold, filled) in the next row,
    frozen, with an auto filter; integers "#,##0", floats "0.0", dates "dd/mm/yyyy" (datetimes with
    times "dd/mm/yyyy hh:mm"), booleans Có/Không, blanks empty; text (URLs included) stored as
    plain strings, never formulas or links; widths from content, capped. Index not written.
    """
    frames = {DEFAULT_SHEET: sheets} if isinstance(sheets, pd.DataFrame) else dict(sheets)
    book = XlsxWorkbook()
    book.remove(book.active)
    taken: set[str] = set()
    for name, df in frames.items() or {DEFAULT_SHEET: pd.DataFrame()}.items():
        ws = book.create_sheet(_sheet_name(name, taken))
        _write_sheet(ws, df, title)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
