"""Property: whatever values people type into the cells, reading never raises; it returns problems.

Each sheet of the format gets its header row and 0-4 rows of values drawn from what real files hold:
blanks, spaces, numbers of every sign and size, booleans, dates and datetimes, text dates (valid and
impossible), formulas as text, NFD and NBSP text, very long text. The reader must return a ReadResult
whose problems are well-formed rows, and a workbook exactly when there is no error.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_lib.common.settings import Settings
from cchc_lib.reading import schema
from cchc_lib.reading.model import PROBLEM_COLUMNS
from cchc_lib.reading.workbook import read_workbook
from tests.xlsx import make_xlsx

# Every sheet of the format with every column it knows (plus two activity-type columns in Kế hoạch).
HEADERS = {
    sheet.name: [c.header for c in sheet.columns]
    + (["TIN_BAI", "PHONG_SU"] if sheet.name == "Kế hoạch" else [])
    for sheet in schema.SHEETS
}
REQUIRED = {"Đơn vị", "Kế hoạch", "Hoạt động"}
VALUES = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "",
            " ",
            "\u00a0",
            "XCB",
            "xcb ",
            "Xã Cẩm Bình",
            unicodedata.normalize("NFD", "Xã Cẩm Bình"),
            "UBND xã, thị trấn",
            "TIN_BAI",
            "Tin, bài",
            "Phóng sự",
            "31/02/2024",
            "05/03/2024",
            "2024-03-05",
            "5.3.2024",
            "=SUM(A1:A3)",
            "+84 912",
            "@user",
            "Tổng cộng",
            "x" * 5000,
            "1.234,5",
            "-0",
            "NaN",
            "inf",
            "1e308",
        ]
    ),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.dates(date(1900, 3, 1), date(9999, 12, 31)),
    st.datetimes(datetime(1900, 3, 1), datetime(9999, 12, 31)),
)


@st.composite
def workbooks(draw: st.DrawFn) -> bytes:
    sheets: dict[str, list[list[object]]] = {}
    for name, headers in HEADERS.items():
        if name not in REQUIRED and draw(st.booleans()):
            continue  # the optional sheets are sometimes absent
        rows = draw(st.lists(st.lists(VALUES, min_size=len(headers), max_size=len(headers)), max_size=4))
        sheets[name] = [headers, *rows]
    return make_xlsx(sheets)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workbooks())
def test_any_cell_values_give_problems_never_an_exception(data: bytes) -> None:
    result = read_workbook(data, Settings())
    problems = result.problems
    assert list(problems.columns) == PROBLEM_COLUMNS
    assert set(problems["level"]) <= {"error", "warning"}
    assert problems["message"].map(lambda m: isinstance(m, str) and len(m) > 0).all()
    has_errors = bool((problems["level"] == "error").any())
    assert (result.workbook is None) == has_errors
