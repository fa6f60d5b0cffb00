"""A unit's column mapping (its own headers -> the format's fields), kept in the store (a mixin of `Store`)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cchc_lib.access.accounts import Account
from cchc_lib.publishing.store_base import _TEXT_CONTROL, LOG, DocumentWriter, StoreError, _now, _sha256

__all__ = ["COLUMN_MAPPING_KIND", "WHOLE_BOOK", "ColumnMappings"]

COLUMN_MAPPING_KIND = "column_mapping"  # audit entries of saved column mappings (not a version kind)
WHOLE_BOOK = "*"  # the key of the column mapping kept for whole-workbook uploads ("toàn bộ sổ")
_SAFE_KEY = re.compile(r"^[A-Z0-9][A-Z0-9_.\-]{0,79}$")  # a unit code usable as a file name


class ColumnMappings(DocumentWriter):
    """Mixin of `Store`: column_mappings/<unit code>.json (see the layout in cchc_lib.publishing.store)."""

    def _mapping_path(self, key: str) -> Path:
        """column_mappings/<key>.json: the unit code as the file name (a hash for a code that is not a safe
        file name), `_toan_bo_so` for the whole workbook."""
        if key == WHOLE_BOOK:
            name = "_toan_bo_so"
        else:
            name = key if _SAFE_KEY.match(key) else "unit-" + _sha256(key.encode("utf-8"))[:16]
        return self.root / "column_mappings" / f"{name}.json"

    @staticmethod
    def _mapping_key(key: object) -> str:
        text = str(key or "").strip()
        if text == WHOLE_BOOK:
            return WHOLE_BOOK
        text = unicodedata.normalize("NFC", text).upper()
        if not text or len(text) > 80 or _TEXT_CONTROL.search(text):
            raise StoreError("bad_key", "Mã đơn vị của cách ghép cột không hợp lệ.")
        return text

    def column_mapping_record(self, key: str) -> dict[str, Any] | None:
        """The saved mapping of `key` (a unit code, or WHOLE_BOOK) as {"mapping", "user", "updated_at"},
        checked against the format; None when none is saved or the file is unreadable (logged)."""
        from cchc_lib.reading.column_mapping import MappingError, validate_mapping

        try:
            key = self._mapping_key(key)
        except StoreError:
            return None
        path = self._mapping_path(key)
        try:
            raw = json.loads(self._read_document(path))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            LOG.warning("Column mapping %s unreadable, ignored: %s", path, exc)
            return None
        if not isinstance(raw, dict) or raw.get("key") != key:
            LOG.warning("Column mapping %s does not belong to %s, ignored", path, key)
            return None
        try:
            mapping = validate_mapping(raw.get("mapping"))
        except MappingError as exc:
            LOG.warning("Column mapping %s invalid, ignored: %s", path, exc.message)
            return None
        if not mapping:
            return None
        return {"mapping": mapping, "user": raw.get("user"), "updated_at": raw.get("updated_at")}

    def column_mapping(self, key: str) -> dict[str, dict[str, str]] | None:
        """The saved column mapping ({sheet: {file header: field}}) of a unit code or WHOLE_BOOK, or None."""
        record = self.column_mapping_record(key)
        return record["mapping"] if record else None

    def check_mapping_permission(self, account: Account | None, key: str) -> None:
        """Raise StoreError("forbidden") unless `account` may keep a mapping under `key`: a unit account
        for its own unit, an admin for any unit and for the whole workbook."""
        if account is None or account.role not in ("unit", "admin"):
            raise StoreError("forbidden", "Tài khoản của bạn chỉ được xem, không được lưu cách ghép cột.")
        if account.role == "admin":
            return
        own = (account.unit_code or "").strip().upper()
        if key == WHOLE_BOOK or key != own:
            which = "của toàn bộ sổ" if key == WHOLE_BOOK else f"của đơn vị {key}"
            raise StoreError(
                "forbidden",
                f"Tài khoản đơn vị chỉ được lưu cách ghép cột của đơn vị mình ({own}), không phải {which}.",
            )

    def save_column_mapping(
        self, key: str, mapping: Mapping[str, Mapping[str, str]] | None, account: Account | None
    ) -> None:
        """Keep `mapping` ({sheet: {file header: field}}, validated) as the column mapping of `key` (a unit
        code, or WHOLE_BOOK), replacing what was saved; None or an empty mapping forgets it. Written
        atomically under the lock; one audit entry per save or removal that changes something. StoreError
        "forbidden" (audit-logged) / "bad_mapping" / "bad_key"."""
        from cchc_lib.reading.column_mapping import MappingError, validate_mapping

        label = "Cách ghép cột " + ("toàn bộ sổ" if str(key).strip() == WHOLE_BOOK else f"đơn vị {key}")

        def refuse(exc: StoreError) -> None:
            self.log_refusal(
                account,
                kind=COLUMN_MAPPING_KIND,
                code=exc.code,
                message=exc.message,
                file_name=label,
                extra={"key": str(key)[:80]},
            )

        try:
            key = self._mapping_key(key)
            self.check_mapping_permission(account, key)
            try:
                cleaned = validate_mapping(mapping) if mapping else {}
            except MappingError as exc:
                raise StoreError("bad_mapping", exc.message) from exc
        except StoreError as exc:
            refuse(exc)
            raise
        assert account is not None
        path = self._mapping_path(key)
        try:
            with self._locked():
                before = self.column_mapping(key) or {}
                if before == cleaned:
                    return
                now = _now().isoformat()
                content = {"key": key, "mapping": cleaned, "updated_at": now, "user": account.name}
                self._write_document(
                    path,
                    content if cleaned else None,
                    {
                        "time": now,
                        "user": account.name,
                        "role": account.role,
                        "kind": COLUMN_MAPPING_KIND,
                        "key": key,
                        "unit_code": None if key == WHOLE_BOOK else key,
                        "mapping": cleaned,
                        "file_name": label,
                        "version": None,
                        "removed": not cleaned,  # forgotten: the unit's next file is asked again
                        "outcome": "saved",
                    },
                )
        except StoreError as exc:
            if exc.code in ("disk_full", "io_error"):
                refuse(exc)
            raise
