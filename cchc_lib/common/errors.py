"""The base of every refusal the user reads: a stable `code` for programs, a Vietnamese `message`."""

from __future__ import annotations

__all__ = ["UserError"]


class UserError(Exception):
    """A refused or failed operation explained to the user (message in Vietnamese, says what to do)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message
