"""Packages calamine reads but Excel does not open, and ambiguous part names (issue 15): refused with a
message naming what was found; a version already stored that is bad this way gives a clear refusal."""

from __future__ import annotations

import re
from datetime import date

import pytest

from cchc_lib.common.settings import Settings
from cchc_lib.publishing.store import Store, StoreError
from cchc_lib.publishing.submissions import prepare_update
from cchc_lib.reading import opc, safety
from cchc_lib.reading.safety import MESSAGES, UnsafeFile, check_upload
from cchc_lib.reading.sandbox import read_trusted
from cchc_lib.reading.workbook import read_workbook
from tests import hostile
from tests.test_store import ADMIN, UNIT
from tests.test_submissions import SETTINGS, act, prepare, store, workbook  # noqa: F401 (fixture)

BASE = Settings()
CASES = {case.name: case for case in hostile.EXCEL_REFUSES}

# What the message says was found, for each file (besides the code's instruction).
FOUND = {
    "no_content_types": "không có danh mục kiểu nội dung ([Content_Types].xml)",
    "every_content_type_png": "phần sổ làm việc 'xl/workbook.xml' là 'image/png'",
    "worksheets_undeclared": "trang tính 'Đơn vị' (xl/worksheets/sheet1.xml) là 'application/xml'",
    "content_types_unparsable": "Không đọc được danh mục kiểu nội dung",
    "nul_byte_in_sheet": "Trang tính 'Hoạt động' (xl/worksheets/sheet3.xml) của tệp chứa ký tự NUL (mã 0) ở ô B3",
    "control_character_reference": "chứa tham chiếu ký tự &#1; ở ô B3",
    "backslash_twin_sheet": "'xl\\worksheets\\sheet3.xml' viết bằng dấu gạch ngược",
    "backslash_name": "'xl\\worksheets\\sheet3.xml' viết bằng dấu gạch ngược",
    "case_twin_sheet": "'xl/worksheets/sheet3.xml' và 'XL/WORKSHEETS/SHEET3.XML' chỉ cùng một phần",
    "percent_encoded_twin_sheet": "'xl/worksheets/sheet3.xml' và 'xl/worksheets/sheet%33.xml' chỉ cùng một phần",
    "percent_encoded_climb": "đặt ngoài thư mục của tệp ('xl/%2e%2e/%2e%2e/evil.xml')",
}


def _refusal(data: bytes, settings: Settings = BASE) -> UnsafeFile:
    with pytest.raises(UnsafeFile) as caught:
        check_upload(data, settings)
    return caught.value


def test_every_case_has_its_expected_finding() -> None:
    assert set(FOUND) == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_refused_with_what_was_found_and_what_to_do(name: str) -> None:
    case = CASES[name]
    exc = _refusal(case.build())
    assert exc.code == case.code
    assert FOUND[name] in exc.detail
    assert exc.full_message == f"{exc.detail} {MESSAGES[case.code]}"


def test_the_refused_files_are_read_by_the_lenient_reader() -> None:
    # Why the checks are needed: calamine reads these files without complaint (Excel does not open them).
    for name in ("no_content_types", "every_content_type_png", "nul_byte_in_sheet", "backslash_name"):
        result = read_workbook(CASES[name].build(), BASE)
        assert result.workbook is not None, name
        assert sorted(result.workbook.units["unit_code"]) == ["VHTT", "XCB"], name


def test_the_backslash_twin_is_the_copy_the_reader_would_take() -> None:
    # The ambiguity is real: the reader takes the backslash copy's 300, Excel the other copy's 3.
    result = read_workbook(CASES["backslash_twin_sheet"].build(), BASE)
    assert sorted(result.workbook.activities["quantity"].tolist()) == [1, 300]


def test_a_nul_byte_past_the_scan_budget_is_still_found(monkeypatch: pytest.MonkeyPatch) -> None:
    # Dimension and DTD checks read only the head of a part; forbidden characters are looked for in all of it.
    monkeypatch.setattr(safety, "PART_SCAN_BYTES", 600)
    monkeypatch.setattr(safety, "CHUNK", 128)  # many chunks: the cell is named from the previous one
    data = hostile._in_activities(lambda xml: xml.replace(b"<t>M&#7897;t", b"<t>\x00M&#7897;t", 1))
    part = dict(hostile._good_entries())[hostile.ACTIVITIES_PART]
    assert part.index(b"M&#7897;t") > 1000
    exc = _refusal(data)
    assert exc.code == "xml_bad_char" and "ở ô E3" in exc.detail


@pytest.mark.parametrize(
    "main",
    [
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    ],
)
def test_macro_enabled_and_template_workbook_types_are_accepted(main: bytes) -> None:
    data = hostile._edit(
        hostile.good_xlsx(),
        hostile.CONTENT_TYPES,
        lambda xml: xml.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", main
        ),
    )
    assert check_upload(data, BASE) is None
    assert sorted(read_trusted(data, BASE).workbook.activities["quantity"].tolist()) == [1, 3]


def test_worksheets_declared_by_a_default_extension_are_accepted() -> None:
    def change(xml: bytes) -> bytes:
        xml = re.sub(rb'<Override PartName="/xl/worksheets/[^"]*" ContentType="[^"]*"/>', b"", xml)
        default = b'<Default Extension="xml" ContentType="' + hostile.WORKSHEET_TYPE + b'"/>'
        return xml.replace(b'<Default Extension="xml" ContentType="application/xml"/>', default)

    data = hostile._edit(hostile.good_xlsx(), hostile.CONTENT_TYPES, change)
    assert check_upload(data, BASE) is None


# --- the character scanner ----------------------------------------------------------------------


def _first_finding(chunks: list[bytes]) -> str | None:
    scanner = opc.XmlCharacters()
    for chunk in chunks:
        found = scanner.feed(chunk)
        if found:
            return found
    return None


def test_utf16_xml_is_decoded_before_looking() -> None:
    clean = '<?xml version="1.0" encoding="UTF-16"?><x>Tiếng Việt\ttab</x>'.encode("utf-16")
    assert clean.count(b"\x00") > 10  # NUL bytes that are half of each character, not NUL characters
    assert _first_finding([clean[:7], clean[7:]]) is None
    bad = '<?xml version="1.0" encoding="UTF-16"?><x>a\x01b</x>'.encode("utf-16-le")
    assert _first_finding([bad]) == "ký tự điều khiển mã 1"


def test_a_reference_cut_between_chunks_and_binary_parts() -> None:
    assert _first_finding([b'<c r="C7"><v>&#x', b"1F;</v></c>"]) == "tham chiếu ký tự &#x1F; ở ô C7"
    assert _first_finding([b"<x>&#10;&#9;&#13;&#x20;</x>"]) is None  # allowed characters
    assert _first_finding([b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"]) is None  # not XML: left alone


def test_entry_keys_unify_the_spellings_of_one_part() -> None:
    spellings = [
        "xl/worksheets/sheet1.xml",
        "/XL/Worksheets/Sheet1.xml",
        "xl\\worksheets\\sheet1.xml",
        "xl/worksheets/sheet%31.xml",
    ]
    assert {opc.entry_key(name) for name in spellings} == {"xl/worksheets/sheet1.xml"}


# --- a version already in the store that is bad this way ----------------------------------------


def _plant(target: Store, data: bytes) -> None:
    """Publish `data` as version 2 without the upload checks (as before those checks existed)."""
    assert (
        target.publish(data, account=ADMIN, kind="replace", file_name="cu.xlsx", base_version=1).number == 2
    )


def _strip_content_types(data: bytes) -> bytes:
    return hostile.rezip(
        [(i.filename, c) for i, c in hostile.members(data) if i.filename != hostile.CONTENT_TYPES]
    )


def _submit(target: Store, reader=read_trusted):
    data = workbook([act(date(2024, 1, 2), "XCB", "TIN_BAI", 1)])
    return prepare_update(
        target,
        data,
        account=UNIT,
        kind="unit",
        unit_code="XCB",
        file_name="don_vi.xlsx",
        settings=SETTINGS,
        reader=reader,
    )


def test_unit_submission_on_a_stored_version_excel_cannot_open_says_so(store: Store) -> None:  # noqa: F811
    _plant(store, _strip_content_types(store.read_bytes(1)))
    with pytest.raises(StoreError) as caught:
        _submit(store)
    assert caught.value.code == "corrupt"
    assert "Không đọc được dữ liệu hiện hành" in caught.value.message
    assert "[Content_Types].xml" in caught.value.message
    assert "quản trị viên" in caught.value.message


def test_unit_submission_when_only_the_merge_cannot_open_the_stored_version(store: Store) -> None:  # noqa: F811
    # A lenient reader (no checks) reads the stored version; openpyxl, which merges the unit's rows, cannot.
    _plant(store, _strip_content_types(store.read_bytes(1)))
    with pytest.raises(StoreError) as caught:
        _submit(store, reader=read_workbook)
    assert caught.value.code == "corrupt"
    assert "Excel không mở được tệp đó" in caught.value.message


def test_replacing_a_stored_version_excel_cannot_open_mends_it(store: Store) -> None:  # noqa: F811
    good = store.read_bytes(1)
    _plant(store, _strip_content_types(good))
    preview = prepare(store, good, file_name="sua.xlsx")
    assert preview.publishable
    assert any("phiên bản 2" in note and "[Content_Types].xml" in note for note in preview.notes)
