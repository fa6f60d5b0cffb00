"""Reminders to the units that have not reported: the list with contacts, a ready message text (Zalo),
the e-mail text per unit, and the reminder letter (công văn đôn đốc, Decree 30/2020) as DOCX.

Every sentence is gated on its facts: no list sentence without units (then no letter at all), "quá
hạn" only after the deadline, "cần nộp lại" only for units whose submission is no longer in the data.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from cchc_lib.common.formatting import fmt_date
from cchc_lib.common.periods import Period
from cchc_lib.common.settings import Settings
from cchc_lib.documents.reports import (
    BLANK_NUMBER,
    TEXT_W_MM,
    _first_para,
    _fixed_table,
    _grid_borders,
    _letterhead,
    _para,
    _repeat_header,
    _setup,
    _signature,
)
from cchc_lib.figures.reporting import not_submitted, submission_deadline

__all__ = [
    "CONTACT_COLUMNS",
    "Reminder",
    "build_letter",
    "email_text",
    "letter_subject",
    "message_text",
    "pending_contacts",
]

CONTACT_COLUMNS = ["unit_code", "unit_name", "status", "contact", "phone", "email"]
LETTER_RECIPIENTS = ("Như trên;", "Lưu: VT.")
_RESUBMIT_NOTE = "cần nộp lại (số liệu đã nộp không còn trong dữ liệu hiện hành)"


@dataclass(frozen=True)
class Reminder:
    """What every reminder text states: the period, its calendar, the deadline and the day of writing."""

    period: Period
    calendar: str
    settings: Settings
    today: date

    @property
    def deadline(self) -> date:
        s = self.settings
        return submission_deadline(self.period, s.cutoff_day, s.submission_grace_days, self.calendar)

    @property
    def overdue_days(self) -> int:
        return max((self.today - self.deadline).days, 0)

    def period_words(self) -> str:
        """ "quý IV năm 2024 (từ 15/09/2024 đến 14/12/2024)"."""
        first, last = self.period.bounds(self.calendar, self.settings.cutoff_day)
        label = self.period.label
        return f"{label[0].lower()}{label[1:]} (từ {fmt_date(first)} đến {fmt_date(last)})"

    def deadline_words(self) -> str:
        """ "hạn nộp ngày 19/12/2024, đã quá hạn 3 ngày" / "hạn nộp ngày 19/12/2024"."""
        words = f"hạn nộp ngày {fmt_date(self.deadline)}"
        return f"{words}, đã quá hạn {self.overdue_days} ngày" if self.overdue_days else words


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value).strip()


def pending_contacts(status: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """CONTACT_COLUMNS for the units of `status` (reporting.period_status) that have not (or no
    longer) submitted, in the order of `status`, with contact, phone and e-mail from `units` ("" when
    absent)."""
    pending = not_submitted(status)[["unit_code", "unit_name", "status"]]
    lookup = units.drop_duplicates("unit_code").set_index("unit_code")
    for column in ("contact", "phone", "email"):
        values = lookup[column] if column in lookup else pd.Series(dtype="object")
        pending[column] = [_text(values.get(code)) for code in pending["unit_code"]]
    return pending[CONTACT_COLUMNS].reset_index(drop=True)


def _who(row) -> str:
    parts = []
    if row.contact:
        parts.append(f"đầu mối {row.contact}")
    if row.phone:
        parts.append(f"ĐT {row.phone}")
    return ", ".join(parts)


def message_text(pending: pd.DataFrame, reminder: Reminder) -> str:
    """The ready message (e.g. for a Zalo group) listing the units not yet reported with focal point
    and phone, the period and the deadline; with no unit left, the sentence that everyone reported."""
    period = reminder.period_words()
    if pending.empty:
        return f"Tất cả các đơn vị đã nộp số liệu công tác thông tin, tuyên truyền CCHC {period}."
    lines = [
        f"{reminder.settings.organisation} đề nghị {len(pending)} đơn vị sau nộp số liệu công tác thông tin, "
        f"tuyên truyền CCHC {period}, {reminder.deadline_words()}:"
    ]
    for index, row in enumerate(pending.itertuples(index=False), start=1):
        who = _who(row)
        note = " — cần nộp lại" if row.status == "resubmit" else ""
        lines.append(f"{index}. {row.unit_name}{f' ({who})' if who else ''}{note}")
    lines.append("Số liệu được cập nhật qua trang «Cập nhật dữ liệu» của bảng theo dõi. Trân trọng cảm ơn!")
    return "\n".join(lines)


def email_text(row, reminder: Reminder) -> tuple[str, str]:
    """(subject, body) of the reminder e-mail to one unit (a row of pending_contacts)."""
    subject = f"Nhắc nộp số liệu CCHC {reminder.period.label}"
    greeting = f"Kính gửi {row.contact} ({row.unit_name})," if row.contact else f"Kính gửi {row.unit_name},"
    if row.status == "resubmit":
        state = "số liệu đơn vị đã nộp không còn trong dữ liệu hiện hành, đề nghị đơn vị nộp lại"
    else:
        state = "đơn vị chưa nộp số liệu"
    body = "\n\n".join(
        [
            greeting,
            f"Đến ngày {fmt_date(reminder.today)}, {state} công tác thông tin, tuyên truyền cải cách hành chính "
            f"{reminder.period_words()}, {reminder.deadline_words()}.",
            "Đề nghị đơn vị cập nhật số liệu qua trang «Cập nhật dữ liệu» của bảng theo dõi.",
            f"Trân trọng,\n{reminder.settings.organisation}",
        ]
    )
    return subject, body


def letter_subject(reminder: Reminder) -> str:
    """The letter's trích yếu: "V/v đôn đốc nộp số liệu công tác thông tin, tuyên truyền CCHC quý IV năm 2024"."""
    label = reminder.period.label
    return f"V/v đôn đốc nộp số liệu công tác thông tin, tuyên truyền CCHC {label[0].lower()}{label[1:]}"


def _letter_number_suffix(settings: Settings) -> str:
    """A letter (công văn) carries the agency's symbol without the report's "BC-": "BC-UBND" -> "UBND"."""
    suffix = settings.report_number_suffix.strip()
    return suffix[3:] if suffix.upper().startswith("BC-") else suffix


def _list_table(document, pending: pd.DataFrame) -> None:
    widths = [12.0, 55.0, 40.0, 30.0, TEXT_W_MM - 137.0]
    table = _fixed_table(document, len(pending) + 1, widths, cell_margin_mm=1.0)
    _grid_borders(table)
    _repeat_header(table.rows[0])
    for cell, text in zip(
        table.rows[0].cells, ("STT", "Đơn vị", "Đầu mối", "Điện thoại", "Ghi chú"), strict=True
    ):
        _first_para(cell, text, size=12, bold=True)
    for index, row in enumerate(pending.itertuples(index=False), start=1):
        note = "Cần nộp lại" if row.status == "resubmit" else ""
        texts = (str(index), row.unit_name, row.contact, row.phone, note)
        for cell, text in zip(table.rows[index].cells, texts, strict=True):
            align = WD_ALIGN_PARAGRAPH.CENTER if text == str(index) else WD_ALIGN_PARAGRAPH.LEFT
            _first_para(cell, text, size=12, align=align)


def build_letter(
    pending: pd.DataFrame, reminder: Reminder, *, number: str = BLANK_NUMBER, issued: date | None = None
) -> bytes | None:
    """The reminder letter as .docx bytes (Decree 30/2020: letterhead with number and trích yếu,
    "Kính gửi", the units with focal point and phone, recipients and signature), or None when
    `pending` is empty: there is nobody to remind."""
    if pending.empty:
        return None
    s = reminder.settings
    issued = issued or reminder.today
    document = Document()
    _setup(document)
    _letterhead(document, replace(s, report_number_suffix=_letter_number_suffix(s)), number, issued)
    subject_cell = document.tables[0].rows[1].cells[0]
    _para(
        subject_cell, letter_subject(reminder), size=12, align=WD_ALIGN_PARAGRAPH.CENTER, first_indent_mm=None
    )
    _para(
        document,
        "Kính gửi: Các cơ quan, đơn vị có tên tại danh sách dưới đây.",
        align=WD_ALIGN_PARAGRAPH.CENTER,
        first_indent_mm=None,
        before=12,
        after=12,
    )
    resubmit = int((pending["status"] == "resubmit").sum())
    _para(
        document,
        f"Số liệu công tác thông tin, tuyên truyền cải cách hành chính {reminder.period_words()} được cập nhật "
        f"lên bảng theo dõi chậm nhất ngày {fmt_date(reminder.deadline)}.",
    )
    when = f"đã quá hạn {reminder.overdue_days} ngày" if reminder.overdue_days else "chưa đến hạn nộp"
    lead = f"Đến ngày {fmt_date(reminder.today)} ({when}), {len(pending)} đơn vị sau chưa nộp số liệu"
    if resubmit:
        lead += f", trong đó {resubmit} đơn vị {_RESUBMIT_NOTE}"
    _para(document, lead + ":")
    _list_table(document, pending)
    action = (
        "khẩn trương cập nhật số liệu"
        if reminder.overdue_days
        else f"cập nhật số liệu chậm nhất ngày {fmt_date(reminder.deadline)}"
    )
    _para(
        document,
        f"{s.organisation} đề nghị Thủ trưởng các cơ quan, đơn vị có tên trên chỉ đạo {action} qua trang "
        "«Cập nhật dữ liệu» của bảng theo dõi./.",
        before=6,
    )
    _signature(document, replace(s, recipients=LETTER_RECIPIENTS))
    props = document.core_properties
    props.title = letter_subject(reminder)
    props.author = s.organisation
    props.language = "vi-VN"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
