"""Other spreadsheet formats: .ods read in the same sandbox with the same checks (formula errors and
formulas without a value found in content.xml), .xls/.xlsb/.numbers refused naming the format."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from cchc_lib.common.settings import Settings
from cchc_lib.reading.safety import MESSAGES, UnsafeFile, check_upload
from cchc_lib.reading.sandbox import read_untrusted
from cchc_lib.reading.workbook import read_workbook
from tests import hostile
from tests.xlsx import UNIT_HEADERS, OdsFormula, make_ods, make_xlsx

LIMITED = replace(Settings(), parse_memory_mb=700, parse_timeout_s=30)
SHEETS = {
    "Đơn vị": [UNIT_HEADERS, ["PNV", "Phòng Nội vụ", "Phòng chuyên môn"], ["XCB", "Xã Cẩm Bình", "UBND xã"]],
    "Kế hoạch": [
        ["Năm", "Quý", "Mã đơn vị", "Tin, bài", "Phóng sự"],
        [2024, None, "PNV", 12, 2],
        [2024, 1, "XCB", 3, "-"],
    ],
    "Hoạt động": [
        ["BẢNG THEO DÕI"],
        ["Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng (tin, bài)"],
        [date(2024, 3, 5), "PNV", "TIN_BAI", 3],
        ["06/03/2024", "XCB", "Phóng sự", None],
        [None, "Tổng cộng", None, 4],
    ],
}


def _figures(result) -> tuple[list, list]:
    assert result.ok, result.problems.to_dict("records")
    wb = result.workbook
    acts = wb.activities[["date", "unit_code", "type_code", "quantity"]].values.tolist()
    return acts, wb.targets[["unit_code", "type_code", "quarter", "target"]].astype(str).values.tolist()


def test_an_ods_workbook_reads_through_the_sandbox_like_the_same_xlsx() -> None:
    ods = make_ods(SHEETS)
    assert check_upload(ods, Settings()) is None
    assert _figures(read_untrusted(ods, LIMITED)) == _figures(read_workbook(make_xlsx(SHEETS)))
    acts, _ = _figures(read_untrusted(ods, LIMITED))
    assert [(u, t, q) for _, u, t, q in acts] == [("PNV", "TIN_BAI", 3), ("XCB", "PHONG_SU", 1)]


def test_ods_formula_errors_and_formulas_without_a_value_are_errors_naming_the_cell() -> None:
    sheets = dict(SHEETS)
    sheets["Kế hoạch"] = [
        SHEETS["Kế hoạch"][0],
        [2024, None, "PNV", OdsFormula("1/0", error="#DIV/0!"), OdsFormula("1+1", 2)],
    ]
    sheets["Hoạt động"] = [
        *SHEETS["Hoạt động"][:2],
        [date(2024, 3, 5), "PNV", "TIN_BAI", OdsFormula("[.Z1]", error="#REF!")],
        [date(2024, 3, 6), "PNV", "TIN_BAI", OdsFormula("2+3")],
    ]
    result = read_workbook(make_ods(sheets), Settings())
    assert [(p.code, p.sheet, int(p.row), p.column) for p in result.errors.itertuples()] == [
        ("formula_error", "Kế hoạch", 2, "Tin, bài"),
        ("formula_error", "Hoạt động", 3, "Số lượng"),
        ("formula_without_value", "Hoạt động", 4, "Số lượng"),
    ]
    assert result.errors["message"].iloc[0].startswith("Ô D2 có lỗi công thức '#DIV/0!'")
    assert result.errors["message"].iloc[1].startswith("Ô D3 có lỗi công thức '#REF!'")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_an_error_cell_saved_by_libreoffice_itself_is_found(tmp_path: Path) -> None:
    sheets = dict(SHEETS)
    sheets["Hoạt động"] = [
        *SHEETS["Hoạt động"][:2],
        [date(2024, 3, 5), "PNV", "TIN_BAI", "=1/0"],
        ["06/03/2024", "XCB", "TIN_BAI", "=2+3"],
    ]
    source = tmp_path / "tep.xlsx"
    source.write_bytes(make_xlsx(sheets))
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "ods",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    result = read_workbook((tmp_path / "tep.ods").read_bytes(), Settings())
    assert [(p.code, int(p.row), p.column) for p in result.errors.itertuples()] == [
        ("formula_error", 3, "Số lượng")
    ]
    assert "'#DIV/0!'" in result.errors["message"].iloc[0]


def test_a_broken_ods_passes_the_checks_and_is_unreadable_in_the_sandbox() -> None:
    data = hostile._ods()  # no manifest, an empty document: calamine cannot read it
    assert check_upload(data, Settings()) is None
    with pytest.raises(UnsafeFile) as caught:
        read_untrusted(data, LIMITED)
    assert caught.value.code == "unreadable"


@pytest.mark.parametrize(
    ("name", "code", "needle"),
    [
        ("legacy_xls", "legacy_xls", "(.xls)"),
        ("xlsb_renamed", "xlsb", "(.xlsb)"),
        ("numbers_renamed", "numbers", "(.numbers)"),
    ],
)
def test_other_formats_are_refused_naming_the_format_and_how_to_convert(
    name: str, code: str, needle: str
) -> None:
    case = next(c for c in hostile.CASES if c.name == name)
    with pytest.raises(UnsafeFile) as caught:
        check_upload(case.build(), Settings())
    assert caught.value.code == code
    assert needle in caught.value.message and ".xlsx" in caught.value.message
    assert caught.value.message == MESSAGES[code]


def test_an_ods_row_repeated_by_libreoffice_repeats_its_error_cells() -> None:
    """LibreOffice writes identical consecutive rows once with number-rows-repeated."""
    sheets = dict(SHEETS)
    sheets["Hoạt động"] = [
        *SHEETS["Hoạt động"][:2],
        [date(2024, 3, 5), "PNV", "TIN_BAI", OdsFormula("[.Z1]", error="#REF!")],
        [date(2024, 3, 6), "PNV", "TIN_BAI", 2],
    ]
    data = make_ods(sheets)
    marker = b'<table:table-row><table:table-cell office:value-type="date" office:date-value="2024-03-05"'
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    content = source.read("content.xml")
    assert marker in content and content.count(b"#REF!") == 1
    content = content.replace(
        marker, marker.replace(b"<table:table-row>", b'<table:table-row table:number-rows-repeated="3">')
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            target.writestr(info, content if info.filename == "content.xml" else source.read(info))
    result = read_workbook(buffer.getvalue(), Settings())
    assert [(p.code, int(p.row)) for p in result.errors.itertuples()] == [
        ("formula_error", r) for r in (3, 4, 5)
    ]


def test_an_ods_repeating_a_filled_cell_over_the_whole_sheet_is_refused_in_the_sandbox() -> None:
    """17 billion cells by repeat attributes: contained in the child, never this process."""
    import io
    import time
    import zipfile

    data = make_ods(
        {"Đơn vị": [UNIT_HEADERS], "Kế hoạch": [["Năm", "Mã đơn vị"]], "Hoạt động": [["Ngày", "Mã đơn vị"]]}
    )
    source = zipfile.ZipFile(io.BytesIO(data))
    empty = b'<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    filled = b'<table:table-cell table:number-columns-repeated="16000" office:value-type="float" office:value="1"/></table:table-row>'
    content = source.read("content.xml").replace(empty, filled)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            target.writestr(info, content if info.filename == "content.xml" else source.read(info))
    assert check_upload(buffer.getvalue(), Settings()) is None  # nothing cheap to see: the sandbox decides
    started = time.perf_counter()
    with pytest.raises(UnsafeFile) as caught:
        read_untrusted(buffer.getvalue(), LIMITED)
    assert caught.value.code in ("unreadable", "parse_memory", "parse_crashed", "parse_timeout")
    assert time.perf_counter() - started < 40
