"""Server time of a page rerun after a filter change, on a generated 200,000-activity workbook.

Usage: python benchmarks/bench_pages.py [--size 200000] [--repeat 5]

Two measurements:
1. the library calls each page makes per rerun, timed directly (a filter change = cache miss);
2. AppTest reruns of each page after a filter change (the whole script: frame, calls, rendering
   into protobuf), with the workbook already parsed and cached, as the server would have it.
Also prints what st.cache_data would add per rerun (a pickle round trip of the parsed workbook).
The workbook is cached in benchmarks/out/ (shared with bench_summary.py).
"""

from __future__ import annotations

import argparse
import logging
import os
import pickle
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT))
BUDGET_MS = 100.0


def workbook(size: int) -> Path:
    from cchc_lib.sample.builder import write_xlsx
    from cchc_lib.sample.sample_data import big_spec

    path = OUT / f"activities_{size}.xlsx"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        write_xlsx(big_spec(size), path)
        print(f"generated {path.name} in {time.perf_counter() - started:.1f} s")
    return path


def best_ms(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(best, median) wall time of `fn` in ms."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return min(times), statistics.median(times)


def library_calls(path: Path, repeat: int) -> None:
    from cchc_lib.common.periods import Period
    from cchc_lib.figures import metrics, selection
    from cchc_lib.reading.sandbox import read_trusted

    started = time.perf_counter()
    wb = read_trusted(path).workbook
    print(
        f"parse (once per data version): {time.perf_counter() - started:.2f} s, {len(wb.activities):,} rows"
    )
    blob = pickle.dumps(wb, protocol=pickle.HIGHEST_PROTOCOL)
    best, _ = best_ms(lambda: pickle.loads(blob), repeat)
    print(
        f"st.cache_data would unpickle the workbook on every rerun: {best:.0f} ms ({len(blob) / 1e6:.0f} MB)"
    )

    period, cal, cut = Period(2024, "Q2"), "report", 15
    unit_type = str(wb.units["unit_type"].iloc[-1])

    def home() -> None:
        fwb = metrics.filter_workbook(wb, unit_types=[unit_type])
        pva = metrics.plan_vs_actual(fwb, period, cal, cut)
        prev = metrics.previous_year_pva(fwb, period, cal, cut)
        metrics.headline(pva)
        metrics.rollup(pva, "activity_type")
        metrics.classify_units(pva)
        metrics.rollup(pva, "unit_type")
        metrics.quarterly_series(fwb, period.year, cal, cut)
        metrics.unit_quarter_matrix(fwb, period.year, cal, cut)
        metrics.units_without_activity(pva)
        if prev is not None:
            metrics.compare_with_previous(pva, prev)

    def unit_page() -> None:
        code = str(wb.units["unit_code"].iloc[3])
        one = metrics.filter_workbook(wb, unit_codes=[code])
        metrics.plan_vs_actual(one, period, cal, cut)
        peers = metrics.filter_workbook(wb, unit_types=[str(wb.units["unit_type"].iloc[3])])
        selection.rank_in_group(metrics.classify_units(metrics.plan_vs_actual(peers, period, cal, cut)), code)
        metrics.quarterly_series(one, period.year, cal, cut)
        metrics.activities_in_period(one, period, cal, cut)

    acts_all = metrics.activities_in_period(wb, Period(2024, ""), cal, cut)
    started = time.perf_counter()
    keys = selection.search_keys(wb.activities, wb.units)
    print(f"search keys (once per data version): {time.perf_counter() - started:.2f} s")

    def activities_period_change() -> None:
        acts = metrics.activities_in_period(wb, period, cal, cut)
        shown = selection.filter_activities(acts, type_codes=["TIN_BAI"])
        selection.activity_totals(shown)

    def activities_text_search() -> None:
        rows = selection.rows_matching(keys, "chuyển đổi số")
        shown = selection.filter_activities(acts_all, type_codes=["TIN_BAI"], rows=rows)
        selection.activity_totals(shown)

    print(f"\nlibrary calls per rerun after a filter change (best / median of {repeat}, ms):")
    for name, fn in [
        ("Tổng quan (filter by unit type)", home),
        ("Đơn vị (another unit)", unit_page),
        ("Hoạt động (period change)", activities_period_change),
        ("Hoạt động (type + free text over a year)", activities_text_search),
    ]:
        best, median = best_ms(fn, repeat)
        flag = "ok" if best <= BUDGET_MS else "OVER BUDGET"
        print(f"  {name:<45} {best:7.1f} / {median:7.1f}  {flag}")


def apptest_reruns(path: Path, repeat: int) -> None:
    from streamlit.testing.v1 import AppTest

    # AppTest runs pages outside a server: silence Streamlit's "missing ScriptRunContext" warnings.
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)

    folder = Path(tempfile.mkdtemp(prefix="bench_pages_"))
    settings = folder / "settings.toml"
    settings.write_text(f'sample_file = "{path.as_posix()}"\nstore_dir = "{(folder / "store").as_posix()}"\n')
    os.environ["CCHC_SETTINGS"] = str(settings)
    pages = {
        "Tổng quan": "app.py",
        "Đơn vị": "pages/1_don_vi.py",
        "Hoạt động": "pages/2_hoat_dong.py",
        "Theo dõi chỉ đạo": "pages/3_theo_doi_chi_dao.py",
    }
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    started = time.perf_counter()
    at.run()
    print(f"\nAppTest first run (parse + cache): {time.perf_counter() - started:.2f} s")
    types = at.sidebar.multiselect(key="_w.unit_types").options
    kinds = ["Q1", "Q2", "Q3", "Q4", "H1", "9M", ""]
    print(f"AppTest rerun after a filter change, whole script (best / median of {repeat}, ms):")
    for title, page in pages.items():
        if page != "app.py":
            at.switch_page(page)
        at.run()
        times = []
        for i in range(repeat):
            # a new (period, unit type) pair each time, so the metric caches miss as after a real change
            at.session_state["cchc.kind"] = kinds[i % len(kinds)]
            at.session_state["cchc.unit_types"] = [types[i % len(types)]]
            started = time.perf_counter()
            at.run()
            times.append((time.perf_counter() - started) * 1000)
            assert not at.exception, at.exception
        cached = []
        for _ in range(repeat):
            started = time.perf_counter()
            at.run()
            cached.append((time.perf_counter() - started) * 1000)
        print(
            f"  {title:<18} new filter {min(times):7.1f} / {statistics.median(times):7.1f}"
            f"   same filter (cached) {min(cached):7.1f} / {statistics.median(cached):7.1f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    path = workbook(args.size)
    library_calls(path, args.repeat)
    apptest_reruns(path, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
