"""The compatibility module, the editing helpers, and the sentence writers from hand-made figures."""

from __future__ import annotations

from datetime import date

import pytest

from cchc_lib.common.periods import Period
from cchc_lib.common.settings import Settings
from cchc_lib.documents import narrative, report_content
from cchc_lib.documents.report_content import (
    Section,
    Sentence,
    content_from_facts,
    paragraphs_from_text,
    placeholder,
    section_text,
)
from cchc_lib.documents.report_facts import InitiativeFigures, ReportFacts, TypeFacts, UnitFacts


def test_narrative_re_exports_the_content_model() -> None:
    for name in (
        "Sentence",
        "Section",
        "ReportContent",
        "build_content",
        "section_text",
        "paragraphs_from_text",
    ):
        assert getattr(narrative, name) is getattr(report_content, name)


@pytest.mark.parametrize(
    ("text", "paragraphs"),
    [
        ("", ()),
        ("Một dòng.", ("Một dòng.",)),
        ("  Dòng 1.  \n\n\t\n- Ý 2;\r\n- Ý 3.\n", ("Dòng 1.", "- Ý 2;", "- Ý 3.")),
    ],
)
def test_paragraphs_from_text(text: str, paragraphs: tuple[str, ...]) -> None:
    assert paragraphs_from_text(text) == paragraphs


def test_section_text_round_trips() -> None:
    section = Section(
        "kien_nghi", "IV. KIẾN NGHỊ, ĐỀ XUẤT", (Sentence("Câu 1.", {"n": 1}), Sentence("- Ý 2."))
    )
    assert section.paragraphs == ("Câu 1.", "- Ý 2.")
    assert section_text(section) == "Câu 1.\n- Ý 2."
    assert paragraphs_from_text(section_text(section)) == section.paragraphs


def test_placeholder_is_marked() -> None:
    assert placeholder("nguyên nhân.") == "[Đề nghị bổ sung: nguyên nhân.]"


# ------------------------------------------------------------------------------------------------
# the writers from hand-made figures (plain data in, Vietnamese text out)


def facts(**extra) -> ReportFacts:
    base = dict(
        period=Period(2024, "H1"),
        calendar="calendar",
        first_day=date(2024, 1, 1),
        last_day=date(2024, 6, 30),
        types=(
            # 30 done in H1 against a pro-rated 20 (150 %); 30 of a year plan 40 (75 %)
            TypeFacts(
                "TIN_BAI", "Tin, bài", "tin, bài", actual=30, planned=20.0, year_plan_raw=40.0, ytd_actual=30
            ),
            # a merged unit's pro-rated share: year plan 2.5 is printed 3 (total 42.5 -> 43; % from 42.5: 72.9)
            TypeFacts(
                "PHONG_SU", "Phóng sự", "phóng sự", actual=1, planned=1.25, year_plan_raw=2.5, ytd_actual=1
            ),
        ),
        units=(
            UnitFacts("A", "Phòng A", 10.0, 12, "complete"),
            UnitFacts("B", "Xã B", 10.0, 8, "near"),
            UnitFacts("C", "Xã C", 10.0, 3, "behind"),
            UnitFacts("D", "Xã D", 4.0, 0, "no_activity"),
            UnitFacts("E", "Xã E", 0.0, 2, "no_plan"),
        ),
        complete_pct=100.0,
        near_pct=70.0,
        data_until=date(2024, 7, 3),
        as_of=None,
        comparable=False,
    )
    base.update(extra)
    return ReportFacts(**base)


def test_results_from_hand_made_figures() -> None:
    c = content_from_facts(facts(), Settings())
    assert c.section("ket_qua").paragraphs == (
        "Trong 6 tháng, 4/5 cơ quan, đơn vị có sản phẩm, hoạt động thông tin, tuyên truyền cải cách hành chính, "
        "tổng cộng 31 sản phẩm, hoạt động.",
        "Lũy kế từ đầu năm đến ngày 30/06/2024, thực hiện 31/43 sản phẩm, hoạt động, đạt 72,9% kế hoạch năm 2024.",
        "So với kế hoạch phân bổ cho 6 tháng đầu năm 2024 (chỉ tiêu quý và phần chỉ tiêu năm chia đều theo quý), "
        "kết quả trong 6 tháng đạt 145,9%, đạt tiến độ.",
        "Cụ thể:",
        "- Tin, bài: trong 6 tháng thực hiện 30; lũy kế từ đầu năm 30/40 tin, bài, đạt 75,0% kế hoạch năm;",
        "- Phóng sự: trong 6 tháng thực hiện 1; lũy kế từ đầu năm 1/3 phóng sự, đạt 40,0% kế hoạch năm.",
    )
    assert c.section("ket_qua_don_vi").paragraphs[0] == (
        "Trong số 4 cơ quan, đơn vị được giao chỉ tiêu trong 6 tháng: 1 đơn vị hoàn thành kế hoạch (đạt từ 100% "
        "trở lên); 3 đơn vị chưa hoàn thành, gồm 1 đơn vị đạt từ 70% đến dưới 100%, 1 đơn vị đạt dưới 70% và 1 "
        "đơn vị chưa có hoạt động."
    )
    assert c.section("ket_qua_don_vi").paragraphs[-1] == (
        "Có 1 cơ quan, đơn vị không được giao chỉ tiêu trong 6 tháng, trong đó 1 đơn vị có hoạt động."
    )
    assert c.section("phuong_huong").heading == "III. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM 2024"


def test_initiatives_from_hand_made_figures() -> None:
    ini = InitiativeFigures(
        2024,
        total=5,
        in_use=1,
        replicated=1,
        proposed=2,
        no_status=1,
        other=0,
        applied_items=(("Cà phê số", "Xã B", "Đang áp dụng"), ("Zalo một cửa", "Xã C", "Đã nhân rộng")),
    )
    lines = content_from_facts(facts(initiatives=ini), Settings()).section("sang_kien").paragraphs
    assert lines == (
        "Năm 2024 ghi nhận 5 sáng kiến, mô hình mới về cải cách hành chính, trong đó 2 sáng kiến, mô hình được áp "
        "dụng (1 đang áp dụng và 1 đã nhân rộng); 2 sáng kiến, mô hình mới được đề xuất; 1 chưa ghi tình trạng.",
        "Các sáng kiến, mô hình được áp dụng tiêu biểu:",
        "- Cà phê số (Xã B, đang áp dụng);",
        "- Zalo một cửa (Xã C, đã nhân rộng).",
    )
