"""Tiny exact-layout .xlsx writer for tests: sheets as lists of rows, written cell by cell with openpyxl."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

UNIT_HEADERS = ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Hiệu lực từ", "Hiệu lực đến"]
ACTIVITY_HEADERS = ["Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng", "Tiêu đề"]


def make_xlsx(
    sheets: dict[str, list[list[object]]],
    merges: dict[str, list[str]] | None = None,
    *,
    date1904: bool = False,
) -> bytes:
    """Workbook bytes with each sheet's rows written from A1 exactly as given (None = empty cell).

    Text starting with `=` becomes a formula without a cached value, `#REF!` and the other error
    texts become error cells (`t="e"`), as openpyxl writes them. `date1904`: the Mac date system.
    """
    book = Workbook()
    book.remove(book.active)
    if date1904:
        book.epoch = CALENDAR_MAC_1904
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


def edit_part(data: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    """`data` with the zip member `part` replaced by change(content); fails when nothing changes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    changed = False
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == part:
                new = change(content)
                changed = new != content
                content = new
            target.writestr(info.filename, content)
    assert changed, f"{part} unchanged"
    return buffer.getvalue()


def sheet_part(data: bytes, name: str) -> str:
    """The zip member of the sheet called `name` (openpyxl numbers them in order)."""
    book = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml").decode()
    names = re.findall(r'<sheet [^>]*name="([^"]*)"', book)
    return f"xl/worksheets/sheet{names.index(name) + 1}.xml"


def with_shared_strings(data: bytes) -> bytes:
    """The workbook as Excel writes it: every inline string moved into xl/sharedStrings.xml."""
    source = zipfile.ZipFile(io.BytesIO(data))
    strings: list[str] = []
    index: dict[str, int] = {}

    def share(match: re.Match[str]) -> str:
        text = match.group(2)
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        return f'<c{match.group(1)} t="s"><v>{index[text]}</v></c>'

    inline = re.compile(r'<c([^>]*?) t="inlineStr"><is><t(?: [^>]*)?>(.*?)</t></is></c>', re.DOTALL)
    parts = {}
    for info in source.infolist():
        content = source.read(info)
        if info.filename.startswith("xl/worksheets/sheet"):
            content = inline.sub(share, content.decode()).encode()
        parts[info.filename] = content
    sst = "".join(f'<si><t xml:space="preserve">{t}</t></si>' for t in strings)
    parts["xl/sharedStrings.xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        f'2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">{sst}</sst>'
    ).encode()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>',
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in parts.items():
            target.writestr(name, content)
    return buffer.getvalue()


class OdsFormula:
    """An .ods cell holding a formula: `value` its saved result (None: none saved), `error` an error."""

    def __init__(self, formula: str, value: object = None, error: str | None = None) -> None:
        self.formula, self.value, self.error = formula, value, error


def _ods_cell(value: object) -> str:
    from datetime import date as _date
    from xml.sax.saxutils import escape, quoteattr

    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, OdsFormula):
        formula = f"table:formula={quoteattr('of:' + value.formula)}"
        if value.error is not None:
            return (
                f'<table:table-cell {formula} office:value-type="string" office:string-value="" '
                f'calcext:value-type="error"><text:p>{escape(value.error)}</text:p></table:table-cell>'
            )
        if value.value is None:
            return f"<table:table-cell {formula}/>"
        inner = _ods_cell(value.value)
        return inner.replace("<table:table-cell ", f"<table:table-cell {formula} ", 1)
    if isinstance(value, bool):
        raise TypeError("no booleans in these tests")
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}" calcext:value-type="float">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if isinstance(value, _date):
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}" '
            f'calcext:value-type="date"><text:p>{value.isoformat()}</text:p></table:table-cell>'
        )
    return (
        f'<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>{escape(str(value))}'
        "</text:p></table:table-cell>"
    )


def make_ods(sheets: dict[str, list[list[object]]]) -> bytes:
    """An OpenDocument spreadsheet as LibreOffice writes it (cells, formulas with their results or
    error values, repeated empty rows and columns at the end)."""
    from xml.sax.saxutils import quoteattr

    tables = []
    for name, rows in sheets.items():
        body = "".join(
            "<table:table-row>"
            + "".join(_ods_cell(v) for v in row)
            + '<table:table-cell table:number-columns-repeated="1000"/></table:table-row>'
            for row in rows
        )
        body += '<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
        tables.append(f"<table:table table:name={quoteattr(name)}>{body}</table:table>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
        f'office:version="1.3"><office:body><office:spreadsheet>{"".join(tables)}</office:spreadsheet></office:body>'
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
        'xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" '
        'manifest:media-type="text/xml"/></manifest:manifest>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
