"""The report annex: year plan, actual, cumulative and % per unit × activity type, grouped by unit type, as data and XLSX."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
from openpyxl import Workbook as XlWorkbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cchc_lib.common import cell_text
from cchc_lib.common.formatting import fmt_date
from cchc_lib.common.periods import CALENDAR, Period
from cchc_lib.figures import metrics
from cchc_lib.reading.model import Workbook

__all__ = [
    "ALL_TYPES_LABEL",
    "ROUNDING_NOTE",
    "TOTAL_LABEL",
    "AnnexRow",
    "AnnexTable",
    "annex_note",
    "annex_table",
    "annex_title",
    "build_annex_xlsx",
    "report_annex",
    "roman",
    "round_half_up",
    "validity_notes",
]

TOTAL_LABEL = "TỔNG CỘNG"
ALL_TYPES_LABEL = "Tổng số"
YEAR_HEADERS = ("KH", "TH", "%")
CUMULATIVE_HEADERS = ("KH năm", "TH kỳ", "Lũy kế", "% KH năm")
ROUNDING_NOTE = "KH năm của đơn vị sáp nhập/chia tách trong năm tính theo số ngày hoạt động, làm tròn."
NO_PLAN = "—"
FIRST_DATA_COLUMN = 3  # A = STT, B = unit name
HEADER_TOP_ROW = 5
HEADER_ROWS = 2
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
_GROUP_FILL = PatternFill("solid", fgColor="F2F2F2")
_FONT = "Times New Roman"
_ROMAN = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
_NAME_WIDTH = 40  # column B, in Excel character units
_LINE_PT = 15.0  # one line of 11 pt text


def roman(n: int) -> str:
    """1 -> "I", 4 -> "IV", 14 -> "XIV" (enough for unit-type groups)."""
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def round_half_up(value: float) -> int:
    """A planned count as printed: 2.5 -> 3, 2.4999999999 (a day share) -> 3, 4.49 -> 4."""
    exact = Decimal(repr(float(value))).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class AnnexRow:
    """One line of the annex. kind: "group" (a unit type, holding its subtotal), "unit" or "total".

    Each tuple holds one value per activity type (catalogue order) then the all-types total.
    exact_planned: the year's plan as metrics computes it (a part-year unit's share may be
    fractional; subtotals add these); planned: each exact value rounded half up, as printed (the
    same figure the narrative states; a printed total may differ by 1 from the sum of printed lines
    when shares were rounded); actual: done in the period; cumulative: done since the start of the
    year up to the period's end (None in a year's annex).
    """

    kind: str
    stt: str
    name: str
    exact_planned: tuple[float, ...]
    actual: tuple[int, ...]
    cumulative: tuple[int, ...] | None = None
    unit_code: str | None = None

    @property
    def planned(self) -> tuple[int, ...]:
        return tuple(round_half_up(v) for v in self.exact_planned)

    def pct(self, index: int) -> float | None:
        """Share of the exact year plan reached in column `index` (cumulative, or actual in a year's
        annex) x 100; None when there is no plan."""
        planned = self.exact_planned[index]
        done = self.actual if self.cumulative is None else self.cumulative
        return None if planned <= 1e-9 else done[index] / planned * 100


@dataclass(frozen=True)
class AnnexTable:
    """Column groups (activity type names + the all-types total) and the rows in print order.

    cumulative False: a year's annex (KH, TH, % per group); True: a shorter period's (KH năm, TH kỳ,
    Lũy kế, % KH năm). rounded: some plan was not a whole number (a unit existing for part of the
    year) and was rounded for print.
    """

    type_codes: tuple[str, ...]
    type_names: tuple[str, ...]
    rows: tuple[AnnexRow, ...]
    cumulative: bool = False
    rounded: bool = False

    @property
    def group_names(self) -> tuple[str, ...]:
        return (*self.type_names, ALL_TYPES_LABEL)

    @property
    def sub_headers(self) -> tuple[str, ...]:
        return CUMULATIVE_HEADERS if self.cumulative else YEAR_HEADERS

    def values(self, row: AnnexRow, index: int) -> tuple[int | float | None, ...]:
        """The numbers under group `index` of `row`, in sub_headers order (% None when no plan)."""
        if self.cumulative:
            assert row.cumulative is not None
            return (row.planned[index], row.actual[index], row.cumulative[index], row.pct(index))
        return (row.planned[index], row.actual[index], row.pct(index))


_KEYS = ["unit_code", "activity_type"]


_NAMES = ["unit_code", "unit_name", "unit_type", "activity_type", "activity_name"]


def _frame(
    pva: pd.DataFrame, year_plan: pd.DataFrame | None, cumulative: pd.DataFrame | None
) -> tuple[pd.DataFrame, bool]:
    """One row per unit x type with `raw_plan` (exact), `actual` and `done`
    (cumulative, or actual in a year's annex). Rows: pva's units, and with year_plan every unit of
    the year that exists in the period or has a year plan or a cumulative actual (a unit merged
    away keeps its line, so the totals are the whole year's)."""
    if year_plan is None or cumulative is None:
        frame = pva[[*_NAMES, "actual"]].copy()
        frame["raw_plan"] = pva["planned"].astype("float64").to_numpy()
        frame["done"] = frame["actual"]
    else:
        frame = year_plan.groupby(_NAMES, sort=False)["planned"].sum().rename("raw_plan").reset_index()
        for name, source, column in (("actual", pva, "actual"), ("done", cumulative, "actual")):
            sums = source.groupby(_KEYS, sort=False)[column].sum().rename(name).reset_index()
            frame = frame.merge(sums, on=_KEYS, how="left")
            frame[name] = frame[name].fillna(0).astype("int64")
        frame["raw_plan"] = frame["raw_plan"].fillna(0.0).astype("float64")
        by_unit = frame.groupby("unit_code", sort=False)[["raw_plan", "done"]].sum()
        keep = set(pva["unit_code"]) | set(by_unit.index[(by_unit["raw_plan"] > 0) | (by_unit["done"] > 0)])
        frame = frame[frame["unit_code"].isin(keep)].reset_index(drop=True)
    rounded = any(float(v) != round_half_up(v) for v in frame["raw_plan"])
    return frame, rounded


def _sums(
    frame: pd.DataFrame, type_codes: tuple[str, ...], cumulative: bool
) -> tuple[tuple[float, ...], tuple[int, ...], tuple[int, ...] | None]:
    by_type = frame.groupby("activity_type", sort=False)[["raw_plan", "actual", "done"]].sum()
    plans = tuple(float(by_type["raw_plan"].get(code, 0.0)) for code in type_codes)

    def column(name: str) -> tuple[int, ...]:
        values = tuple(int(by_type[name].get(code, 0)) for code in type_codes)
        return (*values, int(sum(values)))

    return (*plans, float(sum(plans))), column("actual"), (column("done") if cumulative else None)


def annex_table(
    pva: pd.DataFrame,
    unit_type_order: tuple[str, ...] = (),
    *,
    year_plan: pd.DataFrame | None = None,
    cumulative: pd.DataFrame | None = None,
    unit_notes: Mapping[str, str] | None = None,
) -> AnnexTable:
    """metrics.plan_vs_actual frames in -> AnnexTable.

    `pva` is the period's frame (its actual). For a year, pass only `pva`: its units, its planned is
    the year's plan. For a shorter period pass both `year_plan` (plan_vs_actual of the whole year: its
    units and planned) and `cumulative` (plan_vs_actual of period.year_to_date(): its actual); the
    lines are the year's units that exist in the period or have a year plan or a cumulative actual
    (a commune merged away in July keeps its line in the Q4 annex; its successor has one in Q1); a
    unit or type missing from a frame counts 0. `unit_notes` (code -> text) is added to a unit's
    name in brackets, e.g. "(đến 30/06/2024)".

    Groups follow `unit_type_order` (settings.unit_types) then any other type in order of first
    appearance; units keep the frame's order inside their group and are numbered 1.. per group; a group
    row (STT I, II, …) carries the group's subtotal; the last row is the grand total.
    """
    if (year_plan is None) != (cumulative is None):
        raise ValueError("annex_table needs both year_plan and cumulative, or neither")
    is_cumulative = cumulative is not None
    frame, rounded = _frame(pva, year_plan, cumulative)
    type_frame = frame[["activity_type", "activity_name"]].drop_duplicates("activity_type")
    type_codes = tuple(str(c) for c in type_frame["activity_type"])
    type_names = tuple(str(n) for n in type_frame["activity_name"])
    present = list(dict.fromkeys(str(t) for t in frame["unit_type"]))
    groups = [t for t in unit_type_order if t in present] + [t for t in present if t not in unit_type_order]
    rows: list[AnnexRow] = []
    for number, group in enumerate(groups, start=1):
        part = frame[frame["unit_type"] == group]
        rows.append(AnnexRow("group", roman(number), group, *_sums(part, type_codes, is_cumulative)))
        units = part.drop_duplicates("unit_code")
        for index, (code, name) in enumerate(zip(units["unit_code"], units["unit_name"], strict=True), 1):
            sums = _sums(part[part["unit_code"] == code], type_codes, is_cumulative)
            note = (unit_notes or {}).get(str(code))
            label = f"{name} ({note})" if note else str(name)
            rows.append(AnnexRow("unit", str(index), label, *sums, unit_code=str(code)))
    rows.append(AnnexRow("total", "", TOTAL_LABEL, *_sums(frame, type_codes, is_cumulative)))
    return AnnexTable(type_codes, type_names, tuple(rows), is_cumulative, rounded)


def report_annex(
    wb: Workbook,
    period: Period,
    calendar: str = CALENDAR,
    cutoff_day: int = 15,
    unit_type_order: tuple[str, ...] = (),
) -> AnnexTable:
    """The annex of `period` from the workbook: a year's annex (KH, TH, %) for a year, else the year
    plan, the period's actual, the cumulative actual since the start of the year and its share of the
    year plan (metrics.plan_vs_actual of the period, the year and period.year_to_date())."""
    pva = metrics.plan_vs_actual(wb, period, calendar, cutoff_day)
    notes = validity_notes(wb.units, *Period(period.year, "").bounds(calendar, cutoff_day))
    if period.is_year:
        return annex_table(pva, unit_type_order, unit_notes=notes)
    year = metrics.plan_vs_actual(wb, Period(period.year, ""), calendar, cutoff_day)
    to_date = metrics.plan_vs_actual(wb, period.year_to_date(), calendar, cutoff_day)
    return annex_table(pva, unit_type_order, year_plan=year, cumulative=to_date, unit_notes=notes)


def validity_notes(units: pd.DataFrame, first: date, last: date) -> dict[str, str]:
    """For each unit whose validity starts or ends inside first..last: "từ 01/07/2024",
    "đến 30/06/2024" or "từ 01/03/2024 đến 30/09/2024" (units columns unit_code, valid_from,
    valid_to; missing columns or dates give no note)."""
    notes: dict[str, str] = {}
    if "unit_code" not in units:
        return notes
    starts = units["valid_from"] if "valid_from" in units else pd.Series(pd.NaT, index=units.index)
    ends = units["valid_to"] if "valid_to" in units else pd.Series(pd.NaT, index=units.index)
    for code, start, end in zip(units["unit_code"], starts, ends, strict=True):
        parts = []
        if pd.notna(start) and first < pd.Timestamp(start).date() <= last:
            parts.append(f"từ {fmt_date(start)}")
        if pd.notna(end) and first <= pd.Timestamp(end).date() < last:
            parts.append(f"đến {fmt_date(end)}")
        if parts:
            notes[str(code)] = " ".join(parts)
    return notes


def annex_title(period_label: str) -> str:
    """ "KẾT QUẢ CÔNG TÁC THÔNG TIN, TUYÊN TRUYỀN CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024"."""
    return f"KẾT QUẢ CÔNG TÁC THÔNG TIN, TUYÊN TRUYỀN CẢI CÁCH HÀNH CHÍNH {period_label.upper()}"


def _phrase(period: Period) -> str:
    """ "quý I năm 2024", "6 tháng đầu năm 2024", "năm 2024" (the label inside a sentence)."""
    label = period.label
    return label[0].lower() + label[1:]


def annex_note(table: AnnexTable, period: Period, calendar: str = CALENDAR, cutoff_day: int = 15) -> str:
    """The "Ghi chú" line under the annex: what each column holds (with the cumulative span's dates),
    what "—" means, and the rounding of part-year plans when some plan was rounded."""
    if table.cumulative:
        first, last = period.year_to_date().bounds(calendar, cutoff_day)
        text = (
            f"Ghi chú: KH năm - kế hoạch (chỉ tiêu) cả năm {period.year}; TH kỳ - số thực hiện trong "
            f"{_phrase(period)}; Lũy kế - số thực hiện từ đầu năm (từ ngày {fmt_date(first)} đến ngày "
            f"{fmt_date(last)}); % KH năm - Lũy kế so với KH năm; “{NO_PLAN}”: không giao chỉ tiêu."
        )
    else:
        text = (
            f"Ghi chú: KH - kế hoạch (chỉ tiêu) năm {period.year}; TH - số thực hiện trong năm; "
            f"% - tỷ lệ thực hiện so với kế hoạch; “{NO_PLAN}”: không giao chỉ tiêu."
        )
    return f"{text} {ROUNDING_NOTE}" if table.rounded else text


def _cell(ws: Worksheet, row: int, column: int, value: object, *, bold: bool = False, size: int = 11) -> None:
    cell = cell_text.write(ws, row, column, value)  # a unit named "=HYPERLINK(...)" stays a name
    cell.font = Font(name=_FONT, size=size, bold=bold)
    cell.border = _BORDER


def _last_column(table: AnnexTable) -> int:
    return FIRST_DATA_COLUMN + len(table.sub_headers) * len(table.group_names) - 1


def _write_header(ws: Worksheet, table: AnnexTable) -> None:
    top, second = HEADER_TOP_ROW, HEADER_TOP_ROW + 1
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    width = len(table.sub_headers)
    for column, label in ((1, "STT"), (2, "Cơ quan, đơn vị")):
        for row in (top, second):
            _cell(ws, row, column, label if row == top else None, bold=True)
        ws.merge_cells(start_row=top, start_column=column, end_row=second, end_column=column)
    for index, name in enumerate(table.group_names):
        first = FIRST_DATA_COLUMN + width * index
        for offset, sub in enumerate(table.sub_headers):
            _cell(ws, top, first + offset, name if offset == 0 else None, bold=True)
            _cell(ws, second, first + offset, sub, bold=True)
        ws.merge_cells(start_row=top, start_column=first, end_row=top, end_column=first + width - 1)
    for row in (top, second):
        for column in range(1, _last_column(table) + 1):
            ws.cell(row=row, column=column).alignment = center
            ws.cell(row=row, column=column).fill = _HEADER_FILL
    ws.row_dimensions[top].height = 45
    ws.row_dimensions[second].height = 2 * _LINE_PT if table.cumulative else _LINE_PT


def _lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column `width` Excel characters wide (an estimate: Times New
    Roman at 11 pt is a little narrower than the width unit; words are not split)."""
    usable = max(width - 1.0, 4.0)
    lines, current = 1, 0.0
    for word in str(text).split():
        length = len(word) * 0.8
        if current and current + 1 + length > usable:
            lines += 1
            current = length
        else:
            current = current + (1 if current else 0) + length
    return lines + max(0, math.ceil(current / usable) - 1)


def _write_rows(ws: Worksheet, table: AnnexTable) -> int:
    row = HEADER_TOP_ROW + HEADER_ROWS
    width = len(table.sub_headers)
    for line in table.rows:
        bold = line.kind != "unit"
        _cell(ws, row, 1, line.stt, bold=bold)
        _cell(ws, row, 2, line.name, bold=bold)
        ws.cell(row=row, column=1).alignment = Alignment(horizontal="center", vertical="center")
        ws.cell(row=row, column=2).alignment = Alignment(vertical="center", wrap_text=True)
        for index in range(len(table.group_names)):
            first = FIRST_DATA_COLUMN + width * index
            *counts, pct = table.values(line, index)
            for offset, value in enumerate(counts):
                _cell(ws, row, first + offset, value, bold=bold)
                ws.cell(row=row, column=first + offset).number_format = "#,##0"
            target = first + width - 1
            _cell(ws, row, target, NO_PLAN if pct is None else pct / 100, bold=bold)
            ws.cell(row=row, column=target).number_format = "0.0%"
            ws.cell(row=row, column=target).alignment = Alignment(horizontal="right", vertical="center")
        for column in range(3, _last_column(table) + 1):
            if ws.cell(row=row, column=column).alignment.horizontal is None:
                ws.cell(row=row, column=column).alignment = Alignment(vertical="center")
        ws.row_dimensions[row].height = _LINE_PT * _lines(line.name, _NAME_WIDTH) + 2
        if line.kind != "unit":
            for column in range(1, _last_column(table) + 1):
                ws.cell(row=row, column=column).fill = _GROUP_FILL
        row += 1
    return row


def build_annex_xlsx(
    table: AnnexTable,
    period_label: str,
    bounds: tuple[date, date],
    organisation: str,
    reference: str = "",
    note: str = "",
) -> bytes:
    """The annex as an .xlsx (bytes): "Phụ lục", the title, the "Kèm theo" line (`reference`, or the
    data span and organisation when empty), a merged two-level header (unit | type: KH/TH/% or
    KH năm/TH kỳ/Lũy kế/% KH năm), STT, group subtotal rows, grand total, `note` under the table,
    A4 landscape print setup with the header rows repeated on every page, frozen panes below the
    header and right of the unit names, long unit names wrapped with row heights to match.

    Numbers are real numbers with "#,##0" / "0.0%" formats, which Excel shows with the reader's
    separators (1.234 / 87,5% on a Vietnamese system). % cells hold the ratio (0.875), "—" (text)
    when there is no plan, as in the DOCX.
    """
    book = XlWorkbook()
    ws = book.active
    ws.title = "Phụ lục"
    last_column = _last_column(table)
    if not reference:
        reference = f"(Số liệu từ ngày {fmt_date(bounds[0])} đến ngày {fmt_date(bounds[1])} — {organisation})"
    titles = [("Phụ lục", True, 13), (annex_title(period_label), True, 13), (reference, False, 11)]
    for row, (text, bold, size) in enumerate(titles, start=1):
        cell_text.write(ws, row, 1, text).font = Font(name=_FONT, size=size, bold=bold, italic=not bold)
        ws.cell(row=row, column=1).alignment = Alignment(
            horizontal="center", vertical="center", wrap_text=True
        )
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_column)
    ws.row_dimensions[3].height = 2 * _LINE_PT
    _write_header(ws, table)
    after = _write_rows(ws, table)
    if note:
        cell_text.write(ws, after + 1, 1, note).font = Font(name=_FONT, size=11, italic=True)
        ws.cell(row=after + 1, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=after + 1, start_column=1, end_row=after + 1, end_column=last_column)
        ws.row_dimensions[after + 1].height = 3 * _LINE_PT
    ws.column_dimensions["A"].width = 5
    ws.column_dimensions["B"].width = _NAME_WIDTH
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
