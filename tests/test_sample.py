"""The bundled sample: readable without errors, and `summary` equals figures computed independently
from the raw sheets with openpyxl and plain Python (no cchc_lib reading or metrics involved)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections import defaultdict
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "cam_xuyen_2024.xlsx"


def _sheet_rows(book: openpyxl.Workbook, name: str) -> list[dict[str, object]]:
    sheet = book[name]
    rows = list(sheet.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if "Mã đơn vị" in r)
    header = rows[header_at]
    return [
        dict(zip(header, r, strict=False)) for r in rows[header_at + 1 :] if any(v is not None for v in r)
    ]


def _day(value: object) -> date:
    return value.date() if isinstance(value, datetime) else value


# The quarters of 2024 written out by hand (workbook.md, "Periods"; report cut-off day 15).
QUARTERS_2024 = {
    "calendar": {
        1: (date(2024, 1, 1), date(2024, 3, 31)),
        2: (date(2024, 4, 1), date(2024, 6, 30)),
        3: (date(2024, 7, 1), date(2024, 9, 30)),
        4: (date(2024, 10, 1), date(2024, 12, 31)),
    },
    "report": {
        1: (date(2023, 12, 15), date(2024, 3, 14)),
        2: (date(2024, 3, 15), date(2024, 6, 14)),
        3: (date(2024, 6, 15), date(2024, 9, 14)),
        4: (date(2024, 9, 15), date(2024, 12, 14)),
    },
}


def _share(lo: date | None, hi: date | None, first: date, last: date) -> Fraction:
    """Days of [first, last] inside the validity [lo, hi] (inclusive) / days of [first, last]."""
    begin, end = max(first, lo or first), min(last, hi or last)
    inside = max((end - begin).days + 1, 0)
    return Fraction(inside, (last - first).days + 1)


def half_up(value: Fraction) -> float:
    """An exact value rounded half up to 1 decimal (106.25 -> 106.3)."""
    return float(Fraction(math.floor(value * 10 + Fraction(1, 2)), 10))


def independent_summary(
    calendar: str, period_quarters: list[int], start: date, end: date
) -> dict[tuple[str, str], tuple[Fraction, int]]:
    """(unit, type) -> (planned, actual) for 2024, computed by hand-written loops over the raw sheets:
    planned = sum over the period's quarters of (quarter target + year target / 4) x the share of the
    quarter's days on which the unit existed; actual = quantities dated in the period and inside the
    unit's validity."""
    book = openpyxl.load_workbook(SAMPLE, read_only=True, data_only=True)
    types = {r["Tên loại hoạt động"]: r["Mã loại"] for r in _sheet_rows_types(book)}
    codes = set(types.values())
    units = {}
    for r in _sheet_rows(book, "Đơn vị"):
        lo, hi = _day(r.get("Hiệu lực từ")), _day(r.get("Hiệu lực đến"))
        if (lo is None or lo <= end) and (hi is None or hi >= start):
            units[r["Mã đơn vị"]] = (lo, hi)
    shares = {
        (u, q): _share(lo, hi, *QUARTERS_2024[calendar][q])
        for u, (lo, hi) in units.items()
        for q in period_quarters
    }
    planned: dict[tuple[str, str], Fraction] = defaultdict(Fraction)
    for r in _sheet_rows(book, "Kế hoạch"):
        if r["Năm"] != 2024 or r["Mã đơn vị"] not in units:
            continue
        unit = r["Mã đơn vị"]
        for key, value in r.items():
            code = key if key in codes else types.get(key)
            if code is None or value is None:
                continue
            if r.get("Quý") is None:
                planned[unit, code] += sum(Fraction(value, 4) * shares[unit, q] for q in period_quarters)
            elif int(r["Quý"]) in period_quarters:
                planned[unit, code] += value * shares[unit, int(r["Quý"])]
    actual: dict[tuple[str, str], int] = defaultdict(int)
    for r in _sheet_rows(book, "Hoạt động"):
        day = _day(r["Ngày"])
        if not (start <= day <= end) or r["Mã đơn vị"] not in units:
            continue
        lo, hi = units[r["Mã đơn vị"]]
        if (lo is None or lo <= day) and (hi is None or day <= hi):
            code = r["Loại hoạt động"] if r["Loại hoạt động"] in codes else types[r["Loại hoạt động"]]
            actual[r["Mã đơn vị"], code] += r["Số lượng"] or 1
    return {(u, t): (planned[u, t], actual[u, t]) for u in units for t in codes}


def _sheet_rows_types(book: openpyxl.Workbook) -> list[dict[str, object]]:
    rows = list(book["Loại hoạt động"].iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if "Mã loại" in r)
    return [dict(zip(rows[header_at], r, strict=False)) for r in rows[header_at + 1 :] if r[0] is not None]


@pytest.mark.parametrize(
    ("period", "calendar", "quarters", "start", "end"),
    [
        ("2024-H1", "report", [1, 2], date(2023, 12, 15), date(2024, 6, 14)),
        ("2024-Q3", "calendar", [3], date(2024, 7, 1), date(2024, 9, 30)),
        ("2024", "report", [1, 2, 3, 4], date(2023, 12, 15), date(2024, 12, 14)),
        ("2024-9M", "calendar", [1, 2, 3], date(2024, 1, 1), date(2024, 9, 30)),
    ],
)
def test_summary_of_the_sample_matches_an_independent_computation(
    period: str, calendar: str, quarters: list[int], start: date, end: date
) -> None:
    expected = independent_summary(calendar, quarters, start, end)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cchc_lib",
            "summary",
            str(SAMPLE),
            "--period",
            period,
            "--calendar",
            calendar,
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    got = {
        (r["unit_code"], r["activity_type"]): (r["planned"], r["actual"], r["completion_pct"])
        for r in json.loads(done.stdout)
    }
    assert set(got) == set(expected)
    for key, (plan, act) in expected.items():
        assert got[key][0] == pytest.approx(float(plan), rel=1e-12), key
        assert got[key][1] == act, key
        assert got[key][2] == (None if plan == 0 else half_up(act * 100 / plan)), key
    assert sum(a for _, a in expected.values()) > 0


REPORT_JSON = ("--calendar", "report", "--format", "json")


def test_the_merged_commune_is_planned_for_its_share_of_report_q3() -> None:
    """XCQN and XCTC end on 30/06/2024 and merge into XQT (from 01/07/2024). The sample plans XQT by
    quarter: Q3 TIN_BAI 6, BAI_DANG_TTDT 7, PHAT_THANH 36; Q4 TIN_BAI 6. Report Q3 = 15/06–14/09 =
    16+31+31+14 = 92 days, of which XQT existed 01/07–14/09 = 31+31+14 = 76: planned 6 x 76/92 =
    4.957, 7 x 76/92 = 5.783, 36 x 76/92 = 29.739. The old communes exist 15/06–30/06 (16 days) but
    have Q1/Q2 targets only: planned 0. Report H2 adds XQT's whole Q4: TIN_BAI 6 x 76/92 + 6."""

    def summary(period: str) -> dict[tuple[str, str], dict]:
        done = subprocess.run(
            [sys.executable, "-m", "cchc_lib", "summary", str(SAMPLE), "--period", period, *REPORT_JSON],
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=ROOT,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return {(r["unit_code"], r["activity_type"]): r for r in json.loads(done.stdout)}

    q3 = summary("2024-Q3")
    assert q3["XQT", "TIN_BAI"]["planned"] == pytest.approx(6 * 76 / 92, rel=1e-12)
    assert q3["XQT", "BAI_DANG_TTDT"]["planned"] == pytest.approx(7 * 76 / 92, rel=1e-12)
    assert q3["XQT", "PHAT_THANH"]["planned"] == pytest.approx(36 * 76 / 92, rel=1e-12)
    for old in ("XCQN", "XCTC"):
        assert all(q3[old, t]["planned"] == 0 for t in ("TIN_BAI", "BAI_DANG_TTDT", "PHAT_THANH"))
    h2 = summary("2024-H2")
    assert h2["XQT", "TIN_BAI"]["planned"] == pytest.approx(6 * 76 / 92 + 6, rel=1e-12)
