"""AppTest of every screen: frame, headline figures against plain-pandas sums of the raw sheets, filters."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from cchc_lib.web.render import table_key

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "cam_xuyen_2024.xlsx"
APP = str(ROOT / "app.py")
PAGES = {
    "Đơn vị": "pages/1_don_vi.py",
    "Hoạt động": "pages/2_hoat_dong.py",
    "Theo dõi chỉ đạo": "pages/3_theo_doi_chi_dao.py",
    "Bản in một trang": "pages/8_ban_in.py",
}
EMPTY = "Chưa có dữ liệu cho kỳ này"
MENU = ["Tổng quan", "Đơn vị", "Hoạt động", "Theo dõi chỉ đạo"]

pytestmark = pytest.mark.skipif(not SAMPLE.is_file(), reason="the bundled sample workbook is missing")


# ---------------------------------------------------------------- independent figures (openpyxl + pandas)
def _raw(sheet: str) -> pd.DataFrame:
    """A sheet of the sample as written (header on the first row), read with openpyxl only."""
    wb = load_workbook(SAMPLE, read_only=True, data_only=True)
    rows = list(wb[sheet].iter_rows(values_only=True))
    wb.close()
    width = len(rows[0])
    body = [tuple(row[:width]) + (None,) * (width - len(row)) for row in rows[1:]]
    return pd.DataFrame(body, columns=rows[0])


def vn_int(n: float) -> str:
    return f"{round(n):,}".replace(",", ".")


def vn_pct(x: float) -> str:
    return f"{x:.1f}".replace(".", ",") + " %"


@pytest.fixture(scope="module")
def raw() -> dict[str, pd.DataFrame]:
    targets = _raw("Kế hoạch")
    type_columns = [c for c in targets.columns if c not in ("Năm", "Quý", "Mã đơn vị")]
    long = targets.melt(id_vars=["Năm", "Quý", "Mã đơn vị"], value_vars=type_columns, value_name="n").dropna(
        subset=["n"]
    )
    acts = _raw("Hoạt động")
    acts["Số lượng"] = acts["Số lượng"].fillna(1)
    acts["Ngày"] = pd.to_datetime(acts["Ngày"])
    return {
        "targets": long,
        "acts": acts,
        "units": _raw("Đơn vị"),
        "reviews": _raw("Rà soát Trang TTĐT"),
        "funding": _raw("Kinh phí"),
    }


def year_2024(raw: dict[str, pd.DataFrame]) -> dict[str, object]:
    """Whole calendar year 2024: every unit exists at some time in it, so every 2024 figure counts."""
    targets = raw["targets"][raw["targets"]["Năm"] == 2024]
    acts = raw["acts"][raw["acts"]["Ngày"].dt.year == 2024]
    planned = targets.groupby("Mã đơn vị")["n"].sum()
    actual = acts.groupby("Mã đơn vị")["Số lượng"].sum().reindex(planned.index, fill_value=0)
    pct = actual / planned * 100
    return {
        "planned": float(planned.sum()),
        "actual": int(acts["Số lượng"].sum()),
        "units": len(raw["units"]),
        "complete": int((pct >= 100).sum()),
        "no_activity": int(((planned > 0) & (actual == 0)).sum()),
        "rows": len(acts),
        "acts": acts,
        "planned_by_unit": planned,
        "actual_by_unit": actual,
    }


# ---------------------------------------------------------------- helpers
def run_page(title: str, state: dict[str, object] | None = None) -> AppTest:
    """Start on the home page, then open `title` the way a direct link does (switch_page)."""
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    if title != "Tổng quan":
        at.switch_page(PAGES[title]).run()
    return at


def metrics_of(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def assert_frame(at: AppTest, title: str) -> None:
    """The shared frame: no exception, the page title, the Vietnamese menu, the period picker."""
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == [title]
    labels = [link.proto.label for link in at.sidebar.get("page_link")]
    assert labels[: len(MENU)] == MENU  # later pages (upload, history, ...) add their own links
    assert [s.label for s in at.sidebar.selectbox] == ["Năm", "Kỳ"]
    assert at.sidebar.radio[0].label == "Lịch"
    assert [m.label for m in at.sidebar.multiselect] == ["Loại đơn vị", "Đơn vị"]
    assert any("Dữ liệu mẫu" in c.value for c in at.sidebar.caption)


# ---------------------------------------------------------------- every page
@pytest.mark.parametrize("title", MENU)
def test_every_page_draws_the_frame_without_exception(settings_env: Path, title: str) -> None:
    at = run_page(title)
    assert_frame(at, title)
    assert any("Năm 2024" in c.value and "01/01/2024 – 31/12/2024" in c.value for c in at.caption)


@pytest.mark.parametrize("title", MENU)
def test_empty_period_shows_the_empty_state(settings_env: Path, title: str) -> None:
    at = run_page(title, {"cchc.year": 2030})
    assert not at.exception
    assert any(EMPTY in i.value for i in at.info), [i.value for i in at.info]
    assert not at.metric or title == "Hoạt động"  # no headline figures for an empty period


def test_period_and_filters_are_kept_across_pages(settings_env: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.sidebar.selectbox(key="_w.kind").set_value("Q2").run()
    at.sidebar.radio(key="_w.calendar").set_value("report").run()
    at.sidebar.multiselect(key="_w.unit_types").set_value(["Phòng chuyên môn"]).run()
    at.switch_page(PAGES["Hoạt động"]).run()
    assert at.sidebar.selectbox(key="_w.kind").value == "Q2"
    assert at.sidebar.radio(key="_w.calendar").value == "report"
    assert at.sidebar.multiselect(key="_w.unit_types").value == ["Phòng chuyên môn"]
    # report calendar: Q2 runs 15/03–14/06
    assert any("Quý II năm 2024" in c.value and "15/03/2024 – 14/06/2024" in c.value for c in at.caption)
    at.switch_page("app.py").run()
    assert at.sidebar.selectbox(key="_w.kind").value == "Q2"


# ---------------------------------------------------------------- Tổng quan
def test_home_headline_equals_independent_sums(settings_env: Path, raw: dict[str, pd.DataFrame]) -> None:
    expected = year_2024(raw)
    at = run_page("Tổng quan")
    figures = metrics_of(at)
    assert figures["Tỷ lệ hoàn thành"] == vn_pct(expected["actual"] / expected["planned"] * 100)
    assert (
        figures["Đã thực hiện / kế hoạch"] == f"{vn_int(expected['actual'])} / {vn_int(expected['planned'])}"
    )
    assert figures["Đơn vị hoàn thành"] == f"{expected['complete']} / {expected['units']}"
    assert figures["Đơn vị chưa có hoạt động"] == str(expected["no_activity"])
    # same period last year exists in the sample (2023), with fewer types tracked: the count delta
    # compares both years over the types that had a target or an activity in 2023
    acts = raw["acts"]
    acts_2023 = acts[acts["Ngày"].dt.year == 2023]
    targets_2023 = raw["targets"][(raw["targets"]["Năm"] == 2023) & (raw["targets"]["n"] > 0)]
    tracked = set(acts_2023["Loại hoạt động"]) | set(targets_2023["variable"])
    assert tracked == {"TIN_BAI", "BAI_DANG_TTDT", "PHONG_SU"}
    now = expected["acts"][expected["acts"]["Loại hoạt động"].isin(tracked)]["Số lượng"].sum()
    delta = next(m for m in at.metric if m.label == "Đã thực hiện / kế hoạch").delta
    assert delta == "+" + vn_int(now - acts_2023["Số lượng"].sum())


def test_home_quarter_one_headline(settings_env: Path, raw: dict[str, pd.DataFrame]) -> None:
    targets = raw["targets"][raw["targets"]["Năm"] == 2024]
    quarter = pd.to_numeric(targets["Quý"], errors="coerce")
    planned = targets.loc[quarter == 1, "n"].sum() + targets.loc[quarter.isna(), "n"].sum() / 4
    acts = raw["acts"]
    actual = acts.loc[(acts["Ngày"] >= "2024-01-01") & (acts["Ngày"] <= "2024-03-31"), "Số lượng"].sum()
    at = run_page("Tổng quan", {"cchc.kind": "Q1"})
    assert metrics_of(at)["Tỷ lệ hoàn thành"] == vn_pct(actual / planned * 100)


def test_home_unit_type_filter_changes_the_tables(settings_env: Path, raw: dict[str, pd.DataFrame]) -> None:
    at = run_page("Tổng quan")
    assert len(at.dataframe) == 0  # folded sections and tables are not built
    # open the unit section and its "Bảng số liệu"
    at = run_page("Tổng quan", {"fold.unit": True, table_key("dl_unit"): True})
    assert len(at.dataframe) == 1 and len(at.get("download_button")) == 1
    by_unit = at.dataframe[0].value
    assert len(by_unit) == len(raw["units"])
    at.sidebar.multiselect(key="_w.unit_types").set_value(["Đơn vị sự nghiệp"]).run()
    assert not at.exception
    services = raw["units"][raw["units"]["Loại đơn vị"] == "Đơn vị sự nghiệp"]
    assert sorted(at.dataframe[0].value["Tên đơn vị"]) == sorted(services["Tên đơn vị"])


def test_home_lists_units_without_activity(settings_env: Path, raw: dict[str, pd.DataFrame]) -> None:
    expected = year_2024(raw)
    idle_codes = expected["planned_by_unit"][
        (expected["planned_by_unit"] > 0) & (expected["actual_by_unit"] == 0)
    ].index
    names = raw["units"].set_index("Mã đơn vị").loc[idle_codes, "Tên đơn vị"]
    at = run_page("Tổng quan", {"fold.idle": True})  # its section, folded below the first screen
    idle_table = at.dataframe[-1].value
    assert sorted(idle_table["Tên đơn vị"]) == sorted(names)
    assert f"Đơn vị chưa có hoạt động trong kỳ ({len(names)})" in [e.label for e in at.expander]
    folds = {key: True for key in ("dl_type", "dl_unit", "dl_unit_type", "dl_quarter", "dl_matrix")}
    sections = {f"fold.{key}": True for key in ("unit", "type", "unit_type", "quarter", "heatmap", "idle")}
    opened = run_page("Tổng quan", {**sections, **{table_key(k): v for k, v in folds.items()}})
    assert len(opened.dataframe) == 6
    assert len(opened.get("download_button")) == 6  # every summary table is downloadable


def shown_table(element) -> tuple[pd.DataFrame, dict[int, str]]:
    """What a styled st.dataframe shows: its display values, and the CSS of each row's first cell."""
    import re

    import pyarrow as pa

    styler = element.proto.arrow_data.styler
    shown = pa.ipc.open_stream(styler.display_values).read_all().to_pandas()
    css: dict[int, str] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", styler.styles):
        for row in re.findall(r"_row(\d+)_col0\b", selectors):
            css[int(row)] = css.get(int(row), "") + body
    return shown, css


def test_home_marks_the_units_behind_and_without_activity(
    settings_env: Path, raw: dict[str, pd.DataFrame]
) -> None:
    """The per-unit table and the idle list mark the units to chase as the laggards block does: the
    status icon before each label, their rows in the status colour (red ✕ behind, indigo ∅ idle)."""
    expected = year_2024(raw)
    planned, actual = expected["planned_by_unit"], expected["actual_by_unit"]
    names = raw["units"].set_index("Mã đơn vị")["Tên đơn vị"]
    pct = actual / planned * 100
    behind = {names[c] for c in planned.index if planned[c] > 0 and actual[c] > 0 and pct[c] < 70}
    idle = {names[c] for c in planned.index if planned[c] > 0 and actual[c] == 0}
    assert behind and idle  # the sample has both
    at = run_page("Tổng quan", {"fold.unit": True, table_key("dl_unit"): True, "fold.idle": True})
    assert not at.exception
    by_unit, css = shown_table(at.dataframe[0])
    icons = {"Hoàn thành": "✓", "Gần hoàn thành": "!", "Chưa hoàn thành": "✕", "Chưa có hoạt động": "∅"}
    for label in by_unit["Xếp loại"]:
        icon, text = label.split("\u00a0", 1)
        assert icons[text] == icon
    plain = at.dataframe[0].value["Tên đơn vị"].tolist()  # the data, in the order shown
    for row, (name, shown) in enumerate(zip(plain, by_unit["Tên đơn vị"], strict=True)):
        style = css.get(row, "").replace(" ", "")
        if name in behind:
            assert "color:#C62F3B" in style and "font-weight:600" in style, name
            assert shown == f"✕\u00a0{name}"  # the mark in the first column too (a phone scrolls the rest)
        elif name in idle:
            assert "color:#3E3A6E" in style and "font-weight:600" in style, name
            assert shown == f"∅\u00a0{name}"
        else:
            assert "color:" not in style and shown == name, name
    assert at.dataframe[0].value["Xếp loại"].str.startswith(("✓", "!", "✕", "∅")).sum() == 0  # data plain
    idle_shown, idle_css = shown_table(at.dataframe[-1])
    assert set(idle_shown["Tên đơn vị"]) == {f"∅\u00a0{name}" for name in idle}
    assert set(idle_shown["Xếp loại"]) == {"∅\u00a0Chưa có hoạt động"}
    assert all("color:#3E3A6E" in idle_css[r].replace(" ", "") for r in range(len(idle_shown)))


def test_home_unit_chart_has_a_phone_shape(settings_env: Path, raw: dict[str, pd.DataFrame]) -> None:
    """The unit chart is sent twice: the wide one (name lines up to 28 characters) and the phone's (up to
    16, "…" beyond two lines), the same units in the same order, one shown by a width media query."""
    import json

    at = run_page("Tổng quan", {"fold.unit": True})
    assert not at.exception
    wide, narrow = (json.loads(c.proto.spec)["layout"]["yaxis"] for c in at.get("plotly_chart"))
    assert wide["categoryarray"] == narrow["categoryarray"]
    assert set(wide["categoryarray"]) == set(raw["units"]["Tên đơn vị"])  # full names: the hover's %{y}

    def longest(axis: dict) -> int:
        return max(len(line) for text in axis["ticktext"] for line in text.split("<br>"))

    assert longest(narrow) <= 16 < longest(wide) <= 28
    [style] = [h.proto.body for h in at.get("html") if "chart_unit-narrow" in h.proto.body]
    assert "@media (max-width: 500px)" in style and ".st-key-cchc-chart_unit-wide { display: none; }" in style


def test_unexpected_error_becomes_a_vietnamese_message(
    settings_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cchc_lib.figures import metrics

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(metrics, "rollup", broken)
    at = run_page("Tổng quan")
    assert not at.exception
    assert any("lỗi ngoài dự kiến" in e.value for e in at.error)
    assert all("boom" not in e.value for e in at.error)


# ---------------------------------------------------------------- Đơn vị
def test_unit_page_figures_for_one_unit(settings_env: Path, raw: dict[str, pd.DataFrame]) -> None:
    expected = year_2024(raw)
    code = "PVHTT"
    planned, actual = expected["planned_by_unit"][code], expected["actual_by_unit"][code]
    at = run_page("Đơn vị")
    at.selectbox(key="_w.unit").set_value(code).run()
    assert not at.exception
    figures = metrics_of(at)
    assert figures["Tỷ lệ hoàn thành"] == vn_pct(actual / planned * 100)
    assert figures["Đã thực hiện / kế hoạch"] == f"{vn_int(actual)} / {vn_int(planned)}"
    # rank among the unit's type: units of that type with a higher completion, plus one
    units = raw["units"].set_index("Mã đơn vị")
    peers = units.index[units["Loại đơn vị"] == units.loc[code, "Loại đơn vị"]]
    pct = (expected["actual_by_unit"] / expected["planned_by_unit"] * 100)[peers]
    assert figures["Thứ hạng trong nhóm"] == f"{int((pct > pct[code]).sum()) + 1} / {len(peers)}"
    status = "✓ Hoàn thành" if pct[code] >= 100 else "! Gần hoàn thành" if pct[code] >= 70 else "✕ Chưa hoàn thành"
    assert figures["Xếp loại"] == status  # the icon with the label, as everywhere a status is shown
    ranking, css = shown_table(at.dataframe[-2])  # the peers' table marks the ones behind, as the overview
    for row, label in enumerate(ranking["Xếp loại"]):
        chase = label.split("\u00a0")[0] in ("✕", "∅")
        assert ("font-weight: 600" in css.get(row, "")) is chase, label
    activity_list = at.dataframe[-1].value
    assert len(activity_list) == int((expected["acts"]["Mã đơn vị"] == code).sum())
    assert "Đường dẫn" in activity_list.columns


# ---------------------------------------------------------------- Hoạt động
def test_activities_page_totals_and_filters(settings_env: Path, raw: dict[str, pd.DataFrame]) -> None:
    acts = year_2024(raw)["acts"]
    at = run_page("Hoạt động")
    figures = metrics_of(at)
    assert figures["Số dòng"] == vn_int(len(acts))
    assert figures["Tổng số lượng"] == vn_int(acts["Số lượng"].sum())
    assert len(at.dataframe[0].value) == min(len(acts), 1000)

    at.multiselect(key="_w.act_types").set_value(["PHONG_SU"]).run()
    reports = acts[acts["Loại hoạt động"] == "PHONG_SU"]
    assert metrics_of(at)["Số dòng"] == vn_int(len(reports))
    assert len(at.dataframe[0].value) == len(reports)
    assert set(at.dataframe[0].value["Loại hoạt động"]) == {"Phóng sự"}

    at.multiselect(key="_w.act_types").set_value([]).run()
    at.text_input(key="_w.act_text").set_value("zalo").run()  # case and diacritics ignored
    haystack = (
        acts["Tiêu đề"].fillna("") + " " + acts["Ghi chú"].fillna("") + " " + acts["Kênh đăng tải"].fillna("")
    )
    hits = int(haystack.str.lower().str.contains("zalo").sum())
    assert 0 < hits < len(acts)
    assert metrics_of(at)["Số dòng"] == vn_int(hits)


def test_activities_page_unit_filter_from_the_frame(settings_env: Path, raw: dict[str, pd.DataFrame]) -> None:
    acts = year_2024(raw)["acts"]
    at = run_page("Hoạt động", {"cchc.unit_codes": ["XCB"]})
    assert metrics_of(at)["Số dòng"] == vn_int(int((acts["Mã đơn vị"] == "XCB").sum()))
    assert [b.proto.label for b in at.get("download_button")] == ["Tải Excel", "Tải CSV"]


# ---------------------------------------------------------------- Theo dõi chỉ đạo
def test_directive_page_reviews_and_funding(settings_env: Path, raw: dict[str, pd.DataFrame]) -> None:
    reviews = raw["reviews"]
    reviewed = reviews[pd.to_datetime(reviews["Ngày rà soát"]) <= datetime(2024, 12, 31)][
        "Mã đơn vị"
    ].nunique()
    funding = raw["funding"][raw["funding"]["Năm"] == 2024]
    at = run_page("Theo dõi chỉ đạo")
    assert len(at.dataframe) == 2  # reviews and initiatives open; funding folded (built when opened)
    at = run_page("Theo dõi chỉ đạo", {table_key("dir_dl_funding"): True})
    figures = metrics_of(at)
    assert figures["Đơn vị đã rà soát"] == f"{reviewed} / {len(raw['units'])}"
    assert figures["Dự toán"] == vn_int(funding["Dự toán"].sum()) + " đ"
    assert figures["Đã chi"] == vn_int(funding["Đã chi"].sum()) + " đ"
    assert len(at.dataframe) == 3  # reviews, funding, initiatives


def test_published_store_version_is_shown_instead_of_the_sample(settings_env: Path, suite_store) -> None:
    from cchc_lib.access.accounts import Account

    store = suite_store.open()
    version = store.publish(
        SAMPLE.read_bytes(),
        account=Account("quantri", "admin"),
        kind="replace",
        file_name="mau.xlsx",
        base_version=None,
    )
    at = run_page("Hoạt động")
    assert not at.exception
    captions = [c.value for c in at.sidebar.caption]
    stamp = version.created_at.strftime("%d/%m/%Y")
    assert any("phiên bản 1" in c and stamp in c for c in captions), captions
    assert not any("quantri" in c or "bởi" in c for c in captions), captions  # not to anonymous visitors
    assert not any("Dữ liệu mẫu" in c for c in captions)


def test_the_publisher_is_named_only_to_a_logged_in_visitor(
    settings_env: Path, suite_store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cchc_lib.access.accounts import Account
    from cchc_lib.publishing.store_factory import open_accounts

    monkeypatch.setenv("CCHC_USERS", str(tmp_path / "users.toml"))
    open_accounts(suite_store.settings).add("xem", "viewer", "mat-khau-dai-123")
    suite_store.open().publish(
        SAMPLE.read_bytes(), account=Account("quantri", "admin"), kind="replace", file_name="mau.xlsx",
        base_version=None,
    )  # fmt: skip
    at = run_page("Hoạt động", {"cchc.auth": {"name": "xem"}})
    assert not at.exception
    assert any("phiên bản 1" in c.value and "bởi quantri" in c.value for c in at.sidebar.caption)


def behind_2024(raw: dict[str, pd.DataFrame]) -> tuple[pd.Series, pd.Series, pd.Index, pd.Series]:
    """Actual and % per unit for 2024, and the units below 70 % (lowest first) with their names."""
    expected = year_2024(raw)
    planned, actual = expected["planned_by_unit"], expected["actual_by_unit"]
    pct = actual / planned * 100
    codes = pct[(planned > 0) & (pct < 70)].sort_values(kind="stable").index
    return actual, pct, codes, raw["units"].set_index("Mã đơn vị").loc[codes, "Tên đơn vị"]


def test_print_page_lists_the_units_below_the_near_threshold(
    settings_env: Path, raw: dict[str, pd.DataFrame]
) -> None:
    expected = year_2024(raw)
    actual, pct, codes, names = behind_2024(raw)
    at = run_page("Bản in một trang")
    assert not at.exception
    assert (
        metrics_of(at)["Đã thực hiện / kế hoạch"]
        == f"{vn_int(expected['actual'])} / {vn_int(expected['planned'])}"
    )
    [table] = at.table
    shown = table.value
    assert sorted(shown.index) == sorted(names)
    # lowest first, each with its icon: ✕ behind, ∅ nothing done
    assert list(shown["Tỷ lệ"]) == [vn_pct(pct[c]) for c in codes]
    for code, status in zip(codes, shown["Xếp loại"], strict=True):
        assert status == ("∅ Chưa có hoạt động" if actual[code] == 0 else "✕ Chưa hoàn thành")
    assert any("Ctrl+P" in m.value for m in at.markdown)


def test_home_lists_the_units_to_chase_before_the_charts(
    settings_env: Path, raw: dict[str, pd.DataFrame]
) -> None:
    actual, pct, codes, names = behind_2024(raw)
    at = run_page("Tổng quan")
    table = at.table[0].value
    assert sorted(table.index) == sorted(names)
    assert list(table.columns) == ["Tỷ lệ"]  # narrow enough for a phone
    icons = {code: ("∅" if actual[code] == 0 else "✕") for code in codes}
    shown = [t.replace("\u00a0", " ") for t in table["Tỷ lệ"]]  # non-breaking spaces on the page
    assert shown == [f"{icons[c]} {vn_pct(pct[c])}" for c in codes]
