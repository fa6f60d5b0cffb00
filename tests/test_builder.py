"""Tests for cchc_lib.sample.builder and cchc_lib.sample.sample_data: read the written bytes back with openpyxl."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from cchc_lib.reading.workbook import read_workbook
from cchc_lib.sample.builder import (
    DEFAULT_ACTIVITY_TYPES,
    Layout,
    WorkbookSpec,
    build_xlsx,
    header_row,
    write_xlsx,
)
from cchc_lib.sample.sample_data import DEFAULT_OUT, big_spec, sample_spec

UNITS = [
    {"Mã đơn vị": "PNV", "Tên đơn vị": "Phòng Nội vụ", "Loại đơn vị": "Phòng chuyên môn"},
    {
        "Mã đơn vị": "XCB",
        "Tên đơn vị": "UBND xã Cẩm Bình",
        "Loại đơn vị": "UBND xã, thị trấn",
        "Hiệu lực từ": date(2024, 1, 1),
    },
]
ACTIVITIES = [
    {
        "Ngày": date(2024, 3, 5),
        "Mã đơn vị": "PNV",
        "Loại hoạt động": "TIN_BAI",
        "Số lượng": 2,
        "Tiêu đề": "Tin một",
    },
    {"Ngày": date(2024, 3, 6), "Mã đơn vị": "XCB", "Loại hoạt động": "PHONG_SU", "Số lượng": 1},
    {"Ngày": date(2024, 3, 7), "Mã đơn vị": "PNV", "Loại hoạt động": "TIN_BAI", "Số lượng": 4},
    {"Ngày": date(2024, 3, 8), "Mã đơn vị": "XCB", "Loại hoạt động": "TIN_BAI", "Tiêu đề": "=1+1"},
    {"Ngày": date(2024, 3, 9), "Mã đơn vị": "XCB", "Loại hoạt động": "TIN_BAI", "Số lượng": 3},
]
WIDE_TARGETS = [
    {"Năm": 2024, "Quý": None, "Mã đơn vị": "PNV", "TIN_BAI": 12, "PHONG_SU": 2},
    {"Năm": 2024, "Quý": 1, "Mã đơn vị": "XCB", "TIN_BAI": 3},
]
SHEETS = ["Đơn vị", "Loại hoạt động", "Kế hoạch", "Hoạt động"]


def small_spec(**changes: object) -> WorkbookSpec:
    values: dict[str, object] = {
        "units": UNITS,
        "targets": WIDE_TARGETS,
        "activities": ACTIVITIES,
        "activity_types": DEFAULT_ACTIVITY_TYPES,
        "agency": "UBND huyện Cẩm Xuyên",
    }
    values.update(changes)
    return WorkbookSpec(**values)  # type: ignore[arg-type]


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def rows(ws: object) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))  # type: ignore[attr-defined]


# --- clean layout -----------------------------------------------------------------------------


def test_clean_layout_sheets_headers_and_values() -> None:
    wb = load(build_xlsx(small_spec()))
    assert wb.sheetnames == SHEETS
    units = rows(wb["Đơn vị"])
    assert units[0] == ("Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Hiệu lực từ")
    assert units[2] == ("XCB", "UBND xã Cẩm Bình", "UBND xã, thị trấn", datetime(2024, 1, 1))
    assert wb["Đơn vị"]["D3"].number_format == "DD/MM/YYYY"
    assert rows(wb["Kế hoạch"]) == [
        ("Năm", "Quý", "Mã đơn vị", "TIN_BAI", "PHONG_SU"),
        (2024, None, "PNV", 12, 2),
        (2024, 1, "XCB", 3, None),
    ]
    activities = rows(wb["Hoạt động"])
    assert activities[0] == ("Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng", "Tiêu đề")
    assert activities[1] == (datetime(2024, 3, 5), "PNV", "TIN_BAI", 2, "Tin một")
    assert len(activities) == 6
    assert header_row(Layout()) == 1


def test_formula_like_text_stays_text() -> None:
    ws = load(build_xlsx(small_spec()))["Hoạt động"]
    assert ws["E5"].value == "=1+1"
    assert ws["E5"].data_type == "s"


def test_optional_sheets_only_when_given() -> None:
    spec = small_spec(
        activity_types=None,
        funding=[{"Năm": 2024, "Mã đơn vị": "PNV", "Dự toán": 10_000_000, "Đã chi": 2_500_000}],
    )
    wb = load(build_xlsx(spec))
    assert wb.sheetnames == ["Đơn vị", "Kế hoạch", "Hoạt động", "Kinh phí"]
    assert rows(wb["Kinh phí"]) == [
        ("Năm", "Mã đơn vị", "Dự toán", "Đã chi"),
        (2024, "PNV", 10_000_000, 2_500_000),
    ]


def test_long_targets_pivot_to_wide_in_catalogue_order() -> None:
    long_targets = [
        {"Năm": 2024, "Quý": None, "Mã đơn vị": "PNV", "Loại hoạt động": "PHONG_SU", "Chỉ tiêu": 2},
        {"Năm": 2024, "Quý": None, "Mã đơn vị": "PNV", "Loại hoạt động": "TIN_BAI", "Chỉ tiêu": 12},
        {"Năm": 2024, "Quý": 1, "Mã đơn vị": "XCB", "Loại hoạt động": "TIN_BAI", "Chỉ tiêu": 3},
    ]
    wb = load(build_xlsx(small_spec(targets=long_targets)))
    assert rows(wb["Kế hoạch"]) == [
        ("Năm", "Quý", "Mã đơn vị", "TIN_BAI", "PHONG_SU"),
        (2024, None, "PNV", 12, 2),
        (2024, 1, "XCB", 3, None),
    ]


# --- messy layouts ----------------------------------------------------------------------------


def test_title_block_moves_header_to_row_6() -> None:
    wb = load(build_xlsx(small_spec(), layout=Layout(title_block=True)))
    ws = wb["Hoạt động"]
    assert header_row(Layout(title_block=True)) == 6
    assert ws["A1"].value == "UBND HUYỆN CẨM XUYÊN"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in [c.value for c in ws[1]]
    assert "Độc lập - Tự do - Hạnh phúc" in [c.value for c in ws[2]]
    assert ws["A4"].value == "TỔNG HỢP KẾT QUẢ THÔNG TIN, TUYÊN TRUYỀN CẢI CÁCH HÀNH CHÍNH"
    assert "A4:E4" in {str(r) for r in ws.merged_cells.ranges}  # 5 columns in this sheet
    assert [c.value for c in ws[6]] == ["Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng", "Tiêu đề"]
    assert ws["B7"].value == "PNV"


def test_stt_total_row_and_extra_column() -> None:
    layout = Layout(stt=True, total_row=True, extra_column=True)
    wb = load(build_xlsx(small_spec(), layout=layout))
    activities = rows(wb["Hoạt động"])
    assert activities[0] == (
        "STT",
        "Ngày",
        "Mã đơn vị",
        "Loại hoạt động",
        "Số lượng",
        "Tiêu đề",
        "Người nhập",
    )
    assert [r[0] for r in activities[1:6]] == [1, 2, 3, 4, 5]
    # quantities 2 + 1 + 4 + (blank = not summed) + 3
    assert activities[6][:5] == ("Tổng cộng", None, None, None, 10)
    plan = rows(wb["Kế hoạch"])
    assert plan[-1] == ("Tổng cộng", None, None, None, 15, 2)
    assert rows(wb["Đơn vị"])[0][-1] == "Người nhập"
    assert rows(wb["Loại hoạt động"])[-1][0] == 3  # no total row under the catalogue


@pytest.mark.parametrize(
    ("variant", "sheet", "header"),
    [
        ("ascii", "Hoat dong", "Ma don vi"),
        ("upper", "HOẠT ĐỘNG", "MÃ ĐƠN VỊ"),
        ("spaces", "Hoạt  động ", "Mã  đơn  vị "),
        ("mixed", "HOAT DONG", "MÃ ĐƠN VỊ"),  # mixed: column 1 upper (0 ascii, 1 upper, 2 spaces)
    ],
)
def test_header_variants(variant: str, sheet: str, header: str) -> None:
    wb = load(build_xlsx(small_spec(), layout=Layout(header_variants=variant)))
    assert sheet in wb.sheetnames
    assert wb[sheet]["B1"].value == header


def test_mixed_header_variants_cycle() -> None:
    ws = load(build_xlsx(small_spec(), layout=Layout(header_variants="mixed")))["HOAT DONG"]
    # column i gets variant i % 3: ascii, upper, spaces
    assert [c.value for c in ws[1]] == ["Ngay", "MÃ ĐƠN VỊ", "Loại  hoạt  động ", "So luong", "TIÊU ĐỀ"]


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("date", [datetime(2024, 3, 5), datetime(2024, 3, 6), datetime(2024, 3, 7)]),
        ("text", ["05/03/2024", "06/03/2024", "07/03/2024"]),
        # 1 Jan 2024 is serial 45292; 5 March = 45292 + 31 + 29 + 4.
        ("serial", [45356, 45357, 45358]),
        ("mixed", [datetime(2024, 3, 5), "06/03/2024", 45358]),
    ],
)
def test_dates_as(mode: str, expected: list) -> None:
    ws = load(build_xlsx(small_spec(), layout=Layout(dates_as=mode)))["Hoạt động"]
    assert [ws[f"A{r}"].value for r in (2, 3, 4)] == expected


def test_nfd_text() -> None:
    ws = load(build_xlsx(small_spec(), layout=Layout(nfd_text=True)))["Đơn vị"]
    name = ws["B2"].value
    assert name == unicodedata.normalize("NFD", "Phòng Nội vụ")
    assert name != "Phòng Nội vụ"
    assert len(name) == len("Phòng Nội vụ") + 4  # ò +1 (grave), ộ +2 (circumflex, dot below), ụ +1
    assert ws["A2"].value == "PNV"


def test_nbsp_and_lower_codes() -> None:
    wb = load(build_xlsx(small_spec(), layout=Layout(nbsp=True, lower_codes=True)))
    units = rows(wb["Đơn vị"])
    assert units[1][0] == "PNV\u00a0"
    assert units[1][1] == "Phòng Nội vụ\u00a0"
    assert units[2][0] == " XCB  "
    assert units[2][1] == " UBND\u00a0xã Cẩm Bình  "
    activities = rows(wb["Hoạt động"])
    assert activities[1][1] == "pnv\u00a0"
    assert activities[2][1] == " xcb  "
    assert rows(wb["Kế hoạch"])[1][2] == "pnv\u00a0"


def test_blank_rows_inside_tables() -> None:
    ws = load(build_xlsx(small_spec(), layout=Layout(blank_rows=True, blank_every=2)))["Hoạt động"]
    codes = [ws[f"B{r}"].value for r in range(2, 9)]
    assert codes == ["PNV", "XCB", None, "PNV", "XCB", None, "XCB"]


def test_numbers_as_text_only_in_count_columns() -> None:
    wb = load(build_xlsx(small_spec(), layout=Layout(numbers_as_text=True)))
    assert rows(wb["Hoạt động"])[1][3] == " 2 "
    assert rows(wb["Kế hoạch"])[1] == (2024, None, "PNV", " 12 ", " 2 ")


def test_layout_rejects_unknown_modes() -> None:
    with pytest.raises(ValueError):
        Layout(dates_as="american")
    with pytest.raises(ValueError):
        Layout(header_variants="shouting")


# --- determinism ------------------------------------------------------------------------------


def test_same_input_same_bytes_and_fixed_timestamps(tmp_path) -> None:
    layout = Layout(title_block=True, stt=True, dates_as="mixed", nbsp=True)
    first = build_xlsx(small_spec(), layout=layout)
    assert build_xlsx(small_spec(), layout=layout) == first
    path = write_xlsx(small_spec(), tmp_path / "sub" / "x.xlsx", layout=layout)
    assert path.read_bytes() == first
    props = load(first).properties
    assert props.created == datetime(2024, 1, 1)
    assert props.modified == datetime(2024, 1, 1)
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2024, 1, 1, 0, 0, 0)}


def _cell_values(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    book = load(data)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_committed_sample_matches_builder() -> None:
    # Cell for cell, not byte for byte: openpyxl's XML differs with and without lxml installed.
    assert _cell_values(DEFAULT_OUT.read_bytes()) == _cell_values(build_xlsx(sample_spec())), (
        "data/cam_xuyen_2024.xlsx is stale: run python -m cchc_lib.sample.sample_data"
    )


# --- the sample -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> WorkbookSpec:
    return sample_spec()


def test_sample_sheets(sample: WorkbookSpec) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(build_xlsx(sample)), read_only=True)
    assert wb.sheetnames == [*SHEETS, "Rà soát Trang TTĐT", "Kinh phí", "Sáng kiến", "Chỉ đạo, điều hành"]


def test_sample_units(sample: WorkbookSpec) -> None:
    names = [u["Tên đơn vị"] for u in sample.units]
    codes = [u["Mã đơn vị"] for u in sample.units]
    assert len(codes) == len(set(codes)) == 47
    assert all(c == c.upper() and " " not in c for c in codes)
    by_type: dict[str, int] = {}
    for unit in sample.units:
        by_type[unit["Loại đơn vị"]] = by_type.get(unit["Loại đơn vị"], 0) + 1
    assert by_type == {
        "Phòng chuyên môn": 12,
        "Đơn vị sự nghiệp": 5,
        "Cơ quan ngành dọc": 6,
        "UBND xã, thị trấn": 24,
    }
    assert [n for n in names if n.startswith("UBND thị trấn")] == [
        "UBND thị trấn Cẩm Xuyên",
        "UBND thị trấn Thiên Cầm",
    ]
    communes = [u for u in sample.units if u["Tên đơn vị"].startswith("UBND xã")]
    old = [u for u in communes if u["Tên đơn vị"].startswith("UBND xã Cẩm")]
    assert len(old) == 21
    for name in ("Cẩm Bình", "Cẩm Duệ", "Cẩm Nhượng", "Cẩm Thịnh", "Cẩm Vịnh", "Cẩm Mỹ"):
        assert f"UBND xã {name}" in names
    merged = [u for u in communes if u not in old]
    assert [(u["Mã đơn vị"], u.get("Hiệu lực từ"), u.get("Hiệu lực đến")) for u in merged] == [
        ("XQT", date(2024, 7, 1), None)
    ]
    ended = {u["Mã đơn vị"]: u["Hiệu lực đến"] for u in sample.units if u.get("Hiệu lực đến")}
    assert ended == {"XCQN": date(2024, 6, 30), "XCTC": date(2024, 6, 30)}
    merged_into = {u["Mã đơn vị"]: u["Sáp nhập vào"] for u in sample.units if u.get("Sáp nhập vào")}
    assert merged_into == {"XCQN": "XQT", "XCTC": "XQT"}
    assert all(u["Trang TTĐT"].startswith("https://") for u in sample.units if u["Trang TTĐT"])
    assert "Phòng Văn hóa và Thông tin" in names and "Thanh tra huyện" in names


def test_sample_activity_types(sample: WorkbookSpec) -> None:
    assert sample.activity_types is not None
    assert sample.activity_types[:3] == DEFAULT_ACTIVITY_TYPES
    assert [t["Mã loại"] for t in sample.activity_types[3:]] == ["PHAT_THANH", "HOI_NGHI"]


def test_sample_targets_have_both_forms(sample: WorkbookSpec) -> None:
    t2024 = [t for t in sample.targets if t["Năm"] == 2024]
    yearly = {t["Mã đơn vị"] for t in t2024 if t["Quý"] is None}
    quarterly = [t for t in t2024 if t["Quý"] is not None]
    assert len(yearly) > 30
    assert {t["Mã đơn vị"] for t in quarterly} >= {"XCQN", "XCTC", "XQT"}
    # merged-away communes plan only for Q1-Q2, the new commune only for Q3-Q4
    assert sorted(t["Quý"] for t in quarterly if t["Mã đơn vị"] == "XCQN") == [1, 2]
    assert sorted(t["Quý"] for t in quarterly if t["Mã đơn vị"] == "XQT") == [3, 4]
    assert {t["Năm"] for t in sample.targets} == {2023, 2024}


def test_sample_activities_story(sample: WorkbookSpec) -> None:
    acts = sample.activities
    in_2024 = [a for a in acts if a["Ngày"].year == 2024]
    assert 1500 <= len(in_2024) <= 2500
    assert any(date(2023, 12, 15) <= a["Ngày"] <= date(2023, 12, 31) for a in acts)
    assert any(date(2024, 12, 15) <= a["Ngày"] <= date(2024, 12, 31) for a in acts)
    assert any(a["Ngày"].year == 2023 and a["Ngày"].month == 6 for a in acts)
    active = {a["Mã đơn vị"] for a in in_2024}
    assert {"BQLCT", "CCTK", "XCTG"}.isdisjoint(active)
    planned = {t["Mã đơn vị"] for t in sample.targets if t["Năm"] == 2024}
    assert {"BQLCT", "CCTK", "XCTG"} <= planned
    # units act only while they exist
    assert all(a["Ngày"] < date(2024, 7, 1) for a in acts if a["Mã đơn vị"] in ("XCQN", "XCTC"))
    assert all(a["Ngày"] >= date(2024, 7, 1) for a in acts if a["Mã đơn vị"] == "XQT")
    feb = sum(1 for a in in_2024 if a["Ngày"].month == 2)
    jun = sum(1 for a in in_2024 if a["Ngày"].month == 6)
    assert feb * 3 < jun  # quiet around Tết, busy before mid-year
    assert any(a["Số lượng"] > 1 for a in acts if a["Loại hoạt động"] == "PHAT_THANH")
    assert acts == sorted(acts, key=lambda a: a["Ngày"])


def test_sample_optional_sheets(sample: WorkbookSpec) -> None:
    assert sample.initiatives is not None and 8 <= len(sample.initiatives) <= 15
    assert {i["Tình trạng"] for i in sample.initiatives} == {"Đề xuất", "Đang áp dụng", "Đã nhân rộng"}
    assert sample.funding is not None and all(f["Dự toán"] >= 0 for f in sample.funding)
    assert all(f["Đã chi"] is None or f["Đã chi"] <= f["Dự toán"] for f in sample.funding)
    assert sample.portal_reviews is not None
    assert all(0 <= r["Điểm"] <= 100 for r in sample.portal_reviews)
    assert {r["Có chuyên mục CCHC"] for r in sample.portal_reviews} == {"Có", "Không"}
    assert sample.channel_groups is None  # the sample uses the default channel groups


def test_sample_directives_spread_over_the_quarters(sample: WorkbookSpec) -> None:
    docs = sample.directives
    assert docs is not None and 8 <= len(docs) <= 10
    assert all(d["Ngày ban hành"].year == 2024 for d in docs)
    assert {(d["Ngày ban hành"].month - 1) // 3 + 1 for d in docs} == {1, 2, 3, 4}
    first = docs[0]
    assert (first["Số, ký hiệu"], first["Loại văn bản"]) == ("15/KH-UBND", "Kế hoạch")
    assert first["Cơ quan ban hành"] == "UBND huyện Cẩm Xuyên"
    assert {d["Loại văn bản"] for d in docs} >= {"Kế hoạch", "Công văn", "Thông báo"}
    assert "Phòng Nội vụ" in {d["Cơ quan ban hành"] for d in docs}


def test_sample_provincial_portal_posts(sample: WorkbookSpec) -> None:
    """Every 4th Bài đăng of a district-level unit (in sheet order) is on the provincial portal."""
    communes = {u["Mã đơn vị"] for u in sample.units if u["Loại đơn vị"] == "UBND xã, thị trấn"}
    posts = [
        a
        for a in sample.activities
        if a["Loại hoạt động"] == "BAI_DANG_TTDT" and a["Mã đơn vị"] not in communes
    ]
    province = [a for a in posts if a["Kênh đăng tải"] == "Cổng TTĐT tỉnh"]
    assert province == posts[3::4]
    assert all(
        a["Đường dẫn"] is None or a["Đường dẫn"].startswith("https://hatinh.gov.vn/") for a in province
    )
    assert all(a["Kênh đăng tải"] == "Trang TTĐT huyện" for a in posts if a not in province)


def test_big_spec_is_deterministic_and_respects_validity() -> None:
    spec = big_spec(3000, seed=1)
    assert len(spec.activities) == 3000
    assert big_spec(3000, seed=1).activities == spec.activities
    assert big_spec(3000, seed=2).activities != spec.activities
    assert all(a["Ngày"].year == 2024 for a in spec.activities)
    assert all(a["Ngày"] < date(2024, 7, 1) for a in spec.activities if a["Mã đơn vị"] in ("XCQN", "XCTC"))
    assert all(a["Ngày"] >= date(2024, 7, 1) for a in spec.activities if a["Mã đơn vị"] == "XQT")
    assert [u["Mã đơn vị"] for u in spec.units] == [u["Mã đơn vị"] for u in sample_spec().units]


# --- the lead's reader ------------------------------------------------------------------------


def test_sample_reads_without_problems() -> None:
    result = read_workbook(DEFAULT_OUT.read_bytes())
    assert result.ok
    assert len(result.problems) == 0
    wb = result.workbook
    assert len(wb.units) == 47
    assert len(wb.activity_types) == 5
    assert len(wb.activities) == len(sample_spec().activities)


def test_messiest_layout_reads_without_errors() -> None:
    layout = Layout(
        title_block=True,
        stt=True,
        total_row=True,
        extra_column=True,
        header_variants="mixed",
        dates_as="mixed",
        nfd_text=True,
        nbsp=True,
        lower_codes=True,
        blank_rows=True,
        numbers_as_text=True,
    )
    result = read_workbook(build_xlsx(small_spec(), layout=layout))
    assert result.ok, result.errors.to_string()
    acts = result.workbook.activities
    assert list(acts["unit_code"]) == ["PNV", "XCB", "PNV", "XCB", "XCB"]
    assert list(acts["quantity"]) == [2, 1, 4, 1, 3]
    assert [d.date() for d in acts["date"]] == [date(2024, 3, d) for d in (5, 6, 7, 8, 9)]
