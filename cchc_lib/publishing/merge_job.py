"""A unit submission merged into the current workbook inside the worker process (sandbox.parse_isolated):
the merge's XML rewrite, or its openpyxl fallback, never holds the server's interpreter."""

from __future__ import annotations

from datetime import date

import pandas as pd

from cchc_lib.common.settings import Settings
from cchc_lib.reading.model import Workbook

__all__ = ["MERGER", "merge_in_worker"]

MERGER = "cchc_lib.publishing.merge_job:merge_in_worker"


def merge_in_worker(
    data: bytes,
    settings: Settings,
    *,
    before: Workbook,
    rows: pd.DataFrame,
    unit_code: str,
    date_range: tuple[date, date],
    replaced: pd.Series | None = None,
) -> tuple:
    """("merged", bytes) of submissions.merge_unit_rows on the current version's bytes `data`, or
    ("refused", code, message) for the StoreError it raises (a version that cannot be edited)."""
    from cchc_lib.publishing.store import StoreError
    from cchc_lib.publishing.submissions import merge_unit_rows

    try:
        return ("merged", merge_unit_rows(data, before, rows, unit_code, date_range, replaced))
    except StoreError as exc:
        return ("refused", exc.code, exc.message)
