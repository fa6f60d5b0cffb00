"""Login throttle: growing delays per (account, address) and per address, the owner unaffected at
another address, bounded state under a flood of names and addresses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cchc_lib.access.throttle import Throttle, delay_for


class Clock:
    """A settable clock."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def throttle(tmp_path: Path, clock: Clock) -> Throttle:
    return Throttle(tmp_path / "throttle.json", clock=clock)


@pytest.mark.parametrize(
    ("failures", "free", "cap", "expected"),
    [(0, 3, 900, 0), (2, 3, 900, 0), (3, 3, 900, 2), (4, 3, 900, 4), (6, 3, 900, 16), (11, 3, 900, 512),
     (12, 3, 900, 900), (500, 3, 900, 900), (9, 10, 900, 0), (10, 10, 900, 2)],
)  # fmt: skip
def test_delay_grows_and_is_capped(failures: int, free: int, cap: float, expected: float) -> None:
    assert delay_for(failures, free, cap) == expected


def test_delays_grow_per_account_and_address(throttle: Throttle, clock: Clock) -> None:
    waits = []
    for _ in range(6):
        assert throttle.wait_s("quantri", "10.0.0.66") == 0  # each try made after the last wait
        waits.append(throttle.failed("quantri", "10.0.0.66"))
        clock.now += waits[-1]
    assert waits == [0, 0, 2, 4, 8, 16]
    throttle.failed("quantri", "10.0.0.66")
    assert throttle.wait_s("quantri", "10.0.0.66") == 32
    clock.now += 31
    assert throttle.wait_s("quantri", "10.0.0.66") == 1
    # the owner at another address is not slowed at all, for this account or any other
    assert throttle.wait_s("quantri", "10.0.0.7") == 0
    assert throttle.wait_s("xcb", "10.0.0.66") == 0  # per-address count (7) below its free 10


def test_address_count_slows_every_name_from_it(throttle: Throttle, clock: Clock) -> None:
    for _ in range(10):
        throttle.failed(None, "10.0.0.66")  # ten unknown names
    assert throttle.wait_s(None, "10.0.0.66") == 2
    assert throttle.wait_s("quantri", "10.0.0.66") == 2
    assert throttle.wait_s("quantri", "10.0.0.7") == 0
    assert [(e.account, e.address, e.failures) for e in throttle.entries()] == [(None, "10.0.0.66", 10)]


def test_success_clears_only_the_account_at_that_address(throttle: Throttle, clock: Clock) -> None:
    for _ in range(3):
        throttle.failed("quantri", "10.0.0.66")
    throttle.failed("quantri", "10.0.0.7")
    throttle.succeeded("quantri", "10.0.0.66")
    rows = {(e.account, e.address): e.failures for e in throttle.entries()}
    assert rows == {(None, "10.0.0.66"): 3, ("quantri", "10.0.0.7"): 1, (None, "10.0.0.7"): 1}


def test_entries_are_forgotten_after_an_hour(throttle: Throttle, clock: Clock) -> None:
    for _ in range(20):
        throttle.failed("quantri", "10.0.0.66")
    assert throttle.wait_s("quantri", "10.0.0.66") == 900
    clock.now += 3600
    assert throttle.wait_s("quantri", "10.0.0.66") == 0 and throttle.entries() == []


def test_ten_thousand_unknown_names_keep_the_state_bounded(tmp_path: Path, clock: Clock) -> None:
    """10,000 distinct unknown names from one address make one entry (the names are never stored);
    names from 1,000 addresses keep only the `max_entries` newest, and the file's size is proportional
    to that cap (measured: about 45 bytes an entry)."""
    throttle = Throttle(tmp_path / "throttle.json", clock=clock, max_entries=100)
    for _ in range(10_000):
        if throttle.wait_s(None, "10.0.0.66") == 0:
            throttle.failed(None, "10.0.0.66")
        clock.now += 0.5
    assert [(e.account, e.address) for e in throttle.entries()] == [(None, "10.0.0.66")]
    assert 0 < throttle.size_bytes() < 100
    for i in range(1_000):
        throttle.failed(None, f"10.1.{i // 256}.{i % 256}")
        clock.now += 0.01
    state = json.loads(throttle.path.read_text())
    assert len(state) == 100 and len(throttle.entries()) == 100
    assert "a|10.1.3.231" in state and "a|10.1.0.0" not in state  # the newest kept (i = 999)
    assert 100 * 30 < throttle.size_bytes() < 100 * 60, throttle.size_bytes()


def test_long_addresses_are_cut_and_garbage_state_is_ignored(throttle: Throttle) -> None:
    throttle.failed(None, "x" * 10_000)
    assert [len(e.address) for e in throttle.entries()] == [64]
    throttle.path.write_text('{"a|1": {"n": "many"}, "b": 3, "a|2": {"n": 1, "last": "x"}}')
    assert throttle.entries() == [] and throttle.wait_s(None, "1") == 0
    throttle.path.write_text("not json")
    assert throttle.failed(None, "1") == 0
