"""Excel templates in the workbook format (schema.py): blank with units and catalogue filled in, or per unit."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
from openpyxl import Workbook as XlWorkbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from cchc_lib.common import cell_text
from cchc_lib.common.settings import Settings
from cchc_lib.reading import schema
from cchc_lib.reading.channels import channel_catalogue
from cchc_lib.reading.model import Workbook

__all__ = [
    "INSTRUCTIONS_SHEET",
    "LISTS_SHEET",
    "REFORM_AREAS",
    "SYSTEM_PAGE",
    "TemplateError",
    "build_template",
    "channel_values",
    "template_file_name",
    "units_of_year",
]

INSTRUCTIONS_SHEET = "Hướng dẫn"
LISTS_SHEET = "Danh mục"
INPUT_ROWS = 1000  # rows prepared with validation and formats on the input sheets
QUARTERS = ("1", "2", "3", "4")
YES_NO = ("Có", "Không")
# The six areas of the state administrative reform programme (Nghị quyết 76/NQ-CP), offered in the
# `Lĩnh vực CCHC` dropdowns; any other text is still accepted.
REFORM_AREAS = (
    "Cải cách thể chế",
    "Cải cách thủ tục hành chính",
    "Cải cách tổ chức bộ máy",
    "Cải cách chế độ công vụ",
    "Cải cách tài chính công",
    "Xây dựng và phát triển chính quyền điện tử, chính quyền số",
)
# Channels written often enough to be offered first; the channel groups' names are offered too.
CHANNEL_VALUES_MAX = 60
# The dashboard's page where a filled-in file is published (messages.MENU's label of the upload page);
# the instructions name pages of the dashboard in «…» and sheets of the file in '…'.
SYSTEM_PAGE = "Cập nhật dữ liệu"
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_LOCKED_FILL = PatternFill("solid", fgColor="EDEDED")
_WIDTHS = {"date": 13, "unit_ref": 14, "code": 14, "type_ref": 26, "quantity": 10, "year": 8, "quarter": 7}
_TEXT_WIDTHS = {"unit_name": 40, "title": 50, "link": 40, "name": 45, "findings": 40, "result": 40}


class TemplateError(ValueError):
    """A template that cannot be made (unknown unit code); message in Vietnamese."""


def template_file_name(unit_code: str | None = None, year: int | None = None) -> str:
    """ "mau_so_lieu_cchc_2024.xlsx" or "mau_so_lieu_cchc_2024_XCB.xlsx"."""
    parts = ["mau_so_lieu_cchc"] + ([str(year)] if year else []) + ([unit_code] if unit_code else [])
    return "_".join(parts) + ".xlsx"


def _header(ws: Worksheet, headers: list[str], widths: list[float]) -> None:
    _append(ws, headers)
    for column, width in enumerate(widths, start=1):
        cell = ws.cell(row=1, column=column)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 30


def _width(column: schema.Column) -> float:
    return _TEXT_WIDTHS.get(column.field, _WIDTHS.get(column.kind, 18))


def _text(value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value


def _append(ws: Worksheet, values: list[object]) -> None:
    """`ws.append` with every text kept as text (a unit named "=HYPERLINK(...)" stays a name)."""
    ws.append([cell_text.cell(ws, value) for value in values])


def units_of_year(units: pd.DataFrame, year: int) -> pd.DataFrame:
    """The units whose validity (`valid_from`..`valid_to`, inclusive, blank = open) covers at least one
    day of `year`, in workbook order."""
    first, last = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    keep = pd.Series(True, index=units.index)
    if "valid_from" in units.columns:
        start = pd.to_datetime(units["valid_from"], errors="coerce")
        keep &= start.isna() | (start <= last)
    if "valid_to" in units.columns:
        end = pd.to_datetime(units["valid_to"], errors="coerce")
        keep &= end.isna() | (end >= first)
    return units[keep]


def channel_values(wb: Workbook | None) -> list[str]:
    """The `Kênh đăng tải` dropdown: the channel texts the workbook uses most (up to
    CHANNEL_VALUES_MAX, most frequent first), then the channel groups' names not yet listed."""
    values: list[str] = []
    if wb is not None and "channel" in wb.activities.columns:
        channels = wb.activities["channel"].dropna().astype(str).str.strip()
        counts = channels[channels != ""].value_counts(sort=True)
        values = [str(v) for v in counts.index[:CHANNEL_VALUES_MAX]]
    catalogue = channel_catalogue(wb)
    groups = [str(n) for n in catalogue["group_name"] if str(n) != schema.OTHER_CHANNEL_GROUP[1]]
    seen = {v.casefold() for v in values}
    return values + [g for g in groups if g.casefold() not in seen]


def _list_range(ws_lists: Worksheet, column: int, values: list[str], title: str) -> str:
    """Write `values` down a column of the hidden list sheet; return its absolute range reference."""
    cell_text.write(ws_lists, 1, column, title).font = Font(bold=True)
    for row, value in enumerate(values, start=2):
        cell_text.write(ws_lists, row, column, value)
    letter = get_column_letter(column)
    last = max(len(values) + 1, 2)
    return f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${last}"


def _list_validation(
    ws: Worksheet, column: int, source: str, prompt: str, first_row: int = 2, *, free_text: bool = False
) -> None:
    """A dropdown from `source`; with `free_text` any other text is accepted without a message."""
    letter = get_column_letter(column)
    validation = DataValidation(type="list", formula1=f"={source}", allow_blank=True)
    validation.error = "Hãy chọn một giá trị trong danh sách."
    validation.errorTitle = "Giá trị không hợp lệ"
    validation.prompt = prompt
    validation.showErrorMessage = not free_text
    validation.showInputMessage = True
    ws.add_data_validation(validation)
    validation.add(f"{letter}{first_row}:{letter}{INPUT_ROWS + 1}")


def _date_validation(ws: Worksheet, column: int) -> None:
    letter = get_column_letter(column)
    validation = DataValidation(
        type="date",
        operator="between",
        formula1="DATE(2000,1,1)",
        formula2="DATE(2100,12,31)",
        allow_blank=True,
    )
    validation.error = "Hãy nhập ngày dạng ngày/tháng/năm, ví dụ 05/03/2024."
    validation.errorTitle = "Ngày không hợp lệ"
    validation.prompt = "Ngày/tháng/năm, ví dụ 05/03/2024"
    validation.showErrorMessage = True
    validation.showInputMessage = True
    ws.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}{INPUT_ROWS + 1}")
    for row in range(2, INPUT_ROWS + 2):
        ws.cell(row=row, column=column).number_format = "dd/mm/yyyy"


def _whole_number_validation(
    ws: Worksheet, column: int, minimum: int, prompt: str, first_row: int = 2
) -> None:
    letter = get_column_letter(column)
    validation = DataValidation(
        type="whole", operator="greaterThanOrEqual", formula1=str(minimum), allow_blank=True
    )
    validation.error = f"Hãy nhập số nguyên từ {minimum} trở lên."
    validation.errorTitle = "Số không hợp lệ"
    validation.prompt = prompt
    validation.showErrorMessage = True
    validation.showInputMessage = True
    ws.add_data_validation(validation)
    validation.add(f"{letter}{first_row}:{letter}{INPUT_ROWS + 1}")


def _lock(ws: Worksheet) -> None:
    """Protect the sheet (no password: a guard against slips, not a security measure)."""
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.fill = _LOCKED_FILL
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.autoFilter = False


def _instructions(ws: Worksheet, settings: Settings, unit: str | None, year: int) -> None:
    ws.column_dimensions["A"].width = 110
    lines = [
        ("MẪU SỐ LIỆU THÔNG TIN, TUYÊN TRUYỀN CẢI CÁCH HÀNH CHÍNH", True),
        (f"{settings.organisation} — năm {year}" + (f" — đơn vị: {unit}" if unit else ""), False),
        ("", False),
        ("Cách điền", True),
        (
            "1. Không đổi tên các trang tính và các tiêu đề cột; có thể thêm cột ghi chú riêng (sẽ được bỏ qua).",
            False,
        ),
        (
            "2. Trang 'Hoạt động': mỗi dòng là một tin, bài, phóng sự, bài đăng, chương trình phát thanh, hội nghị...",
            False,
        ),
        ("   - Ngày: ngày đăng tải/thực hiện, dạng ngày/tháng/năm (05/03/2024 là ngày 5 tháng 3).", False),
        ("   - Mã đơn vị, Loại hoạt động: chọn trong danh sách thả xuống.", False),
        (
            "   - Số lượng: để trống nếu là 1; ghi số nếu một dòng gồm nhiều sản phẩm (ví dụ 12 buổi phát thanh).",
            False,
        ),
        (
            "   - Kênh đăng tải: chọn trong danh sách hoặc ghi tên kênh khác (ví dụ Trang TTĐT xã, "
            "loa truyền thanh cơ sở).",
            False,
        ),
        (
            "   - Lĩnh vực CCHC: chọn một trong sáu lĩnh vực cải cách hành chính (có thể ghi nội dung khác).",
            False,
        ),
        ("   - Đường dẫn: địa chỉ bài viết đã đăng (minh chứng).", False),
        ("3. Không ghi dòng 'Tổng', 'Cộng' trong bảng: hệ thống tự tính tổng.", False),
    ]
    if unit:
        lines += [
            (
                "4. Các trang 'Đơn vị', 'Loại hoạt động', 'Kế hoạch' chỉ để xem (đã khóa): chỉ tiêu được giao của đơn vị.",
                False,
            ),
            (
                f"5. Nộp tệp tại trang «{SYSTEM_PAGE}» của bảng theo dõi (đăng nhập bằng tài khoản của đơn vị).",
                False,
            ),
        ]
    else:
        optional = ", ".join(
            f"'{s.name}'" for s in schema.SHEETS if not s.required and s.key != "activity_types"
        )
        lines += [
            (
                "4. Trang 'Kế hoạch': mỗi dòng là chỉ tiêu của một đơn vị trong một năm (để trống Quý) hoặc một quý (1-4);",
                False,
            ),
            ("   mỗi cột loại hoạt động ghi số chỉ tiêu (số nguyên), để trống nếu không giao.", False),
            (
                f"5. Trang 'Đơn vị', 'Loại hoạt động': danh mục hiện hành của năm {year}; thêm dòng khi có "
                "đơn vị, loại hoạt động mới.",
                False,
            ),
            (f"6. Các trang {optional} không bắt buộc: xóa trang nếu không theo dõi.", False),
            (f"7. Quản trị viên công bố tệp tại trang «{SYSTEM_PAGE}» của bảng theo dõi.", False),
        ]
    lines.append((f"Trang '{LISTS_SHEET}' (ẩn) chứa các danh sách thả xuống, không sửa.", False))
    for row, (text, bold) in enumerate(lines, start=1):
        cell = cell_text.write(ws, row, 1, text)  # the organisation's name is a setting: never a formula
        cell.font = Font(bold=bold, size=13 if row == 1 else 11)
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def build_template(
    wb: Workbook | None,
    settings: Settings,
    *,
    unit_code: str | None = None,
    year: int | None = None,
) -> bytes:
    """An .xlsx in the workbook format (bytes).

    Without `unit_code`: every sheet of schema.SHEETS with the units valid in `year` (validity
    covering at least one day of it) and the catalogue filled in (`wb` None -> no units, default
    catalogue), `Kế hoạch` with the targets of `year`, empty activity and optional sheets. With
    `unit_code`: only that unit, its targets of `year` shown on protected sheets, and an empty
    `Hoạt động` sheet. Both have dropdowns (list validations on a hidden `Danh mục` sheet) for unit
    codes, activity types, quarters, Có/Không, channels and reform areas (these two accept other
    text too), date and whole-number validation, and a `Hướng dẫn` sheet. Every text from the
    workbook is written as text, never as a formula. Raises TemplateError for an unknown unit code
    or a unit not valid in `year`.
    """
    year = year or date.today().year
    units = wb.units if wb is not None else pd.DataFrame(columns=["unit_code", "unit_name", "unit_type"])
    if wb is not None:
        types = wb.activity_types
    else:
        types = pd.DataFrame(
            list(schema.DEFAULT_ACTIVITY_TYPES), columns=["type_code", "type_name", "measure"]
        )
    targets = (
        wb.targets
        if wb is not None
        else pd.DataFrame(columns=["year", "quarter", "unit_code", "type_code", "target"])
    )
    all_units = units
    units = units_of_year(units, year)
    if unit_code is not None:
        code = unit_code.strip().upper()
        if code not in set(all_units["unit_code"]):
            raise TemplateError(f"Không có đơn vị mã '{unit_code}' trong danh sách đơn vị hiện hành.")
        if code not in set(units["unit_code"]):
            raise TemplateError(
                f"Đơn vị mã '{code}' không còn hiệu lực trong năm {year} (xem cột 'Hiệu lực từ', "
                "'Hiệu lực đến' của trang 'Đơn vị'). Hãy chọn đơn vị khác hoặc năm khác."
            )
        units = units[units["unit_code"] == code]
        targets = targets[targets["unit_code"] == code]
    targets = targets[targets["year"] == year]

    book = XlWorkbook()
    guide = book.active
    guide.title = INSTRUCTIONS_SHEET
    _instructions(guide, settings, None if unit_code is None else str(units["unit_name"].iloc[0]), year)
    lists = book.create_sheet(LISTS_SHEET)
    unit_types = list(dict.fromkeys([*settings.unit_types, *units["unit_type"].dropna().astype(str)]))
    refs = {
        "unit": _list_range(lists, 1, [str(c) for c in units["unit_code"]], "Mã đơn vị"),
        "type": _list_range(lists, 2, [str(n) for n in types["type_name"]], "Loại hoạt động"),
        "quarter": _list_range(lists, 3, list(QUARTERS), "Quý"),
        "yesno": _list_range(lists, 4, list(YES_NO), "Có/Không"),
        "unit_type": _list_range(lists, 5, unit_types, "Loại đơn vị"),
        "status": _list_range(lists, 6, list(schema.INITIATIVE_STATUSES), "Tình trạng"),
        "channel": _list_range(lists, 7, channel_values(wb), "Kênh đăng tải"),
        "reform_area": _list_range(lists, 8, list(REFORM_AREAS), "Lĩnh vực CCHC"),
    }
    for column, width in zip("ABCDEFGH", (14, 30, 8, 10, 24, 16, 36, 52), strict=True):
        lists.column_dimensions[column].width = width
    lists.sheet_state = "hidden"

    per_unit = unit_code is not None
    sheets = [s for s in schema.SHEETS if s.required or s.key == "activity_types" or not per_unit]
    for spec in sheets:
        ws = book.create_sheet(spec.name)
        columns = list(spec.columns)
        headers = [c.header for c in columns]
        widths = [_width(c) for c in columns]
        if spec.type_columns:
            headers += [str(c) for c in types["type_code"]]
            widths += [14] * len(types)
        _header(ws, headers, widths)
        if spec.key == "units":
            for r in units.itertuples(index=False):
                _append(ws, [_text(getattr(r, c.field, None)) for c in columns])
            formats = {"valid_from": "dd/mm/yyyy", "valid_to": "dd/mm/yyyy", "phone": "@"}  # "@": text
            for position, column in enumerate(columns, start=1):
                if column.field in formats:
                    for row in ws.iter_rows(min_row=2, min_col=position, max_col=position):
                        for cell in row:
                            cell.number_format = formats[column.field]
            _list_validation(ws, 3, refs["unit_type"], "Chọn loại đơn vị", first_row=2)
        elif spec.key == "activity_types":
            for r in types.itertuples(index=False):
                _append(ws, [_text(r.type_code), _text(r.type_name), _text(getattr(r, "measure", None))])
        elif spec.key == "channel_groups":
            # the workbook's own catalogue is carried over (blank: the default groups apply)
            groups = wb.channel_groups if wb is not None else None
            if groups is not None:
                for r in groups.itertuples(index=False):
                    _append(ws, [_text(getattr(r, c.field, None)) for c in columns])
        elif spec.key == "targets":
            _write_targets(ws, units, types, targets, year)
            _list_validation(ws, 2, refs["quarter"], "Để trống: chỉ tiêu cả năm; 1-4: chỉ tiêu quý")
            _list_validation(ws, 3, refs["unit"], "Chọn mã đơn vị")
            for offset in range(len(types)):
                _whole_number_validation(
                    ws, 4 + offset, 0, "Số chỉ tiêu (số nguyên), để trống nếu không giao"
                )
        else:
            _input_validations(ws, columns, refs)
            if spec.key == "activities":
                ws.sheet_properties.tabColor = "1F4E79"
        if per_unit and spec.key != "activities":
            _lock(ws)
    book.active = book.sheetnames.index(schema.ACTIVITIES.name if per_unit else INSTRUCTIONS_SHEET)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write_targets(
    ws: Worksheet, units: pd.DataFrame, types: pd.DataFrame, targets: pd.DataFrame, year: int
) -> None:
    """One row per (unit, quarter-or-year) that has targets of `year`; every unit gets at least a year row."""
    type_codes = [str(c) for c in types["type_code"]]
    for code in units["unit_code"]:
        own = targets[targets["unit_code"] == code]
        quarters = list(dict.fromkeys(own["quarter"].astype("Int64").tolist())) or [pd.NA]
        for quarter in quarters:
            part = own[own["quarter"].isna()] if pd.isna(quarter) else own[own["quarter"] == quarter]
            values = part.groupby("type_code")["target"].sum()
            _append(
                ws,
                [year, None if pd.isna(quarter) else int(quarter), code]
                + [int(values[c]) if c in values.index else None for c in type_codes],
            )


def _input_validations(ws: Worksheet, columns: list[schema.Column], refs: dict[str, str]) -> None:
    for position, column in enumerate(columns, start=1):
        if column.kind == schema.DATE:
            _date_validation(ws, position)
        elif column.kind == schema.UNIT_REF:
            _list_validation(ws, position, refs["unit"], "Chọn mã đơn vị")
        elif column.kind == schema.TYPE_REF:
            _list_validation(ws, position, refs["type"], "Chọn loại hoạt động")
        elif column.kind == schema.YESNO:
            _list_validation(ws, position, refs["yesno"], "Có hoặc Không")
        elif column.kind == schema.QUANTITY:
            _whole_number_validation(ws, position, 1, "Để trống nếu là 1")
        elif column.kind in (schema.COUNT, schema.MONEY):
            _whole_number_validation(ws, position, 0, "Số nguyên từ 0 trở lên")
        elif column.field == "status":
            _list_validation(ws, position, refs["status"], "Chọn tình trạng")
        elif column.field == "channel":
            _list_validation(
                ws, position, refs["channel"], "Chọn kênh hoặc ghi tên kênh khác", free_text=True
            )
        elif column.field == "reform_area":
            _list_validation(
                ws, position, refs["reform_area"], "Chọn lĩnh vực CCHC (có thể ghi khác)", free_text=True
            )
        if column.kind == schema.MONEY:
            for row in range(2, INPUT_ROWS + 2):
                ws.cell(row=row, column=position).number_format = "#,##0"
