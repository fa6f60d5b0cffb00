"""Two Streamlit servers behind nginx (sticky sessions) on one PostgreSQL store, against one server alone.

Usage: python benchmarks/bench_servers.py [--activities 200000] [--viewers 50] [--changes 4]

A throw-away PostgreSQL cluster (tests/pg_cluster.py) holds a generated workbook of `activities` rows
published as the current version. nginx runs deploy/nginx.conf as the tests run it (HTTP on loopback,
every proxy directive as written: tests/nginx_config.py) with its upstream made sticky (STICKY below, as
docs/several-servers.md gives it). Round 1: the upstream is server A alone; round 2: servers A and B
(each with its own local cache folder, `behind_proxy = true`). Each server is warmed by one viewer
first (its first page fetches the version and loads the snapshot); then `viewers` protocol viewers
(benchmarks/viewers.py) open the overview through nginx together and each changes the period `changes`
times. Printed per round: p50/p95 settle times, each server's RSS and CPU, how the viewers were spread
(nginx's access log), the load average.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_summary import workbook  # noqa: E402
from benchmarks.bench_viewers import crowd  # noqa: E402
from benchmarks.viewers import ProtocolViewer, data_folder, free_port, load_average, running_server  # noqa: E402
from tests.nginx_config import DEPLOY_CONF, http_only, running_nginx  # noqa: E402
from tests.pg_cluster import Cluster  # noqa: E402

# Sticky sessions with open-source nginx: a browser without the route cookie gets a random one (the
# request id), every request is hashed on it, so its page and its websocket stay on one server.
ROUTE_MAP = """map $cookie_cchc_route $cchc_route {
    ""      $request_id;
    default $cookie_cchc_route;
}
log_format cchc_upstream '$upstream_addr $request_uri';
"""
STICKY = "    hash $cchc_route consistent;\n"
ROUTE_COOKIE = '    add_header Set-Cookie "cchc_route=$cchc_route; Path=/; HttpOnly; SameSite=Lax" always;\n'


def sticky_site(listen: int, ports: list[int], folder: Path) -> str:
    """deploy/nginx.conf for the test (tests/nginx_config.http_only) with an upstream of `ports`, sticky."""
    site = http_only(DEPLOY_CONF.read_text(encoding="utf-8"), listen, ports[0])
    first = f"    server 127.0.0.1:{ports[0]};\n"
    assert first in site, site
    servers = "".join(f"    server 127.0.0.1:{port};\n" for port in ports)
    site = site.replace(first, STICKY + servers)
    hsts = '    add_header Strict-Transport-Security "max-age=31536000" always;\n'
    assert hsts in site
    site = site.replace(hsts, hsts + ROUTE_COOKIE)  # beside it: a location's add_header would drop it
    site = site.replace(
        "    access_log ", f"    access_log {folder / 'upstream.log'} cchc_upstream;\n    access_log "
    )
    return ROUTE_MAP + site


def wait_for(url: str, process) -> None:
    deadline = time.monotonic() + 30
    while True:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"nginx did not answer at {url}")
        time.sleep(0.2)


def spread(log: Path) -> dict[str, int]:
    """Websocket sessions per upstream, from nginx's log."""
    counts: collections.Counter[str] = collections.Counter()
    for line in log.read_text().splitlines() if log.exists() else []:
        address, _, uri = line.partition(" ")
        if uri.startswith("/_stcore/stream"):
            counts[address] += 1
    return dict(counts)


def round_through_nginx(
    folder: Path, servers: list, viewers: int, changes: int, label: str
) -> dict[str, object]:
    ports = [int(server.base.rsplit(":", 1)[1]) for server in servers]
    nginx_folder = folder / f"nginx-{len(servers)}"
    nginx_folder.mkdir()
    listen = free_port()
    with running_nginx(nginx_folder, sticky_site(listen, ports, nginx_folder)) as process:
        base = f"http://127.0.0.1:{listen}"
        wait_for(f"{base}/_stcore/health", process)
        result = crowd(base, [server.pid for server in servers], viewers, changes, label)
    print(f"  websocket sessions per server (nginx log): {spread(nginx_folder / 'upstream.log')}")
    return result


def warm(server) -> None:
    viewer = ProtocolViewer(server.base)
    viewer.open()
    viewer.close()
    print(f"  server {server.base}: first page {viewer.first_run:.1f} s; load {load_average()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=200_000)
    parser.add_argument("--viewers", type=int, default=50)
    parser.add_argument("--changes", type=int, default=4)
    args = parser.parse_args()
    book = workbook(args.activities)
    folder = Path(tempfile.mkdtemp(prefix="bench_servers_"))
    cluster = Cluster()
    try:
        cluster.start()
        url = cluster.new_database()
        began = time.perf_counter()
        env_a = data_folder(folder, book, store_url=url)
        env_b = data_folder(folder, book, store_url=url, name="b")
        for env in (env_a, env_b):
            with Path(env["CCHC_SETTINGS"]).open("a", encoding="utf-8") as settings:
                settings.write("behind_proxy = true\n")
        print(f"{args.activities:,} activities published to PostgreSQL in {time.perf_counter() - began:.1f} s; "
              f"load {load_average()}")  # fmt: skip
        with running_server(folder, env_a) as a:
            warm(a)
            round_through_nginx(folder, [a], args.viewers, args.changes, f"1 server, {args.viewers} viewers")
            with running_server(folder, env_b) as b:
                warm(b)
                round_through_nginx(
                    folder, [a, b], args.viewers, args.changes, f"2 servers, {args.viewers} viewers"
                )
    finally:
        cluster.remove()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
