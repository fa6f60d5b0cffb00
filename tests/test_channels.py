"""Channel groups: the default catalogue, free-text mapping, breakdowns, the `Nhóm kênh` sheet and
the reader's unmapped-channel warnings (real .xlsx files written with openpyxl)."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from cchc_lib.figures import metrics
from cchc_lib.reading import channels
from cchc_lib.reading.model import CHANNEL_GROUP_COLUMNS
from cchc_lib.reading.workbook import read_workbook
from tests.xlsx import make_xlsx

CONG, TRANG, BAO, PTTH, CO_SO, MXH, TRUC_TIEP, KHAC = (
    "CONG_TINH",
    "TRANG_DON_VI",
    "BAO_CHI",
    "PHAT_THANH_TRUYEN_HINH",
    "THONG_TIN_CO_SO",
    "MANG_XA_HOI",
    "TRUC_TIEP",
    "KHAC",
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_default_catalogue_order_names_and_khac_last() -> None:
    cat = channels.default_catalogue()
    assert list(cat.columns) == CHANNEL_GROUP_COLUMNS
    assert list(cat["group_code"]) == [CONG, TRANG, BAO, PTTH, CO_SO, MXH, TRUC_TIEP, KHAC]
    assert list(cat["group_name"]) == [
        "Cổng thông tin điện tử tỉnh",
        "Trang thông tin điện tử của cơ quan, đơn vị",
        "Báo chí",
        "Phát thanh, truyền hình",
        "Hệ thống thông tin cơ sở",
        "Mạng xã hội",
        "Hội nghị, tuyên truyền trực tiếp",
        "Khác",
    ]
    assert channels.OTHER_GROUP_CODE == KHAC
    assert channels.BLANK_LABEL == metrics.BLANK_LABEL == "(không ghi)"
    # keywords are stored normalised and ';'-joined
    assert cat["keywords"].iloc[0].split(";")[:2] == ["cong ttdt tinh", "cong thong tin dien tu tinh"]
    assert "pt th" in cat["keywords"].iloc[3].split(";")
    assert _default_when_none()


def _default_when_none() -> bool:
    return channels.channel_catalogue(None).equals(channels.default_catalogue())


MAPPING = [
    # the provincial portal wins over the generic TTĐT of the units' own portals
    ("Cổng TTĐT tỉnh", CONG),
    ("CỔNG TTĐT TỈNH HÀ TĨNH", CONG),
    (nfd("Cổng thông tin điện tử tỉnh Hà Tĩnh"), CONG),
    ("cong ttdt tinh", CONG),
    ("Cổng TTĐT UBND tỉnh", CONG),
    ("Trang TTĐT huyện", TRANG),
    ("Trang TTĐT xã", TRANG),
    ("trang ttdt xa", TRANG),
    ("Cổng TTĐT huyện Cẩm Xuyên", TRANG),
    ("Trang thông tin điện tử xã Cẩm Bình", TRANG),
    ("Website của Phòng Nội vụ", TRANG),
    ("Báo Hà Tĩnh", BAO),
    ("BAO HA TINH", BAO),
    ("Báo điện tử Dân trí", BAO),
    ("Tạp chí Tổ chức nhà nước", BAO),
    ("Đài PT-TH Hà Tĩnh", PTTH),
    ("Đài PTTH tỉnh", PTTH),
    ("Đài Phát thanh và Truyền hình Hà Tĩnh", PTTH),
    ("Đài TT-TH huyện", PTTH),
    ("Đài truyền thanh xã", CO_SO),
    ("Đài TT xã", CO_SO),
    (nfd("Loa phát thanh thôn"), CO_SO),
    ("Hệ thống loa truyền thanh thông minh", CO_SO),
    ("Trung tâm VH-TT huyện", CO_SO),
    ("Bảng tin khu dân cư", CO_SO),
    ("Fanpage", MXH),
    ("Zalo OA", MXH),
    ("Nhóm Zalo thôn Tân Hòa", MXH),
    ("FACEBOOK UBND XÃ", MXH),
    ("YouTube", MXH),
    ("TikTok xã Cẩm Lạc", MXH),
    ("Trực tiếp", TRUC_TIEP),
    ("truc tuyen", TRUC_TIEP),
    ("Hội nghị trực tuyến", TRUC_TIEP),
    ("Toạ đàm", TRUC_TIEP),  # the old tone placement: toạ = tọa
    ("Cuộc thi tìm hiểu CCHC", TRUC_TIEP),
    ("Pano, áp phích", KHAC),  # a keyword of Khác
    ("Email", KHAC),  # no keyword at all
    # a group's code or name equals the text
    ("Mạng xã hội", MXH),
    ("thong_tin_co_so", CO_SO),
    ("khác", KHAC),
    # blanks belong to no group
    ("", ""),
    ("\u00a0 ", ""),
]


@pytest.mark.parametrize(("text", "group"), MAPPING, ids=[repr(t) for t, _ in MAPPING])
def test_default_mapping(text: str, group: str) -> None:
    got = channels.map_channels(pd.Series([text]), channels.default_catalogue())
    assert got.tolist() == [group]


def test_map_channels_keeps_the_index_and_maps_missing_to_blank() -> None:
    values = pd.Series(["Zalo OA", None, "Báo Hà Tĩnh", "Email"], index=[10, 11, 12, 13])
    got = channels.map_channels(values, channels.default_catalogue())
    assert got.to_dict() == {10: MXH, 11: "", 12: BAO, 13: KHAC}


def test_whole_words_only() -> None:
    cat = channels.catalogue_frame([("A", "Nhóm A", "loa"), ("B", "Nhóm B", "bao")])
    got = channels.map_channels(pd.Series(["Loa xã", "Xóa bỏ", "Báo in", "Bảo hiểm"]), cat)
    # "loa" is not in "xoa"; "bao" (báo) matches "báo" but so would "bảo" (diacritics are ignored)
    assert got.tolist() == ["A", channels.OTHER_GROUP_CODE, "B", "B"]


ACTS = pd.DataFrame(
    {
        "channel": ["Cổng TTĐT tỉnh", "Trang TTĐT xã", None, "Zalo OA", "Email", "", "Tờ rơi", "EMAIL"],
        "quantity": [2, 3, 1, 4, 1, 2, 5, 2],
    }
)


def test_breakdown_lists_every_group_then_blank() -> None:
    got = channels.channel_group_breakdown(ACTS, channels.default_catalogue())
    # total 20: Cổng 2, Trang 3, MXH 4, Khác 1 + 5 + 2 = 8, (không ghi) 1 + 2 = 3
    expected = pd.DataFrame(
        {
            "group_code": [CONG, TRANG, BAO, PTTH, CO_SO, MXH, TRUC_TIEP, KHAC, ""],
            "group_name": [
                "Cổng thông tin điện tử tỉnh",
                "Trang thông tin điện tử của cơ quan, đơn vị",
                "Báo chí",
                "Phát thanh, truyền hình",
                "Hệ thống thông tin cơ sở",
                "Mạng xã hội",
                "Hội nghị, tuyên truyền trực tiếp",
                "Khác",
                "(không ghi)",
            ],
            "quantity": pd.Series([2, 3, 0, 0, 0, 4, 0, 8, 3], dtype="int64"),
            "share_pct": [10.0, 15.0, 0.0, 0.0, 0.0, 20.0, 0.0, 40.0, 15.0],
        }
    ).astype({"group_code": "str", "group_name": "str"})
    assert_frame_equal(got, expected)


def test_breakdown_without_blanks_has_no_blank_row_and_missing_quantity_is_one() -> None:
    acts = pd.DataFrame({"channel": ["Báo Hà Tĩnh", "Fanpage", "Fanpage"], "quantity": [None, 3, None]})
    got = channels.channel_group_breakdown(acts, channels.default_catalogue())
    assert got["group_code"].tolist() == [CONG, TRANG, BAO, PTTH, CO_SO, MXH, TRUC_TIEP, KHAC]
    assert got["quantity"].tolist() == [0, 0, 1, 0, 0, 4, 0, 0]
    assert got["share_pct"].tolist() == [0.0, 0.0, 20.0, 0.0, 0.0, 80.0, 0.0, 0.0]


def test_breakdown_of_no_activity_is_all_zero() -> None:
    acts = pd.DataFrame({"channel": pd.Series([], dtype="str"), "quantity": pd.Series([], dtype="int64")})
    got = channels.channel_group_breakdown(acts, channels.default_catalogue())
    assert len(got) == 8
    assert got["quantity"].sum() == 0 and got["share_pct"].tolist() == [0.0] * 8
    assert got["quantity"].dtype == "int64" and got["share_pct"].dtype == "float64"


def test_unmapped_channels_are_the_texts_no_keyword_matched() -> None:
    got = channels.unmapped_channels(ACTS, channels.default_catalogue())
    # "Tờ rơi" is a keyword of Khác: it is in the group, not unmapped
    expected = pd.DataFrame({"value": ["Email"], "quantity": [3]}).astype(
        {"value": "str", "quantity": "int64"}
    )
    assert_frame_equal(got, expected)


def test_catalogue_frame_moves_or_appends_khac() -> None:
    cat = channels.catalogue_frame([("k", "Khác", "tờ rơi"), ("web", "Trang web", "web; Website ;; ")])
    assert cat.values.tolist() == [["WEB", "Trang web", "web;website"], ["KHAC", "Khác", "to roi"]]
    cat = channels.catalogue_frame([("WEB", "Trang web", "web")])
    assert cat.values.tolist() == [["WEB", "Trang web", "web"], ["KHAC", "Khác", ""]]


# --- the `Nhóm kênh` sheet and the reader's warnings -------------------------------------------

UNITS = [["Mã đơn vị", "Tên đơn vị", "Loại đơn vị"], ["PNV", "Phòng Nội vụ", "Phòng chuyên môn"]]
TARGETS = [["Năm", "Quý", "Mã đơn vị", "TIN_BAI"], [2024, None, "PNV", 10]]


def _book(channels_column: list[object], groups: list[list[object]] | None = None) -> bytes:
    acts: list[list[object]] = [["Ngày", "Mã đơn vị", "Loại hoạt động", "Số lượng", "Kênh đăng tải"]]
    for i, channel in enumerate(channels_column):
        acts.append([date(2024, 3, 1 + i % 28), "PNV", "TIN_BAI", 1, channel])
    sheets = {"Đơn vị": UNITS, "Kế hoạch": TARGETS, "Hoạt động": acts}
    if groups is not None:
        sheets["Nhóm kênh"] = groups
    return make_xlsx(sheets)


def test_reader_warns_once_per_unmapped_value_at_its_first_row() -> None:
    data = _book(["Zalo OA", "Email", "Thư điện tử", "email", None, "Báo Hà Tĩnh", "Email"])
    result = read_workbook(data)
    assert result.ok
    assert result.workbook.channel_groups is None
    warnings = result.warnings
    assert warnings[["code", "sheet", "row", "column"]].values.tolist() == [
        ["unmapped_channel", "Hoạt động", 3, "Kênh đăng tải"],  # Email (row 8 again: no second warning)
        ["unmapped_channel", "Hoạt động", 4, "Kênh đăng tải"],  # Thư điện tử; "email" (row 5) is Email
    ]
    assert warnings["message"].iloc[0] == (
        "Kênh đăng tải 'Email' không thuộc nhóm kênh nào: được tính vào nhóm 'Khác'. "
        "Thêm từ khóa vào trang 'Nhóm kênh' nếu cần."
    )


def test_reader_caps_unmapped_warnings_at_fifty_plus_a_summary() -> None:
    result = read_workbook(_book([f"Kênh lạ {i}" for i in range(53)]))
    warnings = result.warnings
    assert len(warnings) == 51
    assert warnings["row"].iloc[:50].tolist() == list(range(2, 52))
    last = warnings.iloc[50]
    assert pd.isna(last["row"]) and last["column"] == "Kênh đăng tải"
    assert last["message"].startswith("Còn 3 kênh đăng tải khác không thuộc nhóm kênh nào")


GROUPS = [
    ["Danh mục nhóm kênh"],  # a title row above the header
    ["STT", "Mã nhóm", "Tên nhóm kênh", "Từ khóa"],
    [1, "web", "Trang web", "Trang TTĐT; website"],
    [2, "THU", "Thư điện tử", "email;thư điện tử"],
    [3, "ZL", "Zalo", None],  # no keyword: matched by its name only
]


def test_custom_catalogue_replaces_the_default_and_gets_khac() -> None:
    data = _book(["Trang TTĐT xã", "EMAIL", "Zalo", "Zalo OA", "Báo Hà Tĩnh", None], GROUPS)
    result = read_workbook(data)
    assert result.ok, result.problems
    wb = result.workbook
    assert wb.channel_groups.values.tolist() == [
        ["WEB", "Trang web", "trang ttdt;website"],
        ["THU", "Thư điện tử", "email;thu dien tu"],
        ["ZL", "Zalo", ""],
    ]
    cat = channels.channel_catalogue(wb)
    assert cat["group_code"].tolist() == ["WEB", "THU", "ZL", "KHAC"]
    groups = channels.map_channels(wb.activities["channel"], cat)
    assert groups.tolist() == ["WEB", "THU", "ZL", "KHAC", "KHAC", ""]
    # "Zalo OA" (row 5) and "Báo Hà Tĩnh" (row 6) match no group of this catalogue
    assert result.warnings[["code", "row"]].values.tolist() == [
        ["unmapped_channel", 5],
        ["unmapped_channel", 6],
    ]
    got = channels.channel_group_breakdown(wb.activities, cat)
    assert got[["group_code", "quantity"]].values.tolist() == [
        ["WEB", 1],
        ["THU", 1],
        ["ZL", 1],
        ["KHAC", 2],
        ["", 1],
    ]


def test_duplicate_group_code_is_an_error_with_its_row() -> None:
    groups = [["Mã nhóm", "Tên nhóm kênh"], ["WEB", "Trang web"], ["web", "Trang web 2"], [None, "Không mã"]]
    result = read_workbook(_book(["Trang web"], groups))
    assert not result.ok
    assert result.errors[["code", "sheet", "row", "column"]].values.tolist() == [
        ["missing_value", "Nhóm kênh", 4, "Mã nhóm"],
        ["duplicate_channel_group", "Nhóm kênh", 3, "Mã nhóm"],
    ]
    assert "Mã nhóm 'WEB' bị trùng" in result.errors["message"].iloc[1]


def test_a_header_only_groups_sheet_uses_the_defaults_silently() -> None:
    result = read_workbook(_book(["Cổng TTĐT tỉnh"], [["Mã nhóm", "Tên nhóm kênh", "Từ khóa"]]))
    assert result.ok and result.problems.empty
    assert result.workbook.channel_groups.empty
    assert channels.channel_catalogue(result.workbook).equals(channels.default_catalogue())


def test_filter_workbook_keeps_the_groups() -> None:
    wb = read_workbook(_book(["Trang web"], GROUPS)).workbook
    kept = metrics.filter_workbook(wb, unit_codes=["PNV"])
    assert kept.channel_groups is wb.channel_groups


# --- the format document ------------------------------------------------------------------------

DOC = Path(__file__).resolve().parent.parent / "docs" / "workbook.md"
SHARED_SPEC = Path(__file__).resolve().parent.parent.parent / "shared" / "spec" / "workbook.md"


def test_the_format_document_lists_the_default_groups() -> None:
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in DOC.read_text(encoding="utf-8").splitlines()
        if line.startswith("| ")
        and line.split("|")[1].strip() in {g[0] for g in channels.DEFAULT_CHANNEL_GROUPS}
    ]
    assert rows == [[code, name, "; ".join(words)] for code, name, words in channels.DEFAULT_CHANNEL_GROUPS]


@pytest.mark.skipif(not SHARED_SPEC.is_file(), reason="the shared v1 contract is not beside this checkout")
def test_the_format_document_keeps_every_line_of_v1() -> None:
    ours = DOC.read_text(encoding="utf-8").splitlines()
    missing = [line for line in SHARED_SPEC.read_text(encoding="utf-8").splitlines() if line not in ours]
    assert missing == []
