"""The view in the address bar: year, period, calendar, unit types and units as short query parameters.

`?nam=2024&ky=q2&lich=bc&loai=ubnd-xa-thi-tran&dv=XCB,XCN` (docs/web-links.md). The query string is
hostile input: every value is length-capped, unknown values are dropped and a bad value falls back to the
default; nothing here raises. Pure functions (no Streamlit) so the rules are tested on their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from cchc_lib.common.periods import CALENDAR, REPORT
from cchc_lib.common.text import loose_key

__all__ = ["PARAMS", "View", "carried", "encode_view", "link", "parse_view", "same_params", "type_slug"]

YEAR, KIND, CALENDAR_PARAM, TYPES, UNITS = "nam", "ky", "lich", "loai", "dv"
PARAMS = (YEAR, KIND, CALENDAR_PARAM, TYPES, UNITS)  # the only keys the dashboard reads or writes
KIND_SLUGS = {"Q1": "q1", "Q2": "q2", "Q3": "q3", "Q4": "q4", "H1": "6t", "9M": "9t", "": "ca-nam"}
CALENDAR_SLUGS = {CALENDAR: "dl", REPORT: "bc"}  # dương lịch / kỳ báo cáo
_KINDS = {slug: kind for kind, slug in KIND_SLUGS.items()}
_CALENDARS = {slug: calendar for calendar, slug in CALENDAR_SLUGS.items()}
_YEARS = range(2000, 2101)
MAX_VALUE = 4000  # characters of one parameter looked at; the rest is ignored
MAX_ITEMS = 300  # unit codes (or types) taken from one parameter
_MAX_ITEM = 60  # characters of one code or slug
_MAX_URL = 2000  # characters of the page address a copied link starts with


@dataclass(frozen=True)
class View:
    """What the address says. None (or an empty tuple) means "not given": the default applies."""

    year: int | None = None
    kind: str | None = None  # a Period.kind ("Q1".."Q4", "H1", "9M", "")
    calendar: str | None = None
    unit_types: tuple[str, ...] = ()  # unit type names as in the workbook
    unit_codes: tuple[str, ...] = ()  # unit codes as in the workbook


def type_slug(name: str) -> str:
    """The address form of a unit type: lower case, no diacritics, words joined by '-'
    (`UBND xã, thị trấn` -> `ubnd-xa-thi-tran`)."""
    return loose_key(name).replace(" ", "-")


def _text(params: Mapping[str, object], key: str) -> str:
    value = params.get(key)
    if isinstance(value, list | tuple):  # a repeated key: the last one counts (as st.query_params)
        value = value[-1] if value else ""
    return value[:MAX_VALUE].strip() if isinstance(value, str) else ""


def _items(text: str) -> list[str]:
    items = [item.strip() for item in text.split(",")[:MAX_ITEMS]]
    return list(dict.fromkeys(item for item in items if item and len(item) <= _MAX_ITEM))


def _year(text: str) -> int | None:
    if len(text) == 4 and text.isascii() and text.isdigit() and int(text) in _YEARS:
        return int(text)
    return None


def parse_view(params: Mapping[str, object], unit_types: Iterable[str], unit_codes: Iterable[str]) -> View:
    """The view the query `params` ask for, given the workbook's unit types and codes. Unknown keys,
    unknown codes and slugs, and malformed values are ignored (codes match case-insensitively)."""
    slugs: dict[str, str] = {}
    for name in unit_types:
        slugs.setdefault(type_slug(name), name)
    codes: dict[str, str] = {}
    for code in unit_codes:
        codes.setdefault(str(code).casefold(), str(code))
    chosen_types = [slugs[s] for s in _items(_text(params, TYPES).casefold()) if s in slugs]
    chosen_units = [codes[c] for c in _items(_text(params, UNITS).casefold()) if c in codes]
    return View(
        year=_year(_text(params, YEAR)),
        kind=_KINDS.get(_text(params, KIND).casefold()),
        calendar=_CALENDARS.get(_text(params, CALENDAR_PARAM).casefold()),
        unit_types=tuple(dict.fromkeys(chosen_types)),
        unit_codes=tuple(dict.fromkeys(chosen_units)),
    )


def encode_view(view: View, defaults: View, *, explicit: bool = False) -> dict[str, str]:
    """Query parameters for `view`. Values equal to `defaults` are left out (a clean address bar)
    unless `explicit` (a copied link names the year, period and calendar, so it keeps its meaning
    when a new year of data arrives). Unit codes holding a comma cannot be carried and are left out."""
    params: dict[str, str] = {}
    if view.year is not None and (explicit or view.year != defaults.year):
        params[YEAR] = str(view.year)
    if view.kind in KIND_SLUGS and (explicit or view.kind != defaults.kind):
        params[KIND] = KIND_SLUGS[view.kind]
    if view.calendar in CALENDAR_SLUGS and (explicit or view.calendar != defaults.calendar):
        params[CALENDAR_PARAM] = CALENDAR_SLUGS[view.calendar]
    if view.unit_types:
        params[TYPES] = ",".join(dict.fromkeys(type_slug(t) for t in view.unit_types))
    codes = [c for c in view.unit_codes if "," not in c]
    if codes:
        params[UNITS] = ",".join(codes)
    return params


def link(page_url: str | None, params: Mapping[str, str]) -> str | None:
    """The absolute address of the page `page_url` (scheme, host, path; no query) with `params`, or
    None when the page address is unknown or not http(s)."""
    if not page_url or len(page_url) > _MAX_URL or not page_url.startswith(("http://", "https://")):
        return None
    base = page_url.split("?", 1)[0].split("#", 1)[0]
    if base.count("/") == 2:  # "https://host": the root page
        base += "/"
    return f"{base}?{urlencode(params, safe=',')}" if params else base


def carried(params: Mapping[str, object]) -> dict[str, str]:
    """The dashboard's keys of `params` (length-capped, empty ones left out): what a menu link carries
    before the values are checked against the workbook."""
    return {k: text for k in PARAMS if (text := _text(params, k))}


def same_params(a: Mapping[str, object], b: Mapping[str, object], keys: Sequence[str] = PARAMS) -> bool:
    """Whether two query mappings agree on the dashboard's keys."""
    return all(_text(a, k) == _text(b, k) for k in keys)
