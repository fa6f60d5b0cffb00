"""The upload gate's decisions (cchc_lib/web/upload_gate.py) on built request scopes; the real server
and a real HTTP client are in tests/browser/test_upload_gate.py."""

from __future__ import annotations

import pytest

from cchc_lib.common.settings import Settings
from cchc_lib.web import upload_gate

MB = 1024 * 1024


def scope(length: int | None, address: str = "192.0.2.10") -> dict:
    headers = [] if length is None else [(b"content-length", str(length).encode())]
    return {"type": "http", "method": "PUT", "headers": headers, "client": (address, 5000)}


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> dict[str | None, int]:
    """Bytes the (fake) upload manager holds, per session id; None is the total."""
    amounts: dict[str | None, int] = {}
    monkeypatch.setattr(upload_gate, "held_bytes", lambda sid=None: amounts.get(sid, 0))
    return amounts


def test_only_a_granted_session_may_upload(held) -> None:
    settings = Settings()
    assert upload_gate.check(scope(1000), "never-granted", settings)[0] == 403
    upload_gate.grant("granted-1")
    assert upload_gate.check(scope(1000, "192.0.2.11"), "granted-1", settings) is None
    upload_gate.revoke("granted-1")
    assert upload_gate.check(scope(1000, "192.0.2.11"), "granted-1", settings)[0] == 403


def test_size_must_be_declared_and_within_the_limit(held) -> None:
    settings = Settings(max_upload_mb=5)
    upload_gate.grant("granted-2")
    assert upload_gate.check(scope(None), "granted-2", settings)[0] == 411
    status, reason = upload_gate.check(scope(6 * MB), "granted-2", settings)
    assert status == 413 and reason == "Tệp lớn hơn giới hạn 5 MB."


def test_rate_per_address(held) -> None:
    settings = Settings(uploads_per_10min=3)
    upload_gate.grant("granted-3")
    results = [upload_gate.check(scope(10, "192.0.2.30"), "granted-3", settings) for _ in range(4)]
    assert results[:3] == [None, None, None]
    assert results[3][0] == 429 and "tải tệp lên quá nhiều lần" in results[3][1]


def test_memory_budgets_per_session_and_in_all(held) -> None:
    settings = Settings(max_upload_mb=10, upload_memory_mb=50, max_batch_mb=0)
    upload_gate.grant("granted-4")
    held["granted-4"] = 19 * MB
    status, reason = upload_gate.check(scope(2 * MB, "192.0.2.40"), "granted-4", settings)
    assert status == 429 and "giữ quá nhiều tệp" in reason  # 2 x 10 MB per session
    held["granted-4"], held[None] = 0, 45 * MB
    status, reason = upload_gate.check(scope(6 * MB, "192.0.2.41"), "granted-4", settings)
    assert status == 503 and "Máy chủ đang bận" in reason
    assert upload_gate.check(scope(4 * MB, "192.0.2.42"), "granted-4", settings) is None


@pytest.mark.parametrize(
    ("batch_files", "batch_mb", "held_mb", "length_mb", "allowed"),
    [
        (30, 60, 79, 0.5, True),  # 2 x 10 MB for the one-file box + 60 MB for a batch = 80 MB
        (30, 60, 79, 2, False),
        (30, 0, 19, 2, False),  # no batch room: the one-file box's 2 x 10 MB as before
        (5, 25, 44, 0.5, True),
    ],
)
def test_session_budget_grows_by_the_batch(held, batch_files, batch_mb, held_mb, length_mb, allowed) -> None:
    settings = Settings(
        max_upload_mb=10, upload_memory_mb=500, max_batch_files=batch_files, max_batch_mb=batch_mb
    )
    assert upload_gate.session_budget_bytes(settings) == (20 + batch_mb) * MB + 2 * 64 * 1024
    upload_gate.grant("granted-5")
    held["granted-5"] = held_mb * MB
    result = upload_gate.check(scope(int(length_mb * MB), "192.0.2.50"), "granted-5", settings)
    assert (result is None) is allowed


def test_files_per_session_limited_to_one_batch_and_the_one_file_box(held, monkeypatch) -> None:
    settings = Settings(max_batch_files=3, uploads_per_10min=100)
    assert upload_gate.session_file_limit(settings) == 5
    count = {"n": 4}
    monkeypatch.setattr(upload_gate, "held_files", lambda sid: count["n"])
    upload_gate.grant("granted-6")
    assert upload_gate.check(scope(1000, "192.0.2.60"), "granted-6", settings) is None
    count["n"] = 5
    status, reason = upload_gate.check(scope(1000, "192.0.2.61"), "granted-6", settings)
    assert status == 429 and "đã giữ 5 tệp tải lên, mức tối đa" in reason
