"""The report DOCX read back with python-docx: letterhead, wording, annex figures against an independent count."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from cchc_lib.common.periods import parse_period
from cchc_lib.common.settings import PlanReference, Settings
from cchc_lib.documents.reports import agency_lines, build_report, docx_to_pdf, pdf_available
from cchc_lib.reading.sandbox import read_trusted

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "cam_xuyen_2024.xlsx"
pytestmark = pytest.mark.skipif(not SAMPLE.is_file(), reason="the bundled sample workbook is missing")


def raw_sheet(name: str) -> list[dict[str, object]]:
    """A sample sheet as dicts, read with openpyxl (header on row 1)."""
    book = load_workbook(SAMPLE, read_only=True, data_only=True)
    rows = list(book[name].iter_rows(values_only=True))
    book.close()
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:] if any(v is not None for v in row)]


def expected_q2_2024() -> tuple[dict[str, str], dict[tuple[str, str], float], dict[tuple[str, str], int]]:
    """Calendar Q2 2024 (1 Apr - 30 Jun) by plain loops: unit names, planned and actual per (unit, type)."""
    first, last = datetime(2024, 4, 1), datetime(2024, 6, 30)
    names = {}
    for unit in raw_sheet("Đơn vị"):
        start, end = unit.get("Hiệu lực từ"), unit.get("Hiệu lực đến")
        if (start is None or start <= last) and (end is None or end >= first):
            names[unit["Mã đơn vị"]] = unit["Tên đơn vị"]
    planned: dict[tuple[str, str], float] = {}
    for row in raw_sheet("Kế hoạch"):
        if row["Năm"] != 2024 or row["Mã đơn vị"] not in names:
            continue
        for key, value in row.items():
            if key in ("Năm", "Quý", "Mã đơn vị") or value is None:
                continue
            share = 1 if row["Quý"] == 2 else (0.25 if row["Quý"] is None else 0)
            planned[(row["Mã đơn vị"], key)] = planned.get((row["Mã đơn vị"], key), 0) + value * share
    actual: dict[tuple[str, str], int] = {}
    for row in raw_sheet("Hoạt động"):
        if first <= row["Ngày"] <= last and row["Mã đơn vị"] in names:
            key = (row["Mã đơn vị"], row["Loại hoạt động"])
            actual[key] = actual.get(key, 0) + (row["Số lượng"] or 1)
    return names, planned, actual


def vn_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


PLAN_2024 = PlanReference(
    2024, "45/KH-UBND", "15/01/2024", "Kế hoạch thông tin, tuyên truyền cải cách hành chính năm 2024"
)


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    settings = Settings(plans=(PLAN_2024,))
    wb = read_trusted(SAMPLE, settings).workbook
    return build_report(wb, parse_period("2024-Q2"), "calendar", settings, issued=date(2024, 7, 2))


@pytest.fixture(scope="module")
def document(docx_bytes: bytes):
    return Document(io.BytesIO(docx_bytes))


def test_page_setup_and_font(document) -> None:
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.left_margin.mm) == 30 and round(section.right_margin.mm) == 15
    assert 20 <= round(section.top_margin.mm) <= 25
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert 13 <= document.styles["Normal"].font.size.pt <= 14
    annex = document.sections[-1]
    assert annex.page_width > annex.page_height  # the annex is landscape


def test_letterhead(document) -> None:
    head = document.tables[0]
    assert head.cell(0, 0).text.split("\n")[:2] == ["ỦY BAN NHÂN DÂN", "HUYỆN CẨM XUYÊN"]
    assert head.cell(0, 1).text.split("\n")[:2] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    number = head.cell(1, 0).text
    assert number.startswith("Số:") and number.endswith("/BC-UBND")
    place = head.cell(1, 1).paragraphs[0]
    assert place.text == "Cẩm Xuyên, ngày 02 tháng 7 năm 2024"
    assert all(run.italic for run in place.runs)
    borders = head._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.get(qn("w:val")) for b in borders} == {"nil"}  # borderless
    # the motto carries a line under it: a bordered empty paragraph right after it
    under = head.cell(0, 1).paragraphs[2]
    assert under.text == "" and under._p.pPr.find(qn("w:pBdr")) is not None
    assert all(round(cell.width.mm) == 64 for cell in head.columns[0].cells)  # widths set on every cell


def test_title_and_period_wording(document) -> None:
    texts = [p.text for p in document.paragraphs]
    title = texts.index("BÁO CÁO")
    assert all(run.bold for run in document.paragraphs[title].runs)
    assert texts[title + 1] == "Kết quả công tác thông tin, tuyên truyền cải cách hành chính quý II năm 2024"
    intro = next(t for t in texts if t.startswith("Thực hiện "))
    assert intro.startswith(
        "Thực hiện Kế hoạch số 45/KH-UBND ngày 15/01/2024 của UBND huyện Cẩm Xuyên về thông tin, "
        "tuyên truyền cải cách hành chính năm 2024"
    )
    assert "quý II năm 2024 (số liệu từ ngày 01/04/2024 đến ngày 30/06/2024)" in intro


def test_narrative_totals_equal_independent_count(document) -> None:
    names, planned, actual = expected_q2_2024()
    total = sum(actual.values())
    body = "\n".join(p.text for p in document.paragraphs)
    assert f"tổng cộng {vn_int(total)} sản phẩm" in body
    tin_bai = sum(v for (u, t), v in actual.items() if t == "TIN_BAI")
    line = next(p for p in body.split("\n") if p.startswith("- Tin, bài:"))
    assert f" {vn_int(tin_bai)}" in line
    # units with a target and no activity are named
    no_activity = [
        names[u]
        for u in names
        if sum(v for (c, _), v in planned.items() if c == u) > 0 and not any(c == u for c, _ in actual)
    ]
    assert no_activity  # BQLCT, CCTK, … have targets and no activity in the sample
    line = next(p for p in body.split("\n") if "chưa có hoạt động nào" in p)
    for name in no_activity:
        assert name in line
    assert "So với cùng kỳ năm trước (quý II năm 2023" in body


def test_annex_figures_equal_independent_count(document) -> None:
    names, _planned, actual = expected_q2_2024()
    types = [r["Mã loại"] for r in raw_sheet("Loại hoạt động")]
    annex = document.tables[-1]
    header = [c.text for c in annex.rows[1].cells]
    assert header[2:6] == ["KH năm", "TH kỳ", "Lũy kế", "% KH năm"]
    for row in annex.rows[:2]:
        assert row._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    # a unit whose validity starts or ends in the year carries it in brackets: "(đến 30/06/2024)"
    rows = {
        re.sub(r" \((từ|đến) [^)]*\)$", "", row.cells[1].text): [c.text for c in row.cells]
        for row in annex.rows[2:]
    }
    for code, name in names.items():
        cells = rows[name]
        for index, type_code in enumerate(types):
            assert cells[3 + 4 * index] == vn_int(actual.get((code, type_code), 0)), (name, type_code)
        assert cells[3 + 4 * len(types)] == vn_int(sum(v for (u, _), v in actual.items() if u == code))
    assert rows["TỔNG CỘNG"][3 + 4 * len(types)] == vn_int(sum(actual.values()))


def test_signature_block(document) -> None:
    signature = document.tables[-2]
    left, right = signature.cell(0, 0).text, signature.cell(0, 1).text
    assert left.split("\n") == [
        "Nơi nhận:",
        "- Sở Nội vụ (b/c);",
        "- TT Huyện ủy, TT HĐND huyện (b/c);",
        "- Chủ tịch, các PCT UBND huyện;",
        "- Các cơ quan, đơn vị thuộc UBND huyện;",
        "- UBND các xã, thị trấn;",
        "- Lưu: VT, NV.",
    ]
    assert right.split("\n")[:2] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    assert signature.rows[0]._tr.trPr.find(qn("w:cantSplit")) is not None  # never split over two pages


@pytest.mark.parametrize(
    ("capacity", "title", "lines"),
    [
        ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]),
        ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]),
        ("KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", "", ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]),  # the old one-setting form
        ("", "CHỦ TỊCH", ["CHỦ TỊCH"]),
    ],
)
def test_signature_lines(capacity: str, title: str, lines: list[str]) -> None:
    from cchc_lib.documents.reports import signature_lines

    settings = Settings(signer_capacity=capacity, signer_title=title, signer_name="Lê Văn B")
    assert list(signature_lines(settings)) == lines


def test_signature_block_kt_form_and_recipients_setting(sample_wb) -> None:
    settings = Settings(
        signer_capacity="KT. CHỦ TỊCH",
        signer_title="PHÓ CHỦ TỊCH",
        signer_name="Lê Văn B",
        recipients=("Sở Nội vụ (b/c);", "Lưu: VT."),
    )
    doc = Document(io.BytesIO(build_report(sample_wb, parse_period("2024"), "report", settings)))
    signature = doc.tables[-2]
    assert signature.cell(0, 0).text.split("\n") == ["Nơi nhận:", "- Sở Nội vụ (b/c);", "- Lưu: VT."]
    right = [line for line in signature.cell(0, 1).text.split("\n") if line]
    assert right == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Lê Văn B"]


def test_page_numbers_from_the_second_page(document) -> None:
    section = document.sections[0]
    assert section.different_first_page_header_footer
    xml = section.header._element.xml
    assert "PAGE" in xml and "fldChar" in xml


@pytest.mark.parametrize(
    ("organisation", "parent", "expected"),
    [
        ("UBND huyện Cẩm Xuyên", "UBND tỉnh Hà Tĩnh", (("ỦY BAN NHÂN DÂN", True), ("HUYỆN CẨM XUYÊN", True))),
        ("UBND xã Cẩm Bình", "", (("ỦY BAN NHÂN DÂN", True), ("XÃ CẨM BÌNH", True))),
        (
            "Phòng Văn hóa và Thông tin",
            "UBND huyện Cẩm Xuyên",
            (("UBND HUYỆN CẨM XUYÊN", False), ("PHÒNG VĂN HÓA VÀ THÔNG TIN", True)),
        ),
    ],
)
def test_agency_lines(organisation: str, parent: str, expected: tuple) -> None:
    assert agency_lines(Settings(organisation=organisation, parent_agency=parent)) == expected


@pytest.fixture(scope="module")
def sample_wb():
    return read_trusted(SAMPLE, Settings()).workbook


def test_report_calendar_and_default_issue_date_is_today(sample_wb) -> None:
    """No issue date given: today's, never blank and never the current year on a past period's
    report with day and month left open."""
    settings = Settings(signer_name="Nguyễn Văn A")
    doc = Document(io.BytesIO(build_report(sample_wb, parse_period("2023"), "report", settings)))
    texts = "\n".join(p.text for p in doc.paragraphs)
    assert "năm 2023 (số liệu từ ngày 15/12/2022 đến ngày 14/12/2023)" in texts
    today = date.today()
    day = f"{today.day:02d}"
    month = f"{today.month:02d}" if today.month < 3 else str(today.month)
    expected = f"ngày {day} tháng {month} năm {today.year}"
    assert doc.tables[0].cell(1, 1).text == f"Cẩm Xuyên, {expected}"
    attached = next(t for t in texts.split("\n") if t.startswith("(Kèm theo"))
    assert f"/BC-UBND {expected} của UBND huyện Cẩm Xuyên" in attached
    assert doc.tables[-2].cell(0, 1).text.split("\n")[-1] == "Nguyễn Văn A"


@pytest.mark.parametrize(
    ("issued", "text"),
    [
        (date(2024, 4, 5), "Cẩm Xuyên, ngày 05 tháng 4 năm 2024"),
        (date(2024, 1, 9), "Cẩm Xuyên, ngày 09 tháng 01 năm 2024"),
        (date(2024, 2, 28), "Cẩm Xuyên, ngày 28 tháng 02 năm 2024"),
        (date(2024, 12, 10), "Cẩm Xuyên, ngày 10 tháng 12 năm 2024"),
    ],
)
def test_date_line_leading_zeros(sample_wb, issued: date, text: str) -> None:
    data = build_report(sample_wb, parse_period("2024-Q1"), "report", Settings(), issued=issued, number="45")
    doc = Document(io.BytesIO(data))
    assert doc.tables[0].cell(1, 1).text == text
    assert doc.tables[0].cell(1, 0).text == "Số: 45/BC-UBND"
    attached = next(p.text for p in doc.paragraphs if p.text.startswith("(Kèm theo"))
    assert attached.startswith(f"(Kèm theo Báo cáo số 45/BC-UBND {text.split(', ', 1)[1]} của ")


@pytest.mark.slow
@pytest.mark.skipif(
    not pdf_available() or shutil.which("pdftoppm") is None, reason="LibreOffice/pdftoppm not installed"
)
def test_pdf_renders(docx_bytes: bytes, tmp_path: Path) -> None:
    pdf = docx_to_pdf(docx_bytes)
    assert pdf.startswith(b"%PDF")
    (tmp_path / "r.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "30", str(tmp_path / "r.pdf"), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert 4 <= len(pages) <= 10  # a few portrait pages of text, then the landscape annex
    from PIL import Image

    for page in (pages[0], pages[-1]):
        image = Image.open(page).convert("L")
        dark = sum(image.histogram()[:128])
        assert dark > 500, page  # text was drawn
    first, last = Image.open(pages[0]), Image.open(pages[-1])
    assert first.height > first.width and last.width > last.height


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["report", str(SAMPLE), "--period", "2024-Q5", "--out", "x.docx"], 2, "không hợp lệ"),
        (["report", str(SAMPLE), "--period", "2024", "--out", "x.txt"], 2, "Không hỗ trợ định dạng"),
        (["report", "/no/such.xlsx", "--period", "2024", "--out", "x.docx"], 2, "Không đọc được tệp"),
        (["template", "--out", "t.xlsx", "--unit", "NOPE", "--source", str(SAMPLE)], 2, "Không có đơn vị mã"),
    ],
)
def test_commands_refuse_bad_input(argv: list[str], code: int, message: str, tmp_path: Path) -> None:
    import argparse

    from cchc_lib.commands import cli_report

    parser = argparse.ArgumentParser()
    cli_report.register(parser.add_subparsers())
    argv = [str(tmp_path / a) if a in ("x.docx", "x.txt", "t.xlsx") else a for a in argv]
    args = parser.parse_args(argv)
    out, err = io.StringIO(), io.StringIO()
    assert args.handler(args, Settings(), out, err) == code
    assert message in err.getvalue() and "Traceback" not in err.getvalue()


@pytest.mark.parametrize("name", ["r.docx", "r.xlsx"])
def test_report_command_writes_docx_and_xlsx(tmp_path: Path, name: str) -> None:
    import argparse

    from cchc_lib.commands import cli_report

    parser = argparse.ArgumentParser()
    cli_report.register(parser.add_subparsers())
    args = parser.parse_args(["report", str(SAMPLE), "--period", "2024-H1", "--out", str(tmp_path / name)])
    out, err = io.StringIO(), io.StringIO()
    assert args.handler(args, Settings(), out, err) == 0, err.getvalue()
    assert (tmp_path / name).read_bytes()[:2] == b"PK"


def test_headings_and_closing_are_kept_with_what_follows(document) -> None:
    """No heading or lead-in ("Cụ thể:") left at a page foot; the closing sentence stays with the
    signature block."""
    body = document.paragraphs
    headings = [p for p in body if p.text and p.runs and all(run.bold for run in p.runs)]
    assert len(headings) >= 8
    for paragraph in headings + [p for p in body if p.text.rstrip().endswith(":")]:
        assert paragraph.paragraph_format.keep_with_next, paragraph.text
    closing = next(p for p in body if p.text.startswith("Trên đây là báo cáo"))
    assert closing.paragraph_format.keep_with_next
    following = closing._p.getnext()
    assert following.tag == qn("w:tbl")  # the recipients/signature table comes right after it
