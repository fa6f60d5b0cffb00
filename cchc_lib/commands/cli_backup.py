"""The `store backup FILE` and `store restore FILE` commands (cli.md): thin wrappers over store_backup."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from cchc_lib.common.formatting import fmt_int
from cchc_lib.common.settings import Settings
from cchc_lib.publishing.store_backup import (
    DONE_MESSAGES,
    MANIFEST_NAME,
    BackupError,
    backup_store,
    restore_store,
)

__all__ = ["register", "run_backup", "run_restore"]

EXIT_OK, EXIT_REFUSED, EXIT_UNREADABLE = 0, 1, 2
# Codes that are a wrong command line or a missing file (exit 2); every other refusal exits 1.
_UNREADABLE_CODES = {"no_folder", "archive_exists", "no_archive", "unwritable"}


def register(actions: Any) -> None:
    """Add `backup` and `restore` to the `store` sub-commands (`actions`: its subparsers)."""
    backup = actions.add_parser("backup", help="sao lưu kho dữ liệu vào một tệp .tar.gz có mã kiểm tra sha256")
    backup.add_argument("file", help="tệp sao lưu sẽ tạo (không ghi đè tệp đã có)")
    backup.set_defaults(handler=run_backup)
    restore = actions.add_parser(
        "restore", help="khôi phục kho dữ liệu từ tệp sao lưu (kiểm tra mọi mã sha256 trước khi thay)"
    )
    restore.add_argument("file", help="tệp sao lưu do store backup tạo")
    restore.set_defaults(handler=run_restore)
    for sub in (backup, restore):
        sub.add_argument("--store-dir", help="thư mục kho dữ liệu (mặc định theo cấu hình store_dir)")


def _root(args: argparse.Namespace, settings: Settings) -> Path:
    return Path(args.store_dir) if args.store_dir else settings.store_path


def _refused(exc: BackupError, err: TextIO) -> int:
    print(exc.message, file=err)
    return EXIT_UNREADABLE if exc.code in _UNREADABLE_CODES else EXIT_REFUSED


def run_backup(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    """`store backup FILE`: exit 0 written, 1 refused (nothing to back up, store busy), 2 bad file name."""
    try:
        result = backup_store(_root(args, settings), Path(args.file))
    except BackupError as exc:
        return _refused(exc, err)
    done = DONE_MESSAGES["backup"].format(root=_root(args, settings), archive=result.archive,
                                          files=fmt_int(result.files), size=fmt_int(result.size),
                                          manifest=MANIFEST_NAME)  # fmt: skip
    print(done, file=out)
    return EXIT_OK


def run_restore(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    """`store restore FILE`: exit 0 restored, 1 refused (damaged archive, store busy), 2 no such file."""
    try:
        result = restore_store(Path(args.file), _root(args, settings))
    except BackupError as exc:
        return _refused(exc, err)
    done = DONE_MESSAGES["restore"].format(root=result.root, archive=args.file, files=fmt_int(result.files),
                                           size=fmt_int(result.size))  # fmt: skip
    print(done, file=out)
    if result.previous is not None:
        print(DONE_MESSAGES["previous"].format(previous=result.previous), file=out)
    print(DONE_MESSAGES["logged_out"], file=out)
    return EXIT_OK
