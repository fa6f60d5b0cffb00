"""Text in the files we write shows as typed and is never run as a formula.

openpyxl makes a formula (data_type "f") of any text longer than one character starting with "=" the
moment it is assigned to a cell. A cell typed "s" is written as a string, which Excel and LibreOffice
show exactly as it is and never evaluate, whatever it starts with (= + - @ tab CR LF): so in .xlsx
every text goes in through `put` (a cell of a worksheet) or `cell` (a value for `ws.append`, also on
write-only sheets), unchanged. CSV has no cell types: there a text starting with FORMULA_PREFIXES gets a
leading apostrophe (`for_csv`, OWASP's advice for formula injection).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from openpyxl.cell.cell import Cell

__all__ = ["FORMULA_PREFIXES", "cell", "for_csv", "put", "value_of", "write"]

# A CSV cell starting with one of these is read by spreadsheet programs as a formula (or DDE command).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def put(target: Any, value: Any) -> Any:
    """`target.value = value` with a text kept as text (data_type "s"); returns `target`."""
    target.value = value
    if isinstance(value, str):
        target.data_type = "s"
    return target


def write(ws: Any, row: int, column: int, value: Any) -> Any:
    """`ws.cell(row, column, value)` with a text kept as text; returns the cell."""
    return put(ws.cell(row=row, column=column), value)


def cell(ws: Any, value: Any) -> Any:
    """`value` as `ws.append` should get it: a text openpyxl would turn into a formula as a string cell of
    `ws` (write-only sheets too), anything else unchanged (openpyxl already writes it as it is)."""
    if isinstance(value, str) and value.startswith("="):
        return put(Cell(ws, row=1, column=1), value)  # placed by append
    return value


def for_csv(value: Any) -> Any:
    """A text starting with one of FORMULA_PREFIXES with a leading "'"; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def value_of(value: Any) -> Any:
    """A table value as a cell takes it: blank (None, NaN, NaT, pd.NA) -> None, Timestamp -> datetime,
    a numpy scalar -> its Python value, anything else unchanged."""
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):  # a list or another value without one truth value
        pass
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):
        return value.item()
    return value
