"""Every statement of the generated report read back and checked against the raw sheets.

For the bundled sample (Q1, H1, 9M, Q3, H2 and the year 2024 under both calendars, the empty year 2022,
the near-empty report year 2025), each Sentence's facts are checked one by one against figures this
file computes itself with plain pandas from the workbook's frames and the format's rules (not through
metrics or report_facts), and the numbers and dates in the sentence's text must be exactly its facts.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest

from cchc_lib.common.settings import Settings
from cchc_lib.documents.report_content import EDITABLE_KEYS, MAX_NAMES, PLACEHOLDER_PREFIX, build_content
from cchc_lib.reading.workbook import read_workbook

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "cam_xuyen_2024.xlsx"
pytestmark = pytest.mark.skipif(not SAMPLE.is_file(), reason="the bundled sample workbook is missing")
AS_OF = date(2025, 1, 6)
ONE_DAY = timedelta(days=1)

# The sample's channel texts and the directive's group each belongs to (read off the catalogue by hand).
SAMPLE_CHANNEL_GROUPS = {
    "Trang TTĐT xã": "Trang thông tin điện tử của cơ quan, đơn vị",
    "Trang TTĐT huyện": "Trang thông tin điện tử của cơ quan, đơn vị",
    "Cổng TTĐT tỉnh": "Cổng thông tin điện tử tỉnh",
    "Fanpage": "Mạng xã hội",
    "Zalo OA": "Mạng xã hội",
    "Báo Hà Tĩnh": "Báo chí",
    "Đài PT-TH Hà Tĩnh": "Phát thanh, truyền hình",
    "Đài truyền thanh xã": "Hệ thống thông tin cơ sở",
    "Đài truyền thanh huyện": "Hệ thống thông tin cơ sở",
    "Trung tâm VH-TT huyện": "Hệ thống thông tin cơ sở",
    "Trực tiếp": "Hội nghị, tuyên truyền trực tiếp",
    "Trực tuyến": "Hội nghị, tuyên truyền trực tiếp",
}
GROUP_ORDER = [
    "Cổng thông tin điện tử tỉnh",
    "Trang thông tin điện tử của cơ quan, đơn vị",
    "Báo chí",
    "Phát thanh, truyền hình",
    "Hệ thống thông tin cơ sở",
    "Mạng xã hội",
    "Hội nghị, tuyên truyền trực tiếp",
    "Khác",
]
KINDS = {
    "Q1": (1,),
    "Q2": (2,),
    "Q3": (3,),
    "Q4": (4,),
    "H1": (1, 2),
    "H2": (3, 4),
    "9M": (1, 2, 3),
    "": (1, 2, 3, 4),
}
SPAN = {
    "Q1": "quý",
    "Q2": "quý",
    "Q3": "quý",
    "Q4": "quý",
    "H1": "6 tháng",
    "H2": "6 tháng",
    "9M": "9 tháng",
    "": "năm",
}
LABEL = {
    "Q1": "quý I năm {y}",
    "Q2": "quý II năm {y}",
    "Q3": "quý III năm {y}",
    "Q4": "quý IV năm {y}",
    "H1": "6 tháng đầu năm {y}",
    "H2": "6 tháng cuối năm {y}",
    "9M": "9 tháng năm {y}",
    "": "năm {y}",
}
YTD = {1: "Q1", 2: "H1", 3: "9M", 4: ""}


def half_up(value: float, decimals: int = 0) -> float:
    quantum = Decimal(1).scaleb(-decimals) if decimals else Decimal(1)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def quarter_bounds(year: int, q: int, calendar: str, cut: int = 15) -> tuple[date, date]:
    if calendar == "calendar":
        first = date(year, 3 * q - 2, 1)
        last = (date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)) - ONE_DAY
        return first, last
    first = date(year - 1, 12, cut) if q == 1 else date(year, 3 * q - 3, cut)
    return first, date(year, 3 * q, cut) - ONE_DAY


def day(value) -> date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


class Figures:
    """Plan and actual per (unit, type) for a set of quarters of a year, by the format's rules."""

    def __init__(self, wb, year: int, quarters: tuple[int, ...], calendar: str) -> None:
        self.first = quarter_bounds(year, quarters[0], calendar)[0]
        self.last = quarter_bounds(year, quarters[-1], calendar)[1]
        units = wb.units
        self.validity = {
            r.unit_code: (day(r.valid_from), day(r.valid_to)) for r in units.itertuples(index=False)
        }
        self.names = dict(zip(units["unit_code"], units["unit_name"], strict=True))
        self.in_scope = [c for c in units["unit_code"] if self.exists(c, self.first, self.last)]
        types = list(wb.activity_types["type_code"])
        self.types = types
        self.planned = {(u, t): 0.0 for u in self.in_scope for t in types}
        for r in wb.targets.itertuples(index=False):
            if r.year != year or r.unit_code not in self.in_scope or r.type_code not in types:
                continue
            for q in quarters:
                qa, qb = quarter_bounds(year, q, calendar)
                share = self.days(r.unit_code, qa, qb) / ((qb - qa).days + 1)
                quarterly = r.target if (not pd.isna(r.quarter) and int(r.quarter) == q) else 0
                yearly = r.target / 4 if pd.isna(r.quarter) else 0
                self.planned[(r.unit_code, r.type_code)] += (quarterly + yearly) * share
        self.actual = {(u, t): 0 for u in self.in_scope for t in types}
        self.rows = []
        for r in wb.activities.itertuples(index=False):
            d = day(r.date)
            if d is None or not (self.first <= d <= self.last) or r.unit_code not in self.in_scope:
                continue
            start, end = self.validity[r.unit_code]
            if (start and d < start) or (end and d > end) or r.type_code not in types:
                continue
            quantity = 1 if pd.isna(r.quantity) else int(r.quantity)
            self.actual[(r.unit_code, r.type_code)] += quantity
            self.rows.append((r, quantity))

    def exists(self, code: str, first: date, last: date) -> bool:
        start, end = self.validity[code]
        return (start is None or start <= last) and (end is None or end >= first)

    def days(self, code: str, first: date, last: date) -> int:
        start, end = self.validity[code]
        a, b = max(first, start or first), min(last, end or last)
        return max((b - a).days + 1, 0)

    def type_planned(self, t: str) -> float:
        return sum(v for (u, tt), v in self.planned.items() if tt == t)

    def type_actual(self, t: str) -> int:
        return sum(v for (u, tt), v in self.actual.items() if tt == t)

    def unit_planned(self, u: str) -> float:
        return sum(v for (uu, t), v in self.planned.items() if uu == u)

    def unit_actual(self, u: str) -> int:
        return sum(v for (uu, t), v in self.actual.items() if uu == u)


class Truth:
    """Everything a report of `name` under `calendar` may state, computed from the frames."""

    def __init__(self, wb, name: str, calendar: str, settings: Settings) -> None:
        year, _, kind = name.partition("-")
        self.year, self.kind = int(year), kind
        self.quarters = KINDS[kind]
        self.wb, self.calendar, self.s = wb, calendar, settings
        self.now = Figures(wb, self.year, self.quarters, calendar)
        self.first, self.last = self.now.first, self.now.last
        self.whole = Figures(wb, self.year, (1, 2, 3, 4), calendar)
        ytd_q = tuple(range(1, self.quarters[-1] + 1))
        self.ytd = Figures(wb, self.year, ytd_q, calendar)
        self.prev = Figures(wb, self.year - 1, self.quarters, calendar)
        self.types = self.now.types
        dates = pd.to_datetime(wb.activities["date"]).dropna()
        self.data_until = dates.max().date() if len(dates) else None
        prev_targets = wb.targets[
            (wb.targets["year"] == self.year - 1)
            & (wb.targets["quarter"].isna() | wb.targets["quarter"].isin(self.quarters))
        ]
        self.comparable = (
            self.data_until is not None
            and self.data_until >= self.last
            and bool(self.prev.rows)
            and (len(prev_targets) > 0 or bool(self.prev.rows))
        )
        self.tracked = (
            [t for t in self.types if self.prev.type_planned(t) > 0 or self.prev.type_actual(t) > 0]
            if self.comparable
            else []
        )
        self.status = {}
        for u in self.now.in_scope:
            p, a = self.now.unit_planned(u), self.now.unit_actual(u)
            pct = a * 100 / p if p > 0 else None
            if p == 0:
                s = "no_plan"
            elif a == 0:
                s = "no_activity"
            elif pct >= settings.complete_pct:
                s = "complete"
            elif pct >= settings.near_pct:
                s = "near"
            else:
                s = "behind"
            self.status[u] = (s, pct)

    # ---- helpers
    @property
    def is_year(self) -> bool:
        return self.kind == ""

    def label(self, year_shift: int = 0, kind: str | None = None) -> str:
        return LABEL[self.kind if kind is None else kind].format(y=self.year + year_shift)

    def with_status(self, *statuses: str) -> list[str]:
        return [u for u in self.now.in_scope if self.status[u][0] in statuses]

    def total(self, fig: Figures, what: str, t: str | None = None) -> float:
        if t is not None:
            return fig.type_planned(t) if what == "planned" else fig.type_actual(t)
        return sum((fig.type_planned if what == "planned" else fig.type_actual)(x) for x in self.types)

    def on_track(self, t: str) -> float | None:
        if self.is_year:
            p = self.whole.type_planned(t)
            return self.ytd.type_actual(t) * 100 / p if p > 0 else None
        p = self.now.type_planned(t)
        return self.now.type_actual(t) * 100 / p if p > 0 else None

    def period_rows(self) -> list[tuple[object, int]]:
        return self.now.rows


def is_no(value) -> bool:
    """A Có/Không cell read as "Không" (False), not blank."""
    return value is not None and not pd.isna(value) and not bool(value)


def close(a: float, b: float) -> bool:
    return abs(float(a) - float(b)) < 1e-6


def check_names(truth: Truth, facts, pool: list[str], order_key=None, reverse=False) -> None:
    """Shown names are units of `pool`, at most MAX_NAMES, the rest counted in `others`, and when an
    order is given, the shown ones come first in it."""
    names = list(facts["names"])
    pool_names = [truth.now.names.get(u, u) for u in pool] if pool and pool[0] in truth.now.names else pool
    assert set(names) <= set(pool_names), (names, pool_names)
    assert len(names) == min(MAX_NAMES, len(pool_names))
    assert facts["others"] == len(pool_names) - len(names)
    if order_key is not None:
        by_name = {truth.now.names[u]: order_key(u) for u in pool}
        shown = [by_name[n] for n in names]
        hidden = [v for n, v in by_name.items() if n not in names]
        if hidden:
            assert (min(shown) >= max(hidden)) if reverse else (max(shown) <= min(hidden))


def check_fact(truth: Truth, key: str, value, facts, section: str) -> None:
    t = facts.get("type_code")
    s = truth.s
    if key in ("type_code", "kind"):
        assert key != "type_code" or value in truth.types
        return
    if key == "units":
        assert value == len(truth.now.in_scope)
    elif key == "inactive_units":
        assert value == sum(1 for u in truth.now.in_scope if truth.now.unit_actual(u) == 0)
    elif key == "active_units":
        assert value == sum(1 for u in truth.now.in_scope if truth.now.unit_actual(u) > 0)
    elif key == "actual":
        assert value == truth.total(truth.now, "actual", t)
    elif key == "planned":
        assert close(value, truth.total(truth.now, "planned"))
    elif key == "year":
        assert value == truth.year
    elif key == "next_year":
        assert value == truth.year + 1
    elif key == "year_plan":
        assert value == half_up(truth.total(truth.whole, "planned", t))
    elif key == "ytd_actual":
        assert value == truth.total(truth.ytd, "actual", t)
    elif key == "ytd_pct":
        assert close(
            value, truth.total(truth.ytd, "actual", t) * 100 / truth.total(truth.whole, "planned", t)
        )
    elif key == "ytd_until":
        assert value == truth.ytd.last
    elif key == "period_pct":
        assert close(value, truth.total(truth.now, "actual") * 100 / truth.total(truth.now, "planned"))
    elif key == "verdict":
        pct = facts["period_pct"]
        expected = (
            "đạt tiến độ"
            if pct >= s.complete_pct
            else "gần đạt tiến độ"
            if pct >= s.near_pct
            else "chậm so với tiến độ"
        )
        assert value == expected
    elif key == "data_until":
        assert value == truth.data_until and truth.data_until is not None and truth.data_until < truth.last
    elif key == "remaining":
        assert value == half_up(truth.total(truth.whole, "planned")) - truth.total(truth.ytd, "actual") > 0
    elif "successor" in facts and key in (
        "predecessors_actual",
        "successor_actual",
        "merged_actual",
        "successor_prev",
        "change",
        "change_pct",
        "direction",
    ):
        code = next(u for u in truth.now.in_scope if truth.now.names[u] == facts["successor"])
        preds = truth.merged_into(code)
        assert {truth.now.names[u] for u in preds} == set(facts["predecessors"])
        now_tracked = sum(truth.now.actual.get((u, x), 0) for u in (code, *preds) for x in truth.tracked)
        before = sum(truth.prev.actual.get((u, x), 0) for u in (code, *preds) for x in truth.tracked)
        expected = {
            "predecessors_actual": sum(truth.now.unit_actual(u) for u in preds),
            "successor_actual": truth.now.unit_actual(code),
            "merged_actual": now_tracked,
            "successor_prev": before,
            "change": abs(now_tracked - before),
            "change_pct": abs(now_tracked - before) * 100 / before if before else None,
            "direction": "tăng" if now_tracked > before else "giảm" if now_tracked < before else "bằng",
        }[key]
        if key in ("merged_actual", "successor_prev", "change", "change_pct", "direction"):
            assert truth.comparable
        assert close(value, expected) if isinstance(expected, float) else value == expected
    elif key in ("actual_cmp", "actual_prev", "change", "change_pct", "direction"):
        assert truth.comparable
        types = [t] if t else truth.tracked
        assert set(types) <= set(truth.tracked)
        now = sum(truth.now.type_actual(x) for x in types)
        before = sum(truth.prev.type_actual(x) for x in types)
        expected = {
            "actual_cmp": now,
            "actual_prev": before,
            "change": abs(now - before),
            "change_pct": abs(now - before) * 100 / before if before else None,
            "direction": "tăng" if now > before else "giảm" if now < before else "bằng",
        }[key]
        assert close(value, expected) if isinstance(expected, float) else value == expected
    elif key == "untracked_types":
        assert truth.comparable
        assert list(value) == [
            x for x in truth.types if x not in truth.tracked and truth.now.type_actual(x) > 0
        ]
    elif key in ("predecessors", "successor") and "merge_date" not in facts:
        code = next(u for u in truth.now.in_scope if truth.now.names[u] == facts["successor"])
        assert {truth.now.names[u] for u in truth.merged_into(code)} == set(facts["predecessors"]) != set()
    elif key in ("merge_date", "predecessors", "successor"):
        merged = [
            r
            for r in truth.wb.units.itertuples(index=False)
            if isinstance(r.successor_code, str)
            and day(r.valid_to) is not None
            and truth.first <= day(r.valid_to) + ONE_DAY <= truth.last
            and day(r.valid_to) + ONE_DAY == facts["merge_date"]
        ]
        assert merged
        assert set(facts["predecessors"]) == {r.unit_name for r in merged}
        assert {truth.now.names[r.successor_code] for r in merged} == {facts["successor"]}
    elif key == "units_with_plan":
        assert value == len(truth.now.in_scope) - len(truth.with_status("no_plan"))
    elif key == "no_plan":  # units merged away during the period are left out
        merged = {u for c in truth.now.in_scope for u in truth.merged_into(c)}
        assert value == len([u for u in truth.with_status("no_plan") if u not in merged])
    elif key in ("complete", "near", "behind", "no_activity"):
        assert value == len(truth.with_status(key))
    elif key == "below_plan":
        assert value == len(truth.with_status("near", "behind", "no_activity"))
    elif key == "no_plan_active":
        merged = {u for c in truth.now.in_scope for u in truth.merged_into(c)}
        assert value == sum(
            1 for u in truth.with_status("no_plan") if u not in merged and truth.now.unit_actual(u) > 0
        )
    elif key == "complete_pct":
        assert value == s.complete_pct
    elif key == "near_pct":
        assert value == s.near_pct
    elif key == "names":
        if "status" in facts:
            pool = truth.with_status(facts["status"])
            if facts["status"] == "complete":
                check_names(truth, facts, pool, lambda u: truth.status[u][1], reverse=True)
            elif facts["status"] == "behind":
                check_names(truth, facts, pool, lambda u: truth.status[u][1])
            else:
                check_names(truth, facts, pool)
        else:
            kind = facts["kind"]
            rv = truth.reviews()
            pool = rv["without_section"] if kind == "without_section" else rv["not_updated"]
            check_names(truth, facts, pool)
    elif key == "name_pcts":
        by_name = {truth.now.names[u]: truth.status[u][1] for u in truth.now.in_scope}
        assert all(close(p, by_name[n]) for n, p in zip(facts["names"], value, strict=True))
    elif key in ("others", "status"):
        if key == "others" and "names" not in facts:  # "… và N sáng kiến khác"
            ini = truth.initiatives()
            assert value == ini["applied"] - MAX_NAMES
    elif key in ("groups", "quantities", "shares"):
        rows = truth.breakdown(facts.get("kind") == "reform_area")
        expected = {"groups": [r[0] for r in rows], "quantities": [r[1] for r in rows]}
        if key == "shares":
            total = sum(q for _, q in truth.channel_totals(True).items())
            assert all(close(v, q * 100 / total) for v, q in zip(value, facts["quantities"], strict=True))
        else:
            assert list(value) == expected[key]
    elif key == "zero_groups":
        groups = truth.channel_totals(False)
        assert list(value) == [g for g in GROUP_ORDER[:-1] if groups.get(g, 0) == 0]
    elif key in ("blank_quantity", "blank_share"):
        totals = truth.channel_totals(True)
        blank = totals.get("", 0)
        expected = blank if key == "blank_quantity" else blank * 100 / sum(totals.values())
        assert close(value, expected)
    elif key in ("reviews", "units_reviewed", "average_score", "broken_links", "not_reviewed", "score_max"):
        rv = truth.reviews()
        if key == "score_max":
            assert value == 100
        elif key == "not_reviewed":
            assert value == len(rv["not_reviewed"])
        else:
            assert close(value, rv[key])
    elif key == "without_section":
        assert value == len(truth.reviews()["without_section"])
    elif key in ("funding_units", "allocated", "spent", "spent_pct", "as_of"):
        rows = truth.wb.funding[truth.wb.funding["year"] == truth.year]
        spent = pd.to_numeric(rows["spent"]).fillna(0).sum()
        expected = {
            "funding_units": rows["unit_code"].nunique(),
            "allocated": rows["allocated"].sum(),
            "spent": spent,
            "spent_pct": spent * 100 / rows["allocated"].sum() if len(rows) else None,
            "as_of": AS_OF,
        }[key]
        assert value == expected if key == "as_of" else close(value, expected)
    elif key in ("total", "applied", "in_use", "replicated", "proposed", "no_status", "other_status"):
        assert value == truth.initiatives()[key]
    elif key in ("initiative", "unit"):
        rows = truth.wb.initiatives
        match = rows[(rows["year"] == truth.year) & (rows["name"] == facts["initiative"])]
        assert len(match) == 1
        assert truth.now.names[match.iloc[0]["unit_code"]] == facts["unit"]
        assert match.iloc[0]["status"] == facts["status"] and facts["status"] in (
            "Đang áp dụng",
            "Đã nhân rộng",
        )
    elif key == "directives":
        assert value == len(truth.directives())
    elif key in ("doc_type", "number", "issued", "issuer", "summary"):
        found = [
            d for d in truth.directives() if d["number"] == facts["number"] and d["issued"] == facts["issued"]
        ]
        assert len(found) == 1
        d = found[0]
        if key == "summary":  # printed after "về": the trích yếu, maybe without its first word(s)
            assert value and d["summary"].lower().endswith(value.lower())
        else:
            assert value == (d[key] if key != "doc_type" else (d["doc_type"] or "Văn bản"))
    elif key in ("first_day", "last_day"):
        assert value == (truth.first if key == "first_day" else truth.last)
    elif key in ("types", "type_pcts"):
        if section == "uu_diem":
            chosen = [
                x
                for x in truth.types
                if truth.on_track(x) is not None and truth.on_track(x) >= s.complete_pct
            ]
            pcts = [truth.on_track(x) for x in chosen]
        elif section == "ton_tai":
            chosen = [
                x for x in truth.types if truth.on_track(x) is not None and truth.on_track(x) < s.near_pct
            ]
            pcts = [truth.on_track(x) for x in chosen]
        else:  # phuong_huong: behind the pro-rated plan to date, lowest first
            rows = []
            for x in truth.types:
                plan = truth.whole.type_planned(x)
                if plan > 0 and truth.ytd.type_actual(x) < truth.ytd.type_planned(x):
                    rows.append((truth.ytd.type_actual(x) * 100 / plan, x))
            rows.sort(key=lambda r: r[0])  # lowest first, ties in catalogue order
            rows = rows[:MAX_NAMES]
            chosen, pcts = [x for _, x in rows], [p for p, _ in rows]
        if key == "types":
            assert list(value) == chosen
        else:
            assert all(close(a, b) for a, b in zip(value, pcts, strict=True))
    else:
        pytest.fail(f"fact {key!r} has no independent check")


def _truth_extras(cls):
    """Optional-sheet figures on Truth (reviews, initiatives, directives, channels)."""

    def reviews(self):
        frame = self.wb.portal_reviews
        days = pd.to_datetime(frame["review_date"]).dt.date
        inside = frame[
            (days >= self.first) & (days <= self.last) & frame["unit_code"].isin(self.now.in_scope)
        ]
        scores = inside["score"].dropna()
        names = self.now.names
        portal = [
            u
            for u in self.now.in_scope
            if isinstance(self.wb.units.set_index("unit_code").at[u, "portal_url"], str)
        ]
        return {
            "reviews": len(inside),
            "units_reviewed": inside["unit_code"].nunique(),
            "average_score": float(scores.mean()) if len(scores) else None,
            "broken_links": int(inside["broken_links"].fillna(0).sum()),
            "without_section": list(
                dict.fromkeys(
                    names[u]
                    for u, v in zip(inside["unit_code"], inside["has_cchc_section"], strict=True)
                    if is_no(v)
                )
            ),
            "not_updated": list(
                dict.fromkeys(
                    names[u]
                    for u, v in zip(inside["unit_code"], inside["updated_this_quarter"], strict=True)
                    if is_no(v)
                )
            ),
            "not_reviewed": [u for u in portal if u not in set(inside["unit_code"])],
        }

    def merged_into(self, code: str) -> list[str]:
        """Units merged into `code` during the period (valid_to + 1 day inside it)."""
        return [
            r.unit_code
            for r in self.wb.units.itertuples(index=False)
            if r.successor_code == code
            and day(r.valid_to) is not None
            and self.first <= day(r.valid_to) + ONE_DAY <= self.last
        ]

    def initiatives(self):
        rows = self.wb.initiatives[self.wb.initiatives["year"] == self.year]
        status = [("" if pd.isna(v) else str(v)) for v in rows["status"]]
        known = ("Đang áp dụng", "Đã nhân rộng", "Đề xuất", "")
        return {
            "total": len(rows),
            "in_use": status.count("Đang áp dụng"),
            "replicated": status.count("Đã nhân rộng"),
            "applied": status.count("Đang áp dụng") + status.count("Đã nhân rộng"),
            "proposed": status.count("Đề xuất"),
            "no_status": status.count(""),
            "other_status": sum(1 for v in status if v not in known),
        }

    def directives(self):
        out = []
        for r in self.wb.directives.itertuples(index=False):
            d = day(r.issued_date)
            if self.first <= d <= self.last:
                text = {k: ("" if v is None or pd.isna(v) else str(v)) for k, v in r._asdict().items()}
                out.append({**text, "issued": d})
        return out

    def channel_totals(self, with_blank: bool):
        totals: dict[str, int] = {}
        for r, quantity in self.period_rows():
            text = r.channel if isinstance(r.channel, str) and r.channel.strip() else ""
            group = SAMPLE_CHANNEL_GROUPS[text] if text else ""
            totals[group] = totals.get(group, 0) + quantity
        if not with_blank:
            totals.pop("", None)
        return totals

    def breakdown(self, reform_area: bool):
        if not reform_area:
            totals = self.channel_totals(False)
            return [(g, totals[g]) for g in GROUP_ORDER if totals.get(g, 0) > 0]
        totals: dict[str, int] = {}
        for r, quantity in self.period_rows():
            if isinstance(r.reform_area, str) and r.reform_area.strip():
                totals[r.reform_area] = totals.get(r.reform_area, 0) + quantity
        return sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))

    for f in (reviews, merged_into, initiatives, directives, channel_totals, breakdown):
        setattr(cls, f.__name__, f)
    return cls


_truth_extras(Truth)


# ------------------------------------------------------------------------------------------------
# numbers in the text

NUMBER = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?")
DATE = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")


def parse_vn(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def flat(value):
    if isinstance(value, tuple | list):
        for v in value:
            yield from flat(v)
    else:
        yield value


def numbers_and_dates(text: str, facts, truth: Truth) -> tuple[list[float], list[str]]:
    """The numbers and dates a sentence prints, once its names, labels and span words are removed."""
    words = [v for v in flat(list(facts.values())) if isinstance(v, str) and v]
    labels = [truth.label(), truth.label(-1), truth.label(0, YTD[truth.quarters[-1]])]
    # a label that is just "năm 2024" stays when the sentence states that year as a fact
    words += [w for w in labels if w != f"năm {facts.get('year')}"] + [SPAN[truth.kind]]
    for word in sorted(set(words), key=len, reverse=True):
        text = text.replace(word, " ").replace(word[:1].upper() + word[1:], " ")
    dates = DATE.findall(text)
    text = DATE.sub(" ", text)
    return [parse_vn(n) for n in NUMBER.findall(text)], dates


def shown(value) -> float:
    return float(value) if isinstance(value, int) else half_up(value, 1)


def check_text(sentence, truth: Truth) -> None:
    numbers, dates = numbers_and_dates(sentence.text, sentence.facts, truth)
    values = [
        v
        for v in flat(list(sentence.facts.values()))
        if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    fact_dates = [f"{v:%d/%m/%Y}" for v in flat(list(sentence.facts.values())) if isinstance(v, date)]
    assert sorted(dates) == sorted(fact_dates), sentence.text
    allowed = {shown(v) for v in values if v is not None}
    for n in numbers:
        assert any(close(n, a) for a in allowed), (n, sentence.text, sentence.facts)
    for v in values:
        if v:  # zero facts are what "chưa có …" sentences state without a digit
            assert any(close(n, shown(v)) for n in numbers), (v, sentence.text)


# ------------------------------------------------------------------------------------------------
# the suite

CASES = [
    (name, calendar)
    for name in ("2024-Q1", "2024-Q2", "2024-H1", "2024-9M", "2024-Q3", "2024-Q4", "2024-H2", "2024")
    for calendar in ("calendar", "report")
] + [("2022", "calendar"), ("2022", "report"), ("2025", "report"), ("2025-Q1", "report")]


@pytest.fixture(scope="module")
def wb():
    result = read_workbook(SAMPLE.read_bytes())
    assert result.ok
    return result.workbook


def _content(wb, name: str, calendar: str):
    from cchc_lib.common.periods import parse_period

    return build_content(wb, parse_period(name), calendar, Settings(), as_of=AS_OF)


@pytest.mark.parametrize(("name", "calendar"), CASES)
def test_every_statement_reads_back(wb, name: str, calendar: str) -> None:
    truth = Truth(wb, name, calendar, Settings())
    content = _content(wb, name, calendar)
    checked = 0
    for section in content.sections:
        for sentence in section.sentences:
            for key, value in sentence.facts.items():
                check_fact(truth, key, value, sentence.facts, section.key)
                checked += 1
            check_text(sentence, truth)
    assert checked > 0


@pytest.mark.parametrize(("name", "calendar"), CASES)
def test_report_wording_rules(wb, name: str, calendar: str) -> None:
    truth = Truth(wb, name, calendar, Settings())
    content = _content(wb, name, calendar)
    body = "\n".join([content.intro, *[p for s in content.sections for p in s.paragraphs], content.closing])
    assert "duy trì theo kế hoạch" not in body
    if SPAN[truth.kind] != "quý":
        assert "trong quý" not in body.lower()
    assert f"số liệu từ ngày {truth.first:%d/%m/%Y} đến ngày {truth.last:%d/%m/%Y}" in content.intro
    keys = [s.key for s in content.sections]
    assert keys[:5] == ["phan_ket_qua", "chi_dao", "ket_qua", "ket_qua_don_vi", "kenh"]
    assert keys[-6:] == ["danh_gia", "uu_diem", "ton_tai", "nguyen_nhan", "phuong_huong", "kien_nghi"]
    assert {s.key for s in content.sections if s.editable} <= set(EDITABLE_KEYS)
    assert not content.section("phan_ket_qua").editable and not content.section("danh_gia").editable
    next_label = {
        "Q1": "QUÝ II NĂM {y}",
        "Q2": "QUÝ III NĂM {y}",
        "Q4": "QUÝ I NĂM {n}",
        "Q3": "QUÝ IV NĂM {y}",
        "H1": "6 THÁNG CUỐI NĂM {y}",
        "9M": "QUÝ IV NĂM {y}",
        "H2": "6 THÁNG ĐẦU NĂM {n}",
        "": "NĂM {n}",
    }[truth.kind]
    assert content.section("phuong_huong").heading == "III. PHƯƠNG HƯỚNG, NHIỆM VỤ " + next_label.format(
        y=truth.year, n=truth.year + 1
    )
    # a marked placeholder where the data cannot speak, and only there
    for s in content.sections:
        marked = [p for p in s.paragraphs if p.startswith(PLACEHOLDER_PREFIX)]
        assert bool(marked) == s.placeholder, s.key
        assert all(
            not sentence.facts for sentence in s.sentences if sentence.text.startswith(PLACEHOLDER_PREFIX)
        )
    assert content.section("nguyen_nhan").placeholder and content.section("kien_nghi").placeholder
    # no fractional planned count: every "a/b" pair prints whole numbers
    for a, b in re.findall(r"(\d[\d.]*(?:,\d+)?)/(\d[\d.]*(?:,\d+)?)", body.replace("/100", "")):
        assert "," not in a and "," not in b, (a, b)
    # comparisons with last year only when both periods are covered
    assert ("So với cùng kỳ năm trước" in body) == (truth.comparable and bool(truth.tracked))
    if truth.data_until is not None and truth.data_until < truth.last:
        assert any(
            w.startswith(f"Số liệu mới cập nhật đến ngày {truth.data_until:%d/%m/%Y}")
            for w in content.warnings
        )


def test_the_issue_statements_on_the_sample(wb) -> None:
    """The false statements of issue 8, report calendar Q1 2024: now true."""
    content = _content(wb, "2024-Q1", "report")
    ket_qua = content.section("ket_qua").paragraphs
    assert ket_qua[0].startswith("Trong quý, 43/46 cơ quan, đơn vị có sản phẩm")
    units = content.section("ket_qua_don_vi").paragraphs[0]
    assert "16 đơn vị hoàn thành kế hoạch" in units and "30 đơn vị chưa hoàn thành" in units
    assert "9 đơn vị đạt từ 70% đến dưới 100%, 18 đơn vị đạt dưới 70% và 3 đơn vị chưa có hoạt động" in units
    assert (
        "- Phóng sự: trong quý thực hiện 16; lũy kế từ đầu năm 16/19 phóng sự, đạt 84,2% kế hoạch năm;"
        in ket_qua
    )
    ini = content.section("sang_kien").paragraphs[0]
    assert (
        "12 sáng kiến" in ini
        and "9 sáng kiến, mô hình được áp dụng (6 đang áp dụng và 3 đã nhân rộng)" in ini
    )
    assert "3 sáng kiến, mô hình mới được đề xuất" in ini
    funding = content.section("kinh_phi").paragraphs[0]
    assert "năm 2024 (số liệu cả năm, không riêng quý I năm 2024)" in funding
    assert "theo số liệu cập nhật đến ngày 06/01/2025" in funding
    h1 = _content(wb, "2024-H1", "calendar")
    assert "trong quý" not in "\n".join(p for s in h1.sections for p in s.paragraphs)
    for name, calendar in (("2022", "calendar"), ("2025", "report")):
        empty = _content(wb, name, calendar)
        text = "\n".join(p for s in empty.sections for p in s.paragraphs)
        assert "duy trì" not in text and "So với cùng kỳ" not in text and "giảm 92,5" not in text
    near_empty = _content(wb, "2025", "report")
    assert any(w.startswith("Số liệu mới cập nhật đến ngày 31/12/2024") for w in near_empty.warnings)


def test_merger_is_stated(wb) -> None:
    for name, calendar in (("2024-Q3", "calendar"), ("2024-H2", "report"), ("2024", "calendar")):
        units = _content(wb, name, calendar).section("ket_qua_don_vi").paragraphs
        assert (
            units[0]
            == "Từ ngày 01/07/2024, UBND xã Cẩm Quan và UBND xã Cẩm Thạch sáp nhập thành UBND xã Quan Thạch."
        )
    units = _content(wb, "2024-Q1", "calendar").section("ket_qua_don_vi").paragraphs
    assert not any("sáp nhập" in p for p in units)


def test_clerk_texts_replace_sections(wb) -> None:
    from cchc_lib.common.periods import parse_period

    texts = {"nguyen_nhan": "  Do thiếu nhân lực.\n\n- Kinh phí hạn chế. ", "danh_gia": "x", "khong_co": "y"}
    content = build_content(wb, parse_period("2024-Q1"), "report", Settings(), texts=texts, as_of=AS_OF)
    section = content.section("nguyen_nhan")
    assert section.paragraphs == ("Do thiếu nhân lực.", "- Kinh phí hạn chế.")
    assert section.edited and not section.placeholder
    assert all(not s.facts for s in section.sentences)
    assert content.section("danh_gia").paragraphs == ()  # heading-only: not editable
    assert sum("không có trong báo cáo" in w for w in content.warnings) == 2
    assert not any("3. Nguyên nhân" in w for w in content.warnings)
