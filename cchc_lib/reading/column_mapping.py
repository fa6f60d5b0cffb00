"""Column mappings: an office's own header texts -> the format's fields, per sheet (workbook.md, Ghép cột).

A mapping is plain data, `{sheet: {header as written in the file: field}}`, e.g.
`{"Hoạt động": {"Ngày đăng": "date", "Đơn vị thực hiện": "unit_code"}}`. The reader then treats a
mapped header as that field's header (`mapped_spec`), so the cells are read and checked exactly as if
the file had the format's headers; only the column named in a problem is the file's own header.
"""

from __future__ import annotations

import difflib
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..common.errors import UserError
from ..common.text import clean_text, header_keys, loose_key, match_key
from .schema import (
    CODE,
    COUNT,
    DATE,
    DEFAULT_ACTIVITY_TYPES,
    HEADER_SEARCH_ROWS,
    IGNORED_HEADER_KEYS,
    MONEY,
    QUANTITY,
    SHEETS,
    TYPE_REF,
    UNIT_REF,
    YEAR,
    Column,
    SheetSpec,
)

__all__ = [
    "NONE_LABEL",
    "MappingError",
    "SheetHeaders",
    "field_label",
    "format_headed_copy",
    "inspect_headers",
    "load_mapping_file",
    "mapped_sheets",
    "mapped_spec",
    "rewrite_headers",
    "suggest_mapping",
    "validate_mapping",
]

NONE_LABEL = "(không có)"  # the dropdown choice "this file has no such column"
MAX_SAMPLES = 20  # cells looked at below a header to tell the column's kind of values
MAX_COLUMNS = 60  # header cells considered per sheet (suggestions stay cheap on wide sheets)
MIN_SCORE = 0.45  # below this a column is not proposed for a field
MAX_MAPPING_FILE_BYTES = 256 * 1024

Mapping_ = dict[str, dict[str, str]]


class MappingError(UserError):
    """A mapping that cannot be used: `problems` lists every Vietnamese reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("bad_mapping", " ".join(problems))
        self.problems = problems


def _spec_by_name(name: object) -> SheetSpec | None:
    key = match_key(name)
    return next((s for s in SHEETS if match_key(s.name) == key), None)


def field_label(spec: SheetSpec, field: str) -> str:
    """The format's header of `field` in `spec` ("Ngày"), or the field itself when unknown."""
    return next((c.header for c in spec.columns if c.field == field), field)


def _field_of(spec: SheetSpec, value: str) -> str | None:
    """The field named by `value`: a field name (`date`) or the format's header or alias (`Ngày`)."""
    for column in spec.columns:
        if value == column.field:
            return column.field
    key = match_key(value)
    for column in spec.columns:
        if any(match_key(h) == key for h in column.headers):
            return column.field
    return None


def validate_mapping(raw: object) -> Mapping_:
    """Check a mapping against the format (schema.SHEETS). Returns it normalised: sheet names as the format
    writes them, headers cleaned, fields as field names (`date`), empty sheets dropped. Raises
    MappingError listing every problem: not a {sheet: {header: field}} object, an unknown sheet or field,
    an empty header, one header twice, two headers on one field, a header that is the format's name of
    another column of the sheet."""
    shape = 'Cách ghép cột phải có dạng {"trang tính": {"tiêu đề trong tệp": "cột của mẫu"}}.'
    if not isinstance(raw, Mapping):
        raise MappingError([shape])
    problems: list[str] = []
    out: Mapping_ = {}
    for sheet_name, pairs in raw.items():
        spec = _spec_by_name(sheet_name) if isinstance(sheet_name, str) else None
        if spec is None:
            names = ", ".join(f"'{s.name}'" for s in SHEETS)
            problems.append(f"Trang tính '{clean_text(sheet_name)}' không có trong mẫu (các trang: {names}).")
            continue
        if not isinstance(pairs, Mapping):
            problems.append(f"Trang '{spec.name}': {shape}")
            continue
        sheet = out.setdefault(spec.name, {})
        seen_keys: dict[str, str] = {}
        by_field: dict[str, str] = {}
        for header, target in pairs.items():
            if not isinstance(header, str) or not isinstance(target, str):
                problems.append(f"Trang '{spec.name}': tiêu đề và cột của mẫu phải là chữ.")
                continue
            written = clean_text(header)
            if not written:
                problems.append(f"Trang '{spec.name}': có tiêu đề trống trong cách ghép cột.")
                continue
            field = _field_of(spec, clean_text(target))
            if field is None:
                known = ", ".join(f"'{c.header}' ({c.field})" for c in spec.columns)
                problems.append(
                    f"Trang '{spec.name}' của mẫu không có cột '{clean_text(target)}' (tiêu đề '{written}'). "
                    f"Các cột: {known}."
                )
                continue
            key = match_key(written)
            if key in seen_keys:
                problems.append(
                    f"Trang '{spec.name}': tiêu đề '{written}' được ghép hai lần ('{seen_keys[key]}'). "
                    "Mỗi tiêu đề chỉ ghép vào một cột."
                )
                continue
            seen_keys[key] = written
            if field in by_field:
                problems.append(
                    f"Trang '{spec.name}': hai tiêu đề '{by_field[field]}' và '{written}' cùng được ghép vào "
                    f"cột '{field_label(spec, field)}'. Mỗi cột của mẫu chỉ ghép một tiêu đề."
                )
                continue
            other = next(
                (
                    c
                    for c in spec.columns
                    if c.field != field
                    and any(header_keys(h)[:1] == header_keys(written)[:1] for h in c.headers)
                ),
                None,
            )
            if other is not None:
                problems.append(
                    f"Trang '{spec.name}': tiêu đề '{written}' là tên cột '{other.header}' của mẫu, không ghép "
                    f"được vào cột '{field_label(spec, field)}'. Hãy đổi tên cột trong tệp."
                )
                continue
            by_field[field] = written
            sheet[written] = field
    if problems:
        raise MappingError(problems)
    return {name: pairs for name, pairs in out.items() if pairs}


def mapped_spec(spec: SheetSpec, mapping: Mapping_ | None) -> SheetSpec:
    """`spec` as the reader sees it under a (validated) mapping: each mapped field's header is the file's
    header and nothing else names it; every other column keeps its headers. Without a mapping for the
    sheet, `spec` itself."""
    pairs = (mapping or {}).get(spec.name)
    if not pairs:
        return spec
    header_of = {field: header for header, field in pairs.items()}
    columns: list[Column] = []
    for column in spec.columns:
        if column.field in header_of:
            columns.append(replace(column, header=header_of[column.field], aliases=()))
        else:
            columns.append(column)
    return replace(spec, columns=tuple(columns))


def load_mapping_file(path: str | Path) -> Mapping_:
    """A mapping from a JSON file (`{sheet: {header: field}}`), validated. Raises MappingError with one
    Vietnamese line for a missing, unreadable, too large or invalid file."""
    file = Path(path)
    try:
        if file.stat().st_size > MAX_MAPPING_FILE_BYTES:
            raise MappingError([f"Tệp ghép cột '{file.name}' quá lớn (tối đa 256 KB)."])
        text = file.read_text(encoding="utf-8-sig")
    except MappingError:
        raise
    except (OSError, UnicodeDecodeError):
        raise MappingError([f"Không đọc được tệp ghép cột '{file.name}' (cần tệp JSON, mã UTF-8)."]) from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MappingError(
            [f"Tệp ghép cột '{file.name}' không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno})."]
        ) from None
    return validate_mapping(raw)


# ------------------------------------------------------------------------------------------ suggestions
@dataclass(frozen=True)
class SheetHeaders:
    """The likely header row of one sheet of a file: its texts in column order with samples below."""

    sheet: str  # the sheet's name as written in the file
    spec_name: str  # the format's name of the sheet
    row: int  # Excel row number of the header row
    headers: tuple[str, ...]  # header texts (cleaned), blanks and STT left out
    samples: tuple[tuple[object, ...], ...]  # per header, up to MAX_SAMPLES non-blank cells below it


_UNIT_CODE = re.compile(r"^[A-Z][A-Z0-9_.\-]{1,15}$")
_DATE_TEXT = re.compile(r"^(ngày\s*)?\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}$|^\d{4}-\d{2}-\d{2}$", re.IGNORECASE)
_WHOLE = re.compile(r"^\d{1,3}(?:[. ]\d{3})*$|^\d+$")


def _value_kind(value: object, type_keys: set[str], unit_keys: set[str]) -> str:
    """A rough kind of one cell: date, whole, type, unit, text."""
    if isinstance(value, datetime | date):
        return "date"
    if isinstance(value, bool):
        return "text"
    if isinstance(value, int | float):
        return "whole" if float(value).is_integer() else "number"
    text = clean_text(value)
    if _DATE_TEXT.match(text):
        return "date"
    if _WHOLE.match(text):
        return "whole"
    if loose_key(text) in type_keys:
        return "type"
    if loose_key(text) in unit_keys or _UNIT_CODE.match(text):
        return "unit"
    return "text"


_KIND_WANTS = {
    DATE: {"date"},
    QUANTITY: {"whole"},
    COUNT: {"whole"},
    MONEY: {"whole"},
    YEAR: {"whole"},
    UNIT_REF: {"unit"},
    CODE: {"unit"},
    TYPE_REF: {"type"},
}


def _kind_score(column: Column, kinds: list[str]) -> float:
    """How well the sampled kinds fit the column's kind: the share of fitting cells (0 for no samples);
    text columns take text. Negative when the values clearly are of another typed kind."""
    if not kinds:
        return 0.0
    wanted = _KIND_WANTS.get(column.kind)
    if wanted is None:
        share = sum(k == "text" for k in kinds) / len(kinds)
        return 0.2 * share if share > 0.5 else -0.3
    share = sum(k in wanted for k in kinds) / len(kinds)
    return share if share > 0.5 else -0.3


def _name_score(column: Column, header: str) -> float:
    """Text similarity of a file header to the column's header and aliases (0..1): difflib on the loose
    keys, or the share of the format header's words found in the file header, whichever is higher."""
    theirs = loose_key(header)
    their_words = set(theirs.split())
    best = 0.0
    for name in column.headers:
        ours = loose_key(name)
        ratio = difflib.SequenceMatcher(None, ours, theirs).ratio()
        words = set(ours.split())
        overlap = len(words & their_words) / len(words) if words else 0.0
        best = max(best, ratio, 0.9 * overlap)
    return best


def suggest_mapping(found: SheetHeaders, spec: SheetSpec) -> dict[str, str]:
    """Proposals {field: file header} for the columns of `spec` from one sheet's header row: each file
    header scored per field by name similarity (header, aliases) and by the kind of its first cells
    (dates, whole numbers, unit codes, activity types); assigned greedily best first, one header per field
    and one field per header, nothing below MIN_SCORE. A header the reader already matches keeps its field.
    Cheap: at most MAX_COLUMNS headers × the spec's columns, MAX_SAMPLES cells each."""
    type_keys = {loose_key(v) for row in DEFAULT_ACTIVITY_TYPES for v in row[:2]}
    kinds = [[_value_kind(v, type_keys, set()) for v in samples] for samples in found.samples[:MAX_COLUMNS]]
    headers = list(found.headers[:MAX_COLUMNS])
    proposals: dict[str, str] = {}
    used: set[int] = set()
    # the reader's own matches first: a header that already names a column is that column
    for index, header in enumerate(headers):
        keys = set(header_keys(header))
        for column in spec.columns:
            if column.field not in proposals and any(header_keys(h)[0] in keys for h in column.headers):
                proposals[column.field] = header
                used.add(index)
                break
    scored: list[tuple[float, int, int, str]] = []
    for ci, column in enumerate(spec.columns):
        if column.field in proposals:
            continue
        for index, header in enumerate(headers):
            if index in used:
                continue
            score = 0.7 * _name_score(column, header) + 0.5 * _kind_score(column, kinds[index])
            if column.required:
                score += 0.05
            if score >= MIN_SCORE:
                scored.append((score, -ci, -index, column.field))
    for _score, _, neg_index, field in sorted(scored, reverse=True):
        index = -neg_index
        if field in proposals or index in used:
            continue
        proposals[field] = headers[index]
        used.add(index)
    return {c.field: proposals[c.field] for c in spec.columns if c.field in proposals}


def _header_row(rows: list[list[object]], spec: SheetSpec) -> int | None:
    """Index of the likeliest header row in the first rows: the most cells matching the spec's headers,
    then the most text cells followed by a filled row; None when no row holds two texts."""
    best: tuple[int, int, int] | None = None
    keys = {k for c in spec.columns for h in c.headers for k in header_keys(h)}
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        texts = [clean_text(c) for c in row[:MAX_COLUMNS] if isinstance(c, str) and clean_text(c)]
        if len(texts) < 2:
            continue
        matched = sum(1 for t in texts if set(header_keys(t)) & keys)
        below = rows[index + 1] if index + 1 < len(rows) else []
        filled_below = sum(1 for c in below if not _blank(c))
        score = (matched, min(len(texts), filled_below), len(texts))
        if best is None or score > best[:3]:
            best = (*score, index)  # type: ignore[assignment]
    return None if best is None else best[3]  # type: ignore[misc]


def _blank(value: object) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not clean_text(value))
        or (isinstance(value, float) and value != value)
    )


def sheet_headers(name: str, spec: SheetSpec, rows: list[list[object]]) -> SheetHeaders | None:
    """The likely header row of a sheet's rows (as calamine gives them) with samples below each header."""
    index = _header_row(rows, spec)
    if index is None:
        return None
    headers: list[str] = []
    samples: list[tuple[object, ...]] = []
    seen: set[str] = set()
    for position, cell in enumerate(rows[index][:MAX_COLUMNS]):
        if not isinstance(cell, str) and not isinstance(cell, int | float):
            continue
        text = clean_text(cell)
        if not text or match_key(text) in IGNORED_HEADER_KEYS or match_key(text) in seen:
            continue
        seen.add(match_key(text))
        values: list[object] = []
        for row in rows[index + 1 : index + 1 + 4 * MAX_SAMPLES]:
            value = row[position] if position < len(row) else None
            if not _blank(value):
                values.append(
                    value if isinstance(value, int | float | date | datetime | bool) else clean_text(value)
                )
            if len(values) >= MAX_SAMPLES:
                break
        headers.append(text)
        samples.append(tuple(values))
    return SheetHeaders(name, spec.name, index + 1, tuple(headers), tuple(samples))


def inspect_headers(data: bytes, settings: Any = None) -> dict[str, Any]:
    """For each sheet of the format found in the workbook `data`: its likely header row, with proposals.

    Returns plain data (it travels back from the sandbox): {format sheet name: {"sheet", "row",
    "headers": [...], "proposals": {field: header}}}. Trusts `data` to be safe to parse (run it through
    sandbox.inspect_untrusted for uploads)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    by_key = {match_key(n): n for n in reversed(book.sheet_names)}
    out: dict[str, Any] = {}
    for spec in SHEETS:
        name = by_key.get(match_key(spec.name))
        if name is None:
            continue
        rows = book.get_sheet_by_name(name).to_python(
            skip_empty_area=False, nrows=HEADER_SEARCH_ROWS + 4 * MAX_SAMPLES + 1
        )
        found = sheet_headers(name, spec, rows)
        if found is None:
            continue
        out[spec.name] = {
            "sheet": found.sheet,
            "row": found.row,
            "headers": list(found.headers),
            "proposals": suggest_mapping(found, spec),
        }
    return out


def mapped_sheets(mapping: Mapping_ | None) -> tuple[SheetSpec, ...]:
    """schema.SHEETS as the reader sees them under `mapping` (validated here; MappingError when bad);
    schema.SHEETS itself for None or an empty mapping."""
    if not mapping:
        return SHEETS
    checked = validate_mapping(mapping)
    return tuple(mapped_spec(spec, checked) for spec in SHEETS)


# ------------------------------------------------------------------------------- the format's headers
def rewrite_headers(data: bytes, settings: Any = None, mapping: Mapping_ | None = None) -> bytes:
    """The workbook `data` with each mapped header cell (first HEADER_SEARCH_ROWS rows of its sheet, equal
    to the mapped header after normalisation) renamed to the format's header of its field, saved with
    openpyxl (formulas replaced by their saved values). Trusts `data` to be safe to parse: run it in the
    sandbox (format_headed_copy)."""
    from openpyxl import load_workbook

    from ..common import cell_text

    checked = validate_mapping(mapping or {})
    book = load_workbook(io.BytesIO(data), data_only=True)
    by_key = {match_key(name): name for name in reversed(book.sheetnames)}
    for spec in SHEETS:
        pairs = checked.get(spec.name)
        name = by_key.get(match_key(spec.name))
        if not pairs or name is None:
            continue
        header_of = {c.field: c.header for c in spec.columns}
        renamed = {header_keys(h)[0]: header_of[f] for h, f in pairs.items()}
        sheet = book[name]
        for row in sheet.iter_rows(min_row=1, max_row=min(HEADER_SEARCH_ROWS, sheet.max_row)):
            for cell in row:
                if isinstance(cell.value, str) and clean_text(cell.value):
                    new = renamed.get(header_keys(cell.value)[0])
                    if new is not None:
                        cell_text.put(cell, new)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _same_tables(left: Any, right: Any) -> bool:
    """Whether two model.Workbook hold the same tables (values, types, row numbers)."""
    from dataclasses import fields

    for item in fields(left):
        a, b = getattr(left, item.name), getattr(right, item.name)
        if (a is None) != (b is None):
            return False
        if a is not None and not (
            list(a.columns) == list(b.columns) and a.reset_index(drop=True).equals(b.reset_index(drop=True))
        ):
            return False
    return True


def format_headed_copy(data: bytes, settings: Any, mapping: Mapping_) -> bytes:
    """The upload as it can be stored: its mapped headers renamed to the format's (rewrite_headers, in the
    sandbox), checked to read without the mapping to exactly the tables the mapped reading gives.
    Raises MappingError when they differ or either reading has errors; UnsafeFile from the sandbox."""
    from .safety import check_upload
    from .sandbox import parse_isolated

    checked = validate_mapping(mapping)
    check_upload(data, settings)
    copy = parse_isolated(
        data, settings, "cchc_lib.reading.column_mapping:rewrite_headers", mapping=checked, expect=bytes
    )
    mapped = parse_isolated(data, settings, mapping=checked)
    check_upload(copy, settings)
    plain = parse_isolated(copy, settings)
    if not (mapped.ok and plain.ok and _same_tables(mapped.workbook, plain.workbook)):
        raise MappingError(
            [
                "Không lưu được tệp với tiêu đề cột theo mẫu: sau khi đổi tên các cột đã ghép, tệp không còn "
                "đọc ra đúng các số liệu như khi đọc theo cách ghép. Hãy đổi tiêu đề các cột trong tệp theo "
                "mẫu rồi tải lên lại."
            ]
        )
    return copy
