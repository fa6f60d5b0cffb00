"""Read a tracking workbook (.xlsx bytes or path) into tables plus every problem found (workbook.md)."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

from ..common.settings import Settings
from ..common.text import clean_text, header_keys, match_key
from . import intake
from .cells import CellError, is_blank, parse_value
from .model import PROBLEM_COLUMNS, ReadResult
from .package import CellFlags, FormulaCell, column_letters, is_ods, ods_cell_flags, open_package
from .plausibility import Limit, implausible_message, limits
from .problems import ProblemLog
from .raw_sheet import RawSheet
from .resolve import TypeCatalogue, build_catalogue, resolve_workbook
from .schema import (
    COUNT,
    DATE,
    HEADER_SEARCH_ROWS,
    IGNORED_HEADER_KEYS,
    MONEY,
    QUANTITY,
    SCORE,
    SHEETS,
    TARGET,
    Column,
    SheetSpec,
)

__all__ = ["read_workbook"]


def read_workbook(
    source: bytes | str | Path, settings: Settings | None = None, mapping: dict | None = None
) -> ReadResult:
    """Read and check a workbook. Bytes or a path in; ReadResult (workbook or None, problems) out.

    Trusts that the file is safe to parse (see sandbox.read_untrusted for uploads). `mapping`
    ({sheet: {header in the file: field}}, column_mapping.py) names the office's own headers: each mapped
    header is read as its field's header; None reads the format's headers only.
    """
    # Column mapping hook: the sheets as the reader sees them under the mapping (SHEETS without one).
    from .column_mapping import mapped_sheets

    settings = settings or Settings()
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    package = open_package(data)
    if package is not None:
        moved = package.standard_layout()  # a workbook part elsewhere than xl/workbook.xml
        if moved is not None:
            data = moved
            package = open_package(data)
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    parts = package.sheet_parts() if package is not None else {}
    date1904 = package.date1904() if package is not None else False
    ods_flags = (
        ods_cell_flags(package.archive, set(book.sheet_names))
        if package is not None and is_ods(package.archive)
        else {}
    )
    scan_limit = int(settings.max_uncompressed_mb * 1024 * 1024)
    log = ProblemLog()
    by_key = {match_key(name): name for name in reversed(book.sheet_names)}
    raw: dict[str, RawSheet] = {}
    catalogue: TypeCatalogue | None = None
    for spec in mapped_sheets(mapping) if mapping else SHEETS:
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
        calamine_sheet = book.get_sheet_by_name(name)
        rows = calamine_sheet.to_python(skip_empty_area=False)
        flags = package.cell_flags(parts[name], scan_limit) if package is not None and name in parts else None
        flags = flags or ods_flags.get(name)
        if flags:
            rows = _mark_formula_cells(rows, flags, name, log)
        merges = _merges(calamine_sheet)
        context = _Context(
            date1904,
            frozenset((r0, c0) for (r0, c0), (_, c1) in merges if c1 > c0),
            merges,
            limits(settings),
        )
        sheet = _read_sheet(spec, name, rows, log, catalogue, context)
        if sheet is not None:
            raw[spec.key] = sheet
    if catalogue is None:
        catalogue = build_catalogue(raw.get("activity_types"), log)
    workbook = resolve_workbook(raw, catalogue, settings, log)
    problems = log.frame()
    if log.has_errors:
        workbook = None
    return ReadResult(workbook, problems if len(problems) else pd.DataFrame(columns=PROBLEM_COLUMNS))


@dataclass(frozen=True)
class _Context:
    """What the reading of one sheet needs besides its cells."""

    date1904: bool = False
    # (row index, column index), 0-based, of cells that start a merge spanning two columns or more.
    merged_across: frozenset[tuple[int, int]] = frozenset()
    # Every merged range: ((first row, first col), (last row, last col)), 0-based, inclusive.
    merges: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = ()
    # {cell kind: the largest plausible value} (plausibility.limits): above it a cell is an error.
    limits: dict[str, Limit] = field(default_factory=dict)


def _merges(sheet: object) -> tuple[tuple[tuple[int, int], tuple[int, int]], ...]:
    try:
        ranges = sheet.merged_cell_ranges or []  # type: ignore[attr-defined]
    except Exception:  # not every format has merge information
        return ()
    return tuple((tuple(start), tuple(end)) for start, end in ranges)  # type: ignore[misc]


_COUNTED_KINDS = (QUANTITY, COUNT, TARGET, MONEY, SCORE)


def _merged_down(
    name: str,
    rows: list[list[object]],
    data_index: int,
    columns: dict[int, Column],
    merges: tuple[tuple[tuple[int, int], tuple[int, int]], ...],
    log: ProblemLog,
) -> None:
    """Cells merged down over several data rows keep their value in the first row only. A date, unit,
    type, year or text merged down belongs to every row of the merge: it is filled down. A number
    merged down (a quantity, a target) cannot be split between the rows: an error naming the range."""
    for (r0, c0), (r1, c1) in merges:
        if r1 <= r0 or r1 < data_index:
            continue
        first = max(r0, data_index)
        for col in range(c0, c1 + 1):
            column = columns.get(col)
            if column is None or first >= len(rows):
                continue
            top = rows[r0][col] if col < len(rows[r0]) else ""
            if is_blank(top) or r0 < data_index:
                continue
            span = f"{column_letters(col + 1)}{r0 + 1}:{column_letters(col + 1)}{r1 + 1}"
            if column.kind in _COUNTED_KINDS:
                log.error(
                    "merged_number",
                    name,
                    r0 + 1,
                    column.header,
                    f"Ô {span} được gộp qua {r1 - r0 + 1} dòng nên không biết số này thuộc dòng nào. Hãy bỏ gộp "
                    f"ô và ghi '{column.header}' cho từng dòng.",
                )
                continue
            for row in range(r0 + 1, min(r1, len(rows) - 1) + 1):
                line = rows[row]
                if len(line) <= col:
                    line.extend([""] * (col + 1 - len(line)))
                if is_blank(line[col]):
                    line[col] = top


def _mark_formula_cells(
    rows: list[list[object]], flags: CellFlags, name: str, log: ProblemLog
) -> list[list[object]]:
    """Put a FormulaCell where the sheet holds a formula error or a formula without a value, so that
    no such cell reads as empty. Rows are padded where calamine's range stops short of a flagged cell."""
    if flags.unplaced:
        log.error(
            "formula_cells",
            name,
            None,
            None,
            f"Trang '{name}' có {flags.unplaced} ô công thức bị lỗi hoặc chưa có giá trị đã tính mà không "
            "xác định được vị trí: mở tệp trong Excel và lưu lại, rồi tải lên lại.",
        )
    places = [(place, FormulaCell(_ref(place), error)) for place, error in flags.errors.items()]
    places += [(place, FormulaCell(_ref(place))) for place in flags.uncached if place not in flags.errors]
    for (row, col), cell in places:
        while len(rows) < row:
            rows.append([])
        line = rows[row - 1]
        if len(line) < col:
            line.extend([""] * (col - len(line)))
        if cell.error is not None or is_blank(line[col - 1]):
            line[col - 1] = cell
    return rows


def _ref(place: tuple[int, int]) -> str:
    return f"{column_letters(place[1])}{place[0]}"


def _column_lookup(spec: SheetSpec) -> dict[str, Column]:
    """Every key a header of the spec is matched by -> its column (exact spellings win)."""
    lookup: dict[str, Column] = {}
    for exact in (True, False):
        for column in spec.columns:
            for header in column.headers:
                keys = header_keys(header)
                for key in keys[:1] if exact else keys:
                    lookup.setdefault(key, column)
    return lookup


def _match_column(lookup: dict[str, Column], cell: object) -> Column | None:
    for key in header_keys(cell):
        found = lookup.get(key)
        if found is not None:
            return found
    return None


def _row_fields(lookup: dict[str, Column], row: list[object]) -> set[str]:
    return {
        c.field for c in (_match_column(lookup, cell) for cell in row if isinstance(cell, str) and cell) if c
    }


def _required_fields(spec: SheetSpec) -> list[Column]:
    return [c for c in spec.columns if c.required]


def _is_subheader(
    row: list[object],
    above: list[object],
    lookup: dict[str, Column],
    catalogue: TypeCatalogue | None,
    spec: SheetSpec,
) -> bool:
    """True when `row` certainly continues the header row `above` (two-row headers): every filled cell
    is a known header, an ignored header or (Kế hoạch) an activity type, none sits under a header of
    `above` that is already a known column, and at least one is filled."""
    filled = [(p, c) for p, c in enumerate(row) if not is_blank(c)]
    if not filled:
        return False
    for position, cell in filled:
        if not isinstance(cell, str):
            return False
        over = above[position] if position < len(above) else ""
        if isinstance(over, str) and over and _match_column(lookup, over) is not None:
            return False
        known = (
            _match_column(lookup, cell) is not None
            or match_key(cell) in IGNORED_HEADER_KEYS
            or (spec.type_columns and catalogue is not None and catalogue.code_of(cell) is not None)
        )
        if not known:
            return False
    return True


def _find_header(
    spec: SheetSpec, rows: list[list[object]], catalogue: TypeCatalogue | None = None
) -> tuple[int, list[object], int] | None:
    """(index of the header's first row, the header cells, rows the header takes: 1 or 2)."""
    lookup = _column_lookup(spec)
    wanted = {c.field for c in _required_fields(spec)}
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        below = rows[index + 1] if index + 1 < len(rows) else []
        paired = _is_subheader(below, row, lookup, catalogue, spec)
        fields = _row_fields(lookup, row)
        if paired:
            combined = [
                below[p] if p < len(below) and not is_blank(below[p]) else (row[p] if p < len(row) else "")
                for p in range(max(len(row), len(below)))
            ]
            if wanted <= _row_fields(lookup, combined) and (wanted <= fields or fields):
                return index, combined, 2
        if wanted <= fields:
            return index, list(row), 1
    return None


def _missing_headers(spec: SheetSpec, rows: list[list[object]]) -> list[str]:
    lookup = _column_lookup(spec)
    required = _required_fields(spec)
    best: list[str] = [c.header for c in required]
    for row in rows[:HEADER_SEARCH_ROWS]:
        fields = _row_fields(lookup, row)
        missing = [c.header for c in required if c.field not in fields]
        if len(missing) < len(best):
            best = missing
    return best


def _read_sheet(
    spec: SheetSpec,
    name: str,
    rows: list[list[object]],
    log: ProblemLog,
    catalogue: TypeCatalogue | None,
    context: _Context = _Context(),
) -> RawSheet | None:
    found = _find_header(spec, rows, catalogue)
    if found is None:
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
    header_index, header_row, header_height = found
    excel_header_row = header_index + 1
    data_index = header_index + header_height
    lookup = _column_lookup(spec)
    columns: dict[int, Column] = {}
    headers: dict[str, str] = {}
    type_columns: dict[str, str] = {}
    extras: list[str] = []
    extra_positions: list[int] = []
    for position, cell in enumerate(header_row):
        if is_blank(cell) or not isinstance(cell, str | int | float):
            continue
        written = clean_text(cell if isinstance(cell, str) else _number_text(cell))
        key = match_key(written)
        column = _match_column(lookup, written)
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
                if _holds_numbers(rows[data_index:], position):
                    log.error(
                        "unknown_type", name, excel_header_row, written, catalogue.unknown_message(written)
                    )
                else:
                    extras.append(written)
                    extra_positions.append(position)
            elif f"type:{code}" in headers:
                log.error(
                    "duplicate_column",
                    name,
                    excel_header_row,
                    written,
                    f"Loại '{code}' có hai cột chỉ tiêu. Hãy giữ một cột.",
                )
            else:
                columns[position] = Column(written, f"type:{code}", TARGET)
                headers[f"type:{code}"] = written
                type_columns[code] = written
        else:
            extras.append(written)
            extra_positions.append(position)
    _check_number_columns(
        spec, name, rows[data_index:], headers, extras, extra_positions, excel_header_row, log
    )
    if extras:
        log.warning(
            "extra_column",
            name,
            excel_header_row,
            ", ".join(extras),
            f"Trang '{name}' có cột không dùng đến: {', '.join(extras)}. Các cột này được bỏ qua.",
        )
    if context.merges:
        _merged_down(name, rows, data_index, columns, context.merges, log)
    frame = _parse_rows(spec, name, rows, data_index, columns, log, context)
    return RawSheet(spec, name, frame, headers, type_columns)


def _number_text(value: object) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


_NUMERIC_KINDS = (QUANTITY, COUNT, MONEY)


def _check_number_columns(
    spec: SheetSpec,
    name: str,
    rows: list[list[object]],
    headers: dict[str, str],
    extras: list[str],
    positions: list[int],
    header_row: int,
    log: ProblemLog,
) -> None:
    """An optional number column (Số lượng ...) that is missing while an ignored column holds whole
    numbers: the numbers would be dropped silently (every activity counting 1), so it is an error."""
    missing = [
        c for c in spec.columns if c.kind in _NUMERIC_KINDS and not c.required and c.field not in headers
    ]
    if not missing:
        return
    for written, position in zip(extras, positions, strict=True):
        if match_key(written) in IGNORED_HEADER_KEYS or not _whole_numbers(rows, position):
            continue
        wanted = " hoặc ".join(f"'{c.header}'" for c in missing)
        log.error(
            "unnamed_number_column",
            name,
            header_row,
            written,
            f"Cột {column_letters(position + 1)} '{written}' chứa số nguyên nhưng tên cột không theo mẫu: cột "
            f"này có vẻ là {wanted}. Nếu đúng, hãy đổi tiêu đề cột thành {wanted}; nếu không, hãy thêm cột "
            f"{wanted} (để trống nếu không có số liệu).",
        )


def _whole_numbers(rows: list[list[object]], position: int) -> bool:
    """True when the column's filled cells are all whole numbers, some above 1, and are not an STT
    numbering (1, 2, 3 ...)."""
    numbers: list[float] = []
    for row in rows:
        value = row[position] if position < len(row) else ""
        if is_blank(value):
            continue
        if isinstance(value, bool):
            return False
        if isinstance(value, int | float) and float(value).is_integer():
            numbers.append(float(value))
        elif isinstance(value, str) and clean_text(value).isdigit():
            numbers.append(float(clean_text(value)))
        else:
            return False
    if not numbers or max(numbers) <= 1:
        return False
    return numbers != [float(i) for i in range(int(numbers[0]), int(numbers[0]) + len(numbers))]


def _holds_numbers(rows: list[list[object]], position: int) -> bool:
    """True when some cell of the column holds a number (it is meant as a target column)."""
    for row in rows:
        value = row[position] if position < len(row) else ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return True
        if isinstance(value, str) and _WHOLE_TEXT.match(clean_text(value)):
            return True
    return False


_WHOLE_TEXT = re.compile(r"^\d{1,3}(?:[. ]\d{3})*$|^\d+$")


_SKIPPED_MESSAGES = {
    intake.TOTAL: "dòng tổng/cộng",
    intake.HEADING: "dòng tiêu đề nhóm (khối, tháng, quý)",
    intake.SIGNATURE: "dòng ký tên dưới bảng (nơi, ngày tháng, người lập biểu, thủ trưởng đơn vị)",
    intake.NUMBERS: "dòng đánh số cột dưới tiêu đề",
}


def _data_rows(
    spec: SheetSpec,
    name: str,
    rows: list[list[object]],
    data_index: int,
    columns: dict[int, Column],
    log: ProblemLog,
    context: _Context,
) -> list[int]:
    """Indices into `rows` of the data rows below the header: blank rows dropped; totals, headings and
    the signature block dropped with one warning per kind (intake.classify_rows has the rules)."""
    layout = intake.classify_rows(rows[data_index:], spec, columns, data_index, context.merged_across)
    for kind, indices in layout.skipped.items():
        excel_rows = [data_index + i + 1 for i in indices]
        sample = next(
            (clean_text(c) for c in rows[data_index + indices[0]] if isinstance(c, str) and not is_blank(c)),
            "",
        )
        shown = ", ".join(str(r) for r in excel_rows[:10]) + (", …" if len(excel_rows) > 10 else "")
        log.warning(
            kind,
            name,
            excel_rows[0],
            None,
            f"{len(excel_rows)} {_SKIPPED_MESSAGES[kind]} được bỏ qua, không cộng vào số liệu "
            f"(dòng {shown}; ví dụ '{sample[:60]}').",
        )
    return [data_index + i for i in layout.data]


def _parse_rows(
    spec: SheetSpec,
    name: str,
    rows: list[list[object]],
    data_index: int,
    columns: dict[int, Column],
    log: ProblemLog,
    context: _Context = _Context(),
) -> pd.DataFrame:
    keep = _data_rows(spec, name, rows, data_index, columns, log, context)
    data: dict[str, list[object]] = {"row": [i + 1 for i in keep]}
    uncached: list[tuple[FormulaCell, str]] = []
    for (position, column), raw in zip(
        columns.items(), _kept_columns(rows, keep, list(columns)), strict=True
    ):
        letter = column_letters(position + 1)
        data[column.field] = _parse_column(column, raw, data["row"], name, log, context, uncached, letter)
    if uncached:
        first = ", ".join(cell.ref for cell, _ in uncached[:5]) + (", …" if len(uncached) > 5 else "")
        log.error(
            "formula_without_value",
            name,
            int(re.sub(r"^[A-Z]+", "", uncached[0][0].ref)),
            uncached[0][1],
            f"Trang '{name}' có {len(uncached)} ô công thức chưa có giá trị đã tính (ô {first}): "
            "mở tệp trong Excel và lưu lại, rồi tải lên lại.",
        )
    for column in spec.columns:
        data.setdefault(column.field, [None] * len(keep))
    if not keep:  # a sheet with headers only: pandas would make every empty column float64
        return pd.DataFrame({k: pd.Series([], dtype="int64" if k == "row" else "object") for k in data})
    # object columns: with pandas 3 a list of texts and None would become str with NaN for None
    return pd.DataFrame({k: pd.Series(v, dtype="int64" if k == "row" else "object") for k, v in data.items()})


def _kept_columns(rows: list[list[object]], keep: list[int], positions: list[int]) -> list[list[object]]:
    """The cells at `positions` of the rows `keep`, column by column ("" beyond a row's end)."""
    kept = [rows[i] for i in keep]
    if not positions or all(len(row) > max(positions) for row in kept):
        return [[row[p] for row in kept] for p in positions]
    return [[row[p] if p < len(row) else "" for row in kept] for p in positions]


def _parse_column(
    column: Column,
    raw: Sequence[object],
    excel_rows: list[int],
    sheet: str,
    log: ProblemLog,
    context: _Context,
    uncached: list[tuple[FormulaCell, str]],
    letter: str = "",
) -> list[object]:
    outcomes: dict[object, tuple[object, tuple[str, str] | int | None]] = {}
    parse = _parser(column.kind, context.date1904)
    limit = context.limits.get(column.kind)
    blank = _blank_outcome(column)
    out: list[object] = []
    for value, excel_row in zip(raw, excel_rows, strict=True):
        key = value if type(value) is str else (type(value), value)
        outcome = outcomes.get(key)
        if outcome is None:
            if isinstance(value, FormulaCell):
                out.append(None)
                _formula_cell(value, column, sheet, excel_row, log, uncached)
                continue
            if value == "" or value is None or (isinstance(value, float) and math.isnan(value)):
                outcome = blank
            else:
                outcome = _outcome(column, value, parse, limit)
            outcomes[key] = outcome
        result, problem = outcome
        out.append(result)
        if problem is None:
            continue
        if isinstance(problem, int):
            message = implausible_message(limit, problem, f"{letter}{excel_row}")  # type: ignore[arg-type]
            log.error("implausible_number", sheet, excel_row, column.header, message)
        else:
            log.error(problem[0], sheet, excel_row, column.header, problem[1])
    return out


def _formula_cell(
    cell: FormulaCell,
    column: Column,
    sheet: str,
    excel_row: int,
    log: ProblemLog,
    uncached: list[tuple[FormulaCell, str]],
) -> None:
    """A formula without a value waits in `uncached` (one error per sheet); a formula error is logged."""
    if cell.error is None:
        uncached.append((cell, column.header))
        return
    log.error(
        "formula_error",
        sheet,
        excel_row,
        column.header,
        f"Ô {cell.ref} có lỗi công thức '{cell.error}', không đọc được giá trị. Hãy sửa công "
        "thức (hoặc ghi thẳng giá trị) trong Excel rồi lưu lại.",
    )


def _blank_outcome(column: Column) -> tuple[None, tuple[str, str] | None]:
    """(value, problem) of an empty cell of the column: a missing_value error when it is required."""
    if not column.required:
        return None, None
    return None, ("missing_value", f"Ô '{column.header}' đang trống. Hãy điền giá trị.")


def _outcome(
    column: Column, value: object, parse: Callable[[object], object], limit: Limit | None
) -> tuple[object, tuple[str, str] | int | None]:
    """(the value read, its problem) for a filled cell, the same for every cell holding that value:
    the problem is None, (code, message), or the implausible number (its message names the cell)."""
    try:
        result = parse(value)
    except CellError as problem:
        return None, (problem.code, problem.message)
    if (result == "" or result is None) and column.required:
        return _blank_outcome(column)
    if limit is not None and isinstance(result, int) and result > limit.value:
        return None, result  # never counted: the workbook has an error
    return (result if result != "" else None), None


def _parser(kind: str, date1904: bool) -> Callable[[object], object]:
    if kind == DATE:
        return lambda value: parse_value(DATE, value, date1904=date1904)
    return lambda value: parse_value(kind, value)
