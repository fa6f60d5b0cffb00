"""The Báo cáo page's parts: the clerk's saved texts, the issue date and number, the section editors
(standing office only) and the preview of the report body."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import streamlit as st

from cchc_lib.access.accounts import Account
from cchc_lib.common.formatting import fmt_date
from cchc_lib.common.settings import Settings
from cchc_lib.documents.report_content import PLACEHOLDER_PREFIX, ReportContent, Section, section_text
from cchc_lib.documents.report_number import NUMBER_MAX_CHARS, ReportNumberError, parse_report_number
from cchc_lib.publishing.store import REPORT_TEXT_MAX_CHARS, StoreError, clean_report_text, text_digest
from cchc_lib.publishing.store_factory import open_store
from cchc_lib.web.render import md_escape

__all__ = [
    "ReportForm",
    "editor",
    "hide_input_instructions",
    "preview",
    "report_form",
    "saved_texts",
    "text_key",
]

LOG = logging.getLogger("cchc_lib.web")
EDITOR_TITLE = "Chỉnh sửa nội dung báo cáo"
SAVE_LABEL = "Lưu nội dung"
RESET_LABEL = "Dùng lại nội dung tự động"
ISSUED_LABEL = "Ngày ban hành báo cáo"
NUMBER_LABEL = "Số báo cáo"
SAVED = "Đã lưu nội dung báo cáo {period}: {count} mục sửa. Bản tải về và người mở trang sau sẽ thấy nội dung này."
NOTHING_CHANGED = "Nội dung không thay đổi so với bản đã lưu: không có gì để lưu."
RESET_DONE = "Mục «{heading}» dùng lại nội dung tự động lập từ số liệu."
DIFFERS = (
    "Mục này đang dùng nội dung đã sửa và lưu, khác với nội dung tự động lập từ số liệu hiện hành "
    "(xem bên dưới). Hãy đối chiếu các con số trước khi ký."
)
FIGURES_CHANGED = (
    "Số liệu đã thay đổi kể từ khi nội dung mục này được lưu: nội dung tự động lập từ số liệu hiện hành "
    "nay đã khác (xem bên dưới). Hãy cập nhật các con số trong nội dung đã sửa trước khi ký."
)
STALE_HINT = (
    "Các mục người đó sửa mà bạn chưa sửa đã được đưa vào ô soạn thảo; mục bạn đang sửa vẫn giữ nội dung "
    "của bạn. Hãy xem lại rồi bấm “Lưu nội dung”."
)
PLACEHOLDER_NOTE = (
    "Phần trong ngoặc vuông «[Đề nghị bổ sung: …]» cần được thay bằng nội dung thật trước khi ký."
)
_MESSAGE_KEY = "cchc.report.message"  # (kind, text) shown once after a save or a reset
# Streamlit writes "Press Enter to apply" / "Press ⌘+Enter to apply" under inputs in English.
_NO_INSTRUCTIONS_CSS = "<style>[data-testid=InputInstructions] { display: none; }</style>"


def hide_input_instructions() -> None:
    """Hide Streamlit's English "Press Enter to apply" hints (a constant style rule, no user text)."""
    st.html(_NO_INSTRUCTIONS_CSS)


def saved_texts(settings: Settings, period_name: str, calendar: str) -> dict[str, str]:
    """The clerk's saved texts of the report, {} when none or when the store cannot be read."""
    try:
        return open_store(settings).report_texts(period_name, calendar)
    except (StoreError, OSError):
        LOG.exception("Reading the report texts of %s (%s) failed", period_name, calendar)
        return {}


@dataclass(frozen=True)
class ReportForm:
    """What the clerk sets for the document's letterhead."""

    issued: date
    number: str | None  # None: left blank for the registry


def _saved_info(settings: Settings, period_name: str, calendar: str) -> tuple[dict[str, str], str | None]:
    """The digests the saved texts were written against, and "Lưu lần cuối: <user>, <date time>"."""
    try:
        store = open_store(settings)
        basis = store.report_texts_basis(period_name, calendar)
        user, when = store.report_texts_saved_by(period_name, calendar)
    except (StoreError, OSError):
        LOG.exception("Reading the report texts of %s (%s) failed", period_name, calendar)
        return {}, None
    if user is None:
        return basis, None
    stamp = f", {fmt_date(when)} {when.hour:02d}:{when.minute:02d}" if when is not None else ""
    return basis, f"Nội dung đã sửa được lưu lần cuối bởi {user}{stamp}."


def report_form() -> ReportForm:
    """The issue date (default today, dd/mm/yyyy) and the report number inputs."""
    left, right = st.columns(2)
    issued = left.date_input(
        ISSUED_LABEL,
        value=date.today(),
        min_value=date(2000, 1, 1),
        max_value=date(2100, 12, 31),
        format="DD/MM/YYYY",
        key="report_issued",
    )
    raw = right.text_input(
        NUMBER_LABEL,
        key="report_number",
        max_chars=NUMBER_MAX_CHARS,
        placeholder="Để trống để văn thư ghi khi phát hành",
    )
    # Streamlit's help icon is announced in English ("Help for …"): the explanation is a caption instead.
    left.caption("In ở dòng địa danh, ngày tháng của báo cáo và ở dòng “Kèm theo” của phụ lục.")
    right.caption("Chỉ ghi phần số, ví dụ 45: báo cáo in thành “Số: 45/…”.")
    number = None
    if raw and raw.strip():
        try:
            number = parse_report_number(raw)
        except ReportNumberError as exc:
            right.error(str(exc), icon=":material/error:")
    return ReportForm(issued if isinstance(issued, date) else date.today(), number)


def text_key(period_name: str, calendar: str, stamp: str, key: str) -> str:
    """Session key of a section's text area (per period, calendar and data version)."""
    return f"report_text.{period_name}.{calendar}.{stamp[:16]}.{key}"


def _same(a: str, b: str) -> bool:
    return clean_report_text(a) == clean_report_text(b)


def _save(
    settings: Settings,
    period_name: str,
    period_label: str,
    calendar: str,
    account: Account | None,
    keys: Mapping[str, str],
    generated: Mapping[str, str],
    saved: Mapping[str, str],
) -> None:
    """on_click of "Lưu nội dung": every text area that differs from the generated text is kept; one
    equal to it (or emptied) goes back to the generated text; saved texts of sections this period's
    report does not show are kept."""
    texts = {k: v for k, v in saved.items() if k not in keys}
    basis: dict[str, str] = {}
    for section_key, widget_key in keys.items():
        value = str(st.session_state.get(widget_key, ""))
        if value.strip() and not _same(value, generated.get(section_key, "")):
            texts[section_key] = value
            if not _same(value, saved.get(section_key, "")):  # written now, against these figures
                basis[section_key] = generated.get(section_key, "")
    store = open_store(settings)
    try:
        before = store.report_texts(period_name, calendar)
        store.save_report_texts(period_name, calendar, texts, account, basis=basis, expected=saved)
        after = store.report_texts(period_name, calendar)
    except StoreError as exc:
        if exc.code == "stale":
            _take_theirs(store.report_texts(period_name, calendar), saved, generated, keys)
            st.session_state[_MESSAGE_KEY] = ("error", f"{exc.message} {STALE_HINT}")
        else:
            st.session_state[_MESSAGE_KEY] = ("error", exc.message)
        return
    if after == before:
        st.session_state[_MESSAGE_KEY] = ("info", NOTHING_CHANGED)
    else:
        st.session_state[_MESSAGE_KEY] = ("success", SAVED.format(period=period_label, count=len(after)))
    for section_key, widget_key in keys.items():  # emptied areas show the generated text again
        if section_key not in after:
            st.session_state.pop(widget_key, None)


def _take_theirs(
    current: Mapping[str, str],
    saved: Mapping[str, str],
    generated: Mapping[str, str],
    keys: Mapping[str, str],
) -> None:
    """After someone else's save: a text area the clerk left as it was opened shows the other's text on
    the next run; one the clerk edited keeps the clerk's text."""
    for section_key, widget_key in keys.items():
        opened = saved.get(section_key, generated.get(section_key, ""))
        theirs = current.get(section_key, generated.get(section_key, ""))
        if not _same(opened, theirs) and _same(str(st.session_state.get(widget_key, "")), opened):
            st.session_state.pop(widget_key, None)


def _reset(
    settings: Settings,
    period_name: str,
    calendar: str,
    account: Account | None,
    section: Section,
    widget_key: str,
) -> None:
    """on_click of "Dùng lại nội dung tự động": drop the section's saved text."""
    try:
        store = open_store(settings)
        texts = store.report_texts(period_name, calendar)
        texts.pop(section.key, None)
        store.save_report_texts(period_name, calendar, texts, account)
    except StoreError as exc:
        st.session_state[_MESSAGE_KEY] = ("error", exc.message)
        return
    st.session_state.pop(widget_key, None)
    st.session_state[_MESSAGE_KEY] = ("success", RESET_DONE.format(heading=section.heading))


def _message() -> None:
    kind, text = st.session_state.pop(_MESSAGE_KEY, (None, None))
    if kind == "success":
        st.success(text, icon=":material/check_circle:")
    elif kind == "error":
        st.error(text, icon=":material/error:")
    elif kind == "info":
        st.info(text, icon=":material/info:")


def editor(
    settings: Settings,
    account: Account | None,
    *,
    period_name: str,
    period_label: str,
    calendar: str,
    stamp: str,
    generated: ReportContent,
    shown: ReportContent,
    saved: Mapping[str, str],
) -> None:
    """One text area per editable section, prefilled with the saved edit or the generated text, a save
    button, and per edited section the generated text and a button going back to it. The store checks
    the account's permission again on saving."""
    st.subheader(EDITOR_TITLE, divider="gray")
    st.caption(
        "Mỗi đoạn một dòng; dòng bắt đầu bằng “- ” là một ý gạch đầu dòng. Để trống một mục hoặc bấm "
        f"“{RESET_LABEL}” để dùng lại nội dung tự động. Nội dung đã lưu được dùng cho bản tải về và "
        "cho người mở trang sau."
    )
    _message()
    fresh = {s.key: section_text(s) for s in generated.sections if s.editable}
    basis, saved_by = _saved_info(settings, period_name, calendar)
    if saved and saved_by:
        st.caption(saved_by)
    keys: dict[str, str] = {}
    for section in shown.sections:
        if not section.editable:
            st.markdown(f"**{md_escape(section.heading)}**")
            continue
        widget_key = text_key(period_name, calendar, stamp, section.key)
        keys[section.key] = widget_key
        if widget_key not in st.session_state:
            st.session_state[widget_key] = saved.get(section.key, fresh.get(section.key, ""))
        label = section.heading + (" (cần bổ sung)" if section.placeholder else "")
        st.text_area(
            label,
            key=widget_key,
            height=max(120, min(480, 40 + 28 * len(section.paragraphs))),
            max_chars=REPORT_TEXT_MAX_CHARS,
        )
        if section.placeholder:
            st.caption(PLACEHOLDER_NOTE)
        if section.key in saved:
            known = basis.get(section.key)
            if known is not None and known != text_digest(fresh.get(section.key, "")):
                st.warning(FIGURES_CHANGED, icon=":material/update:")
            else:
                st.info(DIFFERS, icon=":material/edit_note:")
            with st.expander("Nội dung tự động lập từ số liệu hiện hành"):
                for text in fresh.get(section.key, "").splitlines():
                    st.markdown(md_escape(text))
            st.button(
                RESET_LABEL,
                key=f"reset.{widget_key}",
                icon=":material/restart_alt:",
                on_click=_reset,
                args=(settings, period_name, calendar, account, section, widget_key),
            )
    st.button(
        SAVE_LABEL,
        key="report_save",
        type="primary",
        icon=":material/save:",
        on_click=_save,
        args=(settings, period_name, period_label, calendar, account, keys, fresh, dict(saved)),
    )


def preview(content: ReportContent) -> None:
    """The report body as the document prints it (saved edits included); workbook text escaped."""
    st.markdown(md_escape(content.intro))
    for section in content.sections:
        suffix = " *(đã sửa)*" if section.edited else ""
        st.markdown(f"**{md_escape(section.heading)}**{suffix}")
        for text in section.paragraphs:
            st.markdown(md_escape(text))
            if text.startswith(PLACEHOLDER_PREFIX):
                st.caption(PLACEHOLDER_NOTE)
    st.markdown(md_escape(content.closing))
