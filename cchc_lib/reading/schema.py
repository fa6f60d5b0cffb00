"""The workbook contract as data: sheets, headers, value kinds, default catalogues (workbook.md)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DEFAULT_ACTIVITY_TYPES",
    "HEADER_SEARCH_ROWS",
    "OTHER_CHANNEL_GROUP",
    "SHEETS",
    "TOTAL_ROW_KEYS",
    "Column",
    "SheetSpec",
    "sheet_spec",
]

HEADER_SEARCH_ROWS = 30
TOTAL_ROW_KEYS = frozenset({"tong", "tong cong", "cong"})
IGNORED_HEADER_KEYS = frozenset({"stt", "tt", "so tt", "so thu tu"})

# Value kinds understood by the reader (cells.py parses each kind).
TEXT, CODE, UNIT_REF, TYPE_REF, DATE, COUNT, QUANTITY, YEAR, QUARTER, YESNO, SCORE, MONEY, TARGET = (
    "text",
    "code",
    "unit_ref",
    "type_ref",
    "date",
    "count",
    "quantity",
    "year",
    "quarter",
    "yesno",
    "score",
    "money",
    "target",  # a Kế hoạch type column: whole number >= 0, or `-`/`x` for no target
)


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header as the spec names it, the field it maps to, its kind."""

    header: str
    field: str
    kind: str = TEXT
    required: bool = False
    # Other spellings accepted for the header (matched after the same normalisation).
    aliases: tuple[str, ...] = ()

    @property
    def headers(self) -> tuple[str, ...]:
        """The header and its aliases."""
        return (self.header, *self.aliases)


@dataclass(frozen=True)
class SheetSpec:
    """One sheet of the workbook: name, whether it must be present, and its columns."""

    name: str
    key: str  # attribute name on model.Workbook
    required: bool
    columns: tuple[Column, ...]
    # Kế hoạch only: further columns are activity types (header = type code or name).
    type_columns: bool = False
    # False for a catalogue, which has no total rows (a group coded `CONG` is not `Cộng`).
    total_rows: bool = True

    @property
    def required_headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns if c.required)


UNITS = SheetSpec(
    "Đơn vị",
    "units",
    True,
    (
        Column("Mã đơn vị", "unit_code", CODE, True),
        Column("Tên đơn vị", "unit_name", TEXT, True),
        Column("Loại đơn vị", "unit_type", TEXT, True),
        Column("Trang TTĐT", "portal_url"),
        Column("Đầu mối", "contact"),
        # Optional contact columns (read as typed: a phone keeps its leading zero when typed as text).
        Column("Điện thoại", "phone", aliases=("SĐT", "Số điện thoại", "Điện thoại liên hệ", "ĐT liên hệ")),
        Column("Email", "email", aliases=("E-mail", "Thư điện tử", "Địa chỉ email", "Địa chỉ thư điện tử")),
        Column("Hiệu lực từ", "valid_from", DATE),
        Column("Hiệu lực đến", "valid_to", DATE),
        # The code (or exact name) of the unit this unit was merged into.
        Column(
            "Sáp nhập vào", "successor_code", UNIT_REF, aliases=("Đơn vị sáp nhập vào", "Mã đơn vị sáp nhập")
        ),
    ),
)
TYPES = SheetSpec(
    "Loại hoạt động",
    "activity_types",
    False,
    (
        Column("Mã loại", "type_code", CODE, True),
        Column("Tên loại hoạt động", "type_name", TEXT, True),
        Column("Đơn vị tính", "measure"),
    ),
)
TARGETS = SheetSpec(
    "Kế hoạch",
    "targets",
    True,
    (
        Column("Năm", "year", YEAR, True),
        Column("Quý", "quarter", QUARTER),
        Column("Mã đơn vị", "unit_code", UNIT_REF, True),
    ),
    type_columns=True,
)
ACTIVITIES = SheetSpec(
    "Hoạt động",
    "activities",
    True,
    (
        Column("Ngày", "date", DATE, True),
        Column("Mã đơn vị", "unit_code", UNIT_REF, True),
        Column("Loại hoạt động", "type_code", TYPE_REF, True),
        Column("Số lượng", "quantity", QUANTITY, aliases=("SL", "S.lượng", "S. lượng", "Số lượng thực hiện")),
        Column("Tiêu đề", "title"),
        Column("Kênh đăng tải", "channel"),
        Column("Lĩnh vực CCHC", "reform_area"),
        Column("Đường dẫn", "link"),
        Column("Ghi chú", "note"),
    ),
)
REVIEWS = SheetSpec(
    "Rà soát Trang TTĐT",
    "portal_reviews",
    False,
    (
        Column("Ngày rà soát", "review_date", DATE, True),
        Column("Mã đơn vị", "unit_code", UNIT_REF, True),
        Column("Người rà soát", "reviewer"),
        Column("Có chuyên mục CCHC", "has_cchc_section", YESNO),
        Column("Cập nhật tin CCHC trong quý", "updated_this_quarter", YESNO),
        Column("Liên kết hỏng", "broken_links", COUNT),
        Column("Điểm", "score", SCORE),
        Column("Nhận xét", "findings"),
    ),
)
FUNDING = SheetSpec(
    "Kinh phí",
    "funding",
    False,
    (
        Column("Năm", "year", YEAR, True),
        Column("Mã đơn vị", "unit_code", UNIT_REF, True),
        Column("Dự toán", "allocated", MONEY, True),
        Column("Đã chi", "spent", MONEY),
        Column("Ghi chú", "note"),
    ),
)
INITIATIVES = SheetSpec(
    "Sáng kiến",
    "initiatives",
    False,
    (
        Column("Năm", "year", YEAR, True),
        Column("Mã đơn vị", "unit_code", UNIT_REF, True),
        Column("Tên sáng kiến, mô hình", "name", TEXT, True),
        Column("Lĩnh vực CCHC", "reform_area"),
        Column("Tình trạng", "status"),
        Column("Kết quả", "result"),
    ),
)

CHANNEL_GROUPS = SheetSpec(
    "Nhóm kênh",
    "channel_groups",
    False,
    (
        Column("Mã nhóm", "group_code", CODE, True),
        Column("Tên nhóm kênh", "group_name", TEXT, True),
        Column("Từ khóa", "keywords"),  # keywords separated by ';'
    ),
    total_rows=False,
)
DIRECTIVES = SheetSpec(
    "Chỉ đạo, điều hành",
    "directives",
    False,
    (
        Column("Số, ký hiệu", "number", TEXT, True, ("Số ký hiệu", "Số hiệu", "Số văn bản")),
        Column("Ngày ban hành", "issued_date", DATE, True),
        Column("Cơ quan ban hành", "issuer"),
        Column("Trích yếu", "summary", TEXT, True, ("Trích yếu nội dung", "Nội dung")),
        Column("Loại văn bản", "doc_type"),
    ),
)

# Reading order matters: units and the catalogues first, since the others refer to them.
SHEETS: tuple[SheetSpec, ...] = (
    UNITS,
    TYPES,
    TARGETS,
    ACTIVITIES,
    REVIEWS,
    FUNDING,
    INITIATIVES,
    CHANNEL_GROUPS,
    DIRECTIVES,
)

INITIATIVE_STATUSES = ("Đề xuất", "Đang áp dụng", "Đã nhân rộng")

DEFAULT_ACTIVITY_TYPES: tuple[tuple[str, str, str], ...] = (
    ("TIN_BAI", "Tin, bài", "tin, bài"),
    ("PHONG_SU", "Phóng sự", "phóng sự"),
    ("BAI_DANG_TTDT", "Bài đăng Cổng/Trang TTĐT", "bài đăng"),
)


# The channel group every unmatched channel falls into; always the last group of a catalogue.
OTHER_CHANNEL_GROUP = ("KHAC", "Khác")


def sheet_spec(key: str) -> SheetSpec:
    """The spec of the sheet stored as `key` on the Workbook (e.g. "activities")."""
    return next(s for s in SHEETS if s.key == key)
