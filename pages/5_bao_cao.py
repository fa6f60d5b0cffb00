"""Báo cáo: the periodic report for the chosen period (DOCX / PDF / XLSX annex) with the standing
office's own words kept per period, and the Excel templates."""

from __future__ import annotations

import streamlit as st

from cchc_lib.documents import reports, templates
from cchc_lib.figures import metrics
from cchc_lib.web import auth, data, page_frame, report_downloads
from cchc_lib.web import render as ui
from cchc_lib.web import report_editor as editing
from cchc_lib.web.state import persisted_widget

frame = page_frame("Báo cáo")

with frame.guard():
    s = frame.settings
    wb = frame.workbook  # the report always covers every unit, whatever the sidebar filters say
    period, calendar = frame.period, frame.calendar
    st.caption(
        "Báo cáo tổng hợp toàn bộ cơ quan, đơn vị (không áp dụng bộ lọc đơn vị ở thanh bên). "
        "Kỳ báo cáo và cách chốt số liệu chọn ở thanh bên."
    )
    pva = frame.pva(filters=((), ()))
    head = metrics.headline(pva, s.complete_pct, s.near_pct)
    if ui.is_empty(pva) or (head["planned"] == 0 and head["actual"] == 0):
        ui.empty_state()
    else:
        ui.headline_cards(head, s.complete_pct)

    ui.section(f"Báo cáo {reports.report_title(period)}")
    account = auth.current_account()
    may_edit = account is not None and account.role == "admin"  # the standing office
    saved = editing.saved_texts(s, period.name, calendar)
    as_of = data.as_of_date(frame.source)
    texts = tuple(sorted(saved.items()))
    parts = frame.memo(
        "report_parts",
        lambda: reports.prepare_report(wb, period, calendar, s, texts=dict(texts) or None, as_of=as_of),
        texts,
        as_of,
    )
    for warning in parts.content.warnings:
        st.warning(warning, icon=":material/warning:")
    editing.hide_input_instructions()
    form = editing.report_form()
    report_downloads.show(
        s, parts, inputs=(frame.source.key, period.name, calendar, texts, as_of, form), issued=form.issued,
        number=form.number, source=frame.source, wb=wb, slug=f"bao_cao_cchc_{period.name}",
    )  # fmt: skip

    if may_edit:
        generated = frame.memo(
            "report_parts",
            lambda: reports.prepare_report(wb, period, calendar, s, as_of=as_of),
            (),
            as_of,
        ).content
        editing.editor(
            s,
            account,
            period_name=period.name,
            period_label=period.label,
            calendar=calendar,
            stamp=frame.source.stamp,
            generated=generated,
            shown=parts.content,
            saved=saved,
        )
    elif saved:
        st.caption("Nội dung báo cáo có phần đã được cơ quan thường trực chỉnh sửa (đánh dấu “đã sửa”).")

    with st.expander("Xem trước nội dung báo cáo", expanded=False):
        editing.preview(parts.content)

    ui.section("Tệp mẫu nhập số liệu")
    st.caption(
        f"Mẫu theo đúng định dạng, sẵn danh sách đơn vị, loại hoạt động và chỉ tiêu năm {period.year}; "
        "có danh sách chọn và trang hướng dẫn."
    )
    year = period.year

    def _blank() -> bytes:
        return templates.build_template(wb, s, year=year)

    left, right = st.columns(2)
    left.download_button(
        "Tải mẫu chung",
        data=_blank,
        file_name=templates.template_file_name(year=year),
        mime=reports.XLSX_MIME,
        on_click="ignore",
        icon=":material/download:",
        key="template_blank",
        width="stretch",
    )
    valid = templates.units_of_year(wb.units, year)  # a merged-away unit has no template of a later year
    names = dict(zip(valid["unit_code"], valid["unit_name"], strict=False))
    if names:
        code = persisted_widget(
            right.selectbox,
            "template_unit",
            list(names),
            next(iter(names)),
            label="Mẫu riêng cho đơn vị",
            format_func=lambda c: names.get(c, c),
        )

        def _unit_template() -> bytes:
            return templates.build_template(wb, s, unit_code=code, year=year)

        right.download_button(
            "Tải mẫu của đơn vị",
            data=_unit_template,
            file_name=templates.template_file_name(code, year),
            mime=reports.XLSX_MIME,
            on_click="ignore",
            icon=":material/download:",
            key="template_unit_download",
            width="stretch",
        )
