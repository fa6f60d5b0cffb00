"""Text normalisation and fuzzy matching of names, codes and headers (workbook.md, reading rules)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

__all__ = ["clean_text", "match_key", "loose_key", "header_keys", "closest"]

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w]+|_")


def clean_text(value: object) -> str:
    """Normalise a cell for display: NFC, NBSP -> space, invisible/control chars removed, spaces collapsed."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if (
        text.isprintable()
        and text == text.strip()
        and "  " not in text
        and unicodedata.is_normalized("NFC", text)
    ):
        return text  # already clean: the common case, kept fast for 200,000-row sheets
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2007", " ")
    text = _INVISIBLE.sub("", text)
    text = text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text).strip()


def match_key(value: object) -> str:
    """Key for matching: cleaned, case-folded, without diacritics (đ = d)."""
    text = clean_text(value).casefold().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def loose_key(value: object) -> str:
    """Matching key that also ignores punctuation and underscores (`Tin, bài` = `TIN_BAI`)."""
    return _SPACES.sub(" ", _PUNCT.sub(" ", match_key(value))).strip()


_NOTE = re.compile(r"\s*[(\[].*$")
_HYPHEN = re.compile(r"\s*[-\u2013\u2014]\s*")


def header_keys(value: object) -> tuple[str, ...]:
    """Keys a header (or a name) is matched by: its match key and loose key, each also for the words
    before any parenthesis (`Số lượng (tin, bài)` = `Số lượng`) and with spaces around hyphens ignored."""
    text = clean_text(value)
    keys: list[str] = []
    for variant in (text, _NOTE.sub("", text)):
        for form in (variant, _HYPHEN.sub("-", variant)):
            keys.append(match_key(form))
            keys.append(loose_key(form))
    return tuple(dict.fromkeys(k for k in keys if k))  # most exact first


def closest(value: object, candidates: Iterable[str]) -> str | None:
    """The candidate most like `value` (compared by loose key), or None when nothing is close."""
    options = list(dict.fromkeys(c for c in candidates if c))
    if not options:
        return None
    keyed = {loose_key(c): c for c in options}
    found = difflib.get_close_matches(loose_key(value), list(keyed), n=1, cutoff=0.5)
    return keyed[found[0]] if found else None
