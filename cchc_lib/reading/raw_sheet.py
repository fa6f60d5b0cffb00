"""One sheet after header detection and cell parsing, before cross-sheet references are resolved: what
`workbook` hands to `resolve`."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .schema import SheetSpec

__all__ = ["RawSheet"]


@dataclass
class RawSheet:
    """One sheet after header detection and cell parsing, before cross-sheet references are resolved.

    `frame` has one column per matched field (parsed values; None where blank) plus `row`
    (Excel row number); `headers` maps field -> header text as written (Kế hoạch type columns
    as `type:<CODE>`); `type_columns` maps type code -> header as written.
    """

    spec: SheetSpec
    name: str
    frame: pd.DataFrame
    headers: dict[str, str]
    type_columns: dict[str, str] = field(default_factory=dict)
