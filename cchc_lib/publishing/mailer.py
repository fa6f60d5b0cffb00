"""Reminder e-mails over SMTP (stdlib smtplib + email.message), one per unit with an address, logged in
the store's audit log (kind "reminder_sent": units and recipient count, never the password)."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import pandas as pd

from cchc_lib.access.accounts import Account
from cchc_lib.documents.reminders import Reminder, email_text

__all__ = ["REMINDER_KIND", "SendResult", "SmtpConfig", "recipients", "send_reminders", "smtp_config"]

REMINDER_KIND = "reminder_sent"
TIMEOUT_S = 20.0


@dataclass(frozen=True)
class SmtpConfig:
    """The [smtp] secrets: host, port, user, password, sender, starttls (True: STARTTLS after connecting)."""

    host: str
    sender: str
    port: int = 587
    user: str = ""
    password: str = field(default="", repr=False)
    starttls: bool = True
    timeout: float = TIMEOUT_S


def smtp_config(raw: Mapping | None) -> SmtpConfig | None:
    """SmtpConfig from the [smtp] secrets, or None when there are none (or no host or no sender)."""
    if not raw:
        return None
    host, sender = str(raw.get("host") or "").strip(), str(raw.get("sender") or "").strip()
    if not host or not sender:
        return None
    return SmtpConfig(
        host=host,
        sender=sender,
        port=int(raw.get("port") or 587),
        user=str(raw.get("user") or ""),
        password=str(raw.get("password") or ""),
        starttls=bool(raw.get("starttls", True)),
        timeout=float(raw.get("timeout") or TIMEOUT_S),
    )


@dataclass(frozen=True)
class SendResult:
    """Units reached (codes), and (unit code, reason) of those whose e-mail failed."""

    sent: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]


def recipients(pending: pd.DataFrame) -> pd.DataFrame:
    """The rows of reminders.pending_contacts with an e-mail address (those that get an e-mail)."""
    has = pending["email"].astype(str).str.contains("@", regex=False)
    return pending[has].reset_index(drop=True)


def _message(config: SmtpConfig, row, reminder: Reminder) -> EmailMessage:
    subject, body = email_text(row, reminder)
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = row.email
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid()
    message.set_content(body)
    return message


def _connect(config: SmtpConfig) -> smtplib.SMTP:
    client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    try:
        if config.starttls:
            client.starttls(context=ssl.create_default_context())
        if config.user:
            client.login(config.user, config.password)
    except BaseException:
        client.close()
        raise
    return client


def send_reminders(
    config: SmtpConfig,
    pending: pd.DataFrame,
    reminder: Reminder,
    *,
    store=None,
    account: Account | None = None,
) -> SendResult:
    """One e-mail per unit of `pending` with an address, over one SMTP connection; a failure of one
    address does not stop the others. With `store`, one audit entry (REMINDER_KIND: period, calendar,
    units reached, recipient count, failures) is written. OSError/smtplib.SMTPException when the server
    cannot be reached or refuses the login (then nothing was sent; logged as "failed")."""
    targets = recipients(pending)
    sent: list[str] = []
    failed: list[tuple[str, str]] = []
    error: Exception | None = None
    try:
        if not targets.empty:
            with _connect(config) as client:
                for row in targets.itertuples(index=False):
                    try:
                        client.send_message(_message(config, row, reminder))
                        sent.append(row.unit_code)
                    except (
                        smtplib.SMTPRecipientsRefused,
                        smtplib.SMTPDataError,
                        smtplib.SMTPSenderRefused,
                    ) as exc:
                        failed.append((row.unit_code, type(exc).__name__))
    except (OSError, smtplib.SMTPException) as exc:
        error = exc
    if store is not None:
        store.log_action(
            account,
            kind=REMINDER_KIND,
            outcome="failed" if error is not None else "sent",
            period=reminder.period.name,
            calendar=reminder.calendar,
            units=sent,
            recipients=len(sent),
            failed=[code for code, _ in failed],
            file_name=f"Nhắc nộp số liệu {reminder.period.label}",
            **({"reason": type(error).__name__} if error is not None else {}),
        )
    if error is not None:
        raise error
    return SendResult(tuple(sent), tuple(failed))
