"""The `validate` and `summary` commands (cli.md): thin wrappers over sandbox, periods and metrics."""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TextIO

import pandas as pd

from ..common.formatting import round_half_up
from ..common.periods import CALENDAR, CALENDARS, Period, PeriodError, parse_period
from ..common.settings import Settings
from ..figures.metrics import PVA_COLUMNS, plan_vs_actual
from ..reading.model import ReadResult
from ..reading.safety import UnsafeFile
from ..reading.sandbox import load_bytes, read_untrusted

__all__ = [
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_UNREADABLE",
    "YEAR_RANGE",
    "CliParser",
    "cli_period",
    "register",
    "summary_records",
    "vietnamese_error",
]

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
SUMMARY_COLUMNS = PVA_COLUMNS  # cli.md: exactly the plan_vs_actual columns
MAPPING_HELP = 'tệp JSON ghép tiêu đề cột của tệp với cột của mẫu: {"trang tính": {"tiêu đề": "cột"}}'


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `validate` and `summary` to the command line."""
    validate = subparsers.add_parser("validate", help="Kiểm tra một tệp số liệu theo định dạng chuẩn")
    validate.add_argument("file")
    validate.add_argument("--format", choices=("text", "json"), default="text")
    validate.add_argument("--mapping", metavar="MAP.json", help=MAPPING_HELP)
    validate.set_defaults(handler=run_validate)
    summary = subparsers.add_parser("summary", help="Kế hoạch và thực hiện theo đơn vị, loại hoạt động")
    summary.add_argument("file")
    summary.add_argument("--period", required=True, help="2024, 2024-Q1…Q4, 2024-H1, 2024-H2, 2024-9M")
    summary.add_argument("--calendar", choices=CALENDARS, default=CALENDAR)
    summary.add_argument("--format", choices=("csv", "json"), default="csv")
    summary.add_argument("--mapping", metavar="MAP.json", help=MAPPING_HELP)
    summary.set_defaults(handler=run_summary)


def _problem_records(problems: pd.DataFrame) -> list[dict[str, object]]:
    records = []
    for row in problems.itertuples(index=False):
        records.append(
            {
                "level": row.level,
                "code": row.code,
                "sheet": None if pd.isna(row.sheet) else row.sheet,
                "row": None if pd.isna(row.row) else int(row.row),
                "column": None if pd.isna(row.column) else row.column,
                "message": row.message,
            }
        )
    return records


def _problem_line(problem: dict[str, object]) -> str:
    label = "LỖI" if problem["level"] == "error" else "Cảnh báo"
    where = []
    if problem["sheet"]:
        where.append(f"trang '{problem['sheet']}'")
    if problem["row"] is not None:
        where.append(f"dòng {problem['row']}")
    if problem["column"]:
        where.append(f"cột '{problem['column']}'")
    place = f" [{', '.join(where)}]" if where else ""
    return f"{label}{place}: {problem['message']}"


def _by_sheet_and_row(problems: list[dict[str, object]]) -> list[dict[str, object]]:
    """Problems for reading: the file's own first, then sheet by sheet (in the format's order), row by row."""
    from ..common.text import match_key
    from ..reading.schema import SHEETS

    order = {match_key(spec.name): i for i, spec in enumerate(SHEETS)}

    def key(problem: dict[str, object]) -> tuple[int, int]:
        sheet = order.get(match_key(problem["sheet"]), len(order)) if problem["sheet"] else -1
        return sheet, problem["row"] if problem["row"] is not None else -1  # type: ignore[return-value]

    return sorted(problems, key=key)


def _read(path: str, settings: Settings, err: TextIO, mapping_file: str | None = None) -> ReadResult | None:
    """The workbook read in the sandbox (with the column mapping of `mapping_file`, when given), or None
    after one Vietnamese line on `err` for an unreadable file or a bad mapping file."""
    from ..reading.column_mapping import MappingError, load_mapping_file

    try:
        mapping = load_mapping_file(mapping_file) if mapping_file else None
        return read_untrusted(path, settings, mapping=mapping)
    except MappingError as problem:
        print(f"Không dùng được tệp ghép cột: {problem.message}", file=err)
        return None
    except UnsafeFile as problem:
        print(f"Không đọc được tệp: {problem.full_message}", file=err)
        return None


def _tables(path: str, settings: Settings, err: TextIO, mapping_file: str | None = None) -> ReadResult | None:
    """Like `_read` for commands that need only the tables: a published version's file (the same bytes,
    read without a column mapping) comes from its checked snapshot in the store, without a parse."""
    from ..publishing.published import cached_tables

    if not mapping_file:
        try:
            workbook = cached_tables(load_bytes(path, settings), settings)
        except UnsafeFile:
            workbook = None  # `_read` says why
        if workbook is not None:
            return ReadResult(workbook)
    return _read(path, settings, err, mapping_file)


def run_validate(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    """`validate FILE [--mapping MAP.json]`: 0 no errors, 1 errors in the workbook, 2 unreadable file or
    bad mapping file."""
    result = _read(args.file, settings, err, getattr(args, "mapping", None))
    if result is None:
        return EXIT_UNREADABLE
    problems = _problem_records(result.problems)
    if args.format == "json":
        json.dump({"ok": result.ok, "problems": problems}, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        for problem in _by_sheet_and_row(problems):
            print(_problem_line(problem), file=out)
        errors = sum(p["level"] == "error" for p in problems)
        warnings = len(problems) - errors
        verdict = "Tệp hợp lệ." if result.ok else "Tệp có lỗi, chưa dùng được."
        print(f"{verdict} {errors} lỗi, {warnings} cảnh báo.", file=out)
    return EXIT_OK if result.ok else EXIT_INVALID


def summary_records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Plan-vs-actual rows as JSON-ready records: completion rounded half up to 1 decimal (106.25 ->
    106.3, as the documents print it) or None; planned unrounded (a unit's share of a quarter)."""
    records = []
    for row in frame[SUMMARY_COLUMNS].itertuples(index=False):
        planned = float(row.planned)
        pct = row.completion_pct
        records.append(
            {
                "unit_code": row.unit_code,
                "unit_name": row.unit_name,
                "unit_type": row.unit_type,
                "activity_type": row.activity_type,
                "activity_name": row.activity_name,
                "planned": int(planned) if planned.is_integer() else planned,
                "actual": int(row.actual),
                "completion_pct": round_half_up(pct, 1),
            }
        )
    return records


def run_summary(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    """`summary FILE --period P`: plan vs actual per unit × activity type as CSV or JSON."""
    try:
        period = cli_period(args.period)
    except PeriodError as problem:
        print(str(problem), file=err)
        return EXIT_UNREADABLE
    result = _tables(args.file, settings, err, getattr(args, "mapping", None))
    if result is None:
        return EXIT_UNREADABLE
    if not result.ok:
        for problem in _problem_records(result.errors):
            print(_problem_line(problem), file=err)
        return EXIT_INVALID
    frame = plan_vs_actual(result.workbook, period, args.calendar, settings.cutoff_day)
    records = summary_records(frame)
    if args.format == "json":
        json.dump(records, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write("\ufeff")
        writer = csv.DictWriter(out, fieldnames=SUMMARY_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    return EXIT_OK


def main_streams() -> tuple[TextIO, TextIO]:
    """stdout/stderr as UTF-8 whatever the locale."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    return sys.stdout, sys.stderr


# ------------------------------------------------------------------------------------------------
# The parser in Vietnamese: argparse's own texts (usage, headings, -h, errors) are English.

YEAR_RANGE = (1900, 2100)  # the years the reader accepts (workbook.md): a period outside is refused
_ACTION_NAMES = {"command": "lệnh", "store_action": "thao tác", "users_action": "thao tác"}
_TYPE_NAMES = {"int": "số nguyên", "float": "số"}
# Placeholders in the help (argparse writes the upper-cased English dest: PERIOD, OUT, SETTINGS...).
_METAVARS = {
    "file": "tệp",
    "version": "số_phiên_bản",
    "name": "tên",
    "period": "KỲ",
    "out": "TỆP",
    "settings": "TỆP",
    "texts": "TỆP",
    "source": "TỆP",
    "users_file": "TỆP",
    "store_dir": "THƯ_MỤC",
    "issued": "NGÀY",
    "through": "NGÀY",
    "number": "SỐ",
    "unit": "MÃ",
    "year": "NĂM",
    "user": "TÊN",
}


def _name(text: str) -> str:
    return _ACTION_NAMES.get(text, text)


def _choices(text: str) -> str:
    return text.replace("'", "")


# (English pattern of argparse 3.11, Vietnamese rewrite); the first match wins.
_ERRORS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (
        re.compile(r"^the following arguments are required: (.+)$"),
        lambda m: "thiếu " + ", ".join(_name(a) for a in m.group(1).split(", ")),
    ),
    (
        re.compile(r"^argument (.+?): invalid choice: (.+?) \(choose from (.+)\)$"),
        lambda m: f"{_name(m.group(1))} {m.group(2)} không có; chọn một trong: {_choices(m.group(3))}",
    ),
    (
        re.compile(r"^argument (.+?): invalid (\w+) value: (.+)$"),
        lambda m: f"{m.group(1)} cần {_TYPE_NAMES.get(m.group(2), 'giá trị hợp lệ')}, không phải {m.group(3)}",
    ),
    (
        re.compile(r"^argument (.+?): expected (?:one|at least one|\d+) arguments?$"),
        lambda m: f"{m.group(1)} cần một giá trị đi kèm",
    ),
    (
        re.compile(r"^argument (.+?): not allowed with argument (.+)$"),
        lambda m: f"{m.group(1)} không dùng cùng {m.group(2)}",
    ),
    (
        re.compile(r"^argument (.+?): ignored explicit argument (.+)$"),
        lambda m: f"{m.group(1)} không nhận giá trị {m.group(2)}",
    ),
    (re.compile(r"^unrecognized arguments: (.+)$"), lambda m: f"không hiểu tham số {m.group(1)}"),
    (
        re.compile(r"^ambiguous option: (\S+) could match (.+)$"),
        lambda m: f"tùy chọn {m.group(1)} chưa rõ, có thể là {m.group(2)}",
    ),
    (
        re.compile(r"^one of the arguments (.+) is required$"),
        lambda m: f"cần một trong các tham số {m.group(1)}",
    ),
)


def vietnamese_error(message: str) -> str:
    """argparse's English error text in Vietnamese (an unknown text becomes a general sentence)."""
    for pattern, rewrite in _ERRORS:
        match = pattern.match(message)
        if match:
            return rewrite(match)
    return "các tham số không đúng cách dùng"


class CliFormatter(argparse.HelpFormatter):
    """Help text with a Vietnamese usage line."""

    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, "Cách dùng: " if prefix is None else prefix)


class CliParser(argparse.ArgumentParser):
    """An ArgumentParser that speaks Vietnamese: usage, headings, -h and errors (exit code 2 kept)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", CliFormatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "tham số"
        self._optionals.title = "tùy chọn"
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = "xem hướng dẫn này rồi thoát"

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        action = super().add_argument(*args, **kwargs)
        if action.metavar is None and action.choices is None and action.nargs != 0:
            action.metavar = _METAVARS.get(action.dest)
        return action

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(
            f"Lệnh không hợp lệ: {vietnamese_error(message)}. Xem hướng dẫn: {self.prog} -h",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_UNREADABLE)


def cli_period(text: str) -> Period:
    """parse_period for the command line: also refuses years outside 1900–2100 (PeriodError, Vietnamese)."""
    period = parse_period(text)
    first, last = YEAR_RANGE
    if not first <= period.year <= last:
        raise PeriodError(
            f"Năm {str(text).strip()[:4]} của kỳ '{str(text).strip()}' nằm ngoài khoảng {first}–{last}. "
            "Hãy nhập một năm có số liệu, ví dụ 2024 hoặc 2024-Q1."
        )
    return period
