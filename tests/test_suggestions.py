"""Closest-name suggestions are cheap and capped with the problems (issue 15): difflib's answers exactly,
each distinct unknown value compared once, none compared past problems.MAX_PROBLEMS."""

from __future__ import annotations

import difflib
import random
from datetime import date, timedelta

import pytest

from cchc_lib.common.settings import Settings
from cchc_lib.common.text import Suggestions, loose_key
from cchc_lib.reading.problems import MAX_PROBLEMS
from cchc_lib.reading.workbook import read_workbook
from cchc_lib.sample.builder import WorkbookSpec, build_xlsx

UNITS = [
    {"Mã đơn vị": f"DV{i:03d}", "Tên đơn vị": f"UBND xã Cẩm Thịnh {i}", "Loại đơn vị": "UBND xã, thị trấn"}
    for i in range(300)
]
TARGETS = [{"Năm": 2024, "Quý": None, "Mã đơn vị": "DV000", "TIN_BAI": 1}]


def activities(codes: list[str]) -> list[dict[str, object]]:
    first = date(2024, 1, 1)
    return [
        {"Ngày": first + timedelta(days=i % 360), "Mã đơn vị": code, "Loại hoạt động": "TIN_BAI"}
        for i, code in enumerate(codes)
    ]


@pytest.fixture
def comparisons(monkeypatch) -> list[str]:
    """The values difflib is asked to compare (SequenceMatcher.set_seq2: once per get_close_matches,
    after the constructor's empty one)."""
    seen: list[str] = []
    original = difflib.SequenceMatcher.set_seq2

    def counted(self, b):
        if b:
            seen.append(b)
        return original(self, b)

    monkeypatch.setattr(difflib.SequenceMatcher, "set_seq2", counted)
    return seen


def test_answers_are_difflibs_own() -> None:
    """The same candidate as get_close_matches over the loose keys (the last candidate of a key stands for
    it), also with one candidate left out, on random short texts with diacritics and punctuation."""
    rng = random.Random(15)
    letters = "abcdđxyăâô ơ_-12ÁÃ"
    for _ in range(200):
        candidates = ["".join(rng.choices(letters, k=rng.randint(0, 10))) for _ in range(rng.randint(0, 30))]
        suggestions = Suggestions(candidates)
        options = [c for c in dict.fromkeys(candidates) if c]
        for _ in range(10):
            value = "".join(rng.choices(letters, k=rng.randint(0, 10)))
            left_out = rng.choice(options) if options else None
            for exclude in (None, left_out):
                keyed = {loose_key(c): c for c in options if c != exclude}
                found = difflib.get_close_matches(loose_key(value), list(keyed), n=1, cutoff=0.5)
                assert suggestions.closest(value, exclude=exclude) == (keyed[found[0]] if found else None)
    # long texts: more than 255 of one letter (the counts saturate) and difflib's autojunk (200+ letters)
    long = ["a" * 300, "a" * 200 + "b" * 100, "b" * 10, "ab" * 150]
    for value in ("a" * 290, "b" * 120 + "a" * 100, "ab" * 140, "b" * 9):
        keyed = {loose_key(c): c for c in long}
        found = difflib.get_close_matches(loose_key(value), list(keyed), n=1, cutoff=0.5)
        assert Suggestions(long).closest(value) == (keyed[found[0]] if found else None)


def test_30000_unknown_units_list_the_cap_and_compare_at_most_the_cap(comparisons) -> None:
    codes = [f"KHONGCO{i:05d}" for i in range(30_000)]
    codes[5] = "DV0077"  # 'dv0077' ~ 'dv077': 2 * 5 / 11
    data = build_xlsx(WorkbookSpec(UNITS, TARGETS, activities(codes)))
    comparisons.clear()
    result = read_workbook(data, Settings())
    problems = result.problems
    assert not result.ok and len(problems) == MAX_PROBLEMS + 1
    assert (problems["code"].iloc[:-1] == "unknown_unit").all()
    assert problems["row"].iloc[:-1].tolist() == list(range(2, MAX_PROBLEMS + 2))
    assert problems["message"].iloc[0] == (
        "Đơn vị 'KHONGCO00000' không có trong danh sách. Hãy thêm đơn vị vào trang 'Đơn vị'."
    )
    assert problems["message"].iloc[5] == "Đơn vị 'DV0077' không có trong danh sách. Có phải là 'DV077'?"
    last = problems.iloc[-1]
    assert (last["code"], last["message"]) == (
        "too_many_problems",
        "Còn 28000 vấn đề khác không được liệt kê. Hãy sửa các lỗi trên rồi kiểm tra lại.",
    )
    assert len(comparisons) == MAX_PROBLEMS  # one per listed problem, none for the 28,000 others


def test_one_unknown_value_on_many_rows_is_compared_once(comparisons) -> None:
    codes = ["DV0077"] * 1500 + ["UBND xa Cam Thinh 3000"] * 300
    comparisons.clear()
    result = read_workbook(build_xlsx(WorkbookSpec(UNITS, TARGETS, activities(codes))), Settings())
    messages = result.problems["message"]
    assert len(messages) == 1800 and messages.nunique() == 2
    # 'ubnd xa cam thinh 3000' ~ '... 30' (2 * 20 / 42) beats '... 200' (2 * 20 / 43) and '... 3' (2 * 19 / 41)
    assert messages.iloc[-1].endswith("Có phải là 'UBND xã Cẩm Thịnh 30'?")
    assert sorted(comparisons) == ["dv0077", "ubnd xa cam thinh 3000"]
