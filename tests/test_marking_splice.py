"""The spliced marked copy (cchc_lib/reading/marking_splice.py) is the whole-workbook marking, cell for cell, and keeps
the rows without marks byte for byte."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from xml.etree import ElementTree

import pandas as pd
import pytest
from openpyxl import Workbook as XlWorkbook
from openpyxl import load_workbook
from openpyxl.styles import Font, PatternFill

from cchc_lib.reading.marking import LIST_SHEET, mark_problems, mark_records, problem_records
from cchc_lib.reading.marking_splice import Unsupported, mark_spliced
from cchc_lib.reading.model import PROBLEM_COLUMNS
from tests.xlsx import make_xlsx, sheet_part, with_shared_strings

ROWS = 300  # data rows under a title row and a header row: rows 3..302
PROBLEMS = pd.DataFrame(
    [
        ("error", "bad_date", "Hoạt động", 50, "Ngày", "Ngày sai"),
        ("warning", "name_type", "Hoạt động", 50, "Số lượng", "Nên ghi số"),
        ("error", "unknown_unit", "Hoạt động", 250, "Mã đơn vị", "Không có đơn vị"),
        ("error", "bad_type", "Hoạt động", 4, "Loại hoạt động", "Loại sai"),
        ("error", "beyond", "Hoạt động", 400, "Ngày", "Dòng ngoài dữ liệu"),
        ("error", "missing_sheet", None, None, None, "Thiếu trang tính 'Kế hoạch'"),
    ],
    columns=PROBLEM_COLUMNS,
)


def _workbook() -> bytes:
    rows: list[list[object]] = [
        ["BÁO CÁO HOẠT ĐỘNG", None, None, None, None],
        ["Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng", "Gấp đôi"],
    ]
    for i in range(ROWS):
        rows.append([f"{i % 28 + 1:02d}/03/2024", "XCB" if i % 3 else "VHTT", "TIN_BAI", i, f"=D{i + 3}*2"])
    return make_xlsx({"Đơn vị": [["Mã đơn vị", "Tên đơn vị"], ["XCB", "Xã Cẩm Bình"]], "Hoạt động": rows})


def _edit_activities(data: bytes, change) -> bytes:
    part = sheet_part(data, "Hoạt động")
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info.filename, change(content) if info.filename == part else content)
    return buffer.getvalue()


def _shared_formulas(data: bytes) -> bytes:
    """Column E as Excel saves a filled-down formula: one shared master at row 30, the rest refer to it."""

    def share(match: re.Match[bytes]) -> bytes:
        row = int(match.group(1))
        if row == 30:
            return b'<f t="shared" ref="E30:E302" si="0">D30*2</f>'
        return b'<f t="shared" si="0"/>' if row > 30 else match.group(0)

    return _edit_activities(data, lambda xml: re.sub(rb"<f>D(\d+)\*2</f>", share, xml))


def _excel_rows(data: bytes) -> bytes:
    """Rows as Excel writes them: `spans` and `x14ac:dyDescent`, the prefix declared on the root only."""
    root = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        b'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" mc:Ignorable="x14ac">'
    )

    def change(xml: bytes) -> bytes:
        xml = re.sub(rb"<worksheet\b[^>]*>", root, xml, count=1)
        return re.sub(rb'<row r="(\d+)">', rb'<row r="\1" spans="1:5" x14ac:dyDescent="0.25">', xml)

    return _edit_activities(data, change)


def _formatted() -> bytes:
    """Real dates with a date format, bold headers, filled and text-formatted cells; each cell format
    stored twice in styles.xml and the cells pointing at the second copies (Excel repeats formats)."""
    wb = XlWorkbook()
    ws = wb.active
    ws.title = "Hoạt động"
    ws.append(["BÁO CÁO"])
    ws.append(["Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng", "Gấp đôi"])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for i in range(ROWS):
        ws.append([date(2024, 3, i % 28 + 1), "XCB", "TIN_BAI", i, f"=D{i + 3}*2"])
        ws.cell(row=i + 3, column=1).number_format = "DD/MM/YYYY"
        if i % 7 == 0:
            ws.cell(row=i + 3, column=4).fill = PatternFill("solid", start_color="FF00FF00")
    buffer = io.BytesIO()
    wb.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    styles = source.read("xl/styles.xml")
    block = re.search(rb"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.DOTALL)
    formats = re.findall(rb"<xf\b[^>]*/>|<xf\b[^>]*>.*?</xf>", block.group(1), re.DOTALL)
    doubled = styles[: block.start(1)] + b"".join(f for f in formats for _ in (0, 1)) + styles[block.end(1) :]
    doubled = re.sub(rb'(<cellXfs[^>]*count=")[0-9]+', rb"\g<1>%d" % (2 * len(formats)), doubled)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/styles.xml":
                content = doubled
            elif info.filename.startswith("xl/worksheets/"):
                content = re.sub(rb' s="([0-9]+)"', lambda m: b' s="%d"' % (2 * int(m.group(1)) + 1), content)
            target.writestr(info.filename, content)
    return out.getvalue()


SHAPES = {
    "formatted_formats_twice": lambda: with_shared_strings(_formatted()),
    "inline": _workbook,
    "shared_strings": lambda: with_shared_strings(_workbook()),
    "shared_formulas": lambda: with_shared_strings(_shared_formulas(_workbook())),
    "excel_rows": lambda: with_shared_strings(_excel_rows(_workbook())),
}


def _snapshot(data: bytes) -> dict:
    """Every cell of every sheet as openpyxl reads it: value, fill, bold, number format, comment."""
    book = load_workbook(io.BytesIO(data))
    out: dict = {"sheets": book.sheetnames, "active": book.active.title}
    for ws in book.worksheets:
        cells = {
            cell.coordinate: (
                cell.value,
                cell.fill.start_color.rgb if cell.fill.fill_type else None,
                cell.font.b,
                cell.number_format,
                cell.comment.text if cell.comment else None,
            )
            for row in ws.iter_rows()
            for cell in row
        }
        widths = {key: dim.width for key, dim in ws.column_dimensions.items()}
        out[ws.title] = (ws.max_row, ws.max_column, cells, widths, ws.freeze_panes)
    return out


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_spliced_copy_is_the_whole_workbook_marking(shape: str) -> None:
    data = SHAPES[shape]()
    marked = mark_spliced(data, PROBLEMS)
    archive = zipfile.ZipFile(io.BytesIO(marked))
    for name in archive.namelist():  # every XML part well-formed (namespace prefixes declared)
        if name.endswith((".xml", ".rels", ".vml")):
            ElementTree.fromstring(archive.read(name))
    spliced = _snapshot(marked)
    assert spliced == _snapshot(mark_problems(data, PROBLEMS))
    cells = spliced["Hoạt động"][2]
    assert cells["F2"][0] == "Lỗi cần sửa" and cells["F2"][2] is True
    assert cells["A50"][1] == "FFFFC7CE" and cells["D50"][1] == "FFFFEB9C"
    assert cells["F250"][0] == "Lỗi: Không có đơn vị" and cells["B250"][4] == "Lỗi: Không có đơn vị"
    assert cells["A400"][1] == "FFFFC7CE" and cells["F400"][0] == "Lỗi: Dòng ngoài dữ liệu"
    assert cells["E300"][0] == "=D300*2"


def test_rows_without_marks_are_kept_byte_for_byte() -> None:
    data = SHAPES["shared_formulas"]()
    part = sheet_part(data, "Hoạt động")
    before = zipfile.ZipFile(io.BytesIO(data)).read(part)
    marked = mark_spliced(data, PROBLEMS)
    after = zipfile.ZipFile(io.BytesIO(marked)).read(sheet_part(marked, "Hoạt động"))
    for row in (31, 100, 249, 302):
        original = re.search(rb'<row r="%d"[^>]*>.*?</row>' % row, before).group(0)
        assert original in after
    assert b'<f t="shared" si="0"/>' in after  # the filled-down formula is still Excel's shared one


def test_a_shape_it_does_not_handle_is_marked_whole() -> None:
    # A problem list sheet already in the file: mark_book replaces it, so the splice declines.
    data = make_xlsx({LIST_SHEET: [["cũ"]], "Hoạt động": [["Ngày", "Mã đơn vị"], ["x", "XCB"]]})
    problems = pd.DataFrame([("error", "x", "Hoạt động", 2, "Mã đơn vị", "Sai")], columns=PROBLEM_COLUMNS)
    with pytest.raises(Unsupported):
        mark_spliced(data, problems)
    book = load_workbook(io.BytesIO(mark_records(data, None, problems=problem_records(problems))))
    assert book["Hoạt động"]["B2"].fill.start_color.rgb == "FFFFC7CE"
    assert [row[4] for row in book[LIST_SHEET].iter_rows(min_row=2, values_only=True)] == ["Sai"]
