"""Compatibility names for the report narrative, now in report_facts (figures) and report_content (text)."""

from __future__ import annotations

from cchc_lib.documents.report_content import (
    EDITABLE_KEYS,
    ReportContent,
    Section,
    Sentence,
    build_content,
    paragraphs_from_text,
    period_phrase,
    section_text,
)
from cchc_lib.documents.report_facts import ReportFacts, gather_facts

__all__ = [
    "EDITABLE_KEYS",
    "ReportContent",
    "ReportFacts",
    "Section",
    "Sentence",
    "build_content",
    "gather_facts",
    "paragraphs_from_text",
    "period_phrase",
    "section_text",
]
