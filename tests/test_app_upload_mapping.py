"""AppTest of the column mapping on the upload page: a unit's office-headed file -> mapping offered with
the proposals -> preview -> publish (mapping kept for the unit) -> the next such file reads without
asking, with a note and a button to forget the mapping. Real stores in tmp_path."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from openpyxl import load_workbook

from cchc_lib.access.accounts import Account
from cchc_lib.publishing.store import WHOLE_BOOK
from cchc_lib.reading.workbook import read_workbook
from cchc_lib.sample.builder import build_xlsx
from cchc_lib.sample.sample_data import sample_spec
from tests.store_backends import Backend
from tests.test_app_upload import SAMPLE, UPLOAD, extra_rows, make_env, page, publish_base, texts, upload

pytestmark = pytest.mark.skipif(not SAMPLE.is_file(), reason="the bundled sample workbook is missing")


@pytest.fixture(scope="module")
def books() -> SimpleNamespace:
    spec = sample_spec()
    return SimpleNamespace(
        base=build_xlsx(spec), unit_own=build_xlsx(replace(spec, activities=extra_rows("XCN", 2)))
    )


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suite_store: Backend) -> SimpleNamespace:
    """The bundled sample as fallback, an empty store, admin quantri, unit camnhuong (XCN), a viewer."""
    return make_env(tmp_path, monkeypatch, SAMPLE, store=suite_store)


OFFICE = {
    "Ngày": "Ngày đăng",
    "Mã đơn vị": "Đơn vị thực hiện",
    "Loại hoạt động": "Hình thức",
    "Số lượng": "SL",
}
EXPECTED = {
    "Hoạt động": {
        "Ngày đăng": "date",
        "Đơn vị thực hiện": "unit_code",
        "Hình thức": "type_code",
        "SL": "quantity",
        "Tiêu đề": "title",
        "Kênh đăng tải": "channel",
    }
}


def office_file(rows: list[dict]) -> bytes:
    """A unit's workbook whose `Hoạt động` headers are the office's own (OFFICE), the rest as the format."""
    data = build_xlsx(replace(sample_spec(), activities=rows))
    book = load_workbook(io.BytesIO(data))
    sheet = book["Hoạt động"]
    renamed = 0
    for row in sheet.iter_rows(min_row=1, max_row=30):
        for cell in row:
            if isinstance(cell.value, str) and cell.value in OFFICE:
                cell.value = OFFICE[cell.value]
                renamed += 1
    assert renamed == len(OFFICE)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def selectboxes(at) -> dict[str, str]:
    return {s.label: s.value for s in at.main.selectbox}


def button(at, label: str):
    [found] = [b for b in at.button if b.label == label]
    return found


def test_unit_maps_its_own_headers_then_the_next_file_reads_without_asking(env, books) -> None:
    publish_base(env, books)
    at = page(UPLOAD, "camnhuong")
    at = upload(at, office_file(extra_rows("XCN", 2)), "so_theo_doi_quy_4.xlsx")
    assert any(
        "Ghép cột của tệp với các cột của mẫu" in t for t in texts(at, "subheader") + texts(at, "markdown")
    )
    chosen = selectboxes(at)
    assert chosen["Ngày (bắt buộc)"] == "Ngày đăng"
    assert chosen["Mã đơn vị (bắt buộc)"] == "Đơn vị thực hiện"
    assert chosen["Loại hoạt động (bắt buộc)"] == "Hình thức"
    assert chosen["Số lượng"] == "SL"
    assert chosen["Ghi chú"] == "(không có)"
    assert env.store.column_mapping("XCN") is None
    assert not [b for b in at.button if b.label == "Xác nhận cập nhật"]

    button(at, "Xem thử cách đọc").click().run()
    assert not at.exception
    assert any("Tệp được đọc theo cách ghép cột bạn chọn" in t for t in texts(at, "info"))
    assert not texts(at, "error")
    [row] = at.dataframe[0].value.to_dict("records")
    assert row["Đơn vị"] == "UBND xã Cẩm Nhượng" and row["Dòng thêm / bỏ"] == "+2 / −0"
    before, after = (int(x) for x in row["Thực hiện trước → sau"].split(" → "))
    assert after - before == 10  # two rows of 5
    assert env.store.column_mapping("XCN") is None  # nothing kept before the confirmation

    button(at, "Xác nhận cập nhật").click().run()
    assert not at.exception
    current = env.store.current()
    assert current.number == 2 and current.kind == "unit" and current.unit_code == "XCN"
    assert env.store.column_mapping("XCN") == EXPECTED
    assert any("Đã lưu cách ghép cột cho đơn vị XCN" in t for t in texts(at, "success"))
    [entry] = [e for e in env.store.audit() if e.get("kind") == "column_mapping"]
    assert entry["user"] == "camnhuong" and entry["key"] == "XCN" and entry["outcome"] == "saved"

    # next quarter: a similar file reads at once, with the note, no form
    later = [dict(r, **{"Ngày": date(2024, 12, 2)}) for r in extra_rows("XCN", 3)]
    at = upload(at, office_file(later), "so_theo_doi_quy_4b.xlsx")
    assert any("Đã dùng cách ghép cột đã lưu cho đơn vị XCN" in t for t in texts(at, "info"))
    assert "Ngày (bắt buộc)" not in selectboxes(at)
    assert not texts(at, "error")
    button(at, "Xác nhận cập nhật").click().run()
    assert env.store.current_number() == 3
    assert len(env.store.read_bytes(3)) > 0

    # forgetting it: the next file is asked again
    at = upload(at, office_file(extra_rows("XCN", 1, date(2024, 12, 5))), "lan3.xlsx")
    button(at, "Quên cách ghép cột đã lưu").click().run()
    assert not at.exception
    assert env.store.column_mapping("XCN") is None
    assert selectboxes(at)["Ngày (bắt buộc)"] == "Ngày đăng"
    entries = [e for e in env.store.audit() if e.get("kind") == "column_mapping"]
    assert [e["removed"] for e in entries] == [False, True]


def test_a_file_with_the_formats_headers_ignores_the_saved_mapping(env, books) -> None:
    publish_base(env, books)
    env.store.save_column_mapping("XCN", EXPECTED, Account("camnhuong", "unit", "XCN"))
    at = upload(page(UPLOAD, "camnhuong"), books.unit_own, "theo_mau.xlsx")
    assert not any("Đã dùng cách ghép cột" in t for t in texts(at, "info"))
    assert [b for b in at.button if b.label == "Xác nhận cập nhật"]


def test_form_refuses_one_column_for_two_fields(env, books) -> None:
    publish_base(env, books)
    at = upload(page(UPLOAD, "camnhuong"), office_file(extra_rows("XCN", 2)), "so.xlsx")
    [title] = [s for s in at.main.selectbox if s.label == "Tiêu đề"]
    title.select("Ngày đăng")
    button(at, "Xem thử cách đọc").click().run()
    assert not at.exception
    assert any("được chọn cho nhiều cột của mẫu" in t for t in texts(at, "error"))
    assert not [b for b in at.button if b.label == "Xác nhận cập nhật"]


def test_admin_replaces_the_whole_book_read_through_a_mapping(env, books) -> None:
    """The stored version carries the format's headers (read without any mapping to the same figures);
    the mapping is kept for the whole workbook."""
    publish_base(env, books)
    rows = sample_spec().activities
    at = upload(page(UPLOAD, "quantri"), office_file(rows), "ca_so.xlsx")
    assert selectboxes(at)["Ngày (bắt buộc)"] == "Ngày đăng"
    button(at, "Xem thử cách đọc").click().run()
    assert not at.exception
    assert any("Tệp được lưu với tiêu đề cột theo mẫu" in t for t in texts(at, "info"))
    assert not texts(at, "error")
    button(at, "Xác nhận cập nhật").click().run()
    assert not at.exception
    current = env.store.current()
    assert current.number == 2 and current.kind == "replace"
    stored = read_workbook(env.store.read_bytes(2))
    assert stored.ok, stored.problems
    expected = read_workbook(books.base).workbook.activities
    got = stored.workbook.activities
    assert len(got) == len(rows)
    pd.testing.assert_frame_equal(
        got.drop(columns="row").reset_index(drop=True), expected.drop(columns="row").reset_index(drop=True)
    )
    saved = env.store.column_mapping(WHOLE_BOOK)["Hoạt động"]
    assert {h: saved[h] for h in OFFICE.values()} == {
        "Ngày đăng": "date",
        "Đơn vị thực hiện": "unit_code",
        "Hình thức": "type_code",
        "SL": "quantity",
    }
    assert env.store.column_mapping("XCN") is None
