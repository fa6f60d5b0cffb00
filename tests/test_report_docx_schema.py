"""The report's WordprocessingML against the child order of ECMA-376 (Word may call a file with
property children out of order, or repeated, damaged): every tblPr, trPr, tcPr, pPr and sectPr of
document.xml and the headers holds each child at most once and in schema order."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from lxml import etree

from cchc_lib.common.periods import parse_period
from cchc_lib.common.settings import Settings
from cchc_lib.documents.reports import build_report
from cchc_lib.reading.sandbox import read_trusted
from tests.test_reports import SAMPLE

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# ECMA-376 Part 1 (5th ed.), wml.xsd sequences, written out here independently of the code.
ORDER: dict[str, list[str]] = {
    # CT_TblPr (CT_TblPrBase + tblPrChange)
    "tblPr": [
        "tblStyle",
        "tblpPr",
        "tblOverlap",
        "bidiVisual",
        "tblStyleRowBandSize",
        "tblStyleColBandSize",
        "tblW",
        "jc",
        "tblCellSpacing",
        "tblInd",
        "tblBorders",
        "shd",
        "tblLayout",
        "tblCellMar",
        "tblLook",
        "tblCaption",
        "tblDescription",
        "tblPrChange",
    ],
    # CT_TrPr (CT_TrPrBase is a choice; written in its listed order) + ins, del, trPrChange
    "trPr": [
        "cnfStyle",
        "divId",
        "gridBefore",
        "gridAfter",
        "wBefore",
        "wAfter",
        "cantSplit",
        "trHeight",
        "tblHeader",
        "tblCellSpacing",
        "jc",
        "hidden",
        "ins",
        "del",
        "trPrChange",
    ],
    # CT_TcPr (CT_TcPrBase + cellIns/cellDel/cellMerge + tcPrChange)
    "tcPr": [
        "cnfStyle",
        "tcW",
        "gridSpan",
        "hMerge",
        "vMerge",
        "tcBorders",
        "shd",
        "noWrap",
        "tcMar",
        "textDirection",
        "tcFitText",
        "vAlign",
        "hideMark",
        "headers",
        "cellIns",
        "cellDel",
        "cellMerge",
        "tcPrChange",
    ],
    # CT_PPr (CT_PPrBase + rPr, sectPr, pPrChange)
    "pPr": [
        "pStyle",
        "keepNext",
        "keepLines",
        "pageBreakBefore",
        "framePr",
        "widowControl",
        "numPr",
        "suppressLineNumbers",
        "pBdr",
        "shd",
        "tabs",
        "suppressAutoHyphens",
        "kinsoku",
        "wordWrap",
        "overflowPunct",
        "topLinePunct",
        "autoSpaceDE",
        "autoSpaceDN",
        "bidi",
        "adjustRightInd",
        "snapToGrid",
        "spacing",
        "ind",
        "contextualSpacing",
        "mirrorIndents",
        "suppressOverlap",
        "jc",
        "textDirection",
        "textAlignment",
        "textboxTightWrap",
        "outlineLvl",
        "divId",
        "cnfStyle",
        "rPr",
        "sectPr",
        "pPrChange",
    ],
    # CT_SectPr (EG_HdrFtrReferences, EG_SectPrContents, sectPrChange)
    "sectPr": [
        "headerReference",
        "footerReference",
        "footnotePr",
        "endnotePr",
        "type",
        "pgSz",
        "pgMar",
        "paperSrc",
        "pgBorders",
        "lnNumType",
        "pgNumType",
        "cols",
        "formProt",
        "vAlign",
        "noEndnote",
        "titlePg",
        "textDirection",
        "bidi",
        "rtlGutter",
        "docGrid",
        "printerSettings",
        "sectPrChange",
    ],
}
REPEATABLE = {"sectPr": {"headerReference", "footerReference"}}


def problems(xml: bytes) -> list[str]:
    """Every duplicated or misplaced child of a property element, as readable lines."""
    root = etree.fromstring(xml)
    found = []
    for name, order in ORDER.items():
        for element in root.iter(f"{{{W}}}{name}"):
            children = [etree.QName(child).localname for child in element if isinstance(child.tag, str)]
            for child in children:
                if child not in order:
                    found.append(f"{name}: unknown child {child}")
            known = [c for c in children if c in order]
            for child in set(known):
                if known.count(child) > 1 and child not in REPEATABLE.get(name, set()):
                    found.append(f"{name}: {child} appears {known.count(child)} times in {children}")
            ranks = [order.index(c) for c in known]
            if ranks != sorted(ranks):
                found.append(f"{name}: children out of order {children}")
    return found


def parts_of(docx: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        names = [
            n
            for n in archive.namelist()
            if n == "word/document.xml" or n.startswith(("word/header", "word/footer"))
        ]
        return {n: archive.read(n) for n in names}


def test_the_checker_sees_a_repeated_and_a_misplaced_child() -> None:
    xml = (
        f'<w:document xmlns:w="{W}"><w:tbl><w:tblPr><w:tblLayout/><w:tblW/><w:tblLayout/></w:tblPr>'
        "</w:tbl></w:document>"
    ).encode()
    found = problems(xml)
    assert any("tblLayout appears 2 times" in p for p in found)
    assert any("out of order" in p for p in found)
    assert (
        problems(f'<w:p xmlns:w="{W}"><w:pPr><w:keepNext/><w:spacing/><w:jc/></w:pPr></w:p>'.encode()) == []
    )


@pytest.fixture(scope="module")
def sample():
    return read_trusted(SAMPLE, Settings()).workbook


@pytest.mark.parametrize(("period", "calendar"), [("2024-Q1", "report"), ("2024", "calendar")])
def test_report_property_elements_follow_the_schema(sample, period: str, calendar: str) -> None:
    data = build_report(
        sample, parse_period(period), calendar, Settings(signer_name="Nguyễn Văn A"), issued=date(2024, 4, 5)
    )
    parts = parts_of(data)
    assert "word/document.xml" in parts
    for name, xml in parts.items():
        assert problems(xml) == [], name
