"""The periodic report's content as data: sections of sentences, each carrying the figures it states.

Every sentence is written only when its facts hold (gates for no plan, no activity, no comparison
year, sheets not tracked); what the data cannot say is a marked placeholder for the clerk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from cchc_lib.channels import OTHER_GROUP_NAME
from cchc_lib.formatting import fmt_date, fmt_int, fmt_num
from cchc_lib.model import Workbook
from cchc_lib.periods import Period, period_span_word
from cchc_lib.report_facts import ReportFacts, TypeFacts, UnitFacts, gather_facts
from cchc_lib.settings import Settings

__all__ = [
    "EDITABLE_KEYS",
    "MAX_NAMES",
    "PLACEHOLDER_PREFIX",
    "ReportContent",
    "Section",
    "Sentence",
    "build_content",
    "content_from_facts",
    "paragraphs_from_text",
    "period_phrase",
    "placeholder",
    "section_text",
]

MAX_NAMES = 5  # never more unit names than this in one sentence
PLACEHOLDER_PREFIX = "[Đề nghị bổ sung: "
SUBJECT = "sản phẩm, hoạt động"
TOPIC = "thông tin, tuyên truyền cải cách hành chính"


@dataclass(frozen=True)
class Sentence:
    """One paragraph of the report and the figures it states (empty for the clerk's own text)."""

    text: str
    facts: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    """A heading and its sentences (one paragraph each; a text starting with "- " is a list item)."""

    key: str
    heading: str
    sentences: tuple[Sentence, ...]
    level: int = 1  # 1: "I. …" part heading, 2: "1. …" sub-heading
    editable: bool = True
    placeholder: bool = False  # holds a marked placeholder the clerk must complete
    edited: bool = False  # the text came from the clerk's saved edit

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(s.text for s in self.sentences)


@dataclass(frozen=True)
class ReportContent:
    """The report body: the opening paragraph, the sections, the closing paragraph, and notes for the
    clerk (shown on the page and by the command line, never printed in the document)."""

    intro: str
    sections: tuple[Section, ...]
    closing: str
    warnings: tuple[str, ...] = ()

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


# The sections the clerk may rewrite (part headings I. and II. only carry a heading).
EDITABLE_KEYS: tuple[str, ...] = (
    "chi_dao",
    "ket_qua",
    "ket_qua_don_vi",
    "kenh",
    "ra_soat",
    "kinh_phi",
    "sang_kien",
    "uu_diem",
    "ton_tai",
    "nguyen_nhan",
    "phuong_huong",
    "kien_nghi",
)


def section_text(section: Section) -> str:
    """The section's paragraphs joined by newlines (what the page's text area shows)."""
    return "\n".join(section.paragraphs)


def paragraphs_from_text(text: str) -> tuple[str, ...]:
    """The clerk's text back to paragraphs: one per non-empty line, trimmed."""
    return tuple(line.strip() for line in str(text or "").splitlines() if line.strip())


def placeholder(what: str) -> str:
    """A marked gap the clerk must fill: "[Đề nghị bổ sung: …]"."""
    return f"{PLACEHOLDER_PREFIX}{what}]"


# ------------------------------------------------------------------------------------------------
# wording helpers


def period_phrase(label: str) -> str:
    """ "Quý I năm 2024" -> "quý I năm 2024" (the label inside a sentence)."""
    return label[:1].lower() + label[1:] if label else label


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{fmt_num(value, 1)}%"


def _threshold(value: float) -> str:
    return f"{fmt_num(value, 0) if float(value).is_integer() else fmt_num(value, 1)}%"


def _money(amount: int) -> str:
    return f"{fmt_int(amount)} đồng"


def _join(items) -> str:
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " và " + items[-1]


def _capped(units: tuple[UnitFacts, ...], with_pct: bool = False) -> tuple[str, dict[str, object]]:
    """At most MAX_NAMES unit names (+ their % when asked), "… và N đơn vị khác (chi tiết tại Phụ lục)"."""
    shown = units[:MAX_NAMES]
    others = len(units) - len(shown)
    parts = [f"{u.name} ({_pct(u.pct)})" if with_pct else u.name for u in shown]
    facts: dict[str, object] = {"names": tuple(u.name for u in shown), "others": others}
    if with_pct:
        facts["name_pcts"] = tuple(u.pct for u in shown)
    if others:
        parts.append(f"{fmt_int(others)} đơn vị khác (chi tiết tại Phụ lục)")
    return _join(parts), facts


def _capped_names(names: tuple[str, ...]) -> tuple[str, dict[str, object]]:
    shown = names[:MAX_NAMES]
    others = len(names) - len(shown)
    parts = list(shown) + ([f"{fmt_int(others)} đơn vị khác"] if others else [])
    return _join(parts), {"names": tuple(shown), "others": others}


def _end(lines: list[Sentence]) -> list[Sentence]:
    """List items end with ";" and the last one with "."."""
    out = []
    for i, s in enumerate(lines):
        text = s.text.rstrip(";.")
        out.append(Sentence(text + ("." if i == len(lines) - 1 else ";"), s.facts))
    return out


class _Words:
    """The period named inside sentences."""

    def __init__(self, facts: ReportFacts) -> None:
        self.period = facts.period
        self.span = period_span_word(facts.period)  # quý / 6 tháng / 9 tháng / năm
        self.in_span = f"trong {self.span}"
        self.In_span = f"Trong {self.span}"
        self.phrase = period_phrase(facts.period.label)


# ------------------------------------------------------------------------------------------------
# sections


def _chi_dao(f: ReportFacts, w: _Words) -> tuple[tuple[Sentence, ...], bool]:
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
    return (head, *_end(items)), False


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


def _type_line(t: TypeFacts, f: ReportFacts, w: _Words) -> Sentence | None:
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
            f"đạt {_pct(t.ytd_pct)} kế hoạch năm",
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
        f"{fmt_int(t.ytd_actual)}/{fmt_int(t.year_plan)}{measure}, đạt {_pct(t.ytd_pct)} kế hoạch năm",
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


def _direction(now: int, before: int) -> str:
    return "tăng" if now > before else ("giảm" if now < before else "bằng")


def _change_text(now: int, before: int) -> str:
    diff = now - before
    if diff == 0:
        return "bằng cùng kỳ"
    word = "tăng" if diff > 0 else "giảm"
    return f"{word} {fmt_int(abs(diff))} ({fmt_num(abs(diff) / before * 100, 1)}%)"


def _ket_qua(f: ReportFacts, w: _Words) -> tuple[Sentence, ...]:
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
                f"{SUBJECT}, đạt {_pct(f.ytd_pct)} kế hoạch.",
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
                f"{fmt_int(f.year_plan)} {SUBJECT}, đạt {_pct(f.ytd_pct)} kế hoạch năm {f.period.year}.",
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
                    f"kết quả {w.in_span} đạt {_pct(pct)}, {_verdict(pct, f)}.",
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
        lines.extend(_end(items))
    lines.extend(_comparison(f, w))
    return tuple(lines)


def _comparison(f: ReportFacts, w: _Words) -> list[Sentence]:
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
                f"{fmt_int(before)}, {_change_text(now, before)}.",
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
                    f"- {t.name}: {fmt_int(t.actual)} (cùng kỳ {fmt_int(p)}), {_change_text(t.actual, p)}",
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
            lines.extend(_end(items))
    if untracked:
        lines.append(
            Sentence(
                f"Chưa có số liệu cùng kỳ để so sánh đối với: {_join(t.name for t in untracked)}.",
                {"untracked_types": tuple(t.code for t in untracked)},
            )
        )
    return lines


def _ket_qua_don_vi(f: ReportFacts, w: _Words) -> tuple[Sentence, ...]:
    lines: list[Sentence] = []
    for m in f.mergers:
        lines.append(
            Sentence(
                f"Từ ngày {fmt_date(m.merge_date)}, {_join(m.predecessors)} sáp nhập thành {m.successor}.",
                {"merge_date": m.merge_date, "predecessors": m.predecessors, "successor": m.successor},
            )
        )
        if m.predecessors_actual:
            lines.append(
                Sentence(
                    f"Trong kỳ, trước khi sáp nhập, {_join(m.predecessors)} thực hiện "
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
                    f"{_change_text(now, m.successor_prev)}.",
                    {
                        "predecessors": m.predecessors,
                        "successor": m.successor,
                        "merged_actual": now,
                        "successor_prev": m.successor_prev,
                        "change": abs(now - m.successor_prev),
                        "change_pct": abs(now - m.successor_prev) / m.successor_prev * 100,
                        "direction": _direction(now, m.successor_prev),
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
        full, close = _threshold(f.complete_pct), _threshold(f.near_pct)
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
            f"; {fmt_int(below)} đơn vị chưa hoàn thành, gồm {_join(parts)}"
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
            text, facts = _capped(ranked)
            lines.append(
                Sentence(f"Các đơn vị hoàn thành kế hoạch: {text}.", {**facts, "status": "complete"})
            )
        if behind:
            ranked = tuple(sorted(behind, key=lambda u: u.pct or 0))
            text, facts = _capped(ranked, with_pct=True)
            lines.append(
                Sentence(
                    f"Các đơn vị có tỷ lệ thực hiện thấp (dưới {close}): {text}.",
                    {**facts, "status": "behind", "near_pct": f.near_pct},
                )
            )
        if idle:
            text, facts = _capped(idle)
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


def _share_list(rows) -> tuple[str, dict[str, object]]:
    text = "; ".join(f"{name}: {fmt_int(q)} ({_pct(s)})" for name, q, s in rows)
    return text, {
        "groups": tuple(r[0] for r in rows),
        "quantities": tuple(r[1] for r in rows),
        "shares": tuple(r[2] for r in rows),
    }


def _kenh(f: ReportFacts, w: _Words) -> tuple[Sentence, ...]:
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
                    f"Chưa có {SUBJECT} đăng tải, thực hiện qua: {_join(zero)}.", {"zero_groups": tuple(zero)}
                )
            )
        if ch.blank_quantity:
            lines.append(
                Sentence(
                    f"Có {fmt_int(ch.blank_quantity)} {SUBJECT} ({_pct(ch.blank_share)}) chưa ghi kênh đăng tải.",
                    {"blank_quantity": ch.blank_quantity, "blank_share": ch.blank_share},
                )
            )
    if f.reform_areas:
        text, facts = _share_list(f.reform_areas)
        lines.append(
            Sentence(f"Theo lĩnh vực cải cách hành chính: {text}.", {**facts, "kind": "reform_area"})
        )
    return tuple(lines)


def _ra_soat(f: ReportFacts, w: _Words) -> tuple[Sentence, ...]:
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
        if r.without_section:
            text, facts = _capped_names(r.without_section)
            lines.append(
                Sentence(
                    f"Trang chưa có chuyên mục cải cách hành chính: {text}.",
                    {**facts, "kind": "without_section"},
                )
            )
        if r.not_updated:
            text, facts = _capped_names(r.not_updated)
            lines.append(
                Sentence(
                    f"Trang chưa cập nhật tin cải cách hành chính khi rà soát: {text}.",
                    {**facts, "kind": "not_updated"},
                )
            )
    if r.not_reviewed:
        lines.append(
            Sentence(
                f"Có {fmt_int(len(r.not_reviewed))} cơ quan, đơn vị có Trang thông tin điện tử chưa được rà soát "
                f"{w.in_span}.",
                {"not_reviewed": len(r.not_reviewed)},
            )
        )
    return tuple(lines)


def _kinh_phi(f: ReportFacts, w: _Words) -> tuple[Sentence, ...]:
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
        share = f", đạt {_pct(fu.spent / fu.allocated * 100)} dự toán năm"
    return (
        Sentence(
            f"Kinh phí thông tin, tuyên truyền cải cách hành chính năm {fu.year}{scope}, {when}: dự toán của "
            f"{fmt_int(fu.units)} cơ quan, đơn vị {_money(fu.allocated)}; đã chi {_money(fu.spent)}{share}.",
            facts,
        ),
    )


def _sang_kien(f: ReportFacts, w: _Words) -> tuple[Sentence, ...]:
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
        parts = [f"{fmt_int(ini.applied)} sáng kiến, mô hình được áp dụng ({_join(detail)})"]
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
        lines.extend(_end(items))
    return tuple(lines)


def _on_track(t: TypeFacts, f: ReportFacts) -> float | None:
    """The type's progress measure: the year's % in a year report, else the pro-rated period's %."""
    return t.ytd_pct if f.period.is_year else t.period_pct


def _uu_diem(f: ReportFacts, w: _Words) -> tuple[tuple[Sentence, ...], bool]:
    lines: list[Sentence] = []
    good = [t for t in f.types if _on_track(t, f) is not None and _on_track(t, f) >= f.complete_pct]
    measure = "kế hoạch năm" if f.period.is_year else "tiến độ kế hoạch của kỳ"
    if good:
        lines.append(
            Sentence(
                f"Đạt và vượt {measure} đối với: {_join(f'{t.name} ({_pct(_on_track(t, f))})' for t in good)}.",
                {"types": tuple(t.code for t in good), "type_pcts": tuple(_on_track(t, f) for t in good)},
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


def _ton_tai(f: ReportFacts, w: _Words) -> tuple[tuple[Sentence, ...], bool]:
    lines: list[Sentence] = []
    if f.actual == 0 and f.planned <= 0 and f.year_plan_raw <= 0:
        lines.append(
            Sentence(
                f"Sổ theo dõi chưa có chỉ tiêu và chưa ghi nhận {SUBJECT} nào của {w.phrase}.",
                {"actual": 0, "year_plan": 0},
            )
        )
        return tuple(lines), False
    weak = [t for t in f.types if _on_track(t, f) is not None and _on_track(t, f) < f.near_pct]
    if weak:
        measure = "kế hoạch năm" if f.period.is_year else "tiến độ kế hoạch của kỳ"
        lines.append(
            Sentence(
                f"Kết quả còn thấp so với {measure} (dưới {_threshold(f.near_pct)}): "
                f"{_join(f'{t.name} ({_pct(_on_track(t, f))})' for t in weak)}.",
                {
                    "types": tuple(t.code for t in weak),
                    "type_pcts": tuple(_on_track(t, f) for t in weak),
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


def _nguyen_nhan(f: ReportFacts, w: _Words) -> tuple[Sentence, ...]:
    lines: list[Sentence] = []
    idle = f.by_status("no_activity")
    if idle:
        text, facts = _capped(idle)
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


def _phuong_huong(f: ReportFacts, w: _Words, next_period: Period) -> tuple[Sentence, ...]:
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
                    f"{_join(f'{t.name} (lũy kế đạt {_pct(t.ytd_pct)} kế hoạch năm)' for t in shown)};",
                    {"types": tuple(t.code for t in shown), "type_pcts": tuple(t.ytd_pct for t in shown)},
                )
            )
    low = tuple(sorted(f.by_status("behind"), key=lambda u: u.pct or 0))
    if low:
        text, facts = _capped(low, with_pct=True)
        lines.append(
            Sentence(
                f"- Các cơ quan, đơn vị chưa hoàn thành kế hoạch, nhất là {text}, tập trung khắc phục, "
                "bảo đảm hoàn thành chỉ tiêu được giao;",
                {**facts, "status": "behind"},
            )
        )
    idle = f.by_status("no_activity")
    if idle:
        text, facts = _capped(idle)
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
    return tuple(_end(lines))


def _kien_nghi(f: ReportFacts, w: _Words) -> tuple[Sentence, ...]:
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


# ------------------------------------------------------------------------------------------------
# assembling


def _warnings(f: ReportFacts, directives_missing: bool) -> list[str]:
    out: list[str] = []
    if f.actual == 0 and f.planned <= 0 and f.year_plan_raw <= 0:
        out.append(f"{f.period.label} chưa có chỉ tiêu và chưa có hoạt động nào trong sổ theo dõi.")
    elif f.year_plan_raw <= 0:
        out.append(f"Năm {f.period.year} chưa có chỉ tiêu kế hoạch: báo cáo không nêu tỷ lệ hoàn thành.")
    if f.data_until is None:
        out.append("Sổ theo dõi chưa có hoạt động nào.")
    elif f.data_until < f.last_day:
        out.append(
            f"Số liệu mới cập nhật đến ngày {fmt_date(f.data_until)} (kỳ báo cáo đến ngày {fmt_date(f.last_day)}): "
            "báo cáo không so sánh với cùng kỳ năm trước."
        )
    elif not f.comparable:
        out.append(
            f"Không có số liệu {period_phrase(f.period.previous_year().label)} để so sánh với cùng kỳ."
        )
    if directives_missing:
        out.append(
            "Sổ theo dõi chưa có trang 'Chỉ đạo, điều hành': mục Công tác chỉ đạo, điều hành để trống cho người "
            "soạn bổ sung."
        )
    if f.channels is not None and f.channels.unmapped:
        shown = _join(f.channels.unmapped[:MAX_NAMES])
        more = len(f.channels.unmapped) - MAX_NAMES
        out.append(
            f"Kênh đăng tải chưa xếp được vào nhóm (tính vào nhóm Khác): {shown}"
            + (f" và {fmt_int(more)} kênh khác" if more > 0 else "")
            + "."
        )
    if f.funding is not None and f.funding.units and f.as_of is None:
        out.append("Chưa rõ ngày cập nhật số liệu kinh phí: hãy ghi ngày trước khi ký.")
    return out


def content_from_facts(
    f: ReportFacts, settings: Settings, *, texts: Mapping[str, str] | None = None
) -> ReportContent:
    """ReportFacts + settings (+ the clerk's edited texts by section key) -> ReportContent."""
    w = _Words(f)
    next_period = f.period.next()
    sections: list[Section] = [Section("phan_ket_qua", "I. KẾT QUẢ THỰC HIỆN", (), 1, editable=False)]
    chi_dao, chi_dao_placeholder = _chi_dao(f, w)
    sections.append(
        Section("chi_dao", "1. Công tác chỉ đạo, điều hành", chi_dao, 2, placeholder=chi_dao_placeholder)
    )
    sections.append(Section("ket_qua", "2. Kết quả thực hiện kế hoạch", _ket_qua(f, w), 2))
    sections.append(Section("ket_qua_don_vi", "3. Kết quả theo cơ quan, đơn vị", _ket_qua_don_vi(f, w), 2))
    sections.append(Section("kenh", "4. Kênh đăng tải và lĩnh vực tuyên truyền", _kenh(f, w), 2))
    number = 5
    if f.reviews is not None:
        sections.append(Section("ra_soat", f"{number}. Rà soát Trang thông tin điện tử", _ra_soat(f, w), 2))
        number += 1
    if f.funding is not None:
        sections.append(Section("kinh_phi", f"{number}. Kinh phí thực hiện", _kinh_phi(f, w), 2))
        number += 1
    if f.initiatives is not None:
        sections.append(Section("sang_kien", f"{number}. Sáng kiến, mô hình mới", _sang_kien(f, w), 2))
    sections.append(Section("danh_gia", "II. ĐÁNH GIÁ CHUNG", (), 1, editable=False))
    uu, uu_ph = _uu_diem(f, w)
    sections.append(Section("uu_diem", "1. Ưu điểm", uu, 2, placeholder=uu_ph))
    tt, tt_ph = _ton_tai(f, w)
    sections.append(Section("ton_tai", "2. Tồn tại, hạn chế", tt, 2, placeholder=tt_ph))
    sections.append(Section("nguyen_nhan", "3. Nguyên nhân", _nguyen_nhan(f, w), 2, placeholder=True))
    sections.append(
        Section(
            "phuong_huong",
            f"III. PHƯƠNG HƯỚNG, NHIỆM VỤ {next_period.label.upper()}",
            _phuong_huong(f, w, next_period),
            1,
        )
    )
    sections.append(Section("kien_nghi", "IV. KIẾN NGHỊ, ĐỀ XUẤT", _kien_nghi(f, w), 1, placeholder=True))
    warnings = _warnings(f, f.directives is None)
    if texts:
        by_key = {s.key: i for i, s in enumerate(sections)}
        for key, text in texts.items():
            index = by_key.get(key)
            if index is None or not sections[index].editable:
                warnings.append(f"Đoạn đã sửa '{key}' không có trong báo cáo kỳ này nên không được dùng.")
                continue
            paragraphs = paragraphs_from_text(text)
            sections[index] = replace(
                sections[index],
                sentences=tuple(Sentence(p, {}) for p in paragraphs),
                edited=True,
                placeholder=any(p.startswith(PLACEHOLDER_PREFIX) for p in paragraphs),
            )
    for s in sections:
        if s.placeholder and any(p.startswith(PLACEHOLDER_PREFIX) for p in s.paragraphs):
            warnings.append(f"Mục “{s.heading}” còn phần để trống cần bổ sung trước khi ký.")
    organisation = settings.organisation
    reference = settings.plan_reference_for(f.period.year)
    if not reference:
        warnings.append(
            f'Chưa khai báo kế hoạch năm {f.period.year} trong tệp cấu hình ([plans."{f.period.year}"]: số, ngày, '
            "trích yếu): câu mở đầu báo cáo chưa dẫn kế hoạch được thực hiện."
        )
    basis = f"Thực hiện {reference}, " if reference else ""
    who = organisation if basis else organisation[:1].upper() + organisation[1:]
    intro = (
        f"{basis}{who} báo cáo kết quả công tác {TOPIC} {w.phrase} (số liệu từ ngày {fmt_date(f.first_day)} "
        f"đến ngày {fmt_date(f.last_day)}) như sau:"
    )
    closing = f"Trên đây là báo cáo kết quả công tác {TOPIC} {w.phrase} của {organisation}./."
    return ReportContent(intro, tuple(sections), closing, tuple(warnings))


def build_content(
    wb: Workbook,
    period: Period,
    calendar: str,
    settings: Settings,
    *,
    texts: Mapping[str, str] | None = None,
    as_of: date | None = None,
) -> ReportContent:
    """The report content for `period` of the whole workbook. `texts` maps a section key (EDITABLE_KEYS)
    to the clerk's edited text, which replaces that section's sentences; `as_of` is the date the
    data was last updated (stated with the year's funding)."""
    facts = gather_facts(
        wb, period, calendar, settings.cutoff_day, settings.complete_pct, settings.near_pct, as_of=as_of
    )
    return content_from_facts(facts, settings, texts=texts)
