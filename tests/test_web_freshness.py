"""The freshness line (cchc_lib/web/freshness.py): its text for every kind of source, and on every page
right under the title (AppTest)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cchc_lib.web.data import DataSource
from cchc_lib.web.freshness import freshness_text
from tests.test_app_pages import APP, PAGES

ICT = timezone(timedelta(hours=7))
STAMP = datetime(2026, 12, 2, 14, 5, 33, tzinfo=ICT)


def version(number: int | None = 7, created_at: datetime | None = STAMP, user: str | None = "quantri"):
    return DataSource("v.xlsx", "0" * 64, is_sample=False, number=number, created_at=created_at, user=user)


@pytest.mark.parametrize(
    ("source", "signed_in", "expected"),
    [
        (version(), True, "Số liệu cập nhật 02/12/2026 14:05 · phiên bản 7 · bởi quantri"),
        (version(), False, "Số liệu cập nhật 02/12/2026 14:05 · phiên bản 7"),  # no names to anonymous
        (version(user=None), True, "Số liệu cập nhật 02/12/2026 14:05 · phiên bản 7"),
        (version(created_at=None), False, "Số liệu hiện hành · phiên bản 7"),
        (version(created_at=datetime(2024, 3, 9, 8, 0, tzinfo=ICT)), False, "Số liệu cập nhật 09/03/2024 08:00 · phiên bản 7"),
        (DataSource("mau.xlsx", "1:2", is_sample=True), True, "Dữ liệu mẫu"),
        (None, False, "Chưa có dữ liệu: chưa có phiên bản nào được công bố."),
    ],
)  # fmt: skip
def test_freshness_text(source: DataSource | None, signed_in: bool, expected: str) -> None:
    assert freshness_text(source, signed_in) == expected


def _line_under_title(at) -> str:
    """The text of the first element after the page title in the main area (markdown escapes removed:
    the browser shows `13\\:35` as 13:35)."""
    from streamlit.testing.v1.element_tree import Block

    main = list(at.main)
    titles = [i for i, node in enumerate(main) if getattr(node, "type", "") == "title"]
    assert titles, "no title"
    after = main[titles[0] + 1]
    captions = after.caption if isinstance(after, Block) else [after]
    return str(captions[0].value).replace("\\", "")


@pytest.mark.parametrize("title", ["Tổng quan", *PAGES])
def test_every_page_shows_the_line_under_its_title(settings_env: Path, title: str) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=30).run()
    if title != "Tổng quan":
        at.switch_page(PAGES[title]).run()
    assert not at.exception
    assert at.title[0].value == title
    assert _line_under_title(at) == "Dữ liệu mẫu"


def test_a_published_version_is_named_under_the_title(settings_env: Path, suite_store) -> None:
    from streamlit.testing.v1 import AppTest

    from cchc_lib.access.accounts import Account
    from tests.test_app_pages import SAMPLE

    published = suite_store.open().publish(
        SAMPLE.read_bytes(), account=Account("quantri", "admin"), kind="replace", file_name="mau.xlsx",
        base_version=None,
    )  # fmt: skip
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    when = published.created_at
    expected = f"Số liệu cập nhật {when:%d/%m/%Y} {when:%H:%M} · phiên bản 1"  # anonymous: no name
    assert _line_under_title(at) == expected
