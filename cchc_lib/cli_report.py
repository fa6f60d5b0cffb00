"""The `report` and `template` commands: the periodic report (DOCX/PDF/XLSX annex) and Excel templates."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import TextIO

from cchc_lib import reports, templates
from cchc_lib.model import Workbook
from cchc_lib.periods import CALENDAR, CALENDARS, PeriodError, parse_period
from cchc_lib.safety import UnsafeFile
from cchc_lib.sandbox import read_trusted, read_untrusted
from cchc_lib.settings import Settings

__all__ = ["EXIT_INVALID", "EXIT_OK", "EXIT_UNREADABLE", "register", "run_report", "run_template"]

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
REPORT_FORMATS = (".docx", ".pdf", ".xlsx")
LOG = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `report` and `template`; each sets `handler(args, settings, out, err) -> int`."""
    report = subparsers.add_parser("report", help="Báo cáo định kỳ (Word/PDF) hoặc phụ lục Excel")
    report.add_argument("file", help="tệp số liệu .xlsx")
    report.add_argument("--period", required=True, help="2024, 2024-Q1…Q4, 2024-H1, 2024-H2, 2024-9M")
    report.add_argument("--calendar", choices=CALENDARS, default=CALENDAR)
    report.add_argument("--out", required=True, help="tệp kết quả: .docx, .pdf hoặc .xlsx (phụ lục)")
    report.set_defaults(handler=run_report)
    template = subparsers.add_parser("template", help="Tệp Excel mẫu để nhập số liệu")
    template.add_argument("--out", required=True, help="tệp .xlsx được tạo")
    template.add_argument("--unit", help="mã đơn vị: mẫu riêng cho một đơn vị")
    template.add_argument("--year", type=int, help="năm của chỉ tiêu (mặc định: năm nay)")
    template.add_argument(
        "--source", help="tệp số liệu lấy danh sách đơn vị, loại hoạt động (mặc định: dữ liệu hiện hành)"
    )
    template.set_defaults(handler=run_template)


def _print_errors(result, err: TextIO) -> None:
    for row in result.errors.itertuples(index=False):
        where = [f"trang '{row.sheet}'"] if isinstance(row.sheet, str) else []
        if row.row is not None and str(row.row) not in ("<NA>", "nan"):
            where.append(f"dòng {int(row.row)}")
        place = f" [{', '.join(where)}]" if where else ""
        print(f"LỖI{place}: {row.message}", file=err)


def _load(path: str, settings: Settings, err: TextIO, trusted: bool = False) -> tuple[Workbook | None, int]:
    try:
        result = (read_trusted if trusted else read_untrusted)(path, settings)
    except UnsafeFile as problem:
        print(f"Không đọc được tệp: {problem.message}", file=err)
        return None, EXIT_UNREADABLE
    if not result.ok:
        _print_errors(result, err)
        print("Tệp số liệu có lỗi, chưa lập được báo cáo. Hãy sửa theo các thông báo trên.", file=err)
        return None, EXIT_INVALID
    return result.workbook, EXIT_OK


def _write(path: Path, data: bytes, err: TextIO) -> int:
    try:
        path.write_bytes(data)
    except OSError as problem:
        print(f"Không ghi được tệp '{path}': {problem.strerror or problem}.", file=err)
        return EXIT_UNREADABLE
    return EXIT_OK


def run_report(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    """`report FILE --period P --out OUT`: 0 written, 1 the workbook has errors, 2 anything else."""
    try:
        period = parse_period(args.period)
    except PeriodError as problem:
        print(str(problem), file=err)
        return EXIT_UNREADABLE
    target = Path(args.out)
    suffix = target.suffix.lower()
    if suffix not in REPORT_FORMATS:
        print(
            f"Không hỗ trợ định dạng '{target.suffix or target.name}': dùng .docx, .pdf hoặc .xlsx.", file=err
        )
        return EXIT_UNREADABLE
    if suffix == ".pdf" and not reports.pdf_available():
        print("Máy chưa cài LibreOffice (soffice) nên không tạo được PDF. Hãy xuất .docx.", file=err)
        return EXIT_UNREADABLE
    wb, code = _load(args.file, settings, err)
    if wb is None:
        return code
    parts = reports.prepare_report(wb, period, args.calendar, settings)
    if suffix == ".xlsx":
        data = reports.build_annex(parts, settings)
    else:
        data = reports.build_report(wb, period, args.calendar, settings, parts=parts)
        if suffix == ".pdf":
            try:
                data = reports.docx_to_pdf(data)
            except reports.ReportError as problem:
                print(str(problem), file=err)
                return EXIT_UNREADABLE
    code = _write(target, data, err)
    if code == EXIT_OK:
        print(f"Đã tạo {target} ({period.label}).", file=out)
    return code


def _default_source(settings: Settings) -> tuple[str, bool]:
    """The store's current version (trusted: it was checked on publishing), else the bundled sample."""
    try:
        from cchc_lib.store import Store

        version = Store(settings.store_path).current()
        if version is not None:
            return str(version.path), True
    except Exception:  # an unreadable store falls back to the sample, as the dashboard does
        LOG.debug("store not available", exc_info=True)
    return str(settings.sample_path), True


def run_template(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    """`template --out FILE [--unit CODE]`: 0 written, 1 the source workbook has errors, 2 anything else."""
    target = Path(args.out)
    if target.suffix.lower() != ".xlsx":
        print("Tệp mẫu phải có đuôi .xlsx.", file=err)
        return EXIT_UNREADABLE
    if args.source:
        source, trusted = args.source, False
    else:
        source, trusted = _default_source(settings)
    wb, code = _load(source, settings, err, trusted=trusted)
    if wb is None:
        return code
    try:
        data = templates.build_template(wb, settings, unit_code=args.unit, year=args.year)
    except templates.TemplateError as problem:
        print(str(problem), file=err)
        return EXIT_UNREADABLE
    code = _write(target, data, err)
    if code == EXIT_OK:
        print(f"Đã tạo tệp mẫu {target}.", file=out)
    return code
