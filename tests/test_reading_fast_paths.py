"""The fast paths of reading big sheets give the answers written here by hand."""

from __future__ import annotations

import math

import pytest

from cchc_lib.reading.cells import BlankMemo
from cchc_lib.reading.package import _interesting
from cchc_lib.reading.workbook import _kept_columns


@pytest.mark.parametrize(
    "segment",
    [
        b'<c r="A1"><f>SUM(B1:B2)</f></c>',
        b'<c r="A1"><f t="shared" si="0"/></c>',
        b'<c r="A1"><f/></c>',
        b'<x:c r="A1"><x:f>1+1</x:f></x:c>',
        b'<x:c r="A1"><x:f ref="A1"/></x:c>',
        b'<x:c r="A1"><x:f/></x:c>',
        b'<c r="A1" t="e"><v>#REF!</v></c>',
        b"<c r='A1' t='e'><v>#N/A</v></c>",
        b'<c r="A1" t= "e"><v>#DIV/0!</v></c>',
    ],
)
def test_a_segment_with_a_formula_or_an_error_is_interesting(segment: bytes) -> None:
    assert _interesting(segment)


@pytest.mark.parametrize(
    "segment",
    [
        b"",
        b'<c r="F1" t="s"><v>3</v></c>',
        b'<c r="A1" t="inlineStr"><is><t>of e" re \'e\' f</t></is></c>',
        b'<c r="A1" t="str"><v>e</v></c>',
        b"<c r='A1' t = 'e'><v>1</v></c>",
        b"<cf>",
        b"f> f/ f ",
    ],
)
def test_a_segment_without_one_is_not(segment: bytes) -> None:
    assert not _interesting(segment)


def test_blank_memo_answers_as_is_blank_for_equal_values_of_other_types() -> None:
    memo = BlankMemo()
    assert [memo[v] for v in ("", " ", "\u00a0", "x", None, 0, 0.0, False, 1, 1.0, True)] == [
        True,
        True,
        True,
        False,
        True,
        False,
        False,
        False,
        False,
        False,
        False,
    ]
    assert memo[float("nan")] and memo[math.nan]
    assert memo[" "] and not memo["x"]  # remembered answers stay right


def test_kept_columns_pad_short_rows_with_empty_text() -> None:
    rows = [["a", 1, "x"], ["b"], ["c", 3, "z"], []]
    assert _kept_columns(rows, [0, 1, 3], [2, 0]) == [["x", "", ""], ["a", "b", ""]]
    assert _kept_columns(rows, [0, 2], [0, 1]) == [["a", "c"], [1, 3]]
    assert _kept_columns(rows, [], [0]) == [[]]
