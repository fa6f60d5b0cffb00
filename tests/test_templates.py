"""Templates: format, dropdowns, per-unit restriction; filled in with openpyxl and read back by read_workbook."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from cchc_lib.common.periods import parse_period
from cchc_lib.common.settings import Settings
from cchc_lib.documents.templates import LISTS_SHEET, TemplateError, build_template
from cchc_lib.figures.metrics import plan_vs_actual
from cchc_lib.reading import schema
from cchc_lib.reading.sandbox import read_trusted
from cchc_lib.reading.workbook import read_workbook
from cchc_lib.sample.builder import WorkbookSpec, build_xlsx
from tests.test_reports import SAMPLE, raw_sheet

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sample():
    return read_trusted(SAMPLE, Settings()).workbook


def test_blank_template_sheets_lists_and_validations(sample) -> None:
    book = load_workbook(io.BytesIO(build_template(sample, Settings(), year=2024)))
    assert book.sheetnames == ["Hướng dẫn", LISTS_SHEET, *[s.name for s in schema.SHEETS]]
    assert book[LISTS_SHEET].sheet_state == "hidden"
    codes = [c.value for c in book[LISTS_SHEET]["A"][1:] if c.value]
    assert codes == [r["Mã đơn vị"] for r in raw_sheet("Đơn vị")]
    acts = book["Hoạt động"]
    assert [c.value for c in acts[1]] == [c.header for c in schema.ACTIVITIES.columns]
    kinds = {(v.type, str(v.sqref).split(":")[0]) for v in acts.data_validations.dataValidation}
    assert {("date", "A2"), ("list", "B2"), ("list", "C2"), ("whole", "D2")} <= kinds
    sources = {v.formula1 for v in acts.data_validations.dataValidation if v.type == "list"}
    assert all(f.startswith(f"='{LISTS_SHEET}'!") for f in sources)
    quarter = [v for v in book["Kế hoạch"].data_validations.dataValidation if str(v.sqref).startswith("B2")]
    assert quarter and quarter[0].type == "list"
    assert "Cách điền" in [c.value for c in book["Hướng dẫn"]["A"]]


def test_blank_template_reads_back_with_the_current_units_and_targets(sample) -> None:
    result = read_workbook(build_template(sample, Settings(), year=2024))
    assert result.ok, result.problems
    assert list(result.workbook.units["unit_code"]) == [r["Mã đơn vị"] for r in raw_sheet("Đơn vị")]
    assert list(result.workbook.activity_types["type_code"]) == [
        r["Mã loại"] for r in raw_sheet("Loại hoạt động")
    ]
    expected = sum(
        v
        for r in raw_sheet("Kế hoạch")
        if r["Năm"] == 2024
        for k, v in r.items()
        if k not in ("Năm", "Quý", "Mã đơn vị") and v
    )
    assert int(result.workbook.targets["target"].sum()) == expected
    assert len(result.workbook.activities) == 0


def test_template_without_data_has_the_default_catalogue() -> None:
    book = load_workbook(io.BytesIO(build_template(None, Settings(), year=2025)))
    assert [c.value for c in book["Loại hoạt động"]["A"][1:]] == ["TIN_BAI", "PHONG_SU", "BAI_DANG_TTDT"]
    assert [c.value for c in book["Kế hoạch"][1]] == [
        "Năm",
        "Quý",
        "Mã đơn vị",
        "TIN_BAI",
        "PHONG_SU",
        "BAI_DANG_TTDT",
    ]


def test_unit_template_filled_in_reads_back_with_the_expected_figures(sample) -> None:
    data = build_template(sample, Settings(), unit_code="xcb", year=2024)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Hướng dẫn", LISTS_SHEET, "Đơn vị", "Loại hoạt động", "Kế hoạch", "Hoạt động"]
    assert [c.value for c in book["Đơn vị"]["A"][1:] if c.value] == ["XCB"]
    assert book["Kế hoạch"].protection.sheet and not book["Hoạt động"].protection.sheet
    ws = book["Hoạt động"]
    filled = [
        (datetime(2024, 3, 5), "XCB", "Tin, bài", None, "Tuyên truyền dịch vụ công"),
        (datetime(2024, 3, 20), "XCB", "Chương trình phát thanh", 12, "Bản tin CCHC"),
        ("10/05/2024", "xcb", "TIN_BAI", 2, "Hai tin về một cửa"),
    ]
    for row, values in enumerate(filled, start=2):
        for column, value in enumerate(values, start=1):
            ws.cell(row=row, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    result = read_workbook(buffer.getvalue())
    assert result.ok, result.problems
    pva = plan_vs_actual(result.workbook, parse_period("2024-Q1")).set_index("activity_type")
    assert pva.loc["TIN_BAI", "actual"] == 1 and pva.loc["PHAT_THANH", "actual"] == 12
    q1 = next(
        r for r in raw_sheet("Kế hoạch") if r["Năm"] == 2024 and r["Mã đơn vị"] == "XCB" and r["Quý"] == 1
    )
    assert pva.loc["TIN_BAI", "planned"] == q1["TIN_BAI"]
    assert pva.loc["PHAT_THANH", "planned"] == q1["PHAT_THANH"]
    q2 = plan_vs_actual(result.workbook, parse_period("2024-Q2")).set_index("activity_type")
    assert q2.loc["TIN_BAI", "actual"] == 2


def test_unknown_unit_is_refused(sample) -> None:
    with pytest.raises(TemplateError, match="Không có đơn vị mã 'NOPE'"):
        build_template(sample, Settings(), unit_code="NOPE")


def test_template_without_data_reads_back_valid_and_warns_that_no_unit_is_listed() -> None:
    """What an admin downloads before the first version: it passes validation as it is (no errors), and
    says the units are still to be written."""
    result = read_workbook(build_template(None, Settings(), year=2025), Settings())
    assert result.workbook is not None
    assert result.problems[["level", "code"]].values.tolist() == [["warning", "no_units"]]


# ------------------------------------------------------------------ dropdowns, validity, page names, formulas
SIX_AREAS = [  # the six areas of the reform programme, as written in the issue
    "Cải cách thể chế",
    "Cải cách thủ tục hành chính",
    "Cải cách tổ chức bộ máy",
    "Cải cách chế độ công vụ",
    "Cải cách tài chính công",
    "Xây dựng và phát triển chính quyền điện tử, chính quyền số",
]


def _validations(ws) -> dict[str, object]:
    """First cell of each validated range -> its validation."""
    return {str(v.sqref).split(":")[0]: v for v in ws.data_validations.dataValidation}


def _list_values(book, formula: str) -> list[str]:
    """The values a list validation `='Danh mục'!$G$2:$G$12` offers."""
    sheet, cells = formula.lstrip("=").split("!")
    assert sheet.strip("'") == LISTS_SHEET
    first, last = cells.replace("$", "").split(":")
    return [c.value for c in book[LISTS_SHEET][first:last] for c in c if c.value is not None]


def test_channel_and_reform_area_dropdowns_accept_free_text(sample) -> None:
    book = load_workbook(io.BytesIO(build_template(sample, Settings(), year=2024)))
    headers = [c.value for c in book["Hoạt động"][1]]
    channel = get_column_letter(headers.index("Kênh đăng tải") + 1)
    area = get_column_letter(headers.index("Lĩnh vực CCHC") + 1)
    acts = _validations(book["Hoạt động"])
    for letter in (channel, area):
        v = acts[f"{letter}2"]
        assert v.type == "list" and str(v.sqref) == f"{letter}2:{letter}1001"
        assert not v.showErrorMessage  # a channel or an area not in the list is still accepted
    assert _list_values(book, acts[f"{area}2"].formula1) == SIX_AREAS
    offered = _list_values(book, acts[f"{channel}2"].formula1)
    counts: dict[str, int] = {}
    for r in raw_sheet("Hoạt động"):
        if r.get("Kênh đăng tải"):
            counts[r["Kênh đăng tải"]] = counts.get(r["Kênh đăng tải"], 0) + 1
    most = max(counts, key=lambda k: counts[k])
    assert offered[0] == most and set(offered) >= set(sorted(counts, key=counts.get, reverse=True)[:10])
    assert len(offered) == len(set(offered))
    headers = [c.value for c in book["Sáng kiến"][1]]
    letter = get_column_letter(headers.index("Lĩnh vực CCHC") + 1)
    v = _validations(book["Sáng kiến"])[f"{letter}2"]
    assert _list_values(book, v.formula1) == SIX_AREAS and not v.showErrorMessage


def _merger_book(tmp_name: str = "") -> bytes:
    units = [
        {
            "Mã đơn vị": "CU",
            "Tên đơn vị": "Xã Cũ",
            "Loại đơn vị": "UBND xã, thị trấn",
            "Hiệu lực đến": date(2024, 6, 30),
        },
        {
            "Mã đơn vị": "MOI",
            "Tên đơn vị": "Xã Mới",
            "Loại đơn vị": "UBND xã, thị trấn",
            "Hiệu lực từ": date(2024, 7, 1),
        },
        {
            "Mã đơn vị": "SAU",
            "Tên đơn vị": "Xã Sau",
            "Loại đơn vị": "UBND xã, thị trấn",
            "Hiệu lực từ": date(2026, 1, 1),
        },
        {"Mã đơn vị": "LUON", "Tên đơn vị": "Phòng Luôn có", "Loại đơn vị": "Phòng chuyên môn"},
        # valid for one day of 2025 only: still listed in 2025
        {
            "Mã đơn vị": "MOTNGAY",
            "Tên đơn vị": "Xã Một ngày",
            "Loại đơn vị": "UBND xã, thị trấn",
            "Hiệu lực đến": date(2025, 1, 1),
        },
    ]
    targets = [
        {"Năm": 2025, "Quý": None, "Mã đơn vị": "MOI", "TIN_BAI": 4},
        {"Năm": 2025, "Quý": None, "Mã đơn vị": "LUON", "TIN_BAI": 2},
    ]
    return build_xlsx(WorkbookSpec(units, targets, []))


@pytest.mark.parametrize(
    ("year", "listed"),
    [
        (2024, ["CU", "MOI", "LUON", "MOTNGAY"]),
        (2025, ["MOI", "LUON", "MOTNGAY"]),
        (2026, ["MOI", "SAU", "LUON"]),
    ],
)
def test_a_years_template_lists_only_the_units_valid_that_year(year: int, listed: list[str]) -> None:
    result = read_workbook(_merger_book(), Settings())
    assert result.ok, result.problems
    wb = result.workbook
    book = load_workbook(io.BytesIO(build_template(wb, Settings(), year=year)))
    assert [c.value for c in book["Đơn vị"]["A"][1:] if c.value] == listed
    assert [c.value for c in book[LISTS_SHEET]["A"][1:] if c.value] == listed
    assert sorted({c.value for c in book["Kế hoạch"]["C"][1:] if c.value}) == sorted(listed)


def test_a_unit_template_of_an_expired_unit_is_refused() -> None:
    wb = read_workbook(_merger_book(), Settings()).workbook
    with pytest.raises(TemplateError) as caught:
        build_template(wb, Settings(), unit_code="CU", year=2025)
    assert str(caught.value) == (
        "Đơn vị mã 'CU' không còn hiệu lực trong năm 2025 (xem cột 'Hiệu lực từ', 'Hiệu lực đến' của "
        "trang 'Đơn vị'). Hãy chọn đơn vị khác hoặc năm khác."
    )
    assert build_template(wb, Settings(), unit_code="CU", year=2024)


@pytest.mark.parametrize("unit", [None, "XCB"], ids=["blank", "unit"])
def test_instructions_name_only_pages_that_exist(sample, unit: str | None) -> None:
    from cchc_lib.common.settings import PROJECT_ROOT
    from cchc_lib.web.messages import MENU

    book = load_workbook(io.BytesIO(build_template(sample, Settings(), unit_code=unit, year=2024)))
    text = "\n".join(str(c.value) for c in book["Hướng dẫn"]["A"] if c.value)
    assert "Nộp số liệu" not in text
    pages = re.findall(r"«([^»]+)»", text)
    assert pages == ["Cập nhật dữ liệu"]
    files = {label: page for page, label, _ in MENU}
    for name in pages:
        assert name in files and (PROJECT_ROOT / files[name]).is_file()
    assert (ROOT / "pages" / "4_cap_nhat_du_lieu.py").is_file()  # the page the label names, by file
    sheets = re.findall(r"'([^']+)'", text)
    named_sheets = [s for s in sheets if s not in ("Tổng", "Cộng")]
    assert set(named_sheets) <= set(book.sheetnames), set(named_sheets) - set(book.sheetnames)


HOSTILE = '=HYPERLINK("http://evil.example","Bấm vào")'


def test_no_text_from_the_workbook_becomes_a_formula(tmp_path) -> None:
    units = [
        {
            "Mã đơn vị": "XA",
            "Tên đơn vị": HOSTILE,
            "Loại đơn vị": "Phòng chuyên môn",
            "Đầu mối": "@SUM(1+1)",
            "Trang TTĐT": "+cmd|' /C calc'!A0",
        },
    ]
    types = [{"Mã loại": "TIN_BAI", "Tên loại hoạt động": "=1+1", "Đơn vị tính": "=A1"}]
    acts = [
        {"Ngày": date(2024, 3, 1), "Mã đơn vị": "XA", "Loại hoạt động": "TIN_BAI", "Kênh đăng tải": "=2*3"}
    ]
    spec = WorkbookSpec(
        units, [{"Năm": 2024, "Quý": None, "Mã đơn vị": "XA", "TIN_BAI": 1}], acts, activity_types=types
    )
    result = read_workbook(build_xlsx(spec), Settings())
    assert result.ok, result.problems
    wb = result.workbook
    assert wb.units["unit_name"].iloc[0] == HOSTILE
    settings = replace(Settings(), organisation="=cmd()")
    for unit in (None, "XA"):
        data = build_template(wb, settings, unit_code=unit, year=2024)
        book = load_workbook(io.BytesIO(data))
        formulas = [
            (ws.title, c.coordinate, c.value)
            for ws in book
            for row in ws.iter_rows()
            for c in row
            if c.data_type == "f"
        ]
        assert formulas == []
        values = {c.value for ws in book for row in ws.iter_rows() for c in row}
        expected = {"=1+1", "=A1", "=2*3"} if unit is None else {"=1+1", "=A1"}
        assert {HOSTILE, "+cmd|' /C calc'!A0", "@SUM(1+1)", *expected} <= values


def test_the_workbooks_own_channel_groups_are_carried_over() -> None:
    groups = [
        {"Mã nhóm": "LOA", "Tên nhóm kênh": "Loa phường", "Từ khóa": "loa; Truyền thanh phường"},
        {"Mã nhóm": "ZALO", "Tên nhóm kênh": "Nhóm Zalo tổ dân phố", "Từ khóa": "zalo"},
    ]
    units = [{"Mã đơn vị": "P1", "Tên đơn vị": "UBND phường Một", "Loại đơn vị": "UBND xã, thị trấn"}]
    spec = WorkbookSpec(
        units, [{"Năm": 2025, "Quý": None, "Mã đơn vị": "P1", "TIN_BAI": 2}], [], channel_groups=groups
    )
    source = read_workbook(build_xlsx(spec), Settings())
    assert source.ok, source.problems
    data = build_template(source.workbook, Settings(), year=2025)
    book = load_workbook(io.BytesIO(data))
    assert [[c.value for c in row][:2] for row in book["Nhóm kênh"].iter_rows(min_row=2)] == [
        ["LOA", "Loa phường"],
        ["ZALO", "Nhóm Zalo tổ dân phố"],
    ]
    again = read_workbook(data, Settings())
    assert again.workbook is not None
    assert again.workbook.channel_groups[["group_code", "group_name", "keywords"]].values.tolist() == (
        source.workbook.channel_groups[["group_code", "group_name", "keywords"]].values.tolist()
    )
    headers = [c.value for c in book["Hoạt động"][1]]
    letter = get_column_letter(headers.index("Kênh đăng tải") + 1)
    offered = _list_values(book, _validations(book["Hoạt động"])[f"{letter}2"].formula1)
    assert offered[:2] == ["Loa phường", "Nhóm Zalo tổ dân phố"]  # no activity yet: the groups' names


def test_unit_sheet_formats_follow_the_columns_not_their_positions(sample) -> None:
    # Điện thoại/Email sit after Đầu mối: the date format belongs to the validity columns, the phone is text
    book = load_workbook(io.BytesIO(build_template(sample, Settings(), year=2024)))
    ws = book["Đơn vị"]
    headers = {cell.value: cell.column for cell in ws[1]}
    second = {name: ws.cell(row=2, column=col).number_format for name, col in headers.items()}
    assert second["Hiệu lực từ"] == "dd/mm/yyyy" and second["Hiệu lực đến"] == "dd/mm/yyyy"
    assert second["Điện thoại"] == "@" and second["Email"] == "General"
