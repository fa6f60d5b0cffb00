"""No download carries a live formula from workbook text (issue 15): a workbook whose every text is a
formula (`=HYPERLINK(...)`, `=1+1`) or looks like one (`@SUM(A1)`, `+cmd|...`) goes through every .xlsx
writer (templates, report annex, table exports, marked copy, merged unit submission, format-headed copy,
the sample builder, the command line); each file read back with openpyxl has no formula cell, no `<f>`
in its sheet XML, and the texts exactly as typed."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from cchc_lib.common import cell_text
from cchc_lib.common.periods import parse_period
from cchc_lib.common.settings import Settings
from cchc_lib.documents import templates
from cchc_lib.documents.exports import to_xlsx_bytes
from cchc_lib.documents.reports import build_annex, prepare_report
from cchc_lib.figures.metrics import plan_vs_actual
from cchc_lib.publishing.submissions import merge_unit_rows
from cchc_lib.reading.column_mapping import rewrite_headers
from cchc_lib.reading.marking import mark_problems
from cchc_lib.reading.workbook import read_workbook
from cchc_lib.sample.builder import Layout, WorkbookSpec, build_xlsx
from tests.command import run_cli

LINK = '=HYPERLINK("http://evil.example","Bấm vào")'
SUM = "=1+1"
AT = "@SUM(A1)"
DDE = "+cmd|' /C calc'!A0"
TYPE_CODE = "=2+2"  # the reader keeps an activity type code as written
UNIT_TYPE = "=3+3"
SETTINGS = replace(Settings(), organisation="=7*6", unit_types=(UNIT_TYPE, "Phòng chuyên môn"))
UNITS = [
    {"Mã đơn vị": "XA", "Tên đơn vị": LINK, "Loại đơn vị": UNIT_TYPE, "Đầu mối": AT, "Trang TTĐT": DDE},
    {"Mã đơn vị": "XB", "Tên đơn vị": SUM, "Loại đơn vị": "Phòng chuyên môn", "Đầu mối": "- Tin bài"},
]
TYPES = [
    {"Mã loại": TYPE_CODE, "Tên loại hoạt động": LINK, "Đơn vị tính": SUM},
    {"Mã loại": "TIN_BAI", "Tên loại hoạt động": AT, "Đơn vị tính": DDE},
]
TARGETS = [
    {"Năm": 2024, "Quý": None, "Mã đơn vị": "XA", TYPE_CODE: 4, "TIN_BAI": 2},
    {"Năm": 2024, "Quý": None, "Mã đơn vị": "XB", TYPE_CODE: 1, "TIN_BAI": 1},
]


def activity(day: int, unit: str, type_code: str, title: str) -> dict[str, object]:
    return {
        "Ngày": date(2024, 3, day),
        "Mã đơn vị": unit,
        "Loại hoạt động": type_code,
        "Số lượng": 1,
        "Tiêu đề": title,
        "Kênh đăng tải": SUM,
        "Lĩnh vực CCHC": AT,
        "Đường dẫn": LINK,
        "Ghi chú": DDE,
    }


ACTIVITIES = [activity(1, "XA", TYPE_CODE, LINK), activity(2, "XB", "TIN_BAI", DDE)]
SPEC = WorkbookSpec(
    UNITS,
    TARGETS,
    ACTIVITIES,
    activity_types=TYPES,
    portal_reviews=[
        {
            "Ngày rà soát": date(2024, 3, 5),
            "Mã đơn vị": "XA",
            "Người rà soát": LINK,
            "Có chuyên mục CCHC": "Có",
            "Cập nhật tin CCHC trong quý": "Có",
            "Nhận xét": SUM,
        }
    ],
    funding=[{"Năm": 2024, "Mã đơn vị": "XA", "Dự toán": 5, "Đã chi": 1, "Ghi chú": AT}],
    initiatives=[
        {
            "Năm": 2024,
            "Mã đơn vị": "XA",
            "Tên sáng kiến, mô hình": LINK,
            "Lĩnh vực CCHC": AT,
            "Tình trạng": "Đang áp dụng",
            "Kết quả": DDE,
        }
    ],
    channel_groups=[{"Mã nhóm": "G1", "Tên nhóm kênh": LINK, "Từ khóa": SUM}],
    directives=[
        {
            "Số, ký hiệu": SUM,
            "Ngày ban hành": date(2024, 1, 5),
            "Cơ quan ban hành": LINK,
            "Trích yếu": DDE,
            "Loại văn bản": AT,
        }
    ],
    agency=LINK,
)
DATA = build_xlsx(SPEC)
# The names shown in the annex and the per-unit template: units, unit type, activity types.
NAMES = {LINK, SUM, AT, UNIT_TYPE, TYPE_CODE}


@pytest.fixture(scope="module")
def wb():
    result = read_workbook(DATA, SETTINGS)
    assert result.ok, result.problems.to_string()
    assert result.workbook.units["unit_name"].tolist() == [LINK, SUM]
    assert result.workbook.activity_types["type_code"].tolist() == [TYPE_CODE, "TIN_BAI"]
    return result.workbook


def texts_of(data: bytes) -> set[str]:
    """Every text cell of `data`, after checking that no cell is a formula (openpyxl's type and the XML)."""
    book = load_workbook(io.BytesIO(data))
    cells = [c for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
    assert [(c.parent.title, c.coordinate, c.value) for c in cells if c.data_type == "f"] == []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                assert not re.search(rb"<f[\s>/]", archive.read(name)), name
    assert all(c.data_type == "s" for c in cells if isinstance(c.value, str))
    return {c.value for c in cells if isinstance(c.value, str)}


def test_the_helper_keeps_text_as_typed_and_numbers_as_numbers() -> None:
    book = Workbook()
    ws = book.active
    for column, value in enumerate([LINK, SUM, AT, DDE, "- Tin bài", "=", -5, 2.5, None], start=1):
        cell_text.write(ws, 20, column, value)
    ws.append([cell_text.cell(ws, v) for v in (LINK, "\t=1", -3)])
    out = io.BytesIO()
    book.save(out)
    again = load_workbook(io.BytesIO(out.getvalue())).active
    assert [again.cell(row=20, column=c).value for c in range(1, 10)] == [
        LINK, SUM, AT, DDE, "- Tin bài", "=", -5, 2.5, None
    ]  # fmt: skip
    assert [c.value for c in again[21][:3]] == [LINK, "\t=1", -3]
    assert [c.data_type for c in again[21][:3]] == ["s", "s", "n"]
    assert cell_text.for_csv(SUM) == "'=1+1" and cell_text.for_csv("Tin bài") == "Tin bài"
    assert cell_text.for_csv(-5) == -5


def test_the_templates(wb) -> None:
    blank = texts_of(templates.build_template(wb, SETTINGS, year=2024))
    assert {LINK, SUM, AT, DDE, UNIT_TYPE, TYPE_CODE, "- Tin bài"} <= blank
    assert any(t.startswith("=7*6 — năm 2024") for t in blank)  # the organisation, a setting
    unit = texts_of(templates.build_template(wb, SETTINGS, unit_code="XA", year=2024))
    assert {LINK, SUM, AT, DDE, UNIT_TYPE, TYPE_CODE} <= unit


@pytest.mark.parametrize("period", ["2024", "2024-Q1"])
def test_the_report_annex(wb, period: str) -> None:
    parts = prepare_report(wb, parse_period(period), "calendar", SETTINGS)
    found = texts_of(build_annex(parts, SETTINGS, wb=wb, issued=date(2024, 4, 5)))
    assert {LINK, SUM, AT, UNIT_TYPE} <= found  # unit names, a unit type heading, activity type names


def test_the_table_exports(wb) -> None:
    tables = {
        "Đơn vị": wb.units,
        "Loại": wb.activity_types,
        "Hoạt động": wb.activities,
        "Rà soát": wb.portal_reviews,
        "Kinh phí": wb.funding,
        "Sáng kiến": wb.initiatives,
        "Văn bản": wb.directives,
        "Kết quả": plan_vs_actual(wb, parse_period("2024"), "calendar", SETTINGS.cutoff_day),
    }
    found = texts_of(to_xlsx_bytes(tables, title=LINK))
    assert {LINK, SUM, AT, DDE, UNIT_TYPE, TYPE_CODE, "- Tin bài"} <= found


def test_the_marked_copy_of_a_file_with_errors() -> None:
    bad = replace(SPEC, activities=[*ACTIVITIES, activity(3, LINK, SUM, AT)])
    data = build_xlsx(bad)
    result = read_workbook(data, SETTINGS)
    assert not result.ok and any(LINK in m for m in result.problems["message"])
    found = texts_of(mark_problems(data, result.problems))
    assert {LINK, SUM, AT, DDE} <= found


def test_a_merged_unit_submission(wb) -> None:
    submitted = read_workbook(
        build_xlsx(replace(SPEC, activities=[activity(9, "XA", TYPE_CODE, SUM)])), SETTINGS
    )
    assert submitted.ok, submitted.problems.to_string()
    merged = merge_unit_rows(
        DATA, wb, submitted.workbook.activities, "XA", (date(2024, 3, 1), date(2024, 3, 31))
    )
    found = texts_of(merged)
    assert {LINK, SUM, AT, DDE} <= found
    again = read_workbook(merged, SETTINGS)
    assert again.ok and again.workbook.activities["title"].tolist() == [DDE, SUM]


def test_the_format_headed_copy() -> None:
    office = replace(
        SPEC, activities=[{("Tên bài" if k == "Tiêu đề" else k): v for k, v in a.items()} for a in ACTIVITIES]
    )
    copy = rewrite_headers(build_xlsx(office), SETTINGS, {"Hoạt động": {"Tên bài": "title"}})
    found = texts_of(copy)
    assert {LINK, SUM, AT, DDE, "Tiêu đề"} <= found and "Tên bài" not in found


def test_the_sample_builder_with_a_title_block() -> None:
    found = texts_of(build_xlsx(SPEC, layout=Layout(title_block=True, stt=True, total_row=True)))
    assert {LINK.upper(), SUM, AT, DDE, TYPE_CODE} <= found


def test_the_command_line(tmp_path: Path) -> None:
    source = tmp_path / "so_lieu.xlsx"
    source.write_bytes(DATA)
    settings = tmp_path / "settings.toml"
    settings.write_text(
        f'organisation = "=7*6"\nunit_types = ["{UNIT_TYPE}", "Phòng chuyên môn"]\n', encoding="utf-8"
    )
    annex, template = tmp_path / "phu_luc.xlsx", tmp_path / "mau.xlsx"
    runs = [
        ("report", str(source), "--period", "2024-Q1", "--out", str(annex)),
        ("template", "--out", str(template), "--source", str(source), "--year", "2024"),
    ]
    for args in runs:
        done = run_cli("--settings", str(settings), *args)
        assert done.returncode == 0, done.stderr
    assert {LINK, SUM, AT, UNIT_TYPE} <= texts_of(annex.read_bytes())
    assert {LINK, SUM, AT, DDE, UNIT_TYPE, TYPE_CODE} <= texts_of(template.read_bytes())
