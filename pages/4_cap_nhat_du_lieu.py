"""Cập nhật dữ liệu: upload -> safe check -> problems + marked copy -> change preview -> confirm -> publish."""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePath

import pandas as pd
import streamlit as st

from cchc_lib.common.formatting import MISSING, fmt_int
from cchc_lib.documents import templates
from cchc_lib.publishing.store import StoreError
from cchc_lib.publishing.store_factory import open_store
from cchc_lib.publishing.submission_labels import ADD, CORRECT
from cchc_lib.publishing.submissions import Preview, prepare_update, publish_preview
from cchc_lib.reading.column_mapping import MappingError, format_headed_copy
from cchc_lib.reading.safety import UnsafeFile
from cchc_lib.reading.sandbox import inspect_untrusted, mark_untrusted
from cchc_lib.web import Frame, auth, closures_view, limits, mapping_view, messages, page_frame, upload_gate
from cchc_lib.web import render as ui
from cchc_lib.web import submission_view as unit_view
from cchc_lib.web.batch_view import section as batch_section
from cchc_lib.web.reporting_view import fmt_when

frame = page_frame("Cập nhật dữ liệu", require_role="unit", needs_data=False)

STATE = "cchc.upload"  # {"sig": ..., "preview": Preview | None, "error": str | None}
DONE = "cchc.upload.done"  # the success message shown once after publishing
SUBMITTED = "cchc.upload.submitted"  # after a unit's submission: "Đã nộp số liệu quý IV/2024 — đúng hạn"
REFUSAL = "cchc.upload.refusal"  # a refused confirmation, shown once above the fresh preview
ROUND = "cchc.upload.round"  # bumped after publishing: a fresh, empty file uploader
MAPPING = "cchc.upload.mapping"  # {"sha", "key", "mapping"}: the column mapping chosen for this file
INSPECTION = "cchc.upload.inspection"  # {"sha", "found"}: the file's header rows and proposals
REPLACE_WITH_MAPPING = (
    "Tệp được lưu với tiêu đề cột theo mẫu: các cột đã ghép được đổi tên (công thức được thay bằng giá trị "
    "đã tính), và bản lưu đã được đọc lại, cho đúng các số liệu như khi đọc theo cách ghép."
)
KIND_LABELS = {"replace": "Thay toàn bộ tệp dữ liệu", "unit": "Nộp số liệu của một đơn vị"}
KIND_HELP = {
    "replace": (
        "Tệp tải lên trở thành toàn bộ dữ liệu của bảng theo dõi (đơn vị, kế hoạch, hoạt động...). "
        "Phiên bản hiện hành vẫn được lưu và có thể khôi phục."
    ),
    "unit": (
        "Chỉ dùng trang «Hoạt động» của tệp: mọi dòng phải thuộc đơn vị đã chọn; mọi số liệu khác (đơn vị, kế "
        "hoạch, các đơn vị khác) giữ nguyên."
    ),
}
FIRST_VERSION = (
    "Loại cập nhật: **Thay toàn bộ tệp dữ liệu**. Chưa có dữ liệu chung nào được công bố: tệp tải lên (đủ các "
    "trang Đơn vị, Kế hoạch, Hoạt động) sẽ trở thành phiên bản dữ liệu đầu tiên. Sau đó các đơn vị mới nộp "
    "được số liệu riêng."
)
NO_BASE_FOR_UNIT = (
    "Chưa có dữ liệu chung nào được công bố nên đơn vị chưa thể nộp số liệu. Văn phòng thường trực "
    "(quản trị viên) cần công bố tệp theo dõi đầu tiên trước; hãy liên hệ quản trị viên."
)
TEMPLATE_HELP = (
    "Đúng định dạng tệp theo dõi: các trang Đơn vị, Loại hoạt động, Kế hoạch, Hoạt động, danh sách chọn và "
    "trang hướng dẫn."
)
CHANGE_HEADERS = {
    "unit_name": "Đơn vị",
    "type_name": "Loại hoạt động",
    "rows": "Dòng thêm / bỏ",
    "actual": "Thực hiện trước → sau",
}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MARKED = "cchc.upload.marked"  # {"key": sha of upload + problems, "data": bytes | None, "error": str | None}
MARKED_HELP = "Tệp của bạn với các ô lỗi tô màu, ghi chú tại ô, cột «Lỗi cần sửa» và trang «Danh sách lỗi»."
MARK_LIMITS = "tệp quá lớn để tô màu trong giới hạn thời gian và bộ nhớ của máy chủ."
MARK_INSTEAD = "Danh sách lỗi ở trên vẫn đầy đủ (trang tính, dòng, cột): hãy sửa theo danh sách đó trong Excel rồi tải lên lại."


def marked_download(data: bytes, problems: pd.DataFrame, file_name: str) -> None:
    """The uploaded workbook with problem cells highlighted: built on request in the limited worker
    (sandbox.mark_untrusted), kept for this upload and these problems, then offered for download."""
    digest = hashlib.sha256(data)
    digest.update(problems.to_json(orient="values", force_ascii=False).encode())
    key = digest.hexdigest()
    built = st.session_state.get(MARKED)
    if not (isinstance(built, dict) and built.get("key") == key):
        st.session_state.pop(MARKED, None)  # another upload's copy: released now, not on the next build
        if not st.button("Tạo tệp đánh dấu lỗi", icon=":material/format_color_fill:", key="cchc.upload.mark"):
            st.caption(MARKED_HELP)
            return
        try:
            with st.spinner("Đang tạo tệp đánh dấu lỗi…"):
                built = {"key": key, "data": mark_untrusted(data, problems, frame.settings), "error": None}
        except UnsafeFile as exc:
            reason = MARK_LIMITS if exc.code in ("parse_memory", "parse_timeout") else exc.full_message
            built = {
                "key": key,
                "data": None,
                "error": f"Không tạo được tệp đánh dấu lỗi: {reason} {MARK_INSTEAD}",
            }
        st.session_state[MARKED] = built  # one marked copy per session: a new upload replaces it
    if built["error"]:
        st.warning(built["error"], icon=":material/warning:")
        return
    stem = PurePath(file_name).stem or "tep"
    st.download_button(
        "Tải tệp đã đánh dấu lỗi",
        data=built["data"],
        file_name=f"{stem}_danh_dau_loi.xlsx",
        mime=XLSX_MIME,
        key="dl_marked",
        on_click="ignore",
        icon=":material/download:",
        help=MARKED_HELP,
    )


def template_download(frame: Frame, unit_code: str | None = None) -> None:
    """The workbook to fill in (built on click), in the exact format with dropdowns and an instructions
    sheet: before the first version, the whole format with the units shown now (none without data); for
    a unit's submission, that unit's template with its targets of the sidebar's year."""
    year = frame.period.year
    if unit_code is None:
        label, key, help_text = "Tải tệp mẫu để điền", "first_template", TEMPLATE_HELP

        def build() -> bytes:
            return templates.build_template(
                frame.workbook if frame.has_data else None, frame.settings, year=year
            )
    else:
        label, key = "Tải mẫu của đơn vị", f"unit_template_{unit_code}"
        help_text = f"Chỉ đơn vị này, chỉ tiêu năm {year} và trang Hoạt động trống để điền."
        valid = set(templates.units_of_year(frame.workbook.units, year)["unit_code"])
        if unit_code not in valid:  # merged away or not yet created: no template of that year
            st.caption(f"Đơn vị {unit_code} không có hiệu lực trong năm {year} nên không có mẫu của năm này.")
            return

        def build() -> bytes:
            return templates.build_template(frame.workbook, frame.settings, unit_code=unit_code, year=year)

    st.download_button(
        label,
        data=build,
        file_name=templates.template_file_name(unit_code, year),
        mime=XLSX_MIME,
        on_click="ignore",
        icon=":material/download:",
        key=key,
        help=help_text,
    )


def offer_mapping(
    data: bytes, sha: str, sheets: list, current: dict | None, key: str | None, settings: object
) -> None:
    """The column-mapping form for the sheets whose headers were not found (the file's headers found in
    the sandbox, once per file); a chosen mapping is kept for this file and the page re-reads with it."""
    ui.section(mapping_view.TITLE)
    inspection = st.session_state.get(INSPECTION)
    if not (isinstance(inspection, dict) and inspection.get("sha") == sha):
        try:
            with st.spinner("Đang tìm dòng tiêu đề của tệp…"):
                found = inspect_untrusted(data, settings)
        except UnsafeFile as exc:
            st.warning(
                f"Không tìm được dòng tiêu đề để ghép cột: {exc.full_message}", icon=":material/warning:"
            )
            return
        inspection = {"sha": sha, "found": found}
        st.session_state[INSPECTION] = inspection
    chosen = mapping_view.mapping_form(
        sheets, inspection["found"], current, f"cchc.upload.mapform.{sha[:12]}"
    )
    if chosen is not None:
        st.session_state[MAPPING] = {"sha": sha, "key": key, "mapping": chosen}
        st.rerun()


with frame.guard():
    account = auth.current_account()
    if account is None:  # the frame lets only units and admins through; belt and braces
        st.stop()
    store = open_store(frame.settings)
    if message := st.session_state.pop(DONE, None):
        st.success(message, icon=":material/check_circle:")
    if message := st.session_state.pop(SUBMITTED, None):
        st.success(message, icon=":material/event_available:")
    if message := st.session_state.pop(REFUSAL, None):
        st.error(message, icon=":material/error:")
    if frame.store_damaged and not frame.damage.needs_republish:  # the frame showed what is damaged
        st.info(messages.UPLOAD_STORE_DAMAGED, icon=":material/info:")
        st.stop()
    current = store.current()
    if current is None and frame.has_data:
        st.caption("Chưa có phiên bản dữ liệu nào được công bố; bảng theo dõi đang hiển thị dữ liệu mẫu.")
    elif current is not None and not (frame.has_data and frame.source.number == current.number):
        # the freshness line under the title already names this version: said once, not twice
        st.caption(
            f"Dữ liệu hiện hành: phiên bản số {current.number}, cập nhật {fmt_when(current.created_at)} "
            f"bởi {current.user}."
        )

    closures_view.closed_notice(store, frame.settings, account)  # what is closed (issue 15)
    if batch_section(frame, store, account):  # admins: many units' files at once (issue 10)
        st.stop()
    unit_code: str | None = None
    if current is None:  # nothing to merge a unit's rows into: only a whole workbook can come first
        if not account.is_admin:
            st.info(NO_BASE_FOR_UNIT, icon=":material/info:")
            st.stop()
        kind = "replace"
        st.markdown(FIRST_VERSION)
        template_download(frame)
    elif account.is_admin:
        kind = st.radio(
            "Loại cập nhật",
            list(KIND_LABELS),
            format_func=KIND_LABELS.get,
            horizontal=True,
            key="cchc.upload.kind",
        )
        if kind == "unit":
            names = dict(zip(frame.units["unit_code"], frame.units["unit_name"], strict=False))
            unit_code = st.selectbox(
                "Đơn vị nộp số liệu",
                list(names),
                format_func=lambda c: f"{names.get(c, c)} ({c})",
                key="cchc.upload.unit",
            )
    else:
        kind, unit_code = "unit", account.unit_code
        name = frame.units.set_index("unit_code")["unit_name"].get(unit_code, unit_code)
        st.markdown(f"Nộp số liệu của đơn vị **{ui.md_escape(name)}** ({ui.md_escape(unit_code)}).")
    if current is not None:
        st.caption(KIND_HELP[kind])
    mode = ADD
    if kind == "unit" and unit_code:
        if unit_code in set(frame.units["unit_code"]):
            template_download(frame, unit_code)
        mode = unit_view.mode_choice()  # add and update (default) or correct a range

    round_no = st.session_state.get(ROUND, 0)
    ui.uploader_in_vietnamese(frame.settings.max_upload_mb)
    upload_gate.grant()  # the upload endpoint takes files only for this logged-in uploader's box
    uploaded = st.file_uploader("Tệp Excel (.xlsx)", type=["xlsx"], key=f"cchc_upload_file_{round_no}")
    if uploaded is None:
        st.session_state.pop(STATE, None)
        if kind == "unit" and unit_code:
            unit_view.history(store, unit_code)
        st.stop()
    data = uploaded.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    # A correction replaces the range chosen for this file; until one is chosen, the file's own span.
    date_range = unit_view.chosen_range(sha) if kind == "unit" and mode == CORRECT else None
    # Column mapping: the one chosen on this page for this file, else the one saved for the unit (or the
    # whole workbook), used only when the file's own headers are not found.
    map_key = mapping_view.mapping_key(kind, unit_code)
    chosen = st.session_state.get(MAPPING)
    explicit = (
        chosen["mapping"]
        if isinstance(chosen, dict) and chosen.get("sha") == sha and chosen.get("key") == map_key
        else None
    )
    saved = store.column_mapping_record(map_key) if map_key else None
    # The preview is kept while the same file, kind, unit and range stay chosen, even if someone else publishes
    # meanwhile: confirming it is then refused as stale (and a fresh preview is made), never silently redone.
    sig = (
        sha,
        uploaded.name,
        kind,
        unit_code,
        mode,
        date_range,
        account.name,
        json.dumps(explicit, sort_keys=True, ensure_ascii=False),
        json.dumps(saved, sort_keys=True, ensure_ascii=False, default=str),
    )
    state = st.session_state.get(STATE)
    if not isinstance(state, dict) or state.get("sig") != sig:
        state = {"sig": sig, "preview": None, "error": None, "mapping": explicit, "saved": False}

        def prepare(mapping: dict | None, body: bytes = data) -> Preview:
            return prepare_update(
                store,
                body,
                account=account,
                kind=kind,
                file_name=uploaded.name,
                unit_code=unit_code,
                settings=frame.settings,
                date_range=date_range,
                reader=mapping_view.reader_for(body, mapping),
                mode=mode,
                calendar=frame.calendar,
            )

        try:
            limits.take("check", frame.settings)
            with st.spinner("Đang kiểm tra tệp…"):
                state["preview"] = prepare(explicit)
                if explicit is None and saved and mapping_view.missing_header_sheets(state["preview"].errors):
                    state["preview"] = prepare(saved["mapping"])
                    state["mapping"], state["saved"] = saved["mapping"], True
                read_with_mapping = state["preview"]
                if kind == "replace" and state["mapping"] and read_with_mapping.errors.empty:
                    # the stored file must read without the mapping: its mapped headers renamed, checked
                    stored = format_headed_copy(data, frame.settings, state["mapping"])
                    state["preview"] = prepare(None, stored)
                    state["preview"].problems = read_with_mapping.problems  # named by the file's headers
                    state["preview"].notes.append(REPLACE_WITH_MAPPING)
        except UnsafeFile as exc:
            state["error"] = exc.full_message
        except limits.RateLimited as exc:  # not kept: the same file is checked once the wait is over
            st.error(str(exc), icon=":material/hourglass_top:")
            st.stop()
        except (StoreError, MappingError) as exc:
            state["error"] = exc.message
        st.session_state[STATE] = state
    if kind == "unit" and mode == CORRECT and state["preview"] is not None:
        unit_view.range_widget(sha, state["preview"].file_span)  # proposes the file's own span
    if state["error"]:
        st.error(state["error"], icon=":material/error:")
        st.stop()
    preview = state["preview"]
    mapping_used = state.get("mapping")
    if mapping_used and state.get("saved"):
        who = f" (lưu bởi {ui.md_escape(saved['user'])})" if saved and saved.get("user") else ""
        st.info(
            f"Đã dùng cách ghép cột đã lưu cho {mapping_view.key_label(map_key)}{who}: "
            f"{mapping_view.describe(mapping_used)}.",
            icon=":material/link:",
        )
        if st.button(
            "Quên cách ghép cột đã lưu", icon=":material/link_off:", key="cchc.upload.forget_mapping"
        ):
            try:
                store.save_column_mapping(map_key, None, account)
            except StoreError as exc:
                st.error(exc.message, icon=":material/error:")
            else:
                st.session_state.pop(STATE, None)
                st.session_state.pop(MAPPING, None)
                st.rerun()
    elif mapping_used:
        st.info(
            f"Tệp được đọc theo cách ghép cột bạn chọn: {mapping_view.describe(mapping_used)}. Cách ghép này được "
            f"lưu cho {mapping_view.key_label(map_key)} khi bạn xác nhận cập nhật, để tệp sau đọc được ngay.",
            icon=":material/link:",
        )

    errors, warnings = preview.errors, preview.warnings
    if not errors.empty:
        st.error(
            f"Tệp có {fmt_int(len(errors))} lỗi nên chưa thể cập nhật. Hãy sửa trong Excel rồi tải lên lại; "
            "tệp đã đánh dấu lỗi giúp tìm nhanh từng ô.",
            icon=":material/error:",
        )
        missing = mapping_view.missing_header_sheets(errors)
        if not missing and mapping_used:  # read with a mapping: it can still be changed
            missing = [s for s in mapping_view.SHEETS if s.name in mapping_used]
        if missing:
            offer_mapping(data, sha, missing, mapping_used, map_key, frame.settings)
        ui.section("Danh sách lỗi")
        st.dataframe(ui.problems_frame(preview.problems), hide_index=True, placeholder=MISSING)
        marked_download(data, preview.problems, uploaded.name)
        st.stop()
    if not warnings.empty:
        with st.expander(
            f"{fmt_int(len(warnings))} cảnh báo (không chặn việc cập nhật)", icon=":material/warning:"
        ):
            st.dataframe(ui.problems_frame(warnings), hide_index=True, placeholder=MISSING)
            marked_download(data, warnings, uploaded.name)
    for note in preview.notes:
        st.info(note, icon=":material/info:")
    if preview.duplicate:
        st.stop()

    ui.section("Xem trước thay đổi")
    changes = preview.changes
    if preview.kind == "unit":
        st.markdown(unit_view.counts_summary(preview))
    else:
        st.markdown(
            f"**{fmt_int(int(changes['rows_added'].sum()))}** dòng hoạt động thêm · "
            f"**{fmt_int(int(changes['rows_removed'].sum()))}** dòng bỏ · "
            f"**{fmt_int(changes['unit_code'].nunique())}** đơn vị thay đổi"
        )
    if changes.empty:
        st.caption(
            "Số liệu hoạt động không thay đổi (có thể chỉ thay đổi danh mục, kế hoạch hoặc các trang khác)."
        )
    else:
        shown = changes.assign(
            rows=[
                f"+{fmt_int(a)} / −{fmt_int(r)}"
                for a, r in zip(changes["rows_added"], changes["rows_removed"], strict=True)
            ],
            actual=[
                f"{fmt_int(b)} → {fmt_int(a)}"
                for b, a in zip(changes["actual_before"], changes["actual_after"], strict=True)
            ],
        )
        st.dataframe(
            shown[list(CHANGE_HEADERS)].rename(columns=CHANGE_HEADERS), hide_index=True, placeholder=MISSING
        )
    st.caption(
        f"Sau khi cập nhật: {fmt_int(preview.rows or 0)} dòng hoạt động. Chưa có gì thay đổi cho đến khi bạn bấm "
        "«Xác nhận cập nhật»."
    )
    confirm_closed = closures_view.closed_changes_gate(preview)  # an admin's changes to a closed period
    confirm_removals = unit_view.removal_gate(
        preview, frame.workbook.activity_types
    )  # a correction's removals
    if st.button(
        "Xác nhận cập nhật",
        type="primary",
        icon=":material/publish:",
        key="cchc.upload.confirm",
        disabled=not (confirm_closed and confirm_removals),
    ):
        try:
            version = publish_preview(
                store,
                preview,
                auth.current_account(),
                confirm_closed=confirm_closed,
                confirm_removals=confirm_removals,
            )
        except StoreError as exc:
            st.session_state.pop(STATE, None)
            st.session_state[REFUSAL] = exc.message
            st.rerun()
        else:
            st.session_state.pop(STATE, None)
            st.session_state.pop(MAPPING, None)
            st.session_state[ROUND] = round_no + 1
            done = (
                f"Đã cập nhật dữ liệu: phiên bản số {version.number} ({fmt_when(version.created_at)}). "
                "Các trang của bảng theo dõi đã dùng số liệu mới."
            )
            if mapping_used and not state.get("saved") and map_key:
                try:
                    store.save_column_mapping(map_key, mapping_used, auth.current_account())
                except StoreError as exc:
                    done += f" Chưa lưu được cách ghép cột: {exc.message}"
                else:
                    done += (
                        f" Đã lưu cách ghép cột cho {mapping_view.key_label(map_key)}: tệp sau cùng cách đặt tên "
                        "cột được đọc ngay."
                    )
            st.session_state[DONE] = done
            submitted = unit_view.submitted_message(
                preview, version, frame.calendar, frame.cutoff_day, frame.settings.submission_grace_days
            )
            if submitted:
                st.session_state[SUBMITTED] = submitted
            st.rerun()
