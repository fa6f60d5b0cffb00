"""Child-process entry point: limit itself, run one job on a workbook from stdin (parse it, or build its marked
copy), pickle the outcome to stdout; or, as a spare (`--spare`), import first and wait for that job."""

# Run as `python -m cchc_lib.reading._worker --memory-mb N --cpu-s N --reader module:function` by
# cchc_lib.reading.sandbox only. Imports are kept minimal: the reader pulls in what it needs.
from __future__ import annotations

import os
import sys
from typing import IO

__all__ = ["main"]


def _limit(memory_mb: int, cpu_s: int) -> None:
    import resource

    as_bytes = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (as_bytes, as_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
    # An abort must not write a multi-gigabyte core file.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _argument(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def main(argv: list[str]) -> int:
    # Keep the real stdout for the pickle only: anything a library prints goes to stderr.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    if "--spare" in argv:
        return _spare(out, _argument(argv, "--preload").split(","))
    _limit(int(_argument(argv, "--memory-mb")), int(_argument(argv, "--cpu-s")))
    return _run(out, _argument(argv, "--reader"))


def _spare(out: IO[bytes], preload: list[str]) -> int:
    """A spare started ahead (reading.spare): import `preload`, then wait for the job's first line
    ("memory_mb cpu_s module:function"), limit itself as a fresh worker would, and run the job. End of
    input before a job (the server gone) ends it quietly."""
    import importlib

    for name in preload:
        if name:
            importlib.import_module(name)
    line = sys.stdin.buffer.readline()
    if not line.strip():
        return 0
    memory_mb, cpu_s, reader = line.decode("ascii").split()
    _limit(int(memory_mb), int(cpu_s))
    return _run(out, reader)


def _run(out: IO[bytes], reader_name: str) -> int:
    import importlib
    import pickle

    payload = pickle.loads(sys.stdin.buffer.read())  # written by our own parent, not by the uploader
    module_name, _, function_name = reader_name.partition(":")
    try:
        reader = getattr(importlib.import_module(module_name), function_name)
        extra = payload.get("options") or {}  # keyword arguments: a column mapping, problems to mark
        outcome: tuple = ("ok", reader(payload["data"], payload["settings"], **extra))
    except MemoryError:
        outcome = ("memory", "MemoryError")
    except BaseException as exc:  # the parent turns this into a Vietnamese message, never a traceback
        outcome = ("error", f"{type(exc).__name__}: {exc}"[:2000])
    try:
        blob = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        blob = pickle.dumps(("memory", "MemoryError while pickling"))
    except Exception as exc:
        blob = pickle.dumps(("error", f"result not picklable: {type(exc).__name__}"))
    out.write(blob)
    out.flush()
    sys.stderr.flush()
    # Done: no interpreter shutdown (tearing pandas down takes a noticeable part of a small job's time,
    # and the parent counts the answer only once this process has exited 0).
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
