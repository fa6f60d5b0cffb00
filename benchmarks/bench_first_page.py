"""The first page after a restart: from the server process's start to the overview settled in Chromium.

Usage: python benchmarks/bench_first_page.py [--sizes 3000 20000 200000] [--repeat 3]

Per size: a folder store holding the generated workbook published as its current version (its columnar
snapshot written in the same step, as the upload page publishes). Headless Chromium is started first
(a blank page open, so the browser's own start is not counted); then, per repeat, `python -m streamlit
run app.py` is started, `/_stcore/health` polled every 50 ms, the overview opened, and the time taken
from the server process's start to the overview drawn (connected, no run in progress, the menu, the
headline figures and the period bar present). Beside it, in the same run, a bare
`pd.read_excel(sheet_name=None, engine="calamine")` of the same file in this process (best of `repeat`)
and in a fresh process (median; interpreter and pandas import included, as a restarted server pays
them). Goal (issue 11): the first page within 0.5x the bare read. run_all.py calls `first_page`.

`--floor` also measures, the same way, the floor no dashboard can go under on this machine: a Streamlit
script that imports pandas and plotly and draws one metric and one small chart (no store, no data), on
the same server configuration and in the same Chromium. The first page minus the floor is what the
dashboard's own start-up and data cost.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_summary import BARE, measure, workbook  # noqa: E402
from benchmarks.viewers import CHROMIUM_ARGS, data_folder, load_average, running_server, wait_overview  # noqa: E402

__all__ = ["FLOOR_APP", "GOAL", "first_page", "floor"]

GOAL = 0.5
# The least a Streamlit page with a figure and a chart costs from a process start (no store, no data).
FLOOR_APP = """
import pandas as pd
import plotly.express as px
import streamlit as st

st.metric("Hoàn thành", "75,0%")
st.plotly_chart(px.bar(pd.DataFrame({"quý": ["I", "II"], "tin": [3, 4]}), x="quý", y="tin"))
"""
_FLOOR_DRAWN = (
    "() => document.querySelector('[data-testid=stApp][data-test-connection-state=CONNECTED]') !== null"
    " && document.querySelector('[data-test-script-state=notRunning]') !== null"
    " && document.querySelectorAll('[data-testid=stMetric]').length > 0"
    " && document.querySelector('.js-plotly-plot') !== null"
)


def floor(repeat: int) -> list[float]:
    """Seconds from a server process's start to FLOOR_APP drawn in Chromium, `repeat` restarts."""
    folder = Path(tempfile.mkdtemp(prefix="bench_floor_"))
    script = folder / "floor_app.py"
    script.write_text(FLOOR_APP, encoding="utf-8")
    return first_page(folder, {}, repeat, script=str(script), drawn=_FLOOR_DRAWN)


def first_page(
    folder: Path,
    env: dict[str, str],
    repeat: int,
    phases: list[tuple[float, float]] | None = None,
    *,
    script: str = "app.py",
    drawn: str | None = None,
) -> list[float]:
    """Seconds from the server process's start to the overview settled in Chromium, `repeat` restarts of
    a server on the settings of `env`. `phases`, when given, gets per restart (the process start to
    its health endpoint answering, from there to the page settled). `script` and `drawn` (a page
    function true once it is drawn) measure another page the same way."""
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            for _ in range(repeat):
                context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
                page = context.new_page()
                page.goto("about:blank")
                with running_server(folder, env, script=script) as server:
                    page.goto(server.base)
                    if drawn is None:
                        wait_overview(page)
                    else:
                        page.wait_for_function(drawn, timeout=600_000, polling=20)
                    times.append(time.perf_counter() - server.started)
                    if phases is not None:
                        phases.append(
                            (server.ready - server.started, times[-1] - (server.ready - server.started))
                        )
                context.close()
        finally:
            browser.close()
    return times


def main() -> int:
    import pandas as pd

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[3_000, 20_000, 200_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--floor", action="store_true", help="also the floor: a one-chart Streamlit page")
    args = parser.parse_args()
    if args.floor:
        floors = floor(args.repeat)
        print(f"floor (one metric, one chart, no data): median {statistics.median(floors):.2f} s "
              f"(runs {', '.join(f'{t:.1f}' for t in floors)}); load {load_average()}")  # fmt: skip
    rows = []
    for size in args.sizes:
        book = workbook(size)
        folder = Path(tempfile.mkdtemp(prefix="bench_first_page_"))
        env = data_folder(folder, book)
        bare = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            pd.read_excel(book, sheet_name=None, engine="calamine")
            bare.append(time.perf_counter() - began)
        fresh = statistics.median(
            measure([sys.executable, "-c", BARE, str(book)])[0] for _ in range(args.repeat)
        )
        phases: list[tuple[float, float]] = []
        times = first_page(folder, env, args.repeat, phases)
        page, read = statistics.median(times), min(bare)
        up, rest = (statistics.median(p[i] for p in phases) for i in (0, 1))
        print(
            f"  phases (median): process start to /_stcore/health {up:.2f} s; then to the page settled {rest:.2f} s"
        )
        rows.append((size, read, fresh, page, load_average()))
        print(f"{size:>8,} activities: bare read {read:.2f} s (fresh process {fresh:.2f} s); first page "
              f"{page:.2f} s (runs {', '.join(f'{t:.1f}' for t in times)}) = {page / read:.2f}x the bare read, "
              f"{page / fresh:.2f}x the fresh-process read (goal <= {GOAL}x); load {load_average()}")  # fmt: skip
    print(
        f"\n{'activities':>10} {'bare s':>7} {'fresh s':>8} {'first page s':>13} {'ratio':>6} {'vs fresh':>9}"
    )
    for size, read, fresh, page, load in rows:
        print(
            f"{size:>10,} {read:>7.2f} {fresh:>8.2f} {page:>13.2f} {page / read:>6.2f} {page / fresh:>9.2f}  load {load}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
