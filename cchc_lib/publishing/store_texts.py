"""The clerk's own report texts per period and calendar, kept in the store (a mixin of `Store`)."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from cchc_lib.access.accounts import Account
from cchc_lib.common.formatting import fmt_int
from cchc_lib.publishing.store_base import _TEXT_CONTROL, LOG, DocumentWriter, StoreError, _now

__all__ = ["REPORT_TEXT_MAX_CHARS", "REPORT_TEXTS_KIND", "ReportTexts", "clean_report_text", "text_digest"]

REPORT_TEXTS_KIND = "report_texts"  # audit entries of saved report texts (not a version kind)
REPORT_TEXT_MAX_CHARS = 20_000  # one section's text; a whole quarterly report is ~15,000 characters


def clean_report_text(value: object) -> str:
    """A clerk's text made safe to keep: NFC, line breaks as "\\n", tabs and no-break spaces as spaces,
    control and invisible characters removed, trailing spaces of each line and blank edges dropped."""
    text = unicodedata.normalize("NFC", str(value))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2007", " ")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    text = _TEXT_CONTROL.sub("", text)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n").strip()


def text_digest(text: str) -> str:
    """A short fingerprint of a report text (after clean_report_text), to tell whether it changed."""
    return hashlib.sha256(clean_report_text(text).encode("utf-8")).hexdigest()[:16]


def _texts_label(period_name: str, calendar: str) -> str:
    """What the history page shows in the audit's file column: "Nội dung báo cáo Quý I năm 2024 (lịch báo cáo)"."""
    from cchc_lib.common.periods import REPORT, parse_period

    which = "lịch chốt số liệu báo cáo" if calendar == REPORT else "quý dương lịch"
    return f"Nội dung báo cáo {parse_period(period_name).label} ({which})"


def _editable_keys() -> tuple[str, ...]:
    """The section keys a clerk may rewrite (report_content.EDITABLE_KEYS), in report order."""
    from cchc_lib.documents.report_content import EDITABLE_KEYS

    return tuple(EDITABLE_KEYS)


class ReportTexts(DocumentWriter):
    """Mixin of `Store`: report_texts/<calendar>/<period>.json (see the layout in cchc_lib.publishing.store)."""

    def _texts_path(self, period_name: str, calendar: str) -> Path:
        """report_texts/<calendar>/<period>.json; StoreError "bad_period" for a name that is not a period."""
        from cchc_lib.common.periods import CALENDARS, PeriodError, parse_period

        try:
            name = parse_period(period_name).name
        except PeriodError as exc:
            raise StoreError("bad_period", str(exc)) from exc
        if calendar not in CALENDARS:
            raise StoreError("bad_period", f"Lịch không hợp lệ: {calendar!r} (chọn calendar hoặc report).")
        return self.root / "report_texts" / calendar / f"{name}.json"

    def _texts_record(self, period_name: str, calendar: str) -> dict[str, Any]:
        """The texts file of the period as {"texts": {...}, "basis": {...}, "user", "updated_at"}, checked:
        {} when absent, damaged, unreadable or naming another period (a warning is logged)."""
        path = self._texts_path(period_name, calendar)
        name = path.stem
        try:
            raw = json.loads(self._read_document(path))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            LOG.warning("Report texts %s unreadable, ignored: %s", path, exc)
            return {}
        if not isinstance(raw, dict) or raw.get("period") != name or raw.get("calendar") != calendar:
            LOG.warning("Report texts %s do not belong to %s (%s), ignored", path, name, calendar)
            return {}
        texts = raw.get("texts")
        if not isinstance(texts, dict):
            LOG.warning("Report texts %s hold no texts, ignored", path)
            return {}
        known = _editable_keys()
        kept = {k: clean_report_text(texts[k]) for k in known if isinstance(texts.get(k), str)}
        dropped = sorted(set(texts) - set(kept))
        if dropped:
            LOG.warning("Report texts %s: entries %s ignored (unknown keys or not text)", path, dropped)
        kept = {k: v[:REPORT_TEXT_MAX_CHARS] for k, v in kept.items() if v}
        basis = raw.get("basis") if isinstance(raw.get("basis"), dict) else {}
        return {
            "texts": kept,
            "basis": {k: str(v) for k, v in basis.items() if k in kept and isinstance(v, str)},
            "user": raw.get("user") if isinstance(raw.get("user"), str) else None,
            "updated_at": raw.get("updated_at") if isinstance(raw.get("updated_at"), str) else None,
        }

    def report_texts(self, period_name: str, calendar: str) -> dict[str, str]:
        """The clerk's saved texts of the report of `period_name` under `calendar`: {section key: text},
        {} when none were saved. A damaged or unreadable file, or one naming another period, counts as
        none (a warning is logged); keys that are no longer section keys are left out."""
        return dict(self._texts_record(period_name, calendar).get("texts", {}))

    def report_texts_basis(self, period_name: str, calendar: str) -> dict[str, str]:
        """{section key: text_digest of the generated text the clerk's text was saved against} for the
        saved texts whose save named it (see save_report_texts `basis`)."""
        return dict(self._texts_record(period_name, calendar).get("basis", {}))

    def report_texts_saved_by(self, period_name: str, calendar: str) -> tuple[str | None, datetime | None]:
        """Who saved the report texts last and when (None, None when none are saved)."""
        record = self._texts_record(period_name, calendar)
        when = record.get("updated_at")
        try:
            stamp = datetime.fromisoformat(when) if when else None
        except ValueError:
            stamp = None
        return record.get("user"), stamp

    def check_texts_permission(self, account: Account | None) -> None:
        """Raise StoreError("forbidden") unless `account` may save report texts (admins: the standing office)."""
        if account is None or account.role != "admin":
            raise StoreError(
                "forbidden",
                "Chỉ quản trị viên (cơ quan thường trực) mới được sửa và lưu nội dung báo cáo.",
            )

    def _clean_texts(self, texts: Mapping[str, str]) -> dict[str, str]:
        if not isinstance(texts, Mapping):
            raise StoreError("bad_texts", "Nội dung báo cáo phải là các cặp mục – nội dung.")
        known = _editable_keys()
        unknown = [str(k) for k in texts if k not in known]
        if unknown:
            raise StoreError(
                "bad_key",
                f"Mục báo cáo không có: {', '.join(unknown)}. Các mục sửa được: {', '.join(known)}.",
            )
        cleaned: dict[str, str] = {}
        for key in known:
            if key not in texts or texts[key] is None:
                continue
            if not isinstance(texts[key], str):
                raise StoreError("bad_texts", f"Nội dung mục {key} phải là văn bản.")
            text = clean_report_text(texts[key])
            if len(text) > REPORT_TEXT_MAX_CHARS:
                raise StoreError(
                    "too_long",
                    f"Nội dung mục {key} dài {fmt_int(len(text))} ký tự, vượt giới hạn "
                    f"{fmt_int(REPORT_TEXT_MAX_CHARS)} ký tự. Hãy rút gọn rồi lưu lại.",
                )
            if text:  # an emptied text area means: back to the generated text
                cleaned[key] = text
        return cleaned

    def save_report_texts(
        self,
        period_name: str,
        calendar: str,
        texts: Mapping[str, str],
        account: Account | None,
        *,
        basis: Mapping[str, str] | None = None,
        expected: Mapping[str, str] | None = None,
    ) -> None:
        """Keep `texts` ({section key: the clerk's text}) as the report texts of `period_name` under
        `calendar`, replacing what was saved: a key left out (or an empty text) goes back to the generated
        text. Admins only (StoreError "forbidden", audit-logged); StoreError "bad_key" / "too_long" /
        "bad_texts" / "bad_period" for what cannot be kept. One audit entry per save that changes
        something, naming the account, period, calendar, the keys changed and the keys reset.
        `basis` ({section key: the generated text the clerk edited}) is kept as a digest for the keys
        given, so that the page can say when the figures changed after the save; a key not in `basis`
        keeps its earlier digest while its text is unchanged. With `expected` (the saved texts the clerk
        started from) the save is refused (StoreError "stale", audit-logged) when someone else saved other
        texts in the meantime, checked under the lock."""
        kind_info = {"period": str(period_name), "calendar": str(calendar)}
        try:
            label = _texts_label(str(period_name), str(calendar))
        except ValueError:  # not a period: refused below
            label = str(period_name)[:40]

        def refuse(exc: StoreError) -> None:
            self.log_refusal(
                account,
                kind=REPORT_TEXTS_KIND,
                code=exc.code,
                message=exc.message,
                file_name=label,
                extra=kind_info,
            )

        try:
            self.check_texts_permission(account)
            path = self._texts_path(period_name, calendar)
            cleaned = self._clean_texts(texts)
        except StoreError as exc:
            refuse(exc)
            raise
        assert account is not None
        try:
            with self._locked():
                record = self._texts_record(period_name, calendar)
                before, old_basis = record.get("texts", {}), record.get("basis", {})
                if expected is not None and before != {
                    k: clean_report_text(v) for k, v in expected.items() if clean_report_text(v)
                }:
                    who = record.get("user") or "người khác"
                    raise StoreError(
                        "stale",
                        f"Nội dung báo cáo kỳ này vừa được {who} lưu sau khi bạn mở trang; "
                        "nội dung của bạn chưa được lưu.",
                    )
                changed = sorted(k for k, v in cleaned.items() if before.get(k) != v)
                reset = sorted(k for k in before if k not in cleaned)
                digests = {}
                for key in cleaned:
                    if basis is not None and isinstance(basis.get(key), str):
                        digests[key] = text_digest(basis[key])
                    elif key not in changed and key in old_basis:
                        digests[key] = old_basis[key]
                if not changed and not reset and digests == old_basis:
                    return
                now = _now().isoformat()
                content = {
                    "period": path.stem,
                    "calendar": calendar,
                    "texts": cleaned,
                    "basis": digests,
                    "updated_at": now,
                    "user": account.name,
                }
                self._write_document(
                    path,
                    content,
                    {
                        "time": now,
                        "user": account.name,
                        "role": account.role,
                        "kind": REPORT_TEXTS_KIND,
                        "period": path.stem,
                        "calendar": calendar,
                        "changed": changed,
                        "reset": reset,
                        "file_name": label,
                        "version": None,
                        "outcome": "saved",
                    },
                )
        except StoreError as exc:
            if exc.code in ("disk_full", "io_error", "stale"):
                refuse(exc)
            raise
