"""Reminders: the list with contacts, the message text, the e-mail text, the DOCX letter read back."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
from docx import Document

from cchc_lib.common.periods import Period
from cchc_lib.common.settings import Settings
from cchc_lib.documents.reminders import Reminder, build_letter, message_text, pending_contacts
from cchc_lib.reading.sandbox import read_trusted
from tests.xlsx import make_xlsx

STATUS = pd.DataFrame(
    {
        "unit_code": ["XA", "XB", "XC", "XD"],
        "unit_name": ["Xã Cẩm A", "Xã Cẩm B", "Xã Cẩm C", "Xã Cẩm D"],
        "status": ["missing", "on_time", "resubmit", "late"],
    }
)
UNITS = pd.DataFrame(
    {
        "unit_code": ["XA", "XB", "XC", "XD"],
        "contact": ["Nguyễn Văn An", "Trần Bình", None, "Lê Dũng"],
        "phone": ["0912 345 678", "0987000111", None, None],
        "email": ["an@xa.example", None, "c@xc.example", None],
    }
)
LATE = Reminder(Period(2024, "Q4"), "report", Settings(), date(2024, 12, 22))  # deadline 19/12/2024
EARLY = Reminder(Period(2024, "Q4"), "calendar", Settings(), date(2024, 12, 22))  # deadline 05/01/2025


def test_pending_contacts_are_the_units_not_submitted() -> None:
    pending = pending_contacts(STATUS, UNITS)
    assert list(pending["unit_code"]) == ["XA", "XC"]  # on time and late ones have submitted
    assert list(pending["contact"]) == ["Nguyễn Văn An", ""]
    assert list(pending["phone"]) == ["0912 345 678", ""]
    assert list(pending["email"]) == ["an@xa.example", "c@xc.example"]


def test_message_text_lists_units_with_contact_phone_period_and_deadline() -> None:
    text = message_text(pending_contacts(STATUS, UNITS), LATE)
    assert text.splitlines() == [
        "UBND huyện Cẩm Xuyên đề nghị 2 đơn vị sau nộp số liệu công tác thông tin, tuyên truyền CCHC "
        "quý IV năm 2024 (từ 15/09/2024 đến 14/12/2024), hạn nộp ngày 19/12/2024, đã quá hạn 3 ngày:",
        "1. Xã Cẩm A (đầu mối Nguyễn Văn An, ĐT 0912 345 678)",
        "2. Xã Cẩm C — cần nộp lại",
        "Số liệu được cập nhật qua trang «Cập nhật dữ liệu» của bảng theo dõi. Trân trọng cảm ơn!",
    ]
    early = message_text(pending_contacts(STATUS, UNITS), EARLY)
    assert "(từ 01/10/2024 đến 31/12/2024), hạn nộp ngày 05/01/2025:" in early
    assert "quá hạn" not in early


def test_nobody_pending_gives_a_message_and_no_letter() -> None:
    pending = pending_contacts(STATUS.assign(status="on_time"), UNITS)
    assert pending.empty
    assert build_letter(pending, LATE) is None
    text = message_text(pending, LATE)
    assert text.startswith("Tất cả các đơn vị đã nộp số liệu")
    assert "đơn vị sau" not in text and "chưa nộp" not in text


def test_letter_read_back() -> None:
    data = build_letter(pending_contacts(STATUS, UNITS), LATE, number="12")
    document = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    head = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert head[0][0].startswith("ỦY BAN NHÂN DÂN\nHUYỆN CẨM XUYÊN")
    assert head[0][1].startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc")
    assert head[1][0].startswith("Số: 12/UBND\nV/v đôn đốc nộp số liệu")
    assert head[1][1] == "Cẩm Xuyên, ngày 22 tháng 12 năm 2024"
    assert "Kính gửi: Các cơ quan, đơn vị có tên tại danh sách dưới đây." in paragraphs
    assert any("chậm nhất ngày 19/12/2024" in p for p in paragraphs)
    assert any(
        p.startswith("Đến ngày 22/12/2024 (đã quá hạn 3 ngày), 2 đơn vị sau chưa nộp số liệu, trong đó 1")
        for p in paragraphs
    )
    rows = [[c.text for c in row.cells] for row in document.tables[1].rows]
    assert rows == [
        ["STT", "Đơn vị", "Đầu mối", "Điện thoại", "Ghi chú"],
        ["1", "Xã Cẩm A", "Nguyễn Văn An", "0912 345 678", ""],
        ["2", "Xã Cẩm C", "", "", "Cần nộp lại"],
    ]
    signature = [c.text for c in document.tables[2].rows[0].cells]
    assert signature[0] == "Nơi nhận:\n- Như trên;\n- Lưu: VT."
    assert signature[1].startswith("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH")


def test_letter_before_the_deadline_says_so() -> None:
    only_missing = STATUS[STATUS["unit_code"] == "XA"]
    document = Document(io.BytesIO(build_letter(pending_contacts(only_missing, UNITS), EARLY)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "(chưa đến hạn nộp), 1 đơn vị sau chưa nộp số liệu:" in text
    assert "quá hạn" not in text and "nộp lại" not in text
    assert "cập nhật số liệu chậm nhất ngày 05/01/2025" in text


def test_contact_columns_read_as_typed() -> None:
    data = make_xlsx(
        {
            "Đơn vị": [
                ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Đầu mối", "SĐT", "Thư điện tử"],
                ["XA", "Xã A", "UBND xã, thị trấn", "Nguyễn Văn A", "0912 345 678", "a@xa.example"],
                ["XB", "Xã B", "UBND xã, thị trấn", "Trần B", 912345678, None],
                ["XC", "Xã C", "UBND xã, thị trấn", None, 912345678.0, None],
                ["XD", "Xã D", "UBND xã, thị trấn", None, "0912345678", None],
            ],
            "Kế hoạch": [["Năm", "Mã đơn vị", "TIN_BAI"], [2024, "XA", 1]],
            "Hoạt động": [["Ngày", "Mã đơn vị", "Loại hoạt động"], ["01/02/2024", "XA", "TIN_BAI"]],
        }
    )
    result = read_trusted(data)
    assert not len(result.problems)
    units = result.workbook.units
    assert list(units["phone"]) == ["0912 345 678", "912345678", "912345678", "0912345678"]
    assert units["email"].iloc[0] == "a@xa.example" and pd.isna(units["email"].iloc[1])
    # a v1 workbook without them reads as before, the columns empty
    plain = make_xlsx(
        {
            "Đơn vị": [["Mã đơn vị", "Tên đơn vị", "Loại đơn vị"], ["XA", "Xã A", "UBND xã, thị trấn"]],
            "Kế hoạch": [["Năm", "Mã đơn vị", "TIN_BAI"], [2024, "XA", 1]],
            "Hoạt động": [["Ngày", "Mã đơn vị", "Loại hoạt động"], ["01/02/2024", "XA", "TIN_BAI"]],
        }
    )
    old = read_trusted(plain)
    assert not len(old.problems)
    assert old.workbook.units[["phone", "email"]].isna().all().all()
