"""A unit submission merged into the published workbook at the XML level, without openpyxl.

`merge_unit_rows_fast` reproduces `submissions.merge_unit_rows` (same arguments, same rows in the same
places) by rewriting only the `Hoạt động` worksheet part: the rows before the first replaced row are kept
byte for byte, the rows after it are renumbered, the submitted rows are written as new cells styled like
the template row. Every other zip entry keeps its exact bytes. Whenever the sheet holds something whose
meaning depends on row positions and is not moved here (formulas, merged cells, hyperlinks, comments,
drawings, tables, ranges that would need moving...) it returns None: the caller then uses the openpyxl
path, which is always correct to fall back on.
"""

from __future__ import annotations

import io
import itertools
import logging
import math
import posixpath
import queue
import re
import threading
import zipfile
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from html import unescape
from typing import Any

import pandas as pd
from defusedxml import ElementTree

from cchc_lib.common import cell_text
from cchc_lib.common.text import match_key
from cchc_lib.reading.model import Workbook
from cchc_lib.reading.package import Package, _column_number, column_letters
from cchc_lib.reading.schema import ACTIVITIES, HEADER_SEARCH_ROWS

__all__ = ["Placement", "merge_unit_rows_fast", "merge_unit_rows_placed"]

log = logging.getLogger(__name__)

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_Q = rb"(?:\"[^\"]*\"|'[^']*')"  # a quoted attribute value
# Tags are matched up to their first ">" (an attribute value holding ">" makes the merge fall back).
_ROW_START = re.compile(rb"<row[\s/>]")
_ROW_END = b"</row>"
_ROW_ATTR = re.compile(rb"\s([\w:]+)\s*=\s*(" + _Q + rb")")
_CELL = re.compile(rb"<c\b((?:[^>\"']|" + _Q + rb")*?)(/?)>")
# A row or cell reference written first in its tag (`<row r="12"`, `<c r="AB12"`), split into (start,
# row digits, quote): every moved row and cell must start so, so that renumbering is a split, a dict
# look-up per reference and a join (no Python call per cell).
_REF_SPLIT = re.compile(rb'(<row r="|<c r="[A-Z]{1,3})(\d+)(")')
_ROW_FIRST_R = re.compile(rb'<row r="(\d+)"')
_SELF_CLOSED_ROW = re.compile(rb"<row\b[^>]*/>")
_MAIN_PREFIX = re.compile(
    rb"xmlns:[\w.\-]+\s*=\s*[\"']http://schemas\.openxmlformats\.org/spreadsheetml/2006/main"
)
# Rows renumbered per split (bounds the memory of the split parts).
_ROWS_PER_SPLIT = 4096
# Pieces of the rewritten sheet waiting for the compressing thread (a few MB each at most).
_PIECES_QUEUED = 8
_CELL_ATTR = re.compile(rb"\s([rst])\s*=\s*[\"']([^\"']*)[\"']")
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?f[\s/>]")
_SHEET_DATA = re.compile(rb"<sheetData\b[^>]*?(/?)>")
_DIMENSION = re.compile(rb"(<dimension\b[^>]*?\sref\s*=\s*[\"'])([^\"']*)([\"'])")
_RANGE = re.compile(r"^\$?([A-Za-z]{1,3})?\$?(\d{1,7})?(?::\$?([A-Za-z]{1,3})?\$?(\d{1,7})?)?$")
_SQREF = re.compile(rb"\b(?:sqref|ref)\s*=\s*[\"']([^\"']*)[\"']")
_MERGE_REF = re.compile(rb"<mergeCell\b[^>]*?\sref\s*=\s*[\"']([^\"']*)[\"']")
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_LAST_ROW = 1_048_576
# zlib level of the rewritten sheet: 1 deflates about three times faster than the default for XML.
_SHEET_LEVEL = 1
# Only these relationships of the sheet are harmless when rows move (hyperlinks are checked apart).
_SAFE_RELATIONSHIPS = ("/hyperlink", "/printerSettings")
# Built-in number formats calamine and openpyxl both read as dates.
_DATE_BUILTINS = set(range(14, 23)) | {45, 46, 47}
# Sections after sheetData whose ranges decide whether rows can move (checked by _check_ranges).
_RANGED = (b"<conditionalFormatting", b"<dataValidation", b"<autoFilter")
# Sections whose presence at all sends the merge to the openpyxl path.
_REFUSED = (b"<sortState", b"<protectedRange", b"<tableParts", b"<legacyDrawing", b"<drawing", b"<oleObjects")


def _has_formula(data: bytes) -> bool:
    """Whether a worksheet holds a formula element (markers looked for first: the regex is slow)."""
    markers = (b"<f>", b"<f ", b"<f/", b":f>", b":f ", b":f/")
    return any(marker in data for marker in markers) and _FORMULA.search(data) is not None


class _Unsafe(Exception):
    """The XML-level merge cannot be sure to mean what the openpyxl merge means."""


@dataclass(frozen=True)
class Placement:
    """Where an XML-level merge put the rows of `Hoạt động`: a kept row numbered `r` >= `start` is now
    `moves[r]` (rows above `start` did not move), the submitted rows (sorted by date, then file row) are
    rows `new_at`.. `new_at + count - 1`. `probe`: the merged package again with only the sheet's rows
    above its first activity row (`probe_at`) and, from that row on, the new rows' cells as written, to
    read what was written without reading the rest."""

    start: int
    moves: dict[int, int]
    new_at: int
    count: int
    probe_at: int
    probe: bytes


def merge_unit_rows_fast(
    current_bytes: bytes,
    before: Workbook,
    submitted: pd.DataFrame,
    unit_code: str,
    date_range: tuple[date, date],
    replaced: pd.Series | None = None,
) -> bytes | None:
    """`merge_unit_rows` done on the sheet XML, or None when that is not safe (use the openpyxl path)."""
    placed = merge_unit_rows_placed(current_bytes, before, submitted, unit_code, date_range, replaced)
    return placed[0] if placed is not None else None


def merge_unit_rows_placed(
    current_bytes: bytes,
    before: Workbook,
    submitted: pd.DataFrame,
    unit_code: str,
    date_range: tuple[date, date],
    replaced: pd.Series | None = None,
    *,
    probe: bool = False,
) -> tuple[bytes, Placement | None] | None:
    """As merge_unit_rows_fast, with where the rows went (`probe`: and the probe package built) or None."""
    try:
        with zipfile.ZipFile(io.BytesIO(current_bytes)) as archive:
            # a stored version Excel would not open (published before opc's checks) is not carried on
            _need("[Content_Types].xml" in archive.namelist(), "no [Content_Types].xml")
        return _merge(current_bytes, before, submitted, unit_code, date_range, replaced, probe)
    except _Unsafe as exc:
        log.info("unit merge falls back to openpyxl: %s", exc)
        return None
    except Exception as exc:  # never a half-made file: the openpyxl path decides
        log.warning(
            "unit merge at the XML level failed (%s: %s); openpyxl path used", type(exc).__name__, exc
        )
        return None


def _need(condition: object, reason: str) -> None:
    if not condition:
        raise _Unsafe(reason)


class _Row:
    """One <row> element of sheetData: its number, its bytes, and its cells parsed on demand."""

    __slots__ = ("_cells", "number", "xml")

    def __init__(self, number: int, xml: bytes) -> None:
        self.number = number
        self.xml = xml
        self._cells: dict[int, tuple[dict[bytes, bytes], bytes]] | None = None

    def cells(self) -> dict[int, tuple[dict[bytes, bytes], bytes]]:
        """Column -> (attributes r/s/t, content between the tags)."""
        if self._cells is None:
            out: dict[int, tuple[dict[bytes, bytes], bytes]] = {}
            for match in _CELL.finditer(self.xml):
                attrs = dict(_CELL_ATTR.findall(match.group(1)))
                ref = re.match(rb"^([A-Za-z]{1,3})(\d+)$", attrs.get(b"r", b""))
                _need(ref and int(ref.group(2)) == self.number, f"cell reference in row {self.number}")
                content = b""
                if not match.group(2):
                    end = self.xml.find(b"</c>", match.end())
                    _need(end >= 0, "unclosed cell")
                    content = self.xml[match.end() : end]
                column = _column_number(ref.group(1).decode())  # type: ignore[union-attr]
                _need(column not in out, f"two cells in one place in row {self.number}")
                out[column] = (attrs, content)
            self._cells = out
        return self._cells


class _Rows:
    """The <row> elements of sheetData (`data[low:high]`) by position: each from its `<row` to the next."""

    def __init__(self, data: bytes, low: int, high: int) -> None:
        self.body, self.low, self.high = data, low, high
        self.starts = [match.start() for match in _ROW_START.finditer(data, low, high)]
        _need(not data[low : self.starts[0] if self.starts else high].strip(), "content outside rows")
        numbers = _ROW_FIRST_R.findall(data, low, high)
        _need(len(numbers) == len(self.starts), "a row without a number written first")
        self.numbers = [int(n) for n in numbers]
        closed = data.count(_ROW_END, low, high) + len(_SELF_CLOSED_ROW.findall(data, low, high))
        _need(closed == len(self.starts), "rows not closed where they end")
        pairs = zip(self.numbers, self.numbers[1:], strict=False)
        in_range = not self.numbers or 1 <= self.numbers[0] <= self.numbers[-1] <= _LAST_ROW
        _need(in_range and all(a < b for a, b in pairs), "rows out of order")
        self.index = {number: i for i, number in enumerate(self.numbers)}
        self._rows: dict[int, _Row] = {}

    def end(self, i: int) -> int:
        return self.starts[i + 1] if i + 1 < len(self.starts) else self.high

    def get(self, number: int) -> _Row | None:
        i = self.index.get(number)
        if i is None:
            return None
        if number not in self._rows:
            self._rows[number] = _Row(number, self.body[self.starts[i] : self.end(i)].rstrip())
        return self._rows[number]

    def has_cells(self, i: int) -> bool:
        return self.body.find(b"<c", self.starts[i], self.end(i)) >= 0  # no other element in a row starts so

    def renumbered(self, first: int, last: int, mapping: dict[bytes, bytes]) -> Iterator[bytes]:
        """Rows first..last-1 (positions) with every row and cell reference mapped (old -> new digits),
        `_ROWS_PER_SPLIT` rows at a time."""
        for a in range(first, last, _ROWS_PER_SPLIT):
            b = min(last, a + _ROWS_PER_SPLIT)
            piece = self.body[self.starts[a] : self.end(b - 1)]
            parts = _REF_SPLIT.split(piece)
            refs = len(parts) // 4
            _need(refs == piece.count(b"<c") + (b - a), "a row or cell reference not written first")
            try:
                parts[2::4] = [mapping[digits] for digits in parts[2::4]]
            except KeyError as exc:
                raise _Unsafe("a cell outside its row") from exc
            yield b"".join(parts)


class _Strings:
    """The shared strings a few cells need, read streaming up to the highest index needed."""

    def __init__(self, archive: zipfile.ZipFile, package: Package, workbook_part: str) -> None:
        self.archive = archive
        self.part = None
        for _, kind, target in package._relationships(workbook_part):
            if kind.endswith("/sharedStrings") and package.info(target) is not None:
                self.part = package.info(target)
        self.cache: list[str] = []
        self._done = False

    def get(self, index: int) -> str:
        _need(self.part is not None, "shared string without a table")
        if len(self.cache) <= index and not self._done:
            self._read(index)
        _need(index < len(self.cache), "shared string index out of range")
        return self.cache[index]

    def _read(self, index: int) -> None:
        self.cache = []
        si = f"{{{_MAIN_NS}}}si"
        with self.archive.open(self.part) as handle:  # type: ignore[arg-type]
            for _, element in ElementTree.iterparse(handle, events=("end",)):
                if element.tag != si:
                    continue
                self.cache.append(_item_text(element))
                element.clear()
                if len(self.cache) > index:
                    return
        self._done = True


def _item_text(element: Any) -> str:
    """The text of an <si>/<is> item as openpyxl gives it: its <t> and rich runs' <t>, no phonetics."""
    t, r = f"{{{_MAIN_NS}}}t", f"{{{_MAIN_NS}}}r"
    parts = []
    for child in element:
        if child.tag == t:
            parts.append(child.text or "")
        elif child.tag == r:
            parts.extend(g.text or "" for g in child if g.tag == t)
    return "".join(parts)


def _text_value(attrs: dict[bytes, bytes], content: bytes, strings: _Strings) -> str | None:
    """The text of a string cell (as openpyxl reads it); None for any other cell."""
    kind = attrs.get(b"t", b"n")
    if kind == b"s":
        match = re.search(rb"<v>\s*(\d+)\s*</v>", content)
        return strings.get(int(match.group(1))) if match else None
    if kind == b"str":
        match = re.search(rb"<v>(.*?)</v>", content, re.DOTALL)
        return unescape(match.group(1).decode("utf-8")) if match else None
    if kind == b"inlineStr":
        match = re.search(rb"<is\b.*?</is>", content, re.DOTALL)
        if not match:
            return None
        root = ElementTree.fromstring(b'<is xmlns="' + _MAIN_NS.encode() + b'">' + match.group(0)[3:])
        return _item_text(root)
    return None


def _header(rows: _Rows, strings: _Strings) -> tuple[int, dict[str, int]]:
    """As submissions._header: the header row of `Hoạt động` and field -> column."""
    by_key = {match_key(c.header): c.field for c in ACTIVITIES.columns}
    required = {c.field for c in ACTIVITIES.columns if c.required}
    for number in range(1, HEADER_SEARCH_ROWS + 1):
        row = rows.get(number)
        if row is None:
            continue
        found: dict[str, int] = {}
        for column, (attrs, content) in sorted(row.cells().items()):
            value = _text_value(attrs, content, strings)
            fieldname = by_key.get(match_key(value)) if value is not None else None
            if fieldname and fieldname not in found:
                found[fieldname] = column
        if required <= set(found):
            return number, found
    raise _Unsafe("no header row")


def _types_as_codes(rows: dict[int, _Row], column: int, old: pd.DataFrame, strings: _Strings) -> bool:
    """As submissions._types_written_as_codes, on the XML cells."""
    for record in old.head(20).itertuples(index=False):
        row = rows.get(int(record.row))
        cell = row.cells().get(column) if row is not None else None
        value = _text_value(*cell, strings) if cell is not None else None
        if isinstance(value, str) and value.strip():
            return match_key(value) == match_key(record.type_code)
    return True


def _date_styles(archive: zipfile.ZipFile, package: Package, workbook_part: str) -> set[int]:
    """Indexes of cellXfs whose number format reads as a date."""
    from openpyxl.styles.numbers import is_date_format

    styles = None
    for _, kind, target in package._relationships(workbook_part):
        if kind.endswith("/styles"):
            styles = package._xml(target)
    _need(styles is not None, "no styles part")
    custom: dict[int, str] = {}
    out: set[int] = set()
    for element in styles:  # type: ignore[union-attr]
        if element.tag == f"{{{_MAIN_NS}}}numFmts":
            for fmt in element:
                custom[int(fmt.get("numFmtId", "-1"))] = fmt.get("formatCode") or ""
    for element in styles:  # type: ignore[union-attr]
        if element.tag == f"{{{_MAIN_NS}}}cellXfs":
            for index, xf in enumerate(element):
                fmt_id = int(xf.get("numFmtId", "0"))
                dated = is_date_format(custom[fmt_id]) if fmt_id in custom else fmt_id in _DATE_BUILTINS
                if dated:
                    out.add(index)
    return out


def _bounds(reference: str) -> tuple[int, int, int, int]:
    """(first row, last row, first column, last column) of an A1 range; whole columns/rows included."""
    match = _RANGE.match(reference.strip())
    _need(match, f"range {reference!r}")
    c1, r1, c2, r2 = match.groups()  # type: ignore[union-attr]
    if c2 is None and r2 is None and reference.count(":") == 0:
        c2, r2 = c1, r1
    first_row = int(r1) if r1 else 1
    last_row = int(r2) if r2 else _LAST_ROW
    first_col = _column_number(c1) if c1 else 1
    last_col = _column_number(c2) if c2 else 16384
    return first_row, last_row, first_col, last_col


def _check_tail(tail: bytes, start: int, extent: int) -> None:
    """Everything after sheetData: ranges at rows >= start must not need moving."""
    for marker in _REFUSED:
        _need(marker not in tail, marker.decode())
    for match in _MERGE_REF.finditer(tail):
        _need(_bounds(match.group(1).decode())[1] < start, "merged cells in the moved rows")
    links = tail.find(b"<hyperlinks")
    if links >= 0:
        end = tail.find(b"</hyperlinks>", links)
        for match in _SQREF.finditer(tail, links, end if end >= 0 else len(tail)):
            _need(_bounds(match.group(1).decode())[1] < start, "hyperlink in the moved rows")
    extension = tail.find(b"<extLst")
    _need(extension < 0 or b"sqref" not in tail[extension:], "ranges in an extension")
    for marker in _RANGED:
        position = tail.find(marker)
        while position >= 0:
            close = tail.find(b">", position)
            for match in _SQREF.finditer(tail[position : close + 1]):
                for reference in match.group(1).decode().split():
                    first, last, _, _ = _bounds(reference)
                    # entirely above the rows that move, or covering all of them before and after
                    _need(last < start or (first <= start and last >= extent), f"range {reference}")
            position = tail.find(marker, close)


def _check_relationships(package: Package, part: str) -> None:
    """Only harmless relationships on the sheet (a relationships part that does not parse is not)."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    _need(package.info(rels) is None or package._xml(rels) is not None, "unreadable sheet relationships")
    for _, kind, _ in package._relationships(part):
        _need(kind.endswith(_SAFE_RELATIONSHIPS), f"sheet relationship {kind.rsplit('/', 1)[-1]}")


def _escape(text: str) -> bytes:
    text = _ILLEGAL.sub("", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return text.encode("utf-8")


def _number(value: float | int) -> bytes:
    if isinstance(value, float):
        _need(math.isfinite(value), "a number that is not finite")
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value)).encode()
        return repr(value).encode()
    return str(value).encode()


class _NewRow:
    """Writes one submitted activity as a <row> of cells styled like the template row."""

    def __init__(
        self,
        template: _Row,
        columns: dict[str, int],
        type_as_code: bool,
        type_names: dict[str, str],
        epoch: datetime,
        date_styles: set[int],
    ) -> None:
        cells = template.cells()
        self.styles = {col: attrs.get(b"s") for col, (attrs, _) in cells.items()}
        self.fields = {col: name for name, col in columns.items()}
        self.order = sorted(set(self.styles) | set(self.fields))
        self.type_as_code = type_as_code
        self.type_names = type_names
        self.epoch = epoch
        date_cell = cells.get(columns["date"])
        _need(date_cell is not None, "template row without a date cell")
        attrs, content = date_cell  # type: ignore[misc]
        style = attrs.get(b"s", b"0")
        _need(attrs.get(b"t", b"n") == b"n" and b"<v>" in content, "template date is not a number")
        _need(style.isdigit() and int(style) in date_styles, "template date style is not a date format")
        start_tag = template.xml[: template.xml.find(b">") + 1]
        kept = [
            (name, value)
            for name, value in _ROW_ATTR.findall(start_tag)
            if name not in (b"r", b"spans", b"hidden", b"collapsed", b"outlineLevel")
        ]
        self.row_attrs = b"".join(b" " + name + b"=" + value for name, value in kept)

    def xml(self, number: int, record: dict[str, Any]) -> bytes:
        row = str(number).encode()
        parts = [b'<row r="' + row + b'"' + self.row_attrs + b">"]
        for col in self.order:
            ref = column_letters(col).encode() + row
            style = self.styles.get(col)
            head = b'<c r="' + ref + b'"' + (b' s="' + style + b'"' if style is not None else b"")
            fieldname = self.fields.get(col)
            value = cell_text.value_of(record.get(fieldname)) if fieldname else None
            if fieldname == "type_code" and not self.type_as_code and value is not None:
                value = self.type_names.get(value, value)
            parts.append(self._cell(head, fieldname, value))
        parts.append(b"</row>")
        return b"".join(parts)

    def _cell(self, head: bytes, fieldname: str | None, value: Any) -> bytes:
        from openpyxl.utils.datetime import to_excel

        if value is None:
            return head + b"/>"
        if isinstance(value, str):
            return head + b' t="inlineStr"><is><t xml:space="preserve">' + _escape(value) + b"</t></is></c>"
        if isinstance(value, bool):
            return head + b' t="b"><v>' + (b"1" if value else b"0") + b"</v></c>"
        if isinstance(value, (int, float)):
            return head + b"><v>" + _number(value) + b"</v></c>"
        if isinstance(value, (datetime, date)) and fieldname == "date":
            return head + b"><v>" + _number(to_excel(value, self.epoch)) + b"</v></c>"
        raise _Unsafe(f"value of type {type(value).__name__} in {fieldname}")


def _without_calc_chain(
    archive: zipfile.ZipFile, package: Package, workbook_part: str
) -> tuple[str | None, dict[str, bytes]]:
    """The calcChain entry to leave out and the two parts rewritten without it (none: no calcChain)."""
    chain = None
    for _, kind, target in package._relationships(workbook_part):
        if kind.endswith("/calcChain") and package.info(target) is not None:
            chain = package.info(target).filename  # type: ignore[union-attr]
    if chain is None:
        return None, {}
    folder, name = posixpath.split(workbook_part)
    rels = package.info(posixpath.join(folder, "_rels", f"{name}.rels"))
    types = package.info("[Content_Types].xml")
    _need(rels is not None and types is not None, "calcChain without its parts")
    element = re.compile(rb"<(Relationship|Override)\b[^>]*?calcChain[^>]*?/>", re.IGNORECASE)
    changed = {}
    for info in (rels, types):
        content = archive.read(info)  # type: ignore[arg-type]
        new, count = element.subn(b"", content)
        _need(count == 1, "calcChain listed oddly")
        changed[info.filename] = new  # type: ignore[union-attr]
    return chain, changed


def _merge(
    current_bytes: bytes,
    before: Workbook,
    submitted: pd.DataFrame,
    unit_code: str,
    date_range: tuple[date, date],
    replaced: pd.Series | None = None,
    probe: bool = False,
) -> tuple[bytes, Placement | None]:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

    from cchc_lib.publishing.submissions import _replaced

    archive = zipfile.ZipFile(io.BytesIO(current_bytes))
    _need(not any(info.flag_bits & 1 for info in archive.infolist()), "encrypted entry")
    _need(len({i.filename for i in archive.infolist()}) == len(archive.infolist()), "duplicate entry")
    package = Package(archive)
    workbook_part = package.workbook_part()
    _need(workbook_part, "no workbook part")
    sheets = package.sheet_parts()
    matching = [part for name, part in sheets.items() if match_key(name) == match_key(ACTIVITIES.name)]
    _need(len(matching) == 1, "no single Hoạt động sheet")
    part = matching[0]
    for other in sheets.values():
        if other != part:
            with archive.open(other) as handle:
                _need(not _has_formula(handle.read()), "formulas in another sheet")
    _check_relationships(package, part)
    data = archive.read(part)
    opening = _SHEET_DATA.search(data)
    _need(opening and not opening.group(1), "no sheet data")
    closing = data.find(b"</sheetData>", opening.end())  # type: ignore[union-attr]
    _need(closing >= 0 and data.find(b"<sheetData", closing) < 0, "sheet data in two places")
    head, tail = data[: opening.end()], data[closing:]  # type: ignore[union-attr]
    _need(not _MAIN_PREFIX.search(head) and not _MAIN_PREFIX.search(tail), "a prefixed namespace")
    low, high = opening.end(), closing  # type: ignore[union-attr]
    _need(data.find(b"<f", low, high) < 0, "formulas in the sheet")
    _need(data.find(b"spreadsheetml", low, high) < 0, "a namespace declared in the rows")
    rows = _Rows(data, low, high)
    strings = _Strings(archive, package, workbook_part)  # type: ignore[arg-type]

    header_row, columns = _header(rows, strings)
    old = before.activities
    drop_mask = replaced if replaced is not None else _replaced(old, unit_code, date_range)
    drop = {int(r) for r in old.loc[drop_mask, "row"]}
    remaining = [int(r) for r in old.loc[~drop_mask, "row"]]
    count = len(rows.numbers)
    last_cell = next((i for i in range(count - 1, -1, -1) if rows.has_cells(i)), None)
    max_row = max(rows.numbers[last_cell] if last_cell is not None else 0, header_row)
    insert_after = max(remaining) if remaining else header_row
    start = min([*drop, insert_after + 1])
    _need(insert_after > header_row and insert_after in rows.index, "no template row")
    _need(all(r in rows.index for r in drop), "a replaced row is not in the sheet")

    new_rows = submitted.sort_values(["date", "row"], kind="stable").to_dict("records")
    # Where each row from `start` on goes: kept rows close up over the dropped ones, the new rows come
    # right after insert_after (or after max_row), as in merge_unit_rows.
    mapping: dict[bytes, bytes] = {}
    target = start
    new_at = None
    for r in range(start, max_row + 1):
        if r == insert_after + 1:
            new_at = target
            target += len(new_rows)
        if r not in drop:
            mapping[str(r).encode()] = str(target).encode()
            target += 1
    if new_at is None:
        new_at = target
        target += len(new_rows)
    extent = max(max_row, target - 1)
    _check_tail(tail, start, extent)

    type_names = dict(
        zip(before.activity_types["type_code"], before.activity_types["type_name"], strict=False)
    )
    writer = _NewRow(
        rows.get(insert_after),  # type: ignore[arg-type]
        columns,
        _types_as_codes(rows, columns["type_code"], old, strings),
        type_names,
        CALENDAR_MAC_1904 if package.date1904() else CALENDAR_WINDOWS_1900,
        _date_styles(archive, package, workbook_part),  # type: ignore[arg-type]
    )

    first = bisect_left(rows.numbers, start)  # position of the first row that moves
    beyond = bisect_right(rows.numbers, max_row)  # rows after it hold no cells
    kept = data[low : rows.starts[first] if first < count else high]
    probe_at = int(old["row"].min())  # the probe: the rows above the first activity row, then the new rows
    top = bisect_left(rows.numbers, probe_at)
    above = data[low : rows.starts[top] if top < count else high]
    written = [writer.xml(new_at + k, record) for k, record in enumerate(new_rows)]
    before_new = bisect_right(rows.numbers, insert_after)
    last_written = max(
        new_at + len(new_rows) - 1 if new_rows else 0,
        int(mapping.get(str(rows.numbers[last_cell]).encode(), b"0")) if last_cell is not None else 0,
        next((rows.numbers[i] for i in range(first - 1, -1, -1) if rows.has_cells(i)), 0),
    )
    head = _dimension(head, last_written, max(columns.values()))
    chain, changed = _without_calc_chain(archive, package, workbook_part)  # type: ignore[arg-type]
    moved = _moved_rows(rows, (first, before_new, beyond), drop, mapping, written)
    # cell-less rows after the last cell row (heights, styles) stay where nothing was written
    left = (
        rows.body[rows.starts[i] : rows.end(i)] for i in range(beyond, count) if rows.numbers[i] >= target
    )
    pieces = itertools.chain((head, kept), moved, left, (tail,))
    merged = _write_streamed(archive, part, pieces, chain, changed)
    if not probe:
        return merged, None
    moves = {int(old_row): int(new_row) for old_row, new_row in mapping.items()}
    probe_rows = _moved(b"".join(written), {new_at + k: probe_at + k for k in range(len(new_rows))})
    probe_head = _dimension(head, probe_at + len(new_rows) - 1, max(columns.values()))
    sample = _write(archive, part, [probe_head, above, probe_rows, tail], chain, changed)
    return merged, Placement(start, moves, new_at, len(new_rows), probe_at, sample)


def _moved_rows(
    rows: _Rows,
    bounds: tuple[int, int, int],
    drop: set[int],
    mapping: dict[bytes, bytes],
    written: list[bytes],
) -> Iterator[bytes]:
    """The rows from position `first` on, renumbered, the dropped ones left out and the `written` rows put
    after position `before_new` (`bounds` = first, before_new, beyond: the rows from `beyond` on hold no
    cells), piece by piece as they are made."""
    first, before_new, beyond = bounds
    for low, high in ((first, before_new), (before_new, beyond)):
        position = low
        while position < high:  # runs of rows that are not dropped
            if rows.numbers[position] in drop:
                position += 1
                continue
            run = position
            while run < high and rows.numbers[run] not in drop:
                run += 1
            yield from rows.renumbered(position, run, mapping)
            position = run
        if low == first:
            yield from written


def _moved(xml: bytes, rows: dict[int, int]) -> bytes:
    """Rows written here (every row and cell reference first in its tag) with their numbers moved."""
    parts = _REF_SPLIT.split(xml)
    mapping = {str(old).encode(): str(new).encode() for old, new in rows.items()}
    parts[2::4] = [mapping[digits] for digits in parts[2::4]]
    return b"".join(parts)


def _dimension(head: bytes, last_row: int, last_column: int) -> bytes:
    """The sheet's <dimension ref> ending at `last_row` (its first cell kept, columns never shrink)."""
    match = _DIMENSION.search(head)
    if match is None:
        return head
    reference = match.group(2).decode()
    first_row, _, _, last_col = _bounds(reference)
    corner = f"{column_letters(max(last_col, last_column))}{max(last_row, first_row)}"
    value = f"{reference.split(':')[0]}:{corner}".encode()
    return head[: match.start(2)] + value + head[match.end(2) :]


def _write_streamed(
    archive: zipfile.ZipFile, part: str, pieces: Iterable[bytes], chain: str | None, changed: dict[str, bytes]
) -> bytes:
    """As _write, with `part`'s pieces deflated in a second thread while this one makes them: zlib and
    crc32 let go of the interpreter lock, so on two cores the renumbering and the compression overlap (and
    only a few pieces are held at a time). An error while making the pieces is raised here, once the
    writer has stopped; the half-written package is dropped."""
    feed: queue.Queue = queue.Queue(maxsize=_PIECES_QUEUED)
    outcome: dict[str, Any] = {}

    def consume() -> None:
        try:
            outcome["bytes"] = _write(archive, part, iter(feed.get, None), chain, changed)
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc
            while feed.get() is not None:  # let the maker finish without blocking
                pass

    writer = threading.Thread(target=consume, name="sheet-merge-writer", daemon=True)
    writer.start()
    try:
        for piece in pieces:
            feed.put(piece)
    finally:
        feed.put(None)
        writer.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["bytes"]


def _write(
    archive: zipfile.ZipFile, part: str, pieces: Iterable[bytes], chain: str | None, changed: dict[str, bytes]
) -> bytes:
    """The package again: `part` from `pieces`, `chain` left out, `changed` parts replaced, the rest as is."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as out:
        for info in archive.infolist():
            if info.filename == chain:
                continue
            copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            copy.compress_type = info.compress_type
            copy.external_attr = info.external_attr
            copy.create_system = info.create_system
            if info.filename == part:
                copy._compresslevel = _SHEET_LEVEL  # type: ignore[attr-defined]
                with out.open(copy, "w", force_zip64=True) as handle:
                    for piece in pieces:
                        handle.write(piece)
            else:
                content = changed[info.filename] if info.filename in changed else archive.read(info)
                out.writestr(copy, content)
    return buffer.getvalue()
