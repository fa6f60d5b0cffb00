"""The compatibility module and the editing helpers of the report content."""

from __future__ import annotations

import pytest

from cchc_lib import narrative, report_content
from cchc_lib.report_content import Section, Sentence, paragraphs_from_text, placeholder, section_text


def test_narrative_re_exports_the_content_model() -> None:
    for name in ("Sentence", "Section", "ReportContent", "build_content", "section_text", "paragraphs_from_text"):
        assert getattr(narrative, name) is getattr(report_content, name)


@pytest.mark.parametrize(
    ("text", "paragraphs"),
    [
        ("", ()),
        ("Một dòng.", ("Một dòng.",)),
        ("  Dòng 1.  \n\n\t\n- Ý 2;\r\n- Ý 3.\n", ("Dòng 1.", "- Ý 2;", "- Ý 3.")),
    ],
)
def test_paragraphs_from_text(text: str, paragraphs: tuple[str, ...]) -> None:
    assert paragraphs_from_text(text) == paragraphs


def test_section_text_round_trips() -> None:
    section = Section("kien_nghi", "IV. KIẾN NGHỊ, ĐỀ XUẤT", (Sentence("Câu 1.", {"n": 1}), Sentence("- Ý 2.")))
    assert section.paragraphs == ("Câu 1.", "- Ý 2.")
    assert section_text(section) == "Câu 1.\n- Ý 2."
    assert paragraphs_from_text(section_text(section)) == section.paragraphs


def test_placeholder_is_marked() -> None:
    assert placeholder("nguyên nhân.") == "[Đề nghị bổ sung: nguyên nhân.]"
