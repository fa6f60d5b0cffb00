"""The shared page frame: page config, Vietnamese menu, period and unit filters, data version."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from cchc_lib.common.formatting import fmt_date
from cchc_lib.common.periods import CALENDAR, CALENDARS, Period
from cchc_lib.common.settings import PROJECT_ROOT, Settings, load_settings
from cchc_lib.common.text import match_key
from cchc_lib.publishing.store import Health, StoreError
from cchc_lib.reading.model import Workbook, empty_workbook
from cchc_lib.web import data, url_state, vietnamese
from cchc_lib.web import messages as msg
from cchc_lib.web.freshness import freshness_text, show_freshness
from cchc_lib.web.phone import phone_style
from cchc_lib.web.render import md_escape
from cchc_lib.web.state import persisted_widget, remember, remembered, take_widget_change
from cchc_lib.web.store_startup import BACKEND_REFUSALS

__all__ = ["Frame", "page_frame", "guard", "role_allowed", "show_store_damage"]

LOG = logging.getLogger("cchc_lib.web")
_YEAR_RANGE = (2000, 2100)
# An emoji becomes a data: URL; a :material/...: icon is fetched from fonts.gstatic.com, which the
# Content-Security-Policy (cchc_lib/web/routes.py) blocks: no third-party request.
PAGE_ICON = "📣"
_UNIT_SEARCH = "Tìm đơn vị (gõ không dấu cũng được)"
_UNIT_SEARCH_HINT = "vd: cam binh"
_LINK_HELP = "Liên kết mở đúng trang, kỳ, lịch và đơn vị đang chọn. Bấm biểu tượng sao chép ở góc ô:"
_LINK_UNKNOWN = "Không xác định được địa chỉ trang: hãy sao chép địa chỉ trên thanh địa chỉ của trình duyệt."


@dataclass
class Frame:
    """What every page needs after the frame is drawn: settings, data, the chosen period and filters."""

    title: str
    settings: Settings
    source: data.DataSource | None  # None: no data yet (only for pages drawn with needs_data=False)
    workbook: Workbook  # the whole workbook (unfiltered); empty when there is no data
    period: Period
    calendar: str
    unit_types: tuple[str, ...] = ()
    unit_codes: tuple[str, ...] = ()
    units: pd.DataFrame = field(default_factory=pd.DataFrame)  # unit_code, unit_name, unit_type
    own_unit: str | None = None  # the unit the signed-in account is bound to (when it is in `units`)
    damage: Health | None = None  # the store's check when it is damaged (needs_data=False pages only)
    top: Any = None  # a container right under the title and the freshness line, for the page's own controls

    @property
    def has_data(self) -> bool:
        """False on a needs_data=False page drawn without data (none published, no sample, unreadable,
        damaged store)."""
        return self.source is not None

    @property
    def store_damaged(self) -> bool:
        """True when the store is damaged (the frame has shown what was found and what to do)."""
        return self.damage is not None

    @property
    def cutoff_day(self) -> int:
        return self.settings.cutoff_day

    @property
    def filters(self) -> data.Filters:
        return (self.unit_types, self.unit_codes)

    @property
    def chosen_units(self) -> pd.DataFrame:
        """unit_code, unit_name, unit_type of the units the filters let through (workbook order)."""
        pool = self.units
        if self.unit_types:
            pool = pool[pool["unit_type"].isin(self.unit_types)]
        if self.unit_codes:
            pool = pool[pool["unit_code"].isin(self.unit_codes)]
        return pool

    @property
    def filtered_workbook(self) -> Workbook:
        """The workbook restricted to the chosen unit types and units."""
        return data.filtered_workbook(self.source, self.settings, self.filters)

    def pva(self, period: Period | None = None, filters: data.Filters | None = None) -> pd.DataFrame:
        """metrics.plan_vs_actual for the chosen period (or `period`) and filters (or `filters`)."""
        chosen = self.period if period is None else period
        return data.cached_metric(
            "pva", self.source, self.settings, filters or self.filters, chosen.name, self.calendar
        )

    def previous_pva(self) -> pd.DataFrame | None:
        """metrics.previous_year_pva: the same period last year, or None without data."""
        return data.cached_metric(
            "previous_pva", self.source, self.settings, self.filters, self.period.name, self.calendar
        )

    def activities(self, filters: data.Filters | None = None) -> pd.DataFrame:
        """metrics.activities_in_period for the chosen period (a shared frame: do not modify)."""
        return data.cached_activities(
            self.source, self.settings, filters or self.filters, self.period.name, self.calendar
        )

    def quarterly(self, filters: data.Filters | None = None) -> pd.DataFrame:
        """metrics.quarterly_series for the chosen year."""
        return data.cached_metric(
            "quarterly", self.source, self.settings, filters or self.filters, self.period.year, self.calendar
        )

    def unit_matrix(self) -> pd.DataFrame:
        """metrics.unit_quarter_matrix for the chosen year."""
        return data.cached_metric(
            "unit_matrix", self.source, self.settings, self.filters, self.period.year, self.calendar
        )

    @property
    def cache_key(self) -> tuple:
        """Everything the page's figures depend on: data version, filters, period, calendar, thresholds."""
        s = self.settings
        return (self.source.key, self.filters, self.period.name, self.calendar, s.cutoff_day,
                s.complete_pct, s.near_pct)  # fmt: skip

    def memo(self, name: str, build: Callable[[], Any], *extra: object) -> Any:
        """What `build()` returns (a chart, a derived table), rebuilt only when the data, the choices
        or `extra` change. The result is shared between reruns and sessions: do not modify it."""
        return data.cached_build((name, self.cache_key, *extra), build)

    def distinct(self, column: str) -> list[str]:
        """Distinct values of an activity column in the chosen period (for filter options)."""
        return data.cached_distinct(
            self.source, self.settings, self.filters, self.period.name, self.calendar, column
        )

    def matching_rows(self, text: str) -> Any:
        """`row` numbers of activities whose title/note/channel/unit name hold every word of `text`."""
        return data.matching_rows(self.source, self.settings, text)

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Run a page body: an unexpected error becomes a Vietnamese message (details in the log)."""
        with guard(self.title):
            yield


@contextmanager
def guard(where: str = "") -> Iterator[None]:
    """Catch any error of the block, log it with its traceback and show a Vietnamese message instead.

    st.stop()/st.rerun() pass through (they are BaseException, not Exception).
    """
    try:
        yield
    except Exception:
        LOG.exception("Unexpected error on page %r", where)
        st.error(msg.ERROR_UNEXPECTED, icon=":material/error:")


def role_allowed(require_role: str | None, title: str = "") -> bool:
    """Access hook: may the current visitor see a page that requires `require_role`?

    Delegates to auth.gate: the logged-in account's role against `require_role` (and the
    `require_login` setting). An anonymous visitor who may not see the page gets the page `title`,
    what it is for and the login form, and the script stops there.
    """
    from cchc_lib.web import auth

    return auth.gate(require_role, title)


def _refuse(title: str, require_role: str | None) -> None:
    """A signed-in visitor whose role may not open the page: the title, the refusal and who the page is
    for (under the title, never clipped under the phone's header), then stop."""
    from cchc_lib.web import auth
    from cchc_lib.web.sign_in import WHO_FOR

    st.title(title)
    who = WHO_FOR.get(require_role, WHO_FOR["unit"])
    st.warning(f"{auth.REFUSED} {who}", icon=":material/block:")
    st.stop()


def _account_box() -> None:
    from cchc_lib.web import auth

    auth.account_box()


def _signed_in() -> bool:
    from cchc_lib.web import auth

    return auth.current_account() is not None


def _menu_links(slot: Any, params: dict[str, str]) -> None:
    """The menu's page links into `slot` (an st.empty); each link carries the view's query `params`,
    so the next page opens on the same period and units."""
    from cchc_lib.web import auth

    with slot.container():
        for page, label, icon in msg.MENU:
            # a page another task has not delivered yet is left out; so is a page the account may not open
            if (PROJECT_ROOT / page).is_file() and auth.menu_visible(page):
                st.page_link(page, label=label, icon=icon, query_params=params)


def _own_unit(units: pd.DataFrame) -> str | None:
    """The unit code the signed-in account is bound to (a unit account), when the workbook has it."""
    from cchc_lib.web import auth

    account = auth.current_account()
    code = getattr(account, "unit_code", None) if account is not None else None
    return code if code and code in set(units["unit_code"]) else None


def _adopt_address(units: pd.DataFrame, widget_changed: bool, own_units: list[str]) -> None:
    """When the address changed outside the app (a forwarded link, a reload, the back button, an
    edited URL), its view replaces the kept choices; a parameter it does not give (or gives wrong)
    means the default (for the units: `own_units`, a unit account's own unit). A run started by a filter
    the visitor just changed keeps the filters."""
    params = st.query_params.to_dict()
    if widget_changed or url_state.same_params(params, remembered("url") or {}):
        return
    view = url_state.parse_view(params, units["unit_type"].dropna().unique(), units["unit_code"])
    remember("year", view.year)
    remember("kind", view.kind)
    remember("calendar", view.calendar)
    remember("unit_types", list(view.unit_types))
    remember("unit_codes", list(view.unit_codes) or own_units)


def _write_address(view: url_state.View, defaults: url_state.View) -> dict[str, str]:
    """Put the view into the address bar (a new history entry when it changed) and return its params."""
    params = url_state.encode_view(view, defaults)
    if not url_state.same_params(st.query_params.to_dict(), params):
        st.query_params.from_dict(params)
    remember("url", params)
    return params


def _copy_link(view: url_state.View, defaults: url_state.View) -> None:
    """The "Sao chép liên kết" popover: the absolute link to this page and view, with a copy icon (st.code)."""
    url = url_state.link(st.context.url, url_state.encode_view(view, defaults, explicit=True))
    with st.popover("Sao chép liên kết", icon=":material/link:", width="stretch"):
        if url is None:
            st.caption(_LINK_UNKNOWN)
            return
        st.caption(_LINK_HELP)
        st.code(url, language=None, wrap_lines=True)


def _year_options(years: list[int], kept: object) -> list[int]:
    options = set(years) | {date.today().year}
    if isinstance(kept, int) and _YEAR_RANGE[0] <= kept <= _YEAR_RANGE[1]:
        options.add(kept)
    return sorted(options, reverse=True)


def _default_year(years: list[int]) -> int:
    """The latest year that holds data, but not a future one when a past year has data."""
    this_year = date.today().year
    past = [y for y in years if y <= this_year]
    if past:
        return max(past)
    return max(years) if years else this_year


def _period_picker(settings: Settings, years: list[int]) -> tuple[Period, str]:
    year = persisted_widget(
        st.selectbox,
        "year",
        _year_options(years, remembered("year")),
        _default_year(years),
        label="Năm",
        filter_mode=None,  # no typing: no keyboard on a phone, no English "No results"
    )
    kinds = dict(msg.PERIOD_KINDS)
    kind = persisted_widget(
        st.selectbox, "kind", list(kinds), "", label="Kỳ", format_func=lambda k: kinds[k], filter_mode=None
    )
    labels = {c: msg.CALENDAR_LABELS[c].format(cutoff=settings.cutoff_day) for c in CALENDARS}
    calendar = persisted_widget(
        st.radio, "calendar", list(CALENDARS), CALENDAR, label="Lịch", format_func=lambda c: labels[c]
    )
    return Period(int(year), kind), calendar


def _unit_filters(units: pd.DataFrame, own_units: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    type_options = list(dict.fromkeys(units["unit_type"].dropna()))
    unit_types = persisted_widget(
        st.multiselect,
        "unit_types",
        type_options,
        [],
        multi=True,
        label="Loại đơn vị",
        placeholder="Tất cả loại đơn vị",
        filter_mode=None,
    )
    pool = units[units["unit_type"].isin(unit_types)] if unit_types else units
    names = dict(zip(pool["unit_code"], pool["unit_name"], strict=False))
    search = st.text_input(_UNIT_SEARCH, key="unit_search", max_chars=60, placeholder=_UNIT_SEARCH_HINT)
    names = _matching_units(names, search, remembered("unit_codes") or [])
    unit_codes = persisted_widget(
        st.multiselect,
        "unit_codes",
        list(names),
        own_units,  # a unit account starts on its own unit; anyone may change it
        multi=True,
        label="Đơn vị",
        placeholder="Tất cả đơn vị",
        format_func=lambda c: names.get(c, c),
        filter_mode=None,  # the search box above narrows the list, without diacritics
    )
    return tuple(unit_types), tuple(unit_codes)


def _matching_units(names: dict[str, str], search: str | None, chosen: list[str]) -> dict[str, str]:
    """The units whose name or code holds every word of `search`, ignoring case and diacritics
    ("cam binh" finds "UBND xã Cẩm Bình"); the chosen units always stay in the list."""
    words = match_key(search or "").split()
    if not words:
        return names
    return {
        code: name
        for code, name in names.items()
        if code in chosen or all(w in match_key(f"{name} {code}") for w in words)
    }


def _context_line(settings: Settings, period: Period, calendar: str, filters, units: pd.DataFrame) -> str:
    first, last = period.bounds(calendar, settings.cutoff_day)
    unit_types, unit_codes = filters
    if unit_codes:
        names = units.set_index("unit_code")["unit_name"]
        scope = ", ".join(md_escape(names.get(c, c)) for c in unit_codes[:3])  # names come from the file
        if len(unit_codes) > 3:
            scope += f" và {len(unit_codes) - 3} đơn vị khác"
    elif unit_types:
        scope = ", ".join(unit_types)
    else:
        scope = "Tất cả đơn vị"
    return f"**{period.label}** ({fmt_date(first)} – {fmt_date(last)}) · {scope}"


_SHOWN_PROBLEMS = 12  # a store with many damaged versions lists the first ones, then a count


def show_store_damage(health: Health) -> None:
    """The error a damaged store gives: what was found (in Vietnamese) and what the admin should run."""
    problems = [f"- {f.message}" for f in health.problems[:_SHOWN_PROBLEMS]]
    if len(health.problems) > _SHOWN_PROBLEMS:
        problems.append(f"- … và {len(health.problems) - _SHOWN_PROBLEMS} vấn đề khác (xem `store verify`).")
    todo = msg.STORE_REPUBLISH_TODO if health.needs_republish else msg.STORE_DAMAGED_TODO
    st.error("\n".join([msg.STORE_DAMAGED, "", *problems, "", todo]), icon=":material/error:")


def _load_data(settings: Settings, needs_data: bool) -> tuple | str | Health:
    """(source, workbook, years, units) of the current data; a short notice for the sidebar when there is
    none or it cannot be read; the store's Health when the store is damaged. A page that needs data gets
    the full message and stops there: no figures, never other data than the store's current version."""
    try:
        source = data.current_source(settings)
    except data.StoreDamaged as exc:
        show_store_damage(exc.health)
        if needs_data:
            with st.sidebar:
                st.divider()
                st.caption(msg.STORE_DAMAGED_SHORT)
            st.stop()
        return exc.health
    except Exception as exc:
        if isinstance(exc, StoreError) and exc.code in BACKEND_REFUSALS:  # PostgreSQL: its own message
            LOG.error("Opening the store failed: %s", exc.code)
            st.error(exc.message, icon=":material/error:")
            st.stop()
        LOG.exception("Reading the store %s failed", settings.store_path)
        st.error(msg.ERROR_DATA, icon=":material/error:")
        if needs_data:
            st.stop()
        return msg.DATA_UNREADABLE
    if source is None:
        if needs_data:
            st.info(msg.NO_DATA_FILE, icon=":material/info:")
            if (PROJECT_ROOT / msg.UPLOAD_PAGE).is_file():
                st.page_link(
                    msg.UPLOAD_PAGE, label="Đến trang Cập nhật dữ liệu", icon=":material/upload_file:"
                )
            st.stop()
        return msg.NO_DATA_YET
    if source.is_sample:
        st.warning(msg.SAMPLE_BANNER, icon=":material/warning:")
    try:
        return (
            source,
            data.load_workbook(source, settings),
            data.workbook_years(source, settings),
            data.unit_options(source, settings),
        )
    except Exception:
        LOG.exception("Loading %s failed", source.path)
        st.error(msg.ERROR_DATA, icon=":material/error:")
        if needs_data:
            st.stop()
        return msg.DATA_UNREADABLE


def page_frame(title: str, require_role: str | None = None, *, needs_data: bool = True) -> Frame:
    """Draw the frame every page starts with and return the page's Frame.

    Sets the page config, draws the organisation, the Vietnamese menu, the period picker, the unit
    filters and the data version in the sidebar, and the page title with the chosen period. Stops
    the script with a Vietnamese message when the visitor may not see the page, or when there is no
    data (nothing published, and no sample shown) or it cannot be read, or the store is damaged (what
    was found and what to run; no figure, never the sample). While nothing was ever published the
    sample may be shown (setting `show_sample_when_empty`), under SAMPLE_BANNER on every page. With
    `needs_data=False` (pages that publish or list versions) the page runs without data instead: the
    Frame has no source (`has_data` False), an empty workbook and units, the current year, no filters,
    and `damage` set when the store is damaged.
    """
    st.set_page_config(
        page_title=f"{title} · {msg.APP_SUFFIX}",
        page_icon=PAGE_ICON,
        layout="wide",
        initial_sidebar_state="auto",
    )
    vietnamese.hide_english()
    phone_style()
    widget_changed = take_widget_change()
    settings = load_settings()
    sidebar = st.sidebar
    with sidebar:
        st.markdown(f"**{settings.organisation}**")
        st.caption(settings.plan_reference)
        links = st.empty()
        menu_params = url_state.carried(st.query_params.to_dict())
        _menu_links(links, menu_params)
        _account_box()
    if not role_allowed(require_role, title):
        _refuse(title, require_role)

    st.title(title)
    fresh, top = st.empty(), st.container()  # the freshness line, then the page's own controls
    loaded = _load_data(settings, needs_data)
    if isinstance(loaded, str | Health):
        notice = msg.STORE_DAMAGED_SHORT if isinstance(loaded, Health) else loaded
        with sidebar:
            st.divider()
            st.caption(notice)
        show_freshness(fresh, f"{settings.organisation} · {notice}")
        empty = empty_workbook()
        units = empty.units[["unit_code", "unit_name", "unit_type"]]
        damage = loaded if isinstance(loaded, Health) else None
        return Frame(
            title, settings, None, empty, Period(date.today().year, ""), CALENDAR, units=units, damage=damage,
            top=top,
        )
    source, workbook, years, units = loaded
    freshness = freshness_text(source, _signed_in())
    show_freshness(fresh, freshness)

    with sidebar:
        st.divider()
        own_unit = _own_unit(units)
        own_units = [own_unit] if own_unit else []
        _adopt_address(units, widget_changed, own_units)
        period, calendar = _period_picker(settings, years)
        filters = _unit_filters(units, own_units)
        view = url_state.View(period.year, period.kind, calendar, *filters)
        defaults = url_state.View(_default_year(years), "", CALENDAR)
        params = _write_address(view, defaults)
        if params != menu_params:
            _menu_links(links, params)
        _copy_link(view, defaults)
        st.divider()
        st.caption(md_escape(freshness))  # the same line as under the title, for a visitor in the menu
    st.caption(f"{settings.organisation} · " + _context_line(settings, period, calendar, filters, units))
    return Frame(
        title=title,
        settings=settings,
        source=source,
        workbook=workbook,
        period=period,
        calendar=calendar,
        unit_types=filters[0],
        unit_codes=filters[1],
        units=units,
        own_unit=own_unit,
        top=top,
    )
