"""Plausibility limits of counted cells (workbook.md, *giới hạn hợp lý*): a quantity, target or amount above
its setting is a slip (10^15 typed for 15), an error naming the cell, never counted."""

from __future__ import annotations

from dataclasses import dataclass

from ..common.settings import Settings
from .schema import MONEY, QUANTITY, TARGET

__all__ = ["Limit", "limits", "implausible_message"]


@dataclass(frozen=True)
class Limit:
    """The largest plausible value of one cell of a kind, and the setting that holds it."""

    value: int
    setting: str
    what: str  # "Số lượng", "Chỉ tiêu", "Số tiền"
    scope: str  # what one cell stands for
    unit: str = ""  # printed after the numbers ("đ" for amounts)


def limits(settings: Settings) -> dict[str, Limit]:
    """{cell kind: Limit} of the checks that are on (a setting of 0 or less turns its check off)."""
    out = {
        QUANTITY: Limit(
            settings.max_activity_quantity, "max_activity_quantity", "Số lượng", "cho một dòng hoạt động"
        ),
        TARGET: Limit(
            settings.max_target_quantity,
            "max_target_quantity",
            "Chỉ tiêu",
            "cho một đơn vị và một loại hoạt động",
        ),
        MONEY: Limit(settings.max_funding_vnd, "max_funding_vnd", "Số tiền", "cho một ô kinh phí", " đ"),
    }
    return {kind: limit for kind, limit in out.items() if int(limit.value) > 0}


def _grouped(number: int) -> str:
    """1000000 -> "1.000.000" (formatting.fmt_int without importing pandas' Styler into the parser)."""
    return f"{number:,}".replace(",", ".")


def implausible_message(limit: Limit, value: int, cell: str) -> str:
    """ "Ô D12: Số lượng 1.000.000.000.000.000 vượt mức hợp lý 1.000 cho một dòng hoạt động. …" """
    advice = (
        "Hãy kiểm tra lại ô (gõ thừa chữ số?) hoặc tách thành nhiều dòng"
        if limit.setting == "max_activity_quantity"
        else "Hãy kiểm tra lại ô (gõ thừa chữ số?)"
    )
    return (
        f"Ô {cell}: {limit.what} {_grouped(value)}{limit.unit} vượt mức hợp lý {_grouped(limit.value)}{limit.unit} "
        f"{limit.scope}. {advice}; nếu số này đúng, quản trị viên có thể nâng giới hạn {limit.setting} "
        "trong tệp cài đặt."
    )
