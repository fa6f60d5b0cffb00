"""Column mappings: an office's own headers read to exact figures, validation, suggestions, problems
named by the file's own headers, and the sandbox carrying the mapping to the child process."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from cchc_lib.common.settings import Settings
from cchc_lib.reading.column_mapping import (
    MappingError,
    SheetHeaders,
    format_headed_copy,
    inspect_headers,
    load_mapping_file,
    suggest_mapping,
    validate_mapping,
)
from cchc_lib.reading.sandbox import inspect_untrusted, read_untrusted
from cchc_lib.reading.schema import ACTIVITIES
from cchc_lib.reading.workbook import read_workbook
from tests.command import run_cli
from tests.xlsx import UNIT_HEADERS, make_xlsx

UNITS = [
    UNIT_HEADERS[:3],
    ["PNV", "Phòng Nội vụ", "Phòng chuyên môn"],
    ["XCB", "UBND xã Cẩm Bình", "UBND xã, thị trấn"],
]
TARGETS = [
    ["Năm", "Quý", "Mã đơn vị", "TIN_BAI", "PHONG_SU"],
    [2024, None, "PNV", 8, 2],
    [2024, None, "XCB", 4, 1],
]
OFFICE_HEADERS = ["STT", "Ngày đăng", "Đơn vị thực hiện", "Hình thức", "SL", "Tiêu đề"]
FORMAT_HEADERS = ["STT", "Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng", "Tiêu đề"]
ROWS = [
    [1, "05/03/2024", "PNV", "Tin, bài", 3, "Hội nghị triển khai CCHC"],
    [2, date(2024, 3, 15), "XCB", "Phóng sự", 2, "Phóng sự một cửa"],
    [3, date(2024, 4, 2), "PNV", "TIN_BAI", None, "Tin chuyển đổi số"],
    [4, date(2024, 5, 10), "XCB", "Tin bài", 4, "Tin tuyên truyền"],
]
MAPPING = {
    "Hoạt động": {
        "Ngày đăng": "date",
        "Đơn vị thực hiện": "unit_code",
        "Hình thức": "type_code",
        "SL": "quantity",
    }
}
RENAMED = dict(zip(FORMAT_HEADERS, OFFICE_HEADERS, strict=True))
ROOT = Path(__file__).resolve().parent.parent


def workbook(headers: list[str], rows: list[list[object]]) -> bytes:
    """Units, targets and a `Hoạt động` sheet under a title block, its header on Excel row 3."""
    activities = [["SỔ THEO DÕI TUYÊN TRUYỀN CCHC NĂM 2024"], [], headers, *rows]
    return make_xlsx({"Đơn vị": UNITS, "Kế hoạch": TARGETS, "Hoạt động": activities})


def test_without_mapping_the_office_file_is_refused_for_missing_headers() -> None:
    result = read_workbook(workbook(OFFICE_HEADERS, ROWS))
    assert not result.ok
    assert list(result.errors["code"]) == ["missing_header"]
    assert result.errors["sheet"].tolist() == ["Hoạt động"]


def test_office_headers_read_with_the_mapping_to_exact_figures() -> None:
    result = read_workbook(workbook(OFFICE_HEADERS, ROWS), mapping=MAPPING)
    assert result.ok, result.problems
    acts = result.workbook.activities
    assert acts["date"].dt.date.tolist() == [
        date(2024, 3, 5),
        date(2024, 3, 15),
        date(2024, 4, 2),
        date(2024, 5, 10),
    ]
    assert acts["unit_code"].tolist() == ["PNV", "XCB", "PNV", "XCB"]
    assert acts["type_code"].tolist() == ["TIN_BAI", "PHONG_SU", "TIN_BAI", "TIN_BAI"]
    assert acts["quantity"].tolist() == [3, 2, 1, 4]
    assert acts["row"].tolist() == [4, 5, 6, 7]
    totals = acts.groupby(["unit_code", "type_code"])["quantity"].sum().to_dict()
    assert totals == {("PNV", "TIN_BAI"): 4, ("XCB", "PHONG_SU"): 2, ("XCB", "TIN_BAI"): 4}


def test_mapped_reading_equals_the_format_headed_reading() -> None:
    mapped = read_workbook(workbook(OFFICE_HEADERS, ROWS), mapping=MAPPING)
    plain = read_workbook(workbook(FORMAT_HEADERS, ROWS))
    assert plain.ok and mapped.ok
    pd.testing.assert_frame_equal(mapped.workbook.activities, plain.workbook.activities)
    pd.testing.assert_frame_equal(mapped.workbook.targets, plain.workbook.targets)


def test_no_mapping_and_an_empty_mapping_read_as_before() -> None:
    data = workbook(FORMAT_HEADERS, ROWS)
    plain = read_workbook(data)
    for mapping in (None, {}):
        again = read_workbook(data, mapping=mapping)
        pd.testing.assert_frame_equal(again.workbook.activities, plain.workbook.activities)
        pd.testing.assert_frame_equal(again.problems, plain.problems)


BAD_ROWS = [
    [1, "31/02/2024", "PNV", "Tin, bài", 3, "Ngày không có"],
    [2, date(2024, 3, 15), "KHONGCO", "Phóng sự", 2, "Đơn vị lạ"],
    [3, date(2024, 4, 2), "PNV", "TIN_BAI", "1,5", "Số lẻ"],
    [4, None, "XCB", "Tin bài", 4, "Thiếu ngày"],
    [5, date(2024, 5, 10), "XCB", "Loại lạ", 1, "Loại lạ"],
]


def test_mapped_reading_reports_bad_cells_as_the_format_reading_does_with_the_files_headers() -> None:
    mapped = read_workbook(workbook(OFFICE_HEADERS, BAD_ROWS), mapping=MAPPING)
    plain = read_workbook(workbook(FORMAT_HEADERS, BAD_ROWS))
    assert not mapped.ok and not plain.ok
    expected = plain.problems.assign(column=plain.problems["column"].map(lambda c: RENAMED.get(c, c)))
    # the messages quote the column too: renamed the same way
    for before, after in RENAMED.items():
        if before != after:
            expected["message"] = expected["message"].str.replace(f"'{before}'", f"'{after}'", regex=False)
    pd.testing.assert_frame_equal(mapped.problems, expected)
    by_row = {int(r.row): (r.code, r.column) for r in mapped.errors.itertuples()}
    assert by_row[4] == ("bad_date", "Ngày đăng")
    assert by_row[5] == ("unknown_unit", "Đơn vị thực hiện")
    assert by_row[6][1] == "SL"
    assert by_row[7] == ("missing_value", "Ngày đăng")
    assert by_row[8] == ("unknown_type", "Hình thức")
    assert "Ô 'Ngày đăng' đang trống" in mapped.errors.set_index("row").loc[7, "message"]


def test_a_mapping_of_another_sheet_changes_nothing_here() -> None:
    data = workbook(FORMAT_HEADERS, ROWS)
    other = {"Kinh phí": {"Kinh phí được giao": "allocated"}}
    pd.testing.assert_frame_equal(
        read_workbook(data, mapping=other).workbook.activities, read_workbook(data).workbook.activities
    )


def test_a_mapped_field_is_named_only_by_the_files_header() -> None:
    """Under the mapping `Ngày đăng` -> date, a column headed `Ngày` is not the date any more."""
    headers = ["STT", "Ngày", "Ngày đăng", "Mã đơn vị", "Loại hoạt động"]
    rows = [[1, date(2024, 1, 1), date(2024, 2, 2), "PNV", "TIN_BAI"]]
    result = read_workbook(workbook(headers, rows), mapping={"Hoạt động": {"Ngày đăng": "date"}})
    assert result.ok, result.problems
    assert result.workbook.activities["date"].dt.date.tolist() == [date(2024, 2, 2)]
    assert "extra_column" in set(result.warnings["code"])


# ------------------------------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    ("mapping", "fragment"),
    [
        ([1, 2], "phải có dạng"),
        ({"Trang lạ": {"A": "date"}}, "Trang tính 'Trang lạ' không có trong mẫu"),
        ({"Hoạt động": {"Ngày đăng": "ngay_sinh"}}, "không có cột 'ngay_sinh'"),
        (
            {"Hoạt động": {"Ngày đăng": "date", "Ngày gửi": "date"}},
            "hai tiêu đề 'Ngày đăng' và 'Ngày gửi' cùng",
        ),
        ({"Hoạt động": {"Ngày đăng": "date", "ngày  ĐĂNG": "title"}}, "được ghép hai lần"),
        ({"Hoạt động": {"  ": "date"}}, "tiêu đề trống"),
        ({"Hoạt động": {"Mã đơn vị": "title"}}, "là tên cột 'Mã đơn vị' của mẫu"),
        ({"Hoạt động": {"Ngày đăng": 3}}, "phải là chữ"),
        ({"Hoạt động": "date"}, "phải có dạng"),
    ],
)
def test_invalid_mappings_are_refused_in_vietnamese(mapping: object, fragment: str) -> None:
    with pytest.raises(MappingError) as caught:
        validate_mapping(mapping)
    assert fragment in caught.value.message
    assert caught.value.code == "bad_mapping"


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(MappingError) as caught:
        validate_mapping({"Trang lạ": {}, "Hoạt động": {"A": "khong_co"}})
    assert len(caught.value.problems) == 2


def test_validation_normalises_sheet_names_headers_and_fields() -> None:
    checked = validate_mapping(
        {
            "hoat dong": {" Ngày\u00a0đăng ": "Ngày", "SL": "quantity", "Mã đơn vị": "unit_code"},
            "Kinh phí": {},
        }
    )
    assert checked == {"Hoạt động": {"Ngày đăng": "date", "SL": "quantity", "Mã đơn vị": "unit_code"}}


def test_mapping_file(tmp_path: Path) -> None:
    good = tmp_path / "map.json"
    good.write_text(json.dumps(MAPPING, ensure_ascii=False), encoding="utf-8")
    assert load_mapping_file(good) == MAPPING
    broken = tmp_path / "broken.json"
    broken.write_text("{ không phải json", encoding="utf-8")
    with pytest.raises(MappingError, match="không phải JSON hợp lệ"):
        load_mapping_file(broken)
    with pytest.raises(MappingError, match="Không đọc được tệp ghép cột"):
        load_mapping_file(tmp_path / "missing.json")


# ------------------------------------------------------------------------------------------ suggestions
def test_suggestions_for_the_office_file() -> None:
    found = inspect_headers(workbook(OFFICE_HEADERS, ROWS))
    sheet = found["Hoạt động"]
    assert sheet["row"] == 3
    assert sheet["headers"] == ["Ngày đăng", "Đơn vị thực hiện", "Hình thức", "SL", "Tiêu đề"]
    assert sheet["proposals"] == {
        "date": "Ngày đăng",
        "unit_code": "Đơn vị thực hiện",
        "type_code": "Hình thức",
        "quantity": "SL",
        "title": "Tiêu đề",
    }
    # sheets that read already propose their own headers
    assert found["Đơn vị"]["proposals"] == {
        "unit_code": "Mã đơn vị",
        "unit_name": "Tên đơn vị",
        "unit_type": "Loại đơn vị",
    }


def test_suggestions_use_the_kind_of_the_values() -> None:
    """Headers that say nothing: the dates, the unit codes, the types and the counts tell the fields."""
    found = SheetHeaders(
        "Hoạt động",
        "Hoạt động",
        1,
        ("Cột 1", "Cột 2", "Cột 3", "Cột 4"),
        (
            (date(2024, 1, 2), "03/01/2024"),
            ("PNV", "XCB"),
            ("Tin, bài", "Phóng sự"),
            (2, 5),
        ),
    )
    assert suggest_mapping(found, ACTIVITIES) == {
        "date": "Cột 1",
        "unit_code": "Cột 2",
        "type_code": "Cột 3",
        "quantity": "Cột 4",
    }


def test_nothing_is_proposed_for_unrelated_text_columns() -> None:
    found = SheetHeaders("Hoạt động", "Hoạt động", 1, ("Người ký",), (("Nguyễn Văn A", "Trần Thị B"),))
    proposals = suggest_mapping(found, ACTIVITIES)
    assert "date" not in proposals and "unit_code" not in proposals and "quantity" not in proposals


# ------------------------------------------------------------------------------------------ the sandbox
def test_the_sandbox_carries_the_mapping_to_the_child_process() -> None:
    data = workbook(OFFICE_HEADERS, ROWS)
    settings = Settings()
    assert not read_untrusted(data, settings).ok
    result = read_untrusted(data, settings, mapping=MAPPING)
    assert result.ok
    assert result.workbook.activities["quantity"].tolist() == [3, 2, 1, 4]
    assert inspect_untrusted(data, settings)["Hoạt động"]["proposals"]["type_code"] == "Hình thức"


def test_the_sandbox_refuses_a_bad_mapping_before_parsing() -> None:
    with pytest.raises(MappingError):
        read_untrusted(workbook(OFFICE_HEADERS, ROWS), Settings(), mapping={"Hoạt động": {"A": "x"}})


# ------------------------------------------------------------------------------------------ command line
@pytest.fixture
def office_file(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "so_theo_doi.xlsx"
    data.write_bytes(workbook(OFFICE_HEADERS, ROWS))
    mapping = tmp_path / "ghep_cot.json"
    mapping.write_text(json.dumps(MAPPING, ensure_ascii=False), encoding="utf-8")
    return data, mapping


def test_cli_validate_with_mapping(office_file: tuple[Path, Path]) -> None:
    data, mapping = office_file
    without = run_cli("validate", str(data))
    assert without.returncode == 1
    assert "thiếu cột bắt buộc" in without.stdout
    done = run_cli("validate", str(data), "--mapping", str(mapping))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("Tệp hợp lệ. 0 lỗi, 0 cảnh báo.")


def test_cli_validate_with_mapping_names_the_files_header(
    tmp_path: Path, office_file: tuple[Path, Path]
) -> None:
    _, mapping = office_file
    data = tmp_path / "loi.xlsx"
    data.write_bytes(workbook(OFFICE_HEADERS, BAD_ROWS))
    done = run_cli("validate", str(data), "--mapping", str(mapping), "--format", "json")
    assert done.returncode == 1
    problems = {(p["code"], p["row"], p["column"]) for p in json.loads(done.stdout)["problems"]}
    assert ("bad_date", 4, "Ngày đăng") in problems
    assert ("unknown_unit", 5, "Đơn vị thực hiện") in problems


def test_cli_summary_with_mapping(office_file: tuple[Path, Path]) -> None:
    data, mapping = office_file
    done = run_cli("summary", str(data), "--period", "2024", "--format", "json", "--mapping", str(mapping))
    assert done.returncode == 0, done.stderr
    got = {(r["unit_code"], r["activity_type"]): (r["planned"], r["actual"]) for r in json.loads(done.stdout)}
    # targets: PNV 8 tin bài, 2 phóng sự; XCB 4 tin bài, 1 phóng sự. Done: PNV 3 + 1 tin bài, XCB 2 phóng sự + 4 tin bài
    assert got == {
        ("PNV", "TIN_BAI"): (8, 4),
        ("PNV", "PHONG_SU"): (2, 0),
        ("XCB", "TIN_BAI"): (4, 4),
        ("XCB", "PHONG_SU"): (1, 2),
        ("PNV", "BAI_DANG_TTDT"): (0, 0),
        ("XCB", "BAI_DANG_TTDT"): (0, 0),
    }


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{ không phải json", "không phải JSON hợp lệ"),
        (json.dumps({"Hoạt động": {"Ngày đăng": "ngay_dang"}}), "không có cột 'ngay_dang'"),
        (json.dumps(["Ngày đăng"]), "phải có dạng"),
        (None, "Không đọc được tệp ghép cột"),
    ],
)
def test_cli_bad_mapping_file_exits_2_with_one_line(
    tmp_path: Path, office_file: tuple[Path, Path], content: str | None, fragment: str
) -> None:
    data, _ = office_file
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content, encoding="utf-8")
    for command in (["validate", str(data)], ["summary", str(data), "--period", "2024"]):
        done = run_cli(*command, "--mapping", str(bad))
        assert done.returncode == 2
        assert done.stdout == ""
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Không dùng được tệp ghép cột: ")
        assert fragment in lines[0]
        assert "Traceback" not in done.stderr


# ------------------------------------------------------------------------- a copy with the format's headers
def test_format_headed_copy_reads_without_the_mapping_to_the_same_tables() -> None:
    data = workbook(OFFICE_HEADERS, ROWS)
    copy = format_headed_copy(data, Settings(), MAPPING)
    plain = read_workbook(copy)
    assert plain.ok, plain.problems
    mapped = read_workbook(data, mapping=MAPPING)
    pd.testing.assert_frame_equal(plain.workbook.activities, mapped.workbook.activities)
    pd.testing.assert_frame_equal(plain.workbook.targets, mapped.workbook.targets)
    headers = inspect_headers(copy)["Hoạt động"]["headers"]
    assert headers == ["Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng", "Tiêu đề"]


def test_format_headed_copy_refused_when_the_reading_has_errors() -> None:
    with pytest.raises(MappingError, match="Không lưu được tệp với tiêu đề cột theo mẫu"):
        format_headed_copy(workbook(OFFICE_HEADERS, BAD_ROWS), Settings(), MAPPING)
