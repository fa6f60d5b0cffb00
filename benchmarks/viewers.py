"""Driving many viewers of a real Streamlit server: the server process, protocol and Chromium viewers.

A *protocol viewer* speaks Streamlit's own websocket (`/_stcore/stream`, protobuf BackMsg/ForwardMsg), as
the browser's frontend does: it opens a session (a first run of the overview), then changes the period
through the period bar's widget state (the formatted option, as the frontend sends a segmented control's
value) and waits for the run to finish. Its *settle time* is from sending the change to the end of the
run that wrote the new period into the address (`ky=…`, the frame's page_info_changed), with no
exception element: what the server makes a viewer wait. A thread per viewer, no browser: 50 of them
cost the machine almost nothing beside the server. A *Chromium viewer* is a real page (one context
each in one headless Chromium) that taps the bar's button; its settle time is measured inside the page
(from the tap to the address showing the new period with the script state `notRunning`), so the
driver's own sequential polling does not add to it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

__all__ = [
    "CHROMIUM_ARGS",
    "data_folder",
    "KINDS",
    "ChromiumViewers",
    "ProtocolViewer",
    "RssSampler",
    "Server",
    "free_port",
    "load_average",
    "percentile",
    "rss_mb",
    "run_protocol_viewers",
    "running_server",
]

ROOT = Path(__file__).resolve().parent.parent
# The period bar's options as drawn (msg.PERIOD_KINDS) and the address's slug of each (url_state.KIND_SLUGS).
KINDS: tuple[tuple[str, str], ...] = (
    ("Quý I", "q1"), ("Quý II", "q2"), ("Quý III", "q3"), ("Quý IV", "q4"),
    ("6 tháng", "6t"), ("9 tháng", "9t"), ("Cả năm", "ca-nam"),
)  # fmt: skip
BAR_WIDGET = "_w.kind_bar"  # the user key inside the period bar's element id
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    # every page is a viewer in the foreground: no timer throttling of the pages the driver is not on
    "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as `uptime` prints them."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def rss_mb(pid: int) -> float:
    """Resident memory of process `pid` in MB (0 when it has gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between the closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[max(0, min(98, round(q) - 1))]


class RssSampler(threading.Thread):
    """The RSS of some processes every `every` seconds while running: `peak[pid]`, `last[pid]` in MB."""

    def __init__(self, pids: Sequence[int], every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pids, self.every = list(pids), every
        self.peak = dict.fromkeys(self.pids, 0.0)
        self.last = dict.fromkeys(self.pids, 0.0)
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            for pid in self.pids:
                self.last[pid] = rss_mb(pid)
                self.peak[pid] = max(self.peak[pid], self.last[pid])
            self._halt.wait(self.every)

    def stop(self) -> None:
        self._halt.set()
        self.join()


@dataclass
class Server:
    """A running `streamlit run app.py`: its base URL, process id, and when its process was started and
    first answered (time.perf_counter)."""

    base: str
    pid: int
    started: float
    log: Path
    ready: float = 0.0  # when /_stcore/health first answered (time.perf_counter)


@contextlib.contextmanager
def running_server(folder: Path, env: dict[str, str], *, port: int | None = None,
                   start_timeout: float = 180.0, script: str = "app.py") -> Iterator[Server]:  # fmt: skip
    """`python -m streamlit run app.py` (or `script`) headless on loopback (a free port unless `port`),
    with the environment `env` added; yields once `/_stcore/health` answers; stopped on exit."""
    port = port or free_port()
    log = folder / f"server-{port}.log"
    command = [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1",
               "--server.fileWatcherType", "none"]  # fmt: skip
    with log.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + start_timeout
            while True:
                with (
                    contextlib.suppress(OSError),
                    urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r,
                ):
                    if r.status == 200:
                        break
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start; see {log}")
                time.sleep(0.05)
            yield Server(base, process.pid, started, log, time.perf_counter())
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def data_folder(folder: Path, workbook: Path, *, store_url: str = "", name: str = "") -> dict[str, str]:
    """Settings in `folder` for a server whose store holds `workbook` published as its current version
    (with its columnar snapshot, as the upload page publishes): the folder store in `folder`/store, or
    the PostgreSQL store at `store_url` (then `folder`/store is this server's local cache; published
    once, by the call without `name`). Returns the environment that points a server at them; `name`
    makes a second server's settings (its own cache) on the same `store_url`."""
    from dataclasses import replace

    from cchc_lib.access.accounts import Account
    from cchc_lib.common.settings import Settings
    from cchc_lib.publishing.store_factory import open_store
    from cchc_lib.publishing.submissions import prepare_update, publish_preview

    cache = folder / (f"store-{name}" if name else "store")
    settings_file = folder / (f"settings-{name}.toml" if name else "settings.toml")
    lines = [f'store_dir = "{cache.as_posix()}"'] + ([f'store_url = "{store_url}"'] if store_url else [])
    settings_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if not name:
        settings = replace(Settings(), store_dir=str(cache), store_url=store_url)
        store, admin = open_store(settings), Account("quantri", "admin")
        preview = prepare_update(store, workbook.read_bytes(), account=admin, kind="replace",
                                 file_name=workbook.name, settings=settings)  # fmt: skip
        if not preview.errors.empty:
            raise RuntimeError(f"the benchmark workbook does not publish: {preview.errors}")
        publish_preview(store, preview, admin)
    return {"CCHC_SETTINGS": str(settings_file), "CCHC_USERS": str(folder / "users.toml")}


# ---------------------------------------------------------------------------------------------------
# Protocol viewers


@dataclass
class ProtocolViewer:
    """One browser session spoken at the protocol level (websockets' sync client, one thread)."""

    base: str
    timeout: float = 600.0
    cookies: str = ""  # a Cookie header (nginx's route cookie, for sticky sessions)
    query_string: str = ""
    settle_times: list[float] = field(default_factory=list)
    first_run: float = 0.0
    _bar_id: str = ""
    _options: list[str] = field(default_factory=list)
    _current: str = ""  # the bar's value as last drawn
    _labels: list[str] = field(default_factory=list)  # the periods a change chooses from
    _ws: object = None
    _stack: contextlib.ExitStack | None = None

    def open(self) -> None:
        """Connect and run the overview once (as a page load does); finds the period bar."""
        from websockets.sync.client import connect

        if not self.cookies:  # a browser's first request: the page, which may hand out a cookie (nginx)
            with urllib.request.urlopen(f"{self.base}/", timeout=self.timeout) as response:
                jar = [c.split(";", 1)[0] for c in response.headers.get_all("Set-Cookie") or []]
            self.cookies = "; ".join(jar)
        headers = {"Cookie": self.cookies} if self.cookies else None
        url = self.base.replace("http://", "ws://") + "/_stcore/stream"
        self._stack = contextlib.ExitStack()
        self._ws = self._stack.enter_context(connect(url, subprotocols=["streamlit"], origin=self.base, max_size=None,
                           open_timeout=self.timeout, additional_headers=headers))  # fmt: skip
        started = time.perf_counter()
        self._rerun(None)
        self._until_finished(None)
        self.first_run = time.perf_counter() - started
        if not self._bar_id:
            raise RuntimeError("the overview drew no period bar")
        default = self._current if "ky" not in parse_qs(self.query_string) else ""
        self._labels = [label for label in self._options if label != default]

    def close(self) -> None:
        if self._stack is not None:
            self._stack.close()

    def kinds(self) -> list[str]:
        """The period bar's options as drawn ("Quý I" …) but the default one (the address leaves the
        default out, so only a change to another period is seen there); fixed by `open`."""
        return list(self._labels)

    def change(self, label: str) -> float:
        """Choose `label` on the period bar; the settle time in seconds (also kept in settle_times)."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        state = WidgetState(id=self._bar_id)
        state.string_array_value.data.append(label)
        slug = dict(KINDS)[label]
        started = time.perf_counter()
        self._rerun(state)
        self._until_finished(slug)
        seconds = time.perf_counter() - started
        self.settle_times.append(seconds)
        return seconds

    def _rerun(self, state) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        message = BackMsg()
        message.rerun_script.query_string = self.query_string
        message.rerun_script.page_name = ""
        if state is not None:
            message.rerun_script.widget_states.widgets.append(state)
        self._ws.send(message.SerializeToString())

    def _until_finished(self, slug: str | None) -> None:
        """Read ForwardMsgs until the run finishes; with `slug`, that run must have written it into the
        address. RuntimeError on an exception element, a compile error or a missing period."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        deadline = time.monotonic() + self.timeout
        seen_slug = slug is None
        while True:
            frame = self._ws.recv(timeout=max(0.1, deadline - time.monotonic()))
            if isinstance(frame, str):
                continue
            message = ForwardMsg()
            message.ParseFromString(frame)
            kind = message.WhichOneof("type")
            if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                which = element.WhichOneof("type")
                if which == "exception":
                    raise RuntimeError(f"the page raised: {element.exception.message}")
                if which == "button_group" and BAR_WIDGET in element.button_group.id:
                    self._bar_id = element.button_group.id
                    self._options = [option.content for option in element.button_group.options]
                    if element.button_group.set_value and element.button_group.raw_values:
                        self._current = element.button_group.raw_values[0]
            elif kind == "page_info_changed":
                self.query_string = message.page_info_changed.query_string
                if slug is not None and parse_qs(self.query_string).get("ky", [""])[-1] == slug:
                    seen_slug = True
            elif kind == "script_finished":
                status = message.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                if status != ForwardMsg.FINISHED_SUCCESSFULLY:
                    raise RuntimeError(f"the run ended with status {status}")
                if (
                    slug is not None
                    and not seen_slug
                    and parse_qs(self.query_string).get("ky", [""])[-1] != slug
                ):
                    raise RuntimeError(f"the run finished without the period {slug!r} in the address")
                return


def run_protocol_viewers(
    base: str, viewers: int, changes: int, *, timeout: float = 600.0, cookies: Sequence[str] = ()
) -> tuple[list[ProtocolViewer], list[str]]:
    """`viewers` protocol viewers, each in its own thread: all open the overview, wait for each other,
    then each makes `changes` period changes one after another (viewer i starts at a different period,
    so the runs differ). Returns the viewers (their settle_times) and the errors met."""
    errors: list[str] = []
    opened = threading.Barrier(viewers)
    crowd = [ProtocolViewer(base, timeout, cookies[i] if i < len(cookies) else "") for i in range(viewers)]

    def one(index: int, viewer: ProtocolViewer) -> None:
        try:
            viewer.open()
        except Exception as exc:  # a benchmark reports every failure and carries on
            errors.append(f"viewer {index} open: {exc!r}")
            opened.abort()
            return
        try:
            opened.wait(timeout)
            labels = viewer.kinds()
            for step in range(changes):
                viewer.change(labels[(index + step + 1) % len(labels)])
        except Exception as exc:
            errors.append(f"viewer {index}: {exc!r}")
        finally:
            viewer.close()

    threads = [threading.Thread(target=one, args=(i, v), daemon=True) for i, v in enumerate(crowd)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return crowd, errors


# ---------------------------------------------------------------------------------------------------
# Chromium viewers

# In the page: the period bar's button `label` is tapped; resolves with the ms from the tap to the
# address holding `ky=slug` while the script is not running (checked every 10 ms).
_WATCH = """([slug]) => {
  window.__settled = undefined;
  const start = performance.now();
  const timer = setInterval(() => {
    const ky = new URLSearchParams(location.search).get('ky');
    const idle = document.querySelector('[data-testid=stApp][data-test-script-state=notRunning]');
    if (ky === slug && idle) { window.__settled = performance.now() - start; clearInterval(timer); }
  }, 10);
}"""
# The overview drawn: connected, not running, the menu and the headline figures present.
_OVERVIEW = (
    "() => document.querySelector('[data-testid=stApp][data-test-connection-state=CONNECTED]') !== null"
    " && document.querySelector('[data-test-script-state=notRunning]') !== null"
    " && document.querySelectorAll('[data-testid=stPageLink]').length > 0"
    " && document.querySelectorAll('[data-testid=stMetric]').length > 0"
    " && document.querySelector('.st-key-cchc-period-bar [role=radio]') !== null"
)


class ChromiumViewers:
    """`count` real pages (one browser context each) in `browser` (a Playwright sync Browser), all on
    `base`'s overview. `change_all(step)` taps a period on every page at once and returns each page's
    settle time in seconds, measured inside the page."""

    def __init__(self, browser, base: str, count: int, timeout_ms: int = 600_000) -> None:
        self.timeout_ms = timeout_ms
        self.contexts = [browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
                         for _ in range(count)]  # fmt: skip
        self.pages = [context.new_page() for context in self.contexts]
        self.settle_times: list[float] = []
        for page in self.pages:
            page.goto(base)
        for page in self.pages:
            wait_overview(page, timeout_ms)
        # the default period (the address leaves it out, so a change to it is not seen there)
        active = self.pages[0].locator(".st-key-cchc-period-bar [aria-checked=true]").inner_text().strip()
        self.kinds = [(label, slug) for label, slug in KINDS if label != active]

    def change_all(self, step: int) -> list[float]:
        chosen = []
        for index, page in enumerate(self.pages):
            label, slug = self.kinds[(index + step) % len(self.kinds)]
            button = page.locator(".st-key-cchc-period-bar").get_by_role("radio", name=label, exact=True)
            button.wait_for(timeout=self.timeout_ms)
            page.evaluate(_WATCH, [slug])
            button.click(timeout=self.timeout_ms)
            chosen.append(slug)
        times = []
        for page in self.pages:
            page.wait_for_function(
                "() => window.__settled !== undefined", timeout=self.timeout_ms, polling=100
            )
            times.append(page.evaluate("window.__settled") / 1000)
        self.settle_times.extend(times)
        return times

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def wait_overview(page, timeout_ms: int = 600_000) -> None:
    """Until the overview is drawn with its figures and no run in progress."""
    page.wait_for_function(_OVERVIEW, timeout=timeout_ms, polling=20)
