"""The `validate` and `summary` commands (cli.md): thin wrappers over sandbox, periods and metrics."""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from typing import TextIO

import pandas as pd

from .metrics import PVA_COLUMNS, plan_vs_actual
from .model import ReadResult
from .periods import CALENDAR, CALENDARS, PeriodError, parse_period
from .safety import UnsafeFile
from .sandbox import read_untrusted
from .settings import Settings

__all__ = ["EXIT_INVALID", "EXIT_OK", "EXIT_UNREADABLE", "register", "summary_records"]

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
SUMMARY_COLUMNS = PVA_COLUMNS  # cli.md: exactly the plan_vs_actual columns


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `validate` and `summary` to the command line."""
    validate = subparsers.add_parser("validate", help="Kiểm tra một tệp số liệu theo định dạng chuẩn")
    validate.add_argument("file")
    validate.add_argument("--format", choices=("text", "json"), default="text")
    validate.set_defaults(handler=run_validate)
    summary = subparsers.add_parser("summary", help="Kế hoạch và thực hiện theo đơn vị, loại hoạt động")
    summary.add_argument("file")
    summary.add_argument("--period", required=True, help="2024, 2024-Q1…Q4, 2024-H1, 2024-H2, 2024-9M")
    summary.add_argument("--calendar", choices=CALENDARS, default=CALENDAR)
    summary.add_argument("--format", choices=("csv", "json"), default="csv")
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


def _read(path: str, settings: Settings, err: TextIO) -> ReadResult | None:
    try:
        return read_untrusted(path, settings)
    except UnsafeFile as problem:
        print(f"Không đọc được tệp: {problem.message}", file=err)
        return None


def run_validate(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    """`validate FILE`: 0 no errors, 1 errors in the workbook, 2 unreadable file."""
    result = _read(args.file, settings, err)
    if result is None:
        return EXIT_UNREADABLE
    problems = _problem_records(result.problems)
    if args.format == "json":
        json.dump({"ok": result.ok, "problems": problems}, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        for problem in problems:
            print(_problem_line(problem), file=out)
        errors = sum(p["level"] == "error" for p in problems)
        warnings = len(problems) - errors
        verdict = "Tệp hợp lệ." if result.ok else "Tệp có lỗi, chưa dùng được."
        print(f"{verdict} {errors} lỗi, {warnings} cảnh báo.", file=out)
    return EXIT_OK if result.ok else EXIT_INVALID


def summary_records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Plan-vs-actual rows as JSON-ready records: completion rounded to 1 decimal or None."""
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
                "completion_pct": None if pct is None or math.isnan(pct) else round(float(pct), 1),
            }
        )
    return records


def run_summary(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    """`summary FILE --period P`: plan vs actual per unit × activity type as CSV or JSON."""
    try:
        period = parse_period(args.period)
    except PeriodError as problem:
        print(str(problem), file=err)
        return EXIT_UNREADABLE
    result = _read(args.file, settings, err)
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
