"""The uploaded workbook with its problem cells highlighted and a problem column, for fixing in Excel."""

from __future__ import annotations

import io
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from cchc_lib.common import cell_text
from cchc_lib.common.text import clean_text, match_key
from cchc_lib.reading.model import PROBLEM_COLUMNS
from cchc_lib.reading.schema import HEADER_SEARCH_ROWS

__all__ = [
    "PROBLEM_HEADER",
    "LIST_SHEET",
    "Marks",
    "mark_book",
    "mark_problems",
    "mark_records",
    "problem_records",
]

PROBLEM_HEADER = "Lỗi cần sửa"
LIST_SHEET = "Danh sách lỗi"
_FILLS = {
    "error": PatternFill(fill_type="solid", start_color="FFFFC7CE", end_color="FFFFC7CE"),
    "warning": PatternFill(fill_type="solid", start_color="FFFFEB9C", end_color="FFFFEB9C"),
}
_LABELS = {"error": "Lỗi", "warning": "Cảnh báo"}
_LEVEL_LABELS = {"error": "Lỗi", "warning": "Cảnh báo"}
log = logging.getLogger(__name__)


def _blank(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _header_row(ws: Any, columns: set[str]) -> int:
    """Row holding the most of `columns` (else the most text cells) within the first rows."""
    wanted = {match_key(c) for c in columns}
    best, best_score = 1, (-1, -1)
    for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, HEADER_SEARCH_ROWS)):
        keys = [match_key(c.value) for c in row if isinstance(c.value, str) and c.value.strip()]
        score = (len(wanted & set(keys)), len(keys))
        if score > best_score:
            best, best_score = row[0].row, score
    return best


def _column_map(ws: Any, header_row: int) -> dict[str, int]:
    found: dict[str, int] = {}
    for cell in ws[header_row]:
        if isinstance(cell.value, str) and cell.value.strip():
            found.setdefault(clean_text(cell.value), cell.column)
            found.setdefault(match_key(cell.value), cell.column)
    return found


def mark_problems(data: bytes, problems: pd.DataFrame) -> bytes:
    """`data` with problem cells filled (red: error, yellow: warning) and commented, a `Lỗi cần sửa`
    column in every affected sheet at the problem rows, and a `Danh sách lỗi` sheet listing them all.

    `problems` has the PROBLEM_COLUMNS (row = Excel row number; sheet and column as written in the
    file). Only call this on bytes that the safety checks accepted (sandbox.read_untrusted returned).
    """
    book = load_workbook(io.BytesIO(data))
    mark_book(book, problems)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def per_sheet(sheetnames: list[str], records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The problem records of each sheet, the sheet named exactly or loosely (match_key)."""
    by_name = {name: name for name in sheetnames}
    by_key = {match_key(name): name for name in sheetnames}
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec in records:
        sheet = rec.get("sheet")
        if _blank(sheet):
            continue
        name = by_name.get(str(sheet)) or by_key.get(match_key(sheet))
        if name is not None:
            out[name].append(rec)
    return out


@dataclass
class Marks:
    """Where mark_book wrote in one sheet: the problem column and every cell it set or filled."""

    problem_col: int
    cells: set[tuple[int, int]] = field(default_factory=set)  # (row, col)


def mark_book(book: Any, problems: pd.DataFrame | None) -> dict[str, Marks]:
    """Mark the loaded openpyxl `book` in place (see mark_problems); returns the marks of each sheet."""
    marks: dict[str, Marks] = {}
    records = problems.to_dict("records") if problems is not None else []
    for name, recs in per_sheet(book.sheetnames, records).items():
        ws = book[name]
        header_row = _header_row(ws, {str(r["column"]) for r in recs if not _blank(r.get("column"))})
        columns = _column_map(ws, header_row)
        problem_col = columns.get(PROBLEM_HEADER) or columns.get(match_key(PROBLEM_HEADER))
        if problem_col is None:
            problem_col = ws.max_column + 1
            head = cell_text.write(ws, header_row, problem_col, PROBLEM_HEADER)
            head.font = Font(bold=True, color="FF9C0006")
            ws.column_dimensions[head.column_letter].width = 60
        touched = marks[name] = Marks(problem_col)
        touched.cells.add((header_row, problem_col))
        by_row: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for rec in recs:
            if _blank(rec.get("row")):
                continue
            row = int(rec["row"])
            by_row[row].append(rec)
            column = rec.get("column")
            if _blank(column):
                continue
            col = columns.get(clean_text(column)) or columns.get(match_key(column))
            if col is None:
                continue
            cell = ws.cell(row=row, column=col)
            level = rec.get("level") if rec.get("level") in _FILLS else "error"
            current = cell.fill.start_color.rgb if cell.fill is not None and cell.fill.fill_type else None
            if level == "error" or current != _FILLS["error"].start_color.rgb:
                cell.fill = _FILLS[level]
            touched.cells.add((row, col))
            note = f"{_LABELS[level]}: {rec.get('message', '')}"
            old = cell.comment.text + "\n" if cell.comment is not None else ""
            comment = Comment(old + note, "Kiểm tra dữ liệu")
            comment.width, comment.height = 300, 120
            cell.comment = comment
        for row, row_recs in by_row.items():
            levels = {r.get("level") for r in row_recs}
            text = "; ".join(
                f"{_LABELS.get(r.get('level'), 'Lỗi')}: {r.get('message', '')}" for r in row_recs
            )
            cell = cell_text.write(ws, row, problem_col, text)
            cell.fill = _FILLS["error" if "error" in levels else "warning"]
            touched.cells.add((row, problem_col))
    _list_sheet(book, records)
    return marks


def problem_records(problems: pd.DataFrame | None) -> list[dict[str, Any]]:
    """The problems as plain records (str, int or None values) for the marking worker."""
    if problems is None or problems.empty:
        return []
    out = []
    for rec in problems.to_dict("records"):
        row = rec.get("row")
        plain = {key: None if _blank(rec.get(key)) else str(rec[key]) for key in PROBLEM_COLUMNS}
        out.append(plain | {"row": None if _blank(row) else int(row)})
    return out


def mark_records(data: bytes, settings: object, *, problems: list[dict[str, Any]]) -> bytes:
    """mark_problems for the sandbox worker (sandbox.mark_untrusted): plain records in, bytes out. The
    rows without marks are spliced back rather than loaded (marking_splice), unless the file's shape
    needs the whole workbook in openpyxl."""
    from cchc_lib.reading.marking_splice import mark_spliced

    frame = pd.DataFrame(problems, columns=PROBLEM_COLUMNS)
    try:
        return mark_spliced(data, frame)
    except MemoryError:
        raise
    except Exception as exc:  # Unsupported, or a surprise: the whole workbook through openpyxl
        log.info("marked copy built whole (%s: %s)", type(exc).__name__, exc)
        return mark_problems(data, frame)


def _list_sheet(book: Any, records: list[dict[str, Any]]) -> None:
    """A sheet listing every problem (also those without a place, such as a missing sheet)."""
    name = LIST_SHEET
    if name in book.sheetnames:
        del book[name]
    ws = book.create_sheet(name, 0)
    headers = ["Mức độ", "Trang tính", "Dòng", "Cột", "Nội dung"]
    for col, header in enumerate(headers, start=1):
        cell_text.write(ws, 1, col, header).font = Font(bold=True)
    for index, rec in enumerate(records, start=2):
        level = rec.get("level")
        cell_text.write(ws, index, 1, _LEVEL_LABELS.get(level, str(level))).fill = _FILLS.get(
            level, _FILLS["error"]
        )
        cell_text.write(ws, index, 2, "" if _blank(rec.get("sheet")) else str(rec["sheet"]))
        if not _blank(rec.get("row")):
            ws.cell(row=index, column=3).value = int(rec["row"])
        cell_text.write(ws, index, 4, "" if _blank(rec.get("column")) else str(rec["column"]))
        cell_text.write(ws, index, 5, str(rec.get("message", "")))
    for letter, width in zip("ABCDE", (10, 22, 8, 20, 90), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    book.active = 0
