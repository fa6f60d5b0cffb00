"""Broken and hostile upload files built in code (bytes), plus stand-in readers for sandbox tests."""

from __future__ import annotations

import io
import os
import random
import re
import struct
import time
import unicodedata
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from openpyxl import Workbook as XlWorkbook
from openpyxl import load_workbook

from cchc_lib.reading.package import column_letters

__all__ = [
    "HostileCase",
    "CASES",
    "ACCEPTED",
    "GenuineCase",
    "good_xlsx",
    "far_cell_xlsx",
    "malformed_sheet_xlsx",
    "members",
    "rezip",
    "ACTIVITIES_PART",
    "reader_ok",
    "reader_sleep",
    "reader_spin",
    "reader_hog",
    "reader_raise",
    "reader_abort",
    "reader_exit",
    "reader_calamine",
    "reader_limits",
]

ACTIVITIES_PART = "xl/worksheets/sheet3.xml"  # `Hoạt động`, the third sheet written by good_xlsx


@cache
def good_xlsx() -> bytes:
    """A small valid tracking workbook (format v1), written by openpyxl."""
    wb = XlWorkbook()
    units = wb.active
    units.title = "Đơn vị"
    units.append(["Mã đơn vị", "Tên đơn vị", "Loại đơn vị"])
    units.append(["VHTT", "Phòng Văn hóa và Thông tin", "Phòng chuyên môn"])
    units.append(["XCB", "UBND xã Cẩm Bình", "UBND xã, thị trấn"])
    targets = wb.create_sheet("Kế hoạch")
    targets.append(["Năm", "Quý", "Mã đơn vị", "TIN_BAI", "PHONG_SU"])
    targets.append([2024, None, "VHTT", 12, 2])
    targets.append([2024, None, "XCB", 8, 1])
    activities = wb.create_sheet("Hoạt động")
    activities.append(["Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng", "Tiêu đề"])
    activities.append([date(2024, 2, 1), "VHTT", "TIN_BAI", 3, "Tuyên truyền cải cách hành chính"])
    activities.append([date(2024, 3, 5), "XCB", "Phóng sự", 1, "Một cửa liên thông"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@cache
def far_cell_xlsx(dimension: bool = True) -> bytes:
    """The good workbook with one more cell at XFD1048576 in `Hoạt động` (the field-notes crash).

    Without `dimension` the sheet's `<dimension>` element is removed, as some generators do.
    """
    wb = load_workbook(io.BytesIO(good_xlsx()))
    wb["Hoạt động"]["XFD1048576"] = "x"
    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    if dimension:
        return data
    return _edit(data, ACTIVITIES_PART, lambda xml: re.sub(rb"<dimension [^>]*/>", b"", xml))


@cache
def styled_blank_cells_xlsx(rows: int = 1000, cols: int = 300) -> bytes:
    """The good workbook with a helper sheet `Lịch` of rows x cols empty but formatted cells (`<c s="1"/>`):
    small on disk, passes the checks (the sheet is never read), and openpyxl makes an object of each."""
    wb = load_workbook(io.BytesIO(good_xlsx()))
    wb.create_sheet("Lịch")["A1"] = "x"
    buffer = io.BytesIO()
    wb.save(buffer)
    names = [column_letters(col) for col in range(1, cols + 1)]
    body = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{n}{r}" s="1"/>' for n in names) + "</row>"
        for r in range(1, rows + 1)
    ).encode()
    return _edit(
        buffer.getvalue(),
        "xl/worksheets/sheet4.xml",
        lambda xml: re.sub(
            rb"<sheetData>.*</sheetData>", b"<sheetData>" + body + b"</sheetData>", xml, flags=re.S
        ),
    )


@cache
def malformed_sheet_xlsx() -> bytes:
    """A valid zip whose `Hoạt động` sheet XML has unclosed tags (passes the cheap checks)."""
    return _edit(good_xlsx(), ACTIVITIES_PART, lambda xml: xml.replace(b"</sheetData>", b"<row><c><v>"))


def members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    """Every member of a zip with its (decompressed) content."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def rezip(entries: list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A new zip of (name, content) entries; names are written as given (no sanitising)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = compression
            archive.writestr(info, content)
    return buffer.getvalue()


def _edit(data: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    """`data` with `part` replaced by change(part); fails loudly when the change changes nothing."""
    entries = []
    for info, content in members(data):
        if info.filename == part:
            edited = change(content)
            if edited == content:
                raise ValueError(f"edit of {part} changed nothing")
            content = edited
        entries.append((info.filename, content))
    return rezip(entries)


def _good_entries() -> list[tuple[str, bytes]]:
    return [(info.filename, content) for info, content in members(good_xlsx())]


def _with(extra: list[tuple[str, bytes]], drop: tuple[str, ...] = ()) -> bytes:
    return rezip([e for e in _good_entries() if e[0] not in drop] + extra)


# --- non-zip files -------------------------------------------------------------------------------


def _random_bytes() -> bytes:
    rng = random.Random(20240101)
    data = bytes(rng.randrange(256) for _ in range(4096))
    return b"\x01" + data  # never starts with a zip/OLE signature


def _csv() -> bytes:
    return "Mã đơn vị,Tên đơn vị,Loại đơn vị\r\nVHTT,Phòng Văn hóa và Thông tin,Phòng chuyên môn\r\n".encode(
        "utf-8-sig"
    )


def _cp1258_csv() -> bytes:
    """A legacy Vietnamese Windows export: cp1258 (tone marks as combining bytes), not valid UTF-8."""
    # cp1258 has precomposed â ê ô ơ ư ă đ but writes tone marks as separate combining characters.
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for char in unicodedata.normalize("NFC", "Mã đơn vị;Tên đơn vị\r\nXCB;UBND xã Cẩm Bình\r\n"):
        base, *marks = unicodedata.normalize("NFD", char)
        shape = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in tones))
        out.append(shape + "".join(m for m in marks if m in tones))
    return "".join(out).encode("cp1258")


def _xml_spreadsheet_2003() -> bytes:
    return (
        b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="x"/></Workbook>'
    )


def _mht() -> bytes:
    return (
        b'MIME-Version: 1.0\r\nX-Document-Type: Workbook\r\nContent-Type: multipart/related; boundary="x"\r\n'
    )


def _html() -> bytes:
    return (
        '<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta charset="utf-8"></head>'
        "<body><table><tr><td>Mã đơn vị</td><td>Tên đơn vị</td></tr></table></body></html>"
    ).encode()


def _utf16_text() -> bytes:
    # What Excel writes for "Unicode Text (*.txt)": UTF-16LE with BOM, tab separated.
    return "Mã đơn vị\tTên đơn vị\r\nVHTT\tPhòng Văn hóa và Thông tin\r\n".encode("utf-16")


def _ole(*stream_names: str) -> bytes:
    """A compound-file header followed by one directory sector naming `stream_names` (UTF-16LE)."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)
    directory = bytearray()
    for name in ("Root Entry", *stream_names):
        entry = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entry[: len(encoded)] = encoded
        struct.pack_into("<H", entry, 64, len(encoded))
        directory += entry
    directory += bytes(512 - len(directory) % 512)
    return bytes(header) + bytes(directory) + bytes(1024)


# --- zip level -----------------------------------------------------------------------------------


def _crc_error() -> bytes:
    """workbook.xml stored uncompressed, then one byte of it changed: the CRC no longer matches."""
    data = bytearray(rezip(_good_entries(), zipfile.ZIP_STORED))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/workbook.xml")
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    position = start + info.file_size // 2
    data[position] = ord("Q") if data[position] != ord("Q") else ord("R")
    return bytes(data)


def _docx() -> bytes:
    return rezip(
        [
            (
                "[Content_Types].xml",
                b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                b'content-types"><Override PartName="/word/document.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
            ),
            ("word/document.xml", b'<?xml version="1.0"?><w:document xmlns:w="urn:w"><w:body/></w:document>'),
        ]
    )


def _ods() -> bytes:
    return rezip(
        [
            ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
            ("content.xml", b'<?xml version="1.0"?><office:document-content xmlns:office="urn:o"/>'),
        ],
        zipfile.ZIP_STORED,
    )


def _odf(mimetype: bytes) -> bytes:
    return rezip(
        [
            ("mimetype", mimetype),
            ("content.xml", b'<?xml version="1.0"?><office:document-content xmlns:office="urn:o"/>'),
        ],
        zipfile.ZIP_STORED,
    )


def _xlsb() -> bytes:
    """An Excel binary workbook: the same package, with binary parts (xl/workbook.bin)."""
    return rezip(
        [
            ("[Content_Types].xml", b'<?xml version="1.0"?><Types xmlns="urn:t"/>'),
            (
                "_rels/.rels",
                b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                b'2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>',
            ),
            ("xl/workbook.bin", bytes(range(64))),
        ]
    )


def _numbers() -> bytes:
    """An Apple Numbers document (a zip of .iwa protobuf streams)."""
    return rezip(
        [
            ("Index/Document.iwa", b"\x00\x01\x02"),
            ("Metadata/DocumentIdentifier", b"x"),
            ("preview.jpg", b"\xff\xd8"),
        ]
    )


def _macro_content_type_only() -> bytes:
    """The workbook part declared macro-enabled in [Content_Types].xml (what Excel writes for .xlsm)."""
    return _edit(
        good_xlsx(),
        "[Content_Types].xml",
        lambda xml: xml.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        ),
    )


def _xlsm() -> bytes:
    """An .xlsm renamed: macro-enabled content type plus xl/vbaProject.bin."""
    return rezip(
        [
            *((i.filename, c) for i, c in members(_macro_content_type_only())),
            ("xl/vbaProject.bin", _ole("VBA", "PROJECT")),
        ]
    )


@cache
def _zip_bomb() -> bytes:
    """500 MB of zeros in one member, deflated (level 9) to about 0.5 MB, written streaming."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in _good_entries():
            archive.writestr(name, content)
        info = zipfile.ZipInfo("xl/media/image1.png", date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        zeros = bytes(1 << 20)
        with archive.open(info, "w", force_zip64=True) as handle:
            for _ in range(500):
                handle.write(zeros)
    return buffer.getvalue()


def _patch_central_size(data: bytes, part: str, size: int) -> bytes:
    """Overwrite the uncompressed size that the central directory declares for `part`."""
    raw = bytearray(data)
    encoded = part.encode()
    position = raw.find(b"PK\x01\x02")
    while position >= 0:
        name_len = struct.unpack_from("<H", raw, position + 28)[0]
        if bytes(raw[position + 46 : position + 46 + name_len]) == encoded:
            struct.pack_into("<I", raw, position + 24, size)
            return bytes(raw)
        position = raw.find(b"PK\x01\x02", position + 4)
    raise ValueError(f"{part} not in the central directory")


def _forged_bomb() -> bytes:
    """The central directory claims ~4 GB for the first sheet (nothing is decompressed to notice)."""
    return _patch_central_size(good_xlsx(), "xl/worksheets/sheet1.xml", 0xFFFFFFF0)


def _understated_size() -> bytes:
    """The central directory claims 10 bytes for a part whose compressed data is much larger."""
    return _patch_central_size(good_xlsx(), ACTIVITIES_PART, 10)


def _too_many_parts() -> bytes:
    return _with([(f"xl/media/pad{i}.bin", b"x") for i in range(2100)])


def _lying_entry_count() -> bytes:
    """25,000 members while the end record claims 5: the directory size gives it away."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in _good_entries():
            archive.writestr(name, content)
        for i in range(25_000):
            archive.writestr(f"xl/media/image{i:06d}.png", b"")
    raw = bytearray(buffer.getvalue())
    end = raw.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", raw, end + 8, 5, 5)
    return bytes(raw)


def _encrypted_member() -> bytes:
    """A member whose zip flag says 'encrypted' (traditional PKWARE encryption bit)."""
    raw = bytearray(good_xlsx())
    position = raw.find(b"PK\x01\x02")
    flags = struct.unpack_from("<H", raw, position + 8)[0]
    struct.pack_into("<H", raw, position + 8, flags | 0x1)
    return bytes(raw)


def _duplicate_member() -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about the duplicate it writes
        return _with([("xl/workbook.xml", b'<?xml version="1.0"?><workbook xmlns="urn:x"/>')])


def _lzma_member() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in _good_entries():
            archive.writestr(name, content, compress_type=zipfile.ZIP_LZMA)
    return buffer.getvalue()


def _nested_zip() -> bytes:
    return rezip([("bao_cao.xlsx", good_xlsx())])


def _empty_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w"):
        pass
    return buffer.getvalue()


# --- XML level -----------------------------------------------------------------------------------

_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        b' <!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>\n"
)


def _billion_laughs() -> bytes:
    sst = (
        _LAUGHS + b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        b'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    return _with([("xl/sharedStrings.xml", sst)], drop=("xl/sharedStrings.xml",))


def _external_entity_sheet() -> bytes:
    def change(xml: bytes) -> bytes:
        xml = b'<?xml version="1.0"?>\n<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + xml
        return xml.replace(b"<v>3</v>", b"<v>&xxe;</v>", 1)

    return _edit(good_xlsx(), ACTIVITIES_PART, change)


def _utf16_doctype_workbook() -> bytes:
    def change(xml: bytes) -> bytes:
        prolog = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE workbook [<!ENTITY a "aaaa">]>'
        return (prolog + xml.decode("utf-8")).encode("utf-16")

    return _edit(good_xlsx(), "xl/workbook.xml", change)


def _long_prolog() -> bytes:
    """2 MB of comment before the root element: a DTD could hide after it, so the scan refuses."""
    return _edit(
        good_xlsx(),
        "xl/workbook.xml",
        lambda xml: b'<?xml version="1.0"?><!--' + b"." * (2 << 20) + b"-->" + xml,
    )


def _absurd_dimension() -> bytes:
    return _edit(
        good_xlsx(),
        ACTIVITIES_PART,
        lambda xml: re.sub(rb"<dimension [^>]*/>", b'<dimension ref="A1:ZZZZ999999999"/>', xml),
    )


def _lying_dimension() -> bytes:
    """Dimension says A1:E3, but a cell sits at XFD1048576."""
    return _edit(
        far_cell_xlsx(True),
        ACTIVITIES_PART,
        lambda xml: re.sub(rb"<dimension [^>]*/>", b'<dimension ref="A1:E3"/>', xml),
    )


def _macrosheet_root() -> bytes:
    """An Excel 4 macro sheet stored as an ordinary worksheet part."""
    return _edit(
        good_xlsx(),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"<worksheet ", b'<xm:macrosheet xmlns:xm="urn:m" ', 1).replace(
            b"</worksheet>", b"</xm:macrosheet>"
        ),
    )


def _duplicate_sheet(same: bool, part: str = ACTIVITIES_PART) -> bytes:
    """`part` written twice, as Excel Online sometimes does: the same bytes, or a changed copy."""
    entries = _good_entries()
    content = dict(entries)[part]
    copy = content if same else content.replace(b"<v>3</v>", b"<v>30</v>", 1)
    assert same or copy != content
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return rezip([*entries, (part, copy)])


# --- packages calamine reads and Excel does not open, or whose part names are ambiguous ----------

CONTENT_TYPES = "[Content_Types].xml"
WORKSHEET_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def _every_content_type(kind: bytes) -> bytes:
    return _edit(
        good_xlsx(),
        CONTENT_TYPES,
        lambda xml: re.sub(rb'ContentType="[^"]*"', b'ContentType="' + kind + b'"', xml),
    )


def _worksheets_undeclared() -> bytes:
    """The worksheet Overrides removed: the sheets fall back to Default xml = application/xml."""
    return _edit(
        good_xlsx(),
        CONTENT_TYPES,
        lambda xml: re.sub(rb'<Override PartName="/xl/worksheets/[^"]*" ContentType="[^"]*"/>', b"", xml),
    )


def _in_activities(change: Callable[[bytes], bytes]) -> bytes:
    return _edit(good_xlsx(), ACTIVITIES_PART, change)


def _nul_in_sheet() -> bytes:
    """A raw NUL byte inside a cell text of `Hoạt động` (calamine reads it; Excel reports a damaged file)."""
    return _in_activities(lambda xml: xml.replace(b"<t>XCB</t>", b"<t>XC\x00B</t>", 1))


def _control_reference() -> bytes:
    """`&#1;` in a cell text: a character reference XML 1.0 forbids."""
    return _in_activities(lambda xml: xml.replace(b"<t>XCB</t>", b"<t>XC&#1;B</t>", 1))


def _backslash_twin() -> bytes:
    """A second `Hoạt động` sheet under the same name written with backslashes, holding other figures."""
    content = dict(_good_entries())[ACTIVITIES_PART].replace(b"<v>3</v>", b"<v>300</v>", 1)
    return _with([(ACTIVITIES_PART.replace("/", "\\"), content)])


def _renamed(old: str, new: str) -> bytes:
    """The entry `old` stored under the name `new` (the relationships still say `old`)."""
    return rezip([(new if name == old else name, content) for name, content in _good_entries()])


def _twin(name: str) -> bytes:
    """`Hoạt động` stored a second time under `name`, with the same bytes."""
    return _with([(name, dict(_good_entries())[ACTIVITIES_PART])])


# --- genuine files other programs open: accepted and read ---------------------------------------


def _moved_workbook_part() -> bytes:
    """The workbook part at xl/book/main.xml, found through _rels/.rels (relative sheet targets)."""
    out = []
    for name, content in _good_entries():
        if name == "xl/workbook.xml":
            name = "xl/book/main.xml"
        elif name == "xl/_rels/workbook.xml.rels":
            name = "xl/book/_rels/main.xml.rels"
            content = content.replace(b'Target="/xl/', b'Target="../')
        elif name in ("_rels/.rels", "[Content_Types].xml"):
            content = content.replace(b"xl/workbook.xml", b"xl/book/main.xml")
        out.append((name, content))
    return rezip(out)


def _wide_helper_sheet() -> bytes:
    """A fourth sheet `Lịch` with one column per day of the year (368 columns), never read."""
    wb = load_workbook(io.BytesIO(good_xlsx()))
    helper = wb.create_sheet("Lịch")
    for column in range(1, 369):
        helper.cell(row=1, column=column, value=column)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _high_ratio_part() -> bytes:
    """A 12 MB sheet of heavily indented XML (some exporters write it) compressing > 200:1."""
    return _edit(
        good_xlsx(),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + b" " * (12 * 1024 * 1024), 1),
    )


def _duplicate_doc_props() -> bytes:
    entries = _good_entries()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return rezip([*entries, ("docProps/app.xml", b'<?xml version="1.0"?><Properties xmlns="urn:p"/>')])


@dataclass(frozen=True)
class GenuineCase:
    """A file that Excel, LibreOffice or Excel Online write or open: it must pass and read like good_xlsx."""

    name: str
    build: Callable[[], bytes]


ACCEPTED: list[GenuineCase] = [
    GenuineCase("macro_content_type_without_vba", _macro_content_type_only),
    GenuineCase("identical_duplicate_sheet", lambda: _duplicate_sheet(same=True)),
    GenuineCase("differing_duplicate_doc_props", _duplicate_doc_props),
    GenuineCase("workbook_part_elsewhere", _moved_workbook_part),
    GenuineCase("wide_helper_sheet", _wide_helper_sheet),
    GenuineCase("high_ratio_part", _high_ratio_part),
]


# --- the table -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HostileCase:
    """A named file, the code check_upload must raise, and setting overrides for the check."""

    name: str
    build: Callable[[], bytes]
    code: str
    settings: dict[str, object] = field(default_factory=dict)


CASES: list[HostileCase] = [
    HostileCase("empty", lambda: b"", "empty"),
    HostileCase("one_byte", lambda: b"P", "not_xlsx"),
    HostileCase("random_bytes", _random_bytes, "not_xlsx"),
    HostileCase("csv_renamed", _csv, "csv"),
    HostileCase("cp1258_csv_renamed", _cp1258_csv, "csv"),
    HostileCase("html_renamed", _html, "html"),
    HostileCase("mht_renamed", _mht, "html"),
    HostileCase("xml_spreadsheet_2003", _xml_spreadsheet_2003, "not_xlsx"),
    HostileCase("utf16_text_renamed", _utf16_text, "csv"),
    HostileCase("legacy_xls", lambda: _ole("Workbook", "\x05SummaryInformation"), "legacy_xls"),
    HostileCase("encrypted_ole", lambda: _ole("EncryptionInfo", "EncryptedPackage"), "encrypted"),
    HostileCase("truncated_zip", lambda: good_xlsx()[: len(good_xlsx()) // 2], "corrupt_zip"),
    HostileCase("crc_error", _crc_error, "corrupt_zip"),
    HostileCase("no_workbook_xml", lambda: _with([], drop=("xl/workbook.xml",)), "not_xlsx"),
    HostileCase("docx_renamed", _docx, "not_xlsx"),
    HostileCase("odt_renamed", lambda: _odf(b"application/vnd.oasis.opendocument.text"), "not_xlsx"),
    HostileCase("xlsb_renamed", _xlsb, "xlsb"),
    HostileCase("numbers_renamed", _numbers, "numbers"),
    HostileCase("nested_zip_only", _nested_zip, "not_xlsx"),
    HostileCase("empty_zip", _empty_zip, "not_xlsx"),
    HostileCase("xlsm_vba_project", _xlsm, "macros"),
    HostileCase("macrosheet_root_in_a_sheet_part", lambda: _macrosheet_root(), "macros"),
    HostileCase("differing_duplicate_sheet", lambda: _duplicate_sheet(same=False), "corrupt_zip"),
    HostileCase("zip_bomb", _zip_bomb, "zip_bomb"),
    HostileCase("forged_declared_size", _forged_bomb, "zip_bomb"),
    HostileCase("understated_size", _understated_size, "corrupt_zip"),
    HostileCase("too_many_parts", _too_many_parts, "too_many_parts"),
    HostileCase("lying_entry_count", _lying_entry_count, "too_many_parts"),
    HostileCase("encrypted_member_flag", _encrypted_member, "encrypted"),
    HostileCase("duplicate_member", _duplicate_member, "corrupt_zip"),
    HostileCase("lzma_member", _lzma_member, "corrupt_zip"),
    HostileCase("path_traversal", lambda: _with([("../../evil.xml", b"<x/>")]), "corrupt_zip"),
    HostileCase("absolute_path", lambda: _with([("/etc/cron.d/evil", b"x")]), "corrupt_zip"),
    HostileCase("billion_laughs", _billion_laughs, "xml_dtd"),
    HostileCase("external_entity_sheet", _external_entity_sheet, "xml_dtd"),
    HostileCase("utf16_doctype_workbook", _utf16_doctype_workbook, "xml_dtd"),
    HostileCase("endless_prolog", _long_prolog, "xml_dtd"),
    HostileCase("far_cell_with_dimension", lambda: far_cell_xlsx(True), "sheet_too_big"),
    HostileCase("far_cell_no_dimension", lambda: far_cell_xlsx(False), "sheet_too_big"),
    HostileCase("lying_dimension", _lying_dimension, "sheet_too_big"),
    HostileCase("absurd_dimension", _absurd_dimension, "sheet_too_big"),
    HostileCase("over_size", good_xlsx, "too_large", {"max_upload_mb": 0.001}),
]

# Files Excel would not open, or whose part names are ambiguous (issue 15).
EXCEL_REFUSES = [
    HostileCase("no_content_types", lambda: _with([], drop=(CONTENT_TYPES,)), "not_excel_package"),
    HostileCase("every_content_type_png", lambda: _every_content_type(b"image/png"), "not_excel_package"),
    HostileCase("worksheets_undeclared", _worksheets_undeclared, "not_excel_package"),
    HostileCase(
        "content_types_unparsable",
        lambda: _with([(CONTENT_TYPES, b"<Types")], drop=(CONTENT_TYPES,)),
        "not_excel_package",
    ),
    HostileCase("nul_byte_in_sheet", _nul_in_sheet, "xml_bad_char"),
    HostileCase("control_character_reference", _control_reference, "xml_bad_char"),
    HostileCase("backslash_twin_sheet", _backslash_twin, "ambiguous_name"),
    HostileCase(
        "backslash_name",
        lambda: _renamed(ACTIVITIES_PART, ACTIVITIES_PART.replace("/", "\\")),
        "ambiguous_name",
    ),
    HostileCase("case_twin_sheet", lambda: _twin(ACTIVITIES_PART.upper()), "ambiguous_name"),
    HostileCase(
        "percent_encoded_twin_sheet", lambda: _twin(ACTIVITIES_PART.replace("3", "%33")), "ambiguous_name"
    ),
    HostileCase(
        "percent_encoded_climb", lambda: _with([("xl/%2e%2e/%2e%2e/evil.xml", b"<x/>")]), "corrupt_zip"
    ),
]
CASES += EXCEL_REFUSES


# --- stand-in readers for the sandbox (run in the child as tests.hostile:<name>) -----------------


def _empty_result() -> object:
    from cchc_lib.reading.model import ReadResult

    return ReadResult(None)


def reader_ok(data: bytes, settings: object) -> object:
    """Returns an empty ReadResult after printing to stdout (must not corrupt the result channel)."""
    print("noise on stdout from a library")
    os.write(1, b"raw noise on fd 1\n")
    return _empty_result()


def reader_sleep(data: bytes, settings: object) -> object:
    time.sleep(3600)
    return _empty_result()


def reader_spin(data: bytes, settings: object) -> object:
    while True:
        pass


def reader_hog(data: bytes, settings: object) -> object:
    """Allocates without bound: MemoryError once RLIMIT_AS is reached."""
    hoard = []
    while True:
        hoard.append(bytearray(64 << 20))


def reader_raise(data: bytes, settings: object) -> object:
    raise ValueError("sheet1.xml: unexpected end of data at line 1 (secret path /srv/x)")


def reader_abort(data: bytes, settings: object) -> object:
    os.abort()


def reader_exit(data: bytes, settings: object) -> object:
    os._exit(3)


def reader_calamine(data: bytes, settings: object) -> object:
    """Loads every sheet with calamine, as the real reader does (crashes on the far-cell file)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return _empty_result()


def reader_limits(data: bytes, settings: object) -> object:
    """Reports the child's own resource limits as problems (code = limit name, message = soft value)."""
    import resource

    import pandas as pd

    from cchc_lib.reading.model import PROBLEM_COLUMNS, ReadResult

    rows = [
        ["warning", name, None, None, None, str(resource.getrlimit(getattr(resource, name))[0])]
        for name in ("RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU")
    ]
    return ReadResult(None, pd.DataFrame(rows, columns=PROBLEM_COLUMNS))


def marker_hog(data: bytes, settings: object, *, problems: list) -> bytes:
    """A marked-copy builder that allocates without bound (sandbox.MARKER stand-in)."""
    hoard = []
    while True:
        hoard.append(bytearray(64 << 20))


def marker_sleep(data: bytes, settings: object, *, problems: list) -> bytes:
    time.sleep(3600)
    return b""
