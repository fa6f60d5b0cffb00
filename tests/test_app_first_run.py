"""AppTest of the upload page without data (first version published from the web) and of unit
submissions that choose the date range they replace. A small hand-made workbook, a temp store, no sample."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from cchc_lib.access.accounts import Account
from cchc_lib.common.settings import Settings
from cchc_lib.reading.sandbox import read_trusted
from tests.store_backends import Backend
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


@pytest.fixture
def bare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suite_store: Backend) -> SimpleNamespace:
    """No published version and no sample file; camnhuong is the unit account of XCB."""
    return make_env(tmp_path, monkeypatch, tmp_path / "khong_co_mau.xlsx", unit="XCB", store=suite_store)


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
    assert any("Bạn không có quyền xem trang này." in t for t in texts(at, "warning"))
    assert len(at.get("file_uploader")) == 0


def test_history_without_data(bare) -> None:
    at = page(HISTORY, "quantri")
    assert not at.exception
    assert any("bảng theo dõi chưa có dữ liệu" in t for t in texts(at, "info"))


# ------------------------------------------------------------------------------------- unit modes
def unit_page(period_kind: str = "", mode: str | None = None) -> AppTest:
    """The upload page as XCB's focal point; `mode` None leaves the mode at its default (add and update)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["cchc.auth"] = {"name": "camnhuong"}
    at.session_state["cchc.kind"] = period_kind  # the sidebar's period: "" = the whole year
    if mode is not None:
        at.session_state["cchc.upload.mode"] = mode
    at.switch_page(UPLOAD).run()
    assert not at.exception
    return at


def range_key(data: bytes) -> str:
    return "cchc.upload.range." + hashlib.sha256(data).hexdigest()[:16]


def publish_button(at: AppTest):
    [button] = [b for b in at.button if b.label == "Xác nhận cập nhật"]
    return button


def quantities(env: SimpleNamespace, number: int) -> dict[tuple, int]:
    acts = read_trusted(env.store.read_bytes(number), Settings()).workbook.activities
    return {
        (r["date"].date(), r["unit_code"], r["title"]): int(r["quantity"]) for r in acts.to_dict("records")
    }


def test_by_default_a_file_adds_and_updates_and_removes_nothing(based) -> None:
    """A focal point sending a new row and an older row with a new quantity wipes nothing (the audit)."""
    at = unit_page()
    assert at.radio(key="cchc.upload.mode").value == "add"
    assert len(at.get("date_input")) == 0  # no range at all in the default mode
    assert any("Đơn vị chưa nộp số liệu lần nào." in t for t in texts(at, "caption"))
    sub = [
        act(date(2024, 2, 20), "XCB", "TIN_BAI", 3, "e"),
        act(date(2024, 1, 5), "XCB", "TIN_BAI", 5, " A "),
    ]
    at = upload(at, workbook(sub), "hai_dong.xlsx")
    assert any(
        "Đơn vị XCB: **1** dòng thêm · **1** dòng cập nhật · **0** dòng xóa" in t
        for t in texts(at, "markdown")
    )
    assert len(at.checkbox) == 0 and not publish_button(at).disabled
    confirm(at)
    assert quantities(based, 2) == {
        (date(2024, 1, 5), "XCB", "A"): 5,  # a updated: quantity 2 -> 5 (matched by date, type and title)
        (date(2024, 2, 5), "VHTT", "b"): 1,
        (date(2024, 2, 20), "XCB", "e"): 3,
        (date(2024, 3, 5), "XCB", "c"): 1,
        (date(2024, 5, 5), "XCB", "d"): 1,
    }
    # The file's last date is 20/02/2024: quarter I under the calendar, due 31/03/2024 + 5 days.
    late = (date.today() - date(2024, 4, 5)).days
    assert f"Đã nộp số liệu quý I/2024 — trễ {late} ngày" in texts(at, "success")
    [history] = [d.value for d in at.dataframe]
    assert history[["Phiên bản", "Người nộp", "Tệp"]].values.tolist() == [[2, "camnhuong", "hai_dong.xlsx"]]


def test_a_focal_point_gets_the_template_of_its_own_unit(based) -> None:
    at = unit_page()
    [button] = at.get("download_button")
    assert (button.proto.label, button.key) == ("Tải mẫu của đơn vị", "unit_template_XCB")


def test_a_correction_proposes_the_files_span_lists_removals_and_needs_the_checkbox(based) -> None:
    at = unit_page(mode="correct")
    assert len(at.get("date_input")) == 0  # nothing proposed before a file
    data = workbook(
        [act(date(2024, 1, 5), "XCB", "TIN_BAI", 2, "a"), act(date(2024, 3, 10), "XCB", "TIN_BAI", 4, "f")]
    )
    at = upload(at, data, "sua_lai.xlsx")
    assert at.date_input(key=range_key(data)).value == (date(2024, 1, 5), date(2024, 3, 10))  # never the year
    assert any(
        "Đơn vị XCB, từ **05/01/2024** đến **10/03/2024**: **1** dòng thêm · **0** dòng cập nhật · **1** dòng xóa"
        in t
        for t in texts(at, "markdown")
    )
    # c (05/03/2024, Phóng sự) is in the span and not in the file. XCB's 2024 plan: 10 + 2 = 12;
    # actual before a 2 + c 1 + d 1 = 4 (33 %), after a 2 + f 4 + d 1 = 7 (58 %).
    [block] = texts(at, "error")
    assert "1 dòng** hiện có của đơn vị XCB sẽ bị xóa" in block
    assert "Tỷ lệ hoàn thành năm 2024: 33 % → 58 %" in block
    [removed] = [d.value for d in at.dataframe if "Tiêu đề" in d.value.columns]
    assert removed.values.tolist() == [["05/03/2024", "Phóng sự", "c"]]
    [tick] = at.checkbox
    assert tick.label == "Tôi xác nhận xóa 1 dòng này" and tick.value is False
    assert publish_button(at).disabled  # (AppTest, like a browser, cannot click it)
    assert based.store.current_number() == 1
    tick.check().run()
    assert not publish_button(at).disabled
    confirm(at)
    assert based.store.current_number() == 2
    assert rows_of(based, 2) == [
        (date(2024, 1, 5), "XCB", "a"),
        (date(2024, 2, 5), "VHTT", "b"),
        (date(2024, 3, 10), "XCB", "f"),
        (date(2024, 5, 5), "XCB", "d"),
    ]


def test_an_empty_correction_needs_a_chosen_range_then_removes_the_units_rows_in_it(based) -> None:
    at = unit_page(mode="correct")
    data = workbook([])
    at = upload(at, data, "khong_co_hoat_dong.xlsx")
    assert at.date_input(key=range_key(data)).value == ()  # an empty file proposes no range
    assert any("hãy chọn cả ngày bắt đầu và ngày kết thúc" in t for t in texts(at, "info"))
    assert not [b for b in at.button if b.label == "Xác nhận cập nhật"]
    at.date_input(key=range_key(data)).set_value(Q1).run()
    summary = " ".join(texts(at, "markdown"))
    assert (
        "Đơn vị XCB, từ **01/01/2024** đến **31/03/2024**: **0** dòng thêm · **0** dòng cập nhật · **2** dòng xóa"
        in (summary)
    )
    at.checkbox[0].check().run()
    confirm(at)
    current = based.store.current()
    assert (current.number, current.kind, current.unit_code) == (2, "unit", "XCB")
    # a (XCB, 5 Jan) and c (XCB, 5 Mar) are in Q1; b is another unit's, d (5 May) is outside the range
    assert rows_of(based, 2) == [(date(2024, 2, 5), "VHTT", "b"), (date(2024, 5, 5), "XCB", "d")]


def test_rows_outside_the_corrected_range_are_refused(based) -> None:
    at = unit_page(mode="correct")
    data = workbook(
        [act(date(2024, 2, 20), "XCB", "TIN_BAI", 3, "e"), act(date(2024, 4, 2), "XCB", "TIN_BAI", 1, "f")]
    )
    at = upload(at, data, "lan_quy.xlsx")
    assert not any("lỗi" in t for t in texts(at, "error"))  # the file's own span holds both rows
    at.date_input(key=range_key(data)).set_value(Q1).run()
    assert any("1 lỗi" in t for t in texts(at, "error"))
    [row] = at.dataframe[0].value.to_dict("records")
    assert (row["Trang tính"], row["Dòng"], row["Cột"]) == ("Hoạt động", "3", "Ngày")  # header row 1, 2nd row
    assert "02/04/2024" in row["Nội dung"] and "01/01/2024–31/03/2024" in row["Nội dung"]
    assert not [b for b in at.button if b.label == "Xác nhận cập nhật"]
    assert based.store.current_number() == 1


def test_an_empty_file_in_the_default_mode_points_to_the_correction(based) -> None:
    at = upload(unit_page(), workbook([]), "rong.xlsx")
    problems = at.dataframe[0].value
    assert any("Sửa lại số liệu trong một khoảng thời gian" in m for m in problems["Nội dung"])
    assert based.store.current_number() == 1


def test_history_still_rolls_back_when_the_current_file_is_unreadable(based) -> None:
    if getattr(based.store, "url", None):
        pytest.skip("a version file damaged on disk is the folder store's case (PostgreSQL fetches it again)")
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
