"""Tiny exact-layout .xlsx writer for tests: sheets as lists of rows, written cell by cell with openpyxl."""

from __future__ import annotations

import io

from openpyxl import Workbook

UNIT_HEADERS = ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Hiệu lực từ", "Hiệu lực đến"]
ACTIVITY_HEADERS = ["Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng", "Tiêu đề"]


def make_xlsx(sheets: dict[str, list[list[object]]], merges: dict[str, list[str]] | None = None) -> bytes:
    """Workbook bytes with each sheet's rows written from A1 exactly as given (None = empty cell)."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(row=r, column=c, value=value)
        for span in (merges or {}).get(name, []):
            sheet.merge_cells(span)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
