"""Templates: format, dropdowns, per-unit restriction; filled in with openpyxl and read back by read_workbook."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from cchc_lib import schema
from cchc_lib.metrics import plan_vs_actual
from cchc_lib.periods import parse_period
from cchc_lib.sandbox import read_trusted
from cchc_lib.settings import Settings
from cchc_lib.templates import LISTS_SHEET, TemplateError, build_template
from cchc_lib.workbook import read_workbook
from tests.test_reports import SAMPLE, raw_sheet


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
