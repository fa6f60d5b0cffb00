"""Rows inside a sheet's table that are not data: totals, group and period headings, the signature
block under the table. Each rule asks for a certain shape (workbook.md, "Rows that are not data")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from ..common.text import clean_text, match_key
from .cells import BlankMemo, is_blank
from .schema import CODE, TYPE_REF, UNIT_REF, Column, SheetSpec

__all__ = ["TOTAL", "HEADING", "SIGNATURE", "NUMBERS", "Layout", "classify_rows"]

TOTAL, HEADING, SIGNATURE, NUMBERS = "total_row", "section_row", "signature_block", "column_numbers"

_TOTAL_EXACT = frozenset({"tong", "tong cong", "cong", "total", "grand total", "subtotal", "tong so"})
# With diacritics, so that `Công an xã` is never read as `Cộng`.
_TOTAL_PREFIX = re.compile(r"^(?:cộng|tổng cộng|tổng số|tổng|total|subtotal|grand total)\b", re.IGNORECASE)
_NUMBERING = re.compile(r"^(?:[ivxlc]{1,6}|[a-h]|\d{1,3}(?:\.\d{1,3})*)[.)]?$", re.IGNORECASE)
_GROUP_NUMBER = re.compile(r"^(?:[ivxlc]{1,6}|[a-h])[.)]?$", re.IGNORECASE)
_NUMBERED_TEXT = re.compile(r"^(?:[IVXLC]{1,6}|[A-H])\s*[.)\-–]\s*\S")
_PERIOD_HEADING = re.compile(
    r"^(?:thang\s+(?:\d{1,2}|[ivx]{1,4})|quy\s+(?:[1-4]|i|ii|iii|iv)|(?:6|sau|9|chin)\s+thang(?:\s+dau\s+nam)?"
    r"|nam\s+\d{4})(?:\s*(?:[/.\-]|nam)\s*\d{4})?$"
)
_DATE_LINE = re.compile(r"ngay\W*(?:\d{1,2}|[.…_]+)\W*thang\W*(?:\d{1,2}|[.…_]+)\W*nam\W*(?:\d{4}|[.…_]+)")
_SIGNATURE_WORDS = (
    "nguoi lap bieu",
    "nguoi lap",
    "nguoi tong hop",
    "thu truong don vi",
    "thu truong co quan",
    "thu truong",
    "ky, ghi ro ho ten",
    "ky ghi ro ho ten",
    "ky, ho ten",
    "ky ten",
    "dong dau",
    "xac nhan cua",
    "chu tich",
    "pho chu tich",
    "giam doc",
    "truong phong",
    "ke toan",
    "noi nhan",
)
_SIGNATURE_PREFIX = re.compile(r"^(?:tm|kt|tl|tuq)\.\s")
_REFERENCE_KINDS = (CODE, UNIT_REF, TYPE_REF)


@dataclass
class Layout:
    """Which rows of a table are data, and the skipped ones by kind (indices into the rows given)."""

    data: list[int]
    skipped: dict[str, list[int]]


def _texts(row: Sequence[object]) -> list[str]:
    return [clean_text(c) for c in row if isinstance(c, str) and not is_blank(c)]


_COLUMN_NUMBER = re.compile(r"^\(?(\d{1,2}|[A-Za-z])\)?$")


def _is_column_numbering(row: Sequence[object]) -> bool:
    """The row under a header that numbers its columns: `(1) (2) (3) …`, `1 2 3 …` or `A B 1 2 …`
    (at least three cells, nothing else, the numbers consecutive from left to right)."""
    tokens: list[str] = []
    for cell in row:
        if is_blank(cell):
            continue
        if isinstance(cell, bool):
            return False
        if isinstance(cell, int | float):
            if not float(cell).is_integer():
                return False
            tokens.append(str(int(cell)))
            continue
        if not isinstance(cell, str):
            return False
        match = _COLUMN_NUMBER.match(clean_text(cell))
        if match is None:
            return False
        tokens.append(match.group(1))
    numbers = [int(t) for t in tokens if t.isdigit()]
    letters = [t.upper() for t in tokens if not t.isdigit()]
    consecutive = all(b == a + 1 for a, b in pairwise(numbers))
    in_order = letters == [chr(ord("A") + i) for i in range(len(letters))]
    return len(tokens) >= 3 and consecutive and in_order and (not numbers or numbers[0] <= 1 + len(letters))


def _first_text(row: Sequence[object]) -> str | None:
    """The row's first text cell that is not a numbering (`I`, `1.`), or None."""
    for cell in row:
        if isinstance(cell, str) and not is_blank(cell) and not _is_numbering(cell):
            return cell
    return None


@lru_cache(maxsize=4096)
def _is_numbering(text: str) -> bool:
    return bool(_NUMBERING.match(clean_text(text)))


@lru_cache(maxsize=4096)
def _is_total_label(text: str) -> bool:
    head = text.lstrip()[:1].lower()
    if head not in ("t", "c", "g", "s"):
        return False  # fast: most first cells are codes or dates
    return match_key(text) in _TOTAL_EXACT or bool(_TOTAL_PREFIX.match(clean_text(text)))


def _exact_total(text: str) -> bool:
    return match_key(text) in {"tong", "tong cong", "cong"}


def _is_signature_text(text: str) -> bool:
    key = match_key(text).strip("()[] ")
    return (
        bool(_DATE_LINE.search(key))
        or any(key == w or key.startswith(w + " ") or key.startswith(w + ",") for w in _SIGNATURE_WORDS)
        or bool(_SIGNATURE_PREFIX.match(key))
    )


def classify_rows(
    rows: Sequence[Sequence[object]],
    spec: SheetSpec,
    columns: dict[int, Column],
    first_index: int,
    merged_across: frozenset[tuple[int, int]] = frozenset(),
) -> Layout:
    """Split `rows` (the table below its header) into data rows and skipped rows.

    `columns` maps each column position that is read to its column; `first_index` is the index of
    rows[0] in the sheet (for the merge positions). Blank rows are dropped and not reported.
    """
    read = sorted(columns)
    leftmost = read[0] if read else 0
    required = [p for p, column in columns.items() if column.required]
    references = [p for p, column in columns.items() if column.kind in _REFERENCE_KINDS]
    signature_start = _signature_start(rows, required)
    blank = BlankMemo()
    data: list[int] = []
    skipped: dict[str, list[int]] = {TOTAL: [], HEADING: [], SIGNATURE: [], NUMBERS: []}
    first_filled = next((i for i, r in enumerate(rows) if any(not is_blank(c) for c in r)), None)
    if first_filled is not None and _is_column_numbering(rows[first_filled]):
        skipped[NUMBERS].append(first_filled)
    for index, row in enumerate(rows):
        if skipped[NUMBERS] and index == skipped[NUMBERS][0]:
            continue
        if signature_start is not None and index >= signature_start:
            if any(not is_blank(row[p]) for p in read if p < len(row)):
                skipped[SIGNATURE].append(index)
            continue
        width = len(row)
        filled = [p for p in read if p < width and not blank[row[p]]]
        first = _first_text(row) if spec.total_rows else None
        if first is not None and _is_total_label(first):
            label_at = next(p for p, c in enumerate(row) if c is first)
            if _exact_total(first) or not any(
                p != label_at and not is_blank(row[p]) for p in references if p < width
            ):
                skipped[TOTAL].append(index)
                continue
        if not filled:
            continue
        if len(filled) == 1 and _is_heading(row, filled[0], leftmost, first_index + index, merged_across):
            skipped[HEADING].append(index)
            continue
        data.append(index)
    return Layout(data, {k: v for k, v in skipped.items() if v})


def _is_heading(
    row: Sequence[object],
    position: int,
    leftmost: int,
    sheet_row: int,
    merged_across: frozenset[tuple[int, int]],
) -> bool:
    """The only filled cell of the row is a heading: `Tháng 1`, `Quý I`, or a group name that is
    numbered (`I`, `A`, `1.`), written in capitals or merged across, in the table's first column."""
    cell = row[position]
    if not isinstance(cell, str):
        return False
    text = clean_text(cell)
    key = match_key(text)
    if not any(ch.isalpha() for ch in text):
        return False
    if _PERIOD_HEADING.match(key):
        return True
    merged = (sheet_row, position) in merged_across
    if position != leftmost and not merged:
        return False
    words = text.split()
    numbered = bool(_NUMBERED_TEXT.match(text)) or any(
        isinstance(c, str) and _GROUP_NUMBER.match(clean_text(c))
        for p, c in enumerate(row)
        if p != position and not is_blank(c)
    )
    capitals = len(words) >= 2 and text == text.upper() and text != text.lower()
    return (len(words) >= 2 and (numbered or merged)) or capitals


def _signature_start(rows: Sequence[Sequence[object]], required: list[int]) -> int | None:
    """Index of the first row of a signature block that runs to the end of the sheet, or None.

    The block starts at a row of text only with a place-and-date line or a signer's title
    (`NGƯỜI LẬP BIỂU`, `THỦ TRƯỞNG ĐƠN VỊ`, `TM. ...`); every later row must be blank or text only,
    without digits (names, `(Ký, ghi rõ họ tên)`) unless it is such a line, and never fill every
    required column. Otherwise there is no block and the rows are read as data. Looked for from
    the bottom up, so a long table costs nothing.
    """
    start = None
    for index in range(len(rows) - 1, -1, -1):
        row = rows[index]
        cells = [c for c in row if not is_blank(c)]
        if not cells:
            continue
        if not all(isinstance(c, str) for c in cells):
            break
        if required and all(p < len(row) and not is_blank(row[p]) for p in required):
            break
        signature = [_is_signature_text(c) for c in cells]
        if any(any(ch.isdigit() for ch in c) and not sig for c, sig in zip(cells, signature, strict=True)):
            break
        if any(signature):
            start = index
    return start
