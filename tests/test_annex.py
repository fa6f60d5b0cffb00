"""The annex: grouping/subtotals on a tiny frame, and the XLSX read back with openpyxl against the raw sample."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from cchc_lib.annex import annex_table, roman
from cchc_lib.periods import parse_period
from cchc_lib.reports import build_annex, prepare_report
from cchc_lib.sandbox import read_trusted
from cchc_lib.settings import Settings
from tests.test_reports import SAMPLE, expected_q2_2024, raw_sheet


def tiny_pva() -> pd.DataFrame:
    rows = [
        # unit_code, unit_name, unit_type, type, name, planned, actual
        ("X1", "Xã Một", "UBND xã", "A", "Tin", 4.0, 2),
        ("X1", "Xã Một", "UBND xã", "B", "Bài", 0.0, 3),
        ("P1", "Phòng Một", "Phòng", "A", "Tin", 2.5, 5),
        ("P1", "Phòng Một", "Phòng", "B", "Bài", 2.0, 0),
        ("X2", "Xã Hai", "UBND xã", "A", "Tin", 1.0, 1),
        ("X2", "Xã Hai", "UBND xã", "B", "Bài", 0.0, 0),
    ]
    columns = ["unit_code", "unit_name", "unit_type", "activity_type", "activity_name", "planned", "actual"]
    return pd.DataFrame(rows, columns=columns)


def test_groups_subtotals_and_total_on_a_tiny_frame() -> None:
    table = annex_table(tiny_pva(), ("Phòng", "UBND xã"))
    assert table.group_names == ("Tin", "Bài", "Tổng số")
    lines = [(r.kind, r.stt, r.name, r.planned, r.actual) for r in table.rows]
    assert lines == [
        ("group", "I", "Phòng", (2.5, 2.0, 4.5), (5, 0, 5)),
        ("unit", "1", "Phòng Một", (2.5, 2.0, 4.5), (5, 0, 5)),
        ("group", "II", "UBND xã", (5.0, 0.0, 5.0), (3, 3, 6)),
        ("unit", "1", "Xã Một", (4.0, 0.0, 4.0), (2, 3, 5)),
        ("unit", "2", "Xã Hai", (1.0, 0.0, 1.0), (1, 0, 1)),
        ("total", "", "TỔNG CỘNG", (7.5, 2.0, 9.5), (8, 3, 11)),
    ]
    assert table.rows[1].pct(0) == 200.0
    assert table.rows[3].pct(1) is None  # no plan: no percentage


def test_group_order_falls_back_to_first_appearance() -> None:
    table = annex_table(tiny_pva())
    assert [r.name for r in table.rows if r.kind == "group"] == ["UBND xã", "Phòng"]


@pytest.mark.parametrize(("n", "text"), [(1, "I"), (2, "II"), (4, "IV"), (9, "IX"), (14, "XIV")])
def test_roman(n: int, text: str) -> None:
    assert roman(n) == text


@pytest.fixture(scope="module")
def sheet():
    settings = Settings()
    wb = read_trusted(SAMPLE, settings).workbook
    parts = prepare_report(wb, parse_period("2024-Q2"), "calendar", settings)
    book = load_workbook(io.BytesIO(build_annex(parts, settings)))
    return book["Phụ lục"]


def test_xlsx_headers_are_merged_two_levels(sheet) -> None:
    merged = {str(r) for r in sheet.merged_cells.ranges}
    types = raw_sheet("Loại hoạt động")
    assert {"A5:A6", "B5:B6", "C5:E5", "F5:H5"} <= merged
    assert sheet["A5"].value == "STT" and sheet["B5"].value == "Đơn vị"
    assert sheet["C5"].value == types[0]["Tên loại hoạt động"]
    assert [sheet.cell(6, c).value for c in range(3, 6)] == ["KH", "TH", "%"]
    last = 3 + 3 * len(types)
    assert sheet.cell(5, last).value == "Tổng số"


def test_xlsx_print_setup(sheet) -> None:
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.print_title_rows == "$5:$6"
    assert sheet.freeze_panes == "C7"
    assert sheet["C7"].number_format in ("#,##0", "#,##0.0")
    assert sheet["E7"].number_format == "0.0%"


def test_xlsx_figures_equal_independent_count(sheet) -> None:
    names, planned, actual = expected_q2_2024()
    types = [r["Mã loại"] for r in raw_sheet("Loại hoạt động")]
    unit_types = {r["Mã đơn vị"]: r["Loại đơn vị"] for r in raw_sheet("Đơn vị")}
    rows = {}
    for row in sheet.iter_rows(min_row=7, values_only=True):
        rows.setdefault(row[1], row)
    for code, name in names.items():
        row = rows[name]
        for index, type_code in enumerate(types):
            kh, th, pct = row[2 + 3 * index : 5 + 3 * index]
            assert th == actual.get((code, type_code), 0)
            assert kh == pytest.approx(planned.get((code, type_code), 0))
            if kh:
                assert pct == pytest.approx(th / kh)
            else:
                assert pct is None
    for group in set(unit_types[c] for c in names):
        members = [c for c in names if unit_types[c] == group]
        total = sum(v for (u, _), v in actual.items() if u in members)
        assert rows[group][2 + 3 * len(types) + 1] == total  # subtotal of the unit type
    grand = rows["TỔNG CỘNG"]
    assert grand[2 + 3 * len(types) + 1] == sum(actual.values())
    assert grand[2 + 3 * len(types)] == pytest.approx(sum(planned.values()))
