"""The `report` and `template` commands: the periodic report (DOCX/PDF/XLSX annex) and Excel templates."""

from __future__ import annotations

import argparse
import errno
import json
import logging
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from cchc_lib.commands.cli import YEAR_RANGE, cli_period
from cchc_lib.common.periods import CALENDAR, CALENDARS, PeriodError
from cchc_lib.common.settings import Settings
from cchc_lib.documents import reports, templates
from cchc_lib.documents.report_number import ReportNumberError, parse_report_number
from cchc_lib.reading.model import Workbook
from cchc_lib.reading.safety import UnsafeFile
from cchc_lib.reading.sandbox import load_bytes, read_trusted, read_untrusted

__all__ = [
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_UNREADABLE",
    "CliInputError",
    "parse_issued",
    "parse_number",
    "read_texts_file",
    "register",
    "run_report",
    "run_template",
]

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
REPORT_FORMATS = (".docx", ".pdf", ".xlsx")
TEXTS_FORMATS = (".json", ".toml")
TEXTS_MAX_BYTES = 1_000_000
LOG = logging.getLogger(__name__)


class CliInputError(ValueError):
    """An option value the command cannot use (message in Vietnamese, says what to do)."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `report` and `template`; each sets `handler(args, settings, out, err) -> int`."""
    report = subparsers.add_parser("report", help="Báo cáo định kỳ (Word/PDF) hoặc phụ lục Excel")
    report.add_argument("file", help="tệp số liệu .xlsx")
    report.add_argument("--period", required=True, help="2024, 2024-Q1…Q4, 2024-H1, 2024-H2, 2024-9M")
    report.add_argument("--calendar", choices=CALENDARS, default=CALENDAR)
    report.add_argument("--out", required=True, help="tệp kết quả: .docx, .pdf hoặc .xlsx (phụ lục)")
    report.add_argument(
        "--texts",
        help="tệp .json hoặc .toml: nội dung tự viết thay cho đoạn tự động, theo mã mục (xem docs/cli.md)",
    )
    report.add_argument("--issued", help="ngày ban hành, dạng ngày/tháng/năm (mặc định: hôm nay)")
    report.add_argument("--number", help="số báo cáo, ví dụ 45 (in thành Số: 45/BC-...)")
    report.add_argument(
        "--as-of", dest="as_of", help="ngày cập nhật số liệu (ngày/tháng/năm), ghi kèm số liệu kinh phí của năm"
    )
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
    """The workbook of `path`: a published version's checked snapshot when there is one (no parse), else
    read (`trusted`: in this process; else in the sandbox)."""
    from cchc_lib.publishing.published import cached_tables

    try:
        cached = cached_tables(load_bytes(path, settings), settings)
    except UnsafeFile:
        cached = None  # the read below says why
    if cached is not None:
        return cached, EXIT_OK
    try:
        result = (read_trusted if trusted else read_untrusted)(path, settings)
    except UnsafeFile as problem:
        print(f"Không đọc được tệp: {problem.full_message}", file=err)
        return None, EXIT_UNREADABLE
    if not result.ok:
        _print_errors(result, err)
        print("Tệp số liệu có lỗi, chưa lập được báo cáo. Hãy sửa theo các thông báo trên.", file=err)
        return None, EXIT_INVALID
    return result.workbook, EXIT_OK


def _folder_problem(path: Path) -> str | None:
    """Why `path` cannot be written before anything is computed (missing folder, a folder named so)."""
    folder = path.parent
    if not folder.is_dir():
        return f"Thư mục '{folder}' không tồn tại. Hãy tạo thư mục hoặc chọn nơi lưu khác."
    if path.is_dir():
        return f"'{path}' là một thư mục. Hãy ghi rõ tên tệp, ví dụ {path / 'bao_cao.docx'}."
    return None


def _write(path: Path, data: bytes, err: TextIO) -> int:
    try:
        path.write_bytes(data)
    except OSError as problem:
        if problem.errno in (errno.ENOENT, errno.ENOTDIR):
            message = _folder_problem(path) or f"Không tìm thấy nơi lưu '{path}'. Hãy chọn nơi lưu khác."
        elif problem.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            message = f"Không có quyền ghi tệp '{path}'. Hãy chọn nơi lưu khác hoặc xin quyền ghi thư mục."
        elif problem.errno in (errno.ENOSPC, errno.EDQUOT):
            message = f"Ổ đĩa đã đầy nên không ghi được tệp '{path}'. Hãy giải phóng dung lượng rồi thử lại."
        elif problem.errno == errno.EISDIR:
            message = f"'{path}' là một thư mục. Hãy ghi rõ tên tệp."
        else:
            message = f"Không ghi được tệp '{path}' (lỗi hệ thống số {problem.errno}). Hãy chọn nơi lưu khác."
        print(message, file=err)
        return EXIT_UNREADABLE
    return EXIT_OK


def _editable_keys() -> tuple[str, ...]:
    from cchc_lib.documents.report_content import EDITABLE_KEYS

    return tuple(EDITABLE_KEYS)


def read_texts_file(path: str | Path) -> dict[str, str]:
    """The clerk's texts from a .json object or a .toml table ({section key: text}, normalised as the
    store keeps them). CliInputError (Vietnamese) for a missing or unreadable file, another format, a
    value that is not text, a text too long, or a key that is not a section the report lets one edit."""
    from cchc_lib.publishing.store import REPORT_TEXT_MAX_CHARS, clean_report_text

    source = Path(path)
    if source.suffix.lower() not in TEXTS_FORMATS:
        raise CliInputError(f"Tệp nội dung '{source}' phải là .json hoặc .toml.")
    try:
        raw_bytes = source.read_bytes()
    except FileNotFoundError as exc:
        raise CliInputError(f"Không tìm thấy tệp nội dung '{source}'. Hãy kiểm tra đường dẫn.") from exc
    except OSError as exc:
        raise CliInputError(f"Không đọc được tệp nội dung '{source}'. Hãy kiểm tra quyền đọc tệp.") from exc
    if len(raw_bytes) > TEXTS_MAX_BYTES:
        raise CliInputError(f"Tệp nội dung '{source}' quá lớn (tối đa 1 MB).")
    try:
        text = raw_bytes.decode("utf-8-sig")
        raw = json.loads(text) if source.suffix.lower() == ".json" else tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise CliInputError(f"Tệp nội dung '{source}' phải lưu bằng mã UTF-8.") from exc
    except json.JSONDecodeError as exc:
        raise CliInputError(
            f"Tệp nội dung '{source}' không đúng định dạng JSON (dòng {exc.lineno}, cột {exc.colno}). "
            'Dạng đúng: {"mã_mục": "nội dung", ...}.'
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise CliInputError(
            f'Tệp nội dung \'{source}\' không đúng định dạng TOML. Dạng đúng: mã_mục = """nội dung""".'
        ) from exc
    if not isinstance(raw, dict):
        raise CliInputError(f"Tệp nội dung '{source}' phải gồm các cặp mã mục – nội dung.")
    known = _editable_keys()
    unknown = [str(k) for k in raw if k not in known]
    if unknown:
        raise CliInputError(
            f"Tệp nội dung '{source}' có mục không có trong báo cáo: {', '.join(unknown)}. "
            f"Các mục sửa được: {', '.join(known)}."
        )
    texts: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(value, str):
            raise CliInputError(f"Nội dung mục {key} trong '{source}' phải là văn bản (trong dấu nháy).")
        cleaned = clean_report_text(value)
        if len(cleaned) > REPORT_TEXT_MAX_CHARS:
            raise CliInputError(
                f"Nội dung mục {key} trong '{source}' vượt giới hạn {REPORT_TEXT_MAX_CHARS} ký tự."
            )
        if cleaned:
            texts[key] = cleaned
    return texts


def parse_issued(text: str, what: str = "Ngày ban hành") -> date:
    """`05/04/2024` -> date(2024, 4, 5); CliInputError (Vietnamese, starting with `what`) otherwise."""
    try:
        issued = datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError as exc:
        raise CliInputError(f"{what} '{text}' không hợp lệ. Dùng dạng ngày/tháng/năm, ví dụ 05/04/2024.") from exc
    first, last = YEAR_RANGE
    if not first <= issued.year <= last:
        raise CliInputError(f"{what} '{text}' phải trong các năm {first}–{last}.")
    return issued


def parse_number(text: str) -> str:
    """The registry number as printed after "Số:" (report_number.parse_report_number); CliInputError otherwise."""
    try:
        return parse_report_number(text)
    except ReportNumberError as problem:
        raise CliInputError(str(problem)) from problem


def run_report(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    """`report FILE --period P --out OUT [--texts F] [--issued D] [--number N] [--as-of D]`: 0 written, 1 the
    workbook has errors, 2 anything else (bad option, unreadable file, no folder). The report content's
    warnings (empty period, no comparison year...) go to stderr."""
    try:
        period = cli_period(args.period)
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
    problem = _folder_problem(target)
    if problem:
        print(problem, file=err)
        return EXIT_UNREADABLE
    try:
        texts = read_texts_file(args.texts) if args.texts else None
        issued = parse_issued(args.issued) if args.issued else None
        number = parse_number(args.number) if args.number else None
        as_of = parse_issued(args.as_of, "Ngày cập nhật số liệu") if args.as_of else None
    except CliInputError as problem:
        print(str(problem), file=err)
        return EXIT_UNREADABLE
    if suffix == ".pdf" and not reports.pdf_available():
        print("Máy chưa cài LibreOffice (soffice) nên không tạo được PDF. Hãy xuất .docx.", file=err)
        return EXIT_UNREADABLE
    wb, code = _load(args.file, settings, err)
    if wb is None:
        return code
    parts = reports.prepare_report(wb, period, args.calendar, settings, texts=texts, as_of=as_of)
    for warning in parts.content.warnings:
        print(f"Cảnh báo: {warning}", file=err)
    if suffix == ".xlsx":
        data = reports.build_annex(parts, settings, wb=wb, issued=issued, number=number or "")
    else:
        form: dict[str, object] = {"issued": issued}
        if number is not None:
            form["number"] = number
        data = reports.build_report(wb, period, args.calendar, settings, parts=parts, **form)
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


def _default_source(settings: Settings) -> tuple[str, bool] | None:
    """The store's current version when it checks out (trusted: it was checked on publishing), the
    bundled sample only when nothing was ever published; None when the store is damaged (never another
    version or the sample instead, as on the dashboard)."""
    from cchc_lib.publishing.store_factory import open_store

    health = open_store(settings).check(deep=False)
    if health.state == "damaged":
        return None
    if health.current is not None:
        return str(health.current.path), True
    return str(settings.sample_path), True


def run_template(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    """`template --out FILE [--unit CODE]`: 0 written, 1 the source workbook has errors, 2 anything else."""
    target = Path(args.out)
    if target.suffix.lower() != ".xlsx":
        print("Tệp mẫu phải có đuôi .xlsx.", file=err)
        return EXIT_UNREADABLE
    problem = _folder_problem(target)
    if problem:
        print(problem, file=err)
        return EXIT_UNREADABLE
    if args.year is not None and not YEAR_RANGE[0] <= args.year <= YEAR_RANGE[1]:
        print(
            f"Năm {args.year} nằm ngoài khoảng {YEAR_RANGE[0]}–{YEAR_RANGE[1]}. Hãy nhập năm, ví dụ 2025.",
            file=err,
        )
        return EXIT_UNREADABLE
    if args.source:
        source, trusted = args.source, False
    else:
        found = _default_source(settings)
        if found is None:
            print(
                "Kho dữ liệu bị hỏng nên không lấy được danh sách đơn vị hiện hành. Hãy chạy python -m cchc_lib "
                "store verify rồi store repair, hoặc chỉ tệp nguồn bằng --source.",
                file=err,
            )
            return EXIT_UNREADABLE
        source, trusted = found
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
