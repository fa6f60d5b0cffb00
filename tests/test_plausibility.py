"""Plausibility limits (issue 15): a quantity, target or amount above its setting is an error naming the
cell (sheet, row, column, the value and the setting), and the workbook is not counted."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

from cchc_lib.common.settings import Settings, load_settings
from cchc_lib.reading.workbook import read_workbook
from tests.command import run_cli
from tests.xlsx import ACTIVITY_HEADERS, UNIT_HEADERS, make_xlsx

SETTINGS = Settings()
UNITS = [
    UNIT_HEADERS[:3],
    ["XCB", "Xã Cẩm Bình", "UBND xã, thị trấn"],
    ["PNV", "Phòng Nội vụ", "Phòng chuyên môn"],
]


def book(
    quantity: object = 3,
    target: object = 12,
    allocated: object | None = None,
) -> bytes:
    """Units, one target row (Kế hoạch!D2 holds `target`), three activities (Hoạt động!D3 holds
    `quantity`; D2 = 2, D4 = 5) and, when `allocated` is given, one Kinh phí row (C2 holds it)."""
    sheets = {
        "Đơn vị": UNITS,
        "Kế hoạch": [["Năm", "Quý", "Mã đơn vị", "TIN_BAI"], [2024, None, "XCB", target]],
        "Hoạt động": [
            ACTIVITY_HEADERS,
            [date(2024, 3, 1), "XCB", "TIN_BAI", 2, "a"],
            [date(2024, 3, 2), "XCB", "TIN_BAI", quantity, "b"],
            [date(2024, 3, 3), "PNV", "TIN_BAI", 5, "c"],
        ],
    }
    if allocated is not None:
        sheets["Kinh phí"] = [["Năm", "Mã đơn vị", "Dự toán", "Đã chi"], [2024, "XCB", allocated, 1_000_000]]
    return make_xlsx(sheets)


def only_error(result) -> dict:
    errors = result.errors.to_dict("records")
    assert len(errors) == 1, errors
    return errors[0]


def test_a_quantity_of_ten_to_the_fifteen_is_an_error_naming_its_cell_and_is_not_counted() -> None:
    result = read_workbook(book(quantity=10**15), SETTINGS)
    assert result.workbook is None  # nothing is counted: not 1,000,000,000,000,007 in the district
    error = only_error(result)
    assert (error["code"], error["sheet"], error["row"], error["column"]) == (
        "implausible_number",
        "Hoạt động",
        3,
        "Số lượng",
    )
    message = error["message"]
    assert message.startswith("Ô D3: Số lượng 1.000.000.000.000.000 vượt mức hợp lý 1.000 cho một dòng")
    assert "tách thành nhiều dòng" in message and "max_activity_quantity" in message


def test_a_quantity_typed_as_grouped_text_is_checked_too() -> None:
    error = only_error(read_workbook(book(quantity="25.000"), SETTINGS))
    assert error["row"] == 3 and "Số lượng 25.000 vượt mức hợp lý 1.000" in error["message"]


def test_a_quantity_at_the_limit_is_accepted_and_one_above_is_refused() -> None:
    at_limit = read_workbook(book(quantity=1000), SETTINGS)
    assert at_limit.ok
    assert at_limit.workbook.activities["quantity"].sum() == 2 + 1000 + 5
    above = only_error(read_workbook(book(quantity=1001), SETTINGS))
    assert above["message"].startswith("Ô D3: Số lượng 1.001 vượt mức hợp lý 1.000")


def test_a_target_above_its_limit_is_an_error_on_the_target_cell() -> None:
    assert read_workbook(book(target=100_000), SETTINGS).ok
    error = only_error(read_workbook(book(target=100_001), SETTINGS))
    assert (error["sheet"], error["row"], error["column"]) == ("Kế hoạch", 2, "TIN_BAI")
    assert error["message"].startswith(
        "Ô D2: Chỉ tiêu 100.001 vượt mức hợp lý 100.000 cho một đơn vị và một loại hoạt động"
    )
    assert "max_target_quantity" in error["message"]


def test_a_funding_amount_above_its_limit_is_an_error_in_dong() -> None:
    assert read_workbook(book(allocated=1_000_000_000_000), SETTINGS).ok
    error = only_error(read_workbook(book(allocated="5.000.000.000.000 đồng"), SETTINGS))
    assert (error["sheet"], error["row"], error["column"]) == ("Kinh phí", 2, "Dự toán")
    assert error["message"].startswith(
        "Ô C2: Số tiền 5.000.000.000.000 đ vượt mức hợp lý 1.000.000.000.000 đ cho một ô kinh phí"
    )


def test_the_limits_are_settings_and_zero_turns_a_check_off(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("[limits]\nmax_activity_quantity = 20000\nmax_target_quantity = 10\n", encoding="utf-8")
    raised = load_settings(path)
    assert (raised.max_activity_quantity, raised.max_target_quantity) == (20000, 10)
    assert read_workbook(book(quantity=15_000), raised).workbook is None  # the target 12 > 10
    assert read_workbook(book(quantity=15_000, target=10), raised).ok
    off = replace(SETTINGS, max_activity_quantity=0)
    assert read_workbook(book(quantity=10**15), off).workbook.activities["quantity"].max() == 10**15


def test_validate_and_summary_refuse_the_workbook_and_print_no_total(tmp_path: Path) -> None:
    path = tmp_path / "so_lieu.xlsx"
    path.write_bytes(book(quantity=10**15))
    validated = run_cli("validate", str(path), "--format", "json")
    assert validated.returncode == 1, validated.stderr
    problems = json.loads(validated.stdout)["problems"]
    assert [(p["code"], p["sheet"], p["row"], p["column"]) for p in problems] == [
        ("implausible_number", "Hoạt động", 3, "Số lượng")
    ]
    summary = run_cli("summary", str(path), "--period", "2024", "--format", "json")
    assert summary.returncode == 1 and summary.stdout == ""
    assert "1.000.000.000.000.000" in summary.stderr
