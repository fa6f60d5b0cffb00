"""Each report sentence appears only when its facts hold: tiny in-code workbooks, one gate per case."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from cchc_lib.common.periods import parse_period
from cchc_lib.common.settings import Settings
from cchc_lib.documents.report_content import PLACEHOLDER_PREFIX, build_content
from cchc_lib.reading.model import Workbook

TB, PS = "TIN_BAI", "PHONG_SU"


def units(*codes: str, **validity: tuple[str | None, str | None]) -> pd.DataFrame:
    rows = []
    for code in codes:
        start, end = validity.get(code, (None, None))
        rows.append(
            {
                "unit_code": code,
                "unit_name": f"Xã {code}",
                "unit_type": "UBND xã, thị trấn",
                "portal_url": None,
                "contact": None,
                "valid_from": pd.Timestamp(start) if start else pd.NaT,
                "valid_to": pd.Timestamp(end) if end else pd.NaT,
                "successor_code": None,
            }
        )
    return pd.DataFrame(rows)


def targets(*rows: tuple[int, int | None, str, str, int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": pd.Series([r[0] for r in rows], dtype="int64"),
            "quarter": pd.array([r[1] for r in rows], dtype="Int64"),
            "unit_code": pd.Series([r[2] for r in rows], dtype="object"),
            "type_code": pd.Series([r[3] for r in rows], dtype="object"),
            "target": pd.Series([r[4] for r in rows], dtype="int64"),
        }
    )


def activities(*rows: tuple[str, str, str, int, str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime([r[0] for r in rows], format="%d/%m/%Y"),
            "unit_code": pd.Series([r[1] for r in rows], dtype="object"),
            "type_code": pd.Series([r[2] for r in rows], dtype="object"),
            "quantity": pd.Series([r[3] for r in rows], dtype="int64"),
            "title": [f"Tin {i}" for i in range(len(rows))],
            "channel": pd.Series([r[4] for r in rows], dtype="object"),
            "reform_area": pd.Series([None] * len(rows), dtype="object"),
            "link": pd.Series([None] * len(rows), dtype="object"),
            "note": pd.Series([None] * len(rows), dtype="object"),
            "row": list(range(2, 2 + len(rows))),
        }
    )


TYPES = pd.DataFrame(
    {"type_code": [TB, PS], "type_name": ["Tin, bài", "Phóng sự"], "measure": ["tin, bài", "phóng sự"]}
)
# a year of data (so that 2024 is covered) with plans for A and B
BASE_TARGETS = targets((2024, None, "A", TB, 8), (2024, None, "B", TB, 4), (2024, 1, "A", PS, 1))
BASE_ACTS = activities(
    ("10/01/2024", "A", TB, 3, "Trang TTĐT huyện"),
    ("20/02/2024", "A", PS, 1, "Báo Hà Tĩnh"),
    ("05/03/2024", "B", TB, 1, "Zalo OA"),
    ("31/12/2024", "A", TB, 1, "Trang TTĐT huyện"),
)


def wb(**parts) -> Workbook:
    base = {
        "units": units("A", "B"),
        "activity_types": TYPES,
        "targets": BASE_TARGETS,
        "activities": BASE_ACTS,
    }
    base.update(parts)
    return Workbook(**base)


def content(workbook: Workbook, period: str = "2024-Q1", calendar: str = "calendar", **kwargs):
    return build_content(workbook, parse_period(period), calendar, Settings(), **kwargs)


def paragraphs(c, key: str) -> tuple[str, ...]:
    section = c.section(key)
    assert section is not None, key
    return section.paragraphs


def body(c) -> str:
    return "\n".join(p for s in c.sections for p in s.paragraphs)


def test_base_case_figures() -> None:
    c = content(wb())
    # Q1: A 3 tin + 1 phóng sự, B 1 tin = 5; year plan 8 + 4 + 1 = 13; pro-rated Q1 plan 2 + 1 + 1 = 4
    assert paragraphs(c, "ket_qua")[:3] == (
        "Trong quý, 2/2 cơ quan, đơn vị có sản phẩm, hoạt động thông tin, tuyên truyền cải cách hành chính, "
        "tổng cộng 5 sản phẩm, hoạt động.",
        "Lũy kế từ đầu năm đến ngày 31/03/2024, thực hiện 5/13 sản phẩm, hoạt động, đạt 38,5% kế hoạch năm 2024.",
        "So với kế hoạch phân bổ cho quý I năm 2024 (chỉ tiêu quý và phần chỉ tiêu năm chia đều theo quý), "
        "kết quả trong quý đạt 125,0%, đạt tiến độ.",
    )
    assert (
        "- Tin, bài: trong quý thực hiện 4; lũy kế từ đầu năm 4/12 tin, bài, đạt 33,3% kế hoạch năm;"
        in paragraphs(c, "ket_qua")
    )


def test_no_plan_makes_no_percentage_claim() -> None:
    c = content(wb(targets=targets()))
    text = "\n".join(paragraphs(c, "ket_qua") + paragraphs(c, "ket_qua_don_vi"))
    assert "Năm 2024 chưa có chỉ tiêu kế hoạch được giao nên báo cáo không tính tỷ lệ hoàn thành." in text
    assert "%" not in text and "đạt" not in text.replace("không tính", "")
    assert "chưa xếp loại mức độ hoàn thành" in text
    assert any("chưa có chỉ tiêu kế hoạch" in w for w in c.warnings)
    assert "- Tin, bài: trong quý thực hiện 4 tin, bài (không có chỉ tiêu năm);" in paragraphs(c, "ket_qua")


def test_no_activity_in_the_period() -> None:
    acts = activities(("31/12/2024", "A", TB, 1, "Zalo OA"))
    c = content(wb(activities=acts))
    first = paragraphs(c, "ket_qua")[0]
    assert first == (
        "Trong quý, sổ theo dõi chưa ghi nhận sản phẩm, hoạt động thông tin, tuyên truyền cải cách hành chính "
        "nào của 2 cơ quan, đơn vị thuộc phạm vi báo cáo."
    )
    assert paragraphs(c, "kenh") == (
        "Trong quý chưa có sản phẩm, hoạt động nào để tổng hợp theo kênh đăng tải và lĩnh vực tuyên truyền.",
    )
    assert c.section("uu_diem").placeholder
    assert "chậm so với tiến độ" in body(c)


def test_empty_period_never_says_maintained() -> None:
    c = content(wb(), "2022")
    assert paragraphs(c, "ket_qua") == (
        "Năm 2022 chưa có chỉ tiêu kế hoạch và sổ theo dõi chưa ghi nhận sản phẩm, hoạt động thông tin, tuyên "
        "truyền cải cách hành chính nào.",
    )
    assert "duy trì" not in body(c) and "So với cùng kỳ" not in body(c)
    assert c.warnings[0] == "Năm 2022 chưa có chỉ tiêu và chưa có hoạt động nào trong sổ theo dõi."


def test_no_comparison_year() -> None:
    c = content(wb())
    assert "So với cùng kỳ" not in body(c)
    assert "Không có số liệu quý I năm 2023 để so sánh với cùng kỳ." in c.warnings


def test_comparison_when_both_periods_are_covered() -> None:
    acts = pd.concat([BASE_ACTS, activities(("15/02/2023", "A", TB, 2, "Zalo OA"))], ignore_index=True)
    c = content(wb(activities=acts, targets=pd.concat([BASE_TARGETS, targets((2023, None, "A", TB, 4))])))
    text = paragraphs(c, "ket_qua")
    # tracked last year: Tin, bài only (4 now against 2); Phóng sự was not tracked
    assert (
        "So với cùng kỳ năm trước (quý I năm 2023, tính trên các loại hoạt động có theo dõi cùng kỳ): "
        "4 sản phẩm, hoạt động so với 2, tăng 2 (100,0%)."
    ) in text
    assert text[-1] == "Chưa có số liệu cùng kỳ để so sánh đối với: Phóng sự."


def test_data_not_covering_the_period_gives_no_comparison() -> None:
    acts = activities(("15/02/2023", "A", TB, 2, None), ("10/01/2024", "A", TB, 3, None))
    c = content(wb(activities=acts), "2024-H1")
    assert "So với cùng kỳ" not in body(c)
    assert "Số liệu trong kỳ mới được cập nhật đến ngày 10/01/2024." in paragraphs(c, "ket_qua")
    assert c.warnings[0].startswith(
        "Số liệu mới cập nhật đến ngày 10/01/2024 (kỳ báo cáo đến ngày 30/06/2024)"
    )
    assert "trong 6 tháng" in body(c) and "trong quý" not in body(c)


def initiatives(*rows: tuple[str, str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": [2024] * len(rows),
            "unit_code": ["A"] * len(rows),
            "name": [r[0] for r in rows],
            "reform_area": [None] * len(rows),
            "status": pd.Series([r[1] for r in rows], dtype="object"),
            "result": [None] * len(rows),
        }
    )


@pytest.mark.parametrize(
    ("rows", "expected", "listed"),
    [
        (
            [("SK1", "Đề xuất"), ("SK2", "Đề xuất")],
            "Năm 2024 ghi nhận 2 sáng kiến, mô hình mới về cải cách hành chính, trong đó chưa có sáng kiến, mô "
            "hình nào được áp dụng; 2 sáng kiến, mô hình mới được đề xuất.",
            False,
        ),
        (
            [("SK1", None), ("SK2", "Đang áp dụng")],
            "Năm 2024 ghi nhận 2 sáng kiến, mô hình mới về cải cách hành chính, trong đó 1 sáng kiến, mô hình "
            "được áp dụng (1 đang áp dụng); 1 chưa ghi tình trạng.",
            True,
        ),
        ([], "Năm 2024 chưa ghi nhận sáng kiến, mô hình mới nào về cải cách hành chính.", False),
    ],
)
def test_initiatives_by_status(rows, expected: str, listed: bool) -> None:
    c = content(wb(initiatives=initiatives(*rows)))
    lines = paragraphs(c, "sang_kien")
    assert lines[0] == expected
    assert ("Các sáng kiến, mô hình được áp dụng tiêu biểu:" in lines) == listed
    assert not any("SK1" in line for line in lines[1:])  # neither the proposed nor the blank one is "applied"


def directives(*rows: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "number": [r[0] for r in rows],
            "issued_date": pd.to_datetime([r[1] for r in rows], format="%d/%m/%Y"),
            "issuer": ["UBND huyện"] * len(rows),
            "doc_type": ["Công văn"] * len(rows),
            "summary": ["Về việc đôn đốc tuyên truyền"] * len(rows),
        }
    )


def test_directive_sheet_absent_is_a_placeholder() -> None:
    c = content(wb())
    section = c.section("chi_dao")
    assert section.placeholder and section.paragraphs[0].startswith(PLACEHOLDER_PREFIX)
    assert any("Chỉ đạo, điều hành" in w for w in c.warnings)


def test_directives_of_the_period_only() -> None:
    c = content(wb(directives=directives(("12/UBND", "05/02/2024"), ("30/UBND", "05/05/2024"))))
    assert paragraphs(c, "chi_dao") == (
        "Trong quý, đã ban hành 1 văn bản chỉ đạo, điều hành công tác thông tin, tuyên truyền cải cách hành chính:",
        "- Công văn số 12/UBND ngày 05/02/2024 của UBND huyện về đôn đốc tuyên truyền.",
    )
    assert not c.section("chi_dao").placeholder


def test_directive_sheet_with_none_in_the_period() -> None:
    c = content(wb(directives=directives(("30/UBND", "05/05/2024"))))
    assert paragraphs(c, "chi_dao") == (
        "Trong quý (từ ngày 01/01/2024 đến ngày 31/03/2024), sổ theo dõi không ghi nhận văn bản chỉ đạo, điều "
        "hành nào về công tác thông tin, tuyên truyền cải cách hành chính.",
    )


def test_every_channel_group_zero_and_blanks_apart() -> None:
    acts = activities(
        ("10/01/2024", "A", TB, 3, None), ("11/01/2024", "B", TB, 1, ""), ("31/12/2024", "A", TB, 1, None)
    )
    lines = paragraphs(content(wb(activities=acts)), "kenh")
    assert lines == (
        "Chưa có sản phẩm, hoạt động đăng tải, thực hiện qua: Cổng thông tin điện tử tỉnh, Trang thông tin điện tử "
        "của cơ quan, đơn vị, Báo chí, Phát thanh, truyền hình, Hệ thống thông tin cơ sở, Mạng xã hội và Hội nghị, "
        "tuyên truyền trực tiếp.",
        "Có 4 sản phẩm, hoạt động (100,0%) chưa ghi kênh đăng tải.",
    )


def test_channel_groups_and_unmapped_warning() -> None:
    acts = activities(
        ("10/01/2024", "A", TB, 3, "Cổng TTĐT tỉnh"),
        ("11/01/2024", "B", TB, 1, "Kênh XYZ"),
        ("31/12/2024", "A", TB, 1, None),
    )
    c = content(wb(activities=acts))
    assert (
        paragraphs(c, "kenh")[0]
        == "Theo nhóm kênh đăng tải: Cổng thông tin điện tử tỉnh: 3 (75,0%); Khác: 1 (25,0%)."
    )
    assert any(
        w.startswith("Kênh đăng tải chưa xếp được vào nhóm (tính vào nhóm Khác): Kênh XYZ")
        for w in c.warnings
    )


def test_year_plan_of_a_unit_existing_part_of_the_year_is_a_whole_number() -> None:
    # C exists from 16/08/2024: Q3 share 46/92 -> 10/4 x 0.5 = 1.25, Q4 2.5: year plan 3.75 -> 4
    ws = wb(
        units=units("C", C=("2024-08-16", None)),
        targets=targets((2024, None, "C", TB, 10)),
        activities=activities(("20/08/2024", "C", TB, 1, None), ("31/12/2024", "C", TB, 1, None)),
    )
    c = content(ws, "2024-Q3")
    assert (
        "- Tin, bài: trong quý thực hiện 1; lũy kế từ đầu năm 1/4 tin, bài, đạt 26,7% kế hoạch năm."
        in paragraphs(c, "ket_qua")
    )
    assert "3,75" not in body(c) and "3,8" not in body(c)


def test_name_lists_are_capped() -> None:
    codes = [f"U{i}" for i in range(8)]
    ws = wb(
        units=units(*codes),
        targets=targets(*[(2024, None, c, TB, 4) for c in codes]),
        activities=activities(("31/12/2024", "U0", TB, 1, None)),
    )
    lines = paragraphs(content(ws), "ket_qua_don_vi")
    idle = next(p for p in lines if p.startswith("Các đơn vị được giao chỉ tiêu nhưng chưa có hoạt động"))
    assert idle.endswith("Xã U0, Xã U1, Xã U2, Xã U3, Xã U4 và 3 đơn vị khác (chi tiết tại Phụ lục).")


def test_funding_is_the_year_and_dated() -> None:
    funding = pd.DataFrame(
        {
            "year": [2024, 2024, 2023],
            "unit_code": ["A", "B", "A"],
            "allocated": [10, 30, 99],
            "spent": pd.array([5, None, 99], dtype="Int64"),
            "note": [None] * 3,
        }
    )
    c = content(wb(funding=funding), as_of=date(2024, 4, 2))
    assert paragraphs(c, "kinh_phi") == (
        "Kinh phí thông tin, tuyên truyền cải cách hành chính năm 2024 (số liệu cả năm, không riêng quý I năm "
        "2024), theo số liệu cập nhật đến ngày 02/04/2024: dự toán của 2 cơ quan, đơn vị 40 đồng; đã chi 5 đồng, "
        "đạt 12,5% dự toán năm.",
    )
    undated = content(wb(funding=funding))
    assert "theo số liệu hiện có" in paragraphs(undated, "kinh_phi")[0]
    assert any("ngày cập nhật số liệu kinh phí" in w for w in undated.warnings)


def test_intro_names_the_year_plan_or_warns() -> None:
    from cchc_lib.common.settings import PlanReference

    plain = content(wb())
    assert plain.intro.startswith("UBND huyện Cẩm Xuyên báo cáo kết quả công tác thông tin, tuyên truyền")
    assert any(w.startswith("Chưa khai báo kế hoạch năm 2024") for w in plain.warnings)
    settings = Settings(
        plans=(PlanReference(2024, "45/KH-UBND", "15/01/2024", "thông tin, tuyên truyền CCHC năm 2024"),)
    )
    c = build_content(wb(), parse_period("2024-Q1"), "calendar", settings)
    assert c.intro.startswith(f"Thực hiện {settings.plan_reference_for(2024)}, UBND huyện Cẩm Xuyên báo cáo")
    assert not any(w.startswith("Chưa khai báo kế hoạch") for w in c.warnings)


def plan_rows(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    """(number, dd/mm/yyyy, doc_type, summary) directive rows issued by "UBND huyện"."""
    return pd.DataFrame(
        {
            "number": [r[0] for r in rows],
            "issued_date": pd.to_datetime([r[1] for r in rows], format="%d/%m/%Y"),
            "issuer": ["UBND huyện"] * len(rows),
            "doc_type": [r[2] for r in rows],
            "summary": [r[3] for r in rows],
        }
    )


@pytest.mark.parametrize("period", ["2024-Q1", "2024-Q3", "2024"])
def test_intro_cites_the_year_plan_of_the_directive_sheet(period: str) -> None:
    sheet = plan_rows(
        ("7/UBND", "05/01/2024", "Công văn", "Về việc tuyên truyền cải cách hành chính năm 2024"),
        (
            "9/KH-UBND",
            "20/01/2023",
            "Kế hoạch",
            "Kế hoạch thông tin, tuyên truyền cải cách hành chính năm 2023",
        ),
        (
            "15/KH-UBND",
            "10/01/2024",
            "Kế hoạch",
            "Kế hoạch thông tin, tuyên truyền cải cách hành chính năm 2024",
        ),
        ("20/KH-UBND", "12/02/2024", "Kế hoạch", "Kế hoạch kiểm tra công tác văn thư năm 2024"),
    )
    c = content(wb(directives=sheet), period)
    assert c.intro.startswith(
        "Thực hiện Kế hoạch số 15/KH-UBND ngày 10/01/2024 của UBND huyện về thông tin, tuyên truyền cải cách "
        "hành chính năm 2024, UBND huyện Cẩm Xuyên báo cáo"
    )
    assert not any(w.startswith("Chưa khai báo kế hoạch") for w in c.warnings)


def test_a_setting_for_the_year_wins_over_the_directive_sheet() -> None:
    from cchc_lib.common.settings import PlanReference

    sheet = plan_rows(
        (
            "15/KH-UBND",
            "10/01/2024",
            "Kế hoạch",
            "Kế hoạch thông tin, tuyên truyền cải cách hành chính năm 2024",
        ),
    )
    settings = Settings(
        plans=(PlanReference(2024, "45/KH-UBND", "15/01/2024", "tuyên truyền CCHC năm 2024"),)
    )
    c = build_content(wb(directives=sheet), parse_period("2024-Q1"), "calendar", settings)
    assert c.intro.startswith(f"Thực hiện {settings.plan_reference_for(2024)}, ")
    assert "15/KH-UBND ngày 10/01/2024" not in c.intro


def test_no_plan_of_that_year_in_the_sheet_still_warns() -> None:
    sheet = plan_rows(
        (
            "9/KH-UBND",
            "20/01/2023",
            "Kế hoạch",
            "Kế hoạch thông tin, tuyên truyền cải cách hành chính năm 2023",
        ),
    )
    c = content(wb(directives=sheet))
    assert c.intro.startswith("UBND huyện Cẩm Xuyên báo cáo")
    assert any(w.startswith("Chưa khai báo kế hoạch năm 2024") for w in c.warnings)
