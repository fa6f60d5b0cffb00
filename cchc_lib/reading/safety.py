"""Cheap safety checks on an upload before any parser sees it (size, container, zip, XML, sheet size)."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from cchc_lib.common.settings import Settings
from cchc_lib.reading.opc import CONTENT_TYPES_PART, XmlCharacters, content_type_problem, entry_key

if TYPE_CHECKING:
    from cchc_lib.reading.package import Package

__all__ = ["UnsafeFile", "MESSAGES", "check_upload"]

MB = 1024 * 1024

# What the user reads for each code: what is wrong, then what to do.
MESSAGES: dict[str, str] = {
    "missing_file": "Không tìm thấy hoặc không mở được tệp. Hãy kiểm tra lại đường dẫn và quyền đọc tệp.",
    "empty": "Tệp rỗng (0 byte). Hãy chọn đúng tệp Excel (.xlsx) đã lưu có dữ liệu.",
    "too_large": (
        "Tệp quá lớn so với giới hạn cho phép. Hãy xóa các trang tính, hình ảnh không cần thiết "
        "hoặc chia nhỏ tệp rồi tải lên lại."
    ),
    "encrypted": (
        "Tệp được mã hóa bằng mật khẩu. Hãy mở tệp trong Excel, bỏ mật khẩu "
        "(Tệp > Thông tin > Bảo vệ sổ làm việc) rồi lưu lại dạng .xlsx."
    ),
    "legacy_xls": (
        "Tệp ở định dạng Excel cũ (.xls). Hãy mở tệp trong Excel và chọn Tệp > Lưu thành > "
        "Sổ làm việc Excel (.xlsx) rồi tải lên tệp mới."
    ),
    "csv": (
        "Tệp là văn bản (CSV/TXT) được đổi đuôi thành .xlsx. Hãy mở tệp trong Excel rồi lưu lại "
        "dạng Sổ làm việc Excel (.xlsx)."
    ),
    "html": (
        "Tệp là trang web (HTML) được đổi đuôi thành .xlsx, thường do phần mềm xuất báo cáo tạo ra. "
        "Hãy mở tệp trong Excel rồi lưu lại dạng Sổ làm việc Excel (.xlsx)."
    ),
    "not_xlsx": (
        "Tệp không phải sổ làm việc Excel (.xlsx). Hãy chọn đúng tệp theo mẫu, "
        "hoặc mở tệp trong Excel rồi lưu lại dạng .xlsx."
    ),
    "xlsb": (
        "Tệp ở định dạng Excel nhị phân (.xlsb). Hãy mở tệp trong Excel, chọn Tệp > Lưu thành > "
        "Sổ làm việc Excel (.xlsx) rồi tải lên tệp mới."
    ),
    "numbers": (
        "Tệp ở định dạng Apple Numbers (.numbers). Hãy mở tệp trong Numbers, chọn Tệp > Xuất sang > "
        "Excel (.xlsx) rồi tải lên tệp mới."
    ),
    "corrupt_zip": (
        "Tệp bị hỏng hoặc chưa tải về đầy đủ. Hãy tải lại tệp gốc, mở thử trong Excel rồi lưu lại dạng .xlsx."
    ),
    "macros": (
        "Tệp có chứa macro (VBA), không được phép tải lên. Hãy lưu lại tệp dạng Sổ làm việc Excel (.xlsx) "
        "không có macro."
    ),
    "zip_bomb": (
        "Nội dung nén của tệp lớn bất thường (có thể là tệp độc hại). Hãy dùng tệp gốc được lưu từ Excel, "
        "xóa bớt dữ liệu thừa rồi lưu lại."
    ),
    "too_many_parts": (
        "Tệp có quá nhiều thành phần bên trong (trang tính, hình ảnh, đối tượng). Hãy xóa các trang tính "
        "và đối tượng không cần thiết rồi lưu lại."
    ),
    "xml_dtd": (
        "Tệp chứa khai báo XML không an toàn (DOCTYPE/ENTITY) mà Excel không bao giờ tạo ra. "
        "Hãy mở tệp trong Excel rồi lưu lại dạng .xlsx, hoặc dùng tệp mẫu."
    ),
    "sheet_too_big": (
        "Có trang tính có kích thước bất thường (dữ liệu hoặc định dạng ở ô rất xa). Hãy xóa các hàng, "
        "cột trống ở xa vùng dữ liệu rồi lưu lại dạng .xlsx."
    ),
    "parse_crashed": (
        "Không đọc được tệp vì nội dung hoặc kích thước trang tính bất thường. Hãy mở tệp trong Excel, "
        "xóa các hàng, cột trống ở xa vùng dữ liệu rồi lưu lại dạng .xlsx."
    ),
    "parse_memory": (
        "Tệp cần quá nhiều bộ nhớ để đọc. Hãy xóa các hàng, cột trống ở xa vùng dữ liệu, "
        "bỏ định dạng thừa hoặc chia nhỏ tệp rồi tải lên lại."
    ),
    "parse_timeout": (
        "Đọc tệp mất quá nhiều thời gian nên đã dừng. Hãy xóa dữ liệu, định dạng thừa hoặc chia nhỏ tệp "
        "rồi tải lên lại."
    ),
    "ambiguous_name": (
        "Tệp có thành phần bên trong mang tên mơ hồ, mỗi phần mềm có thể đọc một bản khác nhau. Hãy mở tệp "
        "bằng Excel rồi lưu lại (Lưu thành… Sổ làm việc Excel .xlsx) và tải lên tệp mới."
    ),
    "not_excel_package": (
        "Tệp thiếu hoặc khai báo sai danh mục kiểu nội dung nên Excel không mở được, dù vài phần mềm khác vẫn "
        "đọc được. Hãy mở tệp bằng phần mềm đã tạo ra nó (hoặc LibreOffice Calc), lưu thành Sổ làm việc Excel "
        "(.xlsx), mở thử bằng Excel rồi tải lên lại."
    ),
    "xml_bad_char": (
        "Tệp chứa ký tự điều khiển mà Excel không chấp nhận (như ký tự NUL) nên Excel báo tệp bị hỏng. Hãy mở "
        "tệp bằng Excel, đồng ý khi Excel đề nghị sửa tệp, rồi lưu lại (Lưu thành… Sổ làm việc Excel .xlsx) và "
        "tải lên tệp mới."
    ),
    "unreadable": (
        "Không đọc được nội dung tệp (cấu trúc bên trong bị lỗi). Hãy mở tệp trong Excel, "
        "lưu lại dạng Sổ làm việc Excel (.xlsx) rồi tải lên lại."
    ),
}

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Stream names of an ECMA-376 encrypted package, as they appear in the OLE directory (UTF-16LE).
_ENCRYPTION_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))

# Per-member compression ratio above which a large member is treated as a bomb (deflate tops at ~1032).
# Genuine sheets of repetitive XML reach a few hundred: below RATIO_MIN_BYTES only the total limit
# (settings.max_uncompressed_mb) applies, which bounds the work anyway.
MAX_RATIO = 200
RATIO_MIN_BYTES = 100 * MB
# Decompressed bytes examined per part: enough for every part of a normal workbook but bounded.
PART_SCAN_BYTES = 16 * MB
# A prolog (before the root element) longer than this is refused unscanned: Excel writes ~60 bytes.
PROLOG_MAX_BYTES = 1 * MB
CHUNK = 256 * 1024
# Central-directory bytes allowed per permitted part (46 fixed + name + extras; Excel names are short).
DIRECTORY_BYTES_PER_PART = 512
_OVERLAP = 4096

_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ROOT = re.compile(rb"<\s*(?:[A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
_DIMENSION = re.compile(rb"<(?:[\w.\-]+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_REF_CELL = re.compile(r"^\$?([A-Za-z]+)\$?(\d+)$")
_SHEET_ROOTS = {b"worksheet", b"dialogsheet", b"macrosheet"}
_HTML_START = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|table|meta|title|style)\b",
    re.IGNORECASE | re.DOTALL,
)


class UnsafeFile(Exception):
    """The file cannot be read safely. `code` is stable snake_case; `message` is for the user (Vietnamese).

    `detail` (may be empty) says what was found in this file, e.g. "Tệp nặng 25,3 MB; giới hạn là 20 MB."
    or the sheet refused with its size; `full_message` is the detail followed by the message.
    """

    def __init__(self, code: str, message: str | None = None, detail: str = "") -> None:
        self.code = code
        self.message = message or MESSAGES.get(code, MESSAGES["unreadable"])
        self.detail = detail
        super().__init__(f"{code}: {self.full_message}")

    @property
    def full_message(self) -> str:
        return f"{self.detail} {self.message}" if self.detail else self.message


def _megabytes(size: float) -> str:
    """25.34 -> `25,3`, 20.0 -> `20` (Vietnamese decimal comma)."""
    text = (f"{size:.1f}" if size >= 0.1 else f"{size:.3f}").rstrip("0").rstrip(".")
    return text.replace(".", ",")


def size_detail(size_bytes: int, limit_mb: float) -> str:
    """The sentence naming a file's size and the limit it exceeds."""
    return f"Tệp nặng {_megabytes(size_bytes / MB)} MB; giới hạn là {_megabytes(limit_mb)} MB."


def check_upload(data: bytes, settings: Settings) -> None:
    """Raise UnsafeFile when `data` is not a plain, reasonably sized .xlsx; return None when it may be parsed.

    Only the container is examined: zip directory, declared sizes, and a bounded decompression of each
    part (prolog of every XML part, dimension and cell references of worksheets).
    """
    try:
        _check(data, settings)
    except UnsafeFile:
        raise
    except Exception as exc:  # any surprise from a hostile byte sequence means "not readable safely"
        raise UnsafeFile("corrupt_zip") from exc


def _check(data: bytes, settings: Settings) -> None:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("check_upload expects bytes")
    data = bytes(data)
    if not data:
        raise UnsafeFile("empty")
    if len(data) > settings.max_upload_mb * MB:
        raise UnsafeFile("too_large", detail=size_detail(len(data), settings.max_upload_mb))
    if data.startswith(OLE_MAGIC):
        if any(name in data for name in _ENCRYPTION_STREAMS):
            raise UnsafeFile("encrypted")
        raise UnsafeFile("legacy_xls")
    if not data.startswith(b"PK"):
        raise UnsafeFile(_classify_non_zip(data))
    _check_zip(data, settings)


def _classify_non_zip(data: bytes) -> str:
    """`html`, `csv` (delimited text) or `not_xlsx` for bytes that are neither OLE nor zip."""
    text = _as_text(data[:8192])
    if text is None:
        return "not_xlsx"
    if _HTML_START.match(text) or text.lstrip().startswith("MIME-Version:"):
        return "html"  # HTML, or a single-file web page (.mht) that Excel can also save
    if text.lstrip().startswith("<"):
        return "not_xlsx"  # other XML, e.g. "XML Spreadsheet 2003"
    if any(sep in text for sep in (",", ";", "\t", "\n", "\r")):
        return "csv"
    return "not_xlsx"


def _as_text(head: bytes) -> str | None:
    """The head decoded as text when it looks like text (UTF-8, UTF-16, else Vietnamese cp1258), else None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    elif len(head) >= 4 and head[1::2].count(0) > len(head) // 4 and head[0::2].count(0) == 0:
        encodings = ["utf-16-le"]
    elif len(head) >= 4 and head[0::2].count(0) > len(head) // 4 and head[1::2].count(0) == 0:
        encodings = ["utf-16-be"]
    else:
        encodings = ["utf-8-sig", "cp1258"]
    for encoding in encodings:
        text = head.decode(encoding, errors="replace")
        bad = sum(1 for ch in text if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\r\n\f"))
        # A multi-byte character cut at the end of the head is fine; binary data is not.
        if text and bad <= max(2, len(text) // 100):
            return text
    return None


def _check_zip(data: bytes, settings: Settings) -> None:
    _check_end_record(data, settings)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except Exception as exc:
        raise UnsafeFile("corrupt_zip") from exc
    if len(infos) > settings.max_zip_parts:
        raise UnsafeFile("too_many_parts")
    duplicates = _check_directory(infos, len(data), settings)
    from .package import Package, is_ods

    # The workbook and relationship parts are small and parsed with defusedxml (no DTD, no entity):
    # safe before the scan below, which needs the sheet list to know which sheets will be read.
    package = Package(archive)
    workbook = package.workbook_part()
    if workbook is None and is_ods(archive):
        # LibreOffice Calc: every XML part is scanned for DTDs; the sheets' size is bounded by the
        # parser's sandbox (no dimension element to read cheaply).
        for info in infos:
            if not info.is_dir():
                _scan_part(archive, info, settings, sized=False)
        return
    if workbook is None or not workbook.lower().endswith(".xml"):
        raise UnsafeFile(_other_package(archive, infos))
    names = {info.filename.lower() for info in infos}
    if any(name.rsplit("/", 1)[-1] in ("vbaproject.bin", "vbadata.xml") for name in names) or any(
        name.startswith("xl/macrosheets/") for name in names
    ):
        raise UnsafeFile("macros")
    # A macro-enabled content type alone holds no macro: such a file is read like any other.
    sheets = package.sheet_parts()
    read = _parts_read(sheets)
    by_part = {part.lower(): name for name, part in sheets.items()}
    for info in infos:
        lower = info.filename.lower()
        if not info.is_dir():
            # Only the sheets that will be read are checked for size (calamine never opens the others);
            # when the sheet list cannot be read, every worksheet is checked.
            sized = not sheets or lower in read
            _scan_part(archive, info, settings, sized=sized, sheet=by_part.get(lower))
    _check_content_types(package, workbook, sheets)
    if duplicates:
        _check_duplicates(archive, infos, duplicates, workbook, read)


def _check_content_types(package: Package, workbook: str, sheets: dict[str, str]) -> None:
    """Refuse a package whose content-type catalogue is missing or does not declare the workbook and its
    worksheets as such: Excel does not open it, although calamine reads it."""
    if package.info(CONTENT_TYPES_PART) is None:
        raise UnsafeFile(
            "not_excel_package",
            detail=f"Tệp không có danh mục kiểu nội dung ({CONTENT_TYPES_PART}) mà mọi tệp Excel đều có.",
        )
    problem = content_type_problem(package.parsed(CONTENT_TYPES_PART), workbook, sheets)
    if problem:
        raise UnsafeFile("not_excel_package", detail=problem)


def _other_package(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> str:
    """The code for a zip that holds no .xlsx workbook (nor .ods): `xlsb`, `numbers` or `not_xlsx`."""
    names = {info.filename.lower(): info for info in infos}
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "index/document.iwa" in names or "index.zip" in names:
        return "numbers"
    return "not_xlsx"


def _parts_read(sheets: dict[str, str]) -> set[str]:
    """Lower-case part names of the sheets the reader reads (named like a sheet of the format)."""
    from ..common.text import match_key
    from .schema import SHEETS

    wanted = {match_key(spec.name) for spec in SHEETS}
    return {part.lower() for name, part in sheets.items() if match_key(name) in wanted}


# Parts no reader takes a value from: a duplicate of one of these is harmless.
_UNREAD_PREFIXES = (
    "docprops/",
    "xl/media/",
    "xl/theme/",
    "xl/printersettings/",
    "xl/drawings/",
    "customxml/",
)


def _check_duplicates(
    archive: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    duplicates: set[str],
    workbook: str,
    read: set[str],
) -> None:
    """Entries written twice under one name (Excel Online does this): identical copies are fine; copies
    that differ are ambiguous when a reader takes values from that part."""
    for name in sorted(duplicates):
        copies = [info for info in infos if info.filename.lower() == name]
        contents = {_read_bounded(archive, info, PART_SCAN_BYTES + 1) for info in copies}
        if len(contents) == 1 and len(next(iter(contents))) <= PART_SCAN_BYTES:
            continue
        if name.startswith(_UNREAD_PREFIXES) and name not in read and name != workbook.lower():
            continue
        raise UnsafeFile(
            "corrupt_zip",
            detail=f"Tệp có hai thành phần cùng tên '{copies[0].filename}' với nội dung khác nhau, "
            "không biết phải đọc bản nào.",
        )


def _check_end_record(data: bytes, settings: Settings) -> None:
    """Entry count and directory size from the end record, before zipfile builds one object per entry."""
    start = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if start < 0 or len(data) < start + 22:
        raise UnsafeFile("corrupt_zip")
    entries, directory_size = struct.unpack_from("<HI", data, start + 10)
    locator = start - 20
    if locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":
        (record,) = struct.unpack_from("<Q", data, locator + 8)
        if record + 56 > len(data) or data[record : record + 4] != b"PK\x06\x06":
            raise UnsafeFile("corrupt_zip")
        entries, directory_size = struct.unpack_from("<QQ", data, record + 32)
    if entries > settings.max_zip_parts or directory_size > settings.max_zip_parts * DIRECTORY_BYTES_PER_PART:
        raise UnsafeFile("too_many_parts")


def _check_directory(infos: list[zipfile.ZipInfo], archive_size: int, settings: Settings) -> set[str]:
    """Names, declared sizes and flags from the central directory (nothing decompressed). Returns the
    lower-case names that occur more than once (spelled exactly alike; other collisions are refused)."""
    seen: dict[str, str] = {}  # entry_key -> the first entry name with that key
    duplicates: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        _check_name(name)
        key = entry_key(name)
        if key in seen and seen[key] != name:
            raise UnsafeFile(
                "ambiguous_name",
                detail=f"Tệp có hai thành phần '{seen[key][:80]}' và '{name[:80]}' chỉ cùng một phần của sổ "
                "làm việc (tên khác nhau ở chữ hoa, chữ thường hoặc cách viết).",
            )
        if key in seen:
            duplicates.add(name.lower())
        seen.setdefault(key, name)
        if info.flag_bits & 0x1:
            raise UnsafeFile("encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnsafeFile("corrupt_zip")
        if info.compress_size > archive_size:
            raise UnsafeFile("corrupt_zip")
        # Honest deflate never grows data by more than ~0.1 %: a smaller declared size is a lie that
        # would let a bomb past the size checks.
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            raise UnsafeFile("corrupt_zip")
        if info.compress_size > info.file_size + info.file_size // 100 + 1024:
            raise UnsafeFile("corrupt_zip")
        if info.file_size >= RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UnsafeFile("zip_bomb")
        total += info.file_size
        if total > settings.max_uncompressed_mb * MB:
            raise UnsafeFile("zip_bomb")
    return duplicates


def _check_name(name: str) -> None:
    """Refuse an entry name no writer of spreadsheets produces: empty, absolute, climbing out with `..`,
    holding NUL, or written with backslashes (read as folders by some programs and not by others)."""
    if not name or "\x00" in name:
        raise UnsafeFile("corrupt_zip")
    parts = name.replace("\\", "/").split("/") + entry_key(name).split("/")  # also `%2e%2e`
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts:
        raise UnsafeFile(
            "corrupt_zip", detail=f"Tệp có thành phần đặt ngoài thư mục của tệp ('{name[:80]}')."
        )
    if "\\" in name:
        raise UnsafeFile(
            "ambiguous_name",
            detail=f"Tệp có thành phần tên '{name[:80]}' viết bằng dấu gạch ngược (\\), mỗi phần mềm hiểu "
            "một khác.",
        )


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    return b"".join(_chunks(archive, info, limit))


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
    """Decompressed chunks of a member, at most `limit` bytes; reading to the end verifies the CRC."""
    try:
        with archive.open(info) as handle:
            left = limit
            while left > 0:
                chunk = handle.read(min(CHUNK, left))
                if not chunk:
                    return
                left -= len(chunk)
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise UnsafeFile("corrupt_zip") from exc


def _scan_part(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    settings: Settings,
    *,
    sized: bool,
    sheet: str | None = None,
) -> None:
    """DTD anywhere in an XML part (`sized`=False); dimension and cell references of a worksheet that
    will be read (`sized`=True, `sheet` its name for the message). Those look at the first PART_SCAN_BYTES
    of the part; characters XML forbids are looked for in the whole part (the directory check bounds the
    total decompressed)."""
    characters = XmlCharacters()
    whole = _checked(_chunks(archive, info, info.file_size + CHUNK), characters, info, sheet)
    _scan_head(_bounded(whole, PART_SCAN_BYTES), settings, sized=sized, sheet=sheet)
    if characters.active:
        for _ in whole:
            pass


def _checked(
    chunks: Iterator[bytes], characters: XmlCharacters, info: zipfile.ZipInfo, sheet: str | None
) -> Iterator[bytes]:
    """`chunks`, each first looked at for characters XML forbids (UnsafeFile `xml_bad_char`)."""
    for chunk in chunks:
        found = characters.feed(chunk)
        if found:
            where = (
                f"Trang tính '{sheet}' ({info.filename[:80]})"
                if sheet
                else f"Thành phần '{info.filename[:80]}'"
            )
            raise UnsafeFile("xml_bad_char", detail=f"{where} của tệp chứa {found}.")
        yield chunk


def _bounded(chunks: Iterator[bytes], limit: int) -> Iterator[bytes]:
    """The first `limit` bytes of `chunks` (the rest stays in `chunks`)."""
    left = limit
    while left > 0:
        chunk = next(chunks, b"")
        if not chunk:
            return
        yield chunk[:left]
        left -= len(chunk)


def _scan_head(stream: Iterator[bytes], settings: Settings, *, sized: bool, sheet: str | None) -> None:
    head = b""
    for chunk in stream:
        head += chunk
        # UTF-16/32 XML: dropping NUL bytes turns the ASCII markup back into ASCII.
        plain = head.replace(b"\x00", b"")
        stripped = plain.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n")
        if not stripped:
            continue
        if not stripped.startswith(b"<"):
            for _ in stream:  # images and other binary parts: reading on only verifies the CRC
                pass
            return
        if _DTD.search(plain):
            raise UnsafeFile("xml_dtd")
        root = _find_root(plain)
        if root is not None:
            break
        if len(head) > PROLOG_MAX_BYTES:
            raise UnsafeFile("xml_dtd")  # an endless prolog: nothing Excel writes
    else:
        return  # the part ended before any element: nothing a parser could expand
    if root == b"macrosheet":
        raise UnsafeFile("macros")  # Excel 4 macros hidden in a sheet part
    windows = _windows(head, stream)
    if sized and root in _SHEET_ROOTS:
        _check_sheet(windows, settings, sheet)
        return
    for window in windows:
        if _DTD.search(window):
            raise UnsafeFile("xml_dtd")


def _find_root(plain: bytes) -> bytes | None:
    """Local name of the first element of the document, skipping `<?...?>`, comments and `<!...>`."""
    pos = 0
    while True:
        start = plain.find(b"<", pos)
        if start < 0 or start + 1 >= len(plain):
            return None
        nxt = plain[start + 1 : start + 2]
        if nxt == b"?":
            end = plain.find(b"?>", start + 2)
        elif plain.startswith(b"<!--", start):
            end = plain.find(b"-->", start + 4)
        elif nxt == b"!":
            end = plain.find(b">", start + 2)
        else:
            match = _ROOT.match(plain, start)
            return match.group(1) if match else b"?"
        if end < 0:
            return None
        pos = end + 1


def _windows(head: bytes, stream: Iterator[bytes]) -> Iterator[bytes]:
    """The part from its start (NUL bytes dropped), each window overlapping the previous one."""
    tail = b""
    for chunk in _chain(head, stream):
        window = tail + chunk.replace(b"\x00", b"")
        yield window
        tail = window[-_OVERLAP:]


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def _check_sheet(windows: Iterator[bytes], settings: Settings, sheet: str | None = None) -> None:
    """Refuse a worksheet whose dimension or (scanned) cell/row references reach beyond the limits."""
    far_ref = _far_ref_pattern(settings.max_sheet_rows, settings.max_sheet_cols)
    dimension_seen = False
    for window in windows:
        if _DTD.search(window):
            raise UnsafeFile("xml_dtd")
        refs = []
        if not dimension_seen:  # the declared size first: it is what the message names
            match = _DIMENSION.search(window)
            if match:
                dimension_seen = True
                refs.append(match.group(1).decode("ascii", "replace"))
        refs += [ref.decode("ascii") for ref in far_ref.findall(window)]
        for ref in refs:
            rows, cols = _ref_extent(ref if not ref.isdigit() else f"A{ref}")
            if rows > settings.max_sheet_rows or cols > settings.max_sheet_cols:
                name = f"Trang tính '{sheet}'" if sheet else "Một trang tính"
                raise UnsafeFile(
                    "sheet_too_big",
                    detail=f"{name} rộng tới {_count(rows)} dòng × {_count(cols)} cột (ô {ref[:24]}); giới hạn là "
                    f"{_count(settings.max_sheet_rows)} dòng × {_count(settings.max_sheet_cols)} cột.",
                )


def _count(number: int) -> str:
    """1100000 -> `1.100.000` (Vietnamese grouping)."""
    return f"{min(number, 10**12):,}".replace(",", ".")


@lru_cache(maxsize=8)
def _far_ref_pattern(max_rows: int, max_cols: int) -> re.Pattern[bytes]:
    """`r="..."` values that might exceed the limits: as many column letters or row digits as the limits.

    Normal cells (`B17`) do not match, so scanning a big sheet costs little more than decompressing it.
    """
    letters = len(_column_letters(max(max_cols, 1)))
    digits = len(str(max(max_rows, 1)))
    return re.compile(
        rb"\sr\s*=\s*[\"']\$?("
        + rb"[A-Za-z]{%d,}\$?\d+|[A-Za-z]+\$?\d{%d,}|\d{%d,}" % (letters, digits, digits)
        + rb")[\"']"
    )


def _column_letters(number: int) -> str:
    """1 -> `A`, 27 -> `AA`, 16384 -> `XFD`."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _ref_extent(ref: str) -> tuple[int, int]:
    """(last row, last column) of an A1 range such as `A1:XFD1048576`; (0, 0) when not a cell range."""
    rows = cols = 0
    for cell in ref.strip().split(":"):
        match = _REF_CELL.match(cell.strip())
        if match:  # lengths capped: still far beyond any limit, and no huge integers
            cols = max(cols, _column_number(match.group(1)[:8]))
            rows = max(rows, int(match.group(2).lstrip("0")[:15] or "0"))
    return rows, cols


def _column_number(letters: str) -> int:
    """`A` -> 1, `Z` -> 26, `AA` -> 27, `XFD` -> 16384."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + (ord(letter) - ord("A") + 1)
    return number
