"""The report content model: Sentence, Section, ReportContent and the clerk's text round trip."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = [
    "EDITABLE_KEYS",
    "MAX_NAMES",
    "PLACEHOLDER_PREFIX",
    "ReportContent",
    "Section",
    "Sentence",
    "paragraphs_from_text",
    "placeholder",
    "section_text",
]

MAX_NAMES = 5  # never more unit names than this in one sentence
PLACEHOLDER_PREFIX = "[Đề nghị bổ sung: "


@dataclass(frozen=True)
class Sentence:
    """One paragraph of the report and the figures it states (empty for the clerk's own text)."""

    text: str
    facts: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    """A heading and its sentences (one paragraph each; a text starting with "- " is a list item)."""

    key: str
    heading: str
    sentences: tuple[Sentence, ...]
    level: int = 1  # 1: "I. …" part heading, 2: "1. …" sub-heading
    editable: bool = True
    placeholder: bool = False  # holds a marked placeholder the clerk must complete
    edited: bool = False  # the text came from the clerk's saved edit

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(s.text for s in self.sentences)


@dataclass(frozen=True)
class ReportContent:
    """The report body: the opening paragraph, the sections, the closing paragraph, and notes for the
    clerk (shown on the page and by the command line, never printed in the document)."""

    intro: str
    sections: tuple[Section, ...]
    closing: str
    warnings: tuple[str, ...] = ()

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


# The sections the clerk may rewrite (part headings I. and II. only carry a heading).
EDITABLE_KEYS: tuple[str, ...] = (
    "chi_dao",
    "ket_qua",
    "ket_qua_don_vi",
    "kenh",
    "ra_soat",
    "kinh_phi",
    "sang_kien",
    "uu_diem",
    "ton_tai",
    "nguyen_nhan",
    "phuong_huong",
    "kien_nghi",
)


def section_text(section: Section) -> str:
    """The section's paragraphs joined by newlines (what the page's text area shows)."""
    return "\n".join(section.paragraphs)


def paragraphs_from_text(text: str) -> tuple[str, ...]:
    """The clerk's text back to paragraphs: one per non-empty line, trimmed."""
    return tuple(line.strip() for line in str(text or "").splitlines() if line.strip())


def placeholder(what: str) -> str:
    """A marked gap the clerk must fill: "[Đề nghị bổ sung: …]"."""
    return f"{PLACEHOLDER_PREFIX}{what}]"
