"""Read an untrusted workbook: cheap checks, then parse in a memory- and time-limited child process."""

from __future__ import annotations

import contextlib
import io
import logging
import math
import os
import pickle
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from cchc_lib.common.settings import PROJECT_ROOT, Settings, load_settings
from cchc_lib.reading import spare
from cchc_lib.reading.model import ReadResult
from cchc_lib.reading.safety import MB, UnsafeFile, check_upload, size_detail

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "read_untrusted",
    "read_trusted",
    "inspect_untrusted",
    "mark_untrusted",
    "parse_isolated",
    "keep_spare_worker",
    "load_bytes",
    "READER",
    "INSPECTOR",
    "MARKER",
    "PACKAGE_PARENT",
]

log = logging.getLogger(__name__)
# Library logging: silent unless the application configures a handler (no stray lines on CLI stderr).
log.addHandler(logging.NullHandler())

READER = "cchc_lib.reading.workbook:read_workbook"
# The header rows and column-mapping proposals of a workbook (column_mapping.inspect_headers).
INSPECTOR = "cchc_lib.reading.column_mapping:inspect_headers"
# The uploaded workbook with its problems marked (marking.mark_records: bytes).
MARKER = "cchc_lib.reading.marking:mark_records"
# The directory holding the cchc_lib package: the child finds the package there whatever the cwd.
PACKAGE_PARENT = PROJECT_ROOT
# Extra CPU seconds over the wall timeout before the kernel stops the child (backstop only).
CPU_MARGIN_S = 5
# Fewer threads in numeric libraries: less virtual memory reserved under RLIMIT_AS, faster start.
_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS")

# Globals a pickled ReadResult may name; a child that was somehow subverted cannot name anything else.
_ALLOWED_GLOBALS: frozenset[tuple[str, str]] = frozenset(
    {
        ("cchc_lib.reading.model", "ReadResult"),
        ("cchc_lib.reading.model", "Workbook"),
        ("builtins", "slice"),
        ("builtins", "range"),
        ("builtins", "complex"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "bytearray"),
        ("datetime", "date"),
        ("datetime", "datetime"),
        ("datetime", "time"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
        ("numpy", "dtype"),
        ("numpy", "ndarray"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy._core.numeric", "_frombuffer"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy.core.numeric", "_frombuffer"),
        ("pandas", "DataFrame"),
        ("pandas", "Series"),
        ("pandas", "Index"),
        ("pandas", "RangeIndex"),
        ("pandas", "MultiIndex"),
        ("pandas", "DatetimeIndex"),
        ("pandas", "NA"),
        ("pandas", "NaT"),
        ("pandas", "Timestamp"),
        ("pandas", "Timedelta"),
        ("pandas", "BooleanDtype"),
        ("pandas", "StringDtype"),
        ("pandas", "CategoricalDtype"),
        ("pandas", "Categorical"),
        ("pandas", "DatetimeTZDtype"),
        ("pandas", "Int8Dtype"),
        ("pandas", "Int16Dtype"),
        ("pandas", "Int32Dtype"),
        ("pandas", "Int64Dtype"),
        ("pandas", "UInt8Dtype"),
        ("pandas", "UInt16Dtype"),
        ("pandas", "UInt32Dtype"),
        ("pandas", "UInt64Dtype"),
        ("pandas", "Float32Dtype"),
        ("pandas", "Float64Dtype"),
        ("pandas.arrays", "ArrowStringArray"),
        ("pandas.arrays", "BooleanArray"),
        ("pandas.arrays", "DatetimeArray"),
        ("pandas.arrays", "FloatingArray"),
        ("pandas.arrays", "IntegerArray"),
        ("pandas.arrays", "StringArray"),
        ("pandas.arrays", "TimedeltaArray"),
        ("pandas._libs.arrays", "__pyx_unpickle_NDArrayBacked"),
        ("pandas._libs.internals", "_unpickle_block"),
        ("pandas._libs.tslibs.nattype", "_nat_unpickle"),
        ("pandas._libs.tslibs.timestamps", "_unpickle_timestamp"),
        ("pandas._libs.tslibs.timedeltas", "_timedelta_unpickle"),
        ("pandas.core.indexes.base", "_new_Index"),
        ("pandas.core.internals.managers", "BlockManager"),
        ("pandas.core.internals.managers", "SingleBlockManager"),
        ("pyarrow.lib", "_restore_array"),
        ("pyarrow.lib", "py_buffer"),
        ("pyarrow.lib", "type_for_alias"),
    }
)


class _ResultUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> object:
        if (module, name) not in _ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(f"global {module}.{name} not allowed in a worker result")
        return super().find_class(module, name)


@dataclass(frozen=True)
class _Loaded:
    """What was unpickled from a child's answer, or why it could not be (judged with its exit status)."""

    value: object = None
    problem: Exception | None = None


def _load(stream: IO[bytes]) -> _Loaded:
    try:
        return _Loaded(_ResultUnpickler(stream).load())
    except Exception as exc:  # torn, empty or foreign
        return _Loaded(problem=exc)


def load_bytes(source: Path | str | bytes, settings: Settings) -> bytes:
    """The bytes of `source` (bytes as given; a path is read). Missing/unreadable -> UnsafeFile."""
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    path = Path(source)
    try:
        if not path.is_file():
            raise UnsafeFile("missing_file")
        size = path.stat().st_size
        if size > settings.max_upload_mb * MB:  # refused before reading it into memory
            raise UnsafeFile("too_large", detail=size_detail(size, settings.max_upload_mb))
        return path.read_bytes()
    except OSError as exc:
        raise UnsafeFile("missing_file") from exc


def read_untrusted(
    source: Path | str | bytes, settings: Settings | None = None, mapping: dict | None = None
) -> ReadResult:
    """Check, then parse `source` in a limited child process. Raises UnsafeFile; never a parser error.
    `mapping`: a column mapping (column_mapping.py; MappingError when invalid) the reader applies."""
    settings = settings or load_settings()
    mapping = _checked_mapping(mapping)
    data = load_bytes(source, settings)
    check_upload(data, settings)
    return parse_isolated(data, settings, mapping=mapping)


def inspect_untrusted(source: Path | str | bytes, settings: Settings | None = None) -> dict:
    """Check, then find each sheet's likely header row and the column-mapping proposals in a limited child
    process (column_mapping.inspect_headers: plain data). Raises UnsafeFile."""
    settings = settings or load_settings()
    data = load_bytes(source, settings)
    check_upload(data, settings)
    return parse_isolated(data, settings, reader=INSPECTOR, expect=dict)


def mark_untrusted(data: bytes, problems: pd.DataFrame | None, settings: Settings | None = None) -> bytes:
    """The marked copy of an upload (marking.mark_problems) built in a limited child process: the same
    checks, memory and time limits as reading it, and nothing but bytes comes back. Raises UnsafeFile
    (`parse_memory`, `parse_timeout`... when the copy is too costly to build)."""
    settings = settings or load_settings()
    from cchc_lib.reading.marking import problem_records

    check_upload(bytes(data), settings)
    records = problem_records(problems)
    return parse_isolated(data, settings, reader=MARKER, expect=bytes, options={"problems": records})


def _checked_mapping(mapping: dict | None) -> dict | None:
    if not mapping:
        return None
    from cchc_lib.reading.column_mapping import validate_mapping

    return validate_mapping(mapping) or None


def read_trusted(
    source: Path | str | bytes, settings: Settings | None = None, mapping: dict | None = None
) -> ReadResult:
    """Check, then parse in this process (bundled sample data, tests). Raises UnsafeFile."""
    settings = settings or load_settings()
    mapping = _checked_mapping(mapping)
    data = load_bytes(source, settings)
    check_upload(data, settings)
    from cchc_lib.reading.workbook import read_workbook

    try:
        return read_workbook(data, settings, mapping=mapping)
    except MemoryError as exc:
        raise UnsafeFile("parse_memory") from exc
    except Exception as exc:
        log.warning("reader failed in-process: %s: %s", type(exc).__name__, exc)
        raise UnsafeFile("unreadable") from exc


def parse_isolated(
    data: bytes,
    settings: Settings,
    reader: str | None = None,
    *,
    mapping: dict | None = None,
    expect: type = ReadResult,
    options: dict | None = None,
) -> ReadResult:
    """Run `reader` ("module:function", default READER) on `data` in a fresh child process (the spare one
    started ahead, with keep_spare_worker: one job per interpreter either way); its result must be an
    `expect`. A column `mapping` (validated) and the keyword arguments `options` (plain data)
    are passed on to the reader.

    The child has RLIMIT_AS = settings.parse_memory_mb and is killed after settings.parse_timeout_s.
    No safety checks here: callers run check_upload first.
    """
    timeout = float(settings.parse_timeout_s)
    memory_mb, cpu_s = int(settings.parse_memory_mb), math.ceil(timeout) + CPU_MARGIN_S
    reader = reader or READER
    options = dict(options or {})
    if mapping:
        options["mapping"] = mapping
    job = {"data": bytes(data), "settings": settings, "options": options}
    payload = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
    child = spare.take()  # a worker started ahead, its imports done (server only: spare.enable)
    if child is not None:
        payload = f"{memory_mb} {cpu_s} {reader}\n".encode("ascii") + payload
    else:
        limits = ["--memory-mb", str(memory_mb), "--cpu-s", str(cpu_s), "--reader", reader]
        try:
            child = _start_worker(limits)
        except OSError as exc:
            log.error("cannot start the parser process: %s", exc)
            raise UnsafeFile("parse_crashed") from exc
    try:
        return _streamed(child, payload, timeout, expect)
    finally:
        spare.replenish()  # one job per interpreter: the next one waits ready


def keep_spare_worker(preload: tuple[str, ...] = ()) -> None:
    """From now on keep one worker interpreter started ahead (reading.spare), importing `preload` too:
    for the app server, whose users should not wait for an interpreter to import pandas."""
    spare.enable(_start_worker, preload)


def _start_worker(arguments: list[str]) -> subprocess.Popen:
    """A worker process (reading._worker) with `arguments`, its pipes open. Raises OSError."""
    return subprocess.Popen(
        [sys.executable, "-m", "cchc_lib.reading._worker", *arguments],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=PACKAGE_PARENT,
        env=_child_env(),
        start_new_session=True,  # the server's terminal signals are not the child's business
        close_fds=True,
    )


def _streamed(child: subprocess.Popen, payload: bytes, timeout: float, expect: type) -> ReadResult:
    """Feed `payload` to the child and unpickle its answer straight from the pipe as it comes (a
    200,000-row result is never held twice, as bytes and as frames); stderr is collected aside. The
    answer counts only when the child then exits 0 within `timeout` (else killed: parse_timeout)."""
    err = bytearray()
    timed_out = threading.Event()

    def feed() -> None:
        with contextlib.suppress(OSError):  # a child that died early closed its end: said below
            child.stdin.write(payload)
        with contextlib.suppress(OSError):
            child.stdin.close()

    def drain() -> None:
        err.extend(child.stderr.read())

    def expire() -> None:
        timed_out.set()
        with contextlib.suppress(OSError):
            child.kill()

    helpers = [threading.Thread(target=feed, daemon=True), threading.Thread(target=drain, daemon=True)]
    timer = threading.Timer(timeout, expire)
    for thread in (*helpers, timer):
        thread.start()
    try:
        loaded = _load(child.stdout)
        child.stdout.read()  # nothing should follow; a child blocked on a full pipe must not hang
        child.wait()
        for thread in helpers:
            thread.join()
    except BaseException:
        child.kill()
        child.wait()
        raise
    finally:
        timer.cancel()
        child.stdout.close()
        child.stderr.close()
    if timed_out.is_set():
        raise UnsafeFile("parse_timeout")
    return _outcome(child.returncode, loaded, bytes(err), expect)


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    inherited = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(PACKAGE_PARENT) + (os.pathsep + inherited if inherited else "")
    for name in _THREAD_VARS:
        env.setdefault(name, "1")
    env["RUST_BACKTRACE"] = "0"  # a Rust abort should die at once, not symbolise a backtrace
    return env


def _outcome(
    returncode: int, out: bytes | _Loaded, err: bytes, expect: type = ReadResult
) -> ReadResult:
    """The child's answer (its pickled bytes, or what `_streamed` already unpickled from the pipe) as
    the result, or the UnsafeFile its exit status or an unusable answer means."""
    tail = (err if len(err) <= 2000 else err[:1000] + b" ... " + err[-1000:]).decode("utf-8", "replace")
    if returncode != 0:
        log.warning("parser process ended with %s: %s", _describe(returncode), tail)
        if returncode == -signal.SIGXCPU:
            raise UnsafeFile("parse_timeout")
        raise UnsafeFile("parse_crashed")
    try:
        if not isinstance(out, _Loaded):
            out = _load(io.BytesIO(out))
        if out.problem is not None:
            raise out.problem
        kind, value = out.value  # type: ignore[misc]
    except Exception as exc:
        log.warning("parser process returned an unusable result (%s); stderr: %s", exc, tail)
        raise UnsafeFile("parse_crashed") from exc
    if kind == "ok" and isinstance(value, expect):
        return value
    if kind == "memory":
        raise UnsafeFile("parse_memory")
    log.warning("reader failed in the parser process: %s", value)
    raise UnsafeFile("unreadable")


def _describe(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"signal {-returncode}"
    return f"exit code {returncode}"
