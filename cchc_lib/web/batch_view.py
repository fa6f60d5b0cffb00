"""The upload page's "Nộp nhiều tệp của đơn vị" section: many units' files checked one by one, published as one version."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from cchc_lib.access.accounts import Account
from cchc_lib.common.formatting import MISSING, fmt_int, fmt_num
from cchc_lib.publishing.batch import Batch, FileCheck, check_files, lines_table, merge_files, publish_batch
from cchc_lib.publishing.store import Store, StoreError
from cchc_lib.reading.safety import UnsafeFile
from cchc_lib.web import Frame, auth, limits, upload_gate
from cchc_lib.web import render as ui
from cchc_lib.web.reporting_view import fmt_when

__all__ = ["SWITCH", "TITLE", "lines_frame", "section"]

TITLE = "Nộp nhiều tệp của đơn vị"
STATE = "cchc.batch"  # {"sig": ..., "checks": list[FileCheck] | None, "error": str | None}
DONE = "cchc.batch.done"  # the success message shown once after publishing
ROUND = "cchc.batch.round"  # bumped after publishing: a fresh, empty uploader
SWITCH = "cchc.batch.on"  # the page shows the batch instead of the one-file form
SWITCH_LABEL = "Nộp nhiều tệp của đơn vị cùng lúc"
SWITCH_HELP = (
    "Khi bật: chọn cùng lúc nhiều tệp nhận được của các đơn vị; mỗi tệp được kiểm tra riêng, các tệp hợp lệ "
    "được công bố chung một phiên bản. Khi tắt: cập nhật bằng một tệp như thường lệ."
)
HELP = (
    "Chọn cùng lúc các tệp Excel nhận được của các đơn vị (mỗi tệp là số liệu của một đơn vị, như khi đơn vị "
    "tự nộp). Mỗi tệp được nhận ra đơn vị theo mã đơn vị trong trang «Hoạt động», được kiểm tra riêng và "
    "thay các dòng của đơn vị đó từ ngày đầu đến ngày cuối có trong tệp. Tệp có lỗi chỉ giữ lại chính nó; "
    "các tệp hợp lệ được công bố chung thành một phiên bản."
)
LINE_HEADERS = {
    "file_name": "Tệp",
    "unit": "Đơn vị nhận ra",
    "rows_in_file": "Dòng trong tệp",
    "change": "Thêm / bỏ",
    "errors": "Lỗi",
    "warnings": "Cảnh báo",
    "accepted": "Công bố",
    "status": "Tình trạng",
}


def lines_frame(batch: Batch) -> pd.DataFrame:
    """The per-file table as shown: one line per file, Vietnamese headers, numbers the Vietnamese way."""
    lines = lines_table(batch)
    unit = [
        f"{name} ({code})" if isinstance(code, str) else MISSING
        for name, code in zip(lines["unit_name"], lines["unit_code"], strict=True)
    ]
    change = [
        f"+{fmt_int(a)} / −{fmt_int(r)}" if ok else MISSING
        for a, r, ok in zip(
            lines["rows_added"], lines["rows_removed"], lines["unit_code"].notna(), strict=True
        )
    ]
    shown = lines.assign(
        unit=unit,
        change=change,
        rows_in_file=[MISSING if pd.isna(n) else fmt_int(n) for n in lines["rows_in_file"]],
        errors=[fmt_int(n) for n in lines["errors"]],
        warnings=[fmt_int(n) for n in lines["warnings"]],
        accepted=["Có" if a else "Không" for a in lines["accepted"]],
    )
    return shown[list(LINE_HEADERS)].rename(columns=LINE_HEADERS)


def _signature(files: list[tuple[str, bytes]], store: Store, account: Account) -> tuple:
    current = store.current_number()
    return (tuple((n, hashlib.sha256(d).hexdigest()) for n, d in files), current, account.name)


def _checks(
    frame: Frame, store: Store, account: Account, files: list[tuple[str, bytes]]
) -> list[FileCheck] | None:
    """The files' checks, made once per set of files and current version (None, shown why: refused)."""
    sig = _signature(files, store, account)
    state = st.session_state.get(STATE)
    if not (isinstance(state, dict) and state.get("sig") == sig):
        state = {"sig": sig, "checks": None, "error": None}
        try:
            limits.take("check", frame.settings)  # one check of the whole batch
            with st.spinner(f"Đang kiểm tra {fmt_int(len(files))} tệp…"):
                state["checks"] = check_files(store, files, account=account, settings=frame.settings)
        except limits.RateLimited as exc:  # not kept: the same files are checked once the wait is over
            st.error(str(exc), icon=":material/hourglass_top:")
            return None
        except StoreError as exc:
            state["error"] = exc.message
        except UnsafeFile as exc:
            state["error"] = exc.full_message
        st.session_state[STATE] = state
    if state["error"]:
        st.error(state["error"], icon=":material/error:")
        return None
    return state["checks"]


def _too_many(frame: Frame, files: list[tuple[str, bytes]]) -> str | None:
    settings = frame.settings
    total = sum(len(d) for _, d in files)
    if len(files) > settings.max_batch_files:
        return (
            f"Mỗi lượt nộp tối đa {fmt_int(settings.max_batch_files)} tệp; bạn đã chọn {fmt_int(len(files))} tệp. "
            "Hãy bỏ bớt tệp rồi nộp phần còn lại ở lượt sau."
        )
    if total > settings.max_batch_mb * 1024 * 1024:
        return (
            f"Các tệp đã chọn nặng {fmt_num(total / 1024 / 1024, 1)} MB, quá mức {fmt_num(settings.max_batch_mb, 0)} "
            "MB của một lượt nộp. Hãy bỏ bớt tệp rồi nộp phần còn lại ở lượt sau."
        )
    return None


def _picks(checks: list[FileCheck], key: str) -> set[int]:
    """One checkbox per file that can go in (ticked by default); the indexes left ticked."""
    st.markdown("**Chọn tệp để công bố**")
    chosen: set[int] = set()
    for index, check in enumerate(checks):
        label = (
            f"{check.file_name} → {check.unit_name} ({check.unit_code})"
            if check.unit_code
            else check.file_name
        )
        can = check.held_reason() is None
        if st.checkbox(label, value=can, disabled=not can, key=f"{key}.{index}") and can:
            chosen.add(index)
    return chosen


def _problems(checks: list[FileCheck]) -> None:
    """Each file's problems in its own expander (files with errors open)."""
    with_problems = [c for c in checks if len(c.problems)]
    if not with_problems:
        return
    st.markdown("**Lỗi và cảnh báo của từng tệp**")
    for check in with_problems:
        title = f"{check.file_name}: {fmt_int(check.errors)} lỗi, {fmt_int(check.warnings)} cảnh báo"
        icon = ":material/error:" if check.errors else ":material/warning:"
        with st.expander(title, icon=icon, expanded=bool(check.errors)):
            st.dataframe(ui.problems_frame(check.problems), hide_index=True, placeholder=MISSING)


def _publish(store: Store, batch: Batch, round_no: int) -> None:
    units = "; ".join(
        f"{c.unit_name} ({c.unit_code}): {c.file_name}" for c in (batch.checks[i] for i in batch.accepted)
    )
    try:
        version = publish_batch(store, batch, auth.current_account())
    except StoreError as exc:
        st.session_state.pop(STATE, None)
        st.error(exc.message, icon=":material/error:")
        return
    st.session_state.pop(STATE, None)
    st.session_state[ROUND] = round_no + 1
    st.session_state[DONE] = (
        f"Đã công bố phiên bản số {version.number} ({fmt_when(version.created_at)}) gồm "
        f"{fmt_int(len(batch.accepted))} tệp: {units}. Các trang của bảng theo dõi đã dùng số liệu mới."
    )
    st.rerun()


def section(frame: Frame, store: Store, account: Account) -> bool:
    """For admins once a version is published: the switch to the batch and, switched on, the batch
    (uploader, per-file table, problems, publish button). True when the page shows the batch: the
    one-file form is then left out. Nothing is written until "Công bố N tệp hợp lệ"."""
    if not account.is_admin or store.current_number() is None:
        return False
    if not st.toggle(SWITCH_LABEL, key=SWITCH, help=SWITCH_HELP):
        return False
    ui.section(TITLE)
    if done := st.session_state.pop(DONE, None):
        st.success(done, icon=":material/check_circle:")
    st.caption(HELP)
    _batch(frame, store, account)
    return True


def _batch(frame: Frame, store: Store, account: Account) -> None:
    round_no = st.session_state.get(ROUND, 0)
    ui.uploader_in_vietnamese(frame.settings.max_upload_mb)
    upload_gate.grant()  # the upload endpoint takes files only for this logged-in uploader's box
    uploaded = st.file_uploader(
        f"Tệp Excel (.xlsx) của các đơn vị, tối đa {fmt_int(frame.settings.max_batch_files)} tệp mỗi lượt",
        type=["xlsx"],
        accept_multiple_files=True,
        key=f"cchc_batch_files_{round_no}",
    )
    if not uploaded:
        st.session_state.pop(STATE, None)
        return
    files = [(f.name, f.getvalue()) for f in uploaded]
    if refusal := _too_many(frame, files):
        st.error(refusal, icon=":material/error:")
        return
    checks = _checks(frame, store, account, files)
    if checks is None:
        return
    table = st.container()
    digest = hashlib.sha256(repr(st.session_state[STATE]["sig"]).encode()).hexdigest()[:12]
    chosen = _picks(checks, f"cchc.batch.pick.{digest}")
    try:
        batch = merge_files(store, checks, chosen=chosen, settings=frame.settings)
    except StoreError as exc:  # someone published meanwhile: checked again on the next run
        st.session_state.pop(STATE, None)
        st.error(exc.message, icon=":material/error:")
        return
    with table:
        ui.section("Các tệp đã nhận")
        st.dataframe(
            lines_frame(batch),
            hide_index=True,
            placeholder=MISSING,
            column_config={LINE_HEADERS["status"]: st.column_config.TextColumn(width="large")},
        )
    _problems(checks)
    count = len(batch.accepted)
    if count:
        st.caption(
            f"Sau khi công bố: {fmt_int(batch.rows or 0)} dòng hoạt động trong một phiên bản mới. Chưa có gì "
            f"thay đổi cho đến khi bạn bấm «Công bố {count} tệp hợp lệ»."
        )
    else:
        st.info("Chưa có tệp hợp lệ nào được chọn để công bố.", icon=":material/info:")
    if st.button(
        f"Công bố {count} tệp hợp lệ",
        type="primary",
        icon=":material/publish:",
        key="cchc.batch.publish",
        disabled=count == 0,
    ):
        _publish(store, batch, round_no)
