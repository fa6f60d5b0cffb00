"""Reminder e-mails to a local SMTP sink started by the test (stdlib socketserver, never a real address)."""

from __future__ import annotations

import email
import socketserver
import threading
from datetime import date
from email import policy

import pandas as pd
import pytest

from cchc_lib.access.accounts import Account
from cchc_lib.common.periods import Period
from cchc_lib.common.settings import Settings
from cchc_lib.documents.reminders import Reminder
from cchc_lib.publishing.mailer import REMINDER_KIND, SmtpConfig, send_reminders, smtp_config
from cchc_lib.publishing.store import Store


class _Sink(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) to accept mail: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def reply(self, text: str) -> None:
        self.wfile.write((text + "\r\n").encode())

    def handle(self) -> None:
        self.reply("220 sink ESMTP")
        envelope: dict = {"to": []}
        while line := self.rfile.readline():
            verb = line.decode().strip().split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply("250-sink")
                self.reply("250 8BITMIME")
            elif verb == "HELO" or verb in ("NOOP", "RSET"):
                self.reply("250 ok")
            elif verb == "MAIL":
                envelope = {"from": line.decode().strip(), "to": []}
                self.reply("250 ok")
            elif verb == "RCPT":
                envelope["to"].append(line.decode().strip().split(":", 1)[1].strip("<> "))
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 end with .")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.received.append((envelope["to"], data))  # type: ignore[attr-defined]
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


@pytest.fixture
def sink():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Sink)
    server.daemon_threads = True
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


PENDING = pd.DataFrame(
    {
        "unit_code": ["XA", "XB", "XC"],
        "unit_name": ["Xã Cẩm A", "Xã Cẩm B", "Xã Cẩm C"],
        "status": ["missing", "resubmit", "missing"],
        "contact": ["Nguyễn Văn An", "", "Lê C"],
        "phone": ["0912 345 678", "", ""],
        "email": ["an@xa.example", "b@xb.example", ""],  # XC has no address: no e-mail
    }
)
REMINDER = Reminder(Period(2024, "Q4"), "report", Settings(), date(2024, 12, 22))


def test_smtp_config_from_secrets() -> None:
    assert smtp_config(None) is None
    assert smtp_config({"host": "smtp.example"}) is None  # no sender
    config = smtp_config(
        {"host": "h", "port": "2525", "sender": "vp@h", "password": "bí mật", "starttls": False}
    )
    assert (config.host, config.port, config.sender, config.starttls) == ("h", 2525, "vp@h", False)
    assert "bí mật" not in repr(config)


def test_one_email_per_unit_with_an_address_and_an_audit_entry(sink, tmp_path) -> None:
    store = Store(tmp_path / "store")
    config = SmtpConfig(
        host="127.0.0.1", port=sink.server_address[1], sender="vp@ubnd.example", starttls=False, password="pw"
    )
    result = send_reminders(config, PENDING, REMINDER, store=store, account=Account("quantri", "admin"))
    assert result.sent == ("XA", "XB") and result.failed == ()
    assert [to for to, _ in sink.received] == [["an@xa.example"], ["b@xb.example"]]
    first = email.message_from_bytes(sink.received[0][1], policy=policy.default)
    assert first["Subject"] == "Nhắc nộp số liệu CCHC Quý IV năm 2024"
    body = first.get_content()
    assert "Kính gửi Nguyễn Văn An (Xã Cẩm A)" in body
    assert "hạn nộp ngày 19/12/2024, đã quá hạn 3 ngày" in body
    second = email.message_from_bytes(sink.received[1][1], policy=policy.default).get_content()
    assert "nộp lại" in second and "Xã Cẩm B" in second
    entries = [e for e in store.audit() if e.get("kind") == REMINDER_KIND]
    assert len(entries) == 1
    entry = entries[0]
    assert (entry["outcome"], entry["units"], entry["recipients"], entry["user"]) == (
        "sent",
        ["XA", "XB"],
        2,
        "quantri",
    )
    assert entry["period"] == "2024-Q4" and "pw" not in str(entry)


def test_unreachable_server_is_logged_as_failed_and_raised(tmp_path) -> None:
    store = Store(tmp_path / "store")
    server = socketserver.TCPServer(("127.0.0.1", 0), _Sink)
    port = server.server_address[1]
    server.server_close()  # nothing listens there any more
    config = SmtpConfig(host="127.0.0.1", port=port, sender="vp@ubnd.example", starttls=False, timeout=5)
    with pytest.raises(OSError):
        send_reminders(config, PENDING, REMINDER, store=store, account=Account("quantri", "admin"))
    entry = [e for e in store.audit() if e.get("kind") == REMINDER_KIND][-1]
    assert entry["outcome"] == "failed" and entry["recipients"] == 0 and entry["units"] == []
