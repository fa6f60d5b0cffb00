"""The province-scale figures side by side, each as a ratio to a bare
`pd.read_excel(sheet_name=None, engine="calamine")` of the same file in the same run.

Usage: python benchmarks/run_all.py [--sizes 3000 20000 200000] [--repeat 3] [--profile]

Per size (workbooks from cchc_lib.sample.builder, cached in benchmarks/out/):
- bare read, in this process (best of `repeat`) and in a fresh process (interpreter and imports
  included, as the `summary` command pays them);
- unit submission check + publish: `prepare_update` (kind "unit": the upload parsed in the worker, the
  current version from its snapshot, the XML-level merge, the merged file parsed in the worker, the
  change table) and `publish_preview` (lock, atomic write, the snapshot in the same step, audit);
- whole-workbook replacement preview: `prepare_update` (kind "replace");
- `summary FILE --period 2024 --format json` of the published version, in a fresh process (median);
- the first page after a restart: the server process's start to the overview settled in headless
  Chromium, on the published store (bench_first_page; median of `repeat` restarts; goal <= 0.5x);
- a filter change on each page: the library calls a page makes, timed directly (bench_pages).
Once per run, the floor of a first page (bench_first_page.floor: a Streamlit script with one metric and
one chart, no data, started and drawn the same way): the first page minus the floor is the dashboard's
own start-up and data cost.
`--profile`: cProfile of the unit submission and the replacement preview at the largest size (the
parent's side; the worker's job is the wait in `_load`).
The process plays the app server: it keeps a spare worker started ahead (sandbox.keep_spare_worker, as
app.py does) and, before each timed upload, waits until the spare has finished importing (a user's
uploads are seconds apart); `--no-spare` measures cold worker starts instead.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_first_page import first_page, floor  # noqa: E402
from benchmarks.bench_summary import BARE, measure, workbook  # noqa: E402
from benchmarks.bench_upload import other_workbook, unit_file  # noqa: E402

GOALS = {"unit": 1.0, "replace": 1.5, "summary": 1.2, "first_page": 0.5}


def best_s(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def spare_settled(timeout: float = 120.0) -> None:
    """Wait until the spare worker (if any) has stopped using CPU: its imports are done."""
    from cchc_lib.reading import spare

    child = spare._state["spare"]
    if child is None:
        return
    stat = Path(f"/proc/{child.pid}/stat")
    deadline, last = time.monotonic() + timeout, -1
    while time.monotonic() < deadline and stat.exists():
        ticks = sum(int(x) for x in stat.read_text().rsplit(") ", 1)[1].split()[11:13])
        if ticks == last:
            return
        last = ticks
        time.sleep(0.5)


def peak_mb(who: int) -> float:
    import resource

    return resource.getrusage(who).ru_maxrss / 1024


def profile(label: str, fn) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(18)
    print(f"\n--- profile: {label} ---\n{text.getvalue()}")


def run(size: int, repeat: int, with_profile: bool) -> dict[str, float]:
    import pandas as pd

    from benchmarks.bench_pages import library_calls
    from cchc_lib.access.accounts import Account
    from cchc_lib.common.settings import Settings
    from cchc_lib.publishing.store import Store
    from cchc_lib.publishing.submissions import prepare_update, publish_preview

    first, second = workbook(size), other_workbook(size)
    unit_data, code = unit_file(size)
    admin, unit = Account("quantri", "admin"), Account("dau-moi", "unit", code)
    print(f"\n=== {size:,} activities ({first.stat().st_size / 1e6:.1f} MB) ===")
    bare, _ = best_s(lambda: pd.read_excel(first, sheet_name=None, engine="calamine"), repeat)
    print(f"  bare calamine read, in process                 {bare:7.2f} s")
    out: dict[str, float] = {"bare": bare}
    with tempfile.TemporaryDirectory() as folder:
        settings = replace(Settings(), store_dir=str(Path(folder) / "store"))
        store = Store(settings.store_path)
        start = prepare_update(
            store, first.read_bytes(), account=admin, kind="replace", file_name=first.name, settings=settings
        )
        version = publish_preview(store, start, admin)

        def replacement():
            return prepare_update(
                store,
                second.read_bytes(),
                account=admin,
                kind="replace",
                file_name=second.name,
                settings=settings,
            )

        spare_settled()
        seconds, preview = best_s(replacement, 1)
        assert preview.errors.empty, preview.errors
        out["replace"] = seconds
        print(f"  replacement preview                            {seconds:7.2f} s  {seconds / bare:5.2f}x")
        if with_profile:
            spare_settled()
            profile(f"replacement preview, {size:,}", replacement)
        publish_preview(store, preview, admin)  # the unit's rows now differ from its current ones

        def submission():
            preview = prepare_update(
                store,
                unit_data,
                account=unit,
                kind="unit",
                unit_code=code,
                file_name="dv.xlsx",
                settings=settings,
            )
            assert preview.errors.empty and not preview.duplicate, preview.errors
            return publish_preview(store, preview, unit)

        spare_settled()
        seconds, _ = best_s(submission, 1)
        out["unit"] = seconds
        print(f"  unit submission check + publish                {seconds:7.2f} s  {seconds / bare:5.2f}x")
        print(f"  peak RSS so far: this process {peak_mb(resource.RUSAGE_SELF):,.0f} MB, "
              f"workers {peak_mb(resource.RUSAGE_CHILDREN):,.0f} MB")  # fmt: skip
        if with_profile:
            store.rollback(store.current_number() - 1, admin)  # the unit's rows differ again
            spare_settled()
            profile(f"unit submission, {size:,}", submission)

        settings_file = Path(folder) / "settings.toml"
        settings_file.write_text(f'store_dir = "{settings.store_path.as_posix()}"\n', encoding="utf-8")
        os.environ["CCHC_SETTINGS"] = str(settings_file)
        current = store.current()
        assert current is not None and current.number > version.number
        bare_cmd = [sys.executable, "-c", BARE, str(current.path)]
        summary_cmd = [sys.executable, "-m", "cchc_lib", "summary", str(current.path), "--period", "2024",
                       "--format", "json"]  # fmt: skip
        bare_runs, summary_runs = [], []
        for _ in range(repeat):  # interleaved so machine load hits both alike
            bare_runs.append(measure(bare_cmd)[0])
            summary_runs.append(measure(summary_cmd)[0])
        b, s = statistics.median(bare_runs), statistics.median(summary_runs)
        out["bare_process"], out["summary"] = b, s
        print(f"  bare calamine read, fresh process              {b:7.2f} s")
        print(f"  summary CLI, fresh process (snapshot)          {s:7.2f} s  {s / b:5.2f}x")
        check = subprocess.run(summary_cmd, capture_output=True, text=True, cwd=ROOT, check=True)
        assert check.stdout.startswith("["), check.stderr
        env = {"CCHC_SETTINGS": str(settings_file), "CCHC_USERS": str(Path(folder) / "users.toml")}
        out["first_page"] = statistics.median(first_page(Path(folder), env, repeat))
        print(f"  first page after a restart, Chromium           {out['first_page']:7.2f} s  "
              f"{out['first_page'] / bare:5.2f}x")  # fmt: skip
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    print("  filter change, library calls per page (best / median ms):")
    library_calls(first, repeat)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[3_000, 20_000, 200_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--no-spare", action="store_true", help="no spare worker: every job starts cold")
    args = parser.parse_args()
    if not args.no_spare:
        from cchc_lib.publishing.unit_job import WORKER_MODULES
        from cchc_lib.reading.sandbox import keep_spare_worker

        keep_spare_worker(WORKER_MODULES)
    floor_s = statistics.median(floor(args.repeat))
    print(f"first-page floor (one metric, one chart, no data): {floor_s:.2f} s")
    rows = {}
    for size in args.sizes:
        rows[size] = run(size, args.repeat, args.profile and size == max(args.sizes))
    print("\nratios to the bare read of the same file (goal in brackets):")
    print(
        f"{'activities':>10} {'bare s':>7} {'unit+publish':>13} {'replace':>8} {'summary':>8} {'first page':>10}"
    )
    for size, r in rows.items():
        print(
            f"{size:>10,} {r['bare']:>7.2f} {r['unit'] / r['bare']:>7.2f} ({GOALS['unit']})"
            f" {r['replace'] / r['bare']:>5.2f} {r['summary'] / r['bare_process']:>5.2f}"
            f" {r['first_page'] / r['bare']:>7.2f} ({GOALS['first_page']})"
            f"   unit+publish {r['unit']:.2f} s, first page {r['first_page']:.2f} s"
            f" = floor {floor_s:.2f} s + {r['first_page'] - floor_s:.2f} s"
            f" ({(r['first_page'] - floor_s) / r['bare']:.2f}x the bare read)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
