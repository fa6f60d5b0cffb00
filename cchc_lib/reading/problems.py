"""Collecting validation problems (level, code, sheet, row, column, message) as one table."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from .model import PROBLEM_COLUMNS

__all__ = ["MAX_PROBLEMS", "ProblemLog"]

MAX_PROBLEMS = 2000  # beyond this a file is wrong wholesale; listing more helps nobody
Message = str | Callable[[], str]


class ProblemLog:
    """Accumulates problems in reading order; `frame()` returns them as a DataFrame."""

    def __init__(self) -> None:
        self._rows: list[tuple[str, str, str | None, int | None, str | None, str]] = []
        self._dropped = 0
        self.has_errors = False

    def add(
        self, level: str, code: str, sheet: str | None, row: int | None, column: str | None, message: Message
    ) -> None:
        """Record one problem; a callable `message` (one with a costly suggestion) is called only when
        the problem is listed, never past MAX_PROBLEMS."""
        if level == "error":
            self.has_errors = True
        if len(self._rows) >= MAX_PROBLEMS:
            self._dropped += 1
            return
        self._rows.append(
            (level, code, sheet, row, column, message if isinstance(message, str) else message())
        )

    def error(
        self, code: str, sheet: str | None, row: int | None, column: str | None, message: Message
    ) -> None:
        self.add("error", code, sheet, row, column, message)

    def warning(
        self, code: str, sheet: str | None, row: int | None, column: str | None, message: Message
    ) -> None:
        self.add("warning", code, sheet, row, column, message)

    def frame(self) -> pd.DataFrame:
        rows = list(self._rows)
        if self._dropped:
            rows.append(
                (
                    "error" if self.has_errors else "warning",
                    "too_many_problems",
                    None,
                    None,
                    None,
                    f"Còn {self._dropped} vấn đề khác không được liệt kê. Hãy sửa các lỗi trên rồi kiểm tra lại.",
                )
            )
        frame = pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
        frame["row"] = frame["row"].astype("Int64")
        return frame
