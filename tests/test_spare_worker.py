"""The spare worker (reading.spare): started ahead, it runs the next sandbox job under the same limits,
one job per interpreter with a fresh spare after each, and it dies with the server that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from cchc_lib.common.settings import Settings
from cchc_lib.reading import sandbox, spare
from cchc_lib.reading.model import PROBLEM_COLUMNS, ReadResult
from cchc_lib.reading.safety import UnsafeFile
from tests import hostile

ROOT = Path(__file__).resolve().parents[1]
LIMITED = replace(Settings(), parse_memory_mb=900, parse_timeout_s=20.0)


def reader_pid(data: bytes, settings: object) -> ReadResult:
    """Stand-in reader: reports its process id (column) and its parent's (message)."""
    rows = [["warning", "pid", None, None, str(os.getpid()), str(os.getppid())]]
    return ReadResult(None, pd.DataFrame(rows, columns=PROBLEM_COLUMNS))


def run_pid(settings: Settings = LIMITED) -> int:
    result = sandbox.parse_isolated(hostile.good_xlsx(), settings, "tests.test_spare_worker:reader_pid")
    return int(result.problems["column"].iloc[0])


def waiting() -> subprocess.Popen | None:
    child = spare._state["spare"]
    return child if isinstance(child, subprocess.Popen) else None


@pytest.fixture
def with_spare():
    sandbox.keep_spare_worker()
    try:
        yield
    finally:
        spare.stop()
    assert waiting() is None


def test_no_spare_unless_asked() -> None:
    assert not spare.enabled() and waiting() is None
    run_pid()
    assert waiting() is None


def test_the_job_runs_in_the_spare_and_a_fresh_one_waits_after(with_spare: None) -> None:
    first = waiting()
    assert first is not None and first.poll() is None
    assert run_pid() == first.pid  # the job went to the interpreter started ahead
    second = waiting()
    assert second is not None and second.pid != first.pid and second.poll() is None
    assert first.wait(timeout=30) == 0  # one job per interpreter: it exited after answering
    assert run_pid() == second.pid


def test_the_spare_applies_the_jobs_limits(with_spare: None) -> None:
    settings = replace(LIMITED, parse_memory_mb=700, parse_timeout_s=7.5)
    result = sandbox.parse_isolated(hostile.good_xlsx(), settings, "tests.hostile:reader_limits")
    limits = dict(zip(result.problems["code"], result.problems["message"], strict=True))
    assert limits["RLIMIT_AS"] == str(700 * 1024 * 1024)
    assert limits["RLIMIT_CORE"] == "0"
    assert limits["RLIMIT_CPU"] == str(8 + sandbox.CPU_MARGIN_S)


def test_a_spare_job_over_its_time_is_killed(with_spare: None) -> None:
    started = time.perf_counter()
    with pytest.raises(UnsafeFile) as caught:
        sandbox.parse_isolated(
            hostile.good_xlsx(), replace(LIMITED, parse_timeout_s=1.5), "tests.hostile:reader_sleep"
        )
    assert caught.value.code == "parse_timeout"
    assert time.perf_counter() - started < 6
    assert waiting() is not None  # and the next job has its spare


def test_a_dead_spare_is_not_used(with_spare: None) -> None:
    dead = waiting()
    assert dead is not None
    dead.kill()
    dead.wait(timeout=30)
    pid = run_pid()
    assert pid != dead.pid


SERVER = textwrap.dedent(
    """
    import sys, time
    from cchc_lib.reading import sandbox, spare
    sandbox.keep_spare_worker()
    print(spare._state["spare"].pid, flush=True)
    time.sleep(600)
    """
)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_the_spare_dies_with_its_server() -> None:
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER], cwd=ROOT, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        pid = int(server.stdout.readline())
        assert _alive(pid)
        os.kill(server.pid, signal.SIGKILL)  # no atexit, no cleanup: only the closed pipe tells it
        server.wait(timeout=30)
        deadline = time.monotonic() + 60
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(pid)
    finally:
        if server.poll() is None:
            server.kill()
        server.stdout.close()
