"""Time and peak memory of `summary` vs a bare pd.read_excel(engine="calamine") on generated workbooks.

Usage: python benchmarks/bench_summary.py [--sizes 20000 200000] [--repeat 3]
Each measurement runs in a fresh child process (interpreter start and imports included on both
sides); peak memory is the child's max RSS (for `summary`, the larger of it and its parse worker).
Workbooks are cached in benchmarks/out/.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT))

BARE = "import sys, pandas as pd; pd.read_excel(sys.argv[1], sheet_name=None, engine='calamine')"


def workbook(size: int) -> Path:
    from cchc_lib.sample.builder import write_xlsx
    from cchc_lib.sample.sample_data import big_spec

    path = OUT / f"activities_{size}.xlsx"
    if not path.exists():
        started = time.perf_counter()
        write_xlsx(big_spec(size), path)
        print(
            f"generated {path.name} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s"
        )
    return path


# A fresh wrapper per run, so the max RSS of its children is this run's alone.
WRAPPER = (
    "import resource, subprocess, sys, time; t = time.perf_counter(); "
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one run of `command` in a fresh process tree."""
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command], check=True, capture_output=True, text=True, cwd=ROOT
    )
    seconds, kilobytes = done.stdout.split()
    return float(seconds), int(kilobytes) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'rows':>8} {'bare read s':>12} {'summary s':>10} {'ratio':>6} {'bare MB':>8} {'summary MB':>11}")
    for size in args.sizes:
        path = workbook(size)
        bare_cmd = [sys.executable, "-c", BARE, str(path)]
        summary_cmd = [
            sys.executable,
            "-m",
            "cchc_lib",
            "summary",
            str(path),
            "--period",
            "2024",
            "--format",
            "json",
        ]
        bare, summ = [], []
        bare_mb = summ_mb = 0.0
        for _ in range(args.repeat):  # interleaved so machine load hits both alike
            seconds, mb = measure(bare_cmd)
            bare.append(seconds)
            bare_mb = max(bare_mb, mb)
            seconds, mb = measure(summary_cmd)
            summ.append(seconds)
            summ_mb = max(summ_mb, mb)
        b, s = statistics.median(bare), statistics.median(summ)
        print(f"{size:>8} {b:>12.2f} {s:>10.2f} {s / b:>6.2f} {bare_mb:>8.0f} {summ_mb:>11.0f}")


if __name__ == "__main__":
    main()
