"""A unit submission's merged tables known without parsing the merged workbook (merge_job.placed_tables):
on an office's messy file (title block in merged cells, STT and total rows, styles, NBSP, blank rows,
extra sheets) they equal a full parse of the merged bytes, for both ways of submitting; whatever cannot be
proven so is refused and parsed in full; and the version published by the one-job path has a snapshot
equal to a full parse of the published bytes."""

from __future__ import annotations

import io
from dataclasses import fields, replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.styles import Font, PatternFill
from pandas.testing import assert_frame_equal

from cchc_lib.access.accounts import Account
from cchc_lib.common.settings import Settings
from cchc_lib.publishing import snapshots
from cchc_lib.publishing.merge_job import merge_and_read, placed_tables
from cchc_lib.publishing.sheet_merge import merge_unit_rows_placed
from cchc_lib.publishing.store import Store
from cchc_lib.publishing.submission_plan import plan_submission
from cchc_lib.publishing.submissions import change_table, prepare_update, publish_preview
from cchc_lib.reading.model import Workbook
from cchc_lib.reading.workbook import read_workbook
from cchc_lib.sample.builder import Layout, build_xlsx
from cchc_lib.sample.sample_data import sample_spec

SETTINGS = Settings()
ADMIN = Account("quantri", "admin")
ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "cam_xuyen_2024.xlsx"
MESSY = Layout(title_block=True, stt=True, total_row=True, nbsp=True, blank_rows=True, numbers_as_text=True)
SPEC = sample_spec()
CODE = SPEC.activities[0]["Mã đơn vị"]


def messy_workbook() -> bytes:
    """The sample as an office keeps it by hand, plus styles on the activity rows and two extra sheets."""
    book = load_workbook(io.BytesIO(build_xlsx(SPEC, layout=MESSY)))
    sheet = book["Hoạt động"]
    assert sheet.merged_cells.ranges  # the letterhead
    for row in sheet.iter_rows(min_row=8, max_row=sheet.max_row):
        row[1].fill = PatternFill("solid", fgColor="FFF2CC")
        row[4].font = Font(italic=True, color="1F4E79")
    notes = book.create_sheet("Ghi chú")
    notes["A1"] = "Tệp theo dõi của văn phòng: không sửa các trang tính mẫu."
    notes.merge_cells("A1:F1")
    book.create_sheet("Nháp")["B3"] = 12
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def parsed(data: bytes) -> Workbook:
    result = read_workbook(data, SETTINGS)
    assert result.ok, result.errors
    return result.workbook


def assert_same(left: Workbook, right: Workbook) -> None:
    for f in fields(Workbook):
        a, b = getattr(left, f.name), getattr(right, f.name)
        if a is None or b is None:
            assert a is None and b is None, f.name
        else:
            assert_frame_equal(a, b, check_exact=True, obj=f.name)


def submitted(quantity: int, count: int, extra: list[dict] | None = None) -> pd.DataFrame:
    """The unit CODE's first `count` current activities with a new quantity, plus `extra` new ones."""
    mine = [dict(a, **{"Số lượng": quantity}) for a in SPEC.activities if a["Mã đơn vị"] == CODE][:count]
    return parsed(build_xlsx(replace(SPEC, activities=mine + (extra or [])))).activities


NEW = [
    {"Ngày": date(2024, 6, 3), "Mã đơn vị": CODE, "Loại hoạt động": SPEC.activities[0]["Loại hoạt động"],
     "Số lượng": 4, "Tiêu đề": "Tin mới & <đặc biệt>\u00a0 ", "Ghi chú": "=1+1"},
]  # fmt: skip


@pytest.mark.parametrize("mode", ["add", "correct"])
@pytest.mark.parametrize("source", ["messy", "sample"])
def test_the_placed_tables_equal_a_full_parse_of_the_merged_bytes(source: str, mode: str) -> None:
    base = messy_workbook() if source == "messy" else SAMPLE.read_bytes()
    before = parsed(base)
    rows = submitted(9, 3, NEW)
    plan = plan_submission(before.activities, rows, CODE, mode)
    assert len(plan.insert) and plan.drop.any()  # rows really move and are replaced
    placed = merge_unit_rows_placed(base, before, plan.insert, CODE, plan.span, plan.drop, probe=True)
    assert placed is not None, "the fixture must take the XML-level merge"
    merged, placement = placed
    tables = placed_tables(before, plan.insert, CODE, plan.span, plan.drop, placement, SETTINGS)
    assert tables is not None, "the placed tables must be proven on this fixture"
    assert_same(parsed(merged), tables)
    assert len(tables.activities) == len(before.activities) - int(plan.drop.sum()) + len(plan.insert)
    again, result, proven = merge_and_read(base, before, plan.insert, CODE, plan.span, SETTINGS, plan.drop)
    assert proven and again == merged
    assert_same(tables, result.workbook)


def test_new_rows_that_do_not_read_as_submitted_are_not_trusted() -> None:
    """The probe's new rows are compared with the submission: rows other than those written are refused."""
    base = messy_workbook()
    before = parsed(base)
    rows = submitted(9, 2)
    plan = plan_submission(before.activities, rows, CODE, "add")
    _, placement = merge_unit_rows_placed(base, before, plan.insert, CODE, plan.span, plan.drop, probe=True)
    other = plan.insert.assign(quantity=plan.insert["quantity"] + 1)
    assert placed_tables(before, other, CODE, plan.span, plan.drop, placement, SETTINGS) is None
    assert placed_tables(before, plan.insert, CODE, plan.span, plan.drop, placement, SETTINGS) is not None


def test_an_unused_column_in_the_activities_sheet_is_parsed_in_full() -> None:
    """An unused column's reading depends on every row (a column of whole numbers is an error): not
    proven from the probe, so the merged file is parsed in full, and still reads as expected."""
    base = build_xlsx(SPEC, layout=Layout(extra_column=True))
    before = parsed(base)
    rows = submitted(9, 2)
    plan = plan_submission(before.activities, rows, CODE, "add")
    merged, placement = merge_unit_rows_placed(
        base, before, plan.insert, CODE, plan.span, plan.drop, probe=True
    )
    assert placed_tables(before, plan.insert, CODE, plan.span, plan.drop, placement, SETTINGS) is None
    again, result, proven = merge_and_read(base, before, plan.insert, CODE, plan.span, SETTINGS, plan.drop)
    assert not proven
    assert again == merged
    assert_same(parsed(merged), result.workbook)


def test_the_one_job_submission_publishes_a_snapshot_equal_to_a_full_parse(tmp_path: Path) -> None:
    settings = replace(Settings(), store_dir=str(tmp_path / "store"))
    store = Store(settings.store_path)
    base = messy_workbook()
    first = prepare_update(store, base, account=ADMIN, kind="replace", file_name="f.xlsx", settings=settings)
    publish_preview(store, first, ADMIN)
    unit = Account("dau-moi", "unit", CODE)
    mine = [dict(a, **{"Số lượng": 8}) for a in SPEC.activities if a["Mã đơn vị"] == CODE][:3]
    upload = build_xlsx(replace(SPEC, activities=mine + NEW))
    preview = prepare_update(
        store, upload, account=unit, kind="unit", unit_code=CODE, file_name="dv.xlsx", settings=settings
    )
    assert preview.errors.empty and not preview.duplicate
    assert preview.plan is not None and len(preview.plan.updated) == 3 and len(preview.plan.added) == 1
    version = publish_preview(store, preview, unit)
    published = store.read_bytes(version.number)
    back = snapshots.load(settings.store_path / "cache", version.sha256, snapshots.settings_context(settings))
    assert back is not None
    expected = parsed(published)
    assert_same(expected, back)
    # this fixture and submission take the fast path (proven in this process on the same inputs)
    before = parsed(base)
    plan = plan_submission(before.activities, parsed(upload).activities, CODE, "add")
    placed = merge_unit_rows_placed(base, before, plan.insert, CODE, plan.span, plan.drop, probe=True)
    assert placed is not None and placed[0] == published
    assert placed_tables(before, plan.insert, CODE, plan.span, plan.drop, placed[1], SETTINGS) is not None
    # the change table, made on the unit's rows only, is the one of the whole tables
    assert_frame_equal(preview.changes, change_table(before, expected))
    assert preview.changes["unit_code"].tolist() == [CODE] * len(preview.changes)
    acts = expected.activities
    assert sorted(acts.loc[acts["unit_code"] == CODE, "quantity"].tolist()).count(8) == 3
    assert (acts["title"] == "Tin mới & <đặc biệt>").sum() == 1


@pytest.mark.parametrize("kept_rows", [[5, 6, 9, 12], [9, 5, 12, 6]], ids=["in_order", "out_of_order"])
def test_new_rows_go_between_the_kept_ones_by_row(kept_rows: list[int]) -> None:
    from cchc_lib.publishing.merge_job import _inserted

    kept = pd.DataFrame({"row": kept_rows, "title": [f"k{r}" for r in kept_rows]})
    new = pd.DataFrame({"row": [7, 8], "title": ["n7", "n8"]})
    out = _inserted(kept, new, 7)
    assert out["row"].tolist() == [5, 6, 7, 8, 9, 12]
    assert out["title"].tolist() == ["k5", "k6", "n7", "n8", "k9", "k12"]
    assert out.index.tolist() == list(range(6))
