"""N concurrent viewers changing the period on the overview of a real Streamlit server: settle times, RSS.

Usage: python benchmarks/bench_viewers.py [--activities 200000] [--viewers 25] [--changes 4]
                                          [--chromium 3] [--chromium-changes 3]

A folder store holding a generated workbook of `activities` rows published as its current version (with
its snapshot, as the upload page publishes); `python -m streamlit run app.py` on a free port. A first
viewer opens the overview (the version's snapshot loaded once per server); then `viewers` protocol
viewers (benchmarks/viewers.py: Streamlit's own websocket, a thread each) open it together and each
changes the period `changes` times, one change after another, all viewers at once. Printed: p50/p95 of
the settle times (from the change to the run that shows the new period finished), the server's RSS
(after the first page, peak during the crowd), the server's and this driver's CPU seconds, the load
average. Calibration, before the crowd: `chromium` real pages in headless Chromium (timed inside the
page: the tap to the address showing the new period with no run in progress) against as many protocol
viewers, the same changes, nothing else running on the server.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_summary import workbook  # noqa: E402
from benchmarks.viewers import (  # noqa: E402
    CHROMIUM_ARGS,
    ChromiumViewers,
    ProtocolViewer,
    RssSampler,
    data_folder,
    load_average,
    percentile,
    rss_mb,
    run_protocol_viewers,
    running_server,
)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime, stime in clock ticks (100 Hz)


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def line(label: str, times: list[float]) -> str:
    return (
        f"{label:<44} p50 {statistics.median(times):6.2f} s  p95 {percentile(times, 95):6.2f} s"
        f"  (n={len(times)}, max {max(times):.2f})  load {load_average()}"
    )


def crowd(base: str, pids: list[int], viewers: int, changes: int, label: str) -> dict[str, object]:
    """`viewers` protocol viewers changing the period `changes` times on `base`; RSS of `pids` sampled.
    Prints and returns the figures."""
    sampler = RssSampler(pids)
    sampler.start()
    cpu_before, driver_before = [cpu_seconds(p) for p in pids], own_cpu()
    began = time.perf_counter()
    people, errors = run_protocol_viewers(base, viewers, changes)
    wall = time.perf_counter() - began
    sampler.stop()
    cpu = [cpu_seconds(p) - c for p, c in zip(pids, cpu_before, strict=True)]
    driver = own_cpu() - driver_before
    times = [t for person in people for t in person.settle_times]
    opens = [person.first_run for person in people if person.first_run]
    for error in errors[:5]:
        print("  error:", error)
    if not times:
        raise RuntimeError(f"{label}: no viewer finished a change ({len(errors)} errors)")
    print(line(f"{label}: open together", opens))
    print(line(f"{label}: settle after a period change", times))
    for pid, used in zip(pids, cpu, strict=True):
        print(
            f"  server pid {pid}: RSS peak {sampler.peak[pid]:.0f} MB, end {sampler.last[pid]:.0f} MB, CPU {used:.1f} s"
        )
    print(f"  {wall:.1f} s wall; the driver (all viewers) used {driver:.1f} CPU s; errors {len(errors)}")
    return {
        "times": times,
        "opens": opens,
        "peak": dict(sampler.peak),
        "errors": errors,
        "load": load_average(),
    }


def calibrate(base: str, count: int, changes: int) -> None:
    """`count` Chromium pages against `count` protocol viewers, the same number of changes each."""
    from playwright.sync_api import sync_playwright

    people, errors = run_protocol_viewers(base, count, changes)
    protocol = [t for person in people for t in person.settle_times]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            pages = ChromiumViewers(browser, base, count)
            for step in range(changes):
                pages.change_all(step)
            pages.close()
        finally:
            browser.close()
    print(line(f"calibration: {count} protocol viewers", protocol) + (f" errors {errors}" if errors else ""))
    print(line(f"calibration: {count} Chromium pages", pages.settle_times))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=200_000)
    parser.add_argument("--viewers", type=int, default=25)
    parser.add_argument("--changes", type=int, default=4)
    parser.add_argument(
        "--chromium", type=int, default=3, help="Chromium pages for the calibration (0: none)"
    )
    parser.add_argument("--chromium-changes", type=int, default=3)
    args = parser.parse_args()
    book = workbook(args.activities)
    folder = Path(tempfile.mkdtemp(prefix="bench_viewers_"))
    began = time.perf_counter()
    env = data_folder(folder, book)
    print(f"{args.activities:,} activities ({book.stat().st_size / 1e6:.1f} MB) published in "
          f"{time.perf_counter() - began:.1f} s; load {load_average()}")  # fmt: skip
    with running_server(folder, env) as server:
        first = ProtocolViewer(server.base)
        first.open()
        first.close()
        print(f"server up in {time.perf_counter() - server.started:.1f} s after its start (first page "
              f"{first.first_run:.1f} s); RSS {rss_mb(server.pid):.0f} MB")  # fmt: skip
        if args.chromium:
            calibrate(server.base, args.chromium, args.chromium_changes)
        crowd(server.base, [server.pid], args.viewers, args.changes, f"{args.viewers} viewers")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
