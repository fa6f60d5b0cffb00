"""Row selections the screens need that cchc_lib.metrics does not offer yet (plain pandas, no streamlit).

Candidates to move into metrics (reported to the lead): activity filtering and totals, rank of a unit,
last portal review per unit, funding by unit, initiatives of a year.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from cchc_lib.text import match_key

__all__ = [
    "REVIEW_OVERDUE_DAYS",
    "activity_totals",
    "distinct_values",
    "filter_activities",
    "funding_by_unit",
    "funding_totals",
    "initiatives_of_year",
    "last_reviews",
    "rank_in_group",
    "rows_matching",
    "search_keys",
    "review_summary",
]

# A portal review older than one quarter (plus a few days' grace) is overdue.
REVIEW_OVERDUE_DAYS = 92
BLANK = "(không ghi)"
_MARKS = "[\u0300-\u036f]"  # combining diacritical marks after NFD


def distinct_values(activities: pd.DataFrame, column: str) -> list[str]:
    """Distinct non-blank values of `column`, sorted, plus BLANK when some rows leave it empty."""
    values = activities[column]
    present = sorted({str(v) for v in values.dropna() if str(v).strip()})
    if values.isna().any() or (values.astype("string").str.strip() == "").any():
        present.append(BLANK)
    return present


def _in(values: pd.Series, chosen: list[str]) -> pd.Series:
    mask = values.isin([c for c in chosen if c != BLANK])
    if BLANK in chosen:
        mask |= values.isna() | (values.astype("string").str.strip() == "")
    return mask.fillna(False).astype(bool)


def search_keys(activities: pd.DataFrame, units: pd.DataFrame) -> pd.Series:
    """Per activity row (index = the `row` column): title, note, channel and unit name, lower-cased
    without diacritics (đ = d), for free-text search. Vectorised: computed once per data version."""
    names = units.set_index("unit_code")["unit_name"]
    text = (
        activities["title"].fillna("").astype(str)
        + " "
        + activities["note"].fillna("").astype(str)
        + " "
        + activities["channel"].fillna("").astype(str)
        + " "
        + activities["unit_code"].map(names).fillna("").astype(str)
    ).astype("string")
    keys = text.str.lower().str.replace("đ", "d").str.normalize("NFD").str.replace(_MARKS, "", regex=True)
    return pd.Series(keys.to_numpy(), index=activities["row"].to_numpy())


def rows_matching(keys: pd.Series, text: str) -> np.ndarray:
    """The `row` numbers whose search key holds every word of `text` (case and diacritics ignored)."""
    candidates = keys
    for word in match_key(text).split():  # each further word only looks at the rows still matching
        found = candidates.str.contains(word, regex=False).fillna(False).to_numpy(dtype=bool)
        candidates = candidates[found]
    return candidates.index.to_numpy()


def filter_activities(
    activities: pd.DataFrame,
    *,
    type_codes: list[str] | None = None,
    channels: list[str] | None = None,
    reform_areas: list[str] | None = None,
    rows: np.ndarray | None = None,
) -> pd.DataFrame:
    """Rows of `activities` (metrics.activities_in_period columns) matching every given filter.

    Empty lists mean no filter; `rows` (from rows_matching) keeps only those `row` numbers.
    """
    mask = pd.Series(True, index=activities.index)
    if type_codes:
        mask &= activities["type_code"].isin(type_codes)
    if channels:
        mask &= _in(activities["channel"], channels)
    if reform_areas:
        mask &= _in(activities["reform_area"], reform_areas)
    if rows is not None:
        mask &= activities["row"].isin(rows)
    return activities[mask]


def activity_totals(activities: pd.DataFrame) -> dict[str, int]:
    """{"rows": number of rows, "quantity": sum of quantity, "units": distinct units}."""
    return {
        "rows": len(activities),
        "quantity": int(activities["quantity"].sum()) if len(activities) else 0,
        "units": int(activities["unit_code"].nunique()),
    }


def rank_in_group(classified: pd.DataFrame, unit_code: str) -> tuple[int | None, int, pd.DataFrame]:
    """Place of `unit_code` among the units of `classified` (metrics.classify_units output).

    Returns (rank 1-based or None when the unit has no plan, units ranked, the ranked frame with a
    `rank` column, best completion first; units without plan last, unranked).
    """
    ranked = classified.sort_values(
        ["completion_pct", "actual"], ascending=[False, False], na_position="last"
    )
    ranked = ranked.reset_index(drop=True)
    has_plan = ranked["completion_pct"].notna()
    ranked["rank"] = pd.Series(range(1, len(ranked) + 1), dtype="Int64").where(has_plan)
    hit = ranked.loc[ranked["unit_code"] == unit_code, "rank"]
    rank = None if hit.empty or pd.isna(hit.iloc[0]) else int(hit.iloc[0])
    return rank, int(has_plan.sum()), ranked


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


def funding_by_unit(funding: pd.DataFrame, units: pd.DataFrame, year: int) -> pd.DataFrame:
    """Funding of `year` per unit: unit_code, unit_name, unit_type, allocated, spent, spent_pct."""
    rows = funding[funding["year"] == year]
    sums = rows.groupby("unit_code", sort=False)[["allocated", "spent"]].sum(min_count=1).reset_index()
    out = units[["unit_code", "unit_name", "unit_type"]].merge(sums, on="unit_code", how="inner")
    allocated = out["allocated"].astype("Float64")
    out["spent_pct"] = (out["spent"].astype("Float64") / allocated.where(allocated > 0) * 100).astype(float)
    return out.reset_index(drop=True)


def initiatives_of_year(initiatives: pd.DataFrame, units: pd.DataFrame, year: int) -> pd.DataFrame:
    """Initiatives of `year` for the units in `units`, with unit_name: year, unit_code, unit_name, name, ..."""
    rows = initiatives[initiatives["year"] == year]
    out = rows.merge(units[["unit_code", "unit_name"]], on="unit_code", how="inner")
    columns = ["year", "unit_code", "unit_name", "name", "reform_area", "status", "result"]
    return out[[c for c in columns if c in out.columns]].reset_index(drop=True)


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


def funding_totals(funds: pd.DataFrame) -> dict[str, float | None]:
    """From funding_by_unit(): {"allocated", "spent", "spent_pct" (None when nothing allocated)}."""
    allocated = float(funds["allocated"].sum())
    spent = float(funds["spent"].sum())
    return {
        "allocated": allocated,
        "spent": spent,
        "spent_pct": spent / allocated * 100 if allocated else None,
    }
