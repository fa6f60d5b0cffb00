"""The batch's merge runs in one worker process (publishing/batch_job.py) and the current version comes from
its snapshot; the published batch version gets its snapshot in the publish step."""

from __future__ import annotations

import hashlib
from datetime import date

from cchc_lib.publishing import published, snapshots
from cchc_lib.publishing.batch import ACCEPTED, check_files, merge_files, publish_batch
from cchc_lib.publishing.batch_job import BATCH_MERGER
from cchc_lib.publishing.store import Store
from cchc_lib.reading import sandbox
from cchc_lib.reading.sandbox import read_trusted
from tests.test_batch import SETTINGS, XCB_FILE, XCN_FILE, rows_of, store  # noqa: F401 (fixture)
from tests.test_snapshots import assert_same
from tests.test_store import ADMIN


def test_the_merge_runs_in_one_worker_and_the_version_gets_its_snapshot(store: Store, monkeypatch) -> None:  # noqa: F811
    checks = check_files(
        store,
        [("xcb.xlsx", XCB_FILE), ("xcn.xlsx", XCN_FILE)],
        account=ADMIN,
        settings=SETTINGS,
        reader=read_trusted,
    )
    jobs: list[str | None] = []
    real = sandbox.parse_isolated
    monkeypatch.setattr(
        sandbox, "parse_isolated", lambda d, s, r=None, **k: jobs.append(r) or real(d, s, r, **k)
    )
    parses: list[int] = []
    monkeypatch.setattr(published.snapshots, "load", _counting(snapshots.load, parses))
    batch = merge_files(store, checks, settings=SETTINGS)
    assert jobs == [BATCH_MERGER]  # both units merged and read back in one child, nothing parsed here
    assert parses == [1]  # the current version came from its snapshot
    assert batch.accepted == [0, 1] and batch.status == [ACCEPTED, ACCEPTED]
    assert (
        batch.rows == 4 + 2 + 1
    )  # the base's 4 rows, XCB's two new ones, XCN's new "e2" ("e" is already there)

    version = publish_batch(store, batch, ADMIN)
    assert hashlib.sha256(store.read_bytes(version.number)).hexdigest() == version.sha256
    kept = snapshots.load(store.root / "cache", version.sha256, snapshots.settings_context(SETTINGS))
    assert kept is not None  # written in the publish step: the first page after it parses nothing
    assert_same(read_trusted(store.read_bytes(version.number), SETTINGS).workbook, kept)
    assert (date(2024, 3, 11), "XCN", "TIN_BAI", 4, "e2") in rows_of(store, version.number)
    assert (date(2024, 3, 4), "XCB", "TIN_BAI", 3, "x1") in rows_of(store, version.number)


def _counting(function, calls: list[int]):
    def counted(*args, **kwargs):
        found = function(*args, **kwargs)
        calls.append(int(found is not None))
        return found

    return counted
