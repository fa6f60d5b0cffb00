"""Property test (hypothesis): for any small workbook, every report sentence reads back true.

Random units (some merged into a successor on 01/07/2024), targets of 2023 and 2024, activities over
both years with the sample's channel texts or none, optional initiatives and funding; any period
and calendar. The same independent checks as the sample's read-back test apply to every sentence.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_lib.common.periods import parse_period
from cchc_lib.common.settings import Settings
from cchc_lib.documents.report_content import MAX_NAMES, PLACEHOLDER_PREFIX, build_content
from cchc_lib.reading.model import Workbook
from tests.test_report_content import AS_OF, SAMPLE_CHANNEL_GROUPS, SPAN, Truth, check_fact, check_text

TYPES = pd.DataFrame(
    {
        "type_code": ["TIN_BAI", "PHONG_SU"],
        "type_name": ["Tin, bài", "Phóng sự"],
        "measure": ["tin, bài", None],
    }
)
CHANNELS = [None, "", *SAMPLE_CHANNEL_GROUPS]
PERIODS = [
    "2024-Q1",
    "2024-Q2",
    "2024-Q3",
    "2024-Q4",
    "2024-H1",
    "2024-H2",
    "2024-9M",
    "2024",
    "2023",
    "2025-Q1",
]
STATUSES = ["Đề xuất", "Đang áp dụng", "Đã nhân rộng", None]


@st.composite
def workbooks(draw: st.DrawFn) -> Workbook:
    n = draw(st.integers(min_value=1, max_value=8))
    codes = [f"U{i}" for i in range(n)]
    merged = n >= 3 and draw(st.booleans())
    rows = []
    for i, code in enumerate(codes):
        start = end = successor = None
        if merged and i < 2:
            end, successor = pd.Timestamp(2024, 6, 30), "U2"
        if merged and i == 2:
            start = pd.Timestamp(2024, 7, 1)
        rows.append(
            {
                "unit_code": code,
                "unit_name": f"Đơn vị {chr(65 + i)}",
                "unit_type": "UBND xã, thị trấn",
                "portal_url": None,
                "contact": None,
                "valid_from": start if start is not None else pd.NaT,
                "valid_to": end if end is not None else pd.NaT,
                "successor_code": successor,
            }
        )
    units = pd.DataFrame(rows)
    target_rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from([2023, 2024]),
                st.sampled_from([None, 1, 2, 3, 4]),
                st.sampled_from(codes),
                st.sampled_from(list(TYPES["type_code"])),
                st.integers(min_value=0, max_value=9),
            ),
            max_size=12,
        )
    )
    targets = pd.DataFrame(
        {
            "year": pd.Series([r[0] for r in target_rows], dtype="int64"),
            "quarter": pd.array([r[1] for r in target_rows], dtype="Int64"),
            "unit_code": pd.Series([r[2] for r in target_rows], dtype="object"),
            "type_code": pd.Series([r[3] for r in target_rows], dtype="object"),
            "target": pd.Series([r[4] for r in target_rows], dtype="int64"),
        }
    )
    act_rows = draw(
        st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=760),
                st.sampled_from(codes),
                st.sampled_from(list(TYPES["type_code"])),
                st.integers(min_value=1, max_value=5),
                st.sampled_from(CHANNELS),
            ),
            max_size=25,
        )
    )
    activities = pd.DataFrame(
        {
            "date": pd.to_datetime([date(2022, 12, 1) + timedelta(days=r[0]) for r in act_rows]),
            "unit_code": pd.Series([r[1] for r in act_rows], dtype="object"),
            "type_code": pd.Series([r[2] for r in act_rows], dtype="object"),
            "quantity": pd.Series([r[3] for r in act_rows], dtype="int64"),
            "title": pd.Series(["Tin"] * len(act_rows), dtype="object"),
            "channel": pd.Series([r[4] for r in act_rows], dtype="object"),
            "reform_area": pd.Series(["Cải cách TTHC"] * len(act_rows), dtype="object"),
            "link": pd.Series([None] * len(act_rows), dtype="object"),
            "note": pd.Series([None] * len(act_rows), dtype="object"),
            "row": list(range(2, 2 + len(act_rows))),
        }
    )
    initiatives = None
    if draw(st.booleans()):
        statuses = draw(st.lists(st.sampled_from(STATUSES), max_size=7))
        initiatives = pd.DataFrame(
            {
                "year": [2024] * len(statuses),
                "unit_code": [codes[0]] * len(statuses),
                "name": [f"Sáng kiến {i}" for i in range(len(statuses))],
                "reform_area": [None] * len(statuses),
                "status": pd.Series(statuses, dtype="object"),
                "result": [None] * len(statuses),
            }
        )
    funding = None
    if draw(st.booleans()):
        funding = pd.DataFrame(
            {
                "year": [2024] * n,
                "unit_code": codes,
                "allocated": [draw(st.integers(0, 9)) * 1_000_000 for _ in codes],
                "spent": pd.array([draw(st.sampled_from([None, 0, 500_000])) for _ in codes], dtype="Int64"),
                "note": [None] * n,
            }
        )
    return Workbook(
        units=units,
        activity_types=TYPES,
        targets=targets,
        activities=activities,
        initiatives=initiatives,
        funding=funding,
    )


@settings(deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(wb=workbooks(), name=st.sampled_from(PERIODS), calendar=st.sampled_from(["calendar", "report"]))
def test_every_sentence_of_any_workbook_reads_back(wb: Workbook, name: str, calendar: str) -> None:
    s = Settings()
    content = build_content(wb, parse_period(name), calendar, s, as_of=AS_OF)
    truth = Truth(wb, name, calendar, s)
    for section in content.sections:
        assert (
            bool([p for p in section.paragraphs if p.startswith(PLACEHOLDER_PREFIX)]) == section.placeholder
        )
        for sentence in section.sentences:
            for key, value in sentence.facts.items():
                check_fact(truth, key, value, sentence.facts, section.key)
            check_text(sentence, truth)
            assert len(sentence.facts.get("names", ())) <= MAX_NAMES
    body = "\n".join(p for sec in content.sections for p in sec.paragraphs)
    if SPAN[truth.kind] != "quý":
        assert "trong quý" not in body.lower()
    assert "duy trì" not in body
    for a, b in re.findall(r"(\d[\d.]*(?:,\d+)?)/(\d[\d.]*(?:,\d+)?)", body):
        assert "," not in a and "," not in b
