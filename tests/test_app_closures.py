"""AppTest of closed periods on screen (issue 15): the history page's «Khóa sổ đến ngày» and «Mở lại» for
admins, the upload page's notice and refusal for a unit account, and the admin's confirmation checkbox."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from cchc_lib.access.accounts import Account
from cchc_lib.sample.builder import build_xlsx
from cchc_lib.sample.sample_data import sample_spec
from tests.store_backends import Backend
from tests.test_app_upload import (
    HISTORY,
    SAMPLE,
    UPLOAD,
    extra_rows,
    make_env,
    page,
    publish_base,
    texts,
    upload,
)

ADMIN = Account("quantri", "admin")
pytestmark = pytest.mark.skipif(not SAMPLE.is_file(), reason="the bundled sample workbook is missing")
CLOSED = (
    "Kỳ đến hết ngày 30/11/2024 đã khóa sổ; liên hệ Văn phòng thường trực CCHC (quản trị viên) để mở lại."
)


@pytest.fixture(scope="module")
def books() -> SimpleNamespace:
    """The sample (base); base + three rows of XCN dated 20/11/2024 (good); two such rows alone (unit_own)."""
    spec = sample_spec()
    return SimpleNamespace(
        base=build_xlsx(spec),
        good=build_xlsx(replace(spec, activities=spec.activities + extra_rows())),
        unit_own=build_xlsx(replace(spec, activities=extra_rows("XCN", 2))),
    )


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suite_store: Backend) -> SimpleNamespace:
    return make_env(tmp_path, monkeypatch, SAMPLE, store=suite_store)


def test_the_history_page_closes_and_reopens_with_a_confirmation(env, books) -> None:
    publish_base(env, books)
    at = page(HISTORY, "quantri")
    assert not at.exception
    assert any("Chưa khóa sổ kỳ nào" in t for t in texts(at, "caption"))
    picker = at.date_input(key="cchc.closure.day")
    assert picker.label == "Khóa sổ đến ngày"
    picker.set_value(date(2024, 11, 30)).run()
    at.button(key="cchc.closure.close").click().run()
    assert not at.exception
    assert env.store.closed_through() == date(2024, 11, 30)
    assert "Đã khóa sổ đến hết ngày 30/11/2024." in texts(at, "success")
    assert any(
        "Đã khóa sổ đến hết ngày **30/11/2024** (ghi bởi quantri lúc " in t for t in texts(at, "markdown")
    )
    audit = at.dataframe[-1].value
    assert (audit["Thao tác"].iloc[0], audit["Kết quả"].iloc[0]) == ("Khóa sổ / mở lại", "Đã lưu")

    at.button(key="cchc.closure.ask").click().run()
    assert any("Mở lại kỳ đến hết ngày 30/11/2024?" in t for t in texts(at, "warning"))
    assert env.store.closed_through() == date(2024, 11, 30)  # asking is not doing
    at.button(key="cchc.closure.reopen_yes").click().run()
    assert not at.exception
    assert env.store.closure_record()["closed_through"] is None
    assert "Đã mở lại: không kỳ nào bị khóa sổ." in texts(at, "success")


def test_a_unit_account_sees_no_closing_control(env, books) -> None:
    publish_base(env, books)
    at = page(HISTORY, "camnhuong")
    assert not at.exception
    assert not at.get("date_input") and not [b for b in at.button if "Khóa sổ" in b.label]


def test_a_unit_account_is_told_what_is_closed_and_refused_with_the_rows(env, books) -> None:
    publish_base(env, books)
    env.store.close_through(date(2024, 11, 30), ADMIN)
    at = page(UPLOAD, "camnhuong")
    assert any(t.startswith(CLOSED) for t in texts(at, "info"))
    at = upload(at, books.unit_own, "nop.xlsx")  # two rows dated 20/11/2024
    problems = at.dataframe[0].value
    closed = problems[problems["Nội dung"].str.contains("thuộc kỳ đã khóa sổ")]
    assert list(closed["Dòng"]) == ["2", "3"] and set(closed["Cột"]) == {"Ngày"}
    assert all(m.endswith(CLOSED) for m in closed["Nội dung"])
    assert not [b for b in at.button if b.label == "Xác nhận cập nhật"]
    assert env.store.current_number() == 1


def test_an_admin_confirms_the_closed_changes_before_publishing(env, books) -> None:
    publish_base(env, books)
    env.store.close_through(date(2024, 11, 30), ADMIN)
    at = upload(page(UPLOAD, "quantri"), books.good, "bo_sung.xlsx")  # three more rows dated 20/11/2024
    assert any(
        "Tệp này thay đổi **3** dòng hoạt động hoặc chỉ tiêu của kỳ đã khóa sổ" in t
        for t in texts(at, "warning")
    )
    listed = at.dataframe[-1].value
    assert list(listed.columns) == ["Thay đổi", "Trang tính", "Dòng", "Nội dung"]
    assert list(listed["Thay đổi"]) == ["thêm"] * 3
    [confirm] = [b for b in at.button if b.label == "Xác nhận cập nhật"]
    assert confirm.disabled
    [tick] = [c for c in at.checkbox if c.label == "Tôi xác nhận thay đổi 3 mục của kỳ đã khóa sổ"]
    tick.check().run()
    [confirm] = [b for b in at.button if b.label == "Xác nhận cập nhật"]
    assert not confirm.disabled
    confirm.click().run()
    assert not at.exception
    assert env.store.current_number() == 2
