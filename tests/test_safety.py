"""Tests for cchc_lib.reading.safety (cheap checks) and cchc_lib.reading.sandbox (limited child process)."""

from __future__ import annotations

import io
import os
import pickle
import resource
import subprocess
import sys
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from cchc_lib.common.settings import Settings
from cchc_lib.reading import safety, sandbox
from cchc_lib.reading.safety import MESSAGES, UnsafeFile, check_upload
from cchc_lib.reading.sandbox import parse_isolated, read_trusted, read_untrusted
from tests import hostile

BASE = Settings()
# Sandbox runs in tests: small limits so a runaway child is cheap on a shared machine.
LIMITED = replace(BASE, parse_memory_mb=700, parse_timeout_s=30)
VIETNAMESE_MARKS = set("ăâđêôơưáàảãạéèẻẽẹíìỉĩịóòỏõọúùủũụýỳỷỹỵ")


def _code(action) -> str:
    try:
        action()
    except UnsafeFile as exc:
        return exc.code
    return "passed"


def _children_maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux: KiB


def _far_cell_scenario() -> str:
    return _code(lambda: parse_isolated(hostile.far_cell_xlsx(False), LIMITED))


def _memory_hog_scenario() -> str:
    return _code(_stand_in("reader_hog", replace(LIMITED, parse_memory_mb=500)))


def _children_peak_mb(scenario: str) -> float:
    """Peak RSS (MB) of the sandbox children that `scenario` (a function of this module) starts, measured in
    a fresh interpreter: RUSAGE_CHILDREN is a maximum over every child a process ever waited for, so in
    this test process it also counts earlier tests' children (the CLI, LibreOffice...)."""
    code = f"import tests.test_safety as t; t.{scenario}(); print(t._children_maxrss_mb())"
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return float(done.stdout.strip().splitlines()[-1])


# --- the corpus through check_upload ----------------------------------------------------------


def test_corpus_is_large_and_names_unique() -> None:
    names = [case.name for case in hostile.CASES]
    assert len(names) >= 22
    assert len(set(names)) == len(names)


def test_good_workbook_passes_check_upload() -> None:
    assert check_upload(hostile.good_xlsx(), BASE) is None


def test_bundled_sample_passes_check_upload() -> None:
    sample = BASE.sample_path
    if not sample.is_file():
        pytest.skip("sample workbook not generated")
    assert check_upload(sample.read_bytes(), BASE) is None


@pytest.mark.parametrize("case", hostile.CASES, ids=lambda case: case.name)
def test_check_upload_refuses_with_exact_code(case: hostile.HostileCase) -> None:
    data = case.build()
    started = time.perf_counter()
    with pytest.raises(UnsafeFile) as caught:
        check_upload(data, replace(BASE, **case.settings))
    assert time.perf_counter() - started < 3.0
    assert caught.value.code == case.code
    assert caught.value.message == MESSAGES[case.code]


@pytest.mark.parametrize("case", hostile.CASES, ids=lambda case: case.name)
def test_read_untrusted_refuses_before_parsing(case: hostile.HostileCase) -> None:
    # Same verdict through the sandbox entry point; a refused file never starts a child.
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    assert _code(lambda: read_untrusted(case.build(), replace(LIMITED, **case.settings))) == case.code
    assert _code(lambda: read_trusted(case.build(), replace(LIMITED, **case.settings))) == case.code
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime == before


@pytest.mark.parametrize("case", hostile.ACCEPTED, ids=lambda case: case.name)
def test_genuine_files_other_programs_open_pass_and_read_like_the_good_workbook(case: hostile.GenuineCase) -> None:
    data = case.build()
    assert check_upload(data, BASE) is None
    result = read_trusted(data, LIMITED)
    assert result.ok, result.problems.to_dict("records")
    assert sorted(result.workbook.units["unit_code"]) == ["VHTT", "XCB"]
    assert sorted(result.workbook.activities["quantity"].tolist()) == [1, 3]
    assert sorted(result.workbook.targets["target"].tolist()) == [1, 2, 8, 12]


def test_a_moved_workbook_part_reads_through_the_sandbox() -> None:
    data = next(c for c in hostile.ACCEPTED if c.name == "workbook_part_elsewhere").build()
    assert "xl/workbook.xml" not in zipfile.ZipFile(io.BytesIO(data)).namelist()
    result = read_untrusted(data, LIMITED)
    assert sorted(result.workbook.activities["quantity"].tolist()) == [1, 3]


def test_the_high_ratio_part_is_over_the_old_ratio_limit() -> None:
    data = next(c for c in hostile.ACCEPTED if c.name == "high_ratio_part").build()
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size > 10 * 1024 * 1024 and info.file_size > 200 * info.compress_size


def test_only_sheets_that_are_read_are_checked_for_size() -> None:
    wide = next(c for c in hostile.ACCEPTED if c.name == "wide_helper_sheet").build()
    assert _code(lambda: check_upload(wide, replace(BASE, max_sheet_cols=200))) == "passed"
    # The same sheet named like a sheet of the format is read, so it is checked and named.
    read = hostile._edit(wide, "xl/workbook.xml", lambda xml: xml.replace("Lịch".encode(), "Sáng kiến".encode()))
    with pytest.raises(UnsafeFile) as caught:
        check_upload(read, BASE)
    assert caught.value.detail == (
        "Trang tính 'Sáng kiến' rộng tới 1 dòng × 368 cột (ô A1:ND1); giới hạn là 1.100.000 dòng × 200 cột."
    )
    with pytest.raises(UnsafeFile) as caught:
        check_upload(hostile.far_cell_xlsx(True), BASE)
    assert caught.value.detail == (
        "Trang tính 'Hoạt động' rộng tới 1.048.576 dòng × 16.384 cột (ô A1:XFD1048576); giới hạn là "
        "1.100.000 dòng × 200 cột."
    )
    assert caught.value.full_message == f"{caught.value.detail} {MESSAGES['sheet_too_big']}"


def test_the_size_limit_message_says_the_limit_and_the_file_size(tmp_path: Path) -> None:
    data = hostile.good_xlsx()
    with pytest.raises(UnsafeFile) as caught:
        check_upload(data, replace(BASE, max_upload_mb=0.001))
    size = str(round(len(data) / 1024 / 1024, 3)).replace(".", ",")
    assert caught.value.detail == f"Tệp nặng {size} MB; giới hạn là 0,001 MB."
    big = tmp_path / "lon.xlsx"
    with big.open("wb") as handle:
        handle.truncate(25 * 1024 * 1024 + 300 * 1024)
    with pytest.raises(UnsafeFile) as caught:
        read_untrusted(big, replace(LIMITED, max_upload_mb=20))
    assert caught.value.detail == "Tệp nặng 25,3 MB; giới hạn là 20 MB."


def test_a_differing_duplicate_of_a_read_part_names_the_part() -> None:
    with pytest.raises(UnsafeFile) as caught:
        check_upload(hostile._duplicate_sheet(same=False), BASE)
    assert caught.value.code == "corrupt_zip"
    assert "'xl/worksheets/sheet3.xml'" in caught.value.detail


def test_zip_bomb_is_refused_without_decompressing() -> None:
    data = hostile.CASES[[c.name for c in hostile.CASES].index("zip_bomb")].build()
    assert len(data) < 1_000_000
    declared = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert declared > 500 * 1024 * 1024
    started = time.perf_counter()
    assert _code(lambda: check_upload(data, BASE)) == "zip_bomb"
    assert time.perf_counter() - started < 0.5


def test_limits_follow_settings() -> None:
    good = hostile.good_xlsx()
    # good_xlsx: 3 sheets of at most 5 columns and 3 rows; 11 zip members.
    assert _code(lambda: check_upload(good, replace(BASE, max_sheet_cols=4))) == "sheet_too_big"
    assert _code(lambda: check_upload(good, replace(BASE, max_sheet_cols=5))) == "passed"
    assert _code(lambda: check_upload(good, replace(BASE, max_sheet_rows=2))) == "sheet_too_big"
    assert _code(lambda: check_upload(good, replace(BASE, max_sheet_rows=3))) == "passed"
    assert _code(lambda: check_upload(good, replace(BASE, max_zip_parts=10))) == "too_many_parts"
    assert _code(lambda: check_upload(good, replace(BASE, max_zip_parts=11))) == "passed"
    assert _code(lambda: check_upload(good, replace(BASE, max_uncompressed_mb=0.001))) == "zip_bomb"


def test_column_and_range_arithmetic() -> None:
    assert safety._column_number("A") == 1
    assert safety._column_number("Z") == 26
    assert safety._column_number("AA") == 27
    assert safety._column_number("XFD") == 16384
    assert safety._column_letters(200) == "GR"
    assert safety._ref_extent("A1:XFD1048576") == (1048576, 16384)
    assert safety._ref_extent("$B$2:$E$30") == (30, 5)
    assert safety._ref_extent("C7") == (7, 3)
    assert safety._ref_extent("nonsense") == (0, 0)


@hyp_settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    cuts=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=6),
    truncate=st.one_of(st.none(), st.integers(1, 10**6)),
)
def test_any_mutation_gives_pass_or_unsafe_file(cuts: list[tuple[int, int]], truncate: int | None) -> None:
    data = bytearray(hostile.good_xlsx())
    for position, value in cuts:
        data[position % len(data)] = value
    if truncate is not None:
        data = data[: truncate % len(data) or 1]
    try:
        check_upload(bytes(data), BASE)
    except UnsafeFile as exc:
        assert exc.code in MESSAGES


@pytest.mark.parametrize(
    "data", [b"\x00" * 10, b"PK", b"PK\x03\x04", b"PK\x05\x06" + bytes(18), b"\xd0\xcf\x11\xe0"]
)
def test_fragments_give_unsafe_file(data: bytes) -> None:
    assert _code(lambda: check_upload(data, BASE)) in MESSAGES


# --- messages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_messages_are_short_vietnamese_instructions(code: str) -> None:
    message = MESSAGES[code]
    assert UnsafeFile(code).message == message
    assert UnsafeFile(code).code == code
    assert set(message.lower()) & VIETNAMESE_MARKS
    assert message.endswith(".")
    assert 1 <= message.count(". ") + 1 <= 3
    assert "Traceback" not in message


# --- loading sources ---------------------------------------------------------------------------


def test_missing_path_and_directory(tmp_path: Path) -> None:
    assert _code(lambda: read_untrusted(tmp_path / "khong_co.xlsx", LIMITED)) == "missing_file"
    assert _code(lambda: read_untrusted(str(tmp_path), LIMITED)) == "missing_file"
    assert _code(lambda: read_trusted(tmp_path / "khong_co.xlsx", LIMITED)) == "missing_file"


def test_oversize_path_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "lon.xlsx"
    with big.open("wb") as handle:  # sparse: 2 MB on paper, nothing on disk
        handle.truncate(2 * 1024 * 1024)
    assert _code(lambda: read_untrusted(big, replace(LIMITED, max_upload_mb=1))) == "too_large"


# --- the sandbox with the real reader ----------------------------------------------------------


def test_good_workbook_reads_through_the_sandbox(tmp_path: Path) -> None:
    path = tmp_path / "tot.xlsx"
    path.write_bytes(hostile.good_xlsx())
    result = read_untrusted(path, LIMITED)
    assert result.ok
    assert sorted(result.workbook.units["unit_code"]) == ["VHTT", "XCB"]
    assert sorted(result.workbook.activities["quantity"].tolist()) == [1, 3]
    trusted = read_trusted(path, LIMITED)
    assert trusted.ok
    assert sorted(trusted.workbook.units["unit_code"]) == ["VHTT", "XCB"]


def test_far_cell_crash_is_contained_in_the_child() -> None:
    # No cheap check here: the real reader meets the XFD1048576 cell that aborts calamine.
    started = time.perf_counter()
    code = _far_cell_scenario()
    assert code in ("parse_crashed", "parse_memory")
    assert time.perf_counter() - started < 20
    assert _children_peak_mb("_far_cell_scenario") <= LIMITED.parse_memory_mb
    assert check_upload(hostile.good_xlsx(), BASE) is None  # this process is alive and well


def test_far_cell_beyond_the_scan_budget_is_caught_by_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    # The cheap scan reads only the head of each part; past it, only the child limit protects us.
    monkeypatch.setattr(safety, "PART_SCAN_BYTES", 600)
    assert safety.CHUNK > 600
    assert _code(lambda: read_untrusted(hostile.far_cell_xlsx(False), LIMITED)) in (
        "parse_crashed",
        "parse_memory",
    )


def test_malformed_sheet_xml_is_unreadable_or_a_workbook_error() -> None:
    data = hostile.malformed_sheet_xlsx()
    assert check_upload(data, BASE) is None
    try:
        result = read_untrusted(data, LIMITED)
    except UnsafeFile as exc:
        assert exc.code == "unreadable"
        assert "Traceback" not in exc.message and "XmlError" not in exc.message
    else:
        assert not result.ok


# --- the sandbox with stand-in readers ---------------------------------------------------------


def _stand_in(name: str, settings: Settings = LIMITED):
    return lambda: parse_isolated(hostile.good_xlsx(), settings, f"tests.hostile:{name}")


def test_stdout_noise_does_not_corrupt_the_result() -> None:
    result = _stand_in("reader_ok")()
    assert result.workbook is None
    assert list(result.problems.columns) == ["level", "code", "sheet", "row", "column", "message"]


def test_child_runs_under_the_memory_limit() -> None:
    result = _stand_in("reader_limits", replace(LIMITED, parse_memory_mb=640, parse_timeout_s=7.5))()
    limits = dict(zip(result.problems["code"], result.problems["message"], strict=True))
    assert limits["RLIMIT_AS"] == str(640 * 1024 * 1024)
    assert limits["RLIMIT_CORE"] == "0"
    assert limits["RLIMIT_CPU"] == str(8 + sandbox.CPU_MARGIN_S)


def test_timeout_kills_the_child() -> None:
    started = time.perf_counter()
    assert _code(_stand_in("reader_sleep", replace(LIMITED, parse_timeout_s=1.5))) == "parse_timeout"
    elapsed = time.perf_counter() - started
    assert 1.4 < elapsed < 4.0


def test_busy_loop_times_out() -> None:
    assert _code(_stand_in("reader_spin", replace(LIMITED, parse_timeout_s=1.0))) == "parse_timeout"


def test_memory_hog_gives_parse_memory_and_stays_bounded() -> None:
    started = time.perf_counter()
    assert _memory_hog_scenario() == "parse_memory"
    assert time.perf_counter() - started < 15
    assert _children_peak_mb("_memory_hog_scenario") <= LIMITED.parse_memory_mb


def test_exception_in_reader_is_unreadable_without_details() -> None:
    with pytest.raises(UnsafeFile) as caught:
        _stand_in("reader_raise")()
    assert caught.value.code == "unreadable"
    assert "ValueError" not in caught.value.message and "/srv" not in caught.value.message


@pytest.mark.parametrize("name", ["reader_abort", "reader_exit"])
def test_dead_child_is_parse_crashed(name: str) -> None:
    assert _code(_stand_in(name)) == "parse_crashed"


def test_missing_reader_module_is_unreadable() -> None:
    assert _code(lambda: parse_isolated(b"x", LIMITED, "cchc_lib.no_such_module:read")) == "unreadable"


def test_child_finds_the_package_from_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    assert _stand_in("reader_ok")().workbook is None


# --- the result channel ------------------------------------------------------------------------


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


def test_result_unpickler_refuses_foreign_globals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for blob in (pickle.dumps(("ok", _Evil())), pickle.dumps(("ok", os.system)), b"not a pickle", b""):
        with pytest.raises(UnsafeFile) as caught:
            sandbox._outcome(0, blob, b"")
        assert caught.value.code == "parse_crashed"
    assert not (tmp_path / "pwned").exists()


def test_result_unpickler_accepts_a_real_result() -> None:
    sample = BASE.sample_path
    if not sample.is_file():
        pytest.skip("sample workbook not generated")
    trusted = read_trusted(sample, BASE)
    blob = pickle.dumps(("ok", trusted), protocol=pickle.HIGHEST_PROTOCOL)
    restored = sandbox._outcome(0, blob, b"")
    assert restored.ok == trusted.ok
    assert restored.workbook.activities.equals(trusted.workbook.activities)
