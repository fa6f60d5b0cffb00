"""Part I of the report, results: 1. chỉ đạo, điều hành; 2. kết quả thực hiện kế hoạch; 3. by unit."""

from __future__ import annotations

from cchc_lib.common.formatting import fmt_date, fmt_int
from cchc_lib.documents.report_facts import DirectiveFigure, ReportFacts, TypeFacts
from cchc_lib.documents.report_model import Sentence, placeholder
from cchc_lib.documents.report_wording import (
    SUBJECT,
    TOPIC,
    Words,
    capped_units,
    change_text,
    direction_word,
    end_items,
    join_words,
    pct_text,
    period_phrase,
    threshold_text,
)

__all__ = ["chi_dao", "ket_qua", "ket_qua_don_vi", "plan_citation"]


def chi_dao(f: ReportFacts, w: Words) -> tuple[tuple[Sentence, ...], bool]:
    """Section 1: the directives issued in the period (or a placeholder when the sheet is absent); (sentences, placeholder?)."""
    if f.directives is None:
        return (
            (
                Sentence(
                    placeholder(
                        "các kế hoạch, văn bản chỉ đạo, đôn đốc về công tác thông tin, tuyên truyền cải cách "
                        "hành chính đã ban hành trong kỳ (số, ngày, trích yếu)."
                    )
                ),
            ),
            True,
        )
    if not f.directives:
        return (
            (
                Sentence(
                    f"{w.In_span} (từ ngày {fmt_date(f.first_day)} đến ngày {fmt_date(f.last_day)}), sổ theo dõi "
                    f"không ghi nhận văn bản chỉ đạo, điều hành nào về công tác {TOPIC}.",
                    {"directives": 0, "first_day": f.first_day, "last_day": f.last_day},
                ),
            ),
            False,
        )
    head = Sentence(
        f"{w.In_span}, đã ban hành {fmt_int(len(f.directives))} văn bản chỉ đạo, điều hành công tác {TOPIC}:",
        {"directives": len(f.directives)},
    )
    items = []
    for d in f.directives:
        kind = d.doc_type or "Văn bản"
        number = f" số {d.number}" if d.number else ""
        issuer = f" của {d.issuer}" if d.issuer else ""
        about = _about(d.summary, d.doc_type)
        summary = f" về {about}" if about else ""
        items.append(
            Sentence(
                f"- {kind}{number} ngày {fmt_date(d.issued)}{issuer}{summary}",
                {
                    "doc_type": kind,
                    "number": d.number,
                    "issued": d.issued,
                    "issuer": d.issuer,
                    "summary": about,
                },
            )
        )
    return (head, *end_items(items)), False


def plan_citation(plan: DirectiveFigure | None) -> str:
    """ "Kế hoạch số 15/KH-UBND ngày 10/01/2024 của UBND huyện Cẩm Xuyên về thông tin, tuyên truyền …"
    for the intro's "Thực hiện …" ("" for None)."""
    if plan is None:
        return ""
    number = f" số {plan.number}" if plan.number else ""
    issuer = f" của {plan.issuer}" if plan.issuer else ""
    about = _about(plan.summary, plan.doc_type or "Kế hoạch")
    return f"Kế hoạch{number} ngày {fmt_date(plan.issued)}{issuer}" + (f" về {about}" if about else "")


def _about(summary: str, doc_type: str = "") -> str:
    """A directive's trích yếu after "về": a leading "Về"/"V/v" or the document's own kind ("Kế hoạch
    thông tin…" of a Kế hoạch) dropped, the first letter lower-cased unless the first word is an
    abbreviation ("UBND")."""
    text = summary.strip()
    leads = ["V/v ", "v/v ", "Về việc ", "về việc ", "Về ", "về "]
    if doc_type:
        leads.append(doc_type + " ")
    for lead in leads:
        if text.lower().startswith(lead.lower()) and len(text) > len(lead):
            text = text[len(lead) :]
            break
    if len(text) > 1 and text[1].islower():
        text = text[0].lower() + text[1:]
    return text


def _type_line(t: TypeFacts, f: ReportFacts, w: Words) -> Sentence | None:
    measure = f" {t.measure}" if t.measure else ""
    if f.period.is_year:
        if t.year_plan_raw <= 0:
            if t.actual == 0:
                return None
            return Sentence(
                f"- {t.name}: thực hiện {fmt_int(t.actual)}{measure} (không có chỉ tiêu năm)",
                {"type_code": t.code, "actual": t.actual, "year_plan": 0},
            )
        return Sentence(
            f"- {t.name}: thực hiện {fmt_int(t.actual)}/{fmt_int(t.year_plan)}{measure}, "
            f"đạt {pct_text(t.ytd_pct)} kế hoạch năm",
            {"type_code": t.code, "ytd_actual": t.ytd_actual, "year_plan": t.year_plan, "ytd_pct": t.ytd_pct},
        )
    if t.year_plan_raw <= 0:
        if t.actual == 0 and t.ytd_actual == 0:
            return None
        if f.period.year_to_date() == f.period:  # the period is the year so far: no separate lũy kế
            return Sentence(
                f"- {t.name}: {w.in_span} thực hiện {fmt_int(t.actual)}{measure} (không có chỉ tiêu năm)",
                {"type_code": t.code, "actual": t.actual, "year_plan": 0},
            )
        return Sentence(
            f"- {t.name}: {w.in_span} thực hiện {fmt_int(t.actual)}{measure}; lũy kế từ đầu năm "
            f"{fmt_int(t.ytd_actual)} (không có chỉ tiêu năm)",
            {"type_code": t.code, "actual": t.actual, "ytd_actual": t.ytd_actual, "year_plan": 0},
        )
    return Sentence(
        f"- {t.name}: {w.in_span} thực hiện {fmt_int(t.actual)}; lũy kế từ đầu năm "
        f"{fmt_int(t.ytd_actual)}/{fmt_int(t.year_plan)}{measure}, đạt {pct_text(t.ytd_pct)} kế hoạch năm",
        {
            "type_code": t.code,
            "actual": t.actual,
            "ytd_actual": t.ytd_actual,
            "year_plan": t.year_plan,
            "ytd_pct": t.ytd_pct,
        },
    )


def _verdict(pct: float, f: ReportFacts) -> str:
    if pct >= f.complete_pct:
        return "đạt tiến độ"
    if pct >= f.near_pct:
        return "gần đạt tiến độ"
    return "chậm so với tiến độ"


def ket_qua(f: ReportFacts, w: Words) -> tuple[Sentence, ...]:
    """Section 2: active units, the year plan and the cumulative result, progress of the period as a %, per type, last year."""
    lines: list[Sentence] = []
    if f.actual == 0 and f.planned <= 0 and f.year_plan_raw <= 0:
        lines.append(
            Sentence(
                f"{f.period.label} chưa có chỉ tiêu kế hoạch và sổ theo dõi chưa ghi nhận {SUBJECT} {TOPIC} nào.",
                {"actual": 0, "year_plan": 0},
            )
        )
        return tuple(lines)
    units, active = len(f.units), len(f.active_units)
    if f.actual > 0:
        lines.append(
            Sentence(
                f"{w.In_span}, {fmt_int(active)}/{fmt_int(units)} cơ quan, đơn vị có {SUBJECT} {TOPIC}, "
                f"tổng cộng {fmt_int(f.actual)} {SUBJECT}.",
                {"active_units": active, "units": units, "actual": f.actual},
            )
        )
    else:
        lines.append(
            Sentence(
                f"{w.In_span}, sổ theo dõi chưa ghi nhận {SUBJECT} {TOPIC} nào của {fmt_int(units)} cơ quan, "
                "đơn vị thuộc phạm vi báo cáo.",
                {"active_units": 0, "units": units, "actual": 0},
            )
        )
    if f.data_until is not None and f.data_until < f.last_day:
        lines.append(
            Sentence(
                f"Số liệu trong kỳ mới được cập nhật đến ngày {fmt_date(f.data_until)}.",
                {"data_until": f.data_until},
            )
        )
    if f.year_plan_raw <= 0:
        lines.append(
            Sentence(
                f"Năm {f.period.year} chưa có chỉ tiêu kế hoạch được giao nên báo cáo không tính tỷ lệ hoàn thành.",
                {"year_plan": 0, "year": f.period.year},
            )
        )
    elif f.period.is_year:
        lines.append(
            Sentence(
                f"So với kế hoạch năm {f.period.year}: thực hiện {fmt_int(f.ytd_actual)}/{fmt_int(f.year_plan)} "
                f"{SUBJECT}, đạt {pct_text(f.ytd_pct)} kế hoạch.",
                {
                    "year": f.period.year,
                    "ytd_actual": f.ytd_actual,
                    "year_plan": f.year_plan,
                    "ytd_pct": f.ytd_pct,
                },
            )
        )
    else:
        ytd_last = f.period.year_to_date().bounds(f.calendar, f.cutoff_day)[1]
        lines.append(
            Sentence(
                f"Lũy kế từ đầu năm đến ngày {fmt_date(ytd_last)}, thực hiện {fmt_int(f.ytd_actual)}/"
                f"{fmt_int(f.year_plan)} {SUBJECT}, đạt {pct_text(f.ytd_pct)} kế hoạch năm {f.period.year}.",
                {
                    "ytd_until": ytd_last,
                    "ytd_actual": f.ytd_actual,
                    "year_plan": f.year_plan,
                    "ytd_pct": f.ytd_pct,
                    "year": f.period.year,
                },
            )
        )
        if f.planned > 0:
            pct = f.period_pct or 0.0
            lines.append(
                Sentence(
                    f"So với kế hoạch phân bổ cho {w.phrase} (chỉ tiêu quý và phần chỉ tiêu năm chia đều theo quý), "
                    f"kết quả {w.in_span} đạt {pct_text(pct)}, {_verdict(pct, f)}.",
                    {"period_pct": pct, "verdict": _verdict(pct, f)},
                )
            )
        else:
            lines.append(
                Sentence(
                    f"{w.In_span} không có chỉ tiêu được phân bổ nên không đánh giá tiến độ của kỳ.",
                    {"planned": 0},
                )
            )
    items = [s for s in (_type_line(t, f, w) for t in f.types) if s is not None]
    if items:
        lines.append(Sentence("Cụ thể:"))
        lines.extend(end_items(items))
    lines.extend(_comparison(f, w))
    return tuple(lines)


def _comparison(f: ReportFacts, w: Words) -> list[Sentence]:
    if not f.comparable:
        return []
    prev = f.period.previous_year()
    tracked = [t for t in f.types if t.actual_prev is not None]
    untracked = [t for t in f.types if t.actual_prev is None and t.actual > 0]
    if not tracked:
        return []
    now = sum(t.actual for t in tracked)
    before = sum(t.actual_prev or 0 for t in tracked)
    lines: list[Sentence] = []
    scope = "" if not untracked else ", tính trên các loại hoạt động có theo dõi cùng kỳ"
    if before > 0:
        lines.append(
            Sentence(
                f"So với cùng kỳ năm trước ({period_phrase(prev.label)}{scope}): {fmt_int(now)} {SUBJECT} so với "
                f"{fmt_int(before)}, {change_text(now, before)}.",
                {
                    "actual_cmp": now,
                    "actual_prev": before,
                    "change": abs(now - before),
                    "change_pct": abs(now - before) / before * 100,
                    "direction": "tăng" if now > before else ("giảm" if now < before else "bằng"),
                },
            )
        )
        items = []
        for t in tracked:
            p = t.actual_prev or 0
            if p == 0:
                items.append(
                    Sentence(
                        f"- {t.name}: {fmt_int(t.actual)} (cùng kỳ chưa có)",
                        {"type_code": t.code, "actual": t.actual, "actual_prev": 0},
                    )
                )
                continue
            items.append(
                Sentence(
                    f"- {t.name}: {fmt_int(t.actual)} (cùng kỳ {fmt_int(p)}), {change_text(t.actual, p)}",
                    {
                        "type_code": t.code,
                        "actual": t.actual,
                        "actual_prev": p,
                        "change": abs(t.actual - p),
                        "change_pct": abs(t.actual - p) / p * 100,
                        "direction": "tăng" if t.actual > p else ("giảm" if t.actual < p else "bằng"),
                    },
                )
            )
        if len(items) > 1:
            lines.extend(end_items(items))
    if untracked:
        lines.append(
            Sentence(
                f"Chưa có số liệu cùng kỳ để so sánh đối với: {join_words(t.name for t in untracked)}.",
                {"untracked_types": tuple(t.code for t in untracked)},
            )
        )
    return lines


def ket_qua_don_vi(f: ReportFacts, w: Words) -> tuple[Sentence, ...]:
    """Section 3: mergers of the period, classes of the units with a plan, a few names per class."""
    lines: list[Sentence] = []
    for m in f.mergers:
        lines.append(
            Sentence(
                f"Từ ngày {fmt_date(m.merge_date)}, {join_words(m.predecessors)} sáp nhập thành {m.successor}.",
                {"merge_date": m.merge_date, "predecessors": m.predecessors, "successor": m.successor},
            )
        )
        if m.predecessors_actual:
            lines.append(
                Sentence(
                    f"Trong kỳ, trước khi sáp nhập, {join_words(m.predecessors)} thực hiện "
                    f"{fmt_int(m.predecessors_actual)} {SUBJECT}; {m.successor} thực hiện "
                    f"{fmt_int(m.successor_actual)} {SUBJECT}.",
                    {
                        "predecessors": m.predecessors,
                        "predecessors_actual": m.predecessors_actual,
                        "successor": m.successor,
                        "successor_actual": m.successor_actual,
                    },
                )
            )
        if m.successor_prev:
            now = m.merged_actual
            scope = "" if f.comparison_covers_all_types else ", trên các loại hoạt động có theo dõi cùng kỳ"
            lines.append(
                Sentence(
                    f"So với cùng kỳ năm trước{scope}, {m.successor} (tính gộp cả các đơn vị trước sáp nhập) thực "
                    f"hiện {fmt_int(now)} so với {fmt_int(m.successor_prev)} {SUBJECT}, "
                    f"{change_text(now, m.successor_prev)}.",
                    {
                        "predecessors": m.predecessors,
                        "successor": m.successor,
                        "merged_actual": now,
                        "successor_prev": m.successor_prev,
                        "change": abs(now - m.successor_prev),
                        "change_pct": abs(now - m.successor_prev) / m.successor_prev * 100,
                        "direction": direction_word(now, m.successor_prev),
                    },
                )
            )
    if not f.units:
        lines.append(Sentence("Không có cơ quan, đơn vị nào thuộc phạm vi báo cáo trong kỳ.", {"units": 0}))
        return tuple(lines)
    with_plan = [u for u in f.units if u.status != "no_plan"]
    no_plan = f.by_status("no_plan")
    if not with_plan:
        lines.append(
            Sentence(
                f"{w.In_span}, các cơ quan, đơn vị không có chỉ tiêu được phân bổ nên chưa xếp loại mức độ hoàn "
                "thành kế hoạch.",
                {"units_with_plan": 0},
            )
        )
    else:
        complete = f.by_status("complete")
        near, behind, idle = f.by_status("near"), f.by_status("behind"), f.by_status("no_activity")
        below = len(near) + len(behind) + len(idle)
        full, close = threshold_text(f.complete_pct), threshold_text(f.near_pct)
        parts = []
        if near:
            parts.append(f"{fmt_int(len(near))} đơn vị đạt từ {close} đến dưới {full}")
        if behind:
            parts.append(f"{fmt_int(len(behind))} đơn vị đạt dưới {close}")
        if idle:
            parts.append(f"{fmt_int(len(idle))} đơn vị chưa có hoạt động")
        facts: dict[str, object] = {
            "units_with_plan": len(with_plan),
            "complete": len(complete),
            "below_plan": below,
            "complete_pct": f.complete_pct,
        }
        if near:
            facts["near"] = len(near)
        if behind:
            facts["behind"] = len(behind)
        if near or behind:
            facts["near_pct"] = f.near_pct
        if idle:
            facts["no_activity"] = len(idle)
        done = (
            f"{fmt_int(len(complete))} đơn vị hoàn thành kế hoạch (đạt từ {full} trở lên)"
            if complete
            else f"chưa có đơn vị nào hoàn thành kế hoạch (đạt từ {full} trở lên)"
        )
        rest = (
            f"; {fmt_int(below)} đơn vị chưa hoàn thành, gồm {join_words(parts)}"
            if below
            else "; không có đơn vị nào chưa hoàn thành"
        )
        lines.append(
            Sentence(
                f"Trong số {fmt_int(len(with_plan))} cơ quan, đơn vị được giao chỉ tiêu {w.in_span}: {done}{rest}.",
                facts,
            )
        )
        if complete:
            ranked = tuple(sorted(complete, key=lambda u: -(u.pct or 0)))
            text, facts = capped_units(ranked)
            lines.append(
                Sentence(f"Các đơn vị hoàn thành kế hoạch: {text}.", {**facts, "status": "complete"})
            )
        if behind:
            ranked = tuple(sorted(behind, key=lambda u: u.pct or 0))
            text, facts = capped_units(ranked, with_pct=True)
            lines.append(
                Sentence(
                    f"Các đơn vị có tỷ lệ thực hiện thấp (dưới {close}): {text}.",
                    {**facts, "status": "behind", "near_pct": f.near_pct},
                )
            )
        if idle:
            text, facts = capped_units(idle)
            lines.append(
                Sentence(
                    f"Các đơn vị được giao chỉ tiêu nhưng chưa có hoạt động nào {w.in_span}: {text}.",
                    {**facts, "status": "no_activity"},
                )
            )
    # a unit merged away during the period is not "not given a target": the merger sentence covers it
    no_plan = tuple(u for u in no_plan if u.code not in f.merged_codes)
    if no_plan and with_plan:
        active = sum(1 for u in no_plan if u.actual > 0)
        tail = f", trong đó {fmt_int(active)} đơn vị có hoạt động" if active else ""
        facts = {"no_plan": len(no_plan)}
        if active:
            facts["no_plan_active"] = active
        lines.append(
            Sentence(
                f"Có {fmt_int(len(no_plan))} cơ quan, đơn vị không được giao chỉ tiêu {w.in_span}{tail}.",
                facts,
            )
        )
    return tuple(lines)
