"""Deterministic .xlsx writer for tracking workbooks (format v1), clean or deliberately messy."""

from __future__ import annotations

import io
import shutil
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook as XlWorkbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from cchc_lib.common import cell_text

__all__ = [
    "SHEET_UNITS",
    "SHEET_TYPES",
    "SHEET_TARGETS",
    "SHEET_ACTIVITIES",
    "SHEET_REVIEWS",
    "SHEET_FUNDING",
    "SHEET_INITIATIVES",
    "SHEET_CHANNEL_GROUPS",
    "SHEET_DIRECTIVES",
    "HEADERS",
    "DEFAULT_ACTIVITY_TYPES",
    "TITLE_BLOCK_ROWS",
    "FIXED_TIMESTAMP",
    "DATE_MODES",
    "HEADER_VARIANTS",
    "WorkbookSpec",
    "Layout",
    "header_row",
    "excel_serial",
    "strip_diacritics",
    "build_xlsx",
    "write_xlsx",
]

SHEET_UNITS = "Đơn vị"
SHEET_TYPES = "Loại hoạt động"
SHEET_TARGETS = "Kế hoạch"
SHEET_ACTIVITIES = "Hoạt động"
SHEET_REVIEWS = "Rà soát Trang TTĐT"
SHEET_FUNDING = "Kinh phí"
SHEET_INITIATIVES = "Sáng kiến"
SHEET_CHANNEL_GROUPS = "Nhóm kênh"
SHEET_DIRECTIVES = "Chỉ đạo, điều hành"

# Canonical column order of every sheet (Kế hoạch: the fixed columns; one column per type follows).
HEADERS: dict[str, list[str]] = {
    SHEET_UNITS: [
        "Mã đơn vị",
        "Tên đơn vị",
        "Loại đơn vị",
        "Trang TTĐT",
        "Đầu mối",
        "Hiệu lực từ",
        "Hiệu lực đến",
        "Sáp nhập vào",
    ],
    SHEET_TYPES: ["Mã loại", "Tên loại hoạt động", "Đơn vị tính"],
    SHEET_TARGETS: ["Năm", "Quý", "Mã đơn vị"],
    SHEET_ACTIVITIES: [
        "Ngày",
        "Mã đơn vị",
        "Loại hoạt động",
        "Số lượng",
        "Tiêu đề",
        "Kênh đăng tải",
        "Lĩnh vực CCHC",
        "Đường dẫn",
        "Ghi chú",
    ],
    SHEET_REVIEWS: [
        "Ngày rà soát",
        "Mã đơn vị",
        "Người rà soát",
        "Có chuyên mục CCHC",
        "Cập nhật tin CCHC trong quý",
        "Liên kết hỏng",
        "Điểm",
        "Nhận xét",
    ],
    SHEET_FUNDING: ["Năm", "Mã đơn vị", "Dự toán", "Đã chi", "Ghi chú"],
    SHEET_INITIATIVES: [
        "Năm",
        "Mã đơn vị",
        "Tên sáng kiến, mô hình",
        "Lĩnh vực CCHC",
        "Tình trạng",
        "Kết quả",
    ],
    SHEET_CHANNEL_GROUPS: ["Mã nhóm", "Tên nhóm kênh", "Từ khóa"],
    SHEET_DIRECTIVES: ["Số, ký hiệu", "Ngày ban hành", "Cơ quan ban hành", "Trích yếu", "Loại văn bản"],
}

DEFAULT_ACTIVITY_TYPES: list[dict[str, Any]] = [
    {"Mã loại": "TIN_BAI", "Tên loại hoạt động": "Tin, bài", "Đơn vị tính": "tin, bài"},
    {"Mã loại": "PHONG_SU", "Tên loại hoạt động": "Phóng sự", "Đơn vị tính": "phóng sự"},
    {"Mã loại": "BAI_DANG_TTDT", "Tên loại hoạt động": "Bài đăng Cổng/Trang TTĐT", "Đơn vị tính": "bài đăng"},
]

_TABLE_TITLES = {
    SHEET_UNITS: "DANH SÁCH ĐƠN VỊ THỰC HIỆN",
    SHEET_TYPES: "DANH MỤC LOẠI HOẠT ĐỘNG TUYÊN TRUYỀN",
    SHEET_TARGETS: "KẾ HOẠCH THÔNG TIN, TUYÊN TRUYỀN CẢI CÁCH HÀNH CHÍNH",
    SHEET_ACTIVITIES: "TỔNG HỢP KẾT QUẢ THÔNG TIN, TUYÊN TRUYỀN CẢI CÁCH HÀNH CHÍNH",
    SHEET_REVIEWS: "KẾT QUẢ RÀ SOÁT TRANG THÔNG TIN ĐIỆN TỬ",
    SHEET_FUNDING: "KINH PHÍ THỰC HIỆN KẾ HOẠCH TUYÊN TRUYỀN",
    SHEET_INITIATIVES: "SÁNG KIẾN, MÔ HÌNH MỚI TRONG CẢI CÁCH HÀNH CHÍNH",
    SHEET_CHANNEL_GROUPS: "DANH MỤC NHÓM KÊNH ĐĂNG TẢI",
    SHEET_DIRECTIVES: "VĂN BẢN CHỈ ĐẠO, ĐIỀU HÀNH CÔNG TÁC TUYÊN TRUYỀN CẢI CÁCH HÀNH CHÍNH",
}
_DATE_HEADERS = {"Ngày", "Hiệu lực từ", "Hiệu lực đến", "Ngày rà soát", "Ngày ban hành"}
_UNIT_CODE = "Mã đơn vị"
_UNIT_NAME = "Tên đơn vị"
_TOTAL_LABEL = "Tổng cộng"
_STT = "STT"
_EXTRA = "Người nhập"
_EXTRA_SHEETS = (SHEET_UNITS, SHEET_ACTIVITIES)
_ENTERED_BY = ("Nguyễn Thị Hà", "Trần Văn Nam", "Lê Thị Thu", "Phan Đức Anh")

# Rows 1-5 hold the letterhead and the table title; the header row is the next one.
TITLE_BLOCK_ROWS = 5
# Written as the workbook's created/modified time and every zip member's time: same input, same bytes.
FIXED_TIMESTAMP = datetime(2024, 1, 1, 0, 0, 0)
DATE_MODES = ("date", "text", "serial", "mixed")
HEADER_VARIANTS = ("ascii", "upper", "spaces", "mixed")
_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_FORMAT = "DD/MM/YYYY"


@dataclass
class WorkbookSpec:
    """A workbook as plain rows: each row a dict keyed by the spec's Vietnamese headers.

    `targets` rows are either in the sheet's wide form ({"Năm", "Quý", "Mã đơn vị", <type>: count,
    ...}) or long form ({"Năm", "Quý", "Mã đơn vị", "Loại hoạt động": type, "Chỉ tiêu": count});
    long rows are pivoted to wide. `activity_types` None leaves the `Loại hoạt động` sheet out.
    Optional sheets are written only when their list is not None. Keys that are not spec headers
    become extra columns after the known ones. `agency` heads the title block.
    """

    units: list[dict[str, Any]]
    targets: list[dict[str, Any]]
    activities: list[dict[str, Any]]
    activity_types: list[dict[str, Any]] | None = None
    portal_reviews: list[dict[str, Any]] | None = None
    funding: list[dict[str, Any]] | None = None
    initiatives: list[dict[str, Any]] | None = None
    channel_groups: list[dict[str, Any]] | None = None
    directives: list[dict[str, Any]] | None = None
    agency: str = "ỦY BAN NHÂN DÂN"


@dataclass(frozen=True)
class Layout:
    """How untidy the written file is. Every option is off by default (a clean table from A1)."""

    title_block: bool = False  # letterhead + table title in merged cells; header at TITLE_BLOCK_ROWS + 1
    stt: bool = False  # an `STT` first column numbered 1..n
    total_row: bool = False  # a `Tổng cộng` row under `Hoạt động` and `Kế hoạch`
    extra_column: bool = False  # a `Người nhập` column in `Đơn vị` and `Hoạt động`
    header_variants: str | None = None  # "ascii" | "upper" | "spaces" | "mixed" (see _vary)
    dates_as: str = "date"  # "date" | "text" (dd/mm/yyyy) | "serial" (int) | "mixed" (cycling)
    nfd_text: bool = False  # every text cell NFD-decomposed
    nbsp: bool = False  # NBSP and trailing spaces around unit codes and names
    lower_codes: bool = False  # unit codes in lower case in `Hoạt động` and `Kế hoạch`
    blank_rows: bool = False  # an empty row after every `blank_every` data rows
    blank_every: int = 7
    numbers_as_text: bool = False  # counts (Số lượng, target columns) as text with spaces: " 7 "
    freeze_header: bool = True  # freeze panes under the header row (cosmetic)

    def __post_init__(self) -> None:
        if self.dates_as not in DATE_MODES:
            raise ValueError(f"dates_as must be one of {DATE_MODES}, not {self.dates_as!r}")
        if self.header_variants not in (None, *HEADER_VARIANTS):
            raise ValueError(f"header_variants must be None or one of {HEADER_VARIANTS}")
        if self.blank_every < 1:
            raise ValueError("blank_every must be >= 1")


def header_row(layout: Layout) -> int:
    """Excel row number (1-based) of the header row under `layout`."""
    return TITLE_BLOCK_ROWS + 1 if layout.title_block else 1


def excel_serial(day: date) -> int:
    """Excel's serial number of a date (1900 date system): days since 1899-12-30."""
    if isinstance(day, datetime):
        day = day.date()
    return (day - _EXCEL_EPOCH).days


def strip_diacritics(text: str) -> str:
    """`Mã đơn vị` -> `Ma don vi` (đ/Đ -> d/D)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# ---------------------------------------------------------------------------------------------
# Tables: the spec's rows as (headers, rows) before layout is applied.


@dataclass
class _Table:
    sheet: str
    headers: list[str]
    rows: list[list[Any]]
    sum_columns: list[str] = field(default_factory=list)


def _columns(rows: Iterable[dict[str, Any]], known: Sequence[str]) -> list[str]:
    """Known headers present in any row (in spec order; required ones always), then extra keys."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return [h for h in known if h in seen] + [k for k in seen if k not in known]


def _table(sheet: str, rows: list[dict[str, Any]], required: Sequence[str] = ()) -> _Table:
    headers = _columns(rows, HEADERS[sheet])
    for name in required:
        if name not in headers:
            headers.insert(HEADERS[sheet].index(name), name)
    return _Table(sheet, headers, [[row.get(h) for h in headers] for row in rows])


_LONG_TYPE_KEYS = ("Loại hoạt động", "Mã loại")
_LONG_VALUE_KEY = "Chỉ tiêu"


def _wide_targets(targets: list[dict[str, Any]], types: list[dict[str, Any]] | None) -> _Table:
    """Targets as the wide `Kế hoạch` table; long rows are pivoted on (Năm, Quý, Mã đơn vị)."""
    base = HEADERS[SHEET_TARGETS]
    merged: dict[tuple[Any, Any, Any], dict[str, Any]] = {}
    order: list[dict[str, Any]] = []
    for target in targets:
        if _LONG_VALUE_KEY in target:
            type_key = next((target[k] for k in _LONG_TYPE_KEYS if k in target), None)
            if type_key is None:
                raise ValueError(f"long-form target without 'Loại hoạt động': {target!r}")
            key = (target.get("Năm"), target.get("Quý"), target.get(_UNIT_CODE))
            if key not in merged:
                merged[key] = {"Năm": key[0], "Quý": key[1], _UNIT_CODE: key[2]}
                order.append(merged[key])
            merged[key][type_key] = target[_LONG_VALUE_KEY]
        else:
            order.append(dict(target))
    type_keys: dict[str, None] = {}
    for row in order:
        for key in row:
            if key not in base:
                type_keys.setdefault(key, None)
    catalogue = [t["Mã loại"] for t in (types or DEFAULT_ACTIVITY_TYPES)]
    names = [t.get("Tên loại hoạt động") for t in (types or DEFAULT_ACTIVITY_TYPES)]
    ranked = sorted(
        type_keys,
        key=lambda k: catalogue.index(k) if k in catalogue else names.index(k) if k in names else len(names),
    )
    headers = [*base, *ranked]
    return _Table(SHEET_TARGETS, headers, [[row.get(h) for h in headers] for row in order], list(ranked))


def _tables(spec: WorkbookSpec) -> list[_Table]:
    tables = [_table(SHEET_UNITS, spec.units, ("Mã đơn vị", "Tên đơn vị", "Loại đơn vị"))]
    if spec.activity_types is not None:
        tables.append(_table(SHEET_TYPES, spec.activity_types, ("Mã loại", "Tên loại hoạt động")))
    tables.append(_wide_targets(spec.targets, spec.activity_types))
    activities = _table(SHEET_ACTIVITIES, spec.activities, ("Ngày", "Mã đơn vị", "Loại hoạt động"))
    if "Số lượng" in activities.headers:
        activities.sum_columns = ["Số lượng"]
    tables.append(activities)
    optional = (
        (SHEET_REVIEWS, spec.portal_reviews, ("Ngày rà soát", "Mã đơn vị")),
        (SHEET_FUNDING, spec.funding, ("Năm", "Mã đơn vị", "Dự toán")),
        (SHEET_INITIATIVES, spec.initiatives, ("Năm", "Mã đơn vị", "Tên sáng kiến, mô hình")),
        (SHEET_CHANNEL_GROUPS, spec.channel_groups, ("Mã nhóm", "Tên nhóm kênh")),
        (SHEET_DIRECTIVES, spec.directives, ("Số, ký hiệu", "Ngày ban hành", "Trích yếu")),
    )
    for sheet, rows, required in optional:
        if rows is not None:
            tables.append(_table(sheet, rows, required))
    return tables


# ---------------------------------------------------------------------------------------------
# Layout: turning a table into worksheet rows.


def _vary(text: str, mode: str | None, index: int) -> str:
    """Header/sheet-name spelling: ascii `Ma don vi`, upper `MÃ ĐƠN VỊ`, spaces `Mã  đơn vị `."""
    if mode == "mixed":
        mode = HEADER_VARIANTS[index % 3]
    if mode == "ascii":
        return strip_diacritics(text)
    if mode == "upper":
        return text.upper()
    if mode == "spaces":
        return text.replace(" ", "  ") + " "
    return text


def _sheet_title(sheet: str, mode: str | None) -> str:
    # "mixed" spells every sheet name like `HOAT DONG` (upper case, no diacritics).
    if mode == "mixed":
        return strip_diacritics(sheet).upper()
    return _vary(sheet, mode, 0)[:31]


class _CellWriter:
    """Applies the layout's cell-level options; one instance per sheet."""

    def __init__(self, ws: Any, layout: Layout, sheet: str, count_columns: Sequence[str]) -> None:
        self.ws = ws
        self.layout = layout
        self.sheet = sheet
        self.counts = set(count_columns)
        self.lower = layout.lower_codes and sheet in (SHEET_ACTIVITIES, SHEET_TARGETS)

    def normalised(self, value: str) -> str:
        return unicodedata.normalize("NFD", value) if self.layout.nfd_text else value

    def text(self, value: str) -> Any:
        """`value` for `ws.append`: a title such as "=SUM(...)" stays text, never a live formula."""
        return cell_text.cell(self.ws, self.normalised(value))

    def date(self, value: date, index: int) -> Any:
        mode = self.layout.dates_as
        if mode == "mixed":
            mode = ("date", "text", "serial")[index % 3]
        if mode == "text":
            return self.text(value.strftime("%d/%m/%Y"))
        if mode == "serial":
            return excel_serial(value)
        cell = WriteOnlyCell(self.ws, value.date() if isinstance(value, datetime) else value)
        cell.number_format = _DATE_FORMAT
        return cell

    def value(self, header: str, value: Any, index: int) -> Any:
        if value is None:
            return None
        if isinstance(value, date) and header in _DATE_HEADERS:
            return self.date(value, index)
        if isinstance(value, (date, datetime)):
            cell = WriteOnlyCell(self.ws, value)
            cell.number_format = _DATE_FORMAT
            return cell
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and self.layout.numbers_as_text and header in self.counts:
            return f" {value} "
        if not isinstance(value, str):
            return value
        if header == _UNIT_CODE and self.lower:
            value = value.lower()
        if self.layout.nbsp and header in (_UNIT_CODE, _UNIT_NAME):
            value = self._padded(value, index)
        return self.text(value)

    @staticmethod
    def _padded(value: str, index: int) -> str:
        kind = index % 3
        if kind == 0:
            return value + "\u00a0"
        if kind == 1:
            return " " + value.replace(" ", "\u00a0", 1) + "  "
        return "\u00a0" + value + " "


def _write_table(wb: XlWorkbook, table: _Table, layout: Layout, agency: str) -> None:
    ws = wb.create_sheet(_sheet_title(table.sheet, layout.header_variants))
    writer = _CellWriter(ws, layout, table.sheet, table.sum_columns)
    headers = list(table.headers)
    if layout.extra_column and table.sheet in _EXTRA_SHEETS:
        headers.append(_EXTRA)
    if layout.stt:
        headers.insert(0, _STT)
    width = len(headers)
    for col, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(col)].width = _width(table.sheet, header)
    top = header_row(layout)
    if layout.freeze_header:
        ws.freeze_panes = f"A{top + 1}"
    if layout.title_block:
        _title_block(ws, layout, table.sheet, width, agency)

    bold = Font(bold=True)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header_cells = []
    for col, header in enumerate(headers):
        cell = cell_text.put(WriteOnlyCell(ws), writer.normalised(_vary(header, layout.header_variants, col)))
        cell.font = bold
        cell.alignment = centre
        header_cells.append(cell)
    ws.append(header_cells)

    extra = layout.extra_column and table.sheet in _EXTRA_SHEETS
    columns = table.headers
    for index, row in enumerate(table.rows):
        if layout.blank_rows and index and index % layout.blank_every == 0:
            ws.append([])
        out = [writer.value(h, v, index) for h, v in zip(columns, row, strict=True)]
        if extra:
            out.append(writer.text(_ENTERED_BY[index % len(_ENTERED_BY)]))
        if layout.stt:
            out.insert(0, index + 1)
        ws.append(out)

    if layout.total_row and table.sum_columns:
        total: list[Any] = [None] * width
        total[0] = writer.text(_TOTAL_LABEL)
        for name in table.sum_columns:
            pos = columns.index(name)
            amount = sum(_as_int(row[pos]) for row in table.rows)
            total[pos + (1 if layout.stt else 0)] = amount
        ws.append(total)


def _as_int(value: Any) -> int:
    if value is None or value == "":
        return 0
    return int(value)


def _title_block(ws: Any, layout: Layout, sheet: str, width: int, agency: str) -> None:
    """Rows 1-5: agency | national motto, motto line, blank, table title, blank (merged cells)."""
    width = max(width, 2)
    split = max(1, width // 2 - 1) if width > 3 else 1
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def cell(text: str, font: Font) -> WriteOnlyCell:
        out = cell_text.put(
            WriteOnlyCell(ws), unicodedata.normalize("NFD", text) if layout.nfd_text else text
        )
        out.font = font
        out.alignment = centre
        return out

    bold = Font(bold=True)
    padding = [None] * (split - 1)
    ws.append([cell(agency.upper(), bold), *padding, cell("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold)])
    ws.append([None, *padding, cell("Độc lập - Tự do - Hạnh phúc", Font(bold=True, underline="single"))])
    ws.append([])
    ws.append([cell(_TABLE_TITLES[sheet], Font(bold=True, size=13))])
    ws.append([])
    for row in (1, 2):
        if split > 1:
            ws.merged_cells.add(f"A{row}:{get_column_letter(split)}{row}")
        if width > split + 1:
            ws.merged_cells.add(f"{get_column_letter(split + 1)}{row}:{get_column_letter(width)}{row}")
    ws.merged_cells.add(f"A4:{get_column_letter(width)}4")


def _width(sheet: str, header: str) -> float:
    if header in ("Tiêu đề", "Tên sáng kiến, mô hình", "Kết quả", "Nhận xét", "Trích yếu", "Từ khóa"):
        return 60
    if header in ("Tên đơn vị", "Đường dẫn", "Trang TTĐT"):
        return 42
    if header in (
        "Kênh đăng tải",
        "Lĩnh vực CCHC",
        "Ghi chú",
        "Tên loại hoạt động",
        "Đầu mối",
        "Tên nhóm kênh",
        "Cơ quan ban hành",
    ):
        return 26
    if header == _STT:
        return 6
    return 14


# ---------------------------------------------------------------------------------------------
# Saving with fixed timestamps.


class _FixedTimeZip(ZipFile):
    """A ZipFile whose members all carry FIXED_TIMESTAMP, so equal content gives equal bytes."""

    def _info(self, name: str) -> ZipInfo:
        info = ZipInfo(name, date_time=FIXED_TIMESTAMP.timetuple()[:6])
        info.compress_type = self.compression
        info.external_attr = 0o600 << 16
        return info

    def writestr(self, zinfo_or_arcname: Any, data: Any, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        if not isinstance(zinfo_or_arcname, ZipInfo):
            zinfo_or_arcname = self._info(str(zinfo_or_arcname))
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        info = self._info(str(arcname if arcname is not None else filename))
        with open(filename, "rb") as source, self.open(info, "w", force_zip64=True) as target:
            shutil.copyfileobj(source, target, 1 << 20)


def build_xlsx(spec: WorkbookSpec, *, layout: Layout | None = None) -> bytes:
    """The workbook of `spec` as .xlsx bytes, laid out per `layout`; identical input -> identical bytes."""
    layout = layout or Layout()
    wb = XlWorkbook(write_only=True)
    wb.properties.creator = "cchc_lib.sample.builder"
    wb.properties.lastModifiedBy = "cchc_lib.sample.builder"
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    for table in _tables(spec):
        _write_table(wb, table, layout, spec.agency)
    buffer = io.BytesIO()
    # ExcelWriter directly: openpyxl's save_workbook would stamp `modified` with the current time.
    with _FixedTimeZip(buffer, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    return buffer.getvalue()


def write_xlsx(spec: WorkbookSpec, path: str | Path, *, layout: Layout | None = None) -> Path:
    """Write `build_xlsx(spec, layout=layout)` to `path` (parent folders created); returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(build_xlsx(spec, layout=layout))
    return target
