"""A publisher killed with SIGKILL at random moments never leaves a broken current version."""

from __future__ import annotations

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

from cchc_lib.publishing.store import Store

PUBLISHER = textwrap.dedent(
    """
    import io, sys
    from openpyxl import Workbook
    from cchc_lib.access.accounts import Account
    from cchc_lib.publishing.store import Store, StoreError
    root = sys.argv[1]
    admin = Account("admin1", "admin")
    payloads = []
    for i in range(6):
        book = Workbook(); book.active["A1"] = f"nội dung {i}"; book.active["B2"] = "x" * (i * 5000)
        out = io.BytesIO(); book.save(out); payloads.append(out.getvalue())
    s = Store(root)
    print("ready", flush=True)
    i = 0
    while True:
        base = s.current_number()
        data = payloads[i % len(payloads)]
        try:
            s.publish(data, account=admin, kind="replace", file_name=f"f{i}.xlsx", base_version=base)
        except StoreError as exc:
            if exc.code not in ("duplicate", "stale"):
                raise
        i += 1
    """
)


@pytest.mark.slow
def test_sigkill_at_random_moments(tmp_path: Path) -> None:
    root = tmp_path / "store"
    rng = random.Random(20241)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    published_before = 0
    for _ in range(24):
        child = subprocess.Popen(
            [sys.executable, "-c", PUBLISHER, str(root)],
            stdout=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        assert child.returncode == -signal.SIGKILL
        # Readers (no lock, no repair): the current version opens and verifies.
        reader = Store(root, repair=False)
        current = reader.current()
        if current is not None:
            assert reader.verify()
            load_workbook(io.BytesIO(reader.read_bytes(current.number)))
        # The next open cleans what the killed writer left (temp files, unreferenced version files).
        store = Store(root)
        assert not list(root.rglob(".tmp-*"))
        history = store.history()
        assert [v.number for v in history] == list(range(1, len(history) + 1))
        assert len(history) >= published_before
        published_before = len(history)
        assert store.verify_all() == []
        numbers = {int(p.stem) for p in (root / "versions").iterdir() if p.suffix == ".xlsx"}
        assert numbers == {v.number for v in history}
        published = [e["version"] for e in store.audit() if e["outcome"] == "published"]
        assert published == list(range(1, len(history) + 1))
    assert published_before > 0
