"""The report annex: plan (KH) / actual (TH) / % per unit × activity type, grouped by unit type, as data and XLSX."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pandas as pd
from openpyxl import Workbook as XlWorkbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cchc_lib.formatting import fmt_date

__all__ = [
    "TOTAL_LABEL",
    "AnnexRow",
    "AnnexTable",
    "annex_table",
    "annex_title",
    "build_annex_xlsx",
    "roman",
]

TOTAL_LABEL = "TỔNG CỘNG"
ALL_TYPES_LABEL = "Tổng số"
SUB_HEADERS = ("KH", "TH", "%")
FIRST_DATA_COLUMN = 3  # A = STT, B = unit name
HEADER_TOP_ROW = 5
HEADER_ROWS = 2
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
_GROUP_FILL = PatternFill("solid", fgColor="F2F2F2")
_FONT = "Times New Roman"
_ROMAN = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def roman(n: int) -> str:
    """1 -> "I", 4 -> "IV", 14 -> "XIV" (enough for unit-type groups)."""
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


@dataclass(frozen=True)
class AnnexRow:
    """One line of the annex. kind: "group" (a unit type, holding its subtotal), "unit" or "total".

    planned/actual hold one value per activity type (catalogue order) then the all-types total.
    """

    kind: str
    stt: str
    name: str
    planned: tuple[float, ...]
    actual: tuple[int, ...]
    unit_code: str | None = None

    def pct(self, index: int) -> float | None:
        """actual / planned × 100 of column `index`, None when planned is 0."""
        planned = self.planned[index]
        return None if planned <= 0 else self.actual[index] / planned * 100


@dataclass(frozen=True)
class AnnexTable:
    """Column groups (activity type names + the all-types total) and the rows in print order."""

    type_codes: tuple[str, ...]
    type_names: tuple[str, ...]
    rows: tuple[AnnexRow, ...]

    @property
    def group_names(self) -> tuple[str, ...]:
        return (*self.type_names, ALL_TYPES_LABEL)


def _sums(frame: pd.DataFrame, type_codes: tuple[str, ...]) -> tuple[tuple[float, ...], tuple[int, ...]]:
    planned = frame.groupby("activity_type", sort=False)["planned"].sum()
    actual = frame.groupby("activity_type", sort=False)["actual"].sum()
    p = tuple(float(planned.get(code, 0.0)) for code in type_codes)
    a = tuple(int(actual.get(code, 0)) for code in type_codes)
    return (*p, float(sum(p))), (*a, int(sum(a)))


def annex_table(pva: pd.DataFrame, unit_type_order: tuple[str, ...] = ()) -> AnnexTable:
    """metrics.plan_vs_actual frame in -> AnnexTable.

    Groups follow `unit_type_order` (settings.unit_types) then any other type in order of first
    appearance; units keep the frame's order inside their group and are numbered 1.. per group; a group
    row (STT I, II, …) carries the group's subtotal; the last row is the grand total.
    """
    type_frame = pva[["activity_type", "activity_name"]].drop_duplicates("activity_type")
    type_codes = tuple(str(c) for c in type_frame["activity_type"])
    type_names = tuple(str(n) for n in type_frame["activity_name"])
    present = list(dict.fromkeys(str(t) for t in pva["unit_type"]))
    groups = [t for t in unit_type_order if t in present] + [t for t in present if t not in unit_type_order]
    rows: list[AnnexRow] = []
    for number, group in enumerate(groups, start=1):
        part = pva[pva["unit_type"] == group]
        planned, actual = _sums(part, type_codes)
        rows.append(AnnexRow("group", roman(number), group, planned, actual))
        units = part.drop_duplicates("unit_code")
        for index, (code, name) in enumerate(zip(units["unit_code"], units["unit_name"], strict=True), 1):
            planned, actual = _sums(part[part["unit_code"] == code], type_codes)
            rows.append(AnnexRow("unit", str(index), str(name), planned, actual, str(code)))
    planned, actual = _sums(pva, type_codes)
    rows.append(AnnexRow("total", "", TOTAL_LABEL, planned, actual))
    return AnnexTable(type_codes, type_names, tuple(rows))


def annex_title(period_label: str) -> str:
    """ "KẾT QUẢ CÔNG TÁC THÔNG TIN, TUYÊN TRUYỀN CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024"."""
    return f"KẾT QUẢ CÔNG TÁC THÔNG TIN, TUYÊN TRUYỀN CẢI CÁCH HÀNH CHÍNH {period_label.upper()}"


def _cell(ws: Worksheet, row: int, column: int, value: object, *, bold: bool = False, size: int = 11) -> None:
    cell = ws.cell(row=row, column=column, value=value)
    cell.font = Font(name=_FONT, size=size, bold=bold)
    cell.border = _BORDER


def _write_header(ws: Worksheet, table: AnnexTable) -> None:
    top, second = HEADER_TOP_ROW, HEADER_TOP_ROW + 1
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for column, label in ((1, "STT"), (2, "Đơn vị")):
        for row in (top, second):
            _cell(ws, row, column, label if row == top else None, bold=True)
        ws.merge_cells(start_row=top, start_column=column, end_row=second, end_column=column)
    for index, name in enumerate(table.group_names):
        first = FIRST_DATA_COLUMN + 3 * index
        for offset, sub in enumerate(SUB_HEADERS):
            _cell(ws, top, first + offset, name if offset == 0 else None, bold=True)
            _cell(ws, second, first + offset, sub, bold=True)
        ws.merge_cells(start_row=top, start_column=first, end_row=top, end_column=first + 2)
    last_column = FIRST_DATA_COLUMN + 3 * len(table.group_names) - 1
    for row in (top, second):
        for column in range(1, last_column + 1):
            ws.cell(row=row, column=column).alignment = center
            ws.cell(row=row, column=column).fill = _HEADER_FILL
    ws.row_dimensions[top].height = 45


def _planned_format(value: float) -> str:
    return "#,##0" if float(value).is_integer() else "#,##0.0"


def _write_rows(ws: Worksheet, table: AnnexTable) -> int:
    row = HEADER_TOP_ROW + HEADER_ROWS
    for line in table.rows:
        bold = line.kind != "unit"
        _cell(ws, row, 1, line.stt, bold=bold)
        _cell(ws, row, 2, line.name, bold=bold)
        ws.cell(row=row, column=1).alignment = Alignment(horizontal="center", vertical="center")
        ws.cell(row=row, column=2).alignment = Alignment(vertical="center", wrap_text=True)
        for index in range(len(table.group_names)):
            first = FIRST_DATA_COLUMN + 3 * index
            planned = line.planned[index]
            pct = line.pct(index)
            _cell(ws, row, first, int(planned) if planned.is_integer() else planned, bold=bold)
            _cell(ws, row, first + 1, line.actual[index], bold=bold)
            _cell(ws, row, first + 2, None if pct is None else pct / 100, bold=bold)
            ws.cell(row=row, column=first).number_format = _planned_format(planned)
            ws.cell(row=row, column=first + 1).number_format = "#,##0"
            ws.cell(row=row, column=first + 2).number_format = "0.0%"
        if line.kind != "unit":
            for column in range(1, FIRST_DATA_COLUMN + 3 * len(table.group_names)):
                ws.cell(row=row, column=column).fill = _GROUP_FILL
        row += 1
    return row


def build_annex_xlsx(
    table: AnnexTable,
    period_label: str,
    bounds: tuple[date, date],
    organisation: str,
    reference: str = "",
) -> bytes:
    """The annex as an .xlsx (bytes): title rows, merged two-level header (unit | type: KH/TH/%),
    STT, group subtotal rows, grand total, number formats, A4 landscape print setup with the header
    rows repeated on every page, frozen panes below the header and right of the unit names.

    Numbers are real numbers with "#,##0" / "0.0%" formats, which Excel shows with the reader's
    separators (1.234 / 87,5% on a Vietnamese system). % cells hold the ratio (0.875), empty when KH is 0.
    """
    book = XlWorkbook()
    ws = book.active
    ws.title = "Phụ lục"
    last_column = FIRST_DATA_COLUMN + 3 * len(table.group_names) - 1
    titles = [
        (annex_title(period_label), True, 13),
        (
            f"(Số liệu từ ngày {fmt_date(bounds[0])} đến ngày {fmt_date(bounds[1])} — {organisation})",
            False,
            11,
        ),
    ]
    if reference:
        titles.append((reference, False, 11))
    for row, (text, bold, size) in enumerate(titles, start=1):
        ws.cell(row=row, column=1, value=text).font = Font(name=_FONT, size=size, bold=bold, italic=not bold)
        ws.cell(row=row, column=1).alignment = Alignment(
            horizontal="center", vertical="center", wrap_text=True
        )
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_column)
    _write_header(ws, table)
    _write_rows(ws, table)
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 34
    for column in range(FIRST_DATA_COLUMN, last_column + 1):
        ws.column_dimensions[get_column_letter(column)].width = 8.5
    data_top = HEADER_TOP_ROW + HEADER_ROWS
    ws.freeze_panes = ws.cell(row=data_top, column=FIRST_DATA_COLUMN)
    ws.print_title_rows = f"{HEADER_TOP_ROW}:{HEADER_TOP_ROW + HEADER_ROWS - 1}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "Trang &P/&N"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
