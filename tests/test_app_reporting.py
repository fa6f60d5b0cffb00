"""AppTest of Tình hình báo cáo: status after a rollback, chips, contacts by role, the message to copy, the
letter and the reminder e-mail to a local SMTP sink. Built workbooks, temp store and users, never data/."""

from __future__ import annotations

import email
import io
from datetime import date
from email import policy
from pathlib import Path
from types import SimpleNamespace

import pytest
from docx import Document

from cchc_lib.access.accounts import Account
from cchc_lib.publishing.mailer import REMINDER_KIND
from cchc_lib.sample.builder import WorkbookSpec, build_xlsx
from tests.store_backends import Backend
from tests.test_app_upload import HISTORY, REPORTING, make_env, overview_block, page, texts
from tests.test_mailer import sink  # noqa: F401  (the local SMTP server fixture)

UNITS = [
    {
        "Mã đơn vị": "XA",
        "Tên đơn vị": "Xã Cẩm A",
        "Loại đơn vị": "UBND xã, thị trấn",
        "Đầu mối": "Nguyễn Văn An",
        "Điện thoại": "0912 345 678",
        "Email": "an@xa.example",
    },
    {
        "Mã đơn vị": "XB",
        "Tên đơn vị": "Xã Cẩm B",
        "Loại đơn vị": "UBND xã, thị trấn",
        "Đầu mối": "Trần Bình",
        "Điện thoại": "0987 000 111",
        "Email": "binh@xb.example",
    },
    {"Mã đơn vị": "XC", "Tên đơn vị": "Xã Cẩm C", "Loại đơn vị": "UBND xã, thị trấn"},
]
TARGETS = [{"Năm": 2024, "Mã đơn vị": u["Mã đơn vị"], "TIN_BAI": 4} for u in UNITS]
ROW_A = {"Ngày": date(2024, 2, 1), "Mã đơn vị": "XA", "Loại hoạt động": "TIN_BAI", "Tiêu đề": "Tin A"}
ROW_B = {"Ngày": date(2024, 2, 2), "Mã đơn vị": "XB", "Loại hoạt động": "TIN_BAI", "Tiêu đề": "Tin B"}


@pytest.fixture
def rolled_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suite_store: Backend) -> SimpleNamespace:
    """v1: the admin's workbook with XA's row; v2: XB submits its row; v3: rollback to v1."""
    env = make_env(tmp_path, monkeypatch, tmp_path / "no_sample.xlsx", store=suite_store)
    admin = Account("quantri", "admin")
    v1 = env.store.publish(
        build_xlsx(WorkbookSpec(UNITS, TARGETS, [ROW_A])),
        account=admin,
        kind="replace",
        file_name="goc.xlsx",
        base_version=None,
    )
    env.store.publish(
        build_xlsx(WorkbookSpec(UNITS, TARGETS, [ROW_A, ROW_B])),
        account=Account("camb", "unit", "XB"),
        kind="unit",
        file_name="xb.xlsx",
        base_version=v1.number,
        unit_code="XB",
    )
    env.store.rollback(v1.number, admin)
    env.tmp = tmp_path
    return env


def _table(at):
    return at.dataframe[0].value


def test_after_the_rollback_the_unit_must_submit_again(rolled_back) -> None:
    at = page(REPORTING, "quantri")
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    # XA's row came in the store's first version (after the 2024 deadline): submitted, date unknown;
    # XB's submission was discarded by the rollback; XC never sent anything
    assert metrics["Đã nộp"] == "1 / 3" and metrics["Chưa nộp"] == "2"
    table = _table(at)
    chips = dict(zip(table["Tên đơn vị"], table["Tình trạng"], strict=True))
    assert chips == {"Xã Cẩm A": "✓ đã nộp", "Xã Cẩm B": "✕ cần nộp lại", "Xã Cẩm C": "✕ chưa nộp"}
    assert list(table["Tên đơn vị"]) == ["Xã Cẩm C", "Xã Cẩm B", "Xã Cẩm A"]  # the missing first
    phones = dict(zip(table["Tên đơn vị"], table["Điện thoại"], strict=True))
    assert phones == {"Xã Cẩm A": "0912 345 678", "Xã Cẩm B": "0987 000 111", "Xã Cẩm C": "—"}
    assert "Kỳ: Năm 2024 (theo dương lịch: 01/01/2024 – 31/12/2024) · hạn nộp 05/01/2025" in texts(
        at, "caption"
    )
    assert not any("dữ liệu ban đầu" in t for t in texts(at, "markdown"))
    # the matrix: one row per unit, quarters I-IV
    grid = at.dataframe[1].value
    assert list(grid.columns) == ["Đơn vị", "Quý I", "Quý II", "Quý III", "Quý IV"]
    row_b = grid[grid["Đơn vị"] == "Xã Cẩm B"].iloc[0]
    assert list(row_b[1:]) == ["✕ cần nộp lại", "✕ chưa nộp", "✕ chưa nộp", "✕ chưa nộp"]


def test_overview_block_agrees_after_the_rollback(rolled_back) -> None:
    at = overview_block(rolled_back.tmp)
    assert not at.exception
    assert (
        "Đã nộp **1/3** đơn vị · đúng hạn **0** · trễ hạn **0** · chưa nộp **2** (cần nộp lại **1**)"
        in texts(at, "markdown")
    )


def test_message_to_copy_and_the_letter(rolled_back) -> None:
    at = page(REPORTING, "quantri")
    message = at.code[0].value
    assert message.splitlines()[1:3] == [  # in the order of the units sheet
        "1. Xã Cẩm B (đầu mối Trần Bình, ĐT 0987 000 111) — cần nộp lại",
        "2. Xã Cẩm C",
    ]
    assert "2 đơn vị sau" in message and "hạn nộp ngày 05/01/2025, đã quá hạn" in message
    buttons = [b for b in at.get("download_button") if b.proto.label == "Tải công văn đôn đốc (Word)"]
    assert len(buttons) == 1


def test_roles_see_what_they_may(rolled_back) -> None:
    anonymous = page(REPORTING)
    assert not anonymous.exception
    assert "Điện thoại" not in _table(anonymous).columns and "Người cập nhật" not in _table(anonymous).columns
    assert len(anonymous.code) == 0
    viewer = page(REPORTING, "nguoixem")
    assert "Điện thoại" in _table(viewer).columns and len(viewer.code) == 1
    labels = [b.proto.label for b in viewer.get("download_button")]
    assert "Tải công văn đôn đốc (Word)" not in labels
    assert not [b for b in viewer.button if b.label == "Gửi e-mail nhắc"]


def test_reminder_email_needs_the_confirmation_and_reaches_the_sink(rolled_back, sink) -> None:  # noqa: F811
    at = page(REPORTING, "quantri")
    at.secrets["smtp"] = {
        "host": "127.0.0.1",
        "port": sink.server_address[1],
        "sender": "vp@ubnd.example",
        "starttls": False,
    }
    at.run()
    [button] = [b for b in at.button if b.label == "Gửi e-mail nhắc"]
    button.click().run()
    assert not at.exception
    assert sink.received == []  # nothing before the confirmation
    assert any("Sẽ gửi 1 e-mail nhắc" in w for w in texts(at, "warning"))
    recipients = at.dataframe[1].value  # the confirmation lists who gets an e-mail (XC has no address)
    assert list(recipients["Email"]) == ["binh@xb.example"]
    [confirm] = [b for b in at.button if b.label == "Xác nhận gửi 1 e-mail"]
    confirm.click().run()
    assert not at.exception
    assert [to for to, _ in sink.received] == [["binh@xb.example"]]
    body = email.message_from_bytes(sink.received[0][1], policy=policy.default).get_content()
    assert "Kính gửi Trần Bình (Xã Cẩm B)" in body and "nộp lại" in body
    assert any("Đã gửi 1 e-mail nhắc" in t for t in texts(at, "success"))
    [entry] = [e for e in rolled_back.store.audit() if e.get("kind") == REMINDER_KIND]
    assert (entry["units"], entry["recipients"], entry["user"]) == (["XB"], 1, "quantri")
    history = page(HISTORY, "quantri")
    audit = next(d.value for d in history.dataframe if "Thao tác" in d.value.columns)
    sent = audit[audit["Thao tác"] == "Gửi e-mail nhắc nộp báo cáo"]
    assert list(sent["Kết quả"]) == ["Đã gửi"]


def test_letter_content(rolled_back) -> None:
    from cchc_lib.common.periods import Period
    from cchc_lib.common.settings import Settings
    from cchc_lib.documents.reminders import Reminder, build_letter, pending_contacts
    from cchc_lib.figures.reporting import period_status, versions_table
    from cchc_lib.publishing.version_keys import version_keys
    from cchc_lib.reading.sandbox import read_trusted

    store = rolled_back.store
    history = store.history()
    keys = {v.number: version_keys(store.version(v.number).path, v.sha256, None) for v in history}
    units = read_trusted(store.read_bytes(store.current_number())).workbook.units
    status = period_status(
        units, versions_table(history), keys, Period(2024, ""), today=date(2025, 1, 8), calendar="calendar"
    )
    reminder = Reminder(Period(2024, ""), "calendar", Settings(), date(2025, 1, 8))
    document = Document(io.BytesIO(build_letter(pending_contacts(status, units), reminder)))
    rows = [[c.text for c in row.cells] for row in document.tables[1].rows]
    assert rows[1:] == [
        ["1", "Xã Cẩm B", "Trần Bình", "0987 000 111", "Cần nộp lại"],
        ["2", "Xã Cẩm C", "", "", ""],
    ]
    assert any("(đã quá hạn 3 ngày), 2 đơn vị sau chưa nộp số liệu" in p.text for p in document.paragraphs)
