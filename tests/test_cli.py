"""The command line (cli.md) run as a real subprocess: exit codes, JSON/CSV shapes, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from cchc_lib.builder import WorkbookSpec, build_xlsx
from tests.test_workbook import PLANTED, SPEC, _planted

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cchc_lib", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
    )


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.xlsx"
    path.write_bytes(build_xlsx(SPEC))
    return path


def test_validate_json_names_each_planted_cell(tmp_path: Path) -> None:
    path = tmp_path / "planted.xlsx"
    path.write_bytes(_planted())
    done = run("validate", str(path), "--format", "json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["ok"] is False
    found = {(p["level"], p["code"], p["sheet"], p["row"], p["column"]) for p in report["problems"]}
    assert found == set(PLANTED)
    assert all(set(p) == {"level", "code", "sheet", "row", "column", "message"} for p in report["problems"])


def test_validate_text_ok(good: Path) -> None:
    done = run("validate", str(good))
    assert done.returncode == 0
    assert "Tệp hợp lệ" in done.stdout


def test_summary_json_q1_hand_computed(good: Path) -> None:
    # PNV: year targets TIN_BAI 8, PHONG_SU 2 -> Q1 plans 2 and 0.5; one TIN_BAI on 05/03.
    # XCB: Q1 target TIN_BAI 3; its activity on 15/03 falls in Q1 (calendar) -> 3 of 3.
    done = run("summary", str(good), "--period", "2024-Q1", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = {(r["unit_code"], r["activity_type"]): r for r in json.loads(done.stdout)}
    assert len(rows) == 6  # 2 units x 3 catalogue types
    assert (rows["PNV", "TIN_BAI"]["planned"], rows["PNV", "TIN_BAI"]["actual"]) == (2, 1)
    assert rows["PNV", "TIN_BAI"]["completion_pct"] == 50.0
    assert rows["PNV", "PHONG_SU"]["planned"] == 0.5
    assert rows["PNV", "BAI_DANG_TTDT"]["completion_pct"] is None
    assert (rows["XCB", "TIN_BAI"]["actual"], rows["XCB", "TIN_BAI"]["completion_pct"]) == (3, 100.0)
    assert rows["XCB", "TIN_BAI"]["unit_name"] == "UBND xã Cẩm Bình"


def test_summary_report_calendar_moves_cutoff_dates(good: Path) -> None:
    # Report calendar: 15/03 belongs to Q2, so XCB has 0 of 3 in Q1; 20/12/2024 belongs to 2025-Q1.
    done = run("summary", str(good), "--period", "2024-Q1", "--calendar", "report", "--format", "json")
    rows = {(r["unit_code"], r["activity_type"]): r for r in json.loads(done.stdout)}
    assert rows["XCB", "TIN_BAI"]["actual"] == 0
    year = run("summary", str(good), "--period", "2024", "--calendar", "report", "--format", "json")
    rows = {(r["unit_code"], r["activity_type"]): r for r in json.loads(year.stdout)}
    assert rows["PNV", "PHONG_SU"]["actual"] == 0  # the 20/12/2024 reportage counts for 2025
    # XCB ended 30/06/2024 so it does not exist in 2025
    nxt = json.loads(
        run("summary", str(good), "--period", "2025-Q1", "--calendar", "report", "--format", "json").stdout
    )
    assert {(r["unit_code"], r["activity_type"], r["actual"]) for r in nxt if r["actual"]} == {
        ("PNV", "PHONG_SU", 2)
    }
    assert {r["unit_code"] for r in nxt} == {"PNV"}


def test_summary_csv_has_bom_and_header(good: Path) -> None:
    done = run("summary", str(good), "--period", "2024-H1")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert (
        lines[0]
        == "\ufeffunit_code,unit_name,unit_type,activity_type,activity_name,planned,actual,completion_pct"
    )
    assert lines[1] == 'PNV,Phòng Nội vụ,Phòng chuyên môn,TIN_BAI,"Tin, bài",4,1,25.0'


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (("summary", "{good}", "--period", "2024-Q5"), 2, "Kỳ '2024-Q5' không hợp lệ"),
        (("validate", "{missing}"), 2, "Không tìm thấy"),
        (("validate", "{text}"), 2, "CSV"),
        (("summary", "{planted}", "--period", "2024"), 1, "Quý '5' không hợp lệ"),
        (("frobnicate",), 2, "Lệnh không hợp lệ"),
    ],
)
def test_failures_have_exit_codes_messages_and_no_traceback(
    tmp_path: Path, good: Path, args: tuple[str, ...], code: int, needle: str
) -> None:
    text = tmp_path / "t.xlsx"
    text.write_text("a,b\n1,2\n", encoding="utf-8")
    planted = tmp_path / "p.xlsx"
    planted.write_bytes(_planted())
    paths = {"good": good, "missing": tmp_path / "none.xlsx", "text": text, "planted": planted}
    done = run(*(a.format(**paths) for a in args))
    assert done.returncode == code
    assert needle in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    if code:
        assert done.stdout == ""


def test_unit_merged_mid_year_appears_only_where_it_exists(tmp_path: Path) -> None:
    units = [
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
    targets = [{"Năm": 2024, "Quý": None, "Mã đơn vị": "NEW", "TIN_BAI": 4}]
    acts = [{"Ngày": date(2024, 8, 1), "Mã đơn vị": "NEW", "Loại hoạt động": "TIN_BAI"}]
    path = tmp_path / "m.xlsx"
    path.write_bytes(build_xlsx(WorkbookSpec(units, targets, acts)))
    q1 = json.loads(run("summary", str(path), "--period", "2024-Q1", "--format", "json").stdout)
    q3 = json.loads(run("summary", str(path), "--period", "2024-Q3", "--format", "json").stdout)
    assert {r["unit_code"] for r in q1} == {"OLD"}
    assert {r["unit_code"] for r in q3} == {"NEW"}


CLI_HOSTILE = [
    "empty",
    "encrypted_ole",
    "truncated_zip",
    "zip_bomb",
    "billion_laughs",
    "far_cell_no_dimension",
    "xlsm_vba_project",
]


@pytest.mark.parametrize("name", CLI_HOSTILE)
def test_hostile_files_end_in_exit_2_with_one_vietnamese_line(tmp_path: Path, name: str) -> None:
    from cchc_lib.safety import MESSAGES
    from tests.hostile import CASES

    case = next(c for c in CASES if c.name == name)
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(case.build())
    for command in (("validate", str(path), "--format", "json"), ("summary", str(path), "--period", "2024")):
        done = run(*command)  # run() has a 120 s timeout: a hang fails the test
        assert done.returncode == 2
        assert done.stdout == ""
        assert done.stderr.strip().splitlines() == [f"Không đọc được tệp: {MESSAGES[case.code]}"]
