"""AppTest of the upload page's "Nộp nhiều tệp của đơn vị" section: per-file lines, problems, one publish."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from cchc_lib.access.accounts import Account, Accounts
from cchc_lib.publishing.store import Store
from cchc_lib.reading.sandbox import read_trusted
from cchc_lib.sample.builder import build_xlsx
from cchc_lib.sample.sample_data import sample_spec
from cchc_lib.web.batch_view import SWITCH
from tests.batch_files import keyed, new_rows, unit_file

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
UPLOAD = "pages/4_cap_nhat_du_lieu.py"
PASSWORD = "mat-khau-dai-123"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DAY = date(2024, 11, 28)  # no sample row of XCN or XCS on that day


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """A temp store whose version 1 is the sample; admin quantri and unit account camnhuong (XCN)."""
    store_dir, settings, users = tmp_path / "store", tmp_path / "settings.toml", tmp_path / "users.toml"
    settings.write_text(
        f'store_dir = "{store_dir.as_posix()}"\nsample_file = "{(tmp_path / "none.xlsx").as_posix()}"\n'
    )
    monkeypatch.setenv("CCHC_SETTINGS", str(settings))
    monkeypatch.setenv("CCHC_USERS", str(users))
    accounts = Accounts(users)
    accounts.add("quantri", "admin", PASSWORD)
    accounts.add("camnhuong", "unit", PASSWORD, "XCN")
    store = Store(store_dir)
    spec = sample_spec()
    store.publish(
        build_xlsx(spec), account=Account("quantri", "admin"), kind="replace", file_name="mau.xlsx",
        base_version=None, rows=len(spec.activities),
    )  # fmt: skip
    return SimpleNamespace(store=store, spec=spec)


def page(user: str, batch: bool = True) -> AppTest:
    """The upload page for `user`, with the batch switched on (`batch`, when the user has the switch)."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["cchc.auth"] = {"name": user}
    at.switch_page(UPLOAD).run()
    switches = [t for t in at.toggle if t.key == SWITCH]
    if batch and switches:
        switches[0].set_value(True).run()
    return at


def batch_uploader(at: AppTest):
    found = [u for u in at.get("file_uploader") if u.proto.multiple_files]
    return found[0] if found else None


def test_a_unit_account_does_not_get_the_section(env: SimpleNamespace) -> None:
    at = page("camnhuong")
    assert not at.exception
    assert batch_uploader(at) is None
    assert [t for t in at.toggle if t.key == SWITCH] == []
    assert len(at.get("file_uploader")) == 1  # the unit's own one-file form


def test_the_switch_shows_the_batch_instead_of_the_one_file_form(env: SimpleNamespace) -> None:
    at = page("quantri", batch=False)
    assert not at.exception
    [uploader] = at.get("file_uploader")  # the one-file form only, as before
    assert not uploader.proto.multiple_files
    [switch] = [t for t in at.toggle if t.key == SWITCH]
    switch.set_value(True).run()
    assert not at.exception
    [uploader] = at.get("file_uploader")
    assert uploader.proto.multiple_files
    assert "Loại cập nhật" not in [r.label for r in at.radio]


def test_three_files_one_bad_publish_the_two_good_ones(env: SimpleNamespace) -> None:
    good_xcn = new_rows("XCN", 3, DAY)
    good_xcs = new_rows("XCS", 2, DAY)
    bad = [{"Ngày": "31/02/2024", "Mã đơn vị": "XCB", "Loại hoạt động": "TIN_BAI", "Tiêu đề": "ngày sai"}]
    at = page("quantri")
    assert not at.exception
    uploader = batch_uploader(at)
    uploader.upload("cam_nhuong.xlsx", unit_file("XCN", good_xcn), XLSX)
    uploader.upload("cam_binh.xlsx", unit_file("XCB", bad), XLSX)
    uploader.upload("cam_son.xlsx", unit_file("XCS", good_xcs), XLSX).run()
    assert not at.exception

    [table] = [d for d in at.dataframe if "Tình trạng" in d.value.columns]
    lines = table.value
    assert list(lines["Tệp"]) == ["cam_nhuong.xlsx", "cam_binh.xlsx", "cam_son.xlsx"]
    assert list(lines["Đơn vị nhận ra"]) == ["UBND xã Cẩm Nhượng (XCN)", "—", "UBND xã Cẩm Sơn (XCS)"]
    assert list(lines["Dòng trong tệp"]) == ["3", "—", "2"]
    assert list(lines["Thêm / bỏ"]) == ["+3 / −0", "—", "+2 / −0"]
    assert list(lines["Lỗi"]) == ["0", "1", "0"]
    assert list(lines["Công bố"]) == ["Có", "Không", "Có"]
    # the bad file's problems in its own expander, naming sheet and row
    labels = [e.label for e in at.expander]
    assert "cam_binh.xlsx: 1 lỗi, 0 cảnh báo" in labels
    problems = [d.value for d in at.dataframe if "Nội dung" in d.value.columns]
    assert (
        len(problems) == 1
        and list(problems[0]["Trang tính"]) == ["Hoạt động"]
        and list(problems[0]["Dòng"]) == ["2"]
    )
    # the bad file cannot be ticked; the good ones are ticked
    boxes = {c.label: c for c in at.checkbox if c.key and c.key.startswith("cchc.batch.pick.")}
    assert boxes["cam_binh.xlsx"].disabled and not boxes["cam_binh.xlsx"].value
    assert boxes["cam_nhuong.xlsx → UBND xã Cẩm Nhượng (XCN)"].value

    [button] = [b for b in at.button if b.key == "cchc.batch.publish"]
    assert button.label == "Công bố 2 tệp hợp lệ"
    button.click().run()
    assert not at.exception
    assert any(
        "Đã công bố phiên bản số 2" in str(s.value) and "cam_son.xlsx" in str(s.value) for s in at.success
    )
    assert env.store.current().number == 2
    rows = read_trusted(env.store.read_bytes(2)).workbook.activities
    before = read_trusted(env.store.read_bytes(1)).workbook.activities
    # exactly the published rows plus the two good files' rows (nothing of XCN/XCS was dated that day)
    expected = keyed(before) + [(DAY.isoformat(), "XCN", "TIN_BAI", "2", f"Tin XCN {i}") for i in (1, 2, 3)]
    expected += [(DAY.isoformat(), "XCS", "TIN_BAI", "2", f"Tin XCS {i}") for i in (1, 2)]
    assert keyed(rows) == sorted(expected)
    entry = env.store.audit()[-1]
    assert [(f["unit_code"], f["file_name"]) for f in entry["files"]] == [
        ("XCN", "cam_nhuong.xlsx"),
        ("XCS", "cam_son.xlsx"),
    ]
    assert batch_uploader(at).value in (None, [])  # a fresh, empty uploader


def test_unticking_a_file_changes_the_button(env: SimpleNamespace) -> None:
    at = page("quantri")
    uploader = batch_uploader(at)
    uploader.upload("cam_nhuong.xlsx", unit_file("XCN", new_rows("XCN", 1, DAY)), XLSX)
    uploader.upload("cam_son.xlsx", unit_file("XCS", new_rows("XCS", 1, DAY)), XLSX).run()
    boxes = {c.label: c for c in at.checkbox if c.key and c.key.startswith("cchc.batch.pick.")}
    boxes["cam_son.xlsx → UBND xã Cẩm Sơn (XCS)"].uncheck().run()
    assert not at.exception
    [button] = [b for b in at.button if b.key == "cchc.batch.publish"]
    assert button.label == "Công bố 1 tệp hợp lệ"
    [table] = [d for d in at.dataframe if "Tình trạng" in d.value.columns]
    assert list(table.value["Công bố"]) == ["Có", "Không"]
    assert table.value["Tình trạng"].iloc[1] == "Không chọn: tệp này không được công bố."


def test_more_files_than_a_batch_takes_are_refused_with_the_limit(
    env: SimpleNamespace, tmp_path: Path
) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text(settings.read_text() + "max_batch_files = 2\n")
    at = page("quantri")
    uploader = batch_uploader(at)
    for unit in ("XCN", "XCS", "XCB"):
        uploader.upload(f"{unit}.xlsx", unit_file(unit, new_rows(unit, 1, DAY)), XLSX)
    uploader.run()
    assert not at.exception
    assert [str(e.value) for e in at.error] == [
        "Mỗi lượt nộp tối đa 2 tệp; bạn đã chọn 3 tệp. Hãy bỏ bớt tệp rồi nộp phần còn lại ở lượt sau."
    ]
    assert [b for b in at.button if b.key == "cchc.batch.publish"] == []
    assert env.store.current_number() == 1
