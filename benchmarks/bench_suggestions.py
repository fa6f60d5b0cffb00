"""Reading time of a workbook whose every activity names an unknown unit (issue 15): each such row is
an error with a closest-name suggestion, and only the first problems.MAX_PROBLEMS are listed.

Usage: python benchmarks/bench_suggestions.py [--units 300] [--rows 30000] [--similar] [--sandbox]

Builds (in memory) `--units` units and `--rows` activities, each with its own unknown unit code
(`KHONGCO00001`...; with `--similar` a name like the known ones, `UBND xã Cẩm Thịnh 1300`, the costly
case for the comparison), times read_workbook in this process (with `--sandbox`: read_untrusted, the
upload path, child process with its time and memory limits) and counts the values compared.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def spec(units: int, rows: int, similar: bool = False):
    from cchc_lib.sample.builder import WorkbookSpec

    unit_rows = [
        {
            "Mã đơn vị": f"DV{i:03d}",
            "Tên đơn vị": f"UBND xã Cẩm Thịnh {i}",
            "Loại đơn vị": "UBND xã, thị trấn",
        }
        for i in range(units)
    ]
    targets = [{"Năm": 2024, "Quý": None, "Mã đơn vị": "DV000", "TIN_BAI": 1}]
    first = date(2024, 1, 1)
    activities = [
        {
            "Ngày": first + timedelta(days=i % 360),
            "Mã đơn vị": f"UBND xã Cẩm Thịnh {units + i}" if similar else f"KHONGCO{i:05d}",
            "Loại hoạt động": "TIN_BAI",
            "Tiêu đề": f"Tin số {i}",
        }
        for i in range(rows)
    ]
    return WorkbookSpec(unit_rows, targets, activities)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--similar", action="store_true")
    parser.add_argument("--sandbox", action="store_true")
    args = parser.parse_args()

    import difflib

    from cchc_lib.common.settings import Settings
    from cchc_lib.reading.sandbox import read_untrusted
    from cchc_lib.reading.workbook import read_workbook
    from cchc_lib.sample.builder import build_xlsx

    data = build_xlsx(spec(args.units, args.rows, args.similar))
    calls = 0
    original = difflib.SequenceMatcher.set_seq2

    def counted(self, b):  # once per value compared (after the constructor's empty one)
        nonlocal calls
        calls += bool(b)
        return original(self, b)

    difflib.SequenceMatcher.set_seq2 = counted
    started = time.perf_counter()
    result = (read_untrusted if args.sandbox else read_workbook)(data, Settings())
    elapsed = time.perf_counter() - started
    print(
        f"{args.units} units, {args.rows} rows of unknown units ({len(data) / 1e6:.1f} MB"
        f"{', similar names' if args.similar else ''}{', sandbox' if args.sandbox else ''}): read in "
        f"{elapsed:.2f} s; {len(result.problems)} problems listed; {calls} values compared in this process"
    )


if __name__ == "__main__":
    main()
