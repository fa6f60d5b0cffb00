"""A damaged store on disk, the real app (AppTest): every data page shows the damage and what to run, and
no figure: never the bundled sample, never the figures of an earlier run. An empty store shows the
sample under a banner on every page, or (setting off) no data and an invitation to publish."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from cchc_lib.access.accounts import Account
from cchc_lib.publishing.store import Store
from cchc_lib.publishing.version_keys import cache_file, version_keys
from tests.test_app_upload import APP, HISTORY, SAMPLE, UPLOAD, make_env
from tests.test_submissions import act, workbook

ADMIN = Account("quantri", "admin")
ACTS = [
    act(date(2024, 1, 5), "XCB", "TIN_BAI", 2, "a"),
    act(date(2024, 2, 5), "VHTT", "TIN_BAI", 1, "b"),
    act(date(2024, 3, 5), "XCB", "PHONG_SU", 1, "c"),
    act(date(2024, 5, 5), "XCB", "TIN_BAI", 1, "d"),
]
# Hand-computed from ACTS over 2024 (as in test_app_first_run): actual 2+1+1+1 = 5 of 32 planned;
# version 2 (the first two rows): 3 of 32.
FIGURE_V1, FIGURE_V2 = "5 / 32", "3 / 32"
DATA_PAGES = [
    APP,
    "pages/1_don_vi.py",
    "pages/2_hoat_dong.py",
    "pages/3_theo_doi_chi_dao.py",
    "pages/5_bao_cao.py",
    "pages/7_tinh_hinh_bao_cao.py",
    "pages/8_ban_in.py",
]
DAMAGED = "Kho dữ liệu đã công bố bị hỏng: bảng theo dõi không hiển thị số liệu nào"
BANNER = "Đang hiển thị DỮ LIỆU MẪU (huyện Cẩm Xuyên minh họa), không phải số liệu của đơn vị."
ORGANISATION = "UBND xã Kiểm Thử"  # not the sample's district: "Cẩm Xuyên" on a page means the sample


def _walk(node) -> Iterator:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def page_text(at: AppTest) -> str:
    """Every text the page shows: element values, labels, bodies, table cells, chart specs."""
    parts = []
    for root in (at.main, at.sidebar):
        for node in _walk(root):
            for attr in ("value", "label", "body"):
                try:
                    value = getattr(node, attr, None)
                except Exception:  # an element kind without that field
                    value = None
                if value is None or callable(value):
                    continue
                parts.append(value.to_string() if hasattr(value, "to_string") else str(value))
            spec = getattr(getattr(node, "proto", None), "spec", None)
            if isinstance(spec, str):
                parts.append(spec)
    return "\n".join(parts)


def open_page(path: str, user: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    if user:
        at.session_state["cchc.auth"] = {"name": user}
    if path == APP:
        return at.run()
    return at.switch_page(path).run()


def errors(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in at.error)


def figures(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """The REAL sample as the fallback a regression would show; two published versions; the keys cache
    of both versions written; an organisation that is not the sample's."""
    env = make_env(tmp_path, monkeypatch, SAMPLE, unit="XCB")
    with env.settings.open("a", encoding="utf-8") as handle:
        handle.write(f'organisation = "{ORGANISATION}"\nplace_name = "Kiểm Thử"\n')
    env.store.publish(workbook(ACTS), account=ADMIN, kind="replace", file_name="goc.xlsx", base_version=None)
    env.store.publish(workbook(ACTS[:2]), account=ADMIN, kind="replace", file_name="moi.xlsx", base_version=1)
    for version in env.store.history():
        version_keys(version.path, version.sha256, env.store.root / "cache")
    env.root = env.store.root
    return env


def _pointer_to_missing(root: Path) -> None:
    (root / "current").write_text(json.dumps({"number": 7, "sha256": "0" * 64}), encoding="utf-8")


def _versions_deleted(root: Path) -> None:
    shutil.rmtree(root / "versions")


def _metadata_garbage(root: Path) -> None:
    (root / "versions" / "000002.json").write_bytes(b"\x00\x13garbage{ not json")


def _bytes_truncated(root: Path) -> None:
    path = root / "versions" / "000002.xlsx"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _cache_damaged(root: Path) -> None:
    sha = Store(root, repair=False).current().sha256
    path = cache_file(root / "cache", sha)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _pointer_garbage(root: Path) -> None:
    (root / "current").write_bytes(b"{{{ not a pointer")


def _pointer_deleted(root: Path) -> None:
    (root / "current").unlink()


FAULTS: dict[str, tuple[Callable[[Path], None], str]] = {
    # name: (damage, words of the finding shown)
    "pointer_to_missing_version": (_pointer_to_missing, "chỉ đến phiên bản số 7"),
    "versions_folder_deleted": (_versions_deleted, "versions/"),
    "metadata_garbage": (
        _metadata_garbage,
        "Tệp thông tin của phiên bản số 2 (versions/000002.json) bị hỏng",
    ),
    "version_bytes_truncated": (_bytes_truncated, "không khớp mã kiểm tra (sha256)"),
    "cache_damaged": (_cache_damaged, "Tệp bộ nhớ đệm cache/keys-v1-"),
    "pointer_garbage": (_pointer_garbage, "Tệp «current» (chỉ phiên bản hiện hành) bị hỏng"),
    "pointer_deleted": (_pointer_deleted, "Tệp «current» (chỉ phiên bản hiện hành) không còn"),
}


def assert_damage_page(at: AppTest, words: str) -> None:
    assert not at.exception
    shown = errors(at)
    assert DAMAGED in shown and words in shown
    assert "python -m cchc_lib store verify" in shown and "python -m cchc_lib store repair" in shown
    assert len(at.metric) == 0
    assert not at.get("plotly_chart") and not at.dataframe and not at.table
    text = page_text(at)
    assert "Cẩm Xuyên" not in text and "99,3" not in text and "DỮ LIỆU MẪU" not in text
    assert FIGURE_V1 not in text and FIGURE_V2 not in text
    assert "Kho dữ liệu bị hỏng: không hiển thị số liệu." in [str(c.value) for c in at.sidebar.caption]


@pytest.mark.parametrize("fault", list(FAULTS))
def test_damaged_store_shows_the_damage_and_no_figures(env: SimpleNamespace, fault: str) -> None:
    before = open_page(APP)  # a good run first: its parsed data and figures are in the caches
    assert not before.exception and figures(before)["Đã thực hiện / kế hoạch"] == FIGURE_V2
    damage, words = FAULTS[fault]
    damage(env.root)
    for path in DATA_PAGES:
        assert_damage_page(open_page(path, "quantri"), words)


@pytest.mark.parametrize(
    "fault", ["metadata_garbage", "version_bytes_truncated", "pointer_to_missing_version"]
)
def test_admin_pages_stay_open_on_a_damaged_store(env: SimpleNamespace, fault: str) -> None:
    damage, words = FAULTS[fault]
    damage(env.root)
    for path in (UPLOAD, HISTORY):
        at = open_page(path, "quantri")
        assert not at.exception
        assert DAMAGED in errors(at) and words in errors(at)
        assert len(at.metric) == 0 and "Cẩm Xuyên" not in page_text(at)
    upload = open_page(UPLOAD, "quantri")
    assert len(upload.get("file_uploader")) == 0  # repair first: nothing is merged into damaged data
    history = open_page(HISTORY, "quantri")
    assert "Nhật ký thao tác" in [str(s.value) for s in history.subheader]


def test_rollback_from_the_history_page_mends_a_truncated_current(env: SimpleNamespace) -> None:
    _bytes_truncated(env.root)
    at = open_page(HISTORY, "quantri")
    assert list(at.dataframe[0].value["Số"]) == [2, 1]
    at.button(key="cchc.rollback.ask").click().run()
    at.button(key="cchc.rollback.yes").click().run()
    assert not at.exception
    assert (env.store.current_number(), env.store.current().rollback_of) == (3, 1)
    overview = open_page(APP)
    assert not overview.exception and not overview.error
    assert figures(overview)["Đã thực hiện / kế hoạch"] == FIGURE_V1


def test_after_store_repair_the_last_good_version_is_shown(env: SimpleNamespace) -> None:
    _bytes_truncated(env.root)
    plan, version = Store(env.root).restore_last_good("root", "server")
    assert (plan.restore, version.number) == (1, 3)
    overview = open_page(APP)
    assert not overview.exception and not overview.error
    assert figures(overview)["Đã thực hiện / kế hoạch"] == FIGURE_V1


def test_a_store_left_without_any_valid_version_asks_to_publish_again(env: SimpleNamespace) -> None:
    _versions_deleted(env.root)
    plan, version = Store(env.root).restore_last_good("root", "server")
    assert (plan.restore, version) == (None, None)
    at = open_page(APP)
    assert "Kho không còn phiên bản dữ liệu hợp lệ nào" in errors(at)
    assert "công bố lại tệp số liệu tại trang «Cập nhật dữ liệu»" in errors(at)
    assert len(at.metric) == 0 and "Cẩm Xuyên" not in page_text(at)
    upload = open_page(UPLOAD, "quantri")  # republishing is the remedy: the uploader is there
    assert not upload.exception and len(upload.get("file_uploader")) == 1


# ------------------------------------------------------------------------------------ empty store
@pytest.fixture
def empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """Nothing published; the real sample as the file the setting may show."""
    env = make_env(tmp_path, monkeypatch, SAMPLE, unit="XCB")
    with env.settings.open("a", encoding="utf-8") as handle:
        handle.write(f'organisation = "{ORGANISATION}"\n')
    return env


def test_empty_store_shows_the_sample_under_a_banner_on_every_page(empty: SimpleNamespace) -> None:
    for path in [*DATA_PAGES, UPLOAD, HISTORY]:
        at = open_page(path, "quantri")
        assert not at.exception, path
        assert [str(w.value) for w in at.warning if BANNER in str(w.value)], path
    overview = open_page(APP)
    assert figures(overview)  # the sample's figures, under the banner


def test_empty_store_with_the_sample_turned_off_invites_to_publish(empty: SimpleNamespace) -> None:
    with empty.settings.open("a", encoding="utf-8") as handle:
        handle.write("show_sample_when_empty = false\n")
    for path in DATA_PAGES:
        at = open_page(path, "quantri")
        assert not at.exception, path
        [info] = [str(i.value) for i in at.info]
        assert "chưa có phiên bản nào được công bố" in info and "«Cập nhật dữ liệu»" in info
        assert len(at.metric) == 0 and "Cẩm Xuyên" not in page_text(at)
        assert not [w for w in at.warning if BANNER in str(w.value)]
    upload = open_page(UPLOAD, "quantri")
    assert len(upload.get("file_uploader")) == 1
