"""The command line (cli.md) run as a real subprocess: exit codes, JSON/CSV shapes, no tracebacks."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest

from cchc_lib.sample.builder import WorkbookSpec, build_xlsx
from tests.command import run_cli
from tests.test_workbook import PLANTED, SPEC, _planted

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args)


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


def test_summary_records_round_completion_half_up() -> None:
    import math

    import pandas as pd

    from cchc_lib.commands.cli import summary_records

    # completion values as metrics computes them (actual * 100 / planned): 17 of 16 = 106.25,
    # 1 of 2000 = 0.05, 23 of 2000 = 1.15, 1 of 3 = 33.33..; a 0 plan has no completion
    rows = [(16.0, 17), (2000.0, 1), (2000.0, 23), (3.0, 1), (0.0, 4), (76 / 92, 1)]
    frame = pd.DataFrame(
        {
            "unit_code": "U",
            "unit_name": "Đơn vị",
            "unit_type": "T",
            "activity_type": [f"T{i}" for i in range(len(rows))],
            "activity_name": "x",
            "planned": [r[0] for r in rows],
            "actual": [r[1] for r in rows],
            "completion_pct": [r[1] * 100 / r[0] if r[0] else math.nan for r in rows],
        }
    )
    records = summary_records(frame)
    # half up, never to even: 106.25 -> 106.3 (round() gives 106.2), 0.05 -> 0.1, 1.15 -> 1.2 (round()
    # gives 1.1); 76/92 planned and 121.05.. completion (100 * 92/76 = 121.0526) -> 121.1
    assert [r["completion_pct"] for r in records] == [106.3, 0.1, 1.2, 33.3, None, 121.1]
    # planned is not rounded: whole numbers as int, a share as the float itself
    assert [r["planned"] for r in records] == [16, 2000, 2000, 3, 0, 76 / 92]
    assert type(records[0]["planned"]) is int and type(records[0]["completion_pct"]) is float


@pytest.fixture
def merger(tmp_path: Path) -> Path:
    """Two communes: OLD until 30/06/2024, merged into NEW (from 01/07/2024); a rounding tie in PNV."""
    units = [
        {"Mã đơn vị": "PNV", "Tên đơn vị": "Phòng Nội vụ", "Loại đơn vị": "Phòng chuyên môn"},
        {
            "Mã đơn vị": "OLD",
            "Tên đơn vị": "Xã Cũ",
            "Loại đơn vị": "UBND xã, thị trấn",
            "Hiệu lực đến": date(2024, 6, 30),
            "Sáp nhập vào": "NEW",
        },
        {
            "Mã đơn vị": "NEW",
            "Tên đơn vị": "Xã Mới",
            "Loại đơn vị": "UBND xã, thị trấn",
            "Hiệu lực từ": date(2024, 7, 1),
        },
    ]
    targets = [
        {"Năm": 2024, "Quý": 3, "Mã đơn vị": "PNV", "TIN_BAI": 16},
        {"Năm": 2024, "Quý": None, "Mã đơn vị": "OLD", "TIN_BAI": 8},
        {"Năm": 2024, "Quý": 3, "Mã đơn vị": "NEW", "TIN_BAI": 10},
    ]
    acts = [
        {"Ngày": date(2024, 8, 1), "Mã đơn vị": "PNV", "Loại hoạt động": "TIN_BAI", "Số lượng": 17},
        {"Ngày": date(2024, 6, 20), "Mã đơn vị": "OLD", "Loại hoạt động": "TIN_BAI", "Số lượng": 1},
        {
            "Ngày": date(2024, 7, 5),
            "Mã đơn vị": "OLD",
            "Loại hoạt động": "TIN_BAI",
            "Số lượng": 3,
        },  # after 30/06
        {
            "Ngày": date(2024, 6, 25),
            "Mã đơn vị": "NEW",
            "Loại hoạt động": "TIN_BAI",
            "Số lượng": 2,
        },  # before 01/07
        {"Ngày": date(2024, 8, 1), "Mã đơn vị": "NEW", "Loại hoạt động": "TIN_BAI", "Số lượng": 5},
    ]
    path = tmp_path / "merger.xlsx"
    path.write_bytes(build_xlsx(WorkbookSpec(units, targets, acts)))
    return path


def test_summary_json_report_q3_carries_the_unrounded_share(merger: Path) -> None:
    done = run("summary", str(merger), "--period", "2024-Q3", "--calendar", "report", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = {(r["unit_code"], r["activity_type"]): r for r in json.loads(done.stdout)}
    # report Q3 = 15/06–14/09 = 16+31+31+14 = 92 days; all three units share a day with it
    assert {code for code, _ in rows} == {"PNV", "OLD", "NEW"}
    new, old, pnv = rows["NEW", "TIN_BAI"], rows["OLD", "TIN_BAI"], rows["PNV", "TIN_BAI"]
    # NEW exists 01/07–14/09 = 31+31+14 = 76 days: 10 x 76/92 = 8.2608..; 5 done (25/06 is before
    # its validity, not counted); 5 / (760/92) x 100 = 60.526.. -> 60.5
    assert new["planned"] == pytest.approx(10 * 76 / 92, rel=1e-15) and new["planned"] != 8.3
    assert (new["actual"], new["completion_pct"]) == (5, 60.5)
    # OLD exists 15/06–30/06 = 16 days: 8/4 x 16/92 = 0.3478..; 1 done (05/07 is after 30/06);
    # 1 / (32/92) x 100 = 287.5
    assert old["planned"] == pytest.approx(2 * 16 / 92, rel=1e-15)
    assert (old["actual"], old["completion_pct"]) == (1, 287.5)
    # PNV (no validity dates): 17 of 16 = 106.25 -> 106.3, half up
    assert (pnv["planned"], pnv["actual"], pnv["completion_pct"]) == (16, 17, 106.3)
    # calendar Q3 (01/07–30/09): OLD has ended, NEW has its whole quarter
    cal = json.loads(run("summary", str(merger), "--period", "2024-Q3", "--format", "json").stdout)
    rows = {(r["unit_code"], r["activity_type"]): r for r in cal}
    assert {code for code, _ in rows} == {"PNV", "NEW"}
    assert (rows["NEW", "TIN_BAI"]["planned"], rows["NEW", "TIN_BAI"]["actual"]) == (10, 5)
    assert rows["NEW", "TIN_BAI"]["completion_pct"] == 50.0


def test_summary_csv_prints_the_share_and_the_rounded_completion(merger: Path) -> None:
    import csv
    import io

    done = run("summary", str(merger), "--period", "2024-Q3", "--calendar", "report")
    assert done.returncode == 0, done.stderr
    records = csv.DictReader(io.StringIO(done.stdout.removeprefix("\ufeff")))
    rows = {(r["unit_code"], r["activity_type"]): r for r in records}
    assert [rows["PNV", "TIN_BAI"][k] for k in ("planned", "actual", "completion_pct")] == [
        "16",
        "17",
        "106.3",
    ]
    # the share as Python writes the float (shortest repr), not rounded
    assert [rows["NEW", "TIN_BAI"][k] for k in ("planned", "actual", "completion_pct")] == [
        repr(10 * 76 / 92),
        "5",
        "60.5",
    ]
    assert rows["NEW", "PHONG_SU"]["completion_pct"] == ""  # no plan: empty cell


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
    from cchc_lib.reading.safety import MESSAGES
    from tests.hostile import CASES

    case = next(c for c in CASES if c.name == name)
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(case.build())
    for command in (("validate", str(path), "--format", "json"), ("summary", str(path), "--period", "2024")):
        done = run(*command)  # run() has a 120 s timeout: a hang fails the test
        assert done.returncode == 2
        assert done.stdout == ""
        # one line: what was found in this file (when known), then the message saying what to do
        [line] = done.stderr.strip().splitlines()
        assert line.startswith("Không đọc được tệp: ") and line.endswith(MESSAGES[case.code])


# ------------------------------------------------------------------ command-line edges (issue 8)
SAMPLE = ROOT / "data" / "cam_xuyen_2024.xlsx"
ENGLISH = (
    "usage:",
    "error:",
    "the following arguments are required",
    "invalid choice",
    "unrecognized arguments",
    "show this help message and exit",
    "positional arguments",
    "options:",
    "expected one argument",
    "Traceback",
)
KNOWN_KEYS = (
    "chi_dao, ket_qua, ket_qua_don_vi, kenh, ra_soat, kinh_phi, sang_kien, uu_diem, ton_tai, nguyen_nhan, "
    "phuong_huong, kien_nghi"
)


def no_english(done: subprocess.CompletedProcess[str]) -> None:
    for text in ENGLISH:
        assert text not in done.stdout + done.stderr, text


@pytest.mark.parametrize("year", ["0000", "9999", "1899", "2101"])
@pytest.mark.parametrize("command", ["summary", "report", "store import"])
def test_a_year_outside_1900_2100_is_refused_with_a_message(
    tmp_path: Path, good: Path, year: str, command: str
) -> None:
    args = {
        "summary": ("summary", str(good), "--period", year),
        "report": ("report", str(good), "--period", year, "--out", str(tmp_path / "r.docx")),
        "store import": ("store", "import", str(good), "--user", "x", "--unit", "PNV", "--period", year,
                         "--store-dir", str(tmp_path / "s"), "--users-file", str(tmp_path / "u.toml")),
    }[command]  # fmt: skip
    if command == "store import":
        from cchc_lib.access.accounts import Accounts

        Accounts(tmp_path / "u.toml").add("x", "admin", "mat-khau-dai-123")
    done = run(*args)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"Năm {year} của kỳ '{year}' nằm ngoài khoảng 1900–2100. "
        "Hãy nhập một năm có số liệu, ví dụ 2024 hoặc 2024-Q1."
    ]
    assert done.stdout == ""
    assert not (tmp_path / "r.docx").exists()
    no_english(done)


def test_the_edges_of_the_year_range_are_accepted(good: Path) -> None:
    for year in ("1900", "2100"):
        done = run("summary", str(good), "--period", year, "--format", "json")
        assert done.returncode == 0, done.stderr
        assert all(r["actual"] == 0 for r in json.loads(done.stdout))


@pytest.mark.parametrize(
    ("args", "last_line"),
    [
        (
            ("report", "{good}"),
            "Lệnh không hợp lệ: thiếu --period, --out. Xem hướng dẫn: python -m cchc_lib report -h",
        ),
        (
            ("summary", "{good}", "--period", "2024", "--calendar", "quy"),
            "Lệnh không hợp lệ: --calendar 'quy' không có; chọn một trong: calendar, report. "
            "Xem hướng dẫn: python -m cchc_lib summary -h",
        ),
        (
            ("validate", "{good}", "thua"),
            "Lệnh không hợp lệ: không hiểu tham số thua. Xem hướng dẫn: python -m cchc_lib -h",
        ),
        (
            ("frobnicate",),
            "Lệnh không hợp lệ: lệnh 'frobnicate' không có; chọn một trong: validate, summary, store, users, "
            "report, template. Xem hướng dẫn: python -m cchc_lib -h",
        ),
        ((), "Lệnh không hợp lệ: thiếu lệnh. Xem hướng dẫn: python -m cchc_lib -h"),
        (
            ("store",),
            "Lệnh không hợp lệ: thiếu thao tác. Xem hướng dẫn: python -m cchc_lib store -h",
        ),
        (
            ("summary", "{good}", "--period"),
            "Lệnh không hợp lệ: --period cần một giá trị đi kèm. Xem hướng dẫn: python -m cchc_lib summary -h",
        ),
        (
            ("template", "--out", "x.xlsx", "--year", "hai"),
            "Lệnh không hợp lệ: --year cần số nguyên, không phải 'hai'. "
            "Xem hướng dẫn: python -m cchc_lib template -h",
        ),
        (
            ("summary", "{good}"),
            "Lệnh không hợp lệ: thiếu --period. Xem hướng dẫn: python -m cchc_lib summary -h",
        ),
    ],
    ids=[
        "required",
        "choice",
        "unrecognized",
        "command",
        "no-command",
        "no-action",
        "no-value",
        "int",
        "one-required",
    ],
)
def test_argparse_speaks_vietnamese_and_exits_2(good: Path, args: tuple[str, ...], last_line: str) -> None:
    done = run(*(a.format(good=good) for a in args))
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert lines[0].startswith("Cách dùng: python -m cchc_lib")
    assert lines[-1] == last_line
    assert done.stdout == ""
    no_english(done)


@pytest.mark.parametrize("command", [(), ("report",), ("summary",), ("store", "import"), ("template",)])
def test_help_is_in_vietnamese(command: tuple[str, ...]) -> None:
    done = run(*command, "--help")
    assert done.returncode == 0
    assert done.stdout.startswith("Cách dùng: python -m cchc_lib")
    assert re.search(r"-h, --help +xem hướng dẫn này rồi thoát\n", done.stdout)
    assert "\ntùy chọn:\n" in done.stdout
    no_english(done)


def test_report_help_lists_the_new_options() -> None:
    done = run("report", "-h")
    for option in ("--texts TỆP", "--issued NGÀY", "--number SỐ", "--period KỲ", "--out TỆP"):
        assert option in done.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("report", "{good}", "--period", "2024-Q1", "--out", "{missing}/bao_cao.docx"),
        ("template", "--out", "{missing}/mau.xlsx"),
    ],
    ids=["report", "template"],
)
def test_a_missing_output_folder_is_named_in_vietnamese(tmp_path: Path, good: Path, args) -> None:
    missing = tmp_path / "chua_co"
    done = run(*(a.format(good=good, missing=missing) for a in args))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"Thư mục '{missing}' không tồn tại. Hãy tạo thư mục hoặc chọn nơi lưu khác."
    ]
    assert "No such file" not in done.stderr and done.stdout == ""
    assert not missing.exists()


def docx_paragraphs(path: Path) -> list[str]:
    from docx import Document

    return [p.text for p in Document(str(path)).paragraphs]


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The sample's Q1 report without the clerk's texts (the baseline the edited reports differ from)."""
    out = tmp_path_factory.mktemp("base") / "q1.docx"
    return out, run("report", str(SAMPLE), "--period", "2024-Q1", "--out", str(out))


def test_report_prints_the_content_warnings_to_stderr(sample_report) -> None:
    out, done = sample_report
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"Đã tạo {out} (Quý I năm 2024).\n"
    warnings = done.stderr.splitlines()
    assert "Cảnh báo: Mục “IV. KIẾN NGHỊ, ĐỀ XUẤT” còn phần để trống cần bổ sung trước khi ký." in warnings
    assert all(line.startswith("Cảnh báo: ") for line in warnings)


@pytest.mark.parametrize("fmt", ["json", "toml"])
def test_texts_file_replaces_sections_in_the_docx(tmp_path: Path, sample_report, fmt: str) -> None:
    base, _ = sample_report
    own = "UBND huyện ban hành Kế hoạch số 05/KH-UBND ngày 10/01/2024 về tuyên truyền CCHC."
    advice = ["Đề nghị Sở Nội vụ mở lớp tập huấn cho công chức cấp xã.", "Đề nghị bố trí kinh phí."]
    texts = tmp_path / f"noi_dung.{fmt}"
    if fmt == "json":
        texts.write_text(json.dumps({"chi_dao": own, "kien_nghi": "\n".join(advice)}), encoding="utf-8")
    else:
        texts.write_text(
            f'chi_dao = "{own}"\nkien_nghi = """\n{advice[0]}\n{advice[1]}\n"""\n', encoding="utf-8"
        )
    out = tmp_path / "q1.docx"
    done = run("report", str(SAMPLE), "--period", "2024-Q1", "--out", str(out), "--texts", str(texts),
               "--issued", "05/04/2024", "--number", "45")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "IV. KIẾN NGHỊ, ĐỀ XUẤT" not in done.stderr  # the placeholder is filled in
    before, after = docx_paragraphs(base), docx_paragraphs(out)
    assert own in after and own not in before
    assert after.index("IV. KIẾN NGHỊ, ĐỀ XUẤT") + 1 == after.index(advice[0])
    assert after.index(advice[0]) + 1 == after.index(advice[1])
    heading = "1. Công tác chỉ đạo, điều hành"
    generated = before[before.index(heading) + 1]
    assert generated != own and generated not in after  # the generated paragraph was replaced
    assert after[after.index(heading) + 1] == own
    # the sections not in the file are as generated
    assert before[before.index("2. Kết quả thực hiện kế hoạch") + 1] in after
    cells = "\n".join(
        c.text for t in __import__("docx").Document(str(out)).tables for r in t.rows for c in r.cells
    )
    assert "Số: 45/" in cells and "ngày 05 tháng 4 năm 2024" in cells


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (
            '{"chi_dao": "x", "tieu_de": "y", "loi_mo_dau": "z"}',
            "t.json",
            "Tệp nội dung '{path}' có mục không có trong báo cáo: tieu_de, loi_mo_dau. "
            f"Các mục sửa được: {KNOWN_KEYS}.",
        ),
        ('{"chi_dao": 5}', "t.json", "Nội dung mục chi_dao trong '{path}' phải là văn bản (trong dấu nháy)."),
        ("[1, 2]", "t.json", "Tệp nội dung '{path}' phải gồm các cặp mã mục – nội dung."),
        (
            '{"chi_dao": "x",',
            "t.json",
            "Tệp nội dung '{path}' không đúng định dạng JSON (dòng 1, cột 17). "
            'Dạng đúng: {{"mã_mục": "nội dung", ...}}.',
        ),
        (
            "chi_dao = x",
            "t.toml",
            'Tệp nội dung \'{path}\' không đúng định dạng TOML. Dạng đúng: mã_mục = """nội dung""".',
        ),
        ("chi_dao: x", "t.yaml", "Tệp nội dung '{path}' phải là .json hoặc .toml."),
        (None, "none.json", "Không tìm thấy tệp nội dung '{path}'. Hãy kiểm tra đường dẫn."),
    ],
    ids=["unknown-keys", "not-text", "not-object", "bad-json", "bad-toml", "other-format", "missing"],
)
def test_bad_texts_files_exit_2_with_a_message(
    tmp_path: Path, good: Path, content: str | None, name: str, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    out = tmp_path / "r.docx"
    done = run("report", str(good), "--period", "2024", "--out", str(out), "--texts", str(path))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [message.format(path=path)]
    assert done.stdout == "" and not out.exists()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--issued", "31/02/2024", "Ngày ban hành '31/02/2024' không hợp lệ. Dùng dạng ngày/tháng/năm, ví dụ 05/04/2024."),
        ("--issued", "2024-04-05", "Ngày ban hành '2024-04-05' không hợp lệ. Dùng dạng ngày/tháng/năm, ví dụ 05/04/2024."),
        ("--issued", "05/04/1850", "Ngày ban hành '05/04/1850' phải trong các năm 1900–2100."),
        ("--number", "45<b>", "Số báo cáo '45<b>' không hợp lệ: chỉ gồm chữ số, chữ cái, dấu '.', '/', '-' "
         "(tối đa 20 ký tự), ví dụ 45."),
        ("--as-of", "2024/03/20", "Ngày cập nhật số liệu '2024/03/20' không hợp lệ. Dùng dạng ngày/tháng/năm, "
         "ví dụ 05/04/2024."),
    ],
)  # fmt: skip
def test_bad_issue_date_or_number_exit_2(
    tmp_path: Path, good: Path, option: str, value: str, message: str
) -> None:
    out = tmp_path / "r.docx"
    done = run("report", str(good), "--period", "2024", "--out", str(out), option, value)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [message]
    assert not out.exists()


def test_docs_cli_md_names_every_command_and_option() -> None:
    """docs/cli.md (the project's copy of the contract) cannot drift from the parser: every command and
    every option the parser knows is written there."""
    import argparse

    from cchc_lib.__main__ import build_parser

    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = []

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    command = " ".join((*path, name))
                    if f"`{command}" not in doc:
                        missing.append(command)
                    walk(sub, (*path, name))
            elif path:
                missing.extend(
                    o for o in action.option_strings if o.startswith("--") and o != "--help" and o not in doc
                )

    walk(build_parser(), ())
    assert "--settings" in doc
    assert missing == []


def test_store_texts_prints_the_saved_texts_for_report_texts(tmp_path: Path) -> None:
    from cchc_lib.access.accounts import Account
    from cchc_lib.publishing.store import Store

    store_dir = tmp_path / "kho"
    own = "Nội dung chỉ đạo do văn phòng tự viết."
    Store(store_dir).save_report_texts("2024-Q1", "report", {"chi_dao": own}, Account("vp", "admin"))
    done = run("store", "texts", "--period", "2024-Q1", "--calendar", "report", "--store-dir", str(store_dir))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"chi_dao": own}
    other = run("store", "texts", "--period", "2024-Q1", "--store-dir", str(store_dir))  # calendar quarters
    assert json.loads(other.stdout) == {}
    texts = tmp_path / "q1.json"
    texts.write_text(done.stdout, encoding="utf-8")
    out = tmp_path / "q1.docx"
    report = run("report", str(SAMPLE), "--period", "2024-Q1", "--calendar", "report", "--out", str(out),
                 "--texts", str(texts))  # fmt: skip
    assert report.returncode == 0, report.stderr
    paragraphs = docx_paragraphs(out)
    assert paragraphs[paragraphs.index("1. Công tác chỉ đạo, điều hành") + 1] == own


def test_as_of_dates_the_year_funding_sentence(tmp_path: Path) -> None:
    """--as-of is stated with the year's funding; without it the sentence says 'theo số liệu hiện có'
    and stderr asks for the date (the sample has a 'Kinh phí' sheet)."""
    dated, undated = tmp_path / "dated.docx", tmp_path / "undated.docx"
    done = run("report", str(SAMPLE), "--period", "2024-Q1", "--out", str(dated), "--as-of", "20/03/2024")
    assert done.returncode == 0, done.stderr
    assert "ngày cập nhật số liệu kinh phí" not in done.stderr
    plain = run("report", str(SAMPLE), "--period", "2024-Q1", "--out", str(undated))
    assert plain.returncode == 0, plain.stderr
    assert "Cảnh báo: Chưa rõ ngày cập nhật số liệu kinh phí" in plain.stderr
    heading = "6. Kinh phí thực hiện"
    with_date = docx_paragraphs(dated)
    without = docx_paragraphs(undated)
    assert "theo số liệu cập nhật đến ngày 20/03/2024" in with_date[with_date.index(heading) + 1]
    assert "theo số liệu hiện có" in without[without.index(heading) + 1]


def test_a_file_over_the_size_limit_names_its_size_and_the_limit(tmp_path: Path) -> None:
    """The size refusal says the file's size and the limit (issue 9), in validate and summary alike."""
    from cchc_lib.reading.safety import MESSAGES

    settings = tmp_path / "settings.toml"
    settings.write_text("max_upload_mb = 0.1\n", encoding="utf-8")
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"PK" + b"\0" * 250_000)  # 250.002 bytes = 0,24 MB; refused on size before anything else
    for command in (("validate", str(big)), ("summary", str(big), "--period", "2024")):
        done = run("--settings", str(settings), *command)
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr.strip().splitlines() == [
            f"Không đọc được tệp: Tệp nặng 0,2 MB; giới hạn là 0,1 MB. {MESSAGES['too_large']}"
        ]
