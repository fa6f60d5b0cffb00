"""The report's registry number as printed after "Số:" (the Báo cáo page and the `report` command)."""

from __future__ import annotations

import re

__all__ = ["NUMBER_MAX_CHARS", "ReportNumberError", "parse_report_number"]

NUMBER_MAX_CHARS = 20
_NUMBER_RE = re.compile(r"^[0-9A-Za-zÀ-ỹĐđ./-]+$")


class ReportNumberError(ValueError):
    """A registry number the report cannot print (message in Vietnamese, says what to do)."""


def parse_report_number(text: str) -> str:
    """The registry number as printed after "Số:" (digits, letters, '.', '/', '-'; at most 20 characters)."""
    number = text.strip()
    if not number or len(number) > NUMBER_MAX_CHARS or not _NUMBER_RE.match(number):
        raise ReportNumberError(
            f"Số báo cáo '{text}' không hợp lệ: chỉ gồm chữ số, chữ cái, dấu '.', '/', '-' "
            f"(tối đa {NUMBER_MAX_CHARS} ký tự), ví dụ 45."
        )
    return number
