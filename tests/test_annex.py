"""The annex: grouping/subtotals and rounding on tiny frames, a two-unit workbook against hand-computed
figures (year plan, period, cumulative, %) in the table, the DOCX and the XLSX, and the sample's XLSX
read back with openpyxl against the raw sheets."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from cchc_lib.common.periods import parse_period
from cchc_lib.common.settings import Settings
from cchc_lib.documents.annex import (
    ROUNDING_NOTE,
    annex_note,
    annex_table,
    report_annex,
    roman,
    round_half_up,
)
from cchc_lib.documents.reports import build_annex, build_report, prepare_report
from cchc_lib.reading.sandbox import read_trusted
from cchc_lib.sample.builder import WorkbookSpec, build_xlsx
from tests.test_reports import SAMPLE, raw_sheet

ISSUED = date(2024, 4, 5)
CUMULATIVE = ["KH năm", "TH kỳ", "Lũy kế", "% KH năm"]
FRACTION = re.compile(r"\d,\d")


def tiny_pva(
    plans: tuple[float, ...] = (4.0, 0.0, 2.5, 2.0, 1.0, 0.0), actual=(2, 3, 5, 0, 1, 0)
) -> pd.DataFrame:
    keys = [
        # unit_code, unit_name, unit_type, type, name
        ("X1", "Xã Một", "UBND xã", "A", "Tin"),
        ("X1", "Xã Một", "UBND xã", "B", "Bài"),
        ("P1", "Phòng Một", "Phòng", "A", "Tin"),
        ("P1", "Phòng Một", "Phòng", "B", "Bài"),
        ("X2", "Xã Hai", "UBND xã", "A", "Tin"),
        ("X2", "Xã Hai", "UBND xã", "B", "Bài"),
    ]
    rows = [(*k, p, a) for k, p, a in zip(keys, plans, actual, strict=True)]
    columns = ["unit_code", "unit_name", "unit_type", "activity_type", "activity_name", "planned", "actual"]
    return pd.DataFrame(rows, columns=columns)


def test_groups_subtotals_and_total_on_a_tiny_frame() -> None:
    table = annex_table(tiny_pva(), ("Phòng", "UBND xã"))
    assert table.group_names == ("Tin", "Bài", "Tổng số")
    assert table.sub_headers == ("KH", "TH", "%") and not table.cumulative
    lines = [(r.kind, r.stt, r.name, r.planned, r.actual) for r in table.rows]
    # Phòng Một's 2.5 is printed 3 (half up); a total is its exact sum rounded (7.5 -> 8)
    assert lines == [
        ("group", "I", "Phòng", (3, 2, 5), (5, 0, 5)),
        ("unit", "1", "Phòng Một", (3, 2, 5), (5, 0, 5)),
        ("group", "II", "UBND xã", (5, 0, 5), (3, 3, 6)),
        ("unit", "1", "Xã Một", (4, 0, 4), (2, 3, 5)),
        ("unit", "2", "Xã Hai", (1, 0, 1), (1, 0, 1)),
        ("total", "", "TỔNG CỘNG", (8, 2, 10), (8, 3, 11)),
    ]
    assert table.rounded
    assert table.rows[1].pct(0) == 200.0  # % of the exact plan (5 / 2.5), as the dashboard and the narrative
    assert table.rows[3].pct(1) is None  # no plan: no percentage
    assert all(isinstance(v, int) for row in table.rows for v in row.planned)


def test_group_order_falls_back_to_first_appearance() -> None:
    table = annex_table(tiny_pva())
    assert [r.name for r in table.rows if r.kind == "group"] == ["UBND xã", "Phòng"]


def test_cumulative_form_takes_year_plan_and_cumulative_actual() -> None:
    period = tiny_pva(plans=(1.0, 0.0, 0.6, 0.5, 0.25, 0.0), actual=(1, 1, 2, 0, 0, 0))
    year = tiny_pva(plans=(4.0, 0.0, 2.4, 2.0, 1.0, 0.0), actual=(9, 9, 9, 9, 9, 9))
    to_date = tiny_pva(plans=(9, 9, 9, 9, 9, 9), actual=(3, 1, 2, 1, 0, 0))
    table = annex_table(period, ("Phòng", "UBND xã"), year_plan=year, cumulative=to_date)
    assert table.cumulative and table.sub_headers == tuple(CUMULATIVE)
    unit = {r.name: r for r in table.rows}
    assert (unit["Phòng Một"].planned, unit["Phòng Một"].actual, unit["Phòng Một"].cumulative) == (
        (2, 2, 4),
        (2, 0, 2),
        (2, 1, 3),
    )
    assert unit["Xã Một"].pct(0) == pytest.approx(3 / 4 * 100)  # cumulative / year plan
    assert unit["TỔNG CỘNG"].cumulative == (5, 2, 7)
    assert table.values(unit["Xã Một"], 1) == (0, 1, 1, None)
    assert table.rounded  # 2.4 -> 2


def test_cumulative_form_needs_both_frames() -> None:
    with pytest.raises(ValueError):
        annex_table(tiny_pva(), year_plan=tiny_pva())


@pytest.mark.parametrize(
    ("value", "printed"),
    [(2.5, 3), (2.4999999999, 3), (4.49, 4), (0.5, 1), (0.0, 0), (1748.0, 1748), (10 * 182 / 366, 5)],
)
def test_round_half_up(value: float, printed: int) -> None:
    assert round_half_up(value) == printed


@pytest.mark.parametrize(("n", "text"), [(1, "I"), (2, "II"), (4, "IV"), (9, "IX"), (14, "XIV")])
def test_roman(n: int, text: str) -> None:
    assert roman(n) == text


# ---------------------------------------------------------------------------------------------
# Two units, calendar quarters, hand-computed:
#   VHTT (Phòng chuyên môn): year target TIN_BAI 20, Q2 target TIN_BAI 3 -> KH năm 23.
#       TIN_BAI: 05/02 x1, 10/05 x4, 20/08 x7 -> Q2 4, H1 (lũy kế of Q2) 5, year 12.
#   XCB (UBND xã, thị trấn): year targets TIN_BAI 10, PHONG_SU 2.
#       TIN_BAI: 05/01 x2, 05/05 x1 (no quantity) -> Q2 1, H1 3; PHONG_SU 05/03 x1 -> Q2 0, H1 1.
#   Q2: % KH năm = lũy kế / KH năm: VHTT TB 5/23 = 21,7; XCB TB 3/10 = 30,0; XCB PS 1/2 = 50,0;
#       total TB 8/33 = 24,2; XCB all types 4/12 = 33,3; VHTT PS no plan "—".
#   Year: VHTT TB 12/23 = 52,2.

UNITS = [
    {"Mã đơn vị": "VHTT", "Tên đơn vị": "Phòng Văn hóa và Thông tin", "Loại đơn vị": "Phòng chuyên môn"},
    {"Mã đơn vị": "XCB", "Tên đơn vị": "UBND xã Cẩm Bình", "Loại đơn vị": "UBND xã, thị trấn"},
]
TARGETS = [
    {"Năm": 2024, "Quý": None, "Mã đơn vị": "VHTT", "TIN_BAI": 20},
    {"Năm": 2024, "Quý": 2, "Mã đơn vị": "VHTT", "TIN_BAI": 3},
    {"Năm": 2024, "Quý": None, "Mã đơn vị": "XCB", "TIN_BAI": 10, "PHONG_SU": 2},
]


def _act(day: date, unit: str, kind: str, qty: int | None = None) -> dict:
    row = {"Ngày": day, "Mã đơn vị": unit, "Loại hoạt động": kind, "Tiêu đề": f"{unit} {day}"}
    if qty is not None:
        row["Số lượng"] = qty
    return row


ACTS = [
    _act(date(2024, 2, 5), "VHTT", "TIN_BAI", 1),
    _act(date(2024, 5, 10), "VHTT", "TIN_BAI", 4),
    _act(date(2024, 8, 20), "VHTT", "TIN_BAI", 7),
    _act(date(2024, 1, 5), "XCB", "TIN_BAI", 2),
    _act(date(2024, 5, 5), "XCB", "TIN_BAI"),
    _act(date(2024, 3, 5), "XCB", "PHONG_SU", 1),
]


@pytest.fixture(scope="module")
def two_units():
    return read_trusted(build_xlsx(WorkbookSpec(UNITS, TARGETS, ACTS)), Settings()).workbook


def by_name(table) -> dict:
    return {row.name: row for row in table.rows}


def test_two_units_quarter_annex_hand_computed(two_units) -> None:
    table = report_annex(two_units, parse_period("2024-Q2"), "calendar", 15, Settings().unit_types)
    assert table.cumulative and not table.rounded
    tb, ps, total = (
        table.type_codes.index("TIN_BAI"),
        table.type_codes.index("PHONG_SU"),
        len(table.type_codes),
    )
    rows = by_name(table)
    assert table.values(rows["Phòng Văn hóa và Thông tin"], tb) == (23, 4, 5, pytest.approx(5 / 23 * 100))
    assert table.values(rows["Phòng Văn hóa và Thông tin"], ps) == (0, 0, 0, None)
    assert table.values(rows["UBND xã Cẩm Bình"], tb) == (10, 1, 3, pytest.approx(30.0))
    assert table.values(rows["UBND xã Cẩm Bình"], ps) == (2, 0, 1, pytest.approx(50.0))
    assert table.values(rows["UBND xã Cẩm Bình"], total) == (12, 1, 4, pytest.approx(4 / 12 * 100))
    assert table.values(rows["TỔNG CỘNG"], tb) == (33, 5, 8, pytest.approx(8 / 33 * 100))
    assert [r.name for r in table.rows] == [
        "Phòng chuyên môn",
        "Phòng Văn hóa và Thông tin",
        "UBND xã, thị trấn",
        "UBND xã Cẩm Bình",
        "TỔNG CỘNG",
    ]


def test_two_units_year_annex_hand_computed(two_units) -> None:
    table = report_annex(two_units, parse_period("2024"), "calendar")
    assert not table.cumulative and table.sub_headers == ("KH", "TH", "%")
    tb = table.type_codes.index("TIN_BAI")
    assert table.values(by_name(table)["Phòng Văn hóa và Thông tin"], tb) == (
        23,
        12,
        pytest.approx(12 / 23 * 100),
    )


def annex_grid(docx: bytes):
    document = Document(io.BytesIO(docx))
    return document, document.tables[-1]


@pytest.fixture(scope="module")
def two_units_docx(two_units) -> bytes:
    return build_report(two_units, parse_period("2024-Q2"), "calendar", Settings(), issued=ISSUED)


def test_two_units_docx_annex_cells(two_units_docx: bytes) -> None:
    document, grid = annex_grid(two_units_docx)
    assert [c.text for c in grid.rows[1].cells][2:6] == CUMULATIVE
    names = [c.text for c in grid.rows[0].cells]
    rows = {row.cells[1].text: [c.text for c in row.cells] for row in grid.rows[2:]}
    # catalogue order: Tin, bài in columns 2..5, Phóng sự in 6..9; Tổng số last
    assert names[2:10] == ["Tin, bài"] * 4 + ["Phóng sự"] * 4 and names[-1] == "Tổng số"
    assert rows["Phòng Văn hóa và Thông tin"][2:6] == ["23", "4", "5", "21,7"]
    assert rows["UBND xã Cẩm Bình"][2:6] == ["10", "1", "3", "30,0"]
    assert rows["UBND xã Cẩm Bình"][6:10] == ["2", "0", "1", "50,0"]  # Phóng sự
    assert rows["Phòng Văn hóa và Thông tin"][6:10] == ["0", "0", "0", "—"]
    assert rows["TỔNG CỘNG"][2:6] == ["33", "5", "8", "24,2"]
    assert rows["UBND xã Cẩm Bình"][-4:] == ["12", "1", "4", "33,3"]  # Tổng số
    texts = [p.text for p in document.paragraphs]
    note = next(t for t in texts if t.startswith("Ghi chú:"))
    assert "KH năm - kế hoạch (chỉ tiêu) cả năm 2024" in note
    assert "TH kỳ - số thực hiện trong quý II năm 2024" in note
    assert "Lũy kế - số thực hiện từ đầu năm (từ ngày 01/01/2024 đến ngày 30/06/2024)" in note
    assert "% KH năm - Lũy kế so với KH năm" in note and "“—”: không giao chỉ tiêu" in note
    assert ROUNDING_NOTE not in note  # nothing was rounded


def test_two_units_xlsx_annex_cells(two_units) -> None:
    settings = Settings()
    parts = prepare_report(two_units, parse_period("2024-Q2"), "calendar", settings)
    sheet = load_workbook(io.BytesIO(build_annex(parts, settings, wb=two_units, issued=ISSUED)))["Phụ lục"]
    assert [sheet.cell(6, c).value for c in range(3, 7)] == CUMULATIVE
    rows = {row[1]: row for row in sheet.iter_rows(min_row=7, values_only=True)}
    assert rows["Phòng Văn hóa và Thông tin"][2:6] == (23, 4, 5, pytest.approx(5 / 23))
    assert rows["Phòng Văn hóa và Thông tin"][6:10] == (0, 0, 0, "—")  # no plan: a dash, as in the DOCX
    assert rows["UBND xã Cẩm Bình"][6:10] == (2, 0, 1, pytest.approx(0.5))
    assert rows["TỔNG CỘNG"][2:6] == (33, 5, 8, pytest.approx(8 / 33))
    assert sheet["A3"].value == (
        "(Kèm theo Báo cáo số      /BC-UBND ngày 05 tháng 4 năm 2024 của UBND huyện Cẩm Xuyên; "
        "số liệu từ ngày 01/04/2024 đến ngày 30/06/2024)"
    )
    notes = [
        row[0] for row in sheet.iter_rows(min_row=7, values_only=True) if str(row[0]).startswith("Ghi chú")
    ]
    assert len(notes) == 1 and "Lũy kế so với KH năm" in notes[0]


def test_xlsx_of_a_shorter_period_needs_the_workbook(two_units) -> None:
    from cchc_lib.documents.reports import ReportError

    settings = Settings()
    parts = prepare_report(two_units, parse_period("2024-Q2"), "calendar", settings)
    if parts.annex.cumulative:  # prepare_report already builds the cumulative annex
        assert build_annex(parts, settings)[:2] == b"PK"
    else:
        with pytest.raises(ReportError):
            build_annex(parts, settings)


def test_rounded_year_plans_are_whole_and_noted() -> None:
    period = tiny_pva(plans=(1.0, 0.0, 0.6, 0.5, 0.25, 0.0))
    year = tiny_pva(plans=(4.0, 0.0, 2.5, 2.0, 1.0, 0.0))
    table = annex_table(period, year_plan=year, cumulative=period)
    note = annex_note(table, parse_period("2024-Q3"), "report", 15)
    assert note.endswith(ROUNDING_NOTE)
    assert "(từ ngày 15/12/2023 đến ngày 14/09/2024)" in note
    assert annex_note(annex_table(tiny_pva()), parse_period("2024")).startswith("Ghi chú: KH - kế hoạch")


# A commune merged away on 30/06 and its successor from 01/07, calendar quarters. A unit existing
# for part of the year plans (quarter target + year target / 4) x the share of each quarter's days:
#   OLD: year TIN_BAI 10 -> Q1 2,5 + Q2 2,5 = 5; activity 10/02 x3.
#   NEW: year TIN_BAI 8 -> Q3 2 + Q4 2 = 4; activity 05/10 x2.
# Q4 annex: OLD (đến 30/06/2024) 5 / 0 / 3 / 60,0; NEW (từ 01/07/2024) 4 / 2 / 2 / 50,0; total 9 / 2 / 5.
# Q1 annex: NEW already has its line, 4 / 0 / 0 / 0,0, so the total year plan is the same 9.
MERGER_UNITS = [
    {
        "Mã đơn vị": "OLD",
        "Tên đơn vị": "Xã Cũ",
        "Loại đơn vị": "UBND xã, thị trấn",
        "Hiệu lực đến": date(2024, 6, 30),
    },
    {
        "Mã đơn vị": "NEW",
        "Tên đơn vị": "Xã Mới",
        "Loại đơn vị": "UBND xã, thị trấn",
        "Hiệu lực từ": date(2024, 7, 1),
    },
]
MERGER_TARGETS = [
    {"Năm": 2024, "Quý": None, "Mã đơn vị": "OLD", "TIN_BAI": 10},
    {"Năm": 2024, "Quý": None, "Mã đơn vị": "NEW", "TIN_BAI": 8},
]
MERGER_ACTS = [_act(date(2024, 2, 10), "OLD", "TIN_BAI", 3), _act(date(2024, 10, 5), "NEW", "TIN_BAI", 2)]


@pytest.fixture(scope="module")
def merger():
    return read_trusted(
        build_xlsx(WorkbookSpec(MERGER_UNITS, MERGER_TARGETS, MERGER_ACTS)), Settings()
    ).workbook


@pytest.mark.parametrize(
    ("period", "old", "new"),
    [
        ("2024-Q4", (5, 0, 3, 60.0), (4, 2, 2, 50.0)),
        ("2024-Q1", (5, 3, 3, 60.0), (4, 0, 0, 0.0)),
        ("2024-H2", (5, 0, 3, 60.0), (4, 2, 2, 50.0)),
    ],
)
def test_merged_units_keep_their_lines_and_year_plans(merger, period: str, old: tuple, new: tuple) -> None:
    table = report_annex(merger, parse_period(period), "calendar")
    tb = table.type_codes.index("TIN_BAI")
    rows = by_name(table)
    assert table.values(rows["Xã Cũ (đến 30/06/2024)"], tb) == pytest.approx(old)
    assert table.values(rows["Xã Mới (từ 01/07/2024)"], tb) == pytest.approx(new)
    assert table.values(rows["TỔNG CỘNG"], tb)[0] == 9


# ---------------------------------------------------------------------------------------------
# The sample


@pytest.fixture(scope="module")
def sample():
    return read_trusted(SAMPLE, Settings()).workbook


@pytest.fixture(scope="module")
def sheet(sample):
    settings = Settings()
    parts = prepare_report(sample, parse_period("2024-Q2"), "calendar", settings)
    book = load_workbook(io.BytesIO(build_annex(parts, settings, wb=sample, issued=ISSUED)))
    return book["Phụ lục"]


def test_xlsx_headers_are_merged_two_levels(sheet) -> None:
    merged = {str(r) for r in sheet.merged_cells.ranges}
    types = raw_sheet("Loại hoạt động")
    assert {"A5:A6", "B5:B6", "C5:F5", "G5:J5"} <= merged
    assert sheet["A1"].value == "Phụ lục"
    assert sheet["A5"].value == "STT" and sheet["B5"].value == "Cơ quan, đơn vị"
    assert sheet["C5"].value == types[0]["Tên loại hoạt động"]
    assert [sheet.cell(6, c).value for c in range(3, 7)] == CUMULATIVE
    last = 3 + 4 * len(types)
    assert sheet.cell(5, last).value == "Tổng số"


def test_xlsx_print_setup_wrapping_and_frozen_header(sheet) -> None:
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.print_title_rows == "$5:$6"
    assert sheet.freeze_panes == "C7"  # under the header, right of the unit names
    assert sheet["C7"].number_format == "#,##0"
    assert sheet["F7"].number_format == "0.0%"
    long_row = next(
        r
        for r in range(7, sheet.max_row + 1)
        if sheet.cell(r, 2).value == "Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên huyện"
    )
    short_row = next(r for r in range(7, sheet.max_row + 1) if sheet.cell(r, 2).value == "Phòng Y tế")
    assert sheet.cell(long_row, 2).alignment.wrap_text
    assert sheet.row_dimensions[long_row].height >= 2 * sheet.row_dimensions[short_row].height - 2


def test_xlsx_figures_equal_independent_count(sheet) -> None:
    """Calendar Q2 2024 by plain loops over the raw sheets: the year plan, the quarter's actual, the
    actual since 1 January; year plans compared for the units that exist all year. The lines are the
    units existing in the quarter and those of the year with a plan (XQT, from 01/07, says so)."""
    first, last, jan1 = datetime(2024, 4, 1), datetime(2024, 6, 30), datetime(2024, 1, 1)
    units = raw_sheet("Đơn vị")
    planned_2024 = {r["Mã đơn vị"] for r in raw_sheet("Kế hoạch") if r["Năm"] == 2024}
    names = {
        u["Mã đơn vị"]: u["Tên đơn vị"]
        for u in units
        if (
            (u.get("Hiệu lực từ") is None or u["Hiệu lực từ"] <= last)
            and (u.get("Hiệu lực đến") is None or u["Hiệu lực đến"] >= first)
        )
        or u["Mã đơn vị"] in planned_2024
    }
    whole_year = {
        u["Mã đơn vị"] for u in units if u.get("Hiệu lực từ") is None and u.get("Hiệu lực đến") is None
    }
    types = [r["Mã loại"] for r in raw_sheet("Loại hoạt động")]
    plan: dict[tuple[str, str], float] = {}
    for row in raw_sheet("Kế hoạch"):
        if row["Năm"] == 2024:
            for code in types:
                plan[(row["Mã đơn vị"], code)] = plan.get((row["Mã đơn vị"], code), 0) + (row.get(code) or 0)
    actual: dict[tuple[str, str], int] = {}
    to_date: dict[tuple[str, str], int] = {}
    for row in raw_sheet("Hoạt động"):
        key = (row["Mã đơn vị"], row["Loại hoạt động"])
        if first <= row["Ngày"] <= last:
            actual[key] = actual.get(key, 0) + (row["Số lượng"] or 1)
        if jan1 <= row["Ngày"] <= last:
            to_date[key] = to_date.get(key, 0) + (row["Số lượng"] or 1)
    rows = {}
    for row in sheet.iter_rows(min_row=7, values_only=True):
        rows.setdefault(re.sub(r" \((từ|đến) [^)]*\)$", "", str(row[1])), row)
    labels = [row[1] for row in sheet.iter_rows(min_row=7, values_only=True)]
    assert "UBND xã Quan Thạch (từ 01/07/2024)" in labels and "UBND xã Cẩm Quan (đến 30/06/2024)" in labels
    assert len([r for r in labels if r in names.values() or re.search(r"\((từ|đến) ", str(r))]) == len(names)
    checked = 0
    for code, name in names.items():
        row = rows[name]
        for index, type_code in enumerate(types):
            kh, th, lk, pct = row[2 + 4 * index : 6 + 4 * index]
            assert th == actual.get((code, type_code), 0), (name, type_code)
            assert lk == to_date.get((code, type_code), 0), (name, type_code)
            assert isinstance(kh, int)
            if code in whole_year:
                assert kh == plan.get((code, type_code), 0), (name, type_code)
                checked += 1
            assert pct == (pytest.approx(lk / kh) if kh else "—")
    assert checked >= 40 * len(types)
    grand = rows["TỔNG CỘNG"]
    assert grand[2 + 4 * len(types) + 1] == sum(v for (u, _), v in actual.items() if u in names)
    assert grand[2 + 4 * len(types) + 2] == sum(v for (u, _), v in to_date.items() if u in names)


@pytest.fixture(scope="module", params=["2024-Q1", "2024-Q3", "2024-H2", "2024"])
def sample_docx(request, sample) -> tuple[str, bytes]:
    return request.param, build_report(
        sample, parse_period(request.param), "report", Settings(), issued=ISSUED
    )


def test_sample_annex_prints_no_fractional_plan(sample_docx) -> None:
    name, data = sample_docx
    _document, grid = annex_grid(data)
    subs = [c.text for c in grid.rows[1].cells]
    kh_columns = [i for i, text in enumerate(subs) if text.startswith("KH")]
    assert len(kh_columns) == 6  # five types and the total
    for row in grid.rows[2:]:
        cells = row.cells
        for column in kh_columns:
            assert not FRACTION.search(cells[column].text), (name, cells[1].text, cells[column].text)
    expected = ["KH", "TH", "%"] if name == "2024" else CUMULATIVE
    assert subs[2 : 2 + len(expected)] == expected
    # the merged communes and their successor are in every annex of 2024, saying when they existed
    names = [row.cells[1].text for row in grid.rows[2:]]
    for label in (
        "UBND xã Cẩm Quan (đến 30/06/2024)",
        "UBND xã Cẩm Thạch (đến 30/06/2024)",
        "UBND xã Quan Thạch (từ 01/07/2024)",
    ):
        assert label in names, (name, label)


def test_sample_annex_attached_line_page_numbers_and_no_wrap(sample_docx) -> None:
    name, data = sample_docx
    document, grid = annex_grid(data)
    texts = [p.text for p in document.paragraphs]
    attached = next(t for t in texts if t.startswith("(Kèm theo Báo cáo số"))
    assert "/BC-UBND ngày 05 tháng 4 năm 2024 của UBND huyện Cẩm Xuyên; số liệu từ ngày " in attached
    bounds = parse_period(name).bounds("report", 15)
    assert attached.endswith(f"{bounds[0]:%d/%m/%Y} đến ngày {bounds[1]:%d/%m/%Y})")
    annex = document.sections[-1]
    numbering = annex._sectPr.find(qn("w:pgNumType"))
    assert numbering is not None and numbering.get(qn("w:start")) == "1"
    assert not annex.different_first_page_header_footer  # its first page shows its number too
    assert "PAGE" in annex.header._element.xml
    for row in grid.rows[2:]:
        for cell in row.cells[2:]:
            assert cell._tc.tcPr.find(qn("w:noWrap")) is not None


def test_sample_annex_year_plan_total_is_the_narrative_figure(sample_docx) -> None:
    """The annex's TỔNG CỘNG year plan (all types) is the figure the narrative states ("…/3.482 sản
    phẩm"): both round the exact (validity-shared) sum half up."""
    name, data = sample_docx
    document, grid = annex_grid(data)
    width = 3 if name == "2024" else 4
    total_plan = grid.rows[-1].cells[-width].text
    assert grid.rows[-1].cells[1].text == "TỔNG CỘNG"
    body = "\n".join(p.text for p in document.paragraphs)
    assert f"/{total_plan} sản phẩm" in body


def test_sample_annex_numbers_fit_their_columns(sample_docx) -> None:
    """Every number fits on one line of its column at the font size used: Times New Roman digits are
    half an em wide, '.' and ',' a quarter, '—' one em; the cell keeps 0.6 mm margins each side."""
    name, data = sample_docx
    _document, grid = annex_grid(data)
    widths = [int(c.get(qn("w:w"))) / 1440 * 25.4 for c in grid._tbl.tblGrid.findall(qn("w:gridCol"))]
    em = {".": 0.25, ",": 0.25, "—": 1.0}
    for row in grid.rows[2:]:
        for column, cell in enumerate(row.cells[2:], start=2):
            run = cell.paragraphs[0].runs[0]
            size_pt = run.font.size.pt
            assert size_pt >= 7
            text_mm = sum(0.5 if ch.isdigit() else em[ch] for ch in cell.text) * size_pt * 25.4 / 72
            assert text_mm <= widths[column] - 1.2, (name, cell.text, widths[column])
