"""Text normalisation and fuzzy matching of names, codes and headers (workbook.md, reading rules)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

import numpy as np

__all__ = ["clean_text", "match_key", "loose_key", "header_keys", "closest", "Suggestions"]

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


SUGGESTION_CUTOFF = 0.5  # difflib ratio a candidate needs to be suggested
_BUCKETS = 64  # characters counted per bucket (ord % 64) to bound difflib's quick_ratio for all at once
_SATURATED = 255  # a bucket's count is kept in one byte


def closest(value: object, candidates: Iterable[str]) -> str | None:
    """The candidate most like `value` (compared by loose key), or None when nothing is close."""
    return Suggestions(candidates).closest(value)


class Suggestions:
    """`closest` against one list of candidates for many values, with the same answers as
    difflib.get_close_matches(loose_key(value), keys, n=1, cutoff=0.5) over the candidates' loose keys
    (the last candidate of a key stands for it) but cheap for many values and long lists: the keys are
    made once, each distinct value is compared once (memoised), and difflib's ratio is computed only for
    the keys whose character counts (a vectorised upper bound of its quick_ratio) could still beat the
    best found, best bound first."""

    def __init__(self, candidates: Iterable[str]) -> None:
        self._originals: dict[str, list[str]] = {}
        for candidate in dict.fromkeys(c for c in candidates if c):
            self._originals.setdefault(loose_key(candidate), []).append(candidate)
        self._keys = list(self._originals)
        self._lengths = np.array([len(k) for k in self._keys], dtype=np.int64)
        self._counts = np.zeros((len(self._keys), _BUCKETS), dtype=np.uint8)  # 64 bytes a key
        for row, key in enumerate(self._keys):
            for bucket, n in _bucket_counts(key).items():
                self._counts[row, bucket] = min(n, _SATURATED)
        self._memo: dict[str, int | None] = {}

    def closest(self, value: object, exclude: str | None = None) -> str | None:
        """The candidate most like `value`, `exclude` (one candidate) left out; None when nothing is close."""
        key = loose_key(value)
        if key not in self._memo:
            self._memo[key] = self._search(key, None)
        best = self._memo[key]
        if best is None:
            return None
        if exclude is not None and self._originals[self._keys[best]][-1] == exclude:
            others = [c for c in self._originals[self._keys[best]] if c != exclude]
            if others:
                return others[-1]
            best = self._search(key, best)
            if best is None:
                return None
        return self._originals[self._keys[best]][-1]

    def _search(self, key: str, skip: int | None) -> int | None:
        """Index of the best key for `key` (difflib's choice: highest ratio, then the greatest key)."""
        if not self._keys:
            return None
        query = np.zeros(_BUCKETS, dtype=np.int64)
        for bucket, n in _bucket_counts(key).items():
            query[bucket] = n
        excess = int(np.maximum(query - _SATURATED, 0).sum())
        # matches <= sum of per-bucket minima (+ what a saturated bucket may hide): quick_ratio's bound
        shared = np.minimum(self._counts, np.minimum(query, _SATURATED).astype(np.uint8))
        matches = shared.sum(axis=1, dtype=np.int64) + excess
        totals = self._lengths + len(key)
        bound = np.where(totals > 0, 2.0 * matches / np.maximum(totals, 1), 1.0)
        order = np.flatnonzero(bound >= SUGGESTION_CUTOFF)
        order = order[np.argsort(-bound[order], kind="stable")]
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(key)
        best: tuple[float, str] | None = None
        found: int | None = None
        for index in order:
            if best is not None and bound[index] < best[0]:
                break  # ratio <= quick_ratio <= bound: no key left can beat (or tie) the best
            if index == skip:
                continue
            matcher.set_seq1(self._keys[index])
            if matcher.real_quick_ratio() < SUGGESTION_CUTOFF or matcher.quick_ratio() < SUGGESTION_CUTOFF:
                continue
            score = (matcher.ratio(), self._keys[index])
            if score[0] >= SUGGESTION_CUTOFF and (best is None or score > best):
                best, found = score, int(index)
        return found


def _bucket_counts(key: str) -> Counter[int]:
    return Counter(ord(ch) % _BUCKETS for ch in key)
