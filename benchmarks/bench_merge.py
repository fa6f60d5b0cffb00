"""Time and peak memory of merging one unit's quarter into the current workbook: the openpyxl merge
(`submissions.merge_unit_rows`) against the XML-level one (`sheet_merge.merge_unit_rows_fast`), with a
bare calamine read of the same file as the ratio base.

Usage: python benchmarks/bench_merge.py [--sizes 3000 20000 200000] [--skip-openpyxl-above 20000]

The submission is the first unit's rows of the second quarter with every quantity raised by one (the
same number of rows, other values). The inputs (the current workbook read once, the submitted rows) are
prepared once and pickled; each measurement then runs in a fresh child process that loads them, notes
its RSS (openpyxl already imported, as in the app), merges, and reports the wall time of the merge alone and its max RSS. Workbooks are cached in
benchmarks/out/ (shared with the other benchmarks).
"""

from __future__ import annotations

import argparse
import json
import pickle
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_summary import OUT, workbook  # noqa: E402

CHILD = """
import json, pickle, resource, sys, time
sys.path.insert(0, {root!r})
import pandas as pd
from cchc_lib.publishing.sheet_merge import merge_unit_rows_fast
from cchc_lib.publishing.submissions import merge_unit_rows
import openpyxl, openpyxl.styles.numbers, openpyxl.utils.datetime  # imported before the clock, for both
kind, path, inputs = sys.argv[1:4]
data = open(path, "rb").read()
if kind != "calamine":
    with open(inputs, "rb") as handle:
        before, rows, unit, span = pickle.load(handle)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
started = time.perf_counter()
if kind == "calamine":
    pd.read_excel(path, sheet_name=None, engine="calamine")
    size = None
else:
    merge = merge_unit_rows_fast if kind == "fast" else merge_unit_rows
    out = merge(data, before, rows, unit, span)
    size = None if out is None else len(out)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "rss_before": rss, "peak": peak, "size": size}}))
"""


def inputs(size: int) -> Path:
    """The pickled (before, submitted rows, unit, range) for `size`, made once."""
    from cchc_lib.common.settings import Settings
    from cchc_lib.reading.sandbox import read_trusted

    path = OUT / f"merge_inputs_{size}.pickle"
    if path.exists():
        return path
    before = read_trusted(workbook(size).read_bytes(), Settings()).workbook
    acts = before.activities
    unit = str(acts["unit_code"].iloc[0])
    year = int(acts["date"].dt.year.mode().iloc[0])
    span = (date(year, 4, 1), date(year, 6, 30))
    days = acts["date"].dt.date
    rows = acts[(acts["unit_code"] == unit) & (days >= span[0]) & (days <= span[1])].copy()
    rows["quantity"] = rows["quantity"] + 1
    rows = rows.reset_index(drop=True)
    rows["row"] = range(2, len(rows) + 2)
    with open(path, "wb") as handle:
        pickle.dump((before, rows, unit, span), handle)
    return path


def measure(kind: str, size: int) -> dict:
    source, prepared = workbook(size), inputs(size)
    code = CHILD.format(root=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", code, kind, str(source), str(prepared)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[3000, 20000, 200000])
    parser.add_argument("--skip-openpyxl-above", type=int, default=None)
    args = parser.parse_args(argv)
    for size in args.sizes:
        prepared = inputs(size)
        with open(prepared, "rb") as handle:
            _, rows, unit, span = pickle.load(handle)
        print(
            f"\n{size:,} activities ({workbook(size).stat().st_size / 1e6:.1f} MB), unit {unit}, "
            f"{span[0]:%d/%m}-{span[1]:%d/%m}: {len(rows)} rows replaced"
        )
        kinds = ["calamine", "fast"]
        if args.skip_openpyxl_above is None or size <= args.skip_openpyxl_above:
            kinds.append("openpyxl")
        base = None
        for kind in kinds:
            started = time.perf_counter()
            result = measure(kind, size)
            base = base or result["seconds"]
            note = "fell back (None)" if kind == "fast" and result["size"] is None else ""
            print(
                f"  {kind:<9} {result['seconds']:7.2f} s  ({result['seconds'] / base:4.2f}x calamine)  "
                f"peak RSS {result['peak']:7.0f} MB (+{result['peak'] - result['rss_before']:.0f} MB)  "
                f"[child {time.perf_counter() - started:.1f} s] {note}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
