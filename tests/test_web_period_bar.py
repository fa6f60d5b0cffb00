"""The overview's period bar (cchc_lib/web/period_bar.py): at the top, bound to the sidebar's "Kỳ" and the
address; a tap changes the headline figures (checked against plain-pandas sums of the sample's sheets)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.test_app_pages import APP, raw, vn_pct  # noqa: F401 (raw: a fixture)

BAR = "_w.kind_bar"
QUARTER_DAYS = {1: ("2024-01-01", "2024-03-31"), 2: ("2024-04-01", "2024-06-30")}


def quarter_pct(raw: dict[str, pd.DataFrame], quarter: int) -> str:  # noqa: F811
    """Completion of a calendar quarter of 2024: its plan (a yearly target counts a quarter of itself)
    against the activities dated inside it."""
    targets = raw["targets"][raw["targets"]["Năm"] == 2024]
    which = pd.to_numeric(targets["Quý"], errors="coerce")
    planned = targets.loc[which == quarter, "n"].sum() + targets.loc[which.isna(), "n"].sum() / 4
    first, last = QUARTER_DAYS[quarter]
    acts = raw["acts"]
    actual = acts.loc[(acts["Ngày"] >= first) & (acts["Ngày"] <= last), "Số lượng"].sum()
    return vn_pct(actual / planned * 100)


def completion(at: AppTest) -> str:
    return {m.label: m.value for m in at.metric}["Tỷ lệ hoàn thành"]


def test_the_bar_offers_every_period_and_names_year_and_calendar(settings_env: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    [bar] = at.get("button_group")
    assert bar.key == BAR and bar.label == "Năm 2024 · theo quý dương lịch"
    assert bar.options == [
        "Quý I", "Quý II", "Quý III", "Quý IV", "6 tháng", "9 tháng", "Cả năm",
    ]  # fmt: skip
    assert bar.value == ""  # the whole year, as the sidebar's default


def test_a_tap_on_the_bar_changes_figures_sidebar_and_address(
    settings_env: Path, raw: dict[str, pd.DataFrame]  # noqa: F811
) -> None:
    at = AppTest.from_file(APP, default_timeout=30).run()
    whole_year = completion(at)
    bar = at.get("button_group")[0]
    bar.set_value("Q2").run()
    assert not at.exception
    assert completion(at) == quarter_pct(raw, 2) != whole_year
    assert at.sidebar.selectbox(key="_w.kind").value == "Q2"
    assert at.query_params.get("ky") == "q2"
    assert "**Quý II năm 2024** (01/04/2024 – 30/06/2024)" in " ".join(str(c.value) for c in at.caption)


def test_the_sidebar_moves_the_bar(settings_env: Path, raw: dict[str, pd.DataFrame]) -> None:  # noqa: F811
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.sidebar.selectbox(key="_w.kind").set_value("Q1").run()
    assert not at.exception
    assert at.get("button_group")[0].value == "Q1"
    assert completion(at) == quarter_pct(raw, 1)


def test_the_calendar_in_use_is_named(settings_env: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.sidebar.radio(key="_w.calendar").set_value("report").run()
    assert not at.exception
    assert at.get("button_group")[0].label == "Năm 2024 · theo kỳ báo cáo (chốt ngày 15)"


@pytest.mark.parametrize(("slug", "kind"), [("q3", "Q3"), ("6t", "H1"), ("9t", "9M"), ("ca-nam", "")])
def test_an_address_sets_the_bar(settings_env: Path, slug: str, kind: str) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["ky"] = slug
    at.run()
    assert not at.exception
    assert at.get("button_group")[0].value == kind
