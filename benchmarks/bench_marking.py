"""Time and peak memory of the marked copy ("Tải tệp đã đánh dấu lỗi") of a generated workbook with one error.

Usage: python benchmarks/bench_marking.py [--sizes 200000 280000] [--whole]
Each measurement runs in a fresh process: the copy built in the limited worker (sandbox.mark_untrusted,
the upload page's way; peak = the worker's max RSS) and, with --whole, marking.mark_problems in the
process itself (how the page built it before: the whole workbook through openpyxl). Workbooks are
cached in benchmarks/out/ (280,000 activities: 17.3 MB).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_summary import workbook  # noqa: E402

MEASURE = """
import resource, sys, time
from pathlib import Path
import pandas as pd
from cchc_lib.reading.model import PROBLEM_COLUMNS
data = Path(sys.argv[1]).read_bytes()
problems = pd.DataFrame([("error", "bad_date", "Hoạt động", 5, "Ngày", "Ngày không hợp lệ")], columns=PROBLEM_COLUMNS)
started = time.perf_counter()
if sys.argv[2] == "whole":
    from cchc_lib.reading.marking import mark_problems
    mark_problems(data, problems)
else:
    from cchc_lib.reading.sandbox import mark_untrusted
    from cchc_lib.common.settings import Settings
    mark_untrusted(data, problems, Settings())
usage = resource.getrusage
print(time.perf_counter() - started, usage(resource.RUSAGE_SELF).ru_maxrss, usage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def measure(path: Path, how: str) -> tuple[float, float, float]:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), how], cwd=ROOT, capture_output=True, text=True, check=True
    )
    seconds, own, children = done.stdout.split()
    return float(seconds), int(own) / 1024, int(children) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200_000, 280_000])
    parser.add_argument("--whole", action="store_true", help="also the whole-workbook marking in-process")
    args = parser.parse_args()
    print(f"{'rows':>8} {'file MB':>8} {'way':>22} {'s':>7} {'server MB':>10} {'worker MB':>10}")
    for size in args.sizes:
        path = workbook(size)
        for how in (["whole"] if args.whole else []) + ["worker"]:
            seconds, own, children = measure(path, how)
            label = "whole, in the server" if how == "whole" else "spliced, in the worker"
            print(
                f"{size:>8,} {path.stat().st_size / 1e6:>8.1f} {label:>22} {seconds:>7.1f} {own:>10.0f} "
                f"{children if how == 'worker' else 0:>10.0f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
