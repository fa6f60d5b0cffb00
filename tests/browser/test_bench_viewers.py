"""The load benchmarks' viewer driver (benchmarks/viewers.py) against a real server on the sample: protocol
viewers and a Chromium page finish their period changes, each with a settle time, and end on the period
they chose (no timing asserted)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from benchmarks.viewers import KINDS, ChromiumViewers, Server, rss_mb, run_protocol_viewers, running_server
from cchc_lib.web import messages as msg
from cchc_lib.web.url_state import KIND_SLUGS
from tests.browser.helpers import server_folder

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder, env = server_folder(tmp_path_factory, "bench_viewers_server")
    with running_server(folder, env) as server:
        yield server


def test_the_driver_knows_the_bar_as_the_app_draws_it() -> None:
    assert [label for label, _ in KINDS] == [label for _, label in msg.PERIOD_KINDS]
    assert [slug for _, slug in KINDS] == [KIND_SLUGS[kind] for kind, _ in msg.PERIOD_KINDS]


def test_two_protocol_viewers_report_a_settle_time_per_change(sample_server: Server) -> None:
    viewers, errors = run_protocol_viewers(sample_server.base, 2, 3, timeout=120)
    assert errors == []
    for index, viewer in enumerate(viewers):
        assert len(viewer.settle_times) == 3 and all(t > 0 for t in viewer.settle_times)
        assert viewer.first_run > 0
        labels = viewer.kinds()  # the sample's default period (Cả năm, the address leaves it out) excluded
        assert len(labels) == 6 and "Cả năm" not in labels
        last = labels[(index + 3) % len(labels)]  # viewer i makes changes i+1, i+2, i+3
        assert viewer.query_string == f"ky={dict(KINDS)[last]}"
    assert rss_mb(sample_server.pid) > 50


def test_a_chromium_page_reports_its_settle_time(sample_server: Server, browser) -> None:
    pages = ChromiumViewers(browser, sample_server.base, 1, timeout_ms=120_000)
    try:
        assert [label for label, _ in pages.kinds] == [
            "Quý I",
            "Quý II",
            "Quý III",
            "Quý IV",
            "6 tháng",
            "9 tháng",
        ]
        times = pages.change_all(0) + pages.change_all(1)
        assert len(times) == 2 and all(t > 0 for t in times)
        assert pages.pages[0].url.endswith("?ky=q2")
    finally:
        pages.close()
