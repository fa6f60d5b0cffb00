"""Modules the first page run imports that the app server does not: imported in a background thread
when the server starts, while the browser is still loading the frontend, so the first viewer after a
restart does not wait for them (st.set_page_config's emoji icon makes Streamlit import its table of
every emoji: about 0.2 s)."""

from __future__ import annotations

import importlib
import logging
import threading

__all__ = ["WARM_MODULES", "start_warmup"]

LOG = logging.getLogger(__name__)
WARM_MODULES = ("streamlit.emojis",)


def _import_all(modules: tuple[str, ...]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # an optimisation only: the page imports it itself when it needs it
            LOG.warning("Warming up %s failed", name, exc_info=True)


def start_warmup(modules: tuple[str, ...] = WARM_MODULES) -> threading.Thread:
    """Import `modules` in a daemon thread (started here, returned)."""
    thread = threading.Thread(target=_import_all, args=(modules,), name="cchc-warmup", daemon=True)
    thread.start()
    return thread
