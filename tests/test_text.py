"""Normalisation and matching keys (workbook.md, reading rules)."""

from __future__ import annotations

import unicodedata

import pytest

from cchc_lib.common.text import clean_text, closest, loose_key, match_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Phòng   Nội vụ ", "Phòng Nội vụ"),
        ("Phòng\u00a0Nội\u202fvụ", "Phòng Nội vụ"),
        ("\ufeffX\u200bCB\u200d", "XCB"),
        ("a\tb\r\nc", "a b c"),
        ("ab\x07c", "abc"),
        (unicodedata.normalize("NFD", "Cẩm Xuyên"), "Cẩm Xuyên"),
        (None, ""),
        (12, "12"),
    ],
)
def test_clean_text(raw: object, expected: str) -> None:
    assert clean_text(raw) == expected
    assert unicodedata.is_normalized("NFC", clean_text(raw))


@pytest.mark.parametrize(
    ("a", "b"),
    [("Đơn vị", "Don vi"), ("ĐƠN VỊ", "don  vi "), ("Hoạt động", "HOAT DONG"), ("Mã đơn vị", "ma don vi")],
)
def test_match_key_ignores_case_diacritics_and_spacing(a: str, b: str) -> None:
    assert match_key(a) == match_key(b)


def test_loose_key_also_ignores_punctuation() -> None:
    assert loose_key("Tin, bài") == loose_key("TIN_BAI") == loose_key("tin bài") == "tin bai"
    assert loose_key("Bài đăng Cổng/Trang TTĐT") == "bai dang cong trang ttdt"
    assert match_key("Tin, bài") != match_key("TIN_BAI")


def test_closest_suggests_a_near_spelling_or_nothing() -> None:
    assert closest("PNVV", ["PNV", "XCB", "TTCX"]) == "PNV"
    assert closest("Phong su truyen hinh", ["TIN_BAI", "Tin, bài", "PHONG_SU", "Phóng sự"]) == "Phóng sự"
    assert closest("zzzzzz", ["PNV", "XCB"]) is None
    assert closest("x", []) is None


@pytest.mark.parametrize(
    ("written", "header", "same"),
    [
        ("Số lượng (tin, bài)", "Số lượng", True),
        ("Số lượng\n(tin, bài)", "Số lượng", True),
        ("S.lượng", "S. lượng", True),
        ("Văn hóa-Truyền thông", "Văn hóa - Truyền thông", True),
        ("Tin, bài [tin]", "Tin, bài", True),
        ("Số lượng người", "Số lượng", False),
        ("(1)", "Số lượng", False),
    ],
)
def test_header_keys_match_words_before_a_parenthesis_and_hyphen_spacing(
    written: str, header: str, same: bool
) -> None:
    from cchc_lib.common.text import header_keys

    assert bool(set(header_keys(written)) & set(header_keys(header))) is same
    assert header_keys(written)[0] == match_key(written)  # the exact key comes first
