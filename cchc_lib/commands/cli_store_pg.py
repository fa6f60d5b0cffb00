"""The PostgreSQL store's commands: `store migrate` (create or upgrade the schema, idempotent) and `store copy`
(a whole store from the folder into the database and back, verified by checksums)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

from cchc_lib.common.settings import Settings
from cchc_lib.publishing.pg_schema import migrate
from cchc_lib.publishing.store_base import StoreError

__all__ = ["run_copy", "run_migrate"]


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
