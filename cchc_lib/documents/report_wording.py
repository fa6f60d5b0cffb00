"""Shared wording of report sentences: numbers, name lists capped at MAX_NAMES, the period's words."""

from __future__ import annotations

from cchc_lib.common.formatting import fmt_int, fmt_num
from cchc_lib.common.periods import period_span_word
from cchc_lib.documents.report_facts import ReportFacts, UnitFacts
from cchc_lib.documents.report_model import MAX_NAMES, Sentence

__all__ = [
    "SUBJECT",
    "TOPIC",
    "Words",
    "capped_names",
    "capped_units",
    "change_text",
    "direction_word",
    "end_items",
    "join_words",
    "money_text",
    "pct_text",
    "period_phrase",
    "threshold_text",
]

SUBJECT = "sản phẩm, hoạt động"
TOPIC = "thông tin, tuyên truyền cải cách hành chính"


def period_phrase(label: str) -> str:
    """ "Quý I năm 2024" -> "quý I năm 2024" (the label inside a sentence)."""
    return label[:1].lower() + label[1:] if label else label


def pct_text(value: float | None) -> str:
    return "—" if value is None else f"{fmt_num(value, 1)}%"


def threshold_text(value: float) -> str:
    return f"{fmt_num(value, 0) if float(value).is_integer() else fmt_num(value, 1)}%"


def money_text(amount: int) -> str:
    return f"{fmt_int(amount)} đồng"


def join_words(items) -> str:
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " và " + items[-1]


def capped_units(units: tuple[UnitFacts, ...], with_pct: bool = False) -> tuple[str, dict[str, object]]:
    """At most MAX_NAMES unit names (+ their % when asked), "… và N đơn vị khác (chi tiết tại Phụ lục)"."""
    shown = units[:MAX_NAMES]
    others = len(units) - len(shown)
    parts = [f"{u.name} ({pct_text(u.pct)})" if with_pct else u.name for u in shown]
    facts: dict[str, object] = {"names": tuple(u.name for u in shown), "others": others}
    if with_pct:
        facts["name_pcts"] = tuple(u.pct for u in shown)
    if others:
        parts.append(f"{fmt_int(others)} đơn vị khác (chi tiết tại Phụ lục)")
    return join_words(parts), facts


def capped_names(names: tuple[str, ...]) -> tuple[str, dict[str, object]]:
    shown = names[:MAX_NAMES]
    others = len(names) - len(shown)
    parts = list(shown) + ([f"{fmt_int(others)} đơn vị khác"] if others else [])
    return join_words(parts), {"names": tuple(shown), "others": others}


def end_items(lines: list[Sentence]) -> list[Sentence]:
    """List items end with ";" and the last one with "."."""
    out = []
    for i, s in enumerate(lines):
        text = s.text.rstrip(";.")
        out.append(Sentence(text + ("." if i == len(lines) - 1 else ";"), s.facts))
    return out


class Words:
    """The period named inside sentences."""

    def __init__(self, facts: ReportFacts) -> None:
        self.period = facts.period
        self.span = period_span_word(facts.period)  # quý / 6 tháng / 9 tháng / năm
        self.in_span = f"trong {self.span}"
        self.In_span = f"Trong {self.span}"
        self.phrase = period_phrase(facts.period.label)


def direction_word(now: int, before: int) -> str:
    return "tăng" if now > before else ("giảm" if now < before else "bằng")


def change_text(now: int, before: int) -> str:
    diff = now - before
    if diff == 0:
        return "bằng cùng kỳ"
    word = "tăng" if diff > 0 else "giảm"
    return f"{word} {fmt_int(abs(diff))} ({fmt_num(abs(diff) / before * 100, 1)}%)"
