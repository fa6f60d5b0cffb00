"""Rate limits of costly actions: a sliding window per key, bounded state, Vietnamese refusals; the
report page refuses builds past the limit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cchc_lib.access.rate_limit import RateLimit, wait_message
from cchc_lib.common.settings import Settings
from cchc_lib.web import limits

ROOT = Path(__file__).resolve().parents[1]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_window_counts_per_key_and_slides() -> None:
    clock = Clock()
    rate = RateLimit(3, 60, clock=clock)
    assert [rate.acquire(["s|a"]) for _ in range(3)] == [0.0, 0.0, 0.0]
    clock.now += 10
    assert rate.acquire(["s|a"]) == pytest.approx(50.0)  # the first hit leaves the window at 1060
    assert rate.acquire(["s|b"]) == 0.0  # another key has its own count
    clock.now += 50
    assert rate.acquire(["s|a"]) == 0.0


def test_a_refusal_counts_nothing_and_any_key_over_refuses() -> None:
    clock = Clock()
    rate = RateLimit(2, 60, clock=clock)
    rate.acquire(["s|1", "a|10.0.0.7"])
    rate.acquire(["s|2", "a|10.0.0.7"])
    assert rate.acquire(["s|3", "a|10.0.0.7"]) > 0  # the address is over, the new session is not
    assert rate.acquire(["s|3", "a|10.0.0.8"]) == 0.0  # so s|3 was not counted by the refusal
    assert rate.peek(["a|10.0.0.7"]) > 0
    assert rate.peek(["a|10.0.0.9"]) == 0.0
    assert rate.acquire(["a|10.0.0.9"]) == 0.0  # peek counted nothing: one of two used


def test_state_is_bounded_and_no_limit_means_none() -> None:
    rate = RateLimit(5, 600, max_keys=100)
    for n in range(10_000):
        rate.acquire([f"a|{n}"])
    assert len(rate) == 100
    unlimited = RateLimit(0, 600)
    assert all(unlimited.acquire(["a|x"]) == 0.0 for _ in range(50))


def test_wait_message_in_vietnamese() -> None:
    assert wait_message("tạo báo cáo", 0.2) == (
        "Bạn đã tạo báo cáo quá nhiều lần trong thời gian ngắn; vui lòng thử lại sau 1 giây."
    )
    assert wait_message("tạo báo cáo", 58.5).endswith("sau 59 giây.")
    assert wait_message("tạo báo cáo", 59.1).endswith("sau 1 phút.")
    assert wait_message("tạo báo cáo", 61).endswith("sau 2 phút.")


def test_page_limits_raise_the_vietnamese_refusal() -> None:
    settings = Settings(reports_per_10min=2)
    who = ("s|test-session", "a|192.0.2.1")
    limits.take("report", settings, who)
    limits.take("report", settings, who)
    assert limits.peek("report", settings, who).startswith("Bạn đã tạo báo cáo quá nhiều lần")
    with pytest.raises(limits.RateLimited, match="tạo báo cáo quá nhiều lần"):
        limits.take("report", settings, who)


def report_buttons(at: AppTest) -> list:
    """The report's build button and downloads (Word, PDF when LibreOffice is installed, Excel annex),
    not the templates."""
    built = [b for b in at.get("download_button") if b.proto.label.startswith(("Tải báo cáo", "Tải phụ lục"))]
    return [b for b in at.button if b.key == "report_build"] + built


def test_report_page_refuses_builds_past_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sample = tmp_path / "sample.xlsx"
    shutil.copyfile(ROOT / "data" / "cam_xuyen_2024.xlsx", sample)
    path = tmp_path / "settings.toml"
    path.write_text(
        f'sample_file = "{sample.as_posix()}"\nstore_dir = "{(tmp_path / "store").as_posix()}"\n'
        "reports_per_10min = 1\n"
    )
    monkeypatch.setenv("CCHC_SETTINGS", str(path))
    who = ("s|report-page-test", "a|192.0.2.77")  # AppTest has no client address of its own
    monkeypatch.setattr(limits, "keys", lambda: who)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/5_bao_cao.py").run()
    assert not at.exception
    assert not any("quá nhiều lần" in w.value for w in at.warning)
    assert report_buttons(at) and not any(b.proto.disabled for b in report_buttons(at))
    limits.take("report", Settings(reports_per_10min=1), ("s|other-tab", who[1]))  # same address, once
    at.run()
    assert any(w.value.startswith("Bạn đã tạo báo cáo quá nhiều lần") for w in at.warning)
    assert report_buttons(at) and all(b.proto.disabled for b in report_buttons(at))


def test_a_run_without_an_address_shares_no_count(monkeypatch: pytest.MonkeyPatch) -> None:
    from cchc_lib.web import auth, upload_gate

    monkeypatch.setattr(auth, "client_address", lambda: "")
    monkeypatch.setattr(upload_gate, "current_session_id", lambda: "sess-1")
    assert limits.keys() == ("s|sess-1", "")
