"""Parts II-IV of the report: đánh giá (ưu điểm, tồn tại, nguyên nhân), phương hướng, kiến nghị."""

from __future__ import annotations

from cchc_lib.common.formatting import fmt_date, fmt_int, fmt_num
from cchc_lib.common.periods import Period
from cchc_lib.documents.report_facts import ReportFacts, TypeFacts
from cchc_lib.documents.report_model import MAX_NAMES, Sentence, placeholder
from cchc_lib.documents.report_wording import (
    SUBJECT,
    Words,
    capped_units,
    end_items,
    join_words,
    pct_text,
    threshold_text,
)

__all__ = ["kien_nghi", "nguyen_nhan", "phuong_huong", "ton_tai", "uu_diem"]


def on_track(t: TypeFacts, f: ReportFacts) -> float | None:
    """The type's progress measure: the year's % in a year report, else the pro-rated period's %."""
    return t.ytd_pct if f.period.is_year else t.period_pct


def uu_diem(f: ReportFacts, w: Words) -> tuple[tuple[Sentence, ...], bool]:
    """II.1 strengths from the figures, or a placeholder; (sentences, placeholder?)."""
    lines: list[Sentence] = []
    good = [t for t in f.types if on_track(t, f) is not None and on_track(t, f) >= f.complete_pct]
    measure = "kế hoạch năm" if f.period.is_year else "tiến độ kế hoạch của kỳ"
    if good:
        lines.append(
            Sentence(
                f"Đạt và vượt {measure} đối với: {join_words(f'{t.name} ({pct_text(on_track(t, f))})' for t in good)}.",
                {"types": tuple(t.code for t in good), "type_pcts": tuple(on_track(t, f) for t in good)},
            )
        )
    complete = f.by_status("complete")
    if complete:
        lines.append(
            Sentence(
                f"Có {fmt_int(len(complete))} cơ quan, đơn vị hoàn thành kế hoạch {w.in_span}.",
                {"complete": len(complete)},
            )
        )
    if f.comparable and f.actual_prev and f.actual > 0:
        tracked = [t for t in f.types if t.actual_prev is not None]
        now, before = sum(t.actual for t in tracked), sum(t.actual_prev or 0 for t in tracked)
        if before > 0 and now > before:
            lines.append(
                Sentence(
                    f"Số {SUBJECT} tăng {fmt_num((now - before) / before * 100, 1)}% so với cùng kỳ năm trước"
                    + (
                        ""
                        if f.comparison_covers_all_types
                        else " (trên các loại hoạt động có theo dõi cùng kỳ)"
                    )
                    + ".",
                    {"change_pct": (now - before) / before * 100, "direction": "tăng"},
                )
            )
    if not lines:
        lines.append(Sentence(placeholder("ưu điểm của công tác thông tin, tuyên truyền trong kỳ.")))
        return tuple(lines), True
    return tuple(lines), False


def ton_tai(f: ReportFacts, w: Words) -> tuple[tuple[Sentence, ...], bool]:
    """II.2 shortcomings from the figures, or a placeholder; (sentences, placeholder?)."""
    lines: list[Sentence] = []
    if f.actual == 0 and f.planned <= 0 and f.year_plan_raw <= 0:
        lines.append(
            Sentence(
                f"Sổ theo dõi chưa có chỉ tiêu và chưa ghi nhận {SUBJECT} nào của {w.phrase}.",
                {"actual": 0, "year_plan": 0},
            )
        )
        return tuple(lines), False
    weak = [t for t in f.types if on_track(t, f) is not None and on_track(t, f) < f.near_pct]
    if weak:
        measure = "kế hoạch năm" if f.period.is_year else "tiến độ kế hoạch của kỳ"
        lines.append(
            Sentence(
                f"Kết quả còn thấp so với {measure} (dưới {threshold_text(f.near_pct)}): "
                f"{join_words(f'{t.name} ({pct_text(on_track(t, f))})' for t in weak)}.",
                {
                    "types": tuple(t.code for t in weak),
                    "type_pcts": tuple(on_track(t, f) for t in weak),
                    "near_pct": f.near_pct,
                },
            )
        )
    below = f.below_plan
    with_plan = [u for u in f.units if u.status != "no_plan"]
    inactive = [u for u in f.units if u.actual == 0]
    if not with_plan and inactive and f.actual > 0:
        lines.append(
            Sentence(
                f"Có {fmt_int(len(inactive))}/{fmt_int(len(f.units))} cơ quan, đơn vị chưa có {SUBJECT} nào "
                f"{w.in_span}.",
                {"inactive_units": len(inactive), "units": len(f.units)},
            )
        )
    if below:
        idle = f.by_status("no_activity")
        tail = f", trong đó {fmt_int(len(idle))} đơn vị chưa có hoạt động nào" if idle else ""
        facts: dict[str, object] = {"below_plan": len(below), "units_with_plan": len(with_plan)}
        if idle:
            facts["no_activity"] = len(idle)
        lines.append(
            Sentence(
                f"Còn {fmt_int(len(below))}/{fmt_int(len(with_plan))} cơ quan, đơn vị được giao chỉ tiêu chưa hoàn "
                f"thành kế hoạch {w.in_span}{tail}.",
                facts,
            )
        )
    if f.channels is not None and f.channels.blank_quantity:
        lines.append(
            Sentence(
                f"Có {fmt_int(f.channels.blank_quantity)} {SUBJECT} chưa ghi kênh đăng tải trong sổ theo dõi.",
                {"blank_quantity": f.channels.blank_quantity},
            )
        )
    if f.reviews is not None and f.reviews.without_section:
        lines.append(
            Sentence(
                f"Có {fmt_int(len(f.reviews.without_section))} Trang thông tin điện tử chưa có chuyên mục cải cách "
                "hành chính khi rà soát.",
                {"without_section": len(f.reviews.without_section)},
            )
        )
    if not lines:
        lines.append(Sentence(placeholder("tồn tại, hạn chế trong kỳ (nếu có).")))
        return tuple(lines), True
    return tuple(lines), False


def nguyen_nhan(f: ReportFacts, w: Words) -> tuple[Sentence, ...]:
    """II.3 the facts behind the shortcomings, then a placeholder for the causes."""
    lines: list[Sentence] = []
    idle = f.by_status("no_activity")
    if idle:
        text, facts = capped_units(idle)
        lines.append(
            Sentence(
                f"Một số cơ quan, đơn vị được giao chỉ tiêu nhưng chưa có hoạt động nào {w.in_span} ({text}).",
                {**facts, "status": "no_activity"},
            )
        )
    if f.data_until is not None and f.data_until < f.last_day:
        lines.append(
            Sentence(
                f"Sổ theo dõi mới cập nhật số liệu đến ngày {fmt_date(f.data_until)}, chưa đủ cả kỳ báo cáo.",
                {"data_until": f.data_until},
            )
        )
    lines.append(Sentence(placeholder("nguyên nhân chủ quan, khách quan của các tồn tại, hạn chế nêu trên.")))
    return tuple(lines)


def phuong_huong(f: ReportFacts, w: Words, next_period: Period) -> tuple[Sentence, ...]:
    """III. tasks for the next period drawn from the figures (what is left, types and units behind)."""
    lines: list[Sentence] = []
    same_year = next_period.year == f.period.year
    if f.year_plan_raw > 0 and same_year:
        remaining = f.year_plan - f.ytd_actual
        if remaining > 0:
            lines.append(
                Sentence(
                    f"- Phấn đấu thực hiện {fmt_int(remaining)} {SUBJECT} còn lại để hoàn thành kế hoạch năm "
                    f"{f.period.year};",
                    {"remaining": remaining, "year": f.period.year},
                )
            )
        # behind schedule: the year-to-date actual is below the pro-rated plan to date
        behind_types = [t for t in f.types if t.ytd_pct is not None and t.ytd_actual < t.ytd_planned]
        behind_types.sort(key=lambda t: t.ytd_pct or 0)
        if behind_types:
            shown = behind_types[:MAX_NAMES]
            lines.append(
                Sentence(
                    "- Đẩy mạnh các loại hoạt động chậm so với tiến độ kế hoạch: "
                    f"{join_words(f'{t.name} (lũy kế đạt {pct_text(t.ytd_pct)} kế hoạch năm)' for t in shown)};",
                    {"types": tuple(t.code for t in shown), "type_pcts": tuple(t.ytd_pct for t in shown)},
                )
            )
    low = tuple(sorted(f.by_status("behind"), key=lambda u: u.pct or 0))
    if low:
        text, facts = capped_units(low, with_pct=True)
        lines.append(
            Sentence(
                f"- Các cơ quan, đơn vị chưa hoàn thành kế hoạch, nhất là {text}, tập trung khắc phục, "
                "bảo đảm hoàn thành chỉ tiêu được giao;",
                {**facts, "status": "behind"},
            )
        )
    idle = f.by_status("no_activity")
    if idle:
        text, facts = capped_units(idle)
        lines.append(
            Sentence(
                f"- Đôn đốc các cơ quan, đơn vị chưa có hoạt động {w.in_span} ({text}) triển khai ngay nhiệm vụ "
                "thông tin, tuyên truyền được giao;",
                {**facts, "status": "no_activity"},
            )
        )
    if f.reviews is not None and f.reviews.not_reviewed:
        lines.append(
            Sentence(
                f"- Rà soát Trang thông tin điện tử của {fmt_int(len(f.reviews.not_reviewed))} cơ quan, đơn vị chưa "
                f"được rà soát {w.in_span};",
                {"not_reviewed": len(f.reviews.not_reviewed)},
            )
        )
    if not same_year:
        lines.append(
            Sentence(
                f"- Xây dựng, ban hành kế hoạch thông tin, tuyên truyền cải cách hành chính năm {next_period.year};",
                {"next_year": next_period.year},
            )
        )
    lines.append(
        Sentence("- Cập nhật số liệu đầy đủ, kịp thời vào sổ theo dõi để phục vụ tổng hợp, báo cáo.")
    )
    return tuple(end_items(lines))


def kien_nghi(f: ReportFacts, w: Words) -> tuple[Sentence, ...]:
    """IV. fact-based proposals, then a placeholder."""
    lines: list[Sentence] = []
    no_plan = tuple(u for u in f.by_status("no_plan") if u.code not in f.merged_codes)
    if no_plan and len(no_plan) < len(f.units):
        lines.append(
            Sentence(
                f"Đề nghị giao chỉ tiêu thông tin, tuyên truyền cho {fmt_int(len(no_plan))} cơ quan, đơn vị chưa "
                f"được giao chỉ tiêu {w.in_span}.",
                {"no_plan": len(no_plan)},
            )
        )
    lines.append(Sentence(placeholder("kiến nghị, đề xuất với cơ quan cấp trên (nếu có).")))
    return tuple(lines)
