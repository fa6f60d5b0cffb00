"""Read a tracking workbook (.xlsx bytes or path) into tables plus every problem found (workbook.md)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

from .cells import CellError, is_blank, parse_value
from .model import PROBLEM_COLUMNS, ReadResult
from .problems import ProblemLog
from .resolve import TypeCatalogue, build_catalogue, resolve_workbook
from .schema import (
    COUNT,
    HEADER_SEARCH_ROWS,
    IGNORED_HEADER_KEYS,
    SHEETS,
    TEXT,
    TOTAL_ROW_KEYS,
    Column,
    SheetSpec,
)
from .settings import Settings
from .text import clean_text, match_key

__all__ = ["RawSheet", "read_workbook"]


@dataclass
class RawSheet:
    """One sheet after header detection and cell parsing, before cross-sheet references are resolved.

    `frame` has one column per matched field (parsed values; None where blank) plus `row`
    (Excel row number); `headers` maps field -> header text as written (Kế hoạch type columns
    as `type:<CODE>`); `type_columns` maps type code -> header as written.
    """

    spec: SheetSpec
    name: str
    frame: pd.DataFrame
    headers: dict[str, str]
    type_columns: dict[str, str] = field(default_factory=dict)


def read_workbook(source: bytes | str | Path, settings: Settings | None = None) -> ReadResult:
    """Read and check a workbook. Bytes or a path in; ReadResult (workbook or None, problems) out.

    Trusts that the file is safe to parse (see sandbox.read_untrusted for uploads).
    """
    settings = settings or Settings()
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    log = ProblemLog()
    by_key = {match_key(name): name for name in reversed(book.sheet_names)}
    raw: dict[str, RawSheet] = {}
    catalogue: TypeCatalogue | None = None
    for spec in SHEETS:
        if spec.type_columns and catalogue is None:
            catalogue = build_catalogue(raw.get("activity_types"), log)
        name = by_key.get(match_key(spec.name))
        if name is None:
            if spec.required:
                log.error(
                    "missing_sheet",
                    None,
                    None,
                    None,
                    f"Thiếu trang tính '{spec.name}'. Hãy thêm trang tính này (xem mẫu).",
                )
            continue
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        sheet = _read_sheet(spec, name, rows, log, catalogue)
        if sheet is not None:
            raw[spec.key] = sheet
    if catalogue is None:
        catalogue = build_catalogue(raw.get("activity_types"), log)
    workbook = resolve_workbook(raw, catalogue, settings, log)
    problems = log.frame()
    if log.has_errors:
        workbook = None
    return ReadResult(workbook, problems if len(problems) else pd.DataFrame(columns=PROBLEM_COLUMNS))


def _required_keys(spec: SheetSpec) -> list[tuple[str, set[str]]]:
    """(header, every accepted match key) of each required column."""
    return [(c.header, {match_key(h) for h in c.headers}) for c in spec.columns if c.required]


def _find_header(spec: SheetSpec, rows: list[list[object]]) -> int | None:
    wanted = _required_keys(spec)
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = {match_key(c) for c in row if isinstance(c, str) and c}
        if all(keys & accepted for _, accepted in wanted):
            return index
    return None


def _missing_headers(spec: SheetSpec, rows: list[list[object]]) -> list[str]:
    wanted = _required_keys(spec)
    best: list[str] = [header for header, _ in wanted]
    for row in rows[:HEADER_SEARCH_ROWS]:
        keys = {match_key(c) for c in row if isinstance(c, str) and c}
        missing = [header for header, accepted in wanted if not keys & accepted]
        if len(missing) < len(best):
            best = missing
    return best


def _read_sheet(
    spec: SheetSpec,
    name: str,
    rows: list[list[object]],
    log: ProblemLog,
    catalogue: TypeCatalogue | None,
) -> RawSheet | None:
    header_index = _find_header(spec, rows)
    if header_index is None:
        missing = ", ".join(f"'{h}'" for h in _missing_headers(spec, rows))
        log.error(
            "missing_header",
            name,
            None,
            None,
            f"Trang '{name}' thiếu cột bắt buộc {missing} trong {HEADER_SEARCH_ROWS} dòng đầu. "
            "Hãy thêm dòng tiêu đề có đủ các cột này.",
        )
        return None
    header_row = rows[header_index]
    excel_header_row = header_index + 1
    by_key = {match_key(h): c for c in spec.columns for h in c.headers}
    columns: dict[int, Column] = {}
    headers: dict[str, str] = {}
    type_columns: dict[str, str] = {}
    extras: list[str] = []
    for position, cell in enumerate(header_row):
        if is_blank(cell):
            continue
        written = clean_text(cell)
        key = match_key(written)
        column = by_key.get(key)
        if column is not None:
            if column.field in headers:
                log.error(
                    "duplicate_column",
                    name,
                    excel_header_row,
                    written,
                    f"Cột '{written}' xuất hiện hai lần. Hãy xóa hoặc đổi tên một cột.",
                )
                continue
            columns[position] = column
            headers[column.field] = written
        elif key in IGNORED_HEADER_KEYS:
            continue
        elif spec.type_columns and catalogue is not None:
            code = catalogue.code_of(written)
            if code is None:
                if _holds_numbers(rows[header_index + 1 :], position):
                    log.error(
                        "unknown_type", name, excel_header_row, written, catalogue.unknown_message(written)
                    )
                else:
                    extras.append(written)
            elif f"type:{code}" in headers:
                log.error(
                    "duplicate_column",
                    name,
                    excel_header_row,
                    written,
                    f"Loại '{code}' có hai cột chỉ tiêu. Hãy giữ một cột.",
                )
            else:
                columns[position] = Column(written, f"type:{code}", COUNT)
                headers[f"type:{code}"] = written
                type_columns[code] = written
        else:
            extras.append(written)
    if extras:
        log.warning(
            "extra_column",
            name,
            excel_header_row,
            ", ".join(extras),
            f"Trang '{name}' có cột không dùng đến: {', '.join(extras)}. Các cột này được bỏ qua.",
        )
    frame = _parse_rows(spec, name, rows[header_index + 1 :], excel_header_row + 1, columns, log)
    return RawSheet(spec, name, frame, headers, type_columns)


def _holds_numbers(rows: list[list[object]], position: int) -> bool:
    """True when some cell of the column holds a number (it is meant as a target column)."""
    for row in rows:
        value = row[position] if position < len(row) else ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return True
        if isinstance(value, str) and clean_text(value).isdigit():
            return True
    return False


def _data_rows(
    rows: list[list[object]],
    first_row: int,
    name: str,
    positions: list[int],
    log: ProblemLog,
    total_rows: bool = True,
) -> list[int]:
    """Indices into `rows` of the data rows: total rows dropped with a warning, blank rows dropped.

    A row is blank when every column that is read (`positions`) is blank, so rows holding only a
    pre-filled STT number or an ignored column are skipped too.
    """
    keep: list[int] = []
    for index, row in enumerate(rows):
        first = next((c for c in row if c != "" and c is not None), None)
        if first is None:
            continue
        if total_rows and isinstance(first, str) and match_key(first) in TOTAL_ROW_KEYS:
            log.warning(
                "total_row",
                name,
                first_row + index,
                None,
                f"Dòng '{clean_text(first)}' là dòng tổng: được bỏ qua, không cộng vào số liệu.",
            )
            continue
        width = len(row)
        if all(p >= width or is_blank(row[p]) for p in positions):
            continue
        keep.append(index)
    return keep


def _parse_rows(
    spec: SheetSpec,
    name: str,
    rows: list[list[object]],
    first_row: int,
    columns: dict[int, Column],
    log: ProblemLog,
) -> pd.DataFrame:
    keep = _data_rows(rows, first_row, name, sorted(columns), log, spec.total_rows)
    data: dict[str, list[object]] = {"row": [first_row + i for i in keep]}
    for position, column in columns.items():
        raw = [rows[i][position] if position < len(rows[i]) else "" for i in keep]
        data[column.field] = _parse_column(column, raw, data["row"], name, log)
    for column in spec.columns:
        data.setdefault(column.field, [None] * len(keep))
    if not keep:  # a sheet with headers only: pandas would make every empty column float64
        return pd.DataFrame({k: pd.Series([], dtype="int64" if k == "row" else "object") for k in data})
    return pd.DataFrame(data)


def _parse_column(
    column: Column, raw: list[object], excel_rows: list[int], sheet: str, log: ProblemLog
) -> list[object]:
    cache: dict[tuple[type, object], object] = {}
    parse: Callable[[object], object] = _text_parser if column.kind == TEXT else _kind_parser(column.kind)
    out: list[object] = []
    for value, excel_row in zip(raw, excel_rows, strict=True):
        if value == "" or value is None:
            out.append(None)
            if column.required:
                log.error(
                    "missing_value",
                    sheet,
                    excel_row,
                    column.header,
                    f"Ô '{column.header}' đang trống. Hãy điền giá trị.",
                )
            continue
        key = (type(value), value)
        result = cache.get(key)
        if result is None:
            try:
                result = parse(value)
            except CellError as problem:
                result = problem
            cache[key] = result
        if isinstance(result, CellError):
            log.error(result.code, sheet, excel_row, column.header, result.message)
            out.append(None)
        elif result == "" and column.required:
            log.error(
                "missing_value",
                sheet,
                excel_row,
                column.header,
                f"Ô '{column.header}' đang trống. Hãy điền giá trị.",
            )
            out.append(None)
        else:
            out.append(result if result != "" else None)
    return out


def _text_parser(value: object) -> object:
    return parse_value(TEXT, value)


def _kind_parser(kind: str) -> Callable[[object], object]:
    return lambda value: parse_value(kind, value)
