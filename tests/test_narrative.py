"""The report sentences from hand-made figures (plain data in, Vietnamese text out)."""

from __future__ import annotations

from datetime import date

import pytest

from cchc_lib.narrative import (
    FundingFigures,
    InitiativeFigure,
    ReportFigures,
    ReviewFigures,
    Share,
    TypeFigure,
    UnitFigure,
    channel_paragraphs,
    count_text,
    funding_paragraphs,
    initiative_paragraphs,
    intro_paragraph,
    overall_paragraphs,
    pct_text,
    period_phrase,
    report_sections,
    review_paragraphs,
    unit_paragraphs,
)

A = UnitFigure("A", "Phòng A", 10, 12)
B = UnitFigure("B", "Xã B", 10, 8)
C = UnitFigure("C", "Xã C", 10, 3)
D = UnitFigure("D", "Xã D", 4, 0)
E = UnitFigure("E", "Xã E", 0, 2)


def figures(previous: bool = True, **extra) -> ReportFigures:
    return ReportFigures(
        period_label="Quý I năm 2024",
        first_day=date(2024, 1, 1),
        last_day=date(2024, 3, 31),
        types=(
            TypeFigure("TIN_BAI", "Tin, bài", "tin, bài", 40, 30, 20 if previous else None),
            TypeFigure("PHONG_SU", "Phóng sự", "phóng sự", 4, 5, 0 if previous else None),
        ),
        units=(A, B, C, D, E),
        statuses={"complete": (A,), "near": (B,), "behind": (C,), "no_activity": (D,), "no_plan": (E,)},
        previous_label="Quý I năm 2023" if previous else None,
        **extra,
    )


@pytest.mark.parametrize(("value", "text"), [(12.0, "12"), (1234, "1.234"), (2.5, "2,5"), (0.25, "0,3")])
def test_count_text(value: float, text: str) -> None:
    assert count_text(value) == text


def test_small_helpers() -> None:
    assert pct_text(87.46) == "87,5%"
    assert pct_text(None) == "—"
    assert period_phrase("Năm 2024") == "năm 2024"
    assert period_phrase("6 tháng đầu năm 2024") == "6 tháng đầu năm 2024"


def test_intro() -> None:
    assert intro_paragraph(figures(), "UBND huyện Cẩm Xuyên", "Kế hoạch số 12/KH-UBND") == (
        "Thực hiện Kế hoạch số 12/KH-UBND, UBND huyện Cẩm Xuyên báo cáo kết quả công tác thông tin, tuyên "
        "truyền cải cách hành chính quý I năm 2024 (số liệu từ ngày 01/01/2024 đến ngày 31/03/2024) như sau:"
    )


def test_overall_with_previous_year() -> None:
    lines = overall_paragraphs(figures())
    # 35 of 44 planned = 79.5 %
    assert lines[0] == (
        "Trong kỳ, 5 cơ quan, đơn vị đã thực hiện tổng cộng 35 sản phẩm, hoạt động thông tin, tuyên truyền "
        "cải cách hành chính, đạt 79,5% kế hoạch của kỳ (44). Cụ thể:"
    )
    assert lines[1] == "- Tin, bài: thực hiện 30/40 tin, bài theo kế hoạch, đạt 75,0%;"
    assert lines[2] == "- Phóng sự: thực hiện 5/4 phóng sự theo kế hoạch, đạt 125,0%."
    # only Tin, bài has last year's figure: 30 against 20 = +10 (+50 %)
    assert lines[3] == (
        "So với cùng kỳ năm trước (quý I năm 2023: 20 sản phẩm, hoạt động), tính trên các loại có số liệu "
        "cùng kỳ (Tin, bài), tổng số tăng 10 (tăng 50,0%)."
    )
    assert lines[4] == "- Tin, bài: 30 (cùng kỳ 20), tăng 10 (tăng 50,0%);"
    assert lines[5] == "- Phóng sự: 5 (cùng kỳ 0), cùng kỳ chưa có."


def test_overall_without_previous_year_or_data() -> None:
    assert overall_paragraphs(figures(previous=False))[-1] == "Chưa có số liệu cùng kỳ năm trước để so sánh."
    empty = ReportFigures("Quý I năm 2030", date(2030, 1, 1), date(2030, 3, 31), (), (), {})
    assert overall_paragraphs(empty) == (
        "Trong kỳ chưa có chỉ tiêu và chưa có hoạt động thông tin, tuyên truyền nào được ghi nhận.",
    )


def test_units_by_class() -> None:
    assert unit_paragraphs(figures()) == (
        "Có 1/5 cơ quan, đơn vị hoàn thành kế hoạch (đạt từ 100% trở lên), gồm: Phòng A.",
        "Có 1 cơ quan, đơn vị đạt từ 70% đến dưới 100% kế hoạch: Xã B (80,0%).",
        "Có 1 cơ quan, đơn vị chưa hoàn thành kế hoạch (đạt dưới 70%): Xã C (30,0%).",
        "Có 1 cơ quan, đơn vị được giao chỉ tiêu nhưng chưa có hoạt động nào trong kỳ: Xã D.",
        "Có 1 cơ quan, đơn vị không được giao chỉ tiêu trong kỳ: Xã E.",
    )


def test_channels_and_areas() -> None:
    fig = figures(channels=(Share("Trang TTĐT huyện", 20, 57.14), Share("Báo Hà Tĩnh", 15, 42.86)))
    assert channel_paragraphs(fig) == (
        "Các kênh đăng tải chủ yếu: Trang TTĐT huyện (20, 57,1%) và Báo Hà Tĩnh (15, 42,9%).",
    )
    assert channel_paragraphs(figures()) == (
        "Các hoạt động trong kỳ chưa ghi kênh đăng tải và lĩnh vực cải cách hành chính.",
    )


def test_reviews_funding_initiatives() -> None:
    review = ReviewFigures(3, 2, 80.0, ("Xã C",), (), 4, ("Xã D",))
    assert review_paragraphs(review) == (
        "Trong kỳ đã thực hiện 3 lượt rà soát Trang thông tin điện tử của 2 cơ quan, đơn vị, điểm bình quân "
        "80,0/100; phát hiện 4 liên kết hỏng.",
        "Trang chưa có chuyên mục cải cách hành chính: Xã C.",
        "Chưa được rà soát trong kỳ: Xã D.",
    )
    assert funding_paragraphs(FundingFigures(2024, 2, 20_000_000, 5_000_000)) == (
        "Kinh phí thông tin, tuyên truyền cải cách hành chính năm 2024 của 2 cơ quan, đơn vị: dự toán "
        "20.000.000 đ, đã chi 5.000.000 đ, đạt 25,0% dự toán.",
    )
    items = (InitiativeFigure("Cà phê số", "Xã B", "Đang áp dụng"),)
    assert initiative_paragraphs(items, 2024) == (
        "Có 1 sáng kiến, mô hình mới được áp dụng trong cải cách hành chính năm 2024 (đang áp dụng: 1), tiêu biểu:",
        "- Cà phê số — Xã B (đang áp dụng).",
    )


def test_optional_sections_only_when_tracked() -> None:
    plain = [s.heading for s in report_sections(figures())]
    assert plain == [
        "I. KẾT QUẢ THỰC HIỆN",
        "1. Kết quả thực hiện kế hoạch",
        "2. Kết quả theo cơ quan, đơn vị",
        "3. Kênh đăng tải và lĩnh vực tuyên truyền",
        "II. ĐÁNH GIÁ CHUNG",
        "III. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI",
    ]
    full = figures(funding=FundingFigures(2024, 0, 0, 0), initiatives=())
    headings = [s.heading for s in report_sections(full)]
    assert "4. Kinh phí thực hiện" in headings and "5. Sáng kiến, mô hình mới" in headings
