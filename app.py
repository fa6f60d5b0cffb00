"""Tổng quan: the period bar, one headline row, the units behind, reporting; charts folded below.

Also the app server's entry: `streamlit run app.py` finds the `st.App` below (ASGI mode) and imports
this file as a module (not "__main__") to get the server, with the login cookie routes and the
security headers (cchc_lib/web/routes.py); Streamlit then runs this file as the overview page.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from cchc_lib.common.formatting import fmt_int
from cchc_lib.common.labels import STATUS_LABELS
from cchc_lib.documents import charts
from cchc_lib.documents.chart_links import clickable_cells
from cchc_lib.figures import metrics
from cchc_lib.web import page_frame
from cchc_lib.web import render as ui
from cchc_lib.web.drill import drill_chart, follow_drill
from cchc_lib.web.laggards import mark_statuses, render_laggards
from cchc_lib.web.narrow_chart import responsive_drill_chart
from cchc_lib.web.period_bar import period_bar
from cchc_lib.web.reporting_view import render_reporting_status


def with_previous_year(
    by_type: pd.DataFrame, pva: pd.DataFrame, prev_pva: pd.DataFrame | None
) -> pd.DataFrame:
    """The by-type roll-up with last year's actual and the change, when last year has data (blank for
    a type that was not in last year's plan)."""
    if prev_pva is None:
        return by_type
    previous = metrics.compare_with_previous(pva, prev_pva, untracked_as_missing=True)
    previous = previous[["activity_type", "actual_prev", "change"]]
    return by_type.merge(previous, on="activity_type", how="left")


def _fold(title: str, key: str) -> Any | None:
    """A folded section below the first screen; its content is built only while it is open (a
    chart costs the phone time to draw): the expander when open, else None."""
    fold = st.expander(title, expanded=False, key=f"fold.{key}", on_change="rerun")
    return fold if fold.open else None


def overview() -> None:
    """The page: the period bar, one headline row, who is behind, who has not reported; the rest folded."""
    frame = page_frame("Tổng quan")
    follow_drill()  # a tap on a unit's bar or cell on the previous run opens the unit page

    with frame.guard():
        s = frame.settings
        period_bar(frame)
        pva = frame.pva()
        head = frame.memo("headline", lambda: metrics.headline(pva, s.complete_pct, s.near_pct))
        if ui.is_empty(pva) or (head["planned"] == 0 and head["actual"] == 0):
            ui.empty_state()
            st.stop()
        prev_pva = frame.previous_pva()
        # Changes are measured over the types tracked last year too (same basis both years).
        now, prev = (
            frame.memo(
                "comparable", lambda: metrics.comparable_headlines(pva, prev_pva, s.complete_pct, s.near_pct)
            )
            if prev_pva is not None
            else (head, None)
        )
        slug = frame.period.name

        ui.headline_cards(head, s.complete_pct, now=now, prev=prev)
        classified = frame.memo("classified", lambda: metrics.classify_units(pva, s.complete_pct, s.near_pct))
        ui.section("Đơn vị cần đôn đốc")  # who is behind comes before any chart: the leader's question
        render_laggards(classified, s.near_pct, detail=False)
        ui.status_badges(head["by_status"])
        render_reporting_status(frame)

        ui.section("Xem thêm")
        if fold := _fold("Tỷ lệ hoàn thành theo đơn vị (chạm vào một đơn vị để xem chi tiết)", "unit"):
            with fold:
                responsive_drill_chart(  # on a phone: short name lines, the bars keep the width
                    frame.memo(
                        "unit", lambda: charts.completion_by_unit(classified, s.complete_pct, s.near_pct)
                    ),
                    frame.memo(
                        "unit_narrow",
                        lambda: charts.completion_by_unit(classified, s.complete_pct, s.near_pct, narrow=True),
                    ),
                    key="chart_unit",
                )
                ui.data_table(
                    classified,
                    columns=["unit_name", "unit_type", "planned", "actual", "completion_pct", "status_label"],
                    file_name=f"theo_don_vi_{slug}.xlsx",
                    key="dl_unit",
                    title=f"Kết quả theo đơn vị — {frame.period.label}",
                    marks=mark_statuses,  # the units behind and without activity stand out, with icons
                )

        if fold := _fold("Kế hoạch và thực hiện theo loại hoạt động", "type"):
            with fold:
                by_type = frame.memo("by_type", lambda: metrics.rollup(pva, "activity_type"))
                ui.chart(frame.memo("type", lambda: charts.plan_actual_by_type(by_type)), key="chart_type")
                ui.data_table(
                    frame.memo("by_type_vs_prev", lambda: with_previous_year(by_type, pva, prev_pva)),
                    columns=["activity_name", "planned", "actual", "completion_pct", "actual_prev", "change"],
                    file_name=f"theo_loai_hoat_dong_{slug}.xlsx",
                    key="dl_type",
                    title=f"Kế hoạch và thực hiện theo loại hoạt động — {frame.period.label}",
                )

        if fold := _fold("Theo loại đơn vị", "unit_type"):
            with fold:
                by_unit_type = frame.memo("by_unit_type", lambda: metrics.rollup(pva, "unit_type"))
                ui.chart(
                    frame.memo("unit_type", lambda: charts.completion_by_group(by_unit_type, "unit_type")),
                    key="chart_unit_type",
                )
                ui.data_table(
                    by_unit_type,
                    columns=["unit_type", "planned", "actual", "completion_pct"],
                    file_name=f"theo_loai_don_vi_{slug}.xlsx",
                    key="dl_unit_type",
                    title=f"Kết quả theo loại đơn vị — {frame.period.label}",
                )

        if fold := _fold(f"Diễn biến theo quý năm {frame.period.year}", "quarter"):
            with fold:
                series = frame.quarterly()
                ui.chart(frame.memo("quarter", lambda: charts.quarter_trend(series)), key="chart_quarter")
                ui.data_table(
                    series,
                    columns=[
                        "label",
                        "planned",
                        "actual",
                        "cumulative_planned",
                        "cumulative_actual",
                        "completion_pct",
                    ],
                    file_name=f"theo_quy_{frame.period.year}.xlsx",
                    key="dl_quarter",
                    title=f"Kết quả theo quý năm {frame.period.year}",
                )

        title = f"Đơn vị theo từng quý năm {frame.period.year} (chạm vào một ô để xem đơn vị)"
        if fold := _fold(title, "heatmap"):
            with fold:
                matrix = frame.unit_matrix()
                codes = matrix.drop_duplicates("unit_code")["unit_code"].tolist() if len(matrix) else []
                heatmap = frame.memo(
                    "heatmap",
                    lambda: clickable_cells(
                        charts.unit_quarter_heatmap(matrix, s.complete_pct, s.near_pct), codes
                    ),
                )
                drill_chart(heatmap, key="chart_heatmap")
                ui.data_table(
                    matrix,
                    columns=["unit_name", "unit_type", "quarter", "planned", "actual", "completion_pct"],
                    file_name=f"don_vi_theo_quy_{frame.period.year}.xlsx",
                    key="dl_matrix",
                    title=f"Đơn vị theo từng quý năm {frame.period.year}",
                )

        idle = frame.memo("idle", lambda: metrics.units_without_activity(pva))
        if fold := _fold(f"Đơn vị chưa có hoạt động trong kỳ ({fmt_int(len(idle))})", "idle"):
            with fold:
                if ui.is_empty(idle):
                    st.success("Tất cả đơn vị đều đã có hoạt động trong kỳ.", icon=":material/check_circle:")
                else:
                    marked = idle.assign(status_label=STATUS_LABELS["no_activity"])
                    ui.table(
                        marked,
                        columns=["unit_name", "unit_type", "planned", "status_label"],
                        marks=mark_statuses,
                    )
                    ui.download_xlsx(
                        ui.prepare(idle, ["unit_code", "unit_name", "unit_type", "planned"]),
                        f"don_vi_chua_co_hoat_dong_{slug}.xlsx",
                        key="dl_idle",
                        title=f"Đơn vị chưa có hoạt động — {frame.period.label}",
                    )


if __name__ == "__main__":  # run by Streamlit as the page
    overview()
else:  # imported by `streamlit run app.py` (or uvicorn app:app): the app server
    from cchc_lib.common.settings import load_settings
    from cchc_lib.web.routes import MIDDLEWARE, ROUTES
    from cchc_lib.web.store_startup import check_store_at_start

    check_store_at_start(load_settings())  # a PostgreSQL schema it does not know: the server does not start
    from cchc_lib.publishing.unit_job import WORKER_MODULES
    from cchc_lib.reading.sandbox import keep_spare_worker

    keep_spare_worker(WORKER_MODULES)  # an upload never waits for a worker interpreter to import pandas
    from cchc_lib.web.warmup import start_warmup

    start_warmup()  # what the first run imports, while the first browser loads the frontend
    app = st.App(__file__, routes=ROUTES, middleware=MIDDLEWARE)
