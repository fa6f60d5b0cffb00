"""The periodic report as a DOCX following Decree 30/2020 (letterhead, narrative, annex, signature) and its PDF."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from cchc_lib import metrics
from cchc_lib.annex import AnnexTable, annex_table, annex_title, build_annex_xlsx
from cchc_lib.formatting import fmt_int, fmt_num
from cchc_lib.model import Workbook
from cchc_lib.periods import Period
from cchc_lib.report_content import ReportContent, build_content, period_phrase
from cchc_lib.settings import Settings

__all__ = [
    "DOCX_MIME",
    "PDF_MIME",
    "XLSX_MIME",
    "ReportError",
    "ReportParts",
    "agency_lines",
    "build_annex",
    "build_report",
    "docx_to_pdf",
    "pdf_available",
    "prepare_report",
    "report_title",
    "soffice_path",
]

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIME = "application/pdf"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FONT = "Times New Roman"
BODY_PT = 14
MOTTO_TOP = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
# A4 portrait, Decree 30/2020 margins: top/bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
PAGE_W, PAGE_H = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(20), Mm(20), Mm(30), Mm(15)
TEXT_W_MM = 210 - 30 - 15
LANDSCAPE_TEXT_W_MM = 297 - 20 - 15
PDF_TIMEOUT_S = 180


class ReportError(RuntimeError):
    """A report could not be produced (message in Vietnamese)."""


@dataclass(frozen=True)
class ReportParts:
    """What one report is built from: the period, the narrative content (sections of sentences, each
    with the figures it states; see report_content) and the annex table."""

    period: Period
    calendar: str
    content: ReportContent
    annex: AnnexTable


def report_title(period: Period) -> str:
    """The line under "BÁO CÁO": "Kết quả công tác thông tin, tuyên truyền cải cách hành chính quý I năm 2024"."""
    return f"Kết quả công tác thông tin, tuyên truyền cải cách hành chính {period_phrase(period.label)}"


def agency_lines(settings: Settings) -> tuple[tuple[str, bool], ...]:
    """Left block of the letterhead as (text, bold) lines, upper case (Decree 30/2020).

    An "UBND …" organisation is written "ỦY BAN NHÂN DÂN" / "HUYỆN …" (both bold, no parent line);
    any other organisation gets the parent agency (regular) above its own name (bold).
    """
    name = settings.organisation.strip()
    for prefix in ("UBND ", "Ủy ban nhân dân ", "ỦY BAN NHÂN DÂN "):
        if name.startswith(prefix):
            return (("ỦY BAN NHÂN DÂN", True), (name[len(prefix) :].upper(), True))
    lines: list[tuple[str, bool]] = []
    if settings.parent_agency.strip():
        lines.append((settings.parent_agency.strip().upper(), False))
    lines.append((name.upper(), True))
    return tuple(lines)


def prepare_report(
    wb: Workbook,
    period: Period,
    calendar: str,
    settings: Settings,
    *,
    texts: Mapping[str, str] | None = None,
    as_of: date | None = None,
) -> ReportParts:
    """Content and annex table for `period` from the whole workbook. `texts`: the clerk's edited
    section texts by section key (report_content.EDITABLE_KEYS); `as_of`: the date the data was last
    updated (stated with the year's funding)."""
    content = build_content(wb, period, calendar, settings, texts=texts, as_of=as_of)
    pva = metrics.plan_vs_actual(wb, period, calendar, settings.cutoff_day)
    return ReportParts(period, calendar, content, annex_table(pva, settings.unit_types))


def build_annex(parts: ReportParts, settings: Settings) -> bytes:
    """The annex as an .xlsx (see annex.build_annex_xlsx)."""
    bounds = parts.period.bounds(parts.calendar, settings.cutoff_day)
    reference = f"(Kèm theo Báo cáo số      /{settings.report_number_suffix} của {settings.organisation})"
    return build_annex_xlsx(parts.annex, parts.period.label, bounds, settings.organisation, reference)


# ------------------------------------------------------------------------------------------------
# low-level python-docx helpers


def _set_font(run, size: float | None = None, bold: bool | None = None, italic: bool | None = None) -> None:
    run.font.name = FONT
    r_fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        r_fonts.set(qn(attribute), FONT)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold
    if italic is not None:
        run.italic = italic


def _para(
    container,
    text: str = "",
    *,
    size: float = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    align: int | None = WD_ALIGN_PARAGRAPH.JUSTIFY,
    first_indent_mm: float | None = 10,
    before: float = 0,
    after: float = 6,
    line: float = 1.15,
) -> Paragraph:
    paragraph = container.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.line_spacing = line
    fmt.first_line_indent = Mm(first_indent_mm) if first_indent_mm else None
    if text:
        _set_font(paragraph.add_run(text), size, bold, italic)
    return paragraph


def _first_para(cell: _Cell, text: str, **kwargs) -> Paragraph:
    """Write into the cell's existing empty paragraph (a new cell has one)."""
    paragraph = cell.paragraphs[0]
    fmt = paragraph.paragraph_format
    fmt.alignment = kwargs.pop("align", WD_ALIGN_PARAGRAPH.CENTER)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(kwargs.pop("after", 0))
    fmt.line_spacing = 1.0
    if text:
        _set_font(
            paragraph.add_run(text),
            kwargs.pop("size", 13),
            kwargs.pop("bold", False),
            kwargs.pop("italic", False),
        )
    return paragraph


def _cell_para(cell: _Cell, text: str, **kwargs) -> Paragraph:
    kwargs.setdefault("align", WD_ALIGN_PARAGRAPH.CENTER)
    kwargs.setdefault("first_indent_mm", None)
    kwargs.setdefault("after", 0)
    kwargs.setdefault("line", 1.0)
    kwargs.setdefault("size", 13)
    return _para(cell, text, **kwargs)


def _rule(cell: _Cell, width_mm: float, cell_width_mm: float) -> None:
    """A thin centred line `width_mm` long under the previous paragraph (bottom border of an empty line)."""
    paragraph = _cell_para(cell, "", size=2)
    side = max((cell_width_mm - width_mm) / 2, 0)
    fmt = paragraph.paragraph_format
    fmt.left_indent = Mm(side)
    fmt.right_indent = Mm(side)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(2)
    p_pr = paragraph._p.get_or_add_pPr()
    mark = OxmlElement("w:rPr")
    mark_size = OxmlElement("w:sz")
    mark_size.set(qn("w:val"), "4")
    mark.append(mark_size)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    # schema order inside pPr: pBdr before spacing/ind/jc, rPr last
    p_pr.insert(0 if p_pr.find(qn("w:pStyle")) is None else 1, borders)
    p_pr.append(mark)


def _no_borders(table: Table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)


def _grid_borders(table: Table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "000000")):
            element.set(qn(key), value)
        borders.append(element)
    tbl_pr.append(borders)


def _fixed_table(container, rows: int, widths_mm: list[float], cell_margin_mm: float | None = None) -> Table:
    """A table with fixed layout and every cell width set (LibreOffice ignores widths otherwise)."""
    table = container.add_table(rows=rows, cols=len(widths_mm))
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    if cell_margin_mm is not None:
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            element = OxmlElement(f"w:{side}")
            element.set(qn("w:w"), str(round(cell_margin_mm / 25.4 * 1440)))
            element.set(qn("w:type"), "dxa")
            margins.append(element)
        table._tbl.tblPr.append(margins)
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
    return table


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _no_split(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


def _shade(cell: _Cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tc_pr.append(shading)


def _page_number(paragraph: Paragraph) -> None:
    """A PAGE field (Word and LibreOffice fill it in)."""
    run = paragraph.add_run()
    _set_font(run, 13)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


# ------------------------------------------------------------------------------------------------
# document parts


def _setup(document) -> None:
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(BODY_PT)
    r_fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        r_fonts.set(qn(attribute), FONT)
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.orientation = WD_ORIENT.PORTRAIT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance = Mm(10)
    # Decree 30/2020: page numbers centred at the top, from the second page on.
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(header)


def _date_line(place: str, issued: date | None) -> str:
    if issued is None:
        return f"{place}, ngày      tháng      năm {date.today().year}"
    # Decree 30/2020: days below 10 and the months 1 and 2 are written with a leading 0.
    day = f"{issued.day:02d}"
    month = f"{issued.month:02d}" if issued.month < 3 else str(issued.month)
    return f"{place}, ngày {day} tháng {month} năm {issued.year}"


def _letterhead(document, settings: Settings, number: str, issued: date | None) -> None:
    left_w, right_w = 64.0, TEXT_W_MM - 64.0
    table = _fixed_table(document, 2, [left_w, right_w], cell_margin_mm=1.0)
    _no_borders(table)
    left, right = table.rows[0].cells
    lines = agency_lines(settings)
    for index, (text, bold) in enumerate(lines):
        (_first_para if index == 0 else _cell_para)(left, text, size=13, bold=bold)
    _rule(left, 22, left_w)
    _first_para(right, MOTTO_TOP, size=12.5, bold=True)
    _cell_para(right, MOTTO, size=14, bold=True)
    _rule(right, 62, right_w)
    left, right = table.rows[1].cells
    _first_para(left, f"Số: {number}/{settings.report_number_suffix}", size=13)
    left.paragraphs[0].paragraph_format.space_before = Pt(6)
    _first_para(right, _date_line(settings.place_name, issued), size=14, italic=True)
    right.paragraphs[0].paragraph_format.space_before = Pt(6)


def _title(document, period: Period) -> None:
    _para(
        document,
        "BÁO CÁO",
        size=14,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        first_indent_mm=None,
        before=18,
        after=0,
    )
    _para(
        document,
        report_title(period),
        size=14,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        first_indent_mm=None,
        after=0,
        line=1.0,
    )
    table = _fixed_table(document, 1, [TEXT_W_MM])
    _no_borders(table)
    _rule(table.rows[0].cells[0], 40, TEXT_W_MM)
    table.rows[0].cells[0].paragraphs[0].paragraph_format.space_after = Pt(0)
    _para(document, "", size=6, after=0, first_indent_mm=None)


def _body(document, parts: ReportParts, settings: Settings) -> None:
    content = parts.content
    _para(document, content.intro)
    for section in content.sections:
        _para(
            document,
            section.heading,
            bold=True,
            before=6 if section.level == 1 else 0,
            align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        )
        for text in section.paragraphs:
            _para(document, text)
    _para(document, "(Chi tiết tại Phụ lục kèm theo)", italic=True)
    _para(document, content.closing)


def _signature(document, settings: Settings) -> None:
    left_w, right_w = 85.0, TEXT_W_MM - 85.0
    table = _fixed_table(document, 1, [left_w, right_w])
    _no_borders(table)
    left, right = table.rows[0].cells
    _first_para(left, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    left.paragraphs[0].paragraph_format.space_before = Pt(12)
    for recipient in settings.recipients:
        _cell_para(left, f"- {recipient}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _first_para(right, settings.signer_capacity, size=14, bold=True)
    right.paragraphs[0].paragraph_format.space_before = Pt(12)
    _cell_para(right, settings.signer_title, size=14, bold=True)
    for _ in range(4):
        _cell_para(right, "", size=14)
    _cell_para(right, settings.signer_name, size=14, bold=True)


def _annex_widths(groups: int) -> list[float]:
    stt, name = 10.0, 50.0
    each = (LANDSCAPE_TEXT_W_MM - stt - name) / (3 * groups)
    # KH, TH, %: the percentage ("100,0") needs the most room
    return [stt, name] + [each * 1.0, each * 0.85, each * 1.15] * groups


def _annex_number(value: float | int | None, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "pct":
        return fmt_num(value, 1)
    return fmt_int(value) if float(value).is_integer() else fmt_num(value, 1)


def _annex(document, parts: ReportParts, settings: Settings) -> None:
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = PAGE_H, PAGE_W
    section.top_margin, section.bottom_margin = Mm(20), Mm(15)
    section.left_margin, section.right_margin = Mm(20), Mm(15)
    section.different_first_page_header_footer = False
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(document, "Phụ lục", size=14, bold=True, align=center, first_indent_mm=None, after=0)
    _para(
        document,
        annex_title(parts.period.label),
        size=13,
        bold=True,
        align=center,
        first_indent_mm=None,
        after=0,
    )
    first, last = parts.period.bounds(parts.calendar, settings.cutoff_day)
    _para(
        document,
        f"(Kèm theo Báo cáo số      /{settings.report_number_suffix} của {settings.organisation}; số liệu từ ngày "
        f"{first:%d/%m/%Y} đến ngày {last:%d/%m/%Y})",
        size=12,
        italic=True,
        align=center,
        first_indent_mm=None,
        after=6,
    )
    table = parts.annex
    groups = table.group_names
    widths = _annex_widths(len(groups))
    grid = _fixed_table(document, 2 + len(table.rows), widths, cell_margin_mm=0.8)
    _grid_borders(grid)
    size = 10 if len(groups) <= 6 else 8
    header_top, header_sub = grid.rows[0], grid.rows[1]
    for row in (header_top, header_sub):
        _repeat_header(row)
        _no_split(row)
        for cell in row.cells:
            _shade(cell, "DCE6F1")
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _first_para(header_top.cells[0], "STT", size=size, bold=True)
    _first_para(header_top.cells[1], "Cơ quan, đơn vị", size=size, bold=True)
    for index, name in enumerate(groups):
        first_col = 2 + 3 * index
        _first_para(header_top.cells[first_col], name, size=size, bold=True)
        for offset, sub in enumerate(("KH", "TH", "%")):
            _first_para(header_sub.cells[first_col + offset], sub, size=size, bold=True)
    for column in (0, 1):
        header_top.cells[column].merge(header_sub.cells[column])
    for index in range(len(groups)):
        first_col = 2 + 3 * index
        header_top.cells[first_col].merge(header_top.cells[first_col + 2])
    for line, row in zip(table.rows, grid.rows[2:], strict=True):
        _no_split(row)
        bold = line.kind != "unit"
        cells = row.cells
        _first_para(cells[0], line.stt, size=size, bold=bold)
        _first_para(cells[1], line.name, size=size, bold=bold, align=WD_ALIGN_PARAGRAPH.LEFT)
        for index in range(len(groups)):
            first_col = 2 + 3 * index
            values = (
                _annex_number(line.planned[index], "count"),
                _annex_number(line.actual[index], "count"),
                _annex_number(line.pct(index), "pct"),
            )
            for offset, text in enumerate(values):
                _first_para(
                    cells[first_col + offset], text, size=size, bold=bold, align=WD_ALIGN_PARAGRAPH.RIGHT
                )
        if line.kind != "unit":
            for cell in cells:
                _shade(cell, "F2F2F2")
        for cell in cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _para(
        document,
        "Ghi chú: KH - kế hoạch của kỳ (chỉ tiêu quý của các quý trong kỳ cộng chỉ tiêu năm chia đều theo quý); "
        "TH - thực hiện; % - tỷ lệ thực hiện so với kế hoạch; “—”: không giao chỉ tiêu.",
        size=11,
        italic=True,
        first_indent_mm=None,
        before=6,
    )


def build_report(
    wb: Workbook,
    period: Period,
    calendar: str,
    settings: Settings,
    *,
    issued: date | None = None,
    number: str = "      ",
    parts: ReportParts | None = None,
) -> bytes:
    """The report as .docx bytes: A4, Times New Roman, Decree 30/2020 letterhead, title, narrative
    sections from the figures, recipients and signature block, then the annex on landscape pages.

    `issued` None leaves day and month blank for the office to fill in at signing; `number` is the
    registry number (blank by default).
    """
    parts = parts or prepare_report(wb, period, calendar, settings)
    document = Document()
    _setup(document)
    _letterhead(document, settings, number, issued)
    _title(document, period)
    _body(document, parts, settings)
    _signature(document, settings)
    _annex(document, parts, settings)
    props = document.core_properties
    props.title = f"Báo cáo {report_title(period)}"
    props.author = settings.organisation
    props.language = "vi-VN"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------------
# PDF through LibreOffice


def soffice_path() -> str | None:
    """The LibreOffice executable on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_available() -> bool:
    """True when LibreOffice is installed (PDF export possible)."""
    return soffice_path() is not None


def docx_to_pdf(data: bytes, timeout: float = PDF_TIMEOUT_S) -> bytes:
    """DOCX bytes -> PDF bytes with `soffice --headless --convert-to pdf`, one private profile per run
    (parallel runs sharing a profile silently lose outputs). Raises ReportError (Vietnamese message)."""
    soffice = soffice_path()
    if soffice is None:
        raise ReportError("Máy chủ chưa cài LibreOffice nên chưa tạo được tệp PDF. Hãy tải tệp Word (.docx).")
    with tempfile.TemporaryDirectory(prefix="cchc_pdf_") as folder:
        work = Path(folder)
        source = work / "bao_cao.docx"
        source.write_bytes(data)
        profile = (work / "profile").as_uri()
        command = [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ]
        env = {**os.environ, "HOME": str(work)}
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, check=False, env=env, cwd=work)
        except subprocess.TimeoutExpired as exc:
            raise ReportError(
                "Chuyển sang PDF quá lâu nên đã dừng. Hãy thử lại hoặc tải tệp Word (.docx)."
            ) from exc
        except OSError as exc:
            raise ReportError("Không chạy được LibreOffice để tạo PDF. Hãy tải tệp Word (.docx).") from exc
        target = work / "bao_cao.pdf"
        if not target.is_file() or target.stat().st_size == 0:
            raise ReportError("LibreOffice không tạo được tệp PDF. Hãy tải tệp Word (.docx).")
        return target.read_bytes()
