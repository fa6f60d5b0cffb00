"""A viewer's rerun time while another session previews a big upload, and the server's memory.

Usage: python benchmarks/bench_concurrent.py [--size 200000] [--reruns 6] [--during preview|report|report-inprocess]

One interpreter plays the server: a viewer session (AppTest of app.py, the overview, a published
version of `size` activities loaded) changes the period and unit type, idle first, then while a
second session's thread previews a whole-workbook replacement of `size` rows (`prepare_update`, as
the upload page calls it from its own script thread). Printed: the viewer's median rerun idle and
during the preview (goal: within 2x), this process's peak RSS while the version is loaded and the
preview runs (goal: under 600 MB), and the worker process's peak RSS.

`--during report`: the second session's thread builds the year's report instead, over and over until the
viewer has made `reruns` reruns: the Word report and the Excel annex in the worker process from the
version's snapshot (report_job.build_isolated, as the Báo cáo page does); `report-inprocess`: the same
documents built in this interpreter (reports.build_report + build_annex, what the page did before).
The report's content (prepare_report) is made once beforehand: the page keeps it per data version.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_summary import workbook  # noqa: E402
from benchmarks.bench_upload import other_workbook  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Sampler(threading.Thread):
    """This process's RSS every 50 ms; `peak` in MB."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak, self.stop = 0.0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, rss_mb())
            time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--reruns", type=int, default=6)
    parser.add_argument("--during", choices=["preview", "report", "report-inprocess"], default="preview")
    args = parser.parse_args()
    from streamlit.testing.v1 import AppTest

    from cchc_lib.access.accounts import Account
    from cchc_lib.common.settings import Settings
    from cchc_lib.publishing.store import Store
    from cchc_lib.publishing.submissions import prepare_update, publish_preview

    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)
    first = workbook(args.size)
    admin = Account("quantri", "admin")
    folder = Path(tempfile.mkdtemp(prefix="bench_concurrent_"))
    settings_file = folder / "settings.toml"
    settings_file.write_text(f'store_dir = "{(folder / "store").as_posix()}"\n', encoding="utf-8")
    os.environ["CCHC_SETTINGS"] = str(settings_file)
    settings = replace(Settings(), store_dir=str(folder / "store"))
    store = Store(settings.store_path)
    start = prepare_update(
        store, first.read_bytes(), account=admin, kind="replace", file_name=first.name, settings=settings
    )
    publish_preview(store, start, admin)  # the version and its snapshot
    del start
    print(f"{args.size:,} activities; RSS after publishing: {rss_mb():.0f} MB")

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
    started = time.perf_counter()
    at.run()
    assert not at.exception, at.exception
    print(f"viewer first run (snapshot loaded): {time.perf_counter() - started:.2f} s, RSS {rss_mb():.0f} MB")
    types = at.sidebar.multiselect(key="_w.unit_types").options
    kinds = ["Q1", "Q2", "Q3", "Q4", "H1", "9M", ""]
    step = [0]

    def rerun() -> float:
        i = step[0] = step[0] + 1
        at.session_state["cchc.kind"] = kinds[i % len(kinds)]
        at.session_state["cchc.unit_types"] = [types[i % len(types)]]
        began = time.perf_counter()
        at.run()
        assert not at.exception, at.exception
        return time.perf_counter() - began

    for _ in range(len(kinds)):  # warm every period once: later reruns cost what a filter change costs
        rerun()
    idle = [rerun() for _ in range(args.reruns)]
    if args.during != "preview":
        return during_report(args, at, rerun, idle, store, settings)
    second = other_workbook(args.size)
    sampler = Sampler()
    sampler.start()
    data = second.read_bytes()
    outcome: dict[str, object] = {}

    def upload() -> None:
        began = time.perf_counter()
        outcome["preview"] = prepare_update(
            store, data, account=admin, kind="replace", file_name=second.name, settings=settings
        )
        outcome["seconds"] = time.perf_counter() - began

    uploader = threading.Thread(target=upload)
    uploader.start()
    busy = []
    while uploader.is_alive():
        busy.append(rerun())
    uploader.join()
    sampler.stop.set()
    sampler.join()
    preview = outcome["preview"]
    assert preview.errors.empty, preview.errors  # type: ignore[attr-defined]
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    i, b = statistics.median(idle), statistics.median(busy)
    print(
        f"viewer rerun, idle:            median {i * 1000:7.0f} ms of {len(idle)} ({min(idle) * 1000:.0f}-{max(idle) * 1000:.0f})"
    )
    print(f"viewer rerun, during preview:  median {b * 1000:7.0f} ms of {len(busy)} ({min(busy) * 1000:.0f}-{max(busy) * 1000:.0f})"
          f"  ratio {b / i:.2f} (goal <= 2)")  # fmt: skip
    print(f"the preview took {outcome['seconds']:.1f} s")
    print(f"server process peak RSS during the preview: {sampler.peak:.0f} MB (goal < 600)")
    print(f"worker process peak RSS: {worker:.0f} MB")
    return 0


def during_report(args, at, rerun, idle: list[float], store, settings) -> int:
    """The viewer's reruns while another session's thread builds the year's report (see the docstring)."""
    from datetime import date

    from cchc_lib.common.periods import parse_period
    from cchc_lib.documents import reports
    from cchc_lib.publishing import report_job
    from cchc_lib.publishing.store_base import CACHE_DIR
    from cchc_lib.web import data

    version = store.current()
    wb = data.load_workbook(data.current_source(settings), settings)  # the viewer's cached tables, shared
    period = parse_period("2024")
    parts = reports.prepare_report(wb, period, "report", settings)
    snapshot = (str(settings.store_path / CACHE_DIR), version.sha256)
    issued = date(2025, 1, 5)

    def build_once() -> int:
        if args.during == "report":
            docx, xlsx = report_job.build_isolated(
                ("docx", "xlsx"), parts, settings, issued=issued, snapshot=snapshot, workbook=wb
            )
        else:
            docx = reports.build_report(wb, period, "report", settings, parts=parts, issued=issued)
            xlsx = reports.build_annex(parts, settings, wb=wb, issued=issued)
        return len(docx) + len(xlsx)

    stop, builds = threading.Event(), []

    def builder() -> None:
        while not stop.is_set():
            began = time.perf_counter()
            build_once()
            builds.append(time.perf_counter() - began)

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the publish's parse so far
    sampler = Sampler()
    sampler.start()
    thread = threading.Thread(target=builder)
    thread.start()
    busy = []
    while len(busy) < args.reruns or not builds:
        busy.append(rerun())
    stop.set()
    thread.join()
    sampler.stop.set()
    sampler.join()
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    i, b = statistics.median(idle), statistics.median(busy)
    where = "in the worker" if args.during == "report" else "in this interpreter"
    print(
        f"viewer rerun, idle:                 median {i * 1000:7.0f} ms of {len(idle)} ({min(idle) * 1000:.0f}-{max(idle) * 1000:.0f})"
    )
    print(f"viewer rerun, during report builds: median {b * 1000:7.0f} ms of {len(busy)} ({min(busy) * 1000:.0f}-{max(busy) * 1000:.0f})"
          f"  ratio {b / i:.2f} (goal <= 2)")  # fmt: skip
    print(
        f"report builds {where}: {len(builds)}, median {statistics.median(builds):.1f} s (Word + Excel annex)"
    )
    print(f"server process peak RSS during the builds: {sampler.peak:.0f} MB (goal < 600)")
    print(
        f"worker process peak RSS: {worker:.0f} MB (before the builds, the publish's parse: {before:.0f} MB)"
    )
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
