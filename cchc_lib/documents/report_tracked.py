"""Part I of the report, what the optional sheets track: channels and reform areas, portal reviews,
funding, initiatives."""

from __future__ import annotations

from cchc_lib.common.formatting import fmt_date, fmt_int, fmt_num
from cchc_lib.documents.report_facts import ReportFacts
from cchc_lib.documents.report_model import MAX_NAMES, Sentence
from cchc_lib.documents.report_wording import (
    SUBJECT,
    Words,
    capped_names,
    end_items,
    join_words,
    money_text,
    pct_text,
)
from cchc_lib.reading.channels import OTHER_GROUP_NAME

__all__ = ["kenh", "kinh_phi", "ra_soat", "sang_kien"]


def _share_list(rows) -> tuple[str, dict[str, object]]:
    text = "; ".join(f"{name}: {fmt_int(q)} ({pct_text(s)})" for name, q, s in rows)
    return text, {
        "groups": tuple(r[0] for r in rows),
        "quantities": tuple(r[1] for r in rows),
        "shares": tuple(r[2] for r in rows),
    }


def kenh(f: ReportFacts, w: Words) -> tuple[Sentence, ...]:
    """Section 4: quantities per channel group (zero groups in one sentence, blanks apart) and reform area."""
    if f.actual == 0:
        return (
            Sentence(
                f"{w.In_span} chưa có {SUBJECT} nào để tổng hợp theo kênh đăng tải và lĩnh vực tuyên truyền.",
                {"actual": 0},
            ),
        )
    lines: list[Sentence] = []
    ch = f.channels
    if ch is not None:
        used = [g for g in ch.groups if g[1] > 0]
        zero = [g[0] for g in ch.groups if g[1] == 0 and g[0] != OTHER_GROUP_NAME]
        if used:
            text, facts = _share_list(used)
            lines.append(Sentence(f"Theo nhóm kênh đăng tải: {text}.", facts))
        if zero:
            lines.append(
                Sentence(
                    f"Chưa có {SUBJECT} đăng tải, thực hiện qua: {join_words(zero)}.",
                    {"zero_groups": tuple(zero)},
                )
            )
        if ch.blank_quantity:
            lines.append(
                Sentence(
                    f"Có {fmt_int(ch.blank_quantity)} {SUBJECT} ({pct_text(ch.blank_share)}) chưa ghi kênh đăng tải.",
                    {"blank_quantity": ch.blank_quantity, "blank_share": ch.blank_share},
                )
            )
    if f.reform_areas:
        text, facts = _share_list(f.reform_areas)
        lines.append(
            Sentence(f"Theo lĩnh vực cải cách hành chính: {text}.", {**facts, "kind": "reform_area"})
        )
    return tuple(lines)


def ra_soat(f: ReportFacts, w: Words) -> tuple[Sentence, ...]:
    """Portal reviews dated in the period."""
    r = f.reviews
    assert r is not None
    lines: list[Sentence] = []
    if r.reviews == 0:
        lines.append(
            Sentence(
                f"{w.In_span} chưa tiến hành rà soát Trang thông tin điện tử của các cơ quan, đơn vị.",
                {"reviews": 0},
            )
        )
    else:
        facts: dict[str, object] = {
            "reviews": r.reviews,
            "units_reviewed": r.units_reviewed,
            "broken_links": r.broken_links,
        }
        score = ""
        if r.average_score is not None:
            score = f", điểm bình quân {fmt_num(r.average_score, 1)}/100"
            facts["average_score"] = r.average_score
            facts["score_max"] = 100
        found = (
            f"; phát hiện {fmt_int(r.broken_links)} liên kết hỏng"
            if r.broken_links
            else "; không phát hiện liên kết hỏng"
        )
        lines.append(
            Sentence(
                f"{w.In_span} đã thực hiện {fmt_int(r.reviews)} lượt rà soát Trang thông tin điện tử của "
                f"{fmt_int(r.units_reviewed)} cơ quan, đơn vị{score}{found}.",
                facts,
            )
        )
        for names, lead, kind in (
            (r.without_section, "Trang chưa có chuyên mục cải cách hành chính", "without_section"),
            (r.not_updated, "Trang chưa cập nhật tin cải cách hành chính khi rà soát", "not_updated"),
        ):
            if names:
                text, facts = capped_names(names)
                lines.append(Sentence(f"{lead}: {text}.", {**facts, "kind": kind}))
    if r.not_reviewed:
        lines.append(
            Sentence(
                f"Có {fmt_int(len(r.not_reviewed))} cơ quan, đơn vị có Trang thông tin điện tử chưa được rà soát "
                f"{w.in_span}.",
                {"not_reviewed": len(r.not_reviewed)},
            )
        )
    return tuple(lines)


def kinh_phi(f: ReportFacts, w: Words) -> tuple[Sentence, ...]:
    """The year's funding, dated with `as_of` and said to be the year's, not the period's."""
    fu = f.funding
    assert fu is not None
    if fu.units == 0:
        return (
            Sentence(
                f"Sổ theo dõi chưa có số liệu kinh phí năm {fu.year}.", {"year": fu.year, "funding_units": 0}
            ),
        )
    when = f"theo số liệu cập nhật đến ngày {fmt_date(f.as_of)}" if f.as_of else "theo số liệu hiện có"
    scope = "" if f.period.is_year else f" (số liệu cả năm, không riêng {w.phrase})"
    facts: dict[str, object] = {
        "year": fu.year,
        "funding_units": fu.units,
        "allocated": fu.allocated,
        "spent": fu.spent,
    }
    if f.as_of:
        facts["as_of"] = f.as_of
    share = ""
    if fu.allocated > 0:
        facts["spent_pct"] = fu.spent / fu.allocated * 100
        share = f", đạt {pct_text(fu.spent / fu.allocated * 100)} dự toán năm"
    return (
        Sentence(
            f"Kinh phí thông tin, tuyên truyền cải cách hành chính năm {fu.year}{scope}, {when}: dự toán của "
            f"{fmt_int(fu.units)} cơ quan, đơn vị {money_text(fu.allocated)}; đã chi {money_text(fu.spent)}{share}.",
            facts,
        ),
    )


def sang_kien(f: ReportFacts, w: Words) -> tuple[Sentence, ...]:
    """Initiatives of the year by status (applied = in use + replicated; proposed and blank apart)."""
    ini = f.initiatives
    assert ini is not None
    if ini.total == 0:
        return (
            Sentence(
                f"Năm {ini.year} chưa ghi nhận sáng kiến, mô hình mới nào về cải cách hành chính.",
                {"year": ini.year, "total": 0},
            ),
        )
    facts: dict[str, object] = {"year": ini.year, "total": ini.total, "applied": ini.applied}
    if ini.applied:
        detail = []
        if ini.in_use:
            detail.append(f"{fmt_int(ini.in_use)} đang áp dụng")
            facts["in_use"] = ini.in_use
        if ini.replicated:
            detail.append(f"{fmt_int(ini.replicated)} đã nhân rộng")
            facts["replicated"] = ini.replicated
        parts = [f"{fmt_int(ini.applied)} sáng kiến, mô hình được áp dụng ({join_words(detail)})"]
    else:
        parts = ["chưa có sáng kiến, mô hình nào được áp dụng"]
    if ini.proposed:
        parts.append(f"{fmt_int(ini.proposed)} sáng kiến, mô hình mới được đề xuất")
        facts["proposed"] = ini.proposed
    if ini.no_status:
        parts.append(f"{fmt_int(ini.no_status)} chưa ghi tình trạng")
        facts["no_status"] = ini.no_status
    if ini.other:
        parts.append(f"{fmt_int(ini.other)} có tình trạng khác")
        facts["other_status"] = ini.other
    lines = [
        Sentence(
            f"Năm {ini.year} ghi nhận {fmt_int(ini.total)} sáng kiến, mô hình mới về cải cách hành chính, trong đó "
            f"{'; '.join(parts)}.",
            facts,
        )
    ]
    if ini.applied_items:
        lines.append(Sentence("Các sáng kiến, mô hình được áp dụng tiêu biểu:"))
        shown = ini.applied_items[:MAX_NAMES]
        items = [
            Sentence(
                f"- {name} ({unit}, {status.lower()})", {"initiative": name, "unit": unit, "status": status}
            )
            for name, unit, status in shown
        ]
        others = len(ini.applied_items) - len(shown)
        if others:
            items.append(
                Sentence(f"- Và {fmt_int(others)} sáng kiến, mô hình khác được áp dụng", {"others": others})
            )
        lines.extend(end_items(items))
    return tuple(lines)
