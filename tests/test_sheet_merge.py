"""The XML-level unit merge: the same tables as the openpyxl merge, every other part byte for byte, and
None (the openpyxl path) whenever rows cannot move safely."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import threading
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.worksheet.datavalidation import DataValidation

from cchc_lib.common import cell_text
from cchc_lib.common.settings import Settings
from cchc_lib.documents.templates import build_template
from cchc_lib.publishing.sheet_merge import merge_unit_rows_fast
from cchc_lib.publishing.submissions import merge_unit_rows
from cchc_lib.reading.sandbox import read_trusted
from cchc_lib.sample.builder import Layout, WorkbookSpec, build_xlsx
from tests.xlsx import ACTIVITY_HEADERS, UNIT_HEADERS, edit_part, make_xlsx, sheet_part, with_shared_strings

SETTINGS = Settings()
ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "cam_xuyen_2024.xlsx"
UNITS = [
    {"Mã đơn vị": "XCB", "Tên đơn vị": "Xã Cẩm Bình", "Loại đơn vị": "UBND xã, thị trấn"},
    {"Mã đơn vị": "VHTT", "Tên đơn vị": "Phòng Văn hóa và Thông tin", "Loại đơn vị": "Phòng chuyên môn"},
]
TARGETS = [{"Năm": 2024, "Quý": None, "Mã đơn vị": "XCB", "TIN_BAI": 10, "PHONG_SU": 2}]
Q1 = (date(2024, 1, 1), date(2024, 3, 31))
OFFICIAL = Layout(title_block=True, total_row=True, stt=True)


def act(day: date, unit: str, kind: str, qty: int | None = None, title: str = "") -> dict:
    row = {"Ngày": day, "Mã đơn vị": unit, "Loại hoạt động": kind, "Tiêu đề": title}
    if qty is not None:
        row["Số lượng"] = qty
    return row


BASE = [
    act(date(2024, 1, 5), "XCB", "TIN_BAI", 2, "a"),
    act(date(2024, 2, 5), "VHTT", "TIN_BAI", 1, "b"),
    act(date(2024, 3, 5), "XCB", "PHONG_SU", None, "c"),
    act(date(2024, 4, 9), "VHTT", "PHONG_SU", 3, "e"),
    act(date(2024, 5, 5), "XCB", "TIN_BAI", None, "d"),
]
ADDED = [
    act(date(2024, 3, 1), "XCB", "PHONG_SU", None, "  lề trắng  "),
    act(date(2024, 1, 7), "XCB", "TIN_BAI", 3, '=SUM(A1:A9) & <b>"x"</b>'),
    act(date(2024, 2, 2), "XCB", "BAI_DANG_TTDT", 1, "ba\nhai dòng"),
]


def book(acts: list[dict], layout: Layout | None = None) -> bytes:
    return build_xlsx(WorkbookSpec(UNITS, TARGETS, acts), layout=layout)


def submission(acts: list[dict], units: list[dict] = UNITS) -> pd.DataFrame:
    if not acts:
        return read_trusted(book(BASE), SETTINGS).workbook.activities.iloc[0:0]
    targets = [{"Năm": 2024, "Quý": None, "Mã đơn vị": units[0]["Mã đơn vị"], "TIN_BAI": 1}]
    return read_trusted(build_xlsx(WorkbookSpec(units, targets, acts)), SETTINGS).workbook.activities


def activities(data: bytes) -> pd.DataFrame:
    result = read_trusted(data, SETTINGS)
    assert result.ok, result.problems
    return result.workbook.activities


def part_of(data: bytes, sheet: str = "Hoạt động") -> str:
    from cchc_lib.common.text import match_key
    from cchc_lib.reading.package import open_package

    parts = open_package(data).sheet_parts()
    return next(part for name, part in parts.items() if match_key(name) == match_key(sheet))


def entries(data: bytes) -> list[tuple[str, bytes]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return [(info.filename, archive.read(info)) for info in archive.infolist()]


def by_content(frame: pd.DataFrame) -> pd.DataFrame:
    """The activities without row numbers, in a canonical order (what the table says, not where)."""
    columns = [c for c in frame.columns if c != "row"]
    out = frame[columns].astype(str).sort_values(columns, ignore_index=True)
    return out


def merged(data: bytes, sub: list[dict], unit: str = "XCB", date_range=Q1) -> tuple[bytes, bytes]:
    """(fast, openpyxl) merges, after checking they read back alike and other parts are unchanged."""
    before = read_trusted(data, SETTINGS).workbook
    units = [
        {"Mã đơn vị": c, "Tên đơn vị": n, "Loại đơn vị": "UBND xã, thị trấn"}
        for c, n in zip(before.units["unit_code"], before.units["unit_name"], strict=True)
    ]
    rows = submission(sub, units)
    slow = merge_unit_rows(data, before, rows, unit, date_range)
    fast = merge_unit_rows_fast(data, before, rows, unit, date_range)
    assert fast is not None
    # (1) same activities as the openpyxl merge, row numbers included, and as computed by hand
    pd.testing.assert_frame_equal(activities(fast), activities(slow))
    old = before.activities
    days = pd.to_datetime(old["date"]).dt.date
    kept = old[~((old["unit_code"] == unit) & (days >= date_range[0]) & (days <= date_range[1]))]
    expected = pd.concat([kept, rows], ignore_index=True)
    pd.testing.assert_frame_equal(by_content(activities(fast)), by_content(expected))
    # ... and every other table as it was
    again = read_trusted(fast, SETTINGS).workbook
    pd.testing.assert_frame_equal(again.units, before.units)
    pd.testing.assert_frame_equal(again.targets, before.targets)
    # (2) every other entry byte for byte, same names, same order
    sheet = part_of(data)
    old_entries, new_entries = entries(data), entries(fast)
    assert [n for n, _ in new_entries] == [n for n, _ in old_entries]
    assert [e for e in new_entries if e[0] != sheet] == [e for e in old_entries if e[0] != sheet]
    # ... and in the sheet, every row before the first one that moves (the title block, the header)
    mask = old.index.isin(kept.index)
    first = min([*old.loc[~mask, "row"], int(old.loc[mask, "row"].max()) + 1 if mask.any() else 1])
    new_xml = sheet_xml(fast)
    for xml, number in re.findall(rb'(?s)(<row r="(\d+)".*?</row>)', sheet_xml(data)):
        if int(number) < first:
            assert xml in new_xml
    # (3) openpyxl opens it
    load_workbook(io.BytesIO(fast))
    return fast, slow


def sheet_xml(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(part_of(data))


# ---------------------------------------------------------------------------- same result


@pytest.mark.parametrize(
    "layout",
    [None, OFFICIAL, Layout(extra_column=True, freeze_header=False)],
    ids=["plain", "official", "extra"],
)
def test_replaced_rows_move_up_and_new_rows_follow_the_last_activity(layout: Layout | None) -> None:
    fast, _ = merged(book(BASE, layout), ADDED)
    got = activities(fast)
    top = 7 if layout and layout.title_block else 2
    # VHTT's two rows shift up into the dropped rows' places, then XCB's May row, then the new rows by date
    assert got["title"].tolist() == [
        "b",
        "e",
        "d",
        '=SUM(A1:A9) & <b>"x"</b>',
        "ba hai dòng",  # the reader folds spaces and line breaks
        "lề trắng",
    ]
    assert got["row"].tolist() == list(range(top, top + 6))
    assert got["date"].tolist() == [
        pd.Timestamp(d)
        for d in ("2024-02-05", "2024-04-09", "2024-05-05", "2024-01-07", "2024-02-02", "2024-03-01")
    ]
    assert got["quantity"].tolist() == [1, 3, 1, 3, 1, 1]
    assert b"<f>" not in sheet_xml(fast)  # a text starting with "=" stays text


def test_the_total_row_moves_below_the_new_rows() -> None:
    fast, _ = merged(book(BASE, OFFICIAL), ADDED)
    sheet = load_workbook(io.BytesIO(fast))["Hoạt động"]
    labels = [r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "Tổng cộng"]
    assert labels == [13]  # header at 6, 6 activities in 7..12
    assert sheet.cell(12, 2).number_format.lower().startswith("dd") or sheet.cell(12, 2).is_date
    assert sheet["A1"].value == "ỦY BAN NHÂN DÂN"  # the title block is untouched


@pytest.mark.parametrize(
    "sub, date_range",
    [
        (ADDED[:1], Q1),  # fewer rows than dropped
        (
            [act(date(2024, 7, 1), "XCB", "TIN_BAI", 4, "q3")],
            (date(2024, 7, 1), date(2024, 9, 30)),
        ),  # added only
        ([], Q1),  # dropped only
        ([act(date(2024, 2, 1), "VHTT", "TIN_BAI", 9, "v")], Q1),  # a unit whose rows are in the middle
    ],
    ids=["shorter", "added_only", "dropped_only", "middle_unit"],
)
def test_other_submissions(sub: list[dict], date_range) -> None:
    unit = sub[0]["Mã đơn vị"] if sub else "XCB"
    merged(book(BASE, OFFICIAL), sub, unit, date_range)


def test_signature_block_after_the_total_row_moves_down() -> None:
    source = load_workbook(io.BytesIO(book(BASE, OFFICIAL)))
    sheet = source["Hoạt động"]
    last = sheet.max_row
    cell_text.write(sheet, last + 2, 8, "NGƯỜI LẬP BIỂU")
    cell_text.write(sheet, last + 5, 8, "Nguyễn Văn A")
    buffer = io.BytesIO()
    source.save(buffer)
    fast, _ = merged(buffer.getvalue(), ADDED)
    moved = load_workbook(io.BytesIO(fast))["Hoạt động"]
    assert moved.cell(last + 3, 8).value == "NGƯỜI LẬP BIỂU"  # one row more than before
    assert moved.cell(last + 6, 8).value == "Nguyễn Văn A"


def test_shared_strings_and_then_a_merge_of_the_merge() -> None:
    data = with_shared_strings(book(BASE, OFFICIAL))
    assert b"sharedStrings" in zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    fast, _ = merged(data, ADDED)
    # the merged file (inline strings for the new rows) merged again: those rows move this time
    merged(fast, [act(date(2024, 2, 9), "XCB", "TIN_BAI", 5, "lần hai")])


def test_types_written_as_names_stay_names() -> None:
    named = [
        {**a, "Loại hoạt động": {"TIN_BAI": "Tin, bài", "PHONG_SU": "Phóng sự"}[a["Loại hoạt động"]]}
        for a in BASE
    ]
    fast, _ = merged(book(named, OFFICIAL), ADDED[:2])
    assert b"Tin, b\xc3\xa0i" in sheet_xml(fast) and b">TIN_BAI<" not in sheet_xml(fast)


def test_date1904_serials() -> None:
    header = ["Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng", "Tiêu đề"]
    rows = [
        [
            pd.Timestamp(a["Ngày"]).to_pydatetime(),
            a["Mã đơn vị"],
            a["Loại hoạt động"],
            a.get("Số lượng"),
            a["Tiêu đề"],
        ]
        for a in BASE
    ]
    data = make_xlsx(
        {
            "Đơn vị": [
                UNIT_HEADERS,
                ["XCB", "Xã Cẩm Bình", "UBND xã, thị trấn"],
                ["VHTT", "Phòng VH", "Phòng"],
            ],
            "Kế hoạch": [["Năm", "Quý", "Mã đơn vị", "TIN_BAI"], [2024, None, "XCB", 3]],
            "Hoạt động": [header, *rows],
        },
        date1904=True,
    )
    assert header == ACTIVITY_HEADERS
    sheet = load_workbook(io.BytesIO(data))["Hoạt động"]
    for r in range(2, 7):
        sheet.cell(r, 1).number_format = "DD/MM/YYYY"
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    fast, _ = merged(buffer.getvalue(), ADDED)
    assert activities(fast)["date"].max() == pd.Timestamp("2024-05-05")


def test_bundled_sample() -> None:
    data = SAMPLE.read_bytes()
    merged(
        data,
        [act(date(2024, 4, 2), "TTCX", "TIN_BAI", 2, "mới")],
        "TTCX",
        (date(2024, 4, 1), date(2024, 6, 30)),
    )


def test_filled_template() -> None:
    base = read_trusted(book(BASE), SETTINGS).workbook
    source = load_workbook(io.BytesIO(build_template(base, SETTINGS, year=2024)))
    sheet = source["Hoạt động"]
    for r, a in enumerate(BASE, start=2):
        sheet.cell(r, 1).value = a["Ngày"]
        for col, key in ((2, "Mã đơn vị"), (3, "Loại hoạt động"), (5, "Tiêu đề")):
            cell_text.write(sheet, r, col, a[key])
        sheet.cell(r, 4).value = a.get("Số lượng")
    buffer = io.BytesIO()
    source.save(buffer)
    # as many rows as are dropped: the prepared input rows still end inside the validations
    merged(buffer.getvalue(), ADDED[:2])


def test_calc_chain_is_dropped_and_unlisted() -> None:
    data = book(BASE, OFFICIAL)
    data = edit_part(
        data,
        "[Content_Types].xml",
        lambda b: b.replace(
            b"</Types>",
            b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.calcChain+xml"/></Types>',
        ),
    )
    data = edit_part(
        data,
        "xl/_rels/workbook.xml.rels",
        lambda b: b.replace(
            b"</Relationships>",
            b'<Relationship Id="rIdCalc" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>',
        ),
    )
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr(
            "xl/calcChain.xml",
            b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
        )
    data = buffer.getvalue()
    before = read_trusted(data, SETTINGS).workbook
    fast = merge_unit_rows_fast(data, before, submission(ADDED), "XCB", Q1)
    assert fast is not None
    names = [n for n, _ in entries(fast)]
    assert "xl/calcChain.xml" not in names
    archive = zipfile.ZipFile(io.BytesIO(fast))
    assert b"calcChain" not in archive.read("[Content_Types].xml")
    assert b"calcChain" not in archive.read("xl/_rels/workbook.xml.rels")
    changed = {part_of(data), "[Content_Types].xml", "xl/_rels/workbook.xml.rels"}
    old = dict(entries(data))
    assert all(old[n] == c for n, c in entries(fast) if n not in changed)
    pd.testing.assert_frame_equal(
        activities(fast), activities(merge_unit_rows(data, before, submission(ADDED), "XCB", Q1))
    )


@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_the_result(tmp_path: Path) -> None:
    fast, _ = merged(book(BASE, OFFICIAL), ADDED)
    source = tmp_path / "merged.xlsx"
    source.write_bytes(fast)
    done = subprocess.run(
        [
            "libreoffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(tmp_path / "out"),
            str(source),
        ],
        capture_output=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    converted = (tmp_path / "out" / "merged.xlsx").read_bytes()
    # LibreOffice read every cell: its own file reads back to the same activities
    pd.testing.assert_frame_equal(by_content(activities(converted)), by_content(activities(fast)))


# ---------------------------------------------------------------------------- fallbacks


def _edited(change) -> bytes:
    source = load_workbook(io.BytesIO(book(BASE, OFFICIAL)))
    change(source["Hoạt động"])
    buffer = io.BytesIO()
    source.save(buffer)
    return buffer.getvalue()


def _dv(sheet, ref: str) -> None:
    validation = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="1")
    sheet.add_data_validation(validation)
    validation.add(ref)


FALLBACKS = {
    "formula_in_moved_rows": lambda s: setattr(s.cell(s.max_row, 5), "value", "=SUM(E7:E11)"),
    "formula_above": lambda s: setattr(s["J1"], "value", "=1+1"),
    "merged_signature": lambda s: s.merge_cells(f"A{s.max_row + 2}:C{s.max_row + 2}"),
    "hyperlink_in_moved_rows": lambda s: setattr(s["F9"], "hyperlink", "https://example.org/"),
    "comment_in_moved_rows": lambda s: setattr(s["F9"], "comment", Comment("ghi chú", "a")),
    "validation_ending_inside": lambda s: _dv(s, "E7:E10"),
    "formatting_ending_inside": lambda s: s.conditional_formatting.add(
        "E7:E9", CellIsRule(operator="greaterThan", formula=["5"])
    ),
}


@pytest.mark.parametrize("name", list(FALLBACKS))
def test_unsafe_sheets_fall_back(name: str) -> None:
    data = _edited(FALLBACKS[name])
    before = read_trusted(data, SETTINGS).workbook
    assert merge_unit_rows_fast(data, before, submission(ADDED), "XCB", Q1) is None


@pytest.mark.parametrize(
    "ref", ["E7:E1048576", "E1:E1048576", "A1:B3"], ids=["whole_column", "column", "above"]
)
def test_validations_covering_everything_or_above_stay(ref: str) -> None:
    data = _edited(lambda s: _dv(s, ref))
    before = read_trusted(data, SETTINGS).workbook
    assert merge_unit_rows_fast(data, before, submission(ADDED), "XCB", Q1) is not None


def test_row_without_number_falls_back() -> None:
    data = book(BASE, OFFICIAL)
    part = sheet_part(data, "Hoạt động")
    data = edit_part(data, part, lambda b: re.sub(rb'<row r="9"', b"<row", b, count=1))
    before = read_trusted(book(BASE, OFFICIAL), SETTINGS).workbook
    assert merge_unit_rows_fast(data, before, submission(ADDED), "XCB", Q1) is None


def test_cell_reference_written_late_in_a_moved_row_falls_back_while_streaming() -> None:
    # the renumbering meets the odd cell only once the compressing thread has started
    data = book(BASE, OFFICIAL)
    part = sheet_part(data, "Hoạt động")
    swap = re.compile(rb'<c r="F10" (t="inlineStr")')
    data = edit_part(data, part, lambda b: swap.sub(rb'<c \1 r="F10"', b, count=1))
    assert b'<c t="inlineStr" r="F10"' in zipfile.ZipFile(io.BytesIO(data)).read(part)
    before = read_trusted(book(BASE, OFFICIAL), SETTINGS).workbook
    threads = threading.active_count()
    assert merge_unit_rows_fast(data, before, submission(ADDED), "XCB", Q1) is None
    assert threading.active_count() == threads  # the writer stopped with the error


def test_a_failing_writer_never_blocks_the_rows_being_made(monkeypatch) -> None:
    from cchc_lib.publishing import sheet_merge

    made = []

    def pieces():
        for i in range(10 * sheet_merge._PIECES_QUEUED):
            made.append(i)
            yield b"<row/>"

    def failing_write(archive, part, feed, chain, changed):
        next(iter(feed))
        raise OSError("disk full")

    monkeypatch.setattr(sheet_merge, "_write", failing_write)
    outcome: dict = {}

    def run() -> None:
        try:
            sheet_merge._write_streamed(None, "x", pieces(), None, {})
        except OSError as exc:
            outcome["error"] = str(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive() and outcome == {"error": "disk full"}
    assert len(made) == 10 * sheet_merge._PIECES_QUEUED


def test_no_template_row_falls_back() -> None:
    data = book([a for a in BASE if a["Mã đơn vị"] == "XCB"], OFFICIAL)
    before = read_trusted(data, SETTINGS).workbook
    assert (
        merge_unit_rows_fast(data, before, submission(ADDED), "XCB", (date(2024, 1, 1), date(2024, 12, 31)))
        is None
    )


def test_template_date_written_as_text_falls_back() -> None:
    data = book(BASE, Layout(dates_as="text"))
    before = read_trusted(data, SETTINGS).workbook
    assert merge_unit_rows_fast(data, before, submission(ADDED), "XCB", Q1) is None


# ---------------------------------------------------------------------------- property


WIDE = [
    act(
        date(2024, 1 + i % 6, 1 + i % 27),
        ("XCB", "VHTT")[i % 2],
        ("TIN_BAI", "PHONG_SU")[i % 3 % 2],
        1 + i % 4,
        f"t{i}",
    )
    for i in range(30)
]
WIDE_BOOK = book(WIDE, OFFICIAL)
WIDE_BEFORE = read_trusted(WIDE_BOOK, SETTINGS).workbook


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    unit=st.sampled_from(["XCB", "VHTT"]),
    months=st.tuples(st.integers(1, 6), st.integers(0, 3)),
    new=st.lists(
        st.tuples(
            st.integers(0, 27),
            st.sampled_from(["TIN_BAI", "PHONG_SU"]),
            st.integers(1, 9),
            st.text(alphabet="aăâbcdđ =<&\"' ", max_size=12),
        ),
        max_size=8,
    ),
)
def test_random_submissions_read_back_like_the_openpyxl_merge(unit, months, new) -> None:
    first_month, span = months
    last_month = min(12, first_month + span)
    first, last = date(2024, first_month, 1), date(2024, last_month, 28)
    sub = [
        act(date(2024, first_month, 1 + day % 28), unit, kind, qty, title or "x")
        for day, kind, qty, title in new
    ]
    sub = [a for a in sub if first <= a["Ngày"] <= last]
    rows = submission(sub)
    slow = merge_unit_rows(WIDE_BOOK, WIDE_BEFORE, rows, unit, (first, last))
    fast = merge_unit_rows_fast(WIDE_BOOK, WIDE_BEFORE, rows, unit, (first, last))
    assert fast is not None
    pd.testing.assert_frame_equal(activities(fast), activities(slow))


def test_characters_xml_cannot_hold_are_left_out_and_markup_escaped() -> None:
    data = book(BASE, OFFICIAL)
    before = read_trusted(data, SETTINGS).workbook
    rows = submission(ADDED[:1]).copy()
    rows["title"] = "chuông\x07 <i>&amp;</i>"
    fast = merge_unit_rows_fast(data, before, rows, "XCB", Q1)
    assert fast is not None
    titles = activities(fast)["title"].tolist()
    assert titles[-1] == "chuông <i>&amp;</i>"
    load_workbook(io.BytesIO(fast))


@pytest.mark.parametrize(
    "layout",
    [
        Layout(title_block=True, blank_rows=True, blank_every=2),
        Layout(header_variants="ascii", nfd_text=True),
        Layout(header_variants="upper", lower_codes=True, nbsp=True),
        Layout(total_row=True, numbers_as_text=True, extra_column=True),
    ],
    ids=["blank_rows", "ascii_nfd", "upper_lower_nbsp", "numbers_as_text"],
)
def test_untidy_layouts(layout: Layout) -> None:
    merged(book(BASE, layout), ADDED)
    merged(book(BASE, layout), [], "XCB", Q1)


def test_blank_rows_keep_their_places_in_the_moved_rows() -> None:
    fast, slow = merged(book(BASE, Layout(blank_rows=True, blank_every=1)), ADDED[:1])
    rows = activities(fast)["row"].tolist()
    assert rows == activities(slow)["row"].tolist()
    # rows 2 and 6 (XCB's first quarter) dropped: the blank rows move up with the rest, one place per
    # dropped row, and the new row follows XCB's May row
    assert rows == [3, 6, 8, 9]


def test_serial_dates_without_a_date_style_fall_back() -> None:
    data = book(BASE, Layout(dates_as="serial"))
    before = read_trusted(data, SETTINGS).workbook
    assert merge_unit_rows_fast(data, before, submission(ADDED), "XCB", Q1) is None


def test_formula_in_another_sheet_falls_back() -> None:
    source = load_workbook(io.BytesIO(book(BASE, OFFICIAL)))
    source["Đơn vị"]["J1"] = "=COUNTA('Hoạt động'!B:B)"
    buffer = io.BytesIO()
    source.save(buffer)
    data = buffer.getvalue()
    before = read_trusted(data, SETTINGS).workbook
    assert merge_unit_rows_fast(data, before, submission(ADDED), "XCB", Q1) is None


def test_cell_without_reference_in_the_moved_rows_falls_back() -> None:
    data = book(BASE, OFFICIAL)
    before = read_trusted(data, SETTINGS).workbook
    part = sheet_part(data, "Hoạt động")
    broken = edit_part(data, part, lambda b: re.sub(rb'<c r="F10"', b"<c", b, count=1))
    assert merge_unit_rows_fast(broken, before, submission(ADDED), "XCB", Q1) is None


def test_unreadable_sheet_relationships_fall_back() -> None:
    data = _edited(lambda s: setattr(s["F3"], "hyperlink", "https://example.org/"))  # above: allowed
    before = read_trusted(data, SETTINGS).workbook
    assert merge_unit_rows_fast(data, before, submission(ADDED), "XCB", Q1) is not None
    rels = "xl/worksheets/_rels/" + part_of(data).rsplit("/", 1)[1] + ".rels"
    broken = edit_part(data, rels, lambda b: b.replace(b"</Relationships>", b""))
    assert merge_unit_rows_fast(broken, before, submission(ADDED), "XCB", Q1) is None
