"""The frame's context line under the title: period, dates and the chosen units, made inert for markdown."""

from __future__ import annotations

import pandas as pd

from cchc_lib.common.periods import CALENDAR, Period
from cchc_lib.common.settings import Settings
from cchc_lib.web.frame import _context_line

UNITS = pd.DataFrame(
    {
        "unit_code": ["A", "B"],
        "unit_name": ["Phòng **Nội vụ** [bấm](http://x.example)", "Xã Cẩm Bình"],
        "unit_type": ["Phòng chuyên môn", "UBND xã, thị trấn"],
    }
)


def test_unit_names_from_the_file_cannot_add_markdown() -> None:
    line = _context_line(Settings(), Period(2024, "Q1"), CALENDAR, ((), ("A", "B")), UNITS)
    assert line == (
        "**Quý I năm 2024** (01/01/2024 – 31/03/2024) · "
        r"Phòng \*\*Nội vụ\*\* \[bấm\]\(http\://x\.example\), Xã Cẩm Bình"
    )


def test_without_unit_filter_the_line_says_all_units() -> None:
    line = _context_line(Settings(), Period(2024, ""), CALENDAR, ((), ()), UNITS)
    assert line == "**Năm 2024** (01/01/2024 – 31/12/2024) · Tất cả đơn vị"
