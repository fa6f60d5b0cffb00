"""Command line entry point: `python -m cchc_lib <command> ...` (cli.md)."""

from __future__ import annotations

import logging
import sys

from .commands import cli, cli_report, cli_store
from .common.settings import load_settings

COMMAND_MODULES = (cli, cli_store, cli_report)


_Parser = cli.CliParser  # argparse's usage, headings, -h and errors in Vietnamese, exit 2


def build_parser() -> cli.CliParser:
    parser = _Parser(prog="python -m cchc_lib", description="Theo dõi thông tin, tuyên truyền CCHC")
    parser.add_argument("--settings", help="tệp cấu hình TOML (mặc định: settings.toml)")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    out, err = cli.main_streams()
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(args.settings)
        return args.handler(args, settings, out, err)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        return cli.EXIT_OK
    except Exception:  # last resort: never a traceback for the user
        logging.getLogger(__name__).debug("unexpected error", exc_info=True)
        print("Đã xảy ra lỗi không mong muốn khi xử lý lệnh. Hãy kiểm tra tệp và thử lại.", file=err)
        return cli.EXIT_UNREADABLE


if __name__ == "__main__":
    sys.exit(main())
