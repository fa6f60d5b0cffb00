"""AppTest of the address bar: the frame reads the view from the query string, writes it on change,
carries it in the menu links, ignores bad values; the unit search ignores diacritics and case."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_app_pages import APP, PAGES, SAMPLE

pytestmark = pytest.mark.skipif(not SAMPLE.is_file(), reason="the bundled sample workbook is missing")


def run_with(params: dict[str, str], state: dict[str, object] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    for key, value in (state or {}).items():
        at.session_state[key] = value
    return at.run()


def context_line(at: AppTest) -> str:
    return next(c.value for c in at.caption if c.value.startswith("UBND huyện Cẩm Xuyên · "))


def choices(at: AppTest) -> tuple:
    year, kind = at.sidebar.selectbox
    types, units = at.sidebar.multiselect
    return year.value, kind.value, at.sidebar.radio[0].value, types.value, units.value


def test_a_forwarded_link_opens_its_view(settings_env: Path) -> None:
    at = run_with({"nam": "2024", "ky": "q2", "lich": "bc", "loai": "ubnd-xa-thi-tran", "dv": "xcb,XCN"})
    assert not at.exception
    assert choices(at) == (2024, "Q2", "report", ["UBND xã, thị trấn"], ["XCB", "XCN"])
    # Q2 on the report calendar with cut-off day 15: 15/03 – 14/06
    assert context_line(at) == (
        "UBND huyện Cẩm Xuyên · **Quý II năm 2024** (15/03/2024 – 14/06/2024) · UBND xã Cẩm Bình, "
        "UBND xã Cẩm Nhượng"
    )
    # the address keeps the view (codes in the workbook's spelling), the menu links carry it
    assert dict(at.query_params) == {"ky": "q2", "lich": "bc", "loai": "ubnd-xa-thi-tran", "dv": "XCB,XCN"}
    queries = {link.proto.page: link.proto.query_string for link in at.sidebar.get("page_link")}
    assert set(queries.values()) == {"ky=q2&lich=bc&loai=ubnd-xa-thi-tran&dv=XCB%2CXCN"}, queries


def test_the_link_wins_over_the_choices_kept_in_the_session(settings_env: Path) -> None:
    at = run_with({"ky": "q1"}, {"cchc.kind": "Q3", "cchc.unit_codes": ["PNV"]})
    assert choices(at)[1:] == ("Q1", "calendar", [], [])


def test_bad_values_are_ignored_without_an_error(settings_env: Path) -> None:
    at = run_with(
        {"nam": "20245", "ky": "<b>q2</b>", "lich": "x" * 10_000, "loai": "khong-co", "dv": "NOPE," * 2000}
    )
    assert not at.exception
    assert choices(at) == (2024, "", "calendar", [], [])
    assert not at.error
    assert dict(at.query_params) == {}  # the bad values are cleaned out of the address
    at = run_with({"nam": "2019", "ky": "9T"})  # a valid year without data: shown, with its empty state
    assert choices(at)[:2] == (2019, "9M")
    assert any("Chưa có dữ liệu cho kỳ này" in i.value for i in at.info)


def test_a_change_is_written_to_the_address_and_the_menu(settings_env: Path) -> None:
    at = run_with({})
    assert dict(at.query_params) == {}  # the default view: a clean address
    at.sidebar.selectbox[1].set_value("Q4").run()
    at.sidebar.radio[0].set_value("report").run()
    at.sidebar.multiselect[1].set_value(["TTCX"]).run()
    assert dict(at.query_params) == {"ky": "q4", "lich": "bc", "dv": "TTCX"}
    assert {link.proto.query_string for link in at.sidebar.get("page_link")} == {"ky=q4&lich=bc&dv=TTCX"}
    at.switch_page(PAGES["Đơn vị"]).run()  # another page keeps the view
    assert choices(at)[1:] == ("Q4", "report", [], ["TTCX"])
    assert dict(at.query_params) == {"ky": "q4", "lich": "bc", "dv": "TTCX"}


def test_an_address_changed_outside_replaces_the_view(settings_env: Path) -> None:
    """The back button: the address goes back to an earlier view while the session remembers the later."""
    at = run_with({"ky": "q2"})
    at.sidebar.selectbox[1].set_value("Q3").run()
    assert dict(at.query_params) == {"ky": "q3"}
    at.query_params["ky"] = "q2"
    at.run()
    assert choices(at)[1] == "Q2"
    del at.query_params["ky"]  # back to the first, bare address: the default view
    at.run()
    assert choices(at)[1] == ""


def test_unit_search_ignores_diacritics_and_case(settings_env: Path) -> None:
    at = run_with({})
    search = at.sidebar.text_input(key="unit_search")
    assert search.label == "Tìm đơn vị (gõ không dấu cũng được)"
    assert at.sidebar.multiselect[1].proto.select_all == 0  # no English "Select all"
    for text in ("cam binh", "CẨM BÌNH", "  Cam   Bình "):
        search.set_value(text).run()
        assert at.sidebar.multiselect[1].options == ["UBND xã Cẩm Bình"], text
    search.set_value("xcb").run()  # the unit code finds it too
    assert at.sidebar.multiselect[1].options == ["UBND xã Cẩm Bình"]
    at.sidebar.multiselect[1].set_value(["XCB"]).run()
    search.set_value("thi tran").run()  # a chosen unit stays in the list while searching for others
    assert at.sidebar.multiselect[1].options == [
        "UBND thị trấn Cẩm Xuyên",
        "UBND thị trấn Thiên Cầm",
        "UBND xã Cẩm Bình",
    ]
    assert at.sidebar.multiselect[1].value == ["XCB"]
    search.set_value("khong co don vi nao").run()
    assert at.sidebar.multiselect[1].options == ["UBND xã Cẩm Bình"]
