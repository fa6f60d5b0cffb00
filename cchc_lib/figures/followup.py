"""Follow-up of the directive's other duties: portal reviews, funding and initiatives per unit."""

from __future__ import annotations

from datetime import date

import pandas as pd

__all__ = [
    "REVIEW_OVERDUE_DAYS",
    "funding_by_unit",
    "funding_totals",
    "initiatives_of_year",
    "last_reviews",
    "review_summary",
]

# A portal review older than one quarter (plus a few days' grace) is overdue.
REVIEW_OVERDUE_DAYS = 92


def last_reviews(reviews: pd.DataFrame, units: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The last portal review on or before `as_of` of every unit in `units`.

    Columns: unit_code, unit_name, unit_type, review_date (NaT when never reviewed), days_since,
    overdue (never reviewed or older than REVIEW_OVERDUE_DAYS), score, has_cchc_section,
    updated_this_quarter, broken_links, findings, reviewer. Overdue units first, then oldest.
    """
    cutoff = pd.Timestamp(as_of)
    done = reviews[pd.to_datetime(reviews["review_date"]) <= cutoff]
    done = done.sort_values("review_date").drop_duplicates("unit_code", keep="last")
    keep = [
        "unit_code",
        "review_date",
        "score",
        "has_cchc_section",
        "updated_this_quarter",
        "broken_links",
        "findings",
        "reviewer",
    ]
    out = units[["unit_code", "unit_name", "unit_type"]].merge(done[keep], on="unit_code", how="left")
    days = (cutoff - pd.to_datetime(out["review_date"])).dt.days
    out.insert(4, "days_since", days.astype("Int64"))
    out.insert(5, "overdue", (days.isna() | (days > REVIEW_OVERDUE_DAYS)).astype(bool))
    return out.sort_values(
        ["overdue", "review_date"], ascending=[False, True], na_position="first"
    ).reset_index(drop=True)


def review_summary(last: pd.DataFrame) -> dict[str, float | int | None]:
    """From last_reviews(): {"units", "reviewed", "overdue", "mean_score" (None without scores)}."""
    reviewed = last[last["review_date"].notna()]
    score = pd.to_numeric(reviewed["score"], errors="coerce").mean()
    return {
        "units": len(last),
        "reviewed": len(reviewed),
        "overdue": int(last["overdue"].sum()),
        "mean_score": None if pd.isna(score) else float(score),
    }


def funding_by_unit(funding: pd.DataFrame, units: pd.DataFrame, year: int) -> pd.DataFrame:
    """Funding of `year` per unit: unit_code, unit_name, unit_type, allocated, spent, spent_pct."""
    rows = funding[funding["year"] == year]
    sums = rows.groupby("unit_code", sort=False)[["allocated", "spent"]].sum(min_count=1).reset_index()
    out = units[["unit_code", "unit_name", "unit_type"]].merge(sums, on="unit_code", how="inner")
    allocated = out["allocated"].astype("Float64")
    out["spent_pct"] = (out["spent"].astype("Float64") / allocated.where(allocated > 0) * 100).astype(float)
    return out.reset_index(drop=True)


def funding_totals(funds: pd.DataFrame) -> dict[str, float | None]:
    """From funding_by_unit(): {"allocated", "spent", "spent_pct" (None when nothing allocated)}."""
    allocated = float(funds["allocated"].sum())
    spent = float(funds["spent"].sum())
    return {
        "allocated": allocated,
        "spent": spent,
        "spent_pct": spent / allocated * 100 if allocated else None,
    }


def initiatives_of_year(initiatives: pd.DataFrame, units: pd.DataFrame, year: int) -> pd.DataFrame:
    """Initiatives of `year` for the units in `units`, with unit_name: year, unit_code, unit_name, name, ..."""
    rows = initiatives[initiatives["year"] == year]
    out = rows.merge(units[["unit_code", "unit_name"]], on="unit_code", how="inner")
    columns = ["year", "unit_code", "unit_name", "name", "reform_area", "status", "result"]
    return out[[c for c in columns if c in out.columns]].reset_index(drop=True)
