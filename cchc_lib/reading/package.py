"""Inside an .xlsx package: where the workbook and its sheets are, the date system, and the cells
calamine cannot show (formula errors, formulas saved without a value), found by a streaming scan."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from xml.sax.saxutils import escape

from defusedxml import ElementTree

__all__ = [
    "CellFlags",
    "FormulaCell",
    "Package",
    "column_letters",
    "open_package",
]

# Small XML parts (workbook, relationships) are read whole up to this size; Excel writes a few KB.
SMALL_PART_BYTES = 16 * 1024 * 1024
CHUNK = 1024 * 1024
_QUOTE = {'"': "&quot;"}
_OFFICE_DOCUMENT = "/officeDocument"  # relationship type suffix of the workbook part
_WORKSHEET = "/worksheet"
_CELL_START = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?c[\s/>]")
_FORMULA_CELL = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?c\b([^>]*?)(>)\s*(<(?:[A-Za-z_][\w.\-]*:)?f[\s/>])")
_ERROR_CELL = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?c\b([^>]*?\bt\s*=\s*[\"']e[\"'][^>]*?)(/>|>)()")
_CELL_END = re.compile(rb"</(?:[A-Za-z_][\w.\-]*:)?c\s*>")
# A formula element or an error type: only segments holding one are looked at cell by cell. The
# markers are `<f>` `<f ` `<f/` `:f>` `:f ` `:f/` (formula) and `="e"` `='e'` `= "e"` (error). Each
# pattern starts with a letter and looks behind for the rest, so that re scans for that one byte: one
# pass each over a 1 MB segment, where the nine `marker in segment` scans cost 8 times more.
_FORMULA_MARKER = re.compile(rb"f[> /](?<=[<:]f[> /])")
_ERROR_MARKER = re.compile(rb"""e(?:"(?<=="e")|"(?<== "e")|'(?<=='e'))""")


def _interesting(segment: bytes) -> bool:
    return _FORMULA_MARKER.search(segment) is not None or _ERROR_MARKER.search(segment) is not None


_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?f[\s/>]")
_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?v\s*(/>|>(.*?)</(?:[A-Za-z_][\w.\-]*:)?v\s*>)", re.DOTALL)
_ATTR = re.compile(rb"\b([rt])\s*=\s*[\"']([^\"']*)[\"']")
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


@dataclass(frozen=True)
class FormulaCell:
    """A cell whose value the file does not hold: a formula error (`error` = '#REF!' ...) or a
    formula saved without its computed value (`error` = None)."""

    ref: str
    error: str | None = None


@dataclass
class CellFlags:
    """Cells of one sheet calamine reads as empty although they are not: (row, col) 1-based."""

    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    uncached: set[tuple[int, int]] = field(default_factory=set)
    # Flagged cells without an `r` reference: they cannot be placed, so the sheet is in doubt.
    unplaced: int = 0

    def __bool__(self) -> bool:
        return bool(self.errors or self.uncached or self.unplaced)


def column_letters(number: int) -> str:
    """1 -> `A`, 27 -> `AA`, 16384 -> `XFD`."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + (ord(letter) - ord("A") + 1)
    return number


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class Package:
    """A zip archive read as an OOXML package (names looked up case-insensitively)."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self._names: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            self._names.setdefault(info.filename.lower(), info)

    def info(self, part: str) -> zipfile.ZipInfo | None:
        return self._names.get(part.lstrip("/").lower())

    def _xml(self, part: str):
        info = self.info(part)
        if info is None or info.file_size > SMALL_PART_BYTES:
            return None
        with self.archive.open(info) as handle:
            data = handle.read(SMALL_PART_BYTES + 1)
        try:
            return ElementTree.fromstring(data)
        except Exception:  # malformed or forbidden (DTD) XML: treated as absent
            return None

    def parsed(self, part: str):
        """The root element of a small XML part (defusedxml), None when absent, too big or malformed."""
        return self._xml(part)

    def _relationships(self, part: str) -> list[tuple[str, str, str]]:
        """(id, type, target part) of the relationships of `part` ('' = the package itself)."""
        folder, name = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", f"{name}.rels")
        root = self._xml(rels)
        if root is None:
            return []
        out = []
        for element in root:
            if _local(element.tag) != "Relationship" or element.get("TargetMode") == "External":
                continue
            target = element.get("Target") or ""
            if target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = posixpath.normpath(posixpath.join(folder, target))
            out.append((element.get("Id") or "", element.get("Type") or "", resolved))
        return out

    def related(self, part: str, kind: str) -> str | None:
        """The stored name of the first part `part` relates to with a type ending in `kind` (e.g.
        '/sharedStrings'), None when there is none."""
        for _, rel_kind, target in self._relationships(part):
            if rel_kind.endswith(kind) and self.info(target) is not None:
                return self.info(target).filename  # type: ignore[union-attr]
        return None

    def workbook_part(self) -> str | None:
        """The workbook part, found through the package relationships (usually xl/workbook.xml)."""
        for _, kind, target in self._relationships(""):
            if kind.endswith(_OFFICE_DOCUMENT) and self.info(target) is not None:
                return self.info(target).filename  # type: ignore[union-attr]
        fallback = self.info("xl/workbook.xml")
        return fallback.filename if fallback is not None else None

    def sheet_parts(self) -> dict[str, str]:
        """Sheet name -> worksheet part, in the workbook's order (chartsheets left out)."""
        part = self.workbook_part()
        if part is None:
            return {}
        root = self._xml(part)
        if root is None:
            return {}
        targets = {
            rid: target for rid, kind, target in self._relationships(part) if kind.endswith(_WORKSHEET)
        }
        out: dict[str, str] = {}
        for element in root.iter():
            if _local(element.tag) != "sheet":
                continue
            rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            target = targets.get(rid or "")
            if target is not None and self.info(target) is not None:
                out.setdefault(element.get("name") or "", self.info(target).filename)  # type: ignore[union-attr]
        return out

    def date1904(self) -> bool:
        """True when the workbook counts serial dates from 1904 (`<workbookPr date1904="1">`)."""
        part = self.workbook_part()
        root = self._xml(part) if part else None
        if root is None:
            return False
        for element in root:
            if _local(element.tag) == "workbookPr":
                return (element.get("date1904") or "").strip().lower() in ("1", "true", "on")
        return False

    def standard_layout(self) -> bytes | None:
        """The package rewritten with its workbook part at xl/workbook.xml (where calamine looks for it),
        or None when it is there already or cannot be moved. Relationship targets become absolute."""
        part = self.workbook_part()
        if part is None or part.lower() == "xl/workbook.xml" or self.info("xl/workbook.xml") is not None:
            return None
        folder, name = posixpath.split(part)
        old_rels = posixpath.join(folder, "_rels", f"{name}.rels").lower()
        rels = [(rid, kind, target) for rid, kind, target in self._relationships(part)]
        body = "".join(
            f'<Relationship Id="{escape(rid, _QUOTE)}" Type="{escape(kind, _QUOTE)}" Target="/{escape(target, _QUOTE)}"/>'
            for rid, kind, target in rels
        )
        new_rels = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
            f'openxmlformats.org/package/2006/relationships">{body}</Relationships>'
        ).encode()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
            for info in self.archive.infolist():
                lower = info.filename.lower()
                if lower == old_rels or info.is_dir():
                    continue
                content = self.archive.read(info)
                if lower == part.lower():
                    target.writestr("xl/workbook.xml", content)
                    continue
                if lower in ("_rels/.rels", "[content_types].xml"):
                    content = re.sub(
                        rb"(Target|PartName)=([\"'])/?" + re.escape(part.encode()) + rb"\2",
                        rb"\1=\2/xl/workbook.xml\2",
                        content,
                        flags=re.IGNORECASE,
                    )
                target.writestr(info.filename, content)
            target.writestr("xl/_rels/workbook.xml.rels", new_rels)
        return buffer.getvalue()

    def cell_flags(self, part: str, limit: int) -> CellFlags:
        """Formula errors and formulas without a cached value in one worksheet, streaming."""
        flags = CellFlags()
        info = self.info(part)
        if info is None:
            return flags
        for segment in _segments(self.archive, info, limit):
            if not _interesting(segment):
                continue
            # Only formula cells and error cells are looked at one by one (the regex skips the rest).
            for pattern in (_FORMULA_CELL, _ERROR_CELL):
                for match in pattern.finditer(segment):
                    if match.group(2) == b"/>":
                        _flag(match.group(1), b"", flags)
                        continue
                    end = _CELL_END.search(segment, match.end())
                    content = segment[
                        match.end() - len(match.group(3) or b"") : end.start() if end else len(segment)
                    ]
                    _flag(match.group(1), content, flags)
        return flags


def _segments(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
    """The part in pieces that each end just before the start of a cell (no cell is cut in two)."""
    carry = b""
    read = 0
    with archive.open(info) as handle:
        while read < limit:
            chunk = handle.read(min(CHUNK, limit - read))
            if not chunk:
                break
            read += len(chunk)
            buffer = carry + chunk
            cut = _last_cell_start(buffer)
            if cut <= 0:
                carry = buffer
                continue
            yield buffer[:cut]
            carry = buffer[cut:]
    if carry:
        yield carry


def _last_cell_start(buffer: bytes) -> int:
    """Offset of the last `<c` tag in the buffer (looked for near the end first), -1 when none."""
    for start in (max(0, len(buffer) - 65536), 0):
        found = -1
        for match in _CELL_START.finditer(buffer, start):
            found = match.start()
        if found >= 0 or start == 0:
            return found
    return -1


def _flag(attributes: bytes, content: bytes, flags: CellFlags) -> None:
    attrs = {k: v for k, v in _ATTR.findall(attributes)}
    kind = attrs.get(b"t", b"").strip()
    value_match = _VALUE.search(content)
    value = (
        unescape(value_match.group(2).decode("utf-8", "replace")).strip()
        if value_match and value_match.group(2)
        else ""
    )
    if kind == b"e":
        problem: str | None = value or "#?"
    elif _FORMULA.search(content) and not value:
        # Excel writes a formula whose result is the empty text as t="str" with an empty <v>.
        if kind == b"str" and value_match is not None:
            return
        problem = None
    else:
        return
    ref = _REF.match(attrs.get(b"r", b"").decode("ascii", "replace").strip())
    if ref is None:
        flags.unplaced += 1
        return
    place = (int(ref.group(2)), _column_number(ref.group(1)))
    if problem is None:
        flags.uncached.add(place)
    else:
        flags.errors[place] = problem[:20]


_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_CALCEXT_NS = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
# Beyond this many repeated cells or rows a flagged cell is not expanded cell by cell.
_MAX_REPEAT = 100_000


def is_ods(archive: zipfile.ZipFile) -> bool:
    """True for an OpenDocument spreadsheet (its `mimetype` member says so)."""
    try:
        info = archive.getinfo("mimetype")
    except KeyError:
        return False
    if info.file_size > 200:
        return False
    return archive.read(info).strip().startswith(_ODS_MIMETYPE)


def ods_cell_flags(archive: zipfile.ZipFile, sheets: set[str]) -> dict[str, CellFlags]:
    """Formula errors and formulas without a value in the named tables of an .ods content.xml.

    calamine reads an error cell as empty, so the cells are found here, counting rows and columns
    with their repeats as calamine does (from A1). A LibreOffice error cell has
    calcext:value-type="error" (older files: a string result that is empty, shown as `#…`/`Err:…`);
    a formula without office:value-type has no saved value.
    """
    flags: dict[str, CellFlags] = {}
    try:
        info = archive.getinfo("content.xml")
    except KeyError:
        return flags
    if not _has_marker(archive, info, (b"table:formula", b'value-type="error"')):
        return flags
    table_tag = f"{{{_TABLE_NS}}}table"
    row_tag = f"{{{_TABLE_NS}}}table-row"
    cell_tags = (f"{{{_TABLE_NS}}}table-cell", f"{{{_TABLE_NS}}}covered-table-cell")
    formula_key = f"{{{_TABLE_NS}}}formula"
    value_type_key = f"{{{_OFFICE_NS}}}value-type"
    string_value_key = f"{{{_OFFICE_NS}}}string-value"
    calc_type_key = f"{{{_CALCEXT_NS}}}value-type"
    rows_key = f"{{{_TABLE_NS}}}number-rows-repeated"
    cols_key = f"{{{_TABLE_NS}}}number-columns-repeated"
    current: CellFlags | None = None
    depth = 0  # tables inside tables (rare) are not followed
    row = col = 0
    pending: list[tuple[int, str | None]] = []  # flagged cells of the current row: (column, error)
    handle = archive.open(info)
    for event, element in ElementTree.iterparse(handle, events=("start", "end")):
        tag = element.tag
        if tag == table_tag:
            if event == "start":
                depth += 1
                if depth == 1:
                    name = element.get(f"{{{_TABLE_NS}}}name") or ""
                    current = flags.setdefault(name, CellFlags()) if name in sheets else None
                    row = 0
            else:
                depth -= 1
                element.clear()
            continue
        if event != "end" or depth != 1:
            continue
        if tag == row_tag:
            repeat = _repeat(element.get(rows_key))
            if current is not None and pending:
                # A repeated row (LibreOffice writes identical rows once) repeats its flagged cells.
                if repeat > _MAX_REPEAT:
                    current.unplaced += len(pending)
                for offset in range(min(repeat, _MAX_REPEAT)):
                    for column, error in pending:
                        place = (row + offset + 1, column)
                        if error is None:
                            current.uncached.add(place)
                        else:
                            current.errors[place] = error
            pending = []
            row += repeat
            col = 0
            element.clear()
        elif tag in cell_tags:
            repeat = _repeat(element.get(cols_key))
            if current is not None:
                found = _ods_flag(element, formula_key, value_type_key, string_value_key, calc_type_key)
                if found is not None:
                    error, uncached = found
                    if repeat > _MAX_REPEAT:
                        current.unplaced += 1
                    for offset in range(min(repeat, _MAX_REPEAT)):
                        pending.append((col + offset + 1, None if uncached else error))
            col += repeat
    handle.close()
    return {name: found for name, found in flags.items() if found}


def _ods_flag(
    element, formula_key: str, value_type_key: str, string_value_key: str, calc_type_key: str
) -> tuple[str, bool] | None:
    """(error text, False) for an error cell, ('', True) for a formula without a value, else None."""
    if element.get(formula_key) is not None:
        error = _ods_error(element, value_type_key, string_value_key, calc_type_key)
        if error is not None:
            return error[:20], False
        if element.get(value_type_key) is None:
            return "", True
        return None
    if element.get(calc_type_key) == "error":
        return (_ods_text(element) or "#?")[:20], False
    return None


def _has_marker(archive: zipfile.ZipFile, info: zipfile.ZipInfo, markers: tuple[bytes, ...]) -> bool:
    """True when one of `markers` occurs in the member (read in chunks, never whole)."""
    tail = b""
    with archive.open(info) as handle:
        while chunk := handle.read(CHUNK):
            window = tail + chunk
            if any(marker in window for marker in markers):
                return True
            tail = window[-64:]
    return False


def _repeat(value: str | None) -> int:
    try:
        return max(1, int(value)) if value else 1
    except ValueError:
        return 1


def _ods_text(element) -> str:  # an ElementTree element
    return " ".join(t.strip() for t in element.itertext() if t.strip())


def _ods_error(element, value_type_key: str, string_value_key: str, calc_type_key: str) -> str | None:
    if element.get(calc_type_key) == "error":
        return _ods_text(element) or "#?"
    text = _ods_text(element)
    if (
        element.get(value_type_key) == "string"
        and element.get(string_value_key) == ""
        and (text.startswith("#") or text.startswith("Err:"))
    ):
        return text
    return None


def open_package(data: bytes) -> Package | None:
    """The package of .xlsx bytes, or None when the bytes are not a zip."""
    try:
        return Package(zipfile.ZipFile(io.BytesIO(data)))
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
