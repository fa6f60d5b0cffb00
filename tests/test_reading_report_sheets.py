"""Reading what the periodic report needs beyond format v1: the `Sáp nhập vào` successor column of
`Đơn vị` and the `Chỉ đạo, điều hành` sheet (real .xlsx files written with openpyxl)."""

from __future__ import annotations

import unicodedata
from datetime import date

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from cchc_lib.figures import metrics
from cchc_lib.reading.model import DIRECTIVE_COLUMNS, UNIT_COLUMNS
from cchc_lib.reading.workbook import read_workbook
from tests.xlsx import make_xlsx

HEAD = ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Hiệu lực từ", "Hiệu lực đến", "Sáp nhập vào"]
XA = "UBND xã, thị trấn"
# Excel rows 2..5: two communes merged into a third on 01/07/2024, and a department.
MERGER = [
    ["XA", "UBND xã Cẩm Quan", XA, None, date(2024, 6, 30), "XQT"],
    ["XB", "UBND xã Cẩm Thạch", XA, None, "30/06/2024", "UBND xã Quan Thạch"],  # by exact name
    ["XQT", "UBND xã Quan Thạch", XA, date(2024, 7, 1), None, None],
    ["PNV", "Phòng Nội vụ", "Phòng chuyên môn", None, None, None],
]
TARGETS = [["Năm", "Quý", "Mã đơn vị", "TIN_BAI"], [2024, None, "PNV", 10]]
ACTS = [["Ngày", "Mã đơn vị", "Loại hoạt động"], [date(2024, 3, 1), "PNV", "TIN_BAI"]]


def book(
    units: list[list[object]], head: list[str] = HEAD, extra: dict[str, list[list[object]]] | None = None
) -> bytes:
    return make_xlsx({"Đơn vị": [head, *units], "Kế hoạch": TARGETS, "Hoạt động": ACTS, **(extra or {})})


def problems_of(data: bytes) -> list[list[object]]:
    problems = read_workbook(data).problems
    return [
        [p.level, p.code, p.sheet, None if pd.isna(p.row) else int(p.row), p.column]
        for p in problems.itertuples()
    ]


# --- the successor column -----------------------------------------------------------------------


def test_successor_by_code_or_exact_name_reads_without_problems() -> None:
    result = read_workbook(book(MERGER))
    assert result.ok and result.problems.empty, result.problems
    units = result.workbook.units
    assert list(units.columns) == UNIT_COLUMNS
    assert units["successor_code"].tolist()[:2] == ["XQT", "XQT"]
    assert units["successor_code"].iloc[2:].isna().all()
    # blank is missing, never the text 'nan' or 'None'
    assert not units["successor_code"].astype("object").isin(["nan", "None", ""]).any()


@pytest.mark.parametrize("header", ["Đơn vị sáp nhập vào", "MÃ ĐƠN VỊ SÁP NHẬP", "Sap nhap vao"])
def test_successor_header_aliases(header: str) -> None:
    result = read_workbook(book(MERGER, [*HEAD[:5], header]))
    assert result.ok and result.problems.empty, result.problems
    assert result.workbook.units["successor_code"].tolist()[:2] == ["XQT", "XQT"]


def test_unknown_successor_is_an_error_suggesting_the_closest_unit() -> None:
    units = [[*MERGER[0][:5], "XQTT"], *MERGER[1:]]
    result = read_workbook(book(units))
    assert not result.ok
    assert problems_of(book(units)) == [["error", "unknown_successor", "Đơn vị", 2, "Sáp nhập vào"]]
    assert result.errors["message"].iloc[0] == (
        "Đơn vị sáp nhập vào 'XQTT' không có trong danh sách đơn vị. Có phải là 'XQT'?"
    )


def test_successor_column_is_named_as_written() -> None:
    units = [[*MERGER[0][:5], "XQTT"], *MERGER[1:]]
    data = book(units, [*HEAD[:5], "Mã đơn vị sáp nhập"])
    assert problems_of(data) == [["error", "unknown_successor", "Đơn vị", 2, "Mã đơn vị sáp nhập"]]


def test_a_unit_cannot_merge_into_itself() -> None:
    units = [[*MERGER[0][:5], "xa"], *MERGER[1:]]
    assert problems_of(book(units)) == [["error", "self_successor", "Đơn vị", 2, "Sáp nhập vào"]]
    assert "không thể sáp nhập vào chính nó" in read_workbook(book(units)).errors["message"].iloc[0]


def test_cycles_are_errors_on_every_unit_of_the_cycle() -> None:
    units = [
        ["XA", "Xã A", XA, None, date(2024, 6, 30), "XB"],  # row 2
        ["XB", "Xã B", XA, date(2024, 7, 1), date(2024, 9, 30), "XC"],  # row 3
        ["XC", "Xã C", XA, date(2024, 10, 1), date(2024, 12, 31), "XA"],  # row 4: back to XA
        ["XD", "Xã D", XA, None, date(2024, 6, 30), "XA"],  # row 5: into the cycle, not in it
        ["PNV", "Phòng Nội vụ", "Phòng chuyên môn", None, None, None],
    ]
    found = problems_of(book(units))
    errors = [p for p in found if p[0] == "error"]
    assert errors == [
        ["error", "successor_cycle", "Đơn vị", 2, "Sáp nhập vào"],
        ["error", "successor_cycle", "Đơn vị", 3, "Sáp nhập vào"],
        ["error", "successor_cycle", "Đơn vị", 4, "Sáp nhập vào"],
    ]
    message = read_workbook(book(units)).errors["message"].iloc[0]
    assert "XA → XB → XC → XA" in message


def test_two_units_merging_into_each_other_is_a_cycle() -> None:
    units = [
        ["XA", "Xã A", XA, None, date(2024, 6, 30), "XB"],
        ["XB", "Xã B", XA, None, date(2024, 6, 30), "XA"],
        ["PNV", "Phòng Nội vụ", "Phòng chuyên môn", None, None, None],
    ]
    assert [p[1:4] for p in problems_of(book(units)) if p[0] == "error"] == [
        ["successor_cycle", "Đơn vị", 2],
        ["successor_cycle", "Đơn vị", 3],
    ]


def test_ambiguous_successor_name() -> None:
    units = [
        ["XA", "Xã A", XA, None, date(2024, 6, 30), "UBND xã Mới"],
        ["XM1", "UBND xã Mới", XA, date(2024, 7, 1), None, None],
        ["XM2", "UBND xã Mới", XA, date(2024, 7, 1), None, None],
        MERGER[3],
    ]
    found = problems_of(book(units))
    assert found == [["error", "ambiguous_successor", "Đơn vị", 2, "Sáp nhập vào"]]


def test_successor_without_end_date_is_a_warning_on_the_end_date_column() -> None:
    units = [["XA", "UBND xã Cẩm Quan", XA, None, None, "XQT"], *MERGER[1:]]
    result = read_workbook(book(units))
    assert result.ok
    assert problems_of(book(units)) == [["warning", "successor_without_end", "Đơn vị", 2, "Hiệu lực đến"]]
    assert (
        result.warnings["message"]
        .iloc[0]
        .startswith("Đơn vị 'XA' đã sáp nhập vào 'XQT' nhưng chưa ghi 'Hiệu lực đến'.")
    )


def test_successor_must_start_the_day_after_the_predecessor_ends() -> None:
    units = [*MERGER[:2], ["XQT", "UBND xã Quan Thạch", XA, "05/07/2024", None, None], MERGER[3]]
    result = read_workbook(book(units))
    assert result.ok
    assert problems_of(book(units)) == [
        ["warning", "successor_gap", "Đơn vị", 2, "Sáp nhập vào"],
        ["warning", "successor_gap", "Đơn vị", 3, "Sáp nhập vào"],
    ]
    assert result.warnings["message"].iloc[0] == (
        "Đơn vị 'XA' hết hiệu lực ngày 30/06/2024 nhưng đơn vị sáp nhập vào 'XQT' có hiệu lực từ "
        "05/07/2024; thường đơn vị mới có hiệu lực từ 01/07/2024, ngay sau ngày đó. "
        "Hãy kiểm tra lại hai ngày này."
    )


def test_successor_without_start_date_is_a_warning() -> None:
    units = [MERGER[0], ["XQT", "UBND xã Quan Thạch", XA, None, None, None], MERGER[3]]
    assert problems_of(book(units)) == [["warning", "successor_gap", "Đơn vị", 2, "Sáp nhập vào"]]
    assert "'XQT' chưa ghi 'Hiệu lực từ'" in read_workbook(book(units)).warnings["message"].iloc[0]


V1_UNITS = [
    ["PNV", "Phòng Nội vụ", "Phòng chuyên môn", None, None],
    ["XCB", "UBND xã Cẩm Bình", XA, None, "30/06/2024"],
]


def test_a_v1_workbook_without_the_new_parts_reads_as_before() -> None:
    result = read_workbook(book(V1_UNITS, HEAD[:5]))
    assert result.ok and result.problems.empty
    wb = result.workbook
    expected = pd.DataFrame(
        {
            "unit_code": ["PNV", "XCB"],
            "unit_name": ["Phòng Nội vụ", "UBND xã Cẩm Bình"],
            "unit_type": ["Phòng chuyên môn", XA],
            "portal_url": [np.nan, np.nan],
            "contact": [np.nan, np.nan],
            "phone": [np.nan, np.nan],  # the optional contact columns, blank without them
            "email": [np.nan, np.nan],
            "valid_from": pd.to_datetime([pd.NaT, pd.NaT]).astype("datetime64[ns]"),
            "valid_to": pd.to_datetime([pd.NaT, "2024-06-30"]).astype("datetime64[ns]"),
            "successor_code": [np.nan, np.nan],
        }
    ).astype({c: "str" for c in ["unit_code", "unit_name", "unit_type", "portal_url", "contact", "phone", "email"]})
    expected["successor_code"] = expected["successor_code"].astype("str")
    assert_frame_equal(wb.units, expected)
    assert wb.channel_groups is None and wb.directives is None
    assert wb.targets.values.tolist() == [[2024, pd.NA, "PNV", "TIN_BAI", 10]]
    assert wb.activities[["unit_code", "type_code", "quantity", "row"]].values.tolist() == [
        ["PNV", "TIN_BAI", 1, 2]
    ]
    # the same file with an empty successor column reads to the same tables
    with_blank = read_workbook(book([[*u, None] for u in V1_UNITS])).workbook
    assert_frame_equal(with_blank.units, wb.units)
    assert_frame_equal(with_blank.activities, wb.activities)


# --- the directive sheet --------------------------------------------------------------------------

DIRECTIVES = [
    ["ỦY BAN NHÂN DÂN HUYỆN CẨM XUYÊN"],  # a title block above the header
    [],
    ["STT", "Số, ký hiệu", "Ngày ban hành", "Cơ quan ban hành", "Trích yếu", "Loại văn bản"],
    [1, "15/KH-UBND", "05/03/2024", "UBND huyện", "Kế hoạch tuyên truyền CCHC năm 2024", "Kế hoạch"],
    [2, "52/NV", date(2024, 6, 3), "Phòng Nội vụ", "Đôn đốc báo cáo 6 tháng", None],
    [3, "86/TB-UBND", "2024-08-22", None, unicodedata.normalize("NFD", "Kết luận kiểm tra"), "Thông báo"],
]


def test_directive_sheet_reads_day_first_text_dates() -> None:
    result = read_workbook(book(MERGER, extra={"Chỉ đạo, điều hành": DIRECTIVES}))
    assert result.ok and result.problems.empty, result.problems
    docs = result.workbook.directives
    assert list(docs.columns) == DIRECTIVE_COLUMNS
    assert docs["issued_date"].dtype == "datetime64[ns]"
    assert docs["issued_date"].tolist() == [
        pd.Timestamp(2024, 3, 5),  # 05/03/2024 is 5 March
        pd.Timestamp(2024, 6, 3),
        pd.Timestamp(2024, 8, 22),
    ]
    assert docs["number"].tolist() == ["15/KH-UBND", "52/NV", "86/TB-UBND"]
    assert docs["summary"].tolist()[2] == "Kết luận kiểm tra"  # NFC
    assert docs["issuer"].tolist()[:2] == ["UBND huyện", "Phòng Nội vụ"] and pd.isna(docs["issuer"].iloc[2])
    assert docs["doc_type"].tolist()[0] == "Kế hoạch" and pd.isna(docs["doc_type"].iloc[1])


def _directive_book(rows: list[list[object]]) -> bytes:
    return book(MERGER, extra={"Chi dao, dieu hanh": rows})


def test_directive_header_aliases() -> None:
    rows = [["Số hiệu", "Ngày ban hành", "Trích yếu nội dung"], ["01/KH-UBND", "10/01/2024", "Kế hoạch năm"]]
    result = read_workbook(_directive_book(rows))
    assert result.ok, result.problems
    assert result.workbook.directives[["number", "summary"]].values.tolist() == [
        ["01/KH-UBND", "Kế hoạch năm"]
    ]
    rows = [["Số văn bản", "Ngày ban hành", "Nội dung"], ["02/UBND-NV", 45300, "Đôn đốc"]]
    docs = read_workbook(_directive_book(rows)).workbook.directives
    assert docs["issued_date"].tolist() == [pd.Timestamp(2024, 1, 9)]  # serial 45292 is 01/01/2024


def test_directive_cells_are_checked_with_their_rows() -> None:
    rows = [
        ["Số, ký hiệu", "Ngày ban hành", "Trích yếu"],
        ["01/KH-UBND", "31/02/2024", "Kế hoạch năm"],  # row 2: no such day
        ["02/UBND-NV", "tháng 3", "Đôn đốc"],  # row 3: not a date
        [None, "10/01/2024", "Không có số"],  # row 4: number missing
        ["03/TB-UBND", "10/01/2024", None],  # row 5: summary missing
    ]
    data = _directive_book(rows)
    assert problems_of(data) == [  # column by column
        ["error", "missing_value", "Chi dao, dieu hanh", 4, "Số, ký hiệu"],
        ["error", "bad_date", "Chi dao, dieu hanh", 2, "Ngày ban hành"],
        ["error", "bad_date", "Chi dao, dieu hanh", 3, "Ngày ban hành"],
        ["error", "missing_value", "Chi dao, dieu hanh", 5, "Trích yếu"],
    ]
    messages = read_workbook(data).errors["message"].tolist()
    assert "không tồn tại" in messages[1]
    assert "dd/mm/yyyy" in messages[2]


def test_directive_sheet_missing_a_required_header() -> None:
    data = _directive_book([["Ngày ban hành", "Trích yếu"], ["10/01/2024", "Kế hoạch năm"]])
    result = read_workbook(data)
    assert problems_of(data) == [["error", "missing_header", "Chi dao, dieu hanh", None, None]]
    assert "thiếu cột bắt buộc 'Số, ký hiệu'" in result.errors["message"].iloc[0]


def test_filter_workbook_keeps_the_directives() -> None:
    wb = read_workbook(book(MERGER, extra={"Chỉ đạo, điều hành": DIRECTIVES})).workbook
    kept = metrics.filter_workbook(wb, unit_codes=["PNV"])
    assert kept.directives is wb.directives
    assert kept.units["unit_code"].tolist() == ["PNV"]


# --- the builder writes the new parts, clean or messy ----------------------------------------------


@pytest.mark.parametrize("messy", [False, True], ids=["clean", "messy"])
def test_builder_workbook_with_the_new_parts_reads_back(messy: bool) -> None:
    from cchc_lib.sample.builder import Layout, WorkbookSpec, build_xlsx

    units = [
        {"Mã đơn vị": "PNV", "Tên đơn vị": "Phòng Nội vụ", "Loại đơn vị": "Phòng chuyên môn"},
        {
            "Mã đơn vị": "XA",
            "Tên đơn vị": "UBND xã Cẩm Quan",
            "Loại đơn vị": XA,
            "Hiệu lực đến": date(2024, 6, 30),
            "Sáp nhập vào": "XQT",
        },
        {
            "Mã đơn vị": "XQT",
            "Tên đơn vị": "UBND xã Quan Thạch",
            "Loại đơn vị": XA,
            "Hiệu lực từ": date(2024, 7, 1),
        },
    ]
    acts = [
        {
            "Ngày": date(2024, 3, 1),
            "Mã đơn vị": "PNV",
            "Loại hoạt động": "TIN_BAI",
            "Kênh đăng tải": "Cổng TTĐT tỉnh",
        },
        {
            "Ngày": date(2024, 8, 1),
            "Mã đơn vị": "XQT",
            "Loại hoạt động": "TIN_BAI",
            "Kênh đăng tải": "Loa xã",
        },
    ]
    spec = WorkbookSpec(
        units,
        [{"Năm": 2024, "Quý": None, "Mã đơn vị": "PNV", "TIN_BAI": 4}],
        acts,
        channel_groups=[
            {"Mã nhóm": "CONG", "Tên nhóm kênh": "Cổng tỉnh", "Từ khóa": "cổng ttđt tỉnh"},
            {"Mã nhóm": "LOA", "Tên nhóm kênh": "Loa", "Từ khóa": "loa; đài truyền thanh"},
        ],
        directives=[
            {
                "Số, ký hiệu": "15/KH-UBND",
                "Ngày ban hành": date(2024, 3, 5),
                "Cơ quan ban hành": "UBND huyện",
                "Trích yếu": "Kế hoạch tuyên truyền CCHC năm 2024",
            }
        ],
    )
    layout = (
        Layout(title_block=True, stt=True, header_variants="mixed", dates_as="text", nfd_text=True, nbsp=True)
        if messy
        else Layout()
    )
    result = read_workbook(build_xlsx(spec, layout=layout))
    assert result.ok and result.problems.empty, result.problems
    wb = result.workbook
    assert wb.units["successor_code"].tolist()[1] == "XQT"
    assert wb.channel_groups.values.tolist() == [
        ["CONG", "Cổng tỉnh", "cong ttdt tinh"],
        ["LOA", "Loa", "loa;dai truyen thanh"],
    ]
    assert wb.directives[["number", "issued_date"]].values.tolist() == [
        ["15/KH-UBND", pd.Timestamp(2024, 3, 5)]
    ]
