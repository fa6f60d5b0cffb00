"""`store migrate`: create or upgrade the PostgreSQL store's schema (cchc_lib.pg_schema), idempotent."""

from __future__ import annotations

from typing import TextIO

from cchc_lib.pg_schema import migrate
from cchc_lib.settings import Settings
from cchc_lib.store_base import StoreError

__all__ = ["run_migrate"]


def run_migrate(settings: Settings, out: TextIO, err: TextIO) -> int:
    """Migrate the database of the `store_url` setting: exit 0 done (or nothing to do), 1 refused."""
    url = settings.store_url.strip()
    if not url:
        print(
            "Chưa cấu hình store_url (kho PostgreSQL): kho thư mục không cần lệnh này.",
            file=err,
        )
        return 1
    from cchc_lib.store_pg import connect

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
