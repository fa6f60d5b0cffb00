"""Small display rules of the screens' tables."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cchc_lib.web.render import _signed


@pytest.mark.parametrize(
    ("value", "shown"),
    [(235, "+235"), (1234567, "+1.234.567"), (-6, "−6"), (-1234, "−1.234"), (0, "0"), (pd.NA, "—"),
     (None, "—"), (math.nan, "—")],
)  # fmt: skip
def test_a_change_shows_its_sign(value: object, shown: str) -> None:
    assert _signed(value) == shown
