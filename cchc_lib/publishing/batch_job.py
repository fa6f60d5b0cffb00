"""The batch's merge run in the worker process (sandbox.parse_isolated): the checked rows of several units
merged into the current version one after another, each merged workbook read back, in one child process."""

from __future__ import annotations

from datetime import date

import pandas as pd

from cchc_lib.common.settings import Settings
from cchc_lib.reading.model import Workbook

__all__ = ["BATCH_MERGER", "Item", "merge_batch"]

BATCH_MERGER = "cchc_lib.publishing.batch_job:merge_batch"
# (index of the file in the batch, unit code, its checked rows, the submission mode, the range it replaces)
Item = tuple[int, str, pd.DataFrame, str, tuple[date, date] | None]


def merge_batch(data: bytes, settings: Settings, *, before: Workbook, items: list[Item]) -> tuple:
    """Merge each item into the current version's bytes `data` (parsed as `before`), in order, each on the
    workbook as merged so far (its plan made again: the rows are renumbered by each merge).

    ("merged", bytes, Workbook, outcomes): the final workbook's bytes and tables (the given ones when
    nothing merged) and per item (index, outcome, detail): "merged" | "unchanged" (None), "held" (the
    problems of the merged workbook read back) or "unsafe" ((code, message) of the UnsafeFile it
    raised): a held or unsafe item is left out; ("refused", code, message) for the StoreError of a
    merge that cannot be made."""
    from cchc_lib.publishing.store import StoreError
    from cchc_lib.publishing.submission_plan import plan_submission
    from cchc_lib.publishing.submissions import merge_unit_rows
    from cchc_lib.reading.safety import UnsafeFile
    from cchc_lib.reading.sandbox import read_trusted

    book = before
    outcomes: list[tuple[int, str, object]] = []
    for index, unit_code, rows, mode, date_range in items:
        plan = plan_submission(book.activities, rows, unit_code, mode, date_range)
        if plan.span is None:
            outcomes.append((index, "unchanged", None))
            continue
        try:
            merged = merge_unit_rows(
                data, book, plan.insert, unit_code, date_range or plan.span, replaced=plan.drop
            )
        except StoreError as exc:
            return ("refused", exc.code, exc.message)
        try:
            after = read_trusted(merged, settings)
        except UnsafeFile as exc:  # e.g. the merged workbook is beyond the size limit
            outcomes.append((index, "unsafe", (exc.code, exc.full_message)))
            continue
        if not after.ok or after.workbook is None:  # merged alone it read well; together it does not
            outcomes.append((index, "held", after.problems))
            continue
        data, book = merged, after.workbook
        outcomes.append((index, "merged", None))
    return ("merged", data, book, outcomes)
