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

from cchc_lib.common.formatting import fmt_int, fmt_num
from cchc_lib.common.periods import Period
from cchc_lib.common.settings import Settings
from cchc_lib.documents.annex import (
    NO_PLAN,
    AnnexTable,
    annex_note,
    annex_table,
    annex_title,
    build_annex_xlsx,
    report_annex,
)
from cchc_lib.documents.report_content import ReportContent, build_content, period_phrase
from cchc_lib.figures import metrics
from cchc_lib.reading.model import Workbook

__all__ = [
    "DOCX_MIME",
    "PDF_MIME",
    "XLSX_MIME",
    "ReportError",
    "ReportParts",
    "agency_lines",
    "annex_for",
    "attached_line",
    "build_annex",
    "build_report",
    "date_words",
    "docx_to_pdf",
    "pdf_available",
    "prepare_report",
    "report_title",
    "signature_lines",
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
BLANK_NUMBER = "      "  # room to write the registry number in by hand


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


def date_words(issued: date) -> str:
    """ "ngày 05 tháng 4 năm 2024": Decree 30/2020 writes days below 10 and the months 1 and 2 with a
    leading 0."""
    day = f"{issued.day:02d}"
    month = f"{issued.month:02d}" if issued.month < 3 else str(issued.month)
    return f"ngày {day} tháng {month} năm {issued.year}"


def attached_line(
    parts: ReportParts, settings: Settings, number: str = "", issued: date | None = None
) -> str:
    """The annex's "Kèm theo" line: "(Kèm theo Báo cáo số      /BC-UBND ngày 05 tháng 4 năm 2024 của
    UBND huyện Cẩm Xuyên; số liệu từ ngày 15/12/2023 đến ngày 14/03/2024)". A blank `number` leaves
    room to write it in; `issued` None is today."""
    first, last = parts.period.bounds(parts.calendar, settings.cutoff_day)
    shown = f" {number.strip()}" if number.strip() else BLANK_NUMBER
    return (
        f"(Kèm theo Báo cáo số{shown}/{settings.report_number_suffix} {date_words(issued or date.today())} "
        f"của {settings.organisation}; số liệu từ ngày {first:%d/%m/%Y} đến ngày {last:%d/%m/%Y})"
    )


def annex_for(parts: ReportParts, settings: Settings, wb: Workbook | None = None) -> AnnexTable:
    """The annex table a document prints: annex.report_annex from `wb` when given (the year plan,
    cumulative columns and validity notes after merged units' names); without `wb`, `parts.annex`
    when it is a year's annex or already cumulative. Raises ReportError when a shorter period's
    cumulative annex is needed and `wb` is not given."""
    table = parts.annex
    if wb is None and (parts.period.is_year or table.cumulative):
        return table
    if wb is None:
        raise ReportError(
            "Chưa lập được phụ lục lũy kế từ đầu năm (thiếu số liệu cả năm). Hãy tải lại báo cáo."
        )
    return report_annex(wb, parts.period, parts.calendar, settings.cutoff_day, settings.unit_types)


def build_annex(
    parts: ReportParts,
    settings: Settings,
    *,
    wb: Workbook | None = None,
    issued: date | None = None,
    number: str = "",
) -> bytes:
    """The annex as an .xlsx (see annex.build_annex_xlsx) with the same "Kèm theo" line (report
    `number`, `issued` date, default today) and "Ghi chú" as the DOCX. `wb` is needed for a period
    shorter than the year unless `parts.annex` is already cumulative (see annex_for)."""
    table = annex_for(parts, settings, wb)
    bounds = parts.period.bounds(parts.calendar, settings.cutoff_day)
    reference = attached_line(parts, settings, number, issued)
    note = annex_note(table, parts.period, parts.calendar, settings.cutoff_day)
    return build_annex_xlsx(table, parts.period.label, bounds, settings.organisation, reference, note)


# ------------------------------------------------------------------------------------------------
# low-level python-docx helpers

# Child order of the property elements (ECMA-376 part 1, WordprocessingML schema): Word may call a
# file with children out of this order, or repeated, damaged. Every element added by hand goes
# through _put, which keeps this order and replaces an element of the same name.
_SCHEMA_ORDER: dict[str, tuple[str, ...]] = {
    "tblPr": (
        "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
        "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar",
        "tblLook", "tblCaption", "tblDescription", "tblPrChange",
    ),
    "trPr": (
        "cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit", "trHeight",
        "tblHeader", "tblCellSpacing", "jc", "hidden", "ins", "del", "trPrChange",
    ),
    "tcPr": (
        "cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
        "textDirection", "tcFitText", "vAlign", "hideMark", "headers", "cellIns", "cellDel",
        "cellMerge", "tcPrChange",
    ),
    "pPr": (
        "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
        "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
        "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
        "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
        "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
        "sectPr", "pPrChange",
    ),
    "sectPr": (
        "headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar",
        "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote",
        "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange",
    ),
}  # fmt: skip


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _put(parent, child):
    """Insert `child` into a property element (tblPr, trPr, tcPr, pPr, sectPr) at its schema
    position, replacing any element of the same name; returns `child`."""
    order = _SCHEMA_ORDER[_local(parent.tag)]
    for old in parent.findall(child.tag):
        parent.remove(old)
    rank = order.index(_local(child.tag))
    for sibling in parent:
        name = _local(sibling.tag)
        if name in order and order.index(name) > rank:
            sibling.addprevious(child)
            return child
    parent.append(child)
    return child


def _element(tag: str, **attributes: str):
    """<w:tag w:key="value" …/>"""
    element = OxmlElement(tag)
    for key, value in attributes.items():
        element.set(qn(f"w:{key}"), value)
    return element


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
    keep_next: bool | None = None,
) -> Paragraph:
    """A paragraph of one run. `keep_next` (default: bold text, i.e. headings and titles, and a text
    ending with ":") keeps it on the page of the next paragraph, so no heading or lead-in is left
    alone at the foot of a page."""
    paragraph = container.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.line_spacing = line
    fmt.first_line_indent = Mm(first_indent_mm) if first_indent_mm else None
    if keep_next is None:
        # headings, and a lead-in ending with ":" ("Cụ thể:"), stay with what follows
        keep_next = bool(text) and (bold or text.rstrip().endswith(":"))
    if keep_next:
        fmt.keep_with_next = True
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
    mark.append(_element("w:sz", val="4"))
    borders = OxmlElement("w:pBdr")
    borders.append(_element("w:bottom", val="single", sz="6", space="1", color="000000"))
    _put(p_pr, borders)
    _put(p_pr, mark)


_EDGES = ("top", "left", "bottom", "right", "insideH", "insideV")


def _no_borders(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in _EDGES:
        borders.append(_element(f"w:{edge}", val="nil"))
    _put(table._tbl.tblPr, borders)


def _grid_borders(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in _EDGES:
        borders.append(_element(f"w:{edge}", val="single", sz="4", space="0", color="000000"))
    _put(table._tbl.tblPr, borders)


def _fixed_table(container, rows: int, widths_mm: list[float], cell_margin_mm: float | None = None) -> Table:
    """A table with fixed layout and every cell width set (LibreOffice ignores widths otherwise)."""
    table = container.add_table(rows=rows, cols=len(widths_mm))
    table.autofit = False  # python-docx writes <w:tblLayout w:type="fixed"/> in its place
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    if cell_margin_mm is not None:
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            margins.append(_element(f"w:{side}", w=str(round(cell_margin_mm / 25.4 * 1440)), type="dxa"))
        _put(table._tbl.tblPr, margins)
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
    return table


def _repeat_header(row) -> None:
    _put(row._tr.get_or_add_trPr(), _element("w:tblHeader", val="true"))


def _no_split(row) -> None:
    _put(row._tr.get_or_add_trPr(), OxmlElement("w:cantSplit"))


def _shade(cell: _Cell, fill: str) -> None:
    _put(cell._tc.get_or_add_tcPr(), _element("w:shd", val="clear", color="auto", fill=fill))


def _no_wrap(cell: _Cell) -> None:
    """A number never breaks inside its cell."""
    _put(cell._tc.get_or_add_tcPr(), OxmlElement("w:noWrap"))


def _keep_with_next(paragraph: Paragraph) -> None:
    """The paragraph stays on the page of the one after it (a heading is never left at a page foot)."""
    paragraph.paragraph_format.keep_with_next = True


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
    """ "Cẩm Xuyên, ngày 05 tháng 4 năm 2024"; `issued` None is today."""
    return f"{place}, {date_words(issued or date.today())}"


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


def signature_lines(settings: Settings) -> tuple[str, ...]:
    """The signing capacity and title above the signature, one line each and upper case: ("TM. ỦY
    BAN NHÂN DÂN", "CHỦ TỊCH") or ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"); empty settings are left out and
    a line break inside a setting (the old single-setting form) still gives separate lines."""
    lines = []
    for text in (settings.signer_capacity, settings.signer_title):
        lines.extend(part.strip().upper() for part in str(text).splitlines() if part.strip())
    return tuple(lines)


def _signature(document, settings: Settings) -> None:
    # The closing paragraph ("Trên đây là báo cáo …") goes with the signature: a signature is never
    # alone on its page.
    if document.paragraphs:
        _keep_with_next(document.paragraphs[-1])
    left_w, right_w = 85.0, TEXT_W_MM - 85.0
    table = _fixed_table(document, 1, [left_w, right_w])
    _no_borders(table)
    _no_split(table.rows[0])  # recipients and signature stay together on one page
    left, right = table.rows[0].cells
    _first_para(left, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    left.paragraphs[0].paragraph_format.space_before = Pt(12)
    for recipient in settings.recipients:
        _cell_para(left, f"- {recipient}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    lines = signature_lines(settings) or ("",)
    _first_para(right, lines[0], size=14, bold=True)
    right.paragraphs[0].paragraph_format.space_before = Pt(12)
    for line in lines[1:]:
        _cell_para(right, line, size=14, bold=True)
    for _ in range(4):
        _cell_para(right, "", size=14)
    _cell_para(right, settings.signer_name.strip(), size=14, bold=True)


# Advance widths of Times New Roman (regular and bold alike for these), in em, for sizing the annex's
# number columns; letters are estimated at 0.6 em.
_GLYPH_EM = {".": 0.25, ",": 0.25, "—": 1.0, "%": 0.833, " ": 0.25, "-": 0.333}
_ANNEX_SIZES = (10.0, 9.5, 9.0, 8.5, 8.0, 7.5, 7.0)
_ANNEX_PAD_MM = 0.6  # left and right cell margin of the annex table
_STT_MM = 9.0
_NAME_MIN_MM, _NAME_MAX_MM = 48.0, 72.0


def _text_mm(text: str, size: float) -> float:
    em = sum(0.5 if ch.isdigit() else _GLYPH_EM.get(ch, 0.6) for ch in text)
    return em * size * 25.4 / 72


def _annex_number(value: float | int | None, kind: str) -> str:
    if value is None:
        return NO_PLAN
    return fmt_num(value, 1) if kind == "pct" else fmt_int(value)


def _annex_texts(table: AnnexTable) -> list[list[tuple[str, ...]]]:
    """Per printed row, per group: the cell texts in sub_headers order."""
    last = len(table.sub_headers) - 1
    return [
        [
            tuple(
                _annex_number(value, "pct" if offset == last else "count")
                for offset, value in enumerate(table.values(line, index))
            )
            for index in range(len(table.group_names))
        ]
        for line in table.rows
    ]


def _annex_layout(table: AnnexTable, texts: list[list[tuple[str, ...]]]) -> tuple[float, list[float]]:
    """Font size and column widths (mm) of the annex: every number fits on one line (the widest text
    of a group sets its columns, at least "100,0" and the sub-header words); the unit name column gets
    the rest, between _NAME_MIN_MM and _NAME_MAX_MM; the largest size that fits is chosen."""
    width = len(table.sub_headers)
    words = [w for header in table.sub_headers for w in header.split()]
    available = LANDSCAPE_TEXT_W_MM - _STT_MM
    for size in _ANNEX_SIZES:
        groups = []
        for index in range(len(table.group_names)):
            cells = [t for row in texts for t in row[index]] + ["100,0"]
            longest = max(max(_text_mm(t, size) for t in cells), max(_text_mm(w, size) for w in words))
            groups.append(longest + 2 * _ANNEX_PAD_MM + 0.8)
        name = available - width * sum(groups)
        if name >= _NAME_MIN_MM or size == _ANNEX_SIZES[-1]:
            break
    if name > _NAME_MAX_MM:
        extra = (name - _NAME_MAX_MM) / (width * len(groups))
        groups = [g + extra for g in groups]
        name = _NAME_MAX_MM
    return size, [_STT_MM, name] + [g for g in groups for _ in range(width)]


def _annex(document, parts: ReportParts, settings: Settings, table: AnnexTable, reference: str) -> None:
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = PAGE_H, PAGE_W
    section.top_margin, section.bottom_margin = Mm(20), Mm(15)
    section.left_margin, section.right_margin = Mm(20), Mm(15)
    section.different_first_page_header_footer = False  # the annex numbers its first page too
    _put(section._sectPr, _element("w:pgNumType", start="1"))  # ... starting again at 1
    center = WD_ALIGN_PARAGRAPH.CENTER
    for text, size, bold, italic, after in (
        ("Phụ lục", 14, True, False, 0),
        (annex_title(parts.period.label), 13, True, False, 0),
        (reference, 12, False, True, 6),
    ):
        paragraph = _para(
            document,
            text,
            size=size,
            bold=bold,
            italic=italic,
            align=center,
            first_indent_mm=None,
            after=after,
        )
        _keep_with_next(paragraph)
    groups = table.group_names
    width = len(table.sub_headers)
    texts = _annex_texts(table)
    size, widths = _annex_layout(table, texts)
    grid = _fixed_table(document, 2 + len(table.rows), widths, cell_margin_mm=_ANNEX_PAD_MM)
    _grid_borders(grid)
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
        first_col = 2 + width * index
        _first_para(header_top.cells[first_col], name, size=size, bold=True)
        for offset, sub in enumerate(table.sub_headers):
            _first_para(header_sub.cells[first_col + offset], sub, size=size, bold=True)
    for column in (0, 1):
        header_top.cells[column].merge(header_sub.cells[column])
    for index in range(len(groups)):
        first_col = 2 + width * index
        header_top.cells[first_col].merge(header_top.cells[first_col + width - 1])
    for line, line_texts, row in zip(table.rows, texts, grid.rows[2:], strict=True):
        _no_split(row)
        bold = line.kind != "unit"
        cells = row.cells
        _first_para(cells[0], line.stt, size=size, bold=bold)
        _first_para(cells[1], line.name, size=size, bold=bold, align=WD_ALIGN_PARAGRAPH.LEFT)
        for index, values in enumerate(line_texts):
            for offset, text in enumerate(values):
                cell = cells[2 + width * index + offset]
                _first_para(cell, text, size=size, bold=bold, align=WD_ALIGN_PARAGRAPH.RIGHT)
                _no_wrap(cell)
        if line.kind != "unit":
            for cell in cells:
                _shade(cell, "F2F2F2")
        for cell in cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _para(
        document,
        annex_note(table, parts.period, parts.calendar, settings.cutoff_day),
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
    number: str = BLANK_NUMBER,
    parts: ReportParts | None = None,
) -> bytes:
    """The report as .docx bytes: A4, Times New Roman, Decree 30/2020 letterhead, title, narrative
    sections from the figures, recipients and signature block, then the annex on landscape pages
    (page numbers from 1 again; for a period shorter than the year: year plan, period, cumulative).

    `issued` is the issue date printed in the date line and the annex's "Kèm theo" line (None: today);
    `number` is the registry number (blank room to write it in by default).
    """
    parts = parts or prepare_report(wb, period, calendar, settings)
    issued = issued or date.today()
    table = annex_for(parts, settings, wb)
    document = Document()
    _setup(document)
    _letterhead(document, settings, number, issued)
    _title(document, period)
    _body(document, parts, settings)
    _signature(document, settings)
    _annex(document, parts, settings, table, attached_line(parts, settings, number, issued))
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
