"""A publisher killed with SIGKILL at random moments, on both backends: after every kill the current version
opens and its columnar snapshot is sound, versions are consecutive with one audit entry each, and nothing
is left half written (no temp file, no version file or row that is not a published version, no lock)."""

from __future__ import annotations

import hashlib
import io
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cchc_lib.access.accounts import Account
from cchc_lib.common.atomic import TEMP_PREFIX
from cchc_lib.common.settings import Settings
from cchc_lib.publishing import snapshots
from cchc_lib.publishing.store import Store
from cchc_lib.publishing.store_base import CACHE_DIR
from cchc_lib.sample.builder import build_xlsx
from cchc_lib.sample.sample_data import big_spec
from tests.command import ROOT
from tests.store_backends import Backend

KILLS = 22
PAYLOAD_ROWS = (600, 1200, 1800, 2400)  # activities of each payload (big_spec makes exactly that many)
CONTEXT = snapshots.settings_context(Settings())
# What PostgreSQL logs when a client dies inside a transaction: proof that a kill fell inside a publish.
DIED_IN_TRANSACTION = "unexpected EOF on client connection with an open transaction"

# A zygote: imports and parses the payloads once, then forks one publisher per line read (single-threaded
# when it forks), prints the publisher's pid once it is ready, and its end ("signal N") once it was killed.
# The publisher writes each version's snapshot inside the publish, as the upload page does.
ZYGOTE = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from cchc_lib.access.accounts import Account
    from cchc_lib.common.settings import Settings
    from cchc_lib.publishing import snapshots
    from cchc_lib.publishing.store import StoreError
    from cchc_lib.publishing.store_base import CACHE_DIR
    from cchc_lib.publishing.store_factory import open_store
    from cchc_lib.reading.sandbox import read_trusted
    where, url, folder, context = sys.argv[1:5]
    payloads = []
    for path in sorted(Path(folder).iterdir()):
        body = path.read_bytes()
        payloads.append((body, read_trusted(body, Settings()).workbook))
    admin = Account("admin1", "admin")
    for _ in sys.stdin:
        ready_r, ready_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(ready_r)
            s = open_store(Settings(store_dir=where, store_url=url))
            s.current_number()
            os.write(ready_w, b"r")
            i = 0
            while True:
                body, tables = payloads[i % len(payloads)]
                def derived(version, tables=tables):
                    return snapshots.write(s.root / CACHE_DIR, version.sha256, tables, context)
                try:
                    s.publish(body, account=admin, kind="replace", file_name=f"f{i}.xlsx",
                              base_version=s.current_number(), derived=derived)
                except StoreError as exc:
                    if exc.code not in ("duplicate", "stale"):
                        os._exit(3)
                i += 1
        os.close(ready_w)
        os.read(ready_r, 1)
        os.close(ready_r)
        print(pid, flush=True)
        _, status = os.waitpid(pid, 0)
        print("signal", os.WTERMSIG(status) if os.WIFSIGNALED(status) else -1, flush=True)
    """
)


def _payloads(folder: Path) -> dict[str, int]:
    """The payload workbooks written to `folder`: the activity rows of each, by sha256."""
    folder.mkdir()
    rows = {}
    for i, n in enumerate(PAYLOAD_ROWS):
        body = build_xlsx(big_spec(n, seed=i))
        (folder / f"{i}.xlsx").write_bytes(body)
        rows[hashlib.sha256(body).hexdigest()] = n
    return rows


def _leftovers(root: Path, current: int | None) -> bool:
    """What a folder publisher killed mid-publish leaves before the next open's repair: a temp file, or the
    files of a version above the current one."""
    temp = any(p.name.startswith(TEMP_PREFIX) for p in root.rglob("*"))
    return temp or (root / "versions" / f"{(current or 0) + 1:06d}.xlsx").exists()


def _snapshot_shas(cache: Path) -> set[str]:
    """The sha256 every snapshot file in `cache` is named after (snap-v2-<sha>[-table].json/parquet)."""
    return {p.name.split("-")[2].split(".")[0] for p in cache.iterdir()} if cache.is_dir() else set()


def _assert_nothing_half_written(b: Backend, store: Store, numbers: list[int]) -> None:
    root = b.settings.store_path
    assert not [p.name for p in root.rglob(f"{TEMP_PREFIX}*")]
    cache = root / CACHE_DIR
    named = _snapshot_shas(cache)
    complete = {sha for sha in named if snapshots.manifest_path(cache, sha).exists()}
    for sha in complete:  # every snapshot with its manifest (written last) is sound
        assert snapshots.load(cache, sha, CONTEXT) is not None, sha
    if b.name == "folder":  # the repair deleted the files of the version a killed publish never made current
        on_disk = {int(p.stem) for p in (root / "versions").iterdir() if p.suffix == ".xlsx"}
        assert on_disk == set(numbers)
        assert named == complete and named <= {v.sha256 for v in store.history()}
        return
    # PostgreSQL: every row is a published version, the pointer is the last, no lock is left behind. What a
    # rolled-back publish wrote in this server's cache may stay: keyed by content, never read without its
    # manifest, replaced by the next publish of the same content.
    last = numbers[-1] if numbers else 0
    assert b.rows("SELECT count(*), coalesce(max(number), 0) FROM cchc_versions") == [(len(numbers), last)]
    assert b.rows("SELECT coalesce(max(number), 0) FROM cchc_pointer") == [(last,)]
    assert b.rows("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") == [(0,)]


def _kill_inside_transaction_count(request: pytest.FixtureRequest, b: Backend) -> int:
    if b.name == "folder":
        return 0
    log = request.getfixturevalue("pg").folder / "log"
    return log.read_text(encoding="utf-8", errors="replace").count(DIED_IN_TRANSACTION)


@pytest.mark.slow
def test_publisher_killed_at_random_moments(
    store_backend: Backend, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    b = store_backend
    root = b.settings.store_path
    cache = root / CACHE_DIR
    rows = _payloads(tmp_path / "payloads")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    zygote = subprocess.Popen(
        [sys.executable, "-c", ZYGOTE, str(root), b.url, str(tmp_path / "payloads"), CONTEXT],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert zygote.stdin is not None and zygote.stdout is not None
    rng = random.Random(13013)
    died_before = _kill_inside_transaction_count(request, b)
    before, leftovers = 0, 0
    try:
        for _ in range(KILLS):
            zygote.stdin.write("go\n")
            zygote.stdin.flush()
            pid = int(zygote.stdout.readline())
            time.sleep(rng.uniform(0.0, 0.6))
            os.kill(pid, signal.SIGKILL)
            assert zygote.stdout.readline().split() == ["signal", str(int(signal.SIGKILL))]
            # A reader at once (the folder store's without the lock and without repairing anything): the
            # current version opens, its bytes match their sha256 and its snapshot is sound.
            reader = Store(root, repair=False) if b.name == "folder" else b.open()
            current = reader.current()
            if current is not None:
                assert reader.verify(current.number)
                load_workbook(io.BytesIO(reader.read_bytes(current.number)), read_only=True).close()
                tables = snapshots.load(cache, current.sha256, CONTEXT)
                assert tables is not None and len(tables.activities) == rows[current.sha256]
            if b.name == "folder":
                leftovers += _leftovers(root, current.number if current else None)
            # The next server to open the store: consecutive versions, one audit entry each, all sound.
            store = b.open()
            numbers = [v.number for v in store.history()]
            assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= before
            before = len(numbers)
            published = [e["version"] for e in store.audit() if e["outcome"] == "published"]
            assert published == numbers
            assert store.verify_all() == []
            _assert_nothing_half_written(b, store, numbers)
    finally:
        zygote.stdin.close()
        assert zygote.wait(30) == 0
    assert before > 0, "nothing was ever published: the kills came too early to test anything"
    if b.name == "folder":
        assert leftovers > 0, "no kill fell inside a publish: the test proved nothing"
    else:
        assert _kill_inside_transaction_count(request, b) > died_before, "no kill fell inside a publish"
    last = build_xlsx(big_spec(10, seed=99))
    version = b.open().publish(
        last,
        account=Account("admin1", "admin"),
        kind="replace",
        file_name="sau_cung.xlsx",
        base_version=before,
    )
    assert version.number == before + 1 and b.open().read_bytes(before + 1) == last
