"""First-load time of a published version: parsing the .xlsx vs reading its columnar snapshot, each
as a ratio to a bare `pd.read_excel(sheet_name=None, engine="calamine")` of the same file.

Usage: python benchmarks/bench_snapshot.py [--sizes 3000 20000 200000] [--repeat 3]

What a restart or a new server pays before the first page: `data._read` of a store version, once
with no snapshot (parse in-process + write the snapshot) and then with the snapshot (sha256 of the
bytes, manifest and per-table digests checked, Parquet read). Workbooks are generated into
benchmarks/out/ (shared with the other benchmarks).
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_pages import workbook  # noqa: E402


def best_s(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(path: Path, repeat: int) -> tuple[float, float, float]:
    """(bare calamine read, parse + write the snapshot, load from the snapshot) in seconds."""
    import pandas as pd

    from cchc_lib.common.settings import Settings
    from cchc_lib.publishing import snapshots
    from cchc_lib.web import data

    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "store"
        version = store / "versions" / "000001.xlsx"
        version.parent.mkdir(parents=True)
        shutil.copyfile(path, version)
        sha = hashlib.sha256(version.read_bytes()).hexdigest()
        settings = replace(Settings(), store_dir=str(store))
        cache = store / "cache"
        bare = best_s(lambda: pd.read_excel(version, sheet_name=None, engine="calamine"), repeat)

        def cold() -> None:
            shutil.rmtree(cache, ignore_errors=True)
            data._read(version, sha, settings)

        parse = best_s(cold, repeat)
        assert snapshots.manifest_path(cache, sha).is_file()
        snap = best_s(lambda: data._read(version, sha, settings), repeat)
    return bare, parse, snap


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[3_000, 20_000, 200_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    print(f"{'activities':>10}  {'bare read':>9}  {'parse':>13}  {'snapshot':>13}")
    for size in args.sizes:
        bare, parse, snap = measure(workbook(size), args.repeat)
        print(
            f"{size:>10,}  {bare:>8.2f}s  {parse:>6.2f}s {parse / bare:>4.1f}x  {snap:>6.2f}s {snap / bare:>4.2f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
