"""Time and peak memory of the upload path: preview (safe parse + change table) and publish.

Usage: python benchmarks/bench_upload.py [--sizes 20000 200000]

For each size: a temp store holds one workbook of that size as the current version; another
workbook of the same size (other random draws) is then previewed as a whole-workbook replacement
(`prepare_update`: cheap checks, parse in the limited child process, read of the current version,
per unit x type change table) and published (`publish_preview`: lock, re-check of the base version,
atomic write, audit line). A unit submission (one unit's rows of the first workbook) is then previewed and
published too (its rows merged into the current workbook). Peak memory is this process's and its children's
max RSS. Workbooks are cached in benchmarks/out/ (shared with the other benchmarks).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_summary import OUT, workbook  # noqa: E402


def other_workbook(size: int) -> Path:
    """A second workbook of `size` activities (seed 1): what a new upload looks like."""
    from cchc_lib.sample.builder import write_xlsx
    from cchc_lib.sample.sample_data import big_spec

    path = OUT / f"activities_{size}_b.xlsx"
    if not path.exists():
        write_xlsx(big_spec(size, seed=1), path)
    return path


def peak_mb() -> tuple[float, float]:
    """(this process, its children) max RSS in MB so far."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def timed(label: str, fn):
    started = time.perf_counter()
    result = fn()
    print(f"  {label:<52} {time.perf_counter() - started:6.2f} s")
    return result


def unit_file(size: int) -> tuple[bytes, str]:
    """One unit's rows of the first workbook (seed 0), as that unit's submission: after the second
    workbook was published, they differ from the unit's current rows."""
    from dataclasses import replace

    from cchc_lib.sample.builder import build_xlsx
    from cchc_lib.sample.sample_data import big_spec

    spec = big_spec(size, seed=0)
    code = spec.activities[0]["Mã đơn vị"]
    rows = [a for a in spec.activities if a["Mã đơn vị"] == code]
    return build_xlsx(replace(spec, activities=rows)), code


def run(size: int) -> None:
    from cchc_lib.access.accounts import Account
    from cchc_lib.common.settings import Settings
    from cchc_lib.publishing.store import Store
    from cchc_lib.publishing.submissions import prepare_update, publish_preview

    first, second = workbook(size), other_workbook(size)
    admin, settings = Account("quantri", "admin"), Settings()
    print(f"\n{size:,} activities ({second.stat().st_size / 1e6:.1f} MB):")
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "store")
        timed(
            "publish the first version (no checks: bytes given)",
            lambda: store.publish(
                first.read_bytes(), account=admin, kind="replace", file_name=first.name, base_version=None
            ),
        )
        data = second.read_bytes()
        preview = timed(
            "preview a replacement (safe parse + change table)",
            lambda: prepare_update(
                store, data, account=admin, kind="replace", file_name=second.name, settings=settings
            ),
        )
        assert preview.errors.empty, preview.errors
        print(f"    {len(preview.changes):,} unit x type changes, {preview.rows:,} rows after")
        timed(
            "publish it (lock, base check, atomic write, audit)",
            lambda: publish_preview(store, preview, admin),
        )
        unit_data, code = unit_file(size)
        unit = Account("dau-moi", "unit", code)
        unit_preview = timed(
            f"preview a unit submission ({code})",
            lambda: prepare_update(
                store,
                unit_data,
                account=unit,
                kind="unit",
                unit_code=code,
                file_name="don_vi.xlsx",
                settings=settings,
            ),
        )
        assert unit_preview.errors.empty, unit_preview.errors
        timed("publish it (merged workbook written)", lambda: publish_preview(store, unit_preview, unit))
    own, children = peak_mb()
    print(f"  peak RSS so far: this process {own:.0f} MB, parse children {children:.0f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000])
    args = parser.parse_args()
    for size in args.sizes:
        run(size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
