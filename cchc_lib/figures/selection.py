"""Selecting and searching activity rows for the screens: filters, free-text search, totals, rank."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cchc_lib.common.text import match_key
from cchc_lib.figures.metrics import BLANK_LABEL as BLANK

__all__ = [
    "BLANK",
    "activity_totals",
    "distinct_values",
    "filter_activities",
    "rank_in_group",
    "rows_matching",
    "search_keys",
]

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
