"""The closed period the standing office records in the store (a mixin of `Store`): closures.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cchc_lib.access.accounts import Account
from cchc_lib.publishing.store_base import LOG, DocumentWriter, StoreError, _now

__all__ = ["CLOSURE_KIND", "ClosureCheck", "Closures"]

CLOSURE_KIND = "closure"  # audit entries of a closure or a reopening (not a version kind)
_FIRST, _LAST = date(1900, 1, 1), date(2100, 12, 31)  # the dates the reader accepts


@dataclass(frozen=True)
class ClosureCheck:
    """What a publish re-checks under the lock: the closed day its preview was made against (with the
    `closed_through` setting of then), and how many closed rows or targets the admin confirmed changing
    (written in the audit entry of the version)."""

    setting: date | None
    expected: date | None
    confirmed: int = 0


class Closures(DocumentWriter):
    """Mixin of `Store`: closures.json, {"closed_through": "YYYY-MM-DD" | null, "user", "updated_at"}.

    Present, the record is the closed period whatever the `closed_through` setting says: a date closes
    the periods up to that day, null (a reopening) closes nothing. Absent (never written, or unreadable:
    logged), the setting applies (cchc_lib.publishing.closures.effective_closed_through)."""

    @property
    def _closure_path(self) -> Path:
        return self.root / "closures.json"  # type: ignore[attr-defined]

    def closure_record(self) -> dict[str, Any] | None:
        """{"closed_through": date | None, "user", "updated_at"}, or None when no record is kept."""
        try:
            raw = json.loads(self._read_document(self._closure_path))
            day = raw["closed_through"]
            closed = None if day is None else date.fromisoformat(str(day))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            LOG.warning(
                "Closure record %s unreadable, the closed_through setting applies: %s",
                self._closure_path,
                exc,
            )
            return None
        return {"closed_through": closed, "user": raw.get("user"), "updated_at": raw.get("updated_at")}

    def closed_through(self, setting: date | None = None) -> date | None:
        """The last closed day: the store's record when there is one (None after a reopening), else `setting`."""
        record = self.closure_record()
        return setting if record is None else record["closed_through"]

    def _check_closure_unchanged(self, check: ClosureCheck) -> None:
        """StoreError "closed_changed" when more is closed now than the closed day the preview was checked
        against: the preview must be made again."""
        now = self.closed_through(check.setting)
        if now is not None and (check.expected is None or now > check.expected):
            from cchc_lib.publishing.closures import closed_message

            raise StoreError(
                "closed_changed",
                f"Kỳ khóa sổ đã thay đổi sau khi bạn xem trước. {closed_message(now)} Hãy tải tệp lên lại để "
                "kiểm tra với kỳ khóa sổ mới.",
            )

    def close_through(self, day: date, account: Account | None) -> None:
        """Close every period up to `day` (inclusive), replacing any earlier closure (an earlier day reopens
        what lies after it). Admins only; StoreError "forbidden" / "bad_date" (audit-logged)."""
        self._write_closure(day, account)

    def reopen(self, account: Account | None) -> None:
        """Reopen every period: nothing is closed, whatever the setting says, until the next closure."""
        self._write_closure(None, account)

    def _write_closure(self, day: date | None, account: Account | None) -> None:
        if isinstance(day, datetime):
            day = day.date()
        label = f"Khóa sổ đến hết ngày {day:%d/%m/%Y}" if day else "Mở lại kỳ đã khóa sổ"

        def refuse(exc: StoreError) -> StoreError:
            self.log_refusal(account, kind=CLOSURE_KIND, code=exc.code, message=exc.message, file_name=label)  # type: ignore[attr-defined]
            return exc

        if account is None or not account.is_admin:
            raise refuse(
                StoreError(
                    "forbidden",
                    "Chỉ Văn phòng thường trực CCHC (quản trị viên) mới được khóa sổ hoặc mở lại kỳ đã khóa sổ.",
                )
            )
        if day is not None and (not isinstance(day, date) or not _FIRST <= day <= _LAST):
            raise refuse(StoreError("bad_date", "Ngày khóa sổ phải trong khoảng 01/01/1900–31/12/2100."))
        try:
            with self._locked():  # type: ignore[attr-defined]
                record = self.closure_record()
                before = record["closed_through"] if record else None
                now = _now().isoformat()
                content = {
                    "closed_through": day.isoformat() if day else None,
                    "user": account.name,
                    "updated_at": now,
                }
                self._write_document(
                    self._closure_path,
                    content,
                    {
                        "time": now,
                        "user": account.name,
                        "role": account.role,
                        "kind": CLOSURE_KIND,
                        "closed_through": content["closed_through"],
                        "before": before.isoformat() if before else None,
                        "file_name": label,
                        "version": None,
                        "outcome": "saved",
                    },
                )
        except StoreError as exc:
            if exc.code in ("disk_full", "io_error"):
                refuse(exc)
            raise
