"""AppTest of the upload page without data (first version published from the web) and of unit
submissions that choose the date range they replace. A small hand-made workbook, a temp store, no sample."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from cchc_lib.accounts import Account
from cchc_lib.sandbox import read_trusted
from cchc_lib.settings import Settings
from tests.test_app_upload import APP, HISTORY, UPLOAD, make_env, page, texts, upload
from tests.test_submissions import act, workbook

BASE_ACTS = [
    act(date(2024, 1, 5), "XCB", "TIN_BAI", 2, "a"),
    act(date(2024, 2, 5), "VHTT", "TIN_BAI", 1, "b"),
    act(date(2024, 3, 5), "XCB", "PHONG_SU", 1, "c"),
    act(date(2024, 5, 5), "XCB", "TIN_BAI", 1, "d"),
]
# Hand-computed from the lists above, year 2024: actual 2+1+1+1 = 5, planned 10+2+20 = 32.
BASE_FIGURE = "5 / 32"
Q1 = (date(2024, 1, 1), date(2024, 3, 31))
RANGE_KEY = "cchc.upload.range.{}.calendar"  # the date range widget of the sidebar's period


@pytest.fixture
def bare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """No published version and no sample file; camnhuong is the unit account of XCB."""
    return make_env(tmp_path, monkeypatch, tmp_path / "khong_co_mau.xlsx", unit="XCB")


@pytest.fixture
def based(bare: SimpleNamespace) -> SimpleNamespace:
    """As `bare`, with version 1 = the base workbook."""
    admin = Account("quantri", "admin")
    bare.store.publish(
        workbook(BASE_ACTS), account=admin, kind="replace", file_name="goc.xlsx", base_version=None
    )
    return bare


def rows_of(env: SimpleNamespace, number: int) -> list[tuple]:
    acts = read_trusted(env.store.read_bytes(number), Settings()).workbook.activities
    return sorted((r["date"].date(), r["unit_code"], r["title"]) for r in acts.to_dict("records"))


def confirm(at: AppTest) -> None:
    [button] = [b for b in at.button if b.label == "Xác nhận cập nhật"]
    button.click().run()
    assert not at.exception


def figure(at: AppTest) -> str:
    return {m.label: m.value for m in at.metric}["Đã thực hiện / kế hoạch"]


# ------------------------------------------------------------------------------------- no data yet
def test_overview_without_data_points_to_the_upload_page(bare) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    [info] = texts(at, "info")
    assert "chưa có phiên bản nào được công bố" in info and "«Cập nhật dữ liệu»" in info
    assert [link.proto.label for link in at.main.get("page_link")] == ["Đến trang Cập nhật dữ liệu"]
    assert len(at.metric) == 0


def test_admin_publishes_the_first_version_from_the_upload_page(bare) -> None:
    at = page(UPLOAD, "quantri")
    assert not at.exception
    assert len(at.get("file_uploader")) == 1
    assert len(at.main.get("radio")) == 0  # only a whole workbook can come first: no choice of kind
    assert any("phiên bản dữ liệu đầu tiên" in t for t in texts(at, "markdown"))
    assert "Chưa có dữ liệu: chưa có phiên bản nào được công bố." in texts(at.sidebar, "caption")
    assert len(at.sidebar.selectbox) == 0 and len(at.sidebar.multiselect) == 0  # no period, no unit filter
    assert [b.proto.label for b in at.get("download_button")] == ["Tải tệp mẫu để điền"]
    at = upload(at, workbook(BASE_ACTS), "dau_tien.xlsx")
    assert any(
        "**4** dòng hoạt động thêm · **0** dòng bỏ · **2** đơn vị thay đổi" in t
        for t in texts(at, "markdown")
    )
    assert bare.store.current() is None  # nothing before the click
    confirm(at)
    current = bare.store.current()
    assert (current.number, current.kind, current.user, current.rows) == (1, "replace", "quantri", 4)
    assert any("phiên bản số 1" in t for t in texts(at, "success"))
    overview = AppTest.from_file(APP, default_timeout=60).run()
    assert not overview.exception
    assert figure(overview) == BASE_FIGURE


def test_unit_account_on_an_empty_store_is_told_to_wait(bare) -> None:
    at = page(UPLOAD, "camnhuong")
    assert not at.exception
    assert any(
        "Văn phòng thường trực" in t and "công bố tệp theo dõi đầu tiên" in t for t in texts(at, "info")
    )
    assert len(at.get("file_uploader")) == 0


def test_viewer_still_refused_without_data(bare) -> None:
    at = page(UPLOAD, "nguoixem")
    assert "Bạn không có quyền xem trang này." in texts(at, "warning")
    assert len(at.get("file_uploader")) == 0


def test_history_without_data(bare) -> None:
    at = page(HISTORY, "quantri")
    assert not at.exception
    assert any("bảng theo dõi chưa có dữ liệu" in t for t in texts(at, "info"))


# ------------------------------------------------------------------------------------- unit ranges
def unit_page(period_kind: str = "", mode: str | None = "chosen") -> AppTest:
    """The upload page as XCB's focal point; `mode` None leaves the range choice at its default."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["cchc.auth"] = {"name": "camnhuong"}
    at.session_state["cchc.kind"] = period_kind  # the sidebar's period: "" = the whole year
    if mode is not None:
        at.session_state["cchc.upload.range_mode"] = mode
    at.switch_page(UPLOAD).run()
    assert not at.exception
    return at


def test_by_default_only_the_files_own_dates_are_replaced(based) -> None:
    """A focal point sending just a new row must not wipe the unit's other rows of the year."""
    at = unit_page(mode=None)
    assert len(at.get("date_input")) == 0
    at = upload(at, workbook([act(date(2024, 2, 20), "XCB", "TIN_BAI", 3, "e")]), "mot_dong.xlsx")
    assert any("**1** dòng hoạt động thêm · **0** dòng bỏ" in t for t in texts(at, "markdown"))
    confirm(at)
    assert rows_of(based, 2) == [
        (date(2024, 1, 5), "XCB", "a"),
        (date(2024, 2, 5), "VHTT", "b"),
        (date(2024, 2, 20), "XCB", "e"),
        (date(2024, 3, 5), "XCB", "c"),
        (date(2024, 5, 5), "XCB", "d"),
    ]


def test_a_focal_point_gets_the_template_of_its_own_unit(based) -> None:
    at = unit_page()
    [button] = at.get("download_button")
    assert (button.proto.label, button.key) == ("Tải mẫu của đơn vị", "unit_template_XCB")


def test_a_chosen_range_proposes_the_sidebar_period(based) -> None:
    at = unit_page("Q1")
    assert at.date_input(key=RANGE_KEY.format("2024-Q1")).value == Q1
    at = unit_page()
    assert at.date_input(key=RANGE_KEY.format("2024")).value == (date(2024, 1, 1), date(2024, 12, 31))
    assert any("từ **01/01/2024** đến **31/12/2024**" in t for t in texts(at, "markdown"))


def test_empty_submission_with_range_removes_the_units_rows_in_it(based) -> None:
    at = unit_page()
    at.date_input(key=RANGE_KEY.format("2024")).set_value(Q1).run()
    at = upload(at, workbook([]), "khong_co_hoat_dong.xlsx")
    summary = " ".join(texts(at, "markdown"))
    assert (
        "Đơn vị XCB, từ **01/01/2024** đến **31/03/2024**: **0** dòng hoạt động thêm · **2** dòng bỏ"
        in summary
    )
    assert any(
        "2 dòng hiện có của đơn vị XCB từ 01/01/2024 đến 31/03/2024 sẽ bị bỏ" in t for t in texts(at, "info")
    )
    confirm(at)
    current = based.store.current()
    assert (current.number, current.kind, current.unit_code) == (2, "unit", "XCB")
    # a (XCB, 5 Jan) and c (XCB, 5 Mar) are in Q1; b is another unit's, d (5 May) is outside the range
    assert rows_of(based, 2) == [(date(2024, 2, 5), "VHTT", "b"), (date(2024, 5, 5), "XCB", "d")]


def test_submission_replaces_rows_in_range_and_keeps_the_rest(based) -> None:
    at = unit_page("Q1")  # the default range is Q1
    sub = [act(date(2024, 2, 20), "XCB", "TIN_BAI", 3, "e")]
    at = upload(at, workbook(sub), "quy_1.xlsx")
    assert any("**1** dòng hoạt động thêm · **2** dòng bỏ" in t for t in texts(at, "markdown"))
    confirm(at)
    assert rows_of(based, 2) == [
        (date(2024, 2, 5), "VHTT", "b"),
        (date(2024, 2, 20), "XCB", "e"),
        (date(2024, 5, 5), "XCB", "d"),
    ]


def test_rows_outside_the_range_are_refused(based) -> None:
    at = unit_page("Q1")
    sub = [act(date(2024, 2, 20), "XCB", "TIN_BAI", 3, "e"), act(date(2024, 4, 2), "XCB", "TIN_BAI", 1, "f")]
    at = upload(at, workbook(sub), "lan_quy.xlsx")
    assert any("1 lỗi" in t for t in texts(at, "error"))
    [row] = at.dataframe[0].value.to_dict("records")
    assert (row["Trang tính"], row["Dòng"], row["Cột"]) == ("Hoạt động", "3", "Ngày")  # header row 1, 2nd row
    assert "02/04/2024" in row["Nội dung"] and "01/01/2024–31/03/2024" in row["Nội dung"]
    assert not [b for b in at.button if b.label == "Xác nhận cập nhật"]
    assert based.store.current_number() == 1


def test_changing_the_range_recomputes_the_preview(based) -> None:
    at = unit_page()  # whole year 2024: f (2 Apr) is inside
    sub = [act(date(2024, 4, 2), "XCB", "TIN_BAI", 1, "f")]
    at = upload(at, workbook(sub), "quy_2.xlsx")
    assert not texts(at, "error")
    assert any("**1** dòng hoạt động thêm · **3** dòng bỏ" in t for t in texts(at, "markdown"))
    at.date_input(key=RANGE_KEY.format("2024")).set_value(Q1).run()
    assert any("1 lỗi" in t for t in texts(at, "error"))
    assert not [b for b in at.button if b.label == "Xác nhận cập nhật"]


def test_file_dates_option_needs_rows(based) -> None:
    at = unit_page()
    at.radio(key="cchc.upload.range_mode").set_value("file").run()
    assert len(at.get("date_input")) == 0
    at = upload(at, workbook([]), "rong.xlsx")
    problems = at.dataframe[0].value
    assert any("không có dòng hoạt động nào" in m for m in problems["Nội dung"])
    assert based.store.current_number() == 1


def test_history_still_rolls_back_when_the_current_file_is_unreadable(based) -> None:
    admin = Account("quantri", "admin")
    based.store.publish(
        workbook(BASE_ACTS[:2]), account=admin, kind="replace", file_name="hong.xlsx", base_version=1
    )
    based.store.current().path.write_bytes(b"PK\x03\x04 hong")  # damaged on disk after publishing
    at = page(HISTORY, "quantri")
    assert not at.exception
    assert any(
        "Kho dữ liệu đã công bố bị hỏng" in t and "phiên bản số 2 (versions/000002.xlsx) không khớp" in t
        for t in texts(at, "error")
    )
    assert "Kho dữ liệu bị hỏng: không hiển thị số liệu." in texts(at.sidebar, "caption")
    assert list(at.dataframe[0].value["Số"]) == [2, 1]
    at.button(key="cchc.rollback.ask").click().run()
    at.button(key="cchc.rollback.yes").click().run()
    assert not at.exception
    assert (based.store.current_number(), based.store.current().rollback_of) == (3, 1)
    overview = AppTest.from_file(APP, default_timeout=60).run()
    assert figure(overview) == BASE_FIGURE
