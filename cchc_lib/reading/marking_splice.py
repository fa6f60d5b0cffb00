"""The marked copy of a large workbook without loading every row in openpyxl.

openpyxl marks a reduced copy (marking.mark_book on each sheet's header rows, problem rows and shared-formula
masters); then every sheet of openpyxl's output gets its original rows back, with the cells mark_book wrote
taken from the output. The cell formats keep their numbers (openpyxl writes the workbook's cell formats in
their order and appends the new ones), the original shared strings come first in the string table. A package
of a shape this does not handle raises Unsupported: the caller marks the whole workbook instead."""

from __future__ import annotations

import bisect
import io
import re
import zipfile
from dataclasses import dataclass

import pandas as pd
from openpyxl import load_workbook

from cchc_lib.reading.marking import LIST_SHEET, Marks, mark_book, per_sheet, problem_records
from cchc_lib.reading.package import Package, column_letters
from cchc_lib.reading.schema import HEADER_SEARCH_ROWS

__all__ = ["Unsupported", "mark_spliced"]

_SHEET_DATA = re.compile(rb"<sheetData\b[^>]*?(/?)>")
_ROW = re.compile(rb"<row\b([^>]*?)(/?)>")
_R = re.compile(rb'\sr\s*=\s*"([0-9]+)"')
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>.*?</c>)", re.DOTALL)
_CELL_REF = re.compile(rb'\sr\s*=\s*"([A-Z]{1,3})([0-9]+)"')
_COLUMN = re.compile(rb'<c\b[^>]*?\sr\s*=\s*"([A-Z]{1,3})[0-9]')
_STYLE = re.compile(rb'\ss\s*=\s*"([0-9]*)"')
_SPANS = re.compile(rb'\sspans\s*=\s*"[^"]*"')
_SHARED_MASTER = re.compile(rb'<f\b[^>]*\bt\s*=\s*"shared"[^>]*\bref\s*=')
_STRING_INDEX = re.compile(rb"(<v>)([0-9]+)(</v>)")
_STRING_ITEM = re.compile(rb"<si[\s>/]")
_DIMENSION = re.compile(rb"<dimension\b[^>]*/>")
_SST_START = re.compile(rb"<sst\b[^>]*>")
_COUNTS = re.compile(rb'\s(?:count|uniqueCount)\s*=\s*"[0-9]*"')
_ROOT = re.compile(rb"<worksheet\b[^>]*>")
_DECLARATION = re.compile(rb'\s((?:xmlns:[\w.\-]+|mc:Ignorable))\s*=\s*("[^"]*"|\'[^\']*\')')
_DEFAULT_NS = re.compile(rb'\sxmlns\s*=\s*["\']([^"\']*)["\']')
_MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
_MAX_ROW = 1_048_576


class Unsupported(Exception):
    """The package has a shape the splice does not handle (mark the whole workbook instead)."""


@dataclass
class _Sheet:
    """One worksheet's XML split into its rows: (row number, start, end) offsets, in order."""

    xml: bytes
    body: tuple[int, int]  # the sheetData content (start, end); start == end for <sheetData/>
    open_tag: tuple[int, int]  # the <sheetData ...> or <sheetData/> tag
    rows: list[tuple[int, int, int]]
    _max_column: int | None = None

    @classmethod
    def split(cls, xml: bytes) -> _Sheet:
        tag = _SHEET_DATA.search(xml)
        if tag is None:
            raise Unsupported("no sheetData (namespace prefix?)")
        if tag.group(1):
            return cls(xml, (tag.end(), tag.end()), (tag.start(), tag.end()), [])
        end = xml.find(b"</sheetData>", tag.end())
        if end < 0:
            raise Unsupported("unclosed sheetData")
        rows: list[tuple[int, int, int]] = []
        pos = tag.end()
        while (row := _ROW.search(xml, pos, end)) is not None:
            number = _R.search(row.group(1))
            if number is None:
                raise Unsupported("a row without its number")
            stop = row.end() if row.group(2) else xml.find(b"</row>", row.end(), end) + len(b"</row>")
            if stop < row.end() or (rows and int(number.group(1)) <= rows[-1][0]):
                raise Unsupported("unclosed or unordered rows")
            rows.append((int(number.group(1)), row.start(), stop))
            pos = stop
        return cls(xml, (tag.end(), end), (tag.start(), tag.end()), rows)

    def row_bytes(self, index: int) -> bytes:
        _, start, stop = self.rows[index]
        return self.xml[start:stop]

    def max_column(self) -> int:
        if self._max_column is None:
            letters = {found.group(1) for found in _COLUMN.finditer(self.xml, *self.body)}
            self._max_column = max((_column_number(x) for x in letters), default=0)
        return self._max_column

    def max_row(self) -> int:
        return self.rows[-1][0] if self.rows else 0


def mark_spliced(data: bytes, problems: pd.DataFrame | None) -> bytes:
    """marking.mark_problems(data, problems), computed on a reduced copy and spliced (see the module)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    package = Package(source)
    workbook = package.workbook_part()
    parts = package.sheet_parts()
    if workbook is None or not parts or LIST_SHEET in parts:
        raise Unsupported("no worksheets, or a problem list already (mark_book replaces it)")
    wanted = {
        name: {int(r["row"]) for r in recs if r.get("row") is not None}
        for name, recs in per_sheet(list(parts), problem_records(problems)).items()
    }
    sheets = {name: _Sheet.split(source.read(part)) for name, part in parts.items()}
    for sheet in sheets.values():
        body = sheet.xml[sheet.body[0] : sheet.body[1]]
        if b' vm="' in body or b' cm="' in body:
            raise Unsupported("cell metadata (openpyxl drops it)")
    reduced = {parts[name]: _reduced(sheet, wanted.get(name, set())) for name, sheet in sheets.items()}
    book = load_workbook(io.BytesIO(_rezip(source, reduced)))
    marks = mark_book(book, problems)
    small = io.BytesIO()
    book.save(small)
    return _splice(package, workbook, sheets, marks, zipfile.ZipFile(small))


def _reduced(sheet: _Sheet, wanted: set[int]) -> bytes:
    """The sheet with only the rows mark_book reads or writes (and the shared-formula masters their cells
    may need), plus an empty cell in the original's last column (mark_book adds its column after it)."""
    starts = [start for _, start, _ in sheet.rows]
    masters = {
        bisect.bisect_right(starts, found.start()) - 1
        for found in _SHARED_MASTER.finditer(sheet.xml, *sheet.body)
    }
    kept = [
        i
        for i, (number, _, _) in enumerate(sheet.rows)
        if number <= HEADER_SEARCH_ROWS or number in wanted or i in masters
    ]
    if len(kept) == len(sheet.rows):
        return sheet.xml
    last_row = sheet.max_row() + 1
    if last_row > _MAX_ROW:
        raise Unsupported("no room for the column marker row")
    marker = f'<row r="{last_row}"><c r="{column_letters(max(sheet.max_column(), 1))}{last_row}"/></row>'
    return b"".join(_with_body(sheet, [*(sheet.row_bytes(i) for i in kept), marker.encode()]))


def _with_body(sheet: _Sheet, body: list, head: bytes | None = None) -> list:
    """The pieces of `sheet`'s XML with `body` (pieces) as its sheetData content, `head` before the tag."""
    start, stop = sheet.open_tag
    open_tag = sheet.xml[start:stop]
    if open_tag.endswith(b"/>"):
        open_tag = open_tag[:-2].rstrip() + b">"
        rest = sheet.xml[stop:]
    else:
        rest = sheet.xml[sheet.body[1] :]
    prefix = head if head is not None else sheet.xml[:start]
    close = b"" if rest.startswith(b"</sheetData>") else b"</sheetData>"
    return [prefix, open_tag, *body, close, rest]


def _rezip(source: zipfile.ZipFile, replaced: dict, added: dict[str, bytes] | None = None) -> bytes:
    """`source` with the `replaced` parts (bytes, or a list of pieces written one by one: no joined copy)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.is_dir():
                continue
            content = replaced.get(info.filename)
            if isinstance(content, list):
                with target.open(info.filename, "w", force_zip64=True) as handle:
                    for piece in content:
                        handle.write(piece)
            else:
                target.writestr(info.filename, content if content is not None else source.read(info))
        for name, content in (added or {}).items():
            target.writestr(name, content)
    return buffer.getvalue()


def _splice(
    package: Package, workbook: str, sheets: dict[str, _Sheet], marks: dict[str, Marks], out: zipfile.ZipFile
) -> bytes:
    """openpyxl's output `out` with each sheet's original rows put back, the marked cells from `out`."""
    marked = Package(out)
    out_workbook = marked.workbook_part()
    out_parts = marked.sheet_parts()
    if out_workbook is None:
        raise Unsupported("openpyxl wrote no workbook")
    original_sst = package.related(workbook, "/sharedStrings")
    out_sst = marked.related(out_workbook, "/sharedStrings")
    old_strings = package.archive.read(original_sst) if original_sst else None
    offset = len(_STRING_ITEM.findall(old_strings)) if old_strings and out_sst else 0
    replaced: dict[str, bytes | list] = {}
    added: dict[str, bytes] = {}
    for name, sheet in sheets.items():
        part = out_parts.get(name)
        if part is None:
            raise Unsupported(f"sheet {name!r} missing from openpyxl's output")
        replaced[part] = _spliced_sheet(sheet, _Sheet.split(out.read(part)), marks.get(name), offset)
    listing = out_parts.get(LIST_SHEET)
    if listing is not None and offset:  # the list sheet's strings follow the original ones too
        replaced[listing] = _remap_strings(out.read(listing), offset)
    if old_strings is not None:
        if out_sst:
            replaced[out_sst] = _merged_strings(old_strings, out.read(out_sst))
        else:
            added["xl/sharedStrings.xml"] = old_strings
            rels = f"{out_workbook.rsplit('/', 1)[0]}/_rels/{out_workbook.rsplit('/', 1)[-1]}.rels"
            replaced[rels] = out.read(rels).replace(
                b"</Relationships>",
                f'<Relationship Id="rIdCchcStrings" Type="{_SST_REL}" Target="/xl/sharedStrings.xml"/>'
                "</Relationships>".encode(),
            )
            replaced["[Content_Types].xml"] = out.read("[Content_Types].xml").replace(
                b"</Types>",
                f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SST_TYPE}"/></Types>'.encode(),
            )
    return _rezip(out, replaced, added)


def _spliced_sheet(original: _Sheet, out: _Sheet, marks: Marks | None, offset: int) -> list:
    """`out`'s sheet XML around the original rows, the rows holding marks patched from `out` (pieces)."""
    by_number = {number: i for i, (number, _, _) in enumerate(out.rows)}
    numbers = [number for number, _, _ in original.rows]
    wanted: dict[int, set[int]] = {}
    for row, col in marks.cells if marks else ():
        wanted.setdefault(row, set()).add(col)
    xml = memoryview(original.xml)  # slices of it are not copies
    pieces: list = []
    pos = original.body[0]
    for row in sorted(wanted):
        if row not in by_number:
            continue  # nothing written there (a problem on a row mark_book could not place)
        marked_row = out.row_bytes(by_number[row])
        index = bisect.bisect_left(numbers, row)
        if index < len(numbers) and numbers[index] == row:
            _, start, stop = original.rows[index]
            patched = _patched_row(original.xml[start:stop], marked_row, wanted[row], marks, offset)
        else:  # a row the file does not have: inserted before the next one
            start = stop = original.rows[index][1] if index < len(numbers) else original.body[1]
            patched = _patched_row(b"", marked_row, wanted[row], marks, offset)
        pieces += [xml[pos:start], patched]
        pos = stop
    pieces.append(xml[pos : original.body[1]])
    head = _with_namespaces(out.xml[: out.open_tag[0]], original.xml[: original.open_tag[0]])
    last_col = max(original.max_column(), marks.problem_col if marks else 0, 1)
    last_row = max(original.max_row(), max(wanted, default=0), 1)
    dimension = f'<dimension ref="A1:{column_letters(last_col)}{last_row}"/>'.encode()
    return _with_body(out, pieces, _DIMENSION.sub(dimension, head, count=1))


def _with_namespaces(head: bytes, original_head: bytes) -> bytes:
    """openpyxl's sheet start with the original root's namespace declarations it lacks (and mc:Ignorable):
    Excel's rows carry attributes such as `x14ac:dyDescent` that need them."""
    root, original_root = _ROOT.search(head), _ROOT.search(original_head)
    if root is None or original_root is None:
        raise Unsupported("no worksheet root")
    default = _DEFAULT_NS.search(original_root.group(0))
    if default is not None and default.group(1) != _MAIN_NS:
        raise Unsupported("not the transitional spreadsheet namespace (Strict?)")
    present = {name for name, _ in _DECLARATION.findall(root.group(0))}
    missing = [
        (name, value) for name, value in _DECLARATION.findall(original_root.group(0)) if name not in present
    ]
    if not missing:
        return head
    extra = b"".join(b" %s=%s" % (name, value) for name, value in missing)
    tag = root.group(0)
    closed = tag[:-1].rstrip(b"/")
    return head[: root.start()] + closed + extra + tag[len(closed) :] + head[root.end() :]


def _patched_row(row: bytes, marked_row: bytes, columns: set[int], marks: Marks, offset: int) -> bytes:
    """The original `row` (b'' when the file had none) with the cells in `columns` from `marked_row`:
    a cell the file had (outside the problem column) only takes its new format; the others come whole."""
    marked = {col: cell for col, cell in _cells(marked_row)}
    if not row:
        start_tag = _ROW.match(marked_row)
        assert start_tag is not None
        row = _SPANS.sub(b"", start_tag.group(0)).rstrip(b"/>") + b"></row>"
    tag = _ROW.match(row)
    if tag is None:
        raise Unsupported("unexpected row")
    start_tag = _SPANS.sub(b"", tag.group(0))
    if tag.group(2):  # <row .../>
        start_tag = start_tag[:-2].rstrip() + b">"
        inner = b""
    else:
        inner = row[tag.end() : len(row) - len(b"</row>")]
    cells = _cells(inner)
    present = {col for col, _ in cells}
    out = []
    for col, cell in cells:
        if col in columns and col in marked:
            cell = (
                _remap_strings(marked[col], offset)
                if col == marks.problem_col
                else _restyled(cell, marked[col])
            )
        out.append((col, cell))
    for col in sorted(columns - present):
        if col in marked:
            out.append((col, _remap_strings(marked[col], offset)))
    out.sort(key=lambda item: item[0])
    leftover = _CELL.sub(b"", inner).strip()  # e.g. <extLst> after the cells
    return start_tag + b"".join(cell for _, cell in out) + leftover + b"</row>"


def _cells(inner: bytes) -> list[tuple[int, bytes]]:
    out = []
    for match in _CELL.finditer(inner):
        ref = _CELL_REF.search(match.group(1))
        if ref is None:
            raise Unsupported("a cell without its reference")
        out.append((_column_number(ref.group(1)), match.group(0)))
    return out


def _restyled(cell: bytes, marked: bytes) -> bytes:
    """`cell` with the format number of `marked`."""
    style = _STYLE.search(_CELL.match(marked).group(1))  # type: ignore[union-attr]
    new = b' s="' + (style.group(1) if style else b"0") + b'"'
    attributes = _CELL.match(cell).group(1)  # type: ignore[union-attr]
    if _STYLE.search(attributes):
        changed = _STYLE.sub(new, attributes, count=1)
    else:
        changed = attributes.rstrip(b"/") + new
    return b"<c" + changed + cell[len(b"<c") + len(attributes) :]


def _remap_strings(xml: bytes, offset: int) -> bytes:
    """Shared-string indices in the cells of `xml` moved by `offset` (the original strings come first)."""
    if not offset:
        return xml
    return _CELL.sub(lambda m: _remap_cell(m.group(0), offset), xml)


def _remap_cell(cell: bytes, offset: int) -> bytes:
    if not re.search(rb'\st\s*=\s*"s"', _CELL.match(cell).group(1)):  # type: ignore[union-attr]
        return cell
    return _STRING_INDEX.sub(lambda m: m.group(1) + str(int(m.group(2)) + offset).encode() + m.group(3), cell)


def _merged_strings(old: bytes, new: bytes) -> bytes:
    """The original string table with openpyxl's items after it (counts dropped: both are optional)."""
    old_start, new_start = _SST_START.search(old), _SST_START.search(new)
    old_end, new_end = old.rfind(b"</sst>"), new.rfind(b"</sst>")
    if old_start is None or new_start is None or old_end < 0:
        raise Unsupported("unexpected string table")
    items = new[new_start.end() : new_end] if new_end >= 0 else b""
    return (
        old[: old_start.start()]
        + _COUNTS.sub(b"", old_start.group(0))
        + old[old_start.end() : old_end]
        + items
        + b"</sst>"
    )


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - ord("A") + 1)
    return number
