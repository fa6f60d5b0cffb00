"""cchc_lib.documents.report_number: the registry number printed after "Số:"."""

from __future__ import annotations

import pytest

from cchc_lib.documents.report_number import NUMBER_MAX_CHARS, ReportNumberError, parse_report_number


@pytest.mark.parametrize(("text", "number"), [(" 45 ", "45"), ("12/QĐ-UBND", "12/QĐ-UBND"), ("1.2", "1.2")])
def test_a_registry_number_is_kept_as_typed_without_the_spaces(text: str, number: str) -> None:
    assert parse_report_number(text) == number


@pytest.mark.parametrize("text", ["", "   ", "45 BC", "45;", "1" * 21])
def test_other_text_is_refused_in_vietnamese(text: str) -> None:
    with pytest.raises(ReportNumberError, match=r"Số báo cáo .* không hợp lệ.*tối đa 20 ký tự"):
        parse_report_number(text)


def test_twenty_characters_is_the_limit() -> None:
    assert NUMBER_MAX_CHARS == 20 and parse_report_number("1" * 20) == "1" * 20
