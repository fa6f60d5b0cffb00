"""One spare worker interpreter, started ahead with its imports done, waiting for the next sandbox job.

A long-running server (app.py) calls `enable`; sandbox.parse_isolated then hands its job to the spare
(`take`) instead of starting an interpreter that imports pandas on the user's time, and starts a fresh
spare once the job is over (`replenish`): one job per interpreter, the job's resource limits applied by
the spare itself before it reads the job (reading._worker, `--spare`). The spare waits on its stdin: the
server's end closing (the server exited or was killed) ends it. The command line never enables it.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import subprocess
import threading
from collections.abc import Callable, Sequence

__all__ = ["BASE_PRELOAD", "enable", "enabled", "replenish", "stop", "take"]

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

# Imported by the spare while it waits: what every sandbox job needs first.
BASE_PRELOAD = ("pandas", "python_calamine", "openpyxl", "defusedxml", "cchc_lib.reading.workbook")

_lock = threading.Lock()
_state: dict[str, object] = {"enabled": False, "spare": None, "preload": BASE_PRELOAD, "start": None}


def enable(
    start: Callable[[list[str]], subprocess.Popen],
    preload: Sequence[str] = (),
) -> None:
    """Keep one spare worker from now on (started at once). `start(arguments)` starts the worker with
    these extra command-line arguments (sandbox's command, environment and pipes); `preload`: modules the
    spare imports besides BASE_PRELOAD."""
    with _lock:
        _state["enabled"] = True
        _state["start"] = start
        _state["preload"] = tuple(dict.fromkeys((*BASE_PRELOAD, *preload)))
    replenish()


def enabled() -> bool:
    return bool(_state["enabled"])


def take() -> subprocess.Popen | None:
    """The waiting spare (it is no longer the spare), or None: none enabled, started or alive."""
    with _lock:
        child = _state["spare"]
        _state["spare"] = None
    if child is None:
        return None
    assert isinstance(child, subprocess.Popen)
    if child.poll() is not None:  # died while waiting (killed by hand...): not used
        _close(child)
        return None
    return child


def replenish() -> None:
    """Start a spare when enabled and none is waiting (after each job)."""
    with _lock:
        if not _state["enabled"] or _state["spare"] is not None:
            return
        start = _state["start"]
        arguments = ["--spare", "--preload", ",".join(_state["preload"])]  # type: ignore[arg-type]
        try:
            _state["spare"] = start(arguments)  # type: ignore[operator]
        except OSError as exc:
            log.warning("cannot start a spare worker: %s", exc)


def stop() -> None:
    """Stop keeping a spare and end the waiting one."""
    with _lock:
        _state["enabled"] = False
        child = _state["spare"]
        _state["spare"] = None
    if isinstance(child, subprocess.Popen):
        with contextlib.suppress(OSError):
            child.kill()
        with contextlib.suppress(Exception):
            child.wait(timeout=5)
        _close(child)


def _close(child: subprocess.Popen) -> None:
    for stream in (child.stdin, child.stdout, child.stderr):
        with contextlib.suppress(OSError):
            if stream is not None:
                stream.close()


def _forget_in_forked_child() -> None:
    """A process forked from the server (no exec) must neither use the server's spare nor keep its stdin
    open (the spare would then outlive the server): its copies are closed and forgotten."""
    child = _state["spare"]
    _state.update(enabled=False, spare=None)
    if isinstance(child, subprocess.Popen):
        _close(child)


atexit.register(stop)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_forked_child)
