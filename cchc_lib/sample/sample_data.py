"""Deterministic sample workbook (UBND huyện Cẩm Xuyên, 2024) and large benchmark workbooks."""

from __future__ import annotations

import argparse
import calendar
import random
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from cchc_lib.common.settings import PROJECT_ROOT
from cchc_lib.sample.builder import WorkbookSpec, strip_diacritics, write_xlsx

__all__ = [
    "SAMPLE_SEED",
    "DEFAULT_OUT",
    "UNIT_TYPES",
    "ACTIVITY_TYPES",
    "NO_ACTIVITY_UNITS",
    "MERGED_FROM",
    "MERGED_INTO",
    "MERGE_DATE",
    "sample_spec",
    "big_spec",
    "main",
]

SAMPLE_SEED = 20240315
DEFAULT_OUT = PROJECT_ROOT / "data" / "cam_xuyen_2024.xlsx"
AGENCY = "UBND huyện Cẩm Xuyên"
PORTAL = "https://camxuyen.hatinh.gov.vn"

DEPT, SERVICE, CENTRAL, COMMUNE = UNIT_TYPES = (
    "Phòng chuyên môn",
    "Đơn vị sự nghiệp",
    "Cơ quan ngành dọc",
    "UBND xã, thị trấn",
)

ACTIVITY_TYPES: list[dict[str, Any]] = [
    {"Mã loại": "TIN_BAI", "Tên loại hoạt động": "Tin, bài", "Đơn vị tính": "tin, bài"},
    {"Mã loại": "PHONG_SU", "Tên loại hoạt động": "Phóng sự", "Đơn vị tính": "phóng sự"},
    {"Mã loại": "BAI_DANG_TTDT", "Tên loại hoạt động": "Bài đăng Cổng/Trang TTĐT", "Đơn vị tính": "bài đăng"},
    {"Mã loại": "PHAT_THANH", "Tên loại hoạt động": "Chương trình phát thanh", "Đơn vị tính": "chương trình"},
    {"Mã loại": "HOI_NGHI", "Tên loại hoạt động": "Hội nghị, tập huấn", "Đơn vị tính": "hội nghị"},
]
TYPE_CODES = [t["Mã loại"] for t in ACTIVITY_TYPES]

# (code, name, type, portal path or None). Communes get their own sub-site.
_DISTRICT_UNITS: list[tuple[str, str, str, str | None]] = [
    ("VPUB", "Văn phòng HĐND và UBND huyện", DEPT, "/van-phong-hdnd-ubnd"),
    ("PNV", "Phòng Nội vụ", DEPT, "/phong-noi-vu"),
    ("PTP", "Phòng Tư pháp", DEPT, "/phong-tu-phap"),
    ("PTCKH", "Phòng Tài chính - Kế hoạch", DEPT, "/phong-tai-chinh-ke-hoach"),
    ("PTNMT", "Phòng Tài nguyên và Môi trường", DEPT, "/phong-tai-nguyen-moi-truong"),
    ("PVHTT", "Phòng Văn hóa và Thông tin", DEPT, "/phong-van-hoa-thong-tin"),
    ("PGDDT", "Phòng Giáo dục và Đào tạo", DEPT, "/phong-giao-duc-dao-tao"),
    ("PYT", "Phòng Y tế", DEPT, "/phong-y-te"),
    ("PLDTBXH", "Phòng Lao động - Thương binh và Xã hội", DEPT, "/phong-lao-dong-tbxh"),
    ("PKTHT", "Phòng Kinh tế - Hạ tầng", DEPT, "/phong-kinh-te-ha-tang"),
    ("PNNPTNT", "Phòng Nông nghiệp và Phát triển nông thôn", DEPT, "/phong-nong-nghiep-ptnt"),
    ("TTRA", "Thanh tra huyện", DEPT, "/thanh-tra-huyen"),
    ("TTVHTT", "Trung tâm Văn hóa - Truyền thông huyện", SERVICE, "/trung-tam-van-hoa-truyen-thong"),
    ("BQLDA", "Ban Quản lý dự án đầu tư xây dựng huyện", SERVICE, "/ban-quan-ly-du-an"),
    ("TTDVNN", "Trung tâm Dịch vụ nông nghiệp huyện", SERVICE, None),
    ("BQLCT", "Ban Quản lý các công trình công cộng huyện", SERVICE, None),
    ("TTGDNN", "Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên huyện", SERVICE, None),
    ("CCT", "Chi cục Thuế khu vực Cẩm Xuyên - Kỳ Anh", CENTRAL, None),
    ("KBNN", "Kho bạc Nhà nước Cẩm Xuyên", CENTRAL, None),
    ("BHXH", "Bảo hiểm xã hội huyện Cẩm Xuyên", CENTRAL, None),
    ("CAH", "Công an huyện Cẩm Xuyên", CENTRAL, None),
    ("CCTK", "Chi cục Thống kê huyện Cẩm Xuyên", CENTRAL, None),
    ("CNDKDD", "Chi nhánh Văn phòng Đăng ký đất đai huyện Cẩm Xuyên", CENTRAL, None),
]
# (code, name, sub-domain) of the towns and communes.
_COMMUNES: list[tuple[str, str, str]] = [
    ("TTCX", "UBND thị trấn Cẩm Xuyên", "ttcamxuyen"),
    ("TTTC", "UBND thị trấn Thiên Cầm", "thiencam"),
    ("XCB", "UBND xã Cẩm Bình", "cambinh"),
    ("XCDU", "UBND xã Cẩm Duệ", "camdue"),
    ("XCDG", "UBND xã Cẩm Dương", "camduong"),
    ("XCHA", "UBND xã Cẩm Hà", "camha"),
    ("XCHO", "UBND xã Cẩm Hòa", "camhoa"),
    ("XCHG", "UBND xã Cẩm Hưng", "camhung"),
    ("XCLC", "UBND xã Cẩm Lạc", "camlac"),
    ("XCLI", "UBND xã Cẩm Lĩnh", "camlinh"),
    ("XCLO", "UBND xã Cẩm Lộc", "camloc"),
    ("XCM", "UBND xã Cẩm Minh", "camminh"),
    ("XCMY", "UBND xã Cẩm Mỹ", "cammy"),
    ("XCN", "UBND xã Cẩm Nhượng", "camnhuong"),
    ("XCQN", "UBND xã Cẩm Quan", "camquan"),
    ("XCQG", "UBND xã Cẩm Quang", "camquang"),
    ("XCS", "UBND xã Cẩm Sơn", "camson"),
    ("XCTC", "UBND xã Cẩm Thạch", "camthach"),
    ("XCTG", "UBND xã Cẩm Thăng", "camthang"),
    ("XCTH", "UBND xã Cẩm Thành", "camthanh"),
    ("XCTI", "UBND xã Cẩm Thịnh", "camthinh"),
    ("XCTR", "UBND xã Cẩm Trung", "camtrung"),
    ("XCV", "UBND xã Cẩm Vịnh", "camvinh"),
]
# An illustrative mid-year merger (not a real 2024 decision): two communes become one on 1 July.
MERGE_DATE = date(2024, 7, 1)
MERGED_FROM = ("XCQN", "XCTC")
MERGED_INTO = ("XQT", "UBND xã Quan Thạch", "quanthach")

# The story the charts tell (factor = actual / plan, before noise).
NO_ACTIVITY_UNITS = ("BQLCT", "CCTK", "XCTG")
_FAR_OVER = {"PVHTT": 1.9, "TTVHTT": 1.7, "TTCX": 1.6, "XCN": 1.5}
_FAR_BEHIND = {"PTNMT": 0.35, "TTDVNN": 0.3, "CNDKDD": 0.25, "XCMY": 0.4, "XCS": 0.45, "KBNN": 0.5}
# Units with quarterly targets (besides the merging communes).
_QUARTERLY = ("PVHTT", "TTVHTT", "TTCX", "XCB")

# Month weights: quiet around Tết (February), peaks in Q2 and Q4.
_MONTH_WEIGHT = {
    1: 0.8,
    2: 0.35,
    3: 1.0,
    4: 1.2,
    5: 1.35,
    6: 1.5,
    7: 0.8,
    8: 0.75,
    9: 1.0,
    10: 1.25,
    11: 1.45,
    12: 1.3,
}
_TET = {2023: (date(2023, 1, 20), date(2023, 1, 26)), 2024: (date(2024, 2, 8), date(2024, 2, 14))}

# Topics are noun phrases that fit every headline template below.
_AREAS: dict[str, list[str]] = {
    "Cải cách thể chế": [
        "phổ biến Luật Đất đai năm 2024",
        "phổ biến Luật Căn cước",
        "thực hiện Luật Thực hiện dân chủ ở cơ sở",
        "rà soát, hệ thống hóa văn bản quy phạm pháp luật",
        "lấy ý kiến nhân dân về dự thảo văn bản quy phạm pháp luật",
    ],
    "Cải cách TTHC": [
        "thực hiện dịch vụ công trực tuyến toàn trình",
        "số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
        "công khai thủ tục hành chính tại Bộ phận Một cửa",
        "liên thông thủ tục khai sinh, thường trú, cấp thẻ BHYT cho trẻ em dưới 6 tuổi",
        "giải quyết hồ sơ thủ tục hành chính đúng và trước hạn",
        "đối thoại với người dân, doanh nghiệp về thủ tục hành chính",
    ],
    "Cải cách tổ chức bộ máy": [
        "sắp xếp đơn vị hành chính cấp xã giai đoạn 2023 - 2025",
        "kiện toàn tổ chức bộ máy, sắp xếp lại đầu mối",
        "thực hiện tinh giản biên chế",
    ],
    "Cải cách chế độ công vụ": [
        "siết chặt kỷ luật, kỷ cương hành chính",
        "xây dựng văn hóa công vụ",
        "đánh giá cán bộ, công chức theo kết quả công việc",
    ],
    "Cải cách tài chính công": [
        "công khai dự toán, quyết toán ngân sách",
        "giải ngân vốn đầu tư công",
        "thanh toán không dùng tiền mặt trong chi trả an sinh xã hội",
        "tự chủ tài chính tại đơn vị sự nghiệp công lập",
    ],
    "Xây dựng chính quyền số": [
        "triển khai Đề án 06 của Chính phủ",
        "cài đặt, kích hoạt tài khoản định danh điện tử VNeID",
        "ứng dụng chữ ký số trong xử lý văn bản",
        "hoạt động của tổ công nghệ số cộng đồng",
        "chuyển đổi số trong cải cách hành chính",
    ],
}
_AREA_WEIGHT = {
    "Cải cách thể chế": 1.0,
    "Cải cách TTHC": 2.6,
    "Cải cách tổ chức bộ máy": 0.8,
    "Cải cách chế độ công vụ": 0.9,
    "Cải cách tài chính công": 0.7,
    "Xây dựng chính quyền số": 2.2,
}
# Headline templates: {S} the unit as subject, {s} the unit inside a sentence, {t} the topic.
_NEWS = (
    "{S} đẩy mạnh {t}",
    "{S} tăng cường tuyên truyền về {t}",
    "{S} nâng cao hiệu quả {t}",
    "Chuyển biến tích cực trong {t} tại {s}",
    "{S}: nhiều cách làm hay trong {t}",
)
_DOCS = (
    "Kế hoạch tuyên truyền về {t} năm {y}",
    "Thông báo về {t}",
    "Hướng dẫn {t}",
    "Văn bản đôn đốc {t}",
    "Tin hoạt động: {T}",
)
_MEETINGS = (
    "{S} tổ chức hội nghị tuyên truyền về {t}",
    "{S} tập huấn cho cán bộ, công chức về {t}",
    "{S} tổ chức hội nghị đối thoại về thủ tục hành chính",
    "{S} tổ chức tọa đàm về {t}",
)
_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phan", "Võ", "Hoàng", "Đặng", "Bùi", "Hồ", "Dương")
_MIDDLE = ("Văn", "Thị", "Đức", "Thị Thu", "Minh", "Hữu", "Thị Thanh", "Xuân")
_GIVEN = ("Hà", "Nam", "Lan", "Hùng", "Hương", "Tuấn", "Trang", "Dũng", "Hoa", "Long", "Nga", "Sơn", "Thủy")
_NOTES = (
    "Đăng lại trên Fanpage của đơn vị",
    "Phối hợp với Trung tâm Văn hóa - Truyền thông huyện",
    "Chưa có đường dẫn, lưu bản in tại đơn vị",
    "Đã báo cáo về Phòng Nội vụ",
    "Tin do cộng tác viên gửi",
)


@dataclass(frozen=True)
class _Unit:
    code: str
    name: str
    kind: str
    portal: str | None
    valid_from: date | None = None
    valid_to: date | None = None

    @property
    def short(self) -> str:
        """How a title names the unit: `Xã Cẩm Bình`, `Phòng Tư pháp`."""
        name = self.name.removeprefix("UBND ")
        return name[0].upper() + name[1:]

    def window(self, year: int) -> tuple[date, date] | None:
        first = max(date(year, 1, 1), self.valid_from or date.min)
        last = min(date(year, 12, 31), self.valid_to or date.max)
        return (first, last) if first <= last else None


def _units() -> list[_Unit]:
    units = [_Unit(c, n, k, PORTAL + p if p else None) for c, n, k, p in _DISTRICT_UNITS]
    merge_end = MERGE_DATE - timedelta(days=1)
    for code, name, sub in _COMMUNES:
        end = merge_end if code in MERGED_FROM else None
        units.append(_Unit(code, name, COMMUNE, f"https://{sub}.camxuyen.hatinh.gov.vn", None, end))
    code, name, sub = MERGED_INTO
    units.append(_Unit(code, name, COMMUNE, f"https://{sub}.camxuyen.hatinh.gov.vn", MERGE_DATE, None))
    return units


def _person(rng: random.Random) -> str:
    return f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"


# ---------------------------------------------------------------------------------------------
# Targets


def _year_targets(unit: _Unit, rng: random.Random) -> dict[str, int]:
    """Whole-year targets of `unit` for 2024 by type code (absent = no target)."""
    if unit.code == "TTVHTT":
        return {"TIN_BAI": 60, "PHONG_SU": 12, "BAI_DANG_TTDT": 48, "PHAT_THANH": 144, "HOI_NGHI": 2}
    if unit.code == "PVHTT":
        return {"TIN_BAI": 36, "PHONG_SU": 4, "BAI_DANG_TTDT": 36, "HOI_NGHI": 4}
    if unit.kind == DEPT:
        out = {"TIN_BAI": rng.choice((12, 16, 20, 24)), "BAI_DANG_TTDT": rng.choice((12, 18, 24))}
        if rng.random() < 0.4:
            out["PHONG_SU"] = rng.choice((1, 2))
        out["HOI_NGHI"] = rng.choice((1, 2))
        return out
    if unit.kind == SERVICE:
        return {"TIN_BAI": rng.choice((8, 10, 12)), "BAI_DANG_TTDT": rng.choice((8, 12))}
    if unit.kind == CENTRAL:
        return {"TIN_BAI": rng.choice((6, 8, 12)), "BAI_DANG_TTDT": rng.choice((4, 6)), "HOI_NGHI": 1}
    return {
        "TIN_BAI": rng.choice((12, 16)),
        "BAI_DANG_TTDT": rng.choice((20, 24)),
        "PHAT_THANH": rng.choice((48, 72, 96)),
        "HOI_NGHI": 2,
    }


def _split_quarters(total: int, quarters: Sequence[int]) -> dict[int, int]:
    """Spread a count over quarters, remainder to the later quarters (Q4 busiest)."""
    base, extra = divmod(total, len(quarters))
    return {q: base + (1 if i >= len(quarters) - extra else 0) for i, q in enumerate(quarters)}


def _targets_2024(units: list[_Unit], rng: random.Random) -> tuple[list[dict[str, Any]], dict[str, dict]]:
    """Kế hoạch rows for 2024 (wide form) and the yearly plan by unit/type used to size activity."""
    rows: list[dict[str, Any]] = []
    plan: dict[str, dict[str, int]] = {}
    for unit in units:
        year = _year_targets(unit, rng)
        if unit.code in MERGED_FROM or unit.code == MERGED_INTO[0]:
            # Half a year of existence: quarterly targets for the quarters the unit exists in.
            quarters = (1, 2) if unit.code in MERGED_FROM else (3, 4)
            half = {t: v // 2 for t, v in year.items()}
            if unit.code == MERGED_INTO[0]:
                half = {t: v * 3 // 4 for t, v in year.items()}  # the merged commune is larger
            plan[unit.code] = half
            split = {t: _split_quarters(v, quarters) for t, v in half.items()}
            for q in quarters:
                rows.append(
                    {"Năm": 2024, "Quý": q, "Mã đơn vị": unit.code, **{t: split[t][q] for t in split}}
                )
        elif unit.code in _QUARTERLY:
            plan[unit.code] = year
            split = {t: _split_quarters(v, (1, 2, 3, 4)) for t, v in year.items()}
            for q in (1, 2, 3, 4):
                rows.append(
                    {"Năm": 2024, "Quý": q, "Mã đơn vị": unit.code, **{t: split[t][q] for t in split}}
                )
        else:
            plan[unit.code] = year
            rows.append({"Năm": 2024, "Quý": None, "Mã đơn vị": unit.code, **year})
    return rows, plan


def _targets_2023(units: list[_Unit], plan_2024: dict[str, dict[str, int]]) -> tuple[list[dict], dict]:
    """2023: whole-year targets for Tin, bài and Bài đăng only, a little lower than 2024."""
    rows: list[dict[str, Any]] = []
    plan: dict[str, dict[str, int]] = {}
    for unit in units:
        if unit.window(2023) is None:
            continue
        src = plan_2024[unit.code]
        if unit.code in MERGED_FROM:
            src = {t: v * 2 for t, v in src.items()}
        year = {t: max(2, round(src[t] * 0.8)) for t in ("TIN_BAI", "BAI_DANG_TTDT") if t in src}
        plan[unit.code] = year
        rows.append({"Năm": 2023, "Quý": None, "Mã đơn vị": unit.code, **year})
    return rows, plan


# ---------------------------------------------------------------------------------------------
# Activities


def _random_date(rng: random.Random, first: date, last: date, year: int) -> date:
    months = [
        m
        for m in range(1, 13)
        if date(year, m, 1) <= last and date(year, m, calendar.monthrange(year, m)[1]) >= first
    ]
    while True:
        month = rng.choices(months, weights=[_MONTH_WEIGHT[m] for m in months])[0]
        lo = max(first, date(year, month, 1))
        hi = min(last, date(year, month, calendar.monthrange(year, month)[1]))
        if month == 12 and hi.day > 15 and rng.random() < 0.45:
            lo = max(lo, date(year, 12, 15))  # the year-end rush after the report cut-off
        day = lo + timedelta(days=rng.randrange((hi - lo).days + 1))
        tet = _TET.get(year)
        if tet and tet[0] <= day <= tet[1]:
            continue
        if day.weekday() >= 5 and rng.random() < 0.8:
            continue
        return day


def _topic(rng: random.Random) -> tuple[str, str]:
    areas = list(_AREAS)
    area = rng.choices(areas, weights=[_AREA_WEIGHT[a] for a in areas])[0]
    return area, rng.choice(_AREAS[area])


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", strip_diacritics(text).lower()).strip("-")[:70].rstrip("-")


def _names(unit: _Unit, rng: random.Random) -> tuple[str, str]:
    """The unit as a headline subject and inside a sentence; district offices often say `Cẩm Xuyên`."""
    if unit.kind != COMMUNE and rng.random() < 0.35:
        district = AGENCY.removeprefix("UBND ")
        return district.removeprefix("huyện "), district
    short = unit.short
    inner = short[0].lower() + short[1:] if unit.kind == COMMUNE or short.startswith("Thanh tra") else short
    return short, inner


def _activity(unit: _Unit, type_code: str, day: date, quantity: int, rng: random.Random, serial: int) -> dict:
    area, topic = _topic(rng)
    commune = unit.kind == COMMUNE
    subject, inner = _names(unit, rng)
    words = {"S": subject, "s": inner, "t": topic, "T": topic[0].upper() + topic[1:], "y": day.year}
    link: str | None = None
    if type_code == "TIN_BAI":
        title = rng.choice(_NEWS).format(**words)
        channel = rng.choice(
            ("Trang TTĐT xã", "Trang TTĐT xã", "Zalo OA", "Fanpage", "Báo Hà Tĩnh")
            if commune
            else (
                "Trang TTĐT huyện",
                "Trang TTĐT huyện",
                "Báo Hà Tĩnh",
                "Đài PT-TH Hà Tĩnh",
                "Fanpage",
                "Zalo OA",
            )
        )
    elif type_code == "PHONG_SU":
        title = "Phóng sự: {T} ở {s}".format(**words)
        channel = rng.choice(("Đài PT-TH Hà Tĩnh", "Trung tâm VH-TT huyện", "Báo Hà Tĩnh"))
    elif type_code == "BAI_DANG_TTDT":
        title = rng.choice(_DOCS).format(**words)
        channel = "Trang TTĐT xã" if commune else "Trang TTĐT huyện"
    elif type_code == "PHAT_THANH":
        where = "xã" if commune else "huyện"
        title = f"Chuyên mục Cải cách hành chính trên sóng truyền thanh {where} tháng {day.month}/{day.year}"
        channel = "Đài truyền thanh xã" if commune else "Đài truyền thanh huyện"
        area = "Cải cách TTHC" if rng.random() < 0.6 else area
    else:
        words["S"] = unit.short
        title = rng.choice(_MEETINGS).format(**words)
        if "đối thoại" in title:
            area = "Cải cách TTHC"
        channel = rng.choice(("Trực tiếp", "Trực tiếp", "Trực tuyến"))
    if channel.startswith("Trang TTĐT") and unit.portal and rng.random() < 0.9:
        link = f"{unit.portal}/tin-tuc/{_slug(title)}-{serial}.html"
    elif channel == "Báo Hà Tĩnh" and rng.random() < 0.85:
        link = f"https://baohatinh.vn/{_slug(title)}-post{270000 + serial}.html"
    elif channel == "Fanpage" and rng.random() < 0.5:
        link = f"https://www.facebook.com/{_slug(unit.short).replace('-', '')}/posts/{10000 + serial}"
    note = rng.choice(_NOTES) if rng.random() < 0.08 else None
    return {
        "Ngày": day,
        "Mã đơn vị": unit.code,
        "Loại hoạt động": type_code,
        "Số lượng": quantity,
        "Tiêu đề": title,
        "Kênh đăng tải": channel,
        "Lĩnh vực CCHC": area,
        "Đường dẫn": link,
        "Ghi chú": note,
    }


def _chunks(type_code: str, total: int, rng: random.Random) -> list[int]:
    """Split an amount into row quantities: broadcasts come in monthly batches, the rest mostly 1."""
    out: list[int] = []
    while total > 0:
        if type_code == "PHAT_THANH":
            size = rng.randint(4, 12)
        elif type_code == "TIN_BAI" and rng.random() < 0.12:
            size = rng.randint(2, 3)
        else:
            size = 1
        size = min(size, total)
        out.append(size)
        total -= size
    return out


def _factor(code: str, rng: random.Random) -> float:
    if code in NO_ACTIVITY_UNITS:
        return 0.0
    if code in _FAR_OVER:
        return _FAR_OVER[code] * rng.uniform(0.95, 1.05)
    if code in _FAR_BEHIND:
        return _FAR_BEHIND[code] * rng.uniform(0.9, 1.1)
    return rng.uniform(0.78, 1.12)


def _activities(
    units: list[_Unit], plan: dict[str, dict[str, int]], year: int, rng: random.Random, serial: int
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for unit in units:
        window = unit.window(year)
        if window is None:
            continue
        factor = _factor(unit.code, rng)
        if year == 2023 and factor:
            factor = min(factor, 1.1) * 0.9
        for type_code in TYPE_CODES:
            planned = plan.get(unit.code, {}).get(type_code)
            if planned is None:
                # Occasional work with no target (e.g. a department's reportage) in 2024 only.
                planned = 1 if year == 2024 and factor and rng.random() < 0.15 else 0
                amount = planned
            else:
                amount = round(planned * factor * rng.uniform(0.92, 1.08))
            for quantity in _chunks(type_code, amount, rng):
                serial += 1
                day = _random_date(rng, *window, year)
                rows.append(_activity(unit, type_code, day, quantity, rng, serial))
    return rows


def _december_overlap(units: list[_Unit], rng: random.Random) -> list[dict[str, Any]]:
    """Items dated 15-31 Dec 2023: calendar year 2023, but report year 2024."""
    rows = []
    active = [u for u in units if u.window(2023) and u.code not in NO_ACTIVITY_UNITS]
    for i in range(48):
        unit = rng.choice(active)
        type_code = rng.choice(("TIN_BAI", "TIN_BAI", "BAI_DANG_TTDT", "PHONG_SU"))
        day = date(2023, 12, 15) + timedelta(days=rng.randrange(17))
        rows.append(_activity(unit, type_code, day, 1, rng, 90000 + i))
    return rows


# ---------------------------------------------------------------------------------------------
# Optional sheets


_REVIEW_FINDINGS = (
    "Chuyên mục CCHC cập nhật đầy đủ, đúng quy định",
    "Chưa cập nhật tin CCHC trong quý; đề nghị bổ sung",
    "Nhiều liên kết văn bản hỏng, đề nghị rà soát lại",
    "Chưa công khai đầy đủ TTHC; đề nghị cập nhật theo Quyết định công bố của UBND tỉnh",
    "Giao diện chuyên mục CCHC khó tìm; đề nghị đưa lên trang chủ",
    "Thông tin đầy đủ, kịp thời",
)


def _portal_reviews(units: list[_Unit], rng: random.Random) -> list[dict[str, Any]]:
    """Quarterly reviews of portals by Phòng VH-TT; some units reviewed once only (now overdue)."""
    reviewers = ("Trần Thị Thu Hà", "Nguyễn Đức Long")
    review_days = {1: date(2024, 3, 20), 2: date(2024, 6, 20), 3: date(2024, 9, 20), 4: date(2024, 12, 10)}
    overdue = {"PTNMT", "XCMY", "XCS", "BQLDA", "XCTG"}
    rows = []
    for quarter, day in review_days.items():
        for unit in units:
            if unit.portal is None or unit.kind == CENTRAL or not unit.window(2024):
                continue
            if unit.code in overdue and quarter > 1:
                continue
            if unit.window(2024)[0] > day or unit.window(2024)[1] < day:  # type: ignore[index]
                continue
            if unit.kind == DEPT and quarter in (1, 3) and unit.code not in overdue:
                continue  # departments are reviewed twice a year
            weak = unit.code in _FAR_BEHIND or unit.code in NO_ACTIVITY_UNITS
            score = rng.randint(45, 68) if weak else rng.randint(72, 98)
            broken = rng.randint(4, 12) if weak else rng.choice((0, 0, 0, 1, 2, 3))
            findings = _REVIEW_FINDINGS[rng.randrange(1, 5)] if weak else rng.choice(_REVIEW_FINDINGS)
            rows.append(
                {
                    "Ngày rà soát": day + timedelta(days=rng.randrange(0, 4)),
                    "Mã đơn vị": unit.code,
                    "Người rà soát": reviewers[quarter % 2],
                    "Có chuyên mục CCHC": "Không" if weak and rng.random() < 0.5 else "Có",
                    "Cập nhật tin CCHC trong quý": "Không"
                    if weak
                    else ("Có" if rng.random() < 0.9 else "Không"),
                    "Liên kết hỏng": broken,
                    "Điểm": score,
                    "Nhận xét": findings,
                }
            )
    rows.sort(key=lambda r: r["Ngày rà soát"])
    return rows


def _funding(units: list[_Unit], rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for unit in units:
        if not unit.window(2024):
            continue
        if unit.code == "TTVHTT":
            allocated = 120_000_000
        elif unit.code == "PVHTT":
            allocated = 45_000_000
        elif unit.kind == COMMUNE:
            allocated = rng.choice((5, 6, 8, 10)) * 1_000_000
        elif unit.kind == CENTRAL:
            allocated = rng.choice((0, 3, 5)) * 1_000_000
        else:
            allocated = rng.choice((8, 10, 12, 15)) * 1_000_000
        if unit.code in MERGED_FROM or unit.code == MERGED_INTO[0]:
            allocated //= 2
        share = 0.0 if unit.code in NO_ACTIVITY_UNITS else min(1.0, _FAR_OVER.get(unit.code, 0.85) * 0.6)
        spent: int | None = round(allocated * share * rng.uniform(0.8, 1.1) / 100_000) * 100_000
        spent = min(spent or 0, allocated)
        note = None
        if allocated == 0:
            spent, note = None, "Sử dụng kinh phí của ngành"
        elif spent == 0:
            note = "Chưa triển khai"
        rows.append(
            {"Năm": 2024, "Mã đơn vị": unit.code, "Dự toán": allocated, "Đã chi": spent, "Ghi chú": note}
        )
    return rows


_INITIATIVES: list[tuple[str, str, str, str, str]] = [
    (
        "XCB",
        "Mô hình “Cà phê số” hướng dẫn người dân sử dụng dịch vụ công trực tuyến",
        "Xây dựng chính quyền số",
        "Đã nhân rộng",
        "Hơn 1.200 lượt người dân được hướng dẫn; tỷ lệ hồ sơ trực tuyến tăng từ 35% lên 68%",
    ),
    (
        "TTCX",
        "Tổ công nghệ số cộng đồng hỗ trợ thanh toán trực tuyến phí, lệ phí",
        "Xây dựng chính quyền số",
        "Đang áp dụng",
        "85% hồ sơ có phí được thanh toán trực tuyến",
    ),
    (
        "PTP",
        "Liên thông điện tử đăng ký khai sinh - thường trú - BHYT cho trẻ dưới 6 tuổi",
        "Cải cách TTHC",
        "Đã nhân rộng",
        "Áp dụng tại 100% xã, thị trấn",
    ),
    (
        "PNV",
        "Bộ tiêu chí đánh giá cán bộ, công chức theo sản phẩm công việc hằng tháng",
        "Cải cách chế độ công vụ",
        "Đang áp dụng",
        "Đánh giá thực chất hơn, gắn với kết quả công việc",
    ),
    (
        "PVHTT",
        "Chuyên mục “Cải cách hành chính - Vì nhân dân phục vụ” trên Trang TTĐT huyện",
        "Cải cách TTHC",
        "Đang áp dụng",
        "Trung bình 25 tin, bài mỗi tháng",
    ),
    (
        "XCN",
        "Nhóm Zalo “Một cửa xã Cẩm Nhượng” trả lời vướng mắc về thủ tục hành chính",
        "Cải cách TTHC",
        "Đang áp dụng",
        "Trả lời hơn 300 câu hỏi của người dân",
    ),
    (
        "TTVHTT",
        "Bản tin truyền thanh thông minh về dịch vụ công trực tuyến",
        "Xây dựng chính quyền số",
        "Đề xuất",
        None,
    ),
    (
        "CAH",
        "Ngày cao điểm thu nhận hồ sơ căn cước và kích hoạt VNeID tại thôn, tổ dân phố",
        "Xây dựng chính quyền số",
        "Đã nhân rộng",
        "Kích hoạt trên 40.000 tài khoản định danh mức 2",
    ),
    ("PTCKH", "Công khai dự toán ngân sách các xã bằng mã QR", "Cải cách tài chính công", "Đề xuất", None),
    (
        "BHXH",
        "Chi trả lương hưu, trợ cấp qua tài khoản ngân hàng",
        "Cải cách tài chính công",
        "Đang áp dụng",
        "Tỷ lệ chi trả không dùng tiền mặt đạt 62%",
    ),
    (
        "XCDU",
        "“Chủ nhật vì dân”: Bộ phận Một cửa làm việc sáng Chủ nhật",
        "Cải cách TTHC",
        "Đang áp dụng",
        "Giải quyết 420 hồ sơ trong ngày Chủ nhật",
    ),
    ("VPUB", "Phần mềm theo dõi nhiệm vụ UBND huyện giao", "Cải cách chế độ công vụ", "Đề xuất", None),
]


def _initiatives() -> list[dict[str, Any]]:
    return [
        {
            "Năm": 2024,
            "Mã đơn vị": code,
            "Tên sáng kiến, mô hình": name,
            "Lĩnh vực CCHC": area,
            "Tình trạng": status,
            "Kết quả": result,
        }
        for code, name, area, status, result in _INITIATIVES
    ]


# (number, date, issuer, type, summary): the plan, reminders each quarter, an inspection's conclusions.
_DIRECTIVES: list[tuple[str, date, str, str, str]] = [
    (
        "15/KH-UBND",
        date(2024, 1, 10),
        AGENCY,
        "Kế hoạch",
        "Kế hoạch thông tin, tuyên truyền cải cách hành chính năm 2024 trên địa bàn huyện",
    ),
    (
        "112/QĐ-UBND",
        date(2024, 1, 22),
        AGENCY,
        "Quyết định",
        "Kiện toàn Tổ công tác thông tin, tuyên truyền cải cách hành chính huyện năm 2024",
    ),
    (
        "385/UBND-NV",
        date(2024, 3, 4),
        AGENCY,
        "Công văn",
        "Đôn đốc thực hiện công tác tuyên truyền cải cách hành chính và báo cáo kết quả quý I năm 2024",
    ),
    (
        "52/NV",
        date(2024, 6, 3),
        "Phòng Nội vụ",
        "Công văn",
        "Đôn đốc đẩy mạnh tuyên truyền cải cách hành chính, báo cáo kết quả 6 tháng đầu năm 2024",
    ),
    (
        "1520/UBND-NV",
        date(2024, 7, 10),
        AGENCY,
        "Công văn",
        "Tuyên truyền việc sắp xếp đơn vị hành chính cấp xã, thành lập xã Quan Thạch trên cơ sở "
        "nhập xã Cẩm Quan và xã Cẩm Thạch",
    ),
    (
        "86/TB-UBND",
        date(2024, 8, 22),
        AGENCY,
        "Thông báo",
        "Kết luận kiểm tra công tác cải cách hành chính, thông tin, tuyên truyền cải cách hành chính "
        "tại một số cơ quan, đơn vị và UBND các xã năm 2024",
    ),
    (
        "98/NV",
        date(2024, 9, 5),
        "Phòng Nội vụ",
        "Công văn",
        "Đôn đốc thực hiện nhiệm vụ tuyên truyền cải cách hành chính quý III, báo cáo kết quả 9 tháng năm 2024",
    ),
    (
        "15/HD-VHTT",
        date(2024, 10, 14),
        "Phòng Văn hóa và Thông tin",
        "Hướng dẫn",
        "Hướng dẫn cập nhật chuyên mục cải cách hành chính trên Trang thông tin điện tử các xã, thị trấn",
    ),
    (
        "2650/UBND-NV",
        date(2024, 11, 18),
        AGENCY,
        "Công văn",
        "Đôn đốc hoàn thành chỉ tiêu tuyên truyền cải cách hành chính năm 2024 và báo cáo kết quả năm",
    ),
]


def _directives() -> list[dict[str, Any]]:
    return [
        {
            "Số, ký hiệu": number,
            "Ngày ban hành": day,
            "Cơ quan ban hành": issuer,
            "Trích yếu": summary,
            "Loại văn bản": kind,
        }
        for number, day, issuer, kind, summary in _DIRECTIVES
    ]


PROVINCE_PORTAL = "https://hatinh.gov.vn"
_PROVINCE_CHANNEL = "Cổng TTĐT tỉnh"
_PROVINCE_SHARE = 4  # every 4th district-level portal post is also the province's


def _provincial_portal(activities: list[dict[str, Any]], units: list[_Unit]) -> None:
    """Make every 4th portal post of a district-level unit one on the provincial portal (channel and
    link only: date, unit, type and quantity stay, so every figure of the sample is unchanged)."""
    district = {u.code for u in units if u.kind != COMMUNE}
    seen = 0
    for row in activities:
        if row["Loại hoạt động"] != "BAI_DANG_TTDT" or row["Mã đơn vị"] not in district:
            continue
        seen += 1
        if seen % _PROVINCE_SHARE:
            continue
        row["Kênh đăng tải"] = _PROVINCE_CHANNEL
        link = row["Đường dẫn"]
        if link and "/tin-tuc/" in link:
            row["Đường dẫn"] = PROVINCE_PORTAL + "/tin-tuc/" + link.split("/tin-tuc/", 1)[1]


# ---------------------------------------------------------------------------------------------
# Public


def _unit_rows(units: list[_Unit], rng: random.Random) -> list[dict[str, Any]]:
    return [
        {
            "Mã đơn vị": u.code,
            "Tên đơn vị": u.name,
            "Loại đơn vị": u.kind,
            "Trang TTĐT": u.portal,
            "Đầu mối": _person(rng),
            "Hiệu lực từ": u.valid_from,
            "Hiệu lực đến": u.valid_to,
            "Sáp nhập vào": MERGED_INTO[0] if u.code in MERGED_FROM else None,
        }
        for u in units
    ]


def sample_spec(year: int = 2024) -> WorkbookSpec:
    """The bundled sample: 47 units, 5 activity types, targets and activities for 2024 and 2023.

    Only `year=2024` is modelled (unit list, merger date and Tết are those of 2024).
    """
    if year != 2024:
        raise ValueError("the sample models 2024 only")
    rng = random.Random(SAMPLE_SEED)
    units = _units()
    unit_rows = _unit_rows(units, rng)
    targets_2024, plan_2024 = _targets_2024(units, rng)
    targets_2023, plan_2023 = _targets_2023(units, plan_2024)
    activities = _activities(units, plan_2023, 2023, rng, 0)
    activities += _december_overlap(units, rng)
    activities += _activities(units, plan_2024, 2024, rng, 100_000)
    order = {u.code: i for i, u in enumerate(units)}
    activities.sort(key=lambda r: (r["Ngày"], order[r["Mã đơn vị"]], TYPE_CODES.index(r["Loại hoạt động"])))
    _provincial_portal(activities, units)
    return WorkbookSpec(
        units=unit_rows,
        targets=targets_2023 + targets_2024,
        activities=activities,
        activity_types=[dict(t) for t in ACTIVITY_TYPES],
        portal_reviews=_portal_reviews(units, rng),
        funding=_funding(units, rng),
        initiatives=_initiatives(),
        directives=_directives(),
        agency=AGENCY,
    )


def big_spec(n_activities: int, seed: int = 0) -> WorkbookSpec:
    """A benchmark workbook: the sample's units, types and 2024 targets with `n_activities` rows in 2024."""
    rng = random.Random(seed)
    units = _units()
    sample_rng = random.Random(SAMPLE_SEED)  # the sample's own draws: same contacts and targets
    unit_rows = _unit_rows(units, sample_rng)
    targets, _ = _targets_2024(units, sample_rng)
    h1 = [u for u in units if u.window(2024) and u.window(2024)[0] < MERGE_DATE]  # type: ignore[index]
    h2 = [u for u in units if u.window(2024) and u.window(2024)[1] >= MERGE_DATE]  # type: ignore[index]
    days = [date(2024, 1, 1) + timedelta(days=i) for i in range(366)]
    weights = [_MONTH_WEIGHT[d.month] * (0.3 if d.weekday() >= 5 else 1.0) for d in days]
    chosen_days = sorted(rng.choices(days, weights=weights, k=n_activities))
    type_weights = (5, 1, 4, 2, 1)
    activities = []
    for i, day in enumerate(chosen_days):
        unit = rng.choice(h1 if day < MERGE_DATE else h2)
        type_code = rng.choices(TYPE_CODES, weights=type_weights)[0]
        quantity = rng.randint(4, 12) if type_code == "PHAT_THANH" else 1
        activities.append(_activity(unit, type_code, day, quantity, rng, i))
    return WorkbookSpec(
        units=unit_rows,
        targets=targets,
        activities=activities,
        activity_types=[dict(t) for t in ACTIVITY_TYPES],
        agency=AGENCY,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m cchc_lib.sample.sample_data [--out PATH] [--big N] [--seed S]`: write a workbook."""
    parser = argparse.ArgumentParser(description="Tạo tệp Excel mẫu (hoặc tệp lớn để đo hiệu năng).")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="tệp .xlsx cần ghi")
    parser.add_argument("--big", type=int, default=None, help="số dòng hoạt động của tệp đo hiệu năng")
    parser.add_argument("--seed", type=int, default=0, help="hạt giống ngẫu nhiên cho --big")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    spec = sample_spec() if args.big is None else big_spec(args.big, seed=args.seed)
    path = write_xlsx(spec, args.out)
    elapsed = time.perf_counter() - started
    print(f"Đã ghi {path} ({len(spec.activities)} dòng hoạt động, {elapsed:.1f} giây).", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
