"""The PostgreSQL store's commands: `store migrate` (create or upgrade the schema, idempotent), `store copy`
(a whole store from the folder into the database and back, verified by checksums) and `users copy` (the
accounts from the accounts file into the database and back, verified)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

from cchc_lib.common.settings import Settings
from cchc_lib.publishing.pg_schema import migrate
from cchc_lib.publishing.store_base import StoreError

__all__ = ["run_copy", "run_migrate", "run_users_copy"]


def run_migrate(settings: Settings, out: TextIO, err: TextIO) -> int:
    """Migrate the database of the `store_url` setting: exit 0 done (or nothing to do), 1 refused."""
    url = settings.store_url.strip()
    if not url:
        print(
            "Chưa cấu hình store_url (kho PostgreSQL): kho thư mục không cần lệnh này.",
            file=err,
        )
        return 1
    from cchc_lib.publishing.store_pg import connect

    try:
        with connect(url) as conn:
            before, after = migrate(conn)
    except StoreError as exc:
        print(exc.message, file=err)
        return 1
    if before is None:
        print(f"Đã tạo lược đồ kho dữ liệu trong PostgreSQL (phiên bản {after}).", file=out)
    elif before == after:
        print(f"Lược đồ kho dữ liệu đã ở phiên bản {after}: không có gì thay đổi.", file=out)
    else:
        print(f"Đã nâng lược đồ kho dữ liệu từ phiên bản {before} lên {after}.", file=out)
    return 0


def run_copy(args: Any, settings: Settings, out: TextIO, err: TextIO) -> int:
    """`store copy --to-postgresql` (the folder store at store_dir / --store-dir into the empty database of
    store_url) or `store copy --to-folder DIR` (the database into an empty folder): exit 0 copied and
    verified, 1 refused (nothing to copy to, a target that is not empty, a mismatch)."""
    from cchc_lib.publishing.store_copy import copy_store
    from cchc_lib.publishing.store_factory import open_store

    url = settings.store_url.strip()
    if not url:
        print("Chưa cấu hình store_url (kho PostgreSQL): không có gì để chép sang hay chép về.", file=err)
        return 1
    folder = Path(args.to_folder) if args.to_folder else Path(args.store_dir or settings.store_path)
    try:
        database, local = open_store(settings), open_store(settings, folder)
        source, target = (local, database) if args.to_postgresql else (database, local)
        result = copy_store(source, target)
    except StoreError as exc:
        print(exc.message, file=err)
        return 1
    where = "cơ sở dữ liệu PostgreSQL" if args.to_postgresql else f"thư mục {folder}"
    print(
        f"Đã chép {result.versions} phiên bản (hiện hành: {result.current or 'chưa có'}), "
        f"{result.audit_entries} mục nhật ký và {result.documents} nội dung đã lưu sang {where}; "
        "mã kiểm tra sha256 của mọi phiên bản khớp với kho nguồn.",
        file=out,
    )
    return 0


def run_users_copy(args: Any, settings: Settings, out: TextIO, err: TextIO) -> int:
    """`users copy --to-postgresql` (the accounts file, --users-file or the default one, into the database of
    store_url, which holds no account yet) or `users copy --to-file F` (the database's accounts into a file
    that does not exist yet): exit 0 copied and verified, 1 refused, 2 a bad option."""
    from cchc_lib.access.accounts import AccountError, Accounts
    from cchc_lib.access.accounts_copy import copy_accounts
    from cchc_lib.publishing.pg_accounts import PgAccounts

    url = settings.store_url.strip()
    if not url:
        print("Chưa cấu hình store_url (kho PostgreSQL): không có gì để chép sang hay chép về.", file=err)
        return 1
    if args.to_file and args.users_file:
        print(
            "--users-file chỉ dùng cùng --to-postgresql (tệp nguồn); với --to-file, tệp đích là TỆP.",
            file=err,
        )
        return 2
    database, file = PgAccounts(url), Accounts(args.to_file or args.users_file)
    if args.to_postgresql and not file.path.is_file():
        print(f"Không có tệp tài khoản {file.path}: không có gì để chép.", file=err)
        return 1
    if args.to_file and file.path.exists():
        print(f"Tệp {file.path} đã có; chỉ chép ra một tệp chưa có (không ghi đè tệp tài khoản).", file=err)
        return 1
    try:
        copied = copy_accounts(file, database) if args.to_postgresql else copy_accounts(database, file)
    except AccountError as exc:
        print(exc.message, file=err)
        return 1
    where = "cơ sở dữ liệu PostgreSQL" if args.to_postgresql else f"tệp {file.path}"
    print(
        f"Đã chép {copied.users} tài khoản và {copied.oidc} địa chỉ e-mail OIDC sang {where}; mọi tài khoản "
        "(vai trò, đơn vị, mã băm mật khẩu) khớp với nguồn.",
        file=out,
    )
    return 0
