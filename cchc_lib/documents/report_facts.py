"""The figures a periodic report states, gathered once from the workbook as plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from cchc_lib.common.periods import Period
from cchc_lib.common.text import match_key
from cchc_lib.figures import metrics
from cchc_lib.reading import channels
from cchc_lib.reading.model import Workbook

__all__ = [
    "APPLIED_STATUSES",
    "PROPOSED_STATUS",
    "ChannelFigures",
    "DirectiveFigure",
    "FundingFigures",
    "InitiativeFigures",
    "MergerFigure",
    "ReportFacts",
    "ReviewFigures",
    "TypeFacts",
    "UnitFacts",
    "gather_facts",
    "half_up",
]

# Initiative statuses: only these two count as "được áp dụng".
APPLIED_STATUSES = ("Đang áp dụng", "Đã nhân rộng")
PROPOSED_STATUS = "Đề xuất"
BLANK = metrics.BLANK_LABEL


def half_up(value: float, decimals: int = 0) -> float:
    """Round half up (106.25 -> 106.3; 2.5 -> 3), the way every document rounds."""
    quantum = Decimal(1).scaleb(-decimals) if decimals > 0 else Decimal(1)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def _pct(num: float, den: float) -> float | None:
    return None if den <= 0 else num / den * 100


@dataclass(frozen=True)
class TypeFacts:
    """One activity type: the period's actual, the pro-rated plan of the period (an on-track measure,
    never printed as a count), the year's plan and the year-to-date actual."""

    code: str
    name: str
    measure: str
    actual: int
    planned: float
    year_plan_raw: float
    ytd_actual: int
    ytd_planned: float = 0.0  # pro-rated plan from the start of the year (on-track measure only)
    actual_prev: int | None = None  # None: not tracked last year (no plan, no activity) or no comparison

    @property
    def year_plan(self) -> int:
        """The year's plan as printed: rounded half up to a whole number."""
        return int(half_up(self.year_plan_raw))

    @property
    def period_pct(self) -> float | None:
        return _pct(self.actual, self.planned)

    @property
    def ytd_pct(self) -> float | None:
        return _pct(self.ytd_actual, self.year_plan_raw)


@dataclass(frozen=True)
class UnitFacts:
    code: str
    name: str
    planned: float
    actual: int
    status: str  # metrics.STATUS_ORDER

    @property
    def pct(self) -> float | None:
        return _pct(self.actual, self.planned)


@dataclass(frozen=True)
class ChannelFigures:
    """Quantities per channel group of the period (every group, catalogue order), blanks, unmapped texts."""

    groups: tuple[tuple[str, int, float], ...]  # (group name, quantity, share %)
    blank_quantity: int
    blank_share: float
    unmapped: tuple[str, ...]


@dataclass(frozen=True)
class ReviewFigures:
    reviews: int
    units_reviewed: int
    average_score: float | None
    without_section: tuple[str, ...]
    not_updated: tuple[str, ...]
    broken_links: int
    not_reviewed: tuple[str, ...]


@dataclass(frozen=True)
class FundingFigures:
    year: int
    units: int
    allocated: int
    spent: int


@dataclass(frozen=True)
class InitiativeFigures:
    year: int
    total: int
    in_use: int  # "Đang áp dụng"
    replicated: int  # "Đã nhân rộng"
    proposed: int  # "Đề xuất"
    no_status: int  # blank
    other: int  # any other text
    applied_items: tuple[tuple[str, str, str], ...]  # (name, unit name, status) of the applied ones

    @property
    def applied(self) -> int:
        return self.in_use + self.replicated


@dataclass(frozen=True)
class DirectiveFigure:
    number: str
    issued: date
    issuer: str
    doc_type: str
    summary: str


@dataclass(frozen=True)
class MergerFigure:
    """Predecessor units merged into a successor on a date."""

    predecessors: tuple[str, ...]
    successor: str
    merge_date: date
    predecessor_codes: tuple[str, ...] = ()
    successor_code: str = ""
    predecessors_actual: int = 0  # their activities of the period (before the merger)
    successor_actual: int = 0
    merged_actual: int = 0  # successor + predecessors this period, types tracked last year only
    successor_prev: int | None = None  # same period last year, predecessors folded in (when comparable)


@dataclass(frozen=True)
class ReportFacts:
    """Everything the report content states, as plain values. Optional parts are None when not tracked."""

    period: Period
    calendar: str
    first_day: date
    last_day: date
    types: tuple[TypeFacts, ...]
    units: tuple[UnitFacts, ...]
    complete_pct: float
    near_pct: float
    data_until: date | None  # latest activity date in the whole workbook
    as_of: date | None
    comparable: bool  # both this period and the same period last year are covered by data
    units_prev: int | None = None  # units in scope last year (same period), when comparable
    channels: ChannelFigures | None = None
    reform_areas: tuple[tuple[str, int, float], ...] = ()
    reviews: ReviewFigures | None = None
    funding: FundingFigures | None = None
    initiatives: InitiativeFigures | None = None
    directives: tuple[DirectiveFigure, ...] | None = None  # None: sheet absent
    # the year's propaganda plan found in the directive sheet (cited by the intro when no setting names it)
    plan_document: DirectiveFigure | None = None
    mergers: tuple[MergerFigure, ...] = ()
    cutoff_day: int = 15

    @property
    def period_label(self) -> str:
        return self.period.label

    @property
    def actual(self) -> int:
        return int(sum(t.actual for t in self.types))

    @property
    def planned(self) -> float:
        return float(sum(t.planned for t in self.types))

    @property
    def year_plan_raw(self) -> float:
        return float(sum(t.year_plan_raw for t in self.types))

    @property
    def year_plan(self) -> int:
        return int(half_up(self.year_plan_raw))

    @property
    def ytd_actual(self) -> int:
        return int(sum(t.ytd_actual for t in self.types))

    @property
    def period_pct(self) -> float | None:
        return _pct(self.actual, self.planned)

    @property
    def ytd_pct(self) -> float | None:
        return _pct(self.ytd_actual, self.year_plan_raw)

    @property
    def active_units(self) -> tuple[UnitFacts, ...]:
        return tuple(u for u in self.units if u.actual > 0)

    def by_status(self, *statuses: str) -> tuple[UnitFacts, ...]:
        return tuple(u for u in self.units if u.status in statuses)

    @property
    def below_plan(self) -> tuple[UnitFacts, ...]:
        """Every unit with a plan that is below 100 % of it: near + behind + no activity."""
        return self.by_status("near", "behind", "no_activity")

    @property
    def comparison_covers_all_types(self) -> bool:
        """Every type with activity this period was tracked last year (no comparison restriction)."""
        return all(t.actual_prev is not None for t in self.types if t.actual > 0)

    @property
    def merged_codes(self) -> frozenset[str]:
        """Units merged into another during the period (no longer existing at its end)."""
        return frozenset(c for m in self.mergers for c in m.predecessor_codes)

    @property
    def actual_prev(self) -> int | None:
        if not self.comparable:
            return None
        return int(sum(t.actual_prev or 0 for t in self.types if t.actual_prev is not None))


# ------------------------------------------------------------------------------------------------
# gathering


def _names(units: pd.DataFrame, codes) -> tuple[str, ...]:
    names = dict(zip(units["unit_code"], units["unit_name"], strict=False))
    return tuple(str(names.get(c, c)) for c in dict.fromkeys(codes))


def _reviews(wb: Workbook, units: pd.DataFrame, first: date, last: date) -> ReviewFigures | None:
    if wb.portal_reviews is None:
        return None
    frame = wb.portal_reviews
    days = pd.to_datetime(frame["review_date"])
    inside = frame[((days >= pd.Timestamp(first)) & (days <= pd.Timestamp(last))).to_numpy(dtype=bool)]
    inside = inside[inside["unit_code"].isin(units["unit_code"])]
    scores = pd.to_numeric(inside["score"], errors="coerce").dropna()
    with_portal = units[units["portal_url"].fillna("").astype(str).str.strip() != ""]
    missing = with_portal[~with_portal["unit_code"].isin(inside["unit_code"])]
    no_section = inside["has_cchc_section"].astype("boolean").eq(False).fillna(False).to_numpy(dtype=bool)
    no_update = inside["updated_this_quarter"].astype("boolean").eq(False).fillna(False).to_numpy(dtype=bool)
    return ReviewFigures(
        reviews=len(inside),
        units_reviewed=int(inside["unit_code"].nunique()),
        average_score=None if scores.empty else float(scores.mean()),
        without_section=_names(units, inside.loc[no_section, "unit_code"]),
        not_updated=_names(units, inside.loc[no_update, "unit_code"]),
        broken_links=int(pd.to_numeric(inside["broken_links"], errors="coerce").fillna(0).sum()),
        not_reviewed=tuple(str(n) for n in missing["unit_name"]),
    )


def _funding(wb: Workbook, year: int) -> FundingFigures | None:
    if wb.funding is None:
        return None
    rows = wb.funding[(wb.funding["year"] == year).to_numpy(dtype=bool)]
    spent = pd.to_numeric(rows["spent"], errors="coerce").fillna(0)
    allocated = pd.to_numeric(rows["allocated"], errors="coerce").fillna(0)
    return FundingFigures(year, int(rows["unit_code"].nunique()), int(allocated.sum()), int(spent.sum()))


def _initiatives(wb: Workbook, year: int) -> InitiativeFigures | None:
    if wb.initiatives is None:
        return None
    rows = wb.initiatives[(wb.initiatives["year"] == year).to_numpy(dtype=bool)]
    names = dict(zip(wb.units["unit_code"], wb.units["unit_name"], strict=False))
    status = rows["status"].astype("object").where(rows["status"].notna(), "").astype(str).str.strip()
    counts = status.value_counts()
    applied = rows[status.isin(APPLIED_STATUSES).to_numpy(dtype=bool)]
    known = {*APPLIED_STATUSES, PROPOSED_STATUS, ""}
    return InitiativeFigures(
        year=year,
        total=len(rows),
        in_use=int(counts.get(APPLIED_STATUSES[0], 0)),
        replicated=int(counts.get(APPLIED_STATUSES[1], 0)),
        proposed=int(counts.get(PROPOSED_STATUS, 0)),
        no_status=int(counts.get("", 0)),
        other=int(sum(n for s, n in counts.items() if s not in known)),
        applied_items=tuple(
            (str(r.name), str(names.get(r.unit_code, r.unit_code)), str(r.status).strip())
            for r in applied.itertuples(index=False)
        ),
    )


def _directives(wb: Workbook, first: date, last: date) -> tuple[DirectiveFigure, ...] | None:
    frame = wb.directives
    if frame is None:
        return None
    days = pd.to_datetime(frame["issued_date"])
    inside = frame[((days >= pd.Timestamp(first)) & (days <= pd.Timestamp(last))).to_numpy(dtype=bool)]
    return _directive_figures(inside)


def _is_year_plan(figure: DirectiveFigure, year: int) -> bool:
    """A "Kế hoạch" (by kind or by a /KH- number) on CCHC propaganda that names `year`."""
    kind = match_key(figure.doc_type) == "ke hoach" or "/kh-" in figure.number.lower()
    about = match_key(figure.summary)
    return kind and "tuyen truyen" in about and "cai cach hanh chinh" in about and str(year) in about


def _year_plan(wb: Workbook, year: int) -> DirectiveFigure | None:
    """The earliest directive of the sheet that is the year's CCHC propaganda plan (see _is_year_plan)."""
    if wb.directives is None:
        return None
    plans = [d for d in _directive_figures(wb.directives) if _is_year_plan(d, year)]
    return plans[0] if plans else None


def _directive_figures(inside: pd.DataFrame) -> tuple[DirectiveFigure, ...]:
    """Directive rows as figures, by issue date (sheet order for ties)."""
    inside = inside.assign(day=pd.to_datetime(inside["issued_date"])).sort_values("day", kind="stable")

    def text(value) -> str:
        return "" if value is None or pd.isna(value) else str(value).strip()

    return tuple(
        DirectiveFigure(
            text(r.number), pd.Timestamp(r.day).date(), text(r.issuer), text(r.doc_type), text(r.summary)
        )
        for r in inside.itertuples(index=False)
    )


def _channels(wb: Workbook, activities: pd.DataFrame) -> ChannelFigures:
    catalogue = channels.channel_catalogue(wb)
    frame = channels.channel_group_breakdown(activities, catalogue)
    unmapped = channels.unmapped_channels(activities, catalogue)
    blank = frame[frame["group_name"] == BLANK]
    rows = frame[frame["group_name"] != BLANK]
    return ChannelFigures(
        groups=tuple(
            (str(n), int(q), float(s))
            for n, q, s in zip(rows["group_name"], rows["quantity"], rows["share_pct"], strict=True)
        ),
        blank_quantity=int(blank["quantity"].sum()),
        blank_share=float(blank["share_pct"].sum()),
        unmapped=tuple(str(v) for v in unmapped["value"]),
    )


def _unit_actual(pva: pd.DataFrame, types: set[str] | None = None) -> dict[str, int]:
    rows = pva if types is None else pva[pva["activity_type"].isin(sorted(types))]
    rolled = metrics.rollup(rows, "unit") if len(rows) else rows.assign(actual=0)[["unit_code", "actual"]]
    return dict(zip(rolled["unit_code"], rolled["actual"].astype(int), strict=True))


def _mergers(
    wb: Workbook,
    period: Period,
    calendar: str,
    cutoff_day: int,
    pva: pd.DataFrame,
    prev_pva: pd.DataFrame | None,
    tracked: set[str],
) -> tuple[MergerFigure, ...]:
    """Mergers of the period; the comparison with last year (prev_pva folded onto successors) is over
    the activity types tracked last year, the successor's and its predecessors' actual added up."""
    frame = metrics.mergers_in_period(wb, period, calendar, cutoff_day)
    now_all = _unit_actual(pva)
    now_tracked = _unit_actual(pva, tracked)
    prev = {} if prev_pva is None else _unit_actual(prev_pva, tracked)
    out = []
    for (day, code), rows in frame.groupby(["merge_date", "successor_code"], sort=False):
        codes = tuple(str(c) for c in rows["unit_code"])
        out.append(
            MergerFigure(
                predecessors=tuple(str(n) for n in rows["unit_name"]),
                successor=str(rows["successor_name"].iloc[0]),
                merge_date=pd.Timestamp(day).date(),
                predecessor_codes=codes,
                successor_code=str(code),
                predecessors_actual=sum(now_all.get(c, 0) for c in codes),
                successor_actual=now_all.get(str(code), 0),
                merged_actual=sum(now_tracked.get(c, 0) for c in (*codes, str(code))),
                successor_prev=None if prev_pva is None else prev.get(str(code), 0),
            )
        )
    return tuple(out)


def _data_until(wb: Workbook) -> date | None:
    days = pd.to_datetime(wb.activities["date"]).dropna()
    return None if days.empty else days.max().date()


def _by_type(pva: pd.DataFrame) -> dict[str, tuple[float, int]]:
    rolled = metrics.rollup(pva, "activity_type")
    return {str(r.activity_type): (float(r.planned), int(r.actual)) for r in rolled.itertuples(index=False)}


def gather_facts(
    wb: Workbook,
    period: Period,
    calendar: str = "calendar",
    cutoff_day: int = 15,
    complete_pct: float = 100.0,
    near_pct: float = 70.0,
    as_of: date | None = None,
) -> ReportFacts:
    """Workbook + period -> ReportFacts: per-type actual / pro-rated plan / year plan / year-to-date
    actual, unit classes, comparison with last year (only when both periods are covered by data),
    channel groups, reform areas, and reviews / funding / initiatives / directives when tracked."""
    first, last = period.bounds(calendar, cutoff_day)
    pva = metrics.plan_vs_actual(wb, period, calendar, cutoff_day)
    year = metrics.plan_vs_actual(wb, Period(period.year, ""), calendar, cutoff_day)
    ytd = (
        pva
        if period.year_to_date() == period
        else metrics.plan_vs_actual(wb, period.year_to_date(), calendar, cutoff_day)
    )
    now, year_t, ytd_t = _by_type(pva), _by_type(year), _by_type(ytd)
    data_until = _data_until(wb)
    covered = data_until is not None and data_until >= last
    prev_pva = (
        metrics.previous_year_pva(wb, period, calendar, cutoff_day, fold_successors=True) if covered else None
    )
    prev_has_activity = bool(
        prev_pva is not None
        and metrics.activities_in_period(wb, period.previous_year(), calendar, cutoff_day)["quantity"].size
    )
    comparable = covered and prev_pva is not None and prev_has_activity
    tracked_prev: dict[str, int] = {}
    if comparable:
        prev_t = _by_type(prev_pva)
        tracked_prev = {c: a for c, (p, a) in prev_t.items() if p > 0 or a > 0}
    measures = dict(zip(wb.activity_types["type_code"], wb.activity_types["measure"], strict=False))
    names = dict(zip(wb.activity_types["type_code"], wb.activity_types["type_name"], strict=False))
    types = []
    for code in wb.activity_types["type_code"]:
        planned, actual = now.get(code, (0.0, 0))
        measure = measures.get(code)
        types.append(
            TypeFacts(
                code=str(code),
                name=str(names[code]),
                measure="" if measure is None or pd.isna(measure) else str(measure),
                actual=actual,
                planned=planned,
                year_plan_raw=year_t.get(code, (0.0, 0))[0],
                ytd_actual=ytd_t.get(code, (0.0, 0))[1],
                ytd_planned=ytd_t.get(code, (0.0, 0))[0],
                actual_prev=tracked_prev.get(str(code)),
            )
        )
    classified = metrics.classify_units(pva, complete_pct, near_pct)
    units = tuple(
        UnitFacts(str(r.unit_code), str(r.unit_name), float(r.planned), int(r.actual), str(r.status))
        for r in classified.itertuples(index=False)
    )
    activities = metrics.activities_in_period(wb, period, calendar, cutoff_day)
    present = metrics.units_in_period(wb, period, calendar, cutoff_day)
    areas = metrics.breakdown(activities, "reform_area")
    areas = areas[areas["value"] != BLANK]
    return ReportFacts(
        period=period,
        calendar=calendar,
        first_day=first,
        last_day=last,
        types=tuple(types),
        units=units,
        complete_pct=complete_pct,
        near_pct=near_pct,
        data_until=data_until,
        as_of=as_of,
        comparable=comparable,
        units_prev=None if not comparable else int(prev_pva["unit_code"].nunique()),
        channels=_channels(wb, activities),
        reform_areas=tuple(
            (str(v), int(q), float(s))
            for v, q, s in zip(areas["value"], areas["quantity"], areas["share_pct"], strict=True)
        ),
        reviews=_reviews(wb, present, first, last),
        funding=_funding(wb, period.year),
        initiatives=_initiatives(wb, period.year),
        directives=_directives(wb, first, last),
        plan_document=_year_plan(wb, period.year),
        mergers=_mergers(
            wb, period, calendar, cutoff_day, pva, prev_pva if comparable else None, set(tracked_prev)
        ),
        cutoff_day=cutoff_day,
    )
