"""AppTest: a unit account lands on its own unit (sidebar unit filter, Đơn vị page), only as a default."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from tests.store_backends import Backend
from tests.test_app_upload import APP, SAMPLE, make_env

UNIT_PAGE = "pages/1_don_vi.py"
UNITS_WIDGET = "_w.unit_codes"  # the sidebar's «Đơn vị» multiselect (state.persisted_widget)

pytestmark = pytest.mark.skipif(not SAMPLE.is_file(), reason="the bundled sample workbook is missing")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suite_store: Backend) -> SimpleNamespace:
    """The bundled sample; camnhuong is the unit account of XCN (UBND xã Cẩm Nhượng)."""
    return make_env(tmp_path, monkeypatch, SAMPLE, unit="XCN", store=suite_store)


def opened(user: str | None, params: dict[str, str] | None = None, path: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if user:
        at.session_state["cchc.auth"] = {"name": user}
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if path:
        at.switch_page(path).run()
    assert not at.exception
    return at


def test_a_unit_account_starts_on_its_own_unit_and_may_change_it(env) -> None:
    at = opened("camnhuong")
    units = at.multiselect(key=UNITS_WIDGET)
    assert units.value == ["XCN"]
    assert dict(at.query_params).get("dv") == "XCN"  # the address says so too
    units.set_value([]).run()  # the focal point looks at every unit
    assert at.multiselect(key=UNITS_WIDGET).value == []
    at.run()
    assert at.multiselect(key=UNITS_WIDGET).value == []  # not put back


def test_the_address_wins_over_the_own_unit(env) -> None:
    at = opened("camnhuong", {"dv": "XCB"})
    assert at.multiselect(key=UNITS_WIDGET).value == ["XCB"]


def test_other_accounts_start_on_every_unit(env) -> None:
    assert opened("quantri").multiselect(key=UNITS_WIDGET).value == []
    assert opened(None).multiselect(key=UNITS_WIDGET).value == []


def test_the_unit_page_opens_on_the_own_unit(env) -> None:
    at = opened("camnhuong", path=UNIT_PAGE)
    assert at.main.selectbox[0].value == "XCN"
    admin = opened("quantri", path=UNIT_PAGE)
    assert admin.main.selectbox[0].value != "XCN"  # the first unit of the workbook for anyone else
