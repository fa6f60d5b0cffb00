"""The report's figures as plain data (from metrics) and the Vietnamese sentences written from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from cchc_lib import metrics
from cchc_lib.formatting import fmt_date, fmt_int, fmt_num, fmt_vnd
from cchc_lib.model import Workbook
from cchc_lib.periods import Period

__all__ = [
    "FundingFigures",
    "InitiativeFigure",
    "ReportFigures",
    "ReviewFigures",
    "Section",
    "Share",
    "TypeFigure",
    "UnitFigure",
    "assessment_paragraphs",
    "channel_paragraphs",
    "count_text",
    "funding_paragraphs",
    "gather_figures",
    "initiative_paragraphs",
    "intro_paragraph",
    "next_steps_paragraphs",
    "overall_paragraphs",
    "pct_text",
    "period_phrase",
    "report_sections",
    "review_paragraphs",
    "unit_paragraphs",
]

TOP_SHARES = 5
BLANK = metrics.BLANK_LABEL


@dataclass(frozen=True)
class TypeFigure:
    """One activity type: planned and actual in the period, and the same period last year (or None)."""

    code: str
    name: str
    measure: str
    planned: float
    actual: int
    actual_prev: int | None = None

    @property
    def pct(self) -> float | None:
        return None if self.planned <= 0 else self.actual / self.planned * 100


@dataclass(frozen=True)
class UnitFigure:
    """One unit's totals over all activity types."""

    code: str
    name: str
    planned: float
    actual: int

    @property
    def pct(self) -> float | None:
        return None if self.planned <= 0 else self.actual / self.planned * 100


@dataclass(frozen=True)
class Share:
    """A channel or reform area and the quantity published through it."""

    value: str
    quantity: int
    share_pct: float


@dataclass(frozen=True)
class ReviewFigures:
    """Portal reviews dated in the period."""

    reviews: int
    units_reviewed: int
    average_score: float | None
    without_section: tuple[str, ...]  # unit names whose portal had no CCHC section
    not_updated: tuple[str, ...]  # unit names whose portal had no CCHC news this quarter
    broken_links: int
    not_reviewed: tuple[str, ...]  # units with a portal address and no review in the period


@dataclass(frozen=True)
class FundingFigures:
    """Funding rows of the period's year."""

    year: int
    units: int
    allocated: int
    spent: int


@dataclass(frozen=True)
class InitiativeFigure:
    name: str
    unit_name: str
    status: str


@dataclass(frozen=True)
class ReportFigures:
    """Everything the narrative says, as plain values. Optional parts are None when not tracked."""

    period_label: str
    first_day: date
    last_day: date
    types: tuple[TypeFigure, ...]
    units: tuple[UnitFigure, ...]
    statuses: dict[str, tuple[UnitFigure, ...]]  # metrics.STATUS_ORDER -> units
    complete_pct: float = 100.0
    near_pct: float = 70.0
    previous_label: str | None = None  # None: no data for the same period last year
    channels: tuple[Share, ...] = ()
    reform_areas: tuple[Share, ...] = ()
    reviews: ReviewFigures | None = None
    funding: FundingFigures | None = None
    initiatives: tuple[InitiativeFigure, ...] | None = None
    year: int | None = None

    @property
    def planned(self) -> float:
        return float(sum(t.planned for t in self.types))

    @property
    def actual(self) -> int:
        return int(sum(t.actual for t in self.types))

    @property
    def actual_prev(self) -> int | None:
        if self.previous_label is None:
            return None
        return int(sum(t.actual_prev or 0 for t in self.types))

    @property
    def pct(self) -> float | None:
        return None if self.planned <= 0 else self.actual / self.planned * 100


@dataclass(frozen=True)
class Section:
    """A heading and its paragraphs; a paragraph starting with "- " is a list item."""

    heading: str
    paragraphs: tuple[str, ...]
    level: int = 1  # 1: "I. …" part heading, 2: "1. …" sub-heading


# ------------------------------------------------------------------------------------------------
# figures from the workbook


def _shares(frame: pd.DataFrame) -> tuple[Share, ...]:
    return tuple(
        Share(str(r.value), int(r.quantity), float(r.share_pct))
        for r in frame.itertuples(index=False)
        if r.value != BLANK
    )


def _names(units: pd.DataFrame, codes: pd.Series) -> tuple[str, ...]:
    names = dict(zip(units["unit_code"], units["unit_name"], strict=False))
    return tuple(str(names.get(c, c)) for c in dict.fromkeys(codes))


def _reviews(wb: Workbook, units: pd.DataFrame, first: date, last: date) -> ReviewFigures | None:
    if wb.portal_reviews is None:
        return None
    frame = wb.portal_reviews
    days = pd.to_datetime(frame["review_date"])
    inside = frame[(days >= pd.Timestamp(first)) & (days <= pd.Timestamp(last))]
    inside = inside[inside["unit_code"].isin(units["unit_code"])]
    scores = pd.to_numeric(inside["score"], errors="coerce").dropna()
    with_portal = units[units["portal_url"].fillna("").astype(str).str.strip() != ""]
    missing = with_portal[~with_portal["unit_code"].isin(inside["unit_code"])]
    return ReviewFigures(
        reviews=len(inside),
        units_reviewed=int(inside["unit_code"].nunique()),
        average_score=None if scores.empty else float(scores.mean()),
        without_section=_names(
            units, inside.loc[inside["has_cchc_section"].eq(False).fillna(False), "unit_code"]
        ),
        not_updated=_names(
            units, inside.loc[inside["updated_this_quarter"].eq(False).fillna(False), "unit_code"]
        ),
        broken_links=int(pd.to_numeric(inside["broken_links"], errors="coerce").fillna(0).sum()),
        not_reviewed=tuple(str(n) for n in missing["unit_name"]),
    )


def _funding(wb: Workbook, year: int) -> FundingFigures | None:
    if wb.funding is None:
        return None
    rows = wb.funding[wb.funding["year"] == year]
    spent = pd.to_numeric(rows["spent"], errors="coerce").fillna(0)
    return FundingFigures(
        year, int(rows["unit_code"].nunique()), int(rows["allocated"].sum()), int(spent.sum())
    )


def _initiatives(wb: Workbook, year: int) -> tuple[InitiativeFigure, ...] | None:
    if wb.initiatives is None:
        return None
    rows = wb.initiatives[wb.initiatives["year"] == year]
    names = dict(zip(wb.units["unit_code"], wb.units["unit_name"], strict=False))
    return tuple(
        InitiativeFigure(
            str(r.name), str(names.get(r.unit_code, r.unit_code)), "" if pd.isna(r.status) else str(r.status)
        )
        for r in rows.itertuples(index=False)
    )


def gather_figures(
    wb: Workbook,
    period: Period,
    calendar: str = "calendar",
    cutoff_day: int = 15,
    complete_pct: float = 100.0,
    near_pct: float = 70.0,
) -> ReportFigures:
    """Workbook + period in -> ReportFigures (per-type totals, unit classes, previous year, channels,
    reform areas, reviews/funding/initiatives when those sheets exist)."""
    pva = metrics.plan_vs_actual(wb, period, calendar, cutoff_day)
    prev_pva = metrics.previous_year_pva(wb, period, calendar, cutoff_day)
    by_type = metrics.rollup(pva, "activity_type")
    prev_actual: dict[str, int] = {}
    if prev_pva is not None:
        prev_by_type = metrics.rollup(prev_pva, "activity_type")
        prev_actual = dict(
            zip(prev_by_type["activity_type"], prev_by_type["actual"].astype(int), strict=False)
        )
    measures = dict(zip(wb.activity_types["type_code"], wb.activity_types["measure"], strict=False))
    types = tuple(
        TypeFigure(
            str(r.activity_type),
            str(r.activity_name),
            "" if pd.isna(measures.get(r.activity_type)) else str(measures.get(r.activity_type)),
            float(r.planned),
            int(r.actual),
            None if prev_pva is None else int(prev_actual.get(r.activity_type, 0)),
        )
        for r in by_type.itertuples(index=False)
    )
    classified = metrics.classify_units(pva, complete_pct, near_pct)
    units = tuple(
        UnitFigure(str(r.unit_code), str(r.unit_name), float(r.planned), int(r.actual))
        for r in classified.itertuples(index=False)
    )
    by_code = {u.code: u for u in units}
    statuses = {
        status: tuple(by_code[c] for c in classified.loc[classified["status"] == status, "unit_code"])
        for status in metrics.STATUS_ORDER
    }
    activities = metrics.activities_in_period(wb, period, calendar, cutoff_day)
    first, last = period.bounds(calendar, cutoff_day)
    present = metrics.units_in_period(wb, period, calendar, cutoff_day)
    return ReportFigures(
        period_label=period.label,
        first_day=first,
        last_day=last,
        types=types,
        units=units,
        statuses=statuses,
        complete_pct=complete_pct,
        near_pct=near_pct,
        previous_label=None if prev_pva is None else period.previous_year().label,
        channels=_shares(metrics.breakdown(activities, "channel")),
        reform_areas=_shares(metrics.breakdown(activities, "reform_area")),
        reviews=_reviews(wb, present, first, last),
        funding=_funding(wb, period.year),
        initiatives=_initiatives(wb, period.year),
        year=period.year,
    )


# ------------------------------------------------------------------------------------------------
# sentences


def period_phrase(label: str) -> str:
    """ "Quý I năm 2024" -> "quý I năm 2024" (the label inside a sentence)."""
    return label[:1].lower() + label[1:] if label else label


def count_text(value: float) -> str:
    """12.0 -> "12", 1234 -> "1.234", 2.5 -> "2,5" (planned values may be fractional)."""
    return fmt_int(value) if float(value).is_integer() else fmt_num(value, 1)


def pct_text(value: float | None) -> str:
    """87.46 -> "87,5%"; None -> "—"."""
    return "—" if value is None else f"{fmt_num(value, 1)}%"


def _join(items: list[str] | tuple[str, ...]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " và " + items[-1]


def _with_measure(value: float, measure: str) -> str:
    return f"{count_text(value)} {measure}".strip()


def intro_paragraph(fig: ReportFigures, organisation: str, plan_reference: str) -> str:
    """The opening sentence: what is reported, by whom, over which dates."""
    basis = f"Thực hiện {plan_reference}, " if plan_reference else ""
    who = organisation[:1].upper() + organisation[1:] if not basis else organisation
    return (
        f"{basis}{who} báo cáo kết quả công tác thông tin, tuyên truyền cải cách hành chính "
        f"{period_phrase(fig.period_label)} (số liệu từ ngày {fmt_date(fig.first_day)} đến ngày "
        f"{fmt_date(fig.last_day)}) như sau:"
    )


def _type_line(t: TypeFigure, last: bool) -> str:
    end = "." if last else ";"
    if t.planned <= 0:
        return (
            f"- {t.name}: thực hiện {_with_measure(t.actual, t.measure)} (không giao chỉ tiêu trong kỳ){end}"
        )
    planned = _with_measure(t.planned, t.measure)
    return f"- {t.name}: thực hiện {fmt_int(t.actual)}/{planned} theo kế hoạch, đạt {pct_text(t.pct)}{end}"


def _change(now: int, before: int) -> str:
    if before == 0:
        return "cùng kỳ chưa có" if now else "bằng cùng kỳ"
    diff = now - before
    if diff == 0:
        return "bằng cùng kỳ"
    word = "tăng" if diff > 0 else "giảm"
    return f"{word} {fmt_int(abs(diff))} ({word} {fmt_num(abs(diff) / before * 100, 1)}%)"


def overall_paragraphs(fig: ReportFigures) -> tuple[str, ...]:
    """Totals per activity type and % of plan, then the comparison with the same period last year."""
    if fig.actual == 0 and fig.planned <= 0:
        return ("Trong kỳ chưa có chỉ tiêu và chưa có hoạt động thông tin, tuyên truyền nào được ghi nhận.",)
    if fig.planned > 0:
        total = (
            f"Trong kỳ, {fmt_int(len(fig.units))} cơ quan, đơn vị đã thực hiện tổng cộng "
            f"{fmt_int(fig.actual)} sản phẩm, hoạt động thông tin, tuyên truyền cải cách hành chính, "
            f"đạt {pct_text(fig.pct)} kế hoạch của kỳ ({count_text(fig.planned)}). Cụ thể:"
        )
    else:
        total = (
            f"Trong kỳ, {fmt_int(len(fig.units))} cơ quan, đơn vị đã thực hiện tổng cộng "
            f"{fmt_int(fig.actual)} sản phẩm, hoạt động thông tin, tuyên truyền cải cách hành chính "
            "(không giao chỉ tiêu trong kỳ). Cụ thể:"
        )
    lines = [total] + [_type_line(t, i == len(fig.types) - 1) for i, t in enumerate(fig.types)]
    if fig.previous_label is not None and fig.actual_prev is not None:
        comparable = [t for t in fig.types if t.actual_prev]
        now = sum(t.actual for t in comparable)
        before = sum(t.actual_prev or 0 for t in comparable)
        scope = "tổng số"
        if len(comparable) < len([t for t in fig.types if t.actual or t.actual_prev]):
            scope = f"tính trên các loại có số liệu cùng kỳ ({_join([t.name for t in comparable])}), tổng số"
        lines.append(
            f"So với cùng kỳ năm trước ({period_phrase(fig.previous_label)}: {fmt_int(before)} "
            f"sản phẩm, hoạt động), {scope} {_change(now, before)}."
        )
        changed = [t for t in fig.types if t.actual or t.actual_prev]
        for i, t in enumerate(changed):
            end = "." if i == len(changed) - 1 else ";"
            lines.append(
                f"- {t.name}: {fmt_int(t.actual)} (cùng kỳ {fmt_int(t.actual_prev or 0)}), "
                f"{_change(t.actual, t.actual_prev or 0)}{end}"
            )
    else:
        lines.append("Chưa có số liệu cùng kỳ năm trước để so sánh.")
    return tuple(lines)


def unit_paragraphs(fig: ReportFigures) -> tuple[str, ...]:
    """Units that completed, nearly completed, fell behind, had no activity, or had no target."""
    if not fig.units:
        return ("Không có cơ quan, đơn vị nào thuộc phạm vi báo cáo trong kỳ.",)
    total = fmt_int(len(fig.units))
    complete = fig.statuses.get("complete", ())
    near = fig.statuses.get("near", ())
    behind = fig.statuses.get("behind", ())
    idle = fig.statuses.get("no_activity", ())
    no_plan = fig.statuses.get("no_plan", ())
    full, close = fmt_num(fig.complete_pct, 0), fmt_num(fig.near_pct, 0)
    lines = []
    if complete:
        lines.append(
            f"Có {fmt_int(len(complete))}/{total} cơ quan, đơn vị hoàn thành kế hoạch (đạt từ {full}% trở lên), "
            f"gồm: {_join([u.name for u in complete])}."
        )
    else:
        lines.append(f"Chưa có cơ quan, đơn vị nào hoàn thành kế hoạch của kỳ (đạt từ {full}% trở lên).")
    if near:
        lines.append(
            f"Có {fmt_int(len(near))} cơ quan, đơn vị đạt từ {close}% đến dưới {full}% kế hoạch: "
            f"{_join([f'{u.name} ({pct_text(u.pct)})' for u in near])}."
        )
    if behind:
        lines.append(
            f"Có {fmt_int(len(behind))} cơ quan, đơn vị chưa hoàn thành kế hoạch (đạt dưới {close}%): "
            f"{_join([f'{u.name} ({pct_text(u.pct)})' for u in behind])}."
        )
    if idle:
        lines.append(
            f"Có {fmt_int(len(idle))} cơ quan, đơn vị được giao chỉ tiêu nhưng chưa có hoạt động nào "
            f"trong kỳ: {_join([u.name for u in idle])}."
        )
    if no_plan:
        lines.append(
            f"Có {fmt_int(len(no_plan))} cơ quan, đơn vị không được giao chỉ tiêu trong kỳ: "
            f"{_join([u.name for u in no_plan])}."
        )
    return tuple(lines)


def _share_list(shares: tuple[Share, ...]) -> str:
    return _join([f"{s.value} ({fmt_int(s.quantity)}, {pct_text(s.share_pct)})" for s in shares[:TOP_SHARES]])


def channel_paragraphs(fig: ReportFigures) -> tuple[str, ...]:
    """Leading channels and reform areas (top five each, blanks left out)."""
    lines = []
    if fig.channels:
        lines.append(f"Các kênh đăng tải chủ yếu: {_share_list(fig.channels)}.")
    if fig.reform_areas:
        lines.append(f"Nội dung tuyên truyền tập trung vào các lĩnh vực: {_share_list(fig.reform_areas)}.")
    if not lines:
        lines.append("Các hoạt động trong kỳ chưa ghi kênh đăng tải và lĩnh vực cải cách hành chính.")
    return tuple(lines)


def review_paragraphs(r: ReviewFigures) -> tuple[str, ...]:
    """Portal reviews of the period."""
    if r.reviews == 0:
        lines = ["Trong kỳ chưa tiến hành rà soát Trang thông tin điện tử của các cơ quan, đơn vị."]
    else:
        score = "" if r.average_score is None else f", điểm bình quân {fmt_num(r.average_score, 1)}/100"
        lines = [
            f"Trong kỳ đã thực hiện {fmt_int(r.reviews)} lượt rà soát Trang thông tin điện tử của "
            f"{fmt_int(r.units_reviewed)} cơ quan, đơn vị{score}; phát hiện {fmt_int(r.broken_links)} liên kết hỏng."
        ]
        if r.without_section:
            lines.append(f"Trang chưa có chuyên mục cải cách hành chính: {_join(list(r.without_section))}.")
        if r.not_updated:
            lines.append(
                f"Trang chưa cập nhật tin cải cách hành chính trong quý: {_join(list(r.not_updated))}."
            )
    if r.not_reviewed:
        lines.append(f"Chưa được rà soát trong kỳ: {_join(list(r.not_reviewed))}.")
    return tuple(lines)


def funding_paragraphs(f: FundingFigures) -> tuple[str, ...]:
    """Funding of the period's year."""
    if f.units == 0:
        return (f"Chưa có số liệu kinh phí năm {f.year}.",)
    share = "" if f.allocated <= 0 else f", đạt {pct_text(f.spent / f.allocated * 100)} dự toán"
    return (
        f"Kinh phí thông tin, tuyên truyền cải cách hành chính năm {f.year} của {fmt_int(f.units)} cơ quan, "
        f"đơn vị: dự toán {fmt_vnd(f.allocated)}, đã chi {fmt_vnd(f.spent)}{share}.",
    )


def initiative_paragraphs(items: tuple[InitiativeFigure, ...], year: int | None = None) -> tuple[str, ...]:
    """Initiatives and new models of the year."""
    when = f" năm {year}" if year else ""
    if not items:
        return (f"Chưa ghi nhận sáng kiến, mô hình mới về cải cách hành chính{when}.",)
    counts: dict[str, int] = {}
    for item in items:
        if item.status:
            counts[item.status] = counts.get(item.status, 0) + 1
    detail = "; ".join(f"{status.lower()}: {fmt_int(n)}" for status, n in counts.items())
    lines = [
        f"Có {fmt_int(len(items))} sáng kiến, mô hình mới được áp dụng trong cải cách hành chính{when}"
        + (f" ({detail})" if detail else "")
        + ", tiêu biểu:"
    ]
    for i, item in enumerate(items):
        end = "." if i == len(items) - 1 else ";"
        status = f" ({item.status.lower()})" if item.status else ""
        lines.append(f"- {item.name} — {item.unit_name}{status}{end}")
    return tuple(lines)


def assessment_paragraphs(fig: ReportFigures) -> tuple[str, ...]:
    """General assessment: strengths and shortcomings, from the same figures."""
    lines = []
    strong = [t.name.lower() for t in fig.types if t.pct is not None and t.pct >= fig.complete_pct]
    if fig.pct is not None and fig.pct >= fig.complete_pct:
        lines.append(
            f"Ưu điểm: tổng số sản phẩm, hoạt động thông tin, tuyên truyền đạt {pct_text(fig.pct)} kế hoạch."
        )
    elif strong:
        lines.append(f"Ưu điểm: hoàn thành kế hoạch về {_join(strong)}.")
    complete = fig.statuses.get("complete", ())
    if complete:
        lines.append(f"{fmt_int(len(complete))} cơ quan, đơn vị hoàn thành kế hoạch của kỳ.")
    weak = [t.name.lower() for t in fig.types if t.pct is not None and t.pct < fig.near_pct]
    lagging = len(fig.statuses.get("behind", ())) + len(fig.statuses.get("no_activity", ()))
    problems = []
    if weak:
        problems.append(f"kết quả thực hiện {_join(weak)} còn thấp so với kế hoạch")
    if lagging:
        problems.append(f"còn {fmt_int(lagging)} cơ quan, đơn vị chưa hoàn thành hoặc chưa có hoạt động")
    if problems:
        lines.append("Tồn tại, hạn chế: " + "; ".join(problems) + ".")
    if not lines:
        lines.append("Công tác thông tin, tuyên truyền cải cách hành chính được duy trì theo kế hoạch.")
    return tuple(lines)


def next_steps_paragraphs(fig: ReportFigures) -> tuple[str, ...]:
    """Tasks for the next period."""
    lines = [
        "- Tiếp tục thực hiện nghiêm túc kế hoạch thông tin, tuyên truyền cải cách hành chính; đa dạng hóa "
        "hình thức, nâng cao chất lượng tin, bài;"
    ]
    lagging = fig.statuses.get("behind", ()) + fig.statuses.get("no_activity", ())
    if lagging:
        lines.append(
            "- Đề nghị các cơ quan, đơn vị chưa hoàn thành kế hoạch khẩn trương khắc phục, bảo đảm hoàn "
            "thành chỉ tiêu được giao;"
        )
    if fig.reviews is not None:
        lines.append(
            "- Duy trì rà soát định kỳ Trang thông tin điện tử; kịp thời khắc phục các tồn tại được chỉ ra;"
        )
    lines.append("- Cập nhật số liệu đầy đủ, kịp thời vào bảng theo dõi để phục vụ tổng hợp, báo cáo.")
    return tuple(lines)


def report_sections(fig: ReportFigures) -> tuple[Section, ...]:
    """The report body as sections (headings numbered the Vietnamese way: I., 1.)."""
    parts: list[Section] = [
        Section("I. KẾT QUẢ THỰC HIỆN", ()),
        Section("1. Kết quả thực hiện kế hoạch", overall_paragraphs(fig), 2),
        Section("2. Kết quả theo cơ quan, đơn vị", unit_paragraphs(fig), 2),
        Section("3. Kênh đăng tải và lĩnh vực tuyên truyền", channel_paragraphs(fig), 2),
    ]
    number = 4
    if fig.reviews is not None:
        parts.append(Section(f"{number}. Rà soát Trang thông tin điện tử", review_paragraphs(fig.reviews), 2))
        number += 1
    if fig.funding is not None:
        parts.append(Section(f"{number}. Kinh phí thực hiện", funding_paragraphs(fig.funding), 2))
        number += 1
    if fig.initiatives is not None:
        parts.append(
            Section(f"{number}. Sáng kiến, mô hình mới", initiative_paragraphs(fig.initiatives, fig.year), 2)
        )
    parts.append(Section("II. ĐÁNH GIÁ CHUNG", assessment_paragraphs(fig)))
    parts.append(Section("III. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI", next_steps_paragraphs(fig)))
    return tuple(parts)
