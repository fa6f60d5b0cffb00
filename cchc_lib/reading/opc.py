"""What Excel insists on in an .xlsx package and the readers do not: unambiguous part names, a content-type
catalogue declaring the workbook and its worksheets, and XML free of characters XML 1.0 forbids.

A file failing these opens in the lenient reader (calamine) but not in Excel or openpyxl, so once published
it could not be edited or merged; a part name spelled two ways is read from one copy by one program and from
the other by another. Used by safety.check_upload before any sheet is parsed."""

from __future__ import annotations

import codecs
import posixpath
import re
from urllib.parse import unquote

__all__ = [
    "WORKBOOK_TYPES",
    "WORKSHEET_TYPE",
    "XmlCharacters",
    "content_type_problem",
    "entry_key",
]

# The workbook (main) part of a spreadsheet, as Excel declares it: .xlsx, .xltx, .xlsm, .xltm. calamine
# reads all four alike; a macro-enabled type without a VBA project holds no macro (safety refuses VBA).
WORKBOOK_TYPES = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
        "application/vnd.ms-excel.sheet.macroenabled.main+xml",
        "application/vnd.ms-excel.template.macroenabled.main+xml",
    }
)
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CONTENT_TYPES_PART = "[Content_Types].xml"

# Characters XML 1.0 forbids (all C0 controls but tab, LF, CR), raw or as a character reference.
_ILLEGAL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LEGAL_BYTES = bytes(b for b in range(256) if b >= 32 or b in (9, 10, 13))  # deleted: what is left is bad
# A quick pass for what might be such a reference: short, zero-padded or hexadecimal (letters are `&#224;`).
_REF_CANDIDATE = re.compile(rb"&#[0-9]{1,2};|&#[xX0]")
_ILLEGAL_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ILLEGAL_REF = re.compile(rb"&#(?:[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F])|0*(?:[0-8]|1[1-24-9]|2[0-9]|3[01]));")
_CELL_REF = re.compile(rb'[^>]*?\br\s*=\s*["\']([A-Za-z]{1,3}[0-9]{1,7})["\']')
# A character reference (or the cell holding a bad character) cut between two chunks is found in the next.
_REF_CARRY = 512
_LEADING = b"\xef\xbb\xbf\xff\xfe \t\r\n"


def entry_key(name: str) -> str:
    """The part a zip entry name designates: '/' for '\\', no leading '/', percent-decoded, case-folded
    (OPC part names are case-insensitive). Two entries with one key are one part written twice."""
    return unquote(name.replace("\\", "/"), errors="replace").lstrip("/").casefold()


def content_type_problem(types, workbook: str, sheets: dict[str, str]) -> str | None:
    """What is wrong with the content-type catalogue (`types`: its parsed root element, None when it
    cannot be parsed), as a sentence naming the part and the type found; None when Excel accepts it.

    `workbook` is the workbook part, `sheets` sheet name -> worksheet part (as Package finds them)."""
    if types is None:
        return f"Không đọc được danh mục kiểu nội dung ({CONTENT_TYPES_PART}) của tệp."
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}
    for element in types:
        tag = element.tag.rsplit("}", 1)[-1]
        kind = (element.get("ContentType") or "").strip().lower()
        if tag == "Default":
            defaults.setdefault((element.get("Extension") or "").lower(), kind)
        elif tag == "Override":
            overrides.setdefault(entry_key(element.get("PartName") or ""), kind)

    def declared(part: str) -> str:
        extension = posixpath.splitext(part)[1].lstrip(".").lower()
        return overrides.get(entry_key(part)) or defaults.get(extension) or ""

    kind = declared(workbook)
    if kind not in WORKBOOK_TYPES:
        return (
            f"Danh mục kiểu nội dung khai báo phần sổ làm việc '{workbook[:80]}' là '{_shown(kind)}', "
            "không phải sổ làm việc Excel."
        )
    for name, part in sheets.items():
        kind = declared(part)
        if kind != WORKSHEET_TYPE:
            return (
                f"Danh mục kiểu nội dung khai báo trang tính '{name[:40]}' ({part[:80]}) là '{_shown(kind)}', "
                "không phải trang tính Excel."
            )
    return None


def _shown(kind: str) -> str:
    return kind[:80] if kind else "(không khai báo)"


class XmlCharacters:
    """Fed a part's bytes chunk by chunk: `feed` returns a description of the first character XML 1.0
    forbids (NUL and other control characters, raw or as `&#…;`), else None. Parts that are not XML
    (images, binary printer settings) are left alone; UTF-16 parts are decoded first."""

    def __init__(self) -> None:
        self.active: bool | None = None  # None until the first significant byte says whether it is XML
        self._head = b""
        self._decoder = None
        self._carry = b""

    def feed(self, chunk: bytes) -> str | None:
        if self.active is None:
            self._head += chunk
            plain = self._head.replace(b"\x00", b"").lstrip(_LEADING)
            if not plain:
                return None
            self.active = plain.startswith(b"<")
            if not self.active:
                return None
            self._decoder = _utf16_decoder(self._head)
            chunk, self._head = self._head, b""
        elif not self.active:
            return None
        return self._scan(chunk)

    def _scan(self, chunk: bytes) -> str | None:
        if self._decoder is not None:
            text = self._decoder.decode(chunk)
            match = _ILLEGAL_TEXT.search(text)
            if match:
                return _describe(ord(match.group()))
            window = text.encode("ascii", "replace")
        else:
            # Two cheap byte passes first (a regex over every chunk of a big sheet costs seconds).
            match = _ILLEGAL_BYTES.search(chunk) if chunk.translate(None, _LEGAL_BYTES) else None
            if match:
                return _describe(match.group()[0], _cell_before(self._carry + chunk[: match.start()]))
            window = chunk
        window = self._carry + window
        ref = _ILLEGAL_REF.search(window) if _REF_CANDIDATE.search(window) else None
        self._carry = window[-_REF_CARRY:]
        if ref:
            cell = _cell_before(window[: ref.start()])
            return f"tham chiếu ký tự {ref.group().decode('ascii')}" + (f" ở ô {cell}" if cell else "")
        return None


def _utf16_decoder(head: bytes):
    """An incremental decoder when the part is UTF-16 (byte-order mark or `<\\0?\\0` pattern), else None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif head.startswith(b"<\x00?\x00"):
        encoding = "utf-16-le"
    elif head.startswith(b"\x00<\x00?"):
        encoding = "utf-16-be"
    else:
        return None
    return codecs.getincrementaldecoder(encoding)(errors="replace")


def _cell_before(data: bytes) -> str | None:
    """The reference of the last cell opened in `data` (where a worksheet's bad character sits)."""
    start = max(data.rfind(b"<c "), data.rfind(b":c "))
    match = _CELL_REF.match(data, start + 3) if start >= 0 else None
    return match.group(1).decode("ascii") if match else None


def _describe(code: int, cell: str | None = None) -> str:
    name = "ký tự NUL (mã 0)" if code == 0 else f"ký tự điều khiển mã {code}"
    return f"{name} ở ô {cell}" if cell else name
