"""Units' own files as they arrive by e-mail, built from the sample (its one unit, its targets, new rows)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from cchc_lib.sample.builder import build_xlsx
from cchc_lib.sample.sample_data import sample_spec

__all__ = ["keyed", "new_rows", "unit_file"]


def new_rows(unit: str, n: int, day: date, title: str = "Tin") -> list[dict]:
    """`n` rows of `unit` dated `day`: TIN_BAI, 2 items each, titles "<title> <unit> 1".."<title> <unit> n"."""
    return [
        {
            "Ngày": day,
            "Mã đơn vị": unit,
            "Loại hoạt động": "TIN_BAI",
            "Số lượng": 2,
            "Tiêu đề": f"{title} {unit} {i}",
        }
        for i in range(1, n + 1)
    ]


def unit_file(unit: str, rows: list[dict]) -> bytes:
    """The sample's format for one unit: that unit only in Đơn vị, its targets, `rows` in Hoạt động."""
    spec = sample_spec()
    return build_xlsx(
        replace(
            spec,
            units=[u for u in spec.units if u["Mã đơn vị"] == unit],
            targets=[t for t in spec.targets if t["Mã đơn vị"] == unit],
            activities=rows,
            portal_reviews=None,
            funding=None,
            initiatives=None,
            directives=None,
        )
    )


def keyed(activities) -> list[tuple[str, ...]]:
    """Activity rows (a Workbook's `activities`) without their Excel row number, as sorted texts:
    (date yyyy-mm-dd, unit, type, quantity or "", title)."""
    return sorted(
        (
            str(r.date)[:10],
            r.unit_code,
            r.type_code,
            "" if r.quantity != r.quantity else str(int(r.quantity)),
            str(r.title),
        )
        for r in activities.itertuples(index=False)
    )
