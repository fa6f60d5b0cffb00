"""Command line for the data store and accounts: `store status|history|import|rollback|texts|verify|repair|
close|reopen|migrate|copy` (`backup|restore`: cli_backup), `users ...` (`users copy`: cli_store_pg)."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from cchc_lib.access.accounts import ROLES, AccountError
from cchc_lib.access.sessions import Sessions
from cchc_lib.commands import cli_backup
from cchc_lib.commands.cli import cli_period
from cchc_lib.commands.cli_report import CliInputError, parse_issued
from cchc_lib.commands.cli_store_pg import run_copy, run_migrate, run_users_copy
from cchc_lib.common.periods import CALENDAR, CALENDARS, PeriodError
from cchc_lib.common.settings import Settings, load_settings
from cchc_lib.publishing.closures import effective_closed_through, year_closed
from cchc_lib.publishing.store import DAMAGED_DIR, Health, RepairPlan, Store, StoreError, Version
from cchc_lib.publishing.store_factory import open_accounts, open_sessions, open_store

__all__ = ["register", "main", "EXIT_OK", "EXIT_REFUSED", "EXIT_UNREADABLE"]

EXIT_OK, EXIT_REFUSED, EXIT_UNREADABLE = 0, 1, 2
_KIND_LABELS = {"replace": "thay toàn bộ", "unit": "đơn vị nộp", "rollback": "khôi phục", "batch": "nhiều tệp đơn vị"}


class _Streams:
    out: TextIO = sys.stdout
    err: TextIO = sys.stderr


_io = _Streams()


def _err(message: str) -> None:
    print(message, file=_io.err)


def _out(message: str) -> None:
    print(message, file=_io.out)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store-dir", help="thư mục kho dữ liệu (mặc định theo cấu hình store_dir)")
    parser.add_argument("--users-file", help="tệp tài khoản (mặc định $CCHC_USERS hoặc users.toml)")


def register(subparsers: Any) -> None:
    """Add the `store` and `users` commands; each sets `handler(args, settings, out, err) -> int`."""
    store = subparsers.add_parser("store", help="kho dữ liệu: phiên bản, nhập, khôi phục")
    actions = store.add_subparsers(dest="store_action", required=True)
    status = actions.add_parser("status", help="phiên bản hiện hành")
    status.add_argument("--format", choices=("text", "json"), default="text")
    history = actions.add_parser("history", help="các phiên bản đã công bố")
    history.add_argument("--format", choices=("text", "json"), default="text")
    imp = actions.add_parser("import", help="kiểm tra và công bố một tệp Excel")
    imp.add_argument("file")
    imp.add_argument("--user", required=True)
    imp.add_argument("--unit", help="nộp số liệu của một đơn vị (chỉ thay các dòng của đơn vị)")
    imp.add_argument(
        "--period",
        help="với --unit: thay các dòng của đơn vị trong cả kỳ này (2024, 2024-Q1…Q4, 2024-H1, 2024-H2, "
        "2024-9M), kể cả khi tệp không có dòng nào; mặc định: từ ngày đầu đến ngày cuối có trong tệp",
    )
    imp.add_argument("--calendar", choices=CALENDARS, default=CALENDAR, help="lịch của --period")
    imp.add_argument("--dry-run", action="store_true", help="chỉ xem trước, không công bố")
    imp.add_argument(
        "--confirm-closed",
        action="store_true",
        help="quản trị viên: xác nhận công bố cả những thay đổi trong kỳ đã khóa sổ (được liệt kê trước)",
    )
    rollback = actions.add_parser("rollback", help="khôi phục một phiên bản cũ (tạo phiên bản mới)")
    rollback.add_argument("version")
    rollback.add_argument("--user", required=True)
    texts = actions.add_parser(
        "texts", help="nội dung báo cáo đã lưu của một kỳ, dạng JSON dùng được cho report --texts"
    )
    texts.add_argument("--period", required=True, help="2024, 2024-Q1…Q4, 2024-H1, 2024-H2, 2024-9M")
    texts.add_argument("--calendar", choices=CALENDARS, default=CALENDAR)
    verify = actions.add_parser(
        "verify", help="kiểm tra toàn bộ kho: mọi phiên bản, tệp chỉ phiên bản, bộ nhớ đệm, nhật ký"
    )
    verify.add_argument("--format", choices=("text", "json"), default="text")
    repair = actions.add_parser(
        "repair", help="sửa kho: chuyển tệp hỏng vào damaged/, khôi phục phiên bản tốt gần nhất"
    )
    repair.add_argument("--yes", action="store_true", help="không hỏi xác nhận")
    repair.add_argument("--user", help="tài khoản quản trị ghi vào nhật ký (mặc định: tên đăng nhập máy chủ)")
    close = actions.add_parser("close", help="khóa sổ các kỳ đến hết một ngày (quản trị viên)")
    close.add_argument("--through", required=True, help="ngày cuối cùng được khóa sổ, dạng dd/mm/yyyy")
    close.add_argument("--user", required=True)
    reopen = actions.add_parser("reopen", help="mở lại mọi kỳ đã khóa sổ (quản trị viên)")
    reopen.add_argument("--user", required=True)
    actions.add_parser("migrate", help="tạo hoặc nâng cấp lược đồ kho PostgreSQL (cấu hình store_url)")
    copy = actions.add_parser("copy", help="chép toàn bộ kho giữa thư mục và PostgreSQL (kiểm tra sha256)")
    direction = copy.add_mutually_exclusive_group(required=True)
    direction.add_argument("--to-postgresql", action="store_true", help="từ kho thư mục sang store_url")
    direction.add_argument("--to-folder", metavar="THƯ_MỤC", help="từ store_url về một thư mục trống")
    copy.add_argument("--store-dir", help="kho thư mục nguồn (mặc định theo cấu hình store_dir)")
    for sub in (status, history, imp, rollback, texts, verify, repair, close, reopen):
        _common(sub)
    store.set_defaults(handler=run_store)
    cli_backup.register(actions)  # `store backup|restore`: their own handlers

    users = subparsers.add_parser("users", help="quản lý tài khoản")
    uactions = users.add_subparsers(dest="users_action", required=True)
    add = uactions.add_parser("add", help="thêm tài khoản")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--unit")
    add.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ dòng đầu của stdin")
    passwd = uactions.add_parser("passwd", help="đổi mật khẩu")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true")
    remove = uactions.add_parser("remove", help="xóa tài khoản")
    remove.add_argument("name")
    role = uactions.add_parser("role", help="đổi vai trò (kết thúc các phiên đăng nhập của tài khoản)")
    role.add_argument("name")
    role.add_argument("--role", required=True, choices=ROLES)
    role.add_argument("--unit")
    listing = uactions.add_parser("list", help="liệt kê tài khoản")
    sessions = uactions.add_parser("sessions", help="các phiên đăng nhập đang mở")
    sessions.add_argument("--end-all", action="store_true", help="kết thúc mọi phiên đăng nhập")
    for sub in (add, passwd, remove, role, listing, sessions):
        _common(sub)
    copy_users = uactions.add_parser(
        "copy", help="chép mọi tài khoản giữa tệp tài khoản và PostgreSQL (cấu hình store_url)"
    )
    way = copy_users.add_mutually_exclusive_group(required=True)
    way.add_argument("--to-postgresql", action="store_true", help="từ tệp tài khoản sang store_url")
    way.add_argument("--to-file", metavar="TỆP", help="từ store_url về một tệp tài khoản chưa có")
    copy_users.add_argument("--users-file", help="tệp tài khoản nguồn (mặc định $CCHC_USERS hoặc users.toml)")
    users.set_defaults(handler=run_users)


def _store(args: argparse.Namespace, settings: Settings) -> Store:
    return open_store(settings, Path(args.store_dir) if getattr(args, "store_dir", None) else None)


def _version_json(version: Version) -> dict[str, Any]:
    raw = version.to_json()
    raw["path"] = str(version.path)
    return raw


def _version_line(version: Version) -> str:
    unit = f" [{version.unit_code}]" if version.unit_code else ""
    back = f" (từ phiên bản {version.rollback_of})" if version.rollback_of else ""
    rows = "?" if version.rows is None else f"{version.rows}"
    return (
        f"{version.number:>5}  {version.created_at:%d/%m/%Y %H:%M}  {version.user:<16} "
        f"{_KIND_LABELS.get(version.kind, version.kind)}{unit}{back}  {version.file_name}  {rows} dòng"
    )


def run_store(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    """Handler of `store ...` (exit 0 ok, 1 refused/invalid, 2 unreadable file)."""
    _io.out, _io.err = out, err
    if args.store_action == "migrate":
        return run_migrate(settings, out, err)
    if args.store_action == "copy":
        return run_copy(args, settings, out, err)
    try:
        store = _store(args, settings)
        action = args.store_action
        if action == "status":
            return _status(store, settings, args.format)
        if action == "history":
            return _history(store, args.format)
        if action == "verify":
            return _verify(store, args.format)
        if action == "repair":
            return _repair(store, settings, args)
        if action == "texts":
            try:
                period = cli_period(args.period)
            except PeriodError as problem:
                _err(str(problem))
                return EXIT_UNREADABLE
            _out(json.dumps(store.report_texts(period.name, args.calendar), ensure_ascii=False, indent=2))
            return EXIT_OK
        accounts = open_accounts(settings, args.users_file)
        account = accounts.get(args.user)
        if account is None:
            _err(
                f"Không có tài khoản {args.user}. Thêm bằng: python -m cchc_lib users add {args.user} --role ..."
            )
            return EXIT_REFUSED
        if action == "rollback":
            try:
                number = int(args.version)
            except ValueError:
                _err(f"Số phiên bản không hợp lệ: {args.version!r}.")
                return EXIT_REFUSED
            version = store.rollback(number, account)
            _out(f"Đã khôi phục nội dung phiên bản {number} thành phiên bản mới {version.number}.")
            return EXIT_OK
        if action in ("close", "reopen"):
            return _close(store, settings, account, args)
        return _import(store, settings, account, args)
    except StoreError as exc:
        _err(exc.message)
        return EXIT_UNREADABLE if exc.code == "unreadable" else EXIT_REFUSED
    except AccountError as exc:
        _err(exc.message)
        return EXIT_REFUSED


def _status(store: Store, settings: Settings, fmt: str) -> int:
    current = store.current()
    ok = store.verify()
    closed = effective_closed_through(store, settings)  # printed only when something is closed
    if fmt == "json":
        status: dict[str, Any] = {"current": _version_json(current) if current else None, "verified": ok}
        if closed is not None:
            status["closed_through"] = closed.isoformat()
        _out(json.dumps(status, ensure_ascii=False))
        return EXIT_OK if ok else EXIT_REFUSED
    if current is None:
        _out("Kho dữ liệu chưa có phiên bản nào.")
    else:
        _out(f"Phiên bản hiện hành: {current.number}")
        _out(f"Công bố lúc: {current.created_at:%d/%m/%Y %H:%M}, bởi {current.user}")
        _out(f"Loại cập nhật: {_KIND_LABELS.get(current.kind, current.kind)}; tệp: {current.file_name}")
        _out(f"Số dòng hoạt động: {current.rows if current.rows is not None else '?'}")
        _out(f"sha256: {current.sha256}")
        _out("Kiểm tra tệp: " + ("khớp" if ok else "KHÔNG KHỚP — tệp bị sửa hoặc hỏng"))
    if closed is not None:
        _out(f"Khóa sổ: đến hết ngày {closed:%d/%m/%Y} ({_closure_source(store)})")
    return EXIT_OK if ok else EXIT_REFUSED


def _closure_source(store: Store) -> str:
    record = store.closure_record()
    if record is None:
        return "theo cài đặt closed_through"
    try:
        when = f" lúc {datetime.fromisoformat(str(record.get('updated_at'))):%d/%m/%Y %H:%M}"
    except ValueError:
        when = ""
    return f"ghi bởi {record.get('user') or '?'}{when}"


def _close(store: Store, settings: Settings, account: Any, args: argparse.Namespace) -> int:
    """`store close --through D` / `store reopen`: exit 0 done, 1 refused, 2 a date that is not one."""
    if args.store_action == "reopen":
        store.reopen(account)
        _out(
            "Đã mở lại: không kỳ nào bị khóa sổ (kể cả kỳ theo cài đặt closed_through) cho đến lần khóa sổ sau."
        )
        return EXIT_OK
    try:
        day = parse_issued(args.through, "Ngày khóa sổ")
    except CliInputError as problem:
        _err(str(problem))
        return EXIT_UNREADABLE
    store.close_through(day, account)
    last_year = day.year if year_closed(day.year, day, settings) else day.year - 1
    targets = f" và chỉ tiêu của các năm đến hết năm {last_year}"
    _out(
        f"Đã khóa sổ đến hết ngày {day:%d/%m/%Y}: từ nay chỉ quản trị viên mới thay đổi được các hoạt động "
        f"đến ngày đó{targets}."
    )
    return EXIT_OK


_REPAIR_CMD = "python -m cchc_lib store repair"
_YES = {"có", "co", "c", "yes", "y"}


def _plan_lines(plan: RepairPlan) -> list[str]:
    """What `store repair` would do, one line each (Vietnamese)."""
    lines = [f"- chuyển tệp hỏng vào {DAMAGED_DIR}/: {rel}" for rel in plan.moves]
    if plan.restore is None:
        if plan.pointer_rewrite:
            lines.append(
                f"- chuyển tệp «current» vào {DAMAGED_DIR}/ (không còn phiên bản hợp lệ nào để chỉ đến)"
            )
        lines.append(
            "- không còn phiên bản hợp lệ nào để khôi phục: sau đó hãy công bố lại tệp số liệu "
            "(trang «Cập nhật dữ liệu» hoặc store import)"
        )
    elif plan.new_number is not None:
        lines.append(
            f"- khôi phục nội dung phiên bản {plan.restore} (phiên bản tốt gần nhất) thành phiên bản mới "
            f"{plan.new_number}, ghi nhật ký"
        )
    elif plan.pointer_rewrite:
        lines.append(
            f"- ghi lại tệp «current» chỉ đến phiên bản {plan.restore} (phiên bản tốt gần nhất; bản cũ của "
            f"tệp được giữ trong {DAMAGED_DIR}/)"
        )
    return lines


def _health_json(health: Health, plan: RepairPlan | None) -> dict[str, Any]:
    def finding(f: Any) -> dict[str, Any]:
        return {"code": f.code, "message": f.message, "version": f.number, "path": f.path}

    return {
        "state": health.state,
        "current": health.current.number if health.current else None,
        "problems": [finding(f) for f in health.problems],
        "notes": [finding(f) for f in health.notes],
        "checked": list(health.checked),
        "repair": None
        if plan is None or not plan.needed
        else {
            "moves": list(plan.moves),
            "restore": plan.restore,
            "new_version": plan.new_number,
            "pointer_rewrite": plan.pointer_rewrite,
        },
    }


def _verify(store: Store, fmt: str) -> int:
    """Exit 0 when nothing is wrong (or nothing was ever published), 1 when problems were found."""
    health = store.check(deep=True)
    plan = store.repair_plan() if health.problems else None
    if fmt == "json":
        _out(json.dumps(_health_json(health, plan), ensure_ascii=False))
        return EXIT_OK if health.ok else EXIT_REFUSED
    _out(f"Kiểm tra kho dữ liệu: {store.root}")
    _out("Đã kiểm tra:")
    for item in health.checked:
        _out(f"- {item}")
    for note in health.notes:
        _out(f"Ghi chú: {note.message}")
    if health.state == "empty":
        _out("Kho dữ liệu chưa có phiên bản nào được công bố: không có gì hỏng.")
        return EXIT_OK
    if health.ok:
        _out(f"Không phát hiện vấn đề nào. Phiên bản hiện hành: {health.current.number} (khớp mã kiểm tra).")
        return EXIT_OK
    _out(f"Phát hiện {len(health.problems)} vấn đề:")
    for problem in health.problems:
        _out(f"- {problem.message}")
    if plan is not None and plan.needed:
        _out(f"Cách xử lý: chạy `{_REPAIR_CMD}` (hỏi xác nhận; --yes để không hỏi). Lệnh sẽ:")
        for line in _plan_lines(plan):
            _out(line)
        _out(f"Không tệp nào bị xóa: tệp hỏng được giữ trong {store.root / DAMAGED_DIR} để đối chiếu.")
    elif health.needs_republish:
        _out("Cách xử lý: công bố lại tệp số liệu (trang «Cập nhật dữ liệu» hoặc store import).")
    else:
        _out(
            "Cách xử lý: store repair không sửa được nhật ký thao tác (audit.jsonl) và không đổi nó, vì đó là bằng "
            "chứng; hãy so với bản sao lưu của kho và sửa dòng hỏng bằng tay nếu cần."
        )
    return EXIT_REFUSED


def _repair(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0 repaired (or nothing to repair), 1 cancelled, refused or not repairable."""
    if args.user:
        account = open_accounts(settings, args.users_file).get(args.user)
        if account is None or not account.is_admin:
            _err(f"Chỉ tài khoản quản trị mới được sửa kho; {args.user} không phải tài khoản quản trị.")
            return EXIT_REFUSED
        user, role = account.name, account.role
    else:
        user, role = getpass.getuser(), "server"
    plan = store.repair_plan()
    if not plan.needed:
        health = store.check(deep=True)
        if health.ok:
            _out("Kho dữ liệu không có gì hỏng: không cần sửa.")
            return EXIT_OK
        for problem in health.problems:
            _out(f"- {problem.message}")
        if health.needs_republish:
            _out("Không còn phiên bản hợp lệ nào để khôi phục: hãy công bố lại tệp số liệu.")
        else:
            _out(
                "store repair không sửa được những vấn đề này (nhật ký thao tác được giữ nguyên làm bằng chứng)."
            )
        return EXIT_REFUSED
    _out(f"Phát hiện {len(plan.problems)} vấn đề:")
    for problem in plan.problems:
        _out(f"- {problem.message}")
    _out("Sẽ làm:")
    for line in _plan_lines(plan):
        _out(line)
    if not args.yes:
        print("Xác nhận? (có/không) ", end="", file=_io.out, flush=True)
        try:
            answer = sys.stdin.readline()
        except (EOFError, KeyboardInterrupt):
            answer = ""
        if answer.strip().lower() not in _YES:
            _err("Đã hủy: chưa sửa gì.")
            return EXIT_REFUSED
    plan, version = store.restore_last_good(user, role, expected=plan)
    if plan.moves:
        _out(f"Đã chuyển {len(plan.moves)} tệp hỏng vào {store.root / DAMAGED_DIR}.")
    if version is None:
        _out(
            "Không còn phiên bản hợp lệ nào: hãy công bố lại tệp số liệu (trang «Cập nhật dữ liệu» hoặc store import)."
        )
    elif plan.new_number is not None:
        _out(f"Đã khôi phục nội dung phiên bản {plan.restore} thành phiên bản mới {version.number}.")
    else:
        _out(f"Tệp «current» đã chỉ lại phiên bản {version.number}.")
    _out("Đã ghi vào nhật ký thao tác.")
    return EXIT_OK


def _history(store: Store, fmt: str) -> int:
    versions = store.history()
    if fmt == "json":
        _out(json.dumps([_version_json(v) for v in versions], ensure_ascii=False))
    elif not versions:
        _out("Kho dữ liệu chưa có phiên bản nào.")
    else:
        for version in reversed(versions):
            _out(_version_line(version))
    return EXIT_OK


def _import(store: Store, settings: Settings, account: Any, args: argparse.Namespace) -> int:
    from cchc_lib.publishing.submissions import prepare_update, publish_preview
    from cchc_lib.reading.safety import UnsafeFile
    from cchc_lib.reading.sandbox import load_bytes

    try:
        data = load_bytes(args.file, settings)
    except UnsafeFile as exc:
        _err(exc.full_message)
        return EXIT_UNREADABLE
    kind = "unit" if args.unit else "replace"
    date_range = None
    if args.period:
        if not args.unit:
            _err("--period chỉ dùng cùng --unit (nộp số liệu của một đơn vị).")
            return EXIT_UNREADABLE
        try:
            date_range = cli_period(args.period).bounds(args.calendar, settings.cutoff_day)
        except PeriodError as problem:
            _err(str(problem))
            return EXIT_UNREADABLE
    preview = prepare_update(
        store,
        data,
        account=account,
        kind=kind,
        file_name=Path(args.file).name,
        unit_code=args.unit,
        settings=settings,
        date_range=date_range,
        mode="correct",  # the contract (docs/cli.md): --unit replaces the file's span or --period
    )
    for rec in preview.problems.to_dict("records"):
        place = ", ".join(
            str(x)
            for x in (rec.get("sheet"), rec.get("row"), rec.get("column"))
            if x is not None and str(x) != "<NA>"
        )
        label = "Lỗi" if rec["level"] == "error" else "Cảnh báo"
        _err(f"{label}{f' ({place})' if place else ''}: {rec['message']}")
    if not preview.errors.empty:
        _err(f"Tệp có {len(preview.errors)} lỗi: chưa cập nhật gì.")
        return EXIT_REFUSED
    for note in preview.notes:
        _err(note)
    closed = preview.closed_changes
    if len(closed):
        _err(
            f"Cảnh báo: tệp thay đổi {len(closed)} dòng hoạt động hoặc chỉ tiêu của kỳ đã khóa sổ (đến hết ngày "
            f"{preview.closed_through:%d/%m/%Y}):"
        )
        for rec in closed.to_dict("records"):
            row = "" if rec["row"] is None or str(rec["row"]) == "<NA>" else f" dòng {rec['row']}"
            _err(f"- {rec['change']}: {rec['sheet']}{row}: {rec['description']}")
        if not args.confirm_closed and not args.dry_run:
            _err("Thêm --confirm-closed để công bố cả những thay đổi này.")
    if preview.changes.empty:
        _out("Không có thay đổi nào về hoạt động.")
    else:
        _out("Mã đơn vị\tLoại hoạt động\tThêm dòng\tBớt dòng\tThực hiện trước\tThực hiện sau")
        for rec in preview.changes.to_dict("records"):
            _out(
                f"{rec['unit_code']}\t{rec['type_code']}\t{rec['rows_added']}\t{rec['rows_removed']}\t"
                f"{rec['actual_before']}\t{rec['actual_after']}"
            )
    if args.dry_run:
        _err("Chỉ xem trước (--dry-run): chưa cập nhật gì.")
        return EXIT_OK
    # Removals are listed in the change table above and have always been published by this command.
    version = publish_preview(
        store, preview, account, confirm_closed=args.confirm_closed, confirm_removals=True
    )
    _out(f"Đã công bố phiên bản {version.number} ({version.rows} dòng hoạt động).")
    return EXIT_OK


def _read_password(args: argparse.Namespace) -> str:
    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mật khẩu: ")
    second = getpass.getpass("Nhập lại mật khẩu: ")
    if first != second:
        raise AccountError("mismatch", "Hai lần nhập mật khẩu không khớp.")
    return first


def run_users(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    """Handler of `users ...` (exit 0 ok, 1 refused/invalid)."""
    _io.out, _io.err = out, err
    if args.users_action == "copy":
        return run_users_copy(args, settings, out, err)
    accounts = open_accounts(settings, args.users_file)
    store_dir = Path(args.store_dir) if getattr(args, "store_dir", None) else settings.store_path
    if getattr(args, "store_dir", None):
        records = Sessions(store_dir, idle_minutes=settings.session_idle_minutes,
                           max_hours=settings.session_max_hours)  # fmt: skip
    else:  # the configured store's sessions (PostgreSQL when store_url is set)
        records = open_sessions(settings)
    try:
        action = args.users_action
        if action == "add":
            account = accounts.add(args.name, args.role, _read_password(args), args.unit)
            _out(f"Đã thêm tài khoản {account.name} ({account.role_label}).")
        elif action == "passwd":
            if accounts.get(args.name) is None:
                raise AccountError("unknown_user", f"Không có tài khoản {args.name}.")
            accounts.set_password(args.name, _read_password(args))
            ended = records.end_account(args.name, "password_changed", by="cli")
            records.throttle().forget_account(args.name)
            _out(f"Đã đổi mật khẩu của {args.name}; đã kết thúc {ended} phiên đăng nhập.")
        elif action == "remove":
            accounts.remove(args.name)
            ended = records.end_account(args.name, "account_removed", by="cli")
            _out(f"Đã xóa tài khoản {args.name}; đã kết thúc {ended} phiên đăng nhập.")
        elif action == "role":
            account = accounts.set_role(args.name, args.role, args.unit)
            ended = records.end_account(args.name, "role_changed", by="cli")
            _out(f"{account.name} nay là {account.role_label}; đã kết thúc {ended} phiên đăng nhập.")
        elif action == "sessions":
            if args.end_all:
                _out(f"Đã kết thúc {records.end_all(by='cli')} phiên đăng nhập.")
            else:
                for record in records.records():
                    seen = datetime.fromtimestamp(record.last_seen).strftime("%d/%m/%Y %H:%M")
                    _out(f"{record.name}\t{record.address or '-'}\t{seen}\t{record.user_agent[:40]}")
        else:
            for account in accounts.list():
                _out(f"{account.name}\t{account.role}\t{account.unit_code or ''}")
        return EXIT_OK
    except AccountError as exc:
        _err(exc.message)
        return EXIT_REFUSED
    except OSError as exc:
        _err(f"Không ghi được phiên đăng nhập vào thư mục {store_dir}: {exc.strerror or exc}.")
        return EXIT_UNREADABLE
    except (EOFError, KeyboardInterrupt):
        _err("Đã hủy.")
        return EXIT_REFUSED


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (the project's `python -m cchc_lib` wires `register` instead)."""
    from cchc_lib.commands.cli import CliParser

    parser = CliParser(prog="python -m cchc_lib")
    parser.add_argument("--settings")
    register(parser.add_subparsers(dest="command", required=True, parser_class=CliParser))
    args = parser.parse_args(argv)
    return int(args.handler(args, load_settings(args.settings), sys.stdout, sys.stderr))
