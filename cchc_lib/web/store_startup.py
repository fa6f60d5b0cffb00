"""The app server's check of the configured store at start: a PostgreSQL schema it does not know stops it."""

from __future__ import annotations

import logging
import sys

from cchc_lib.common.settings import Settings
from cchc_lib.publishing.store_base import StoreError
from cchc_lib.publishing.store_factory import open_store

__all__ = ["BACKEND_REFUSALS", "REFUSED_CODES", "check_store_at_start"]

LOG = logging.getLogger("cchc_lib.web")
# A schema this program does not know (or none), a password in the settings: the server does not start.
# An unreachable database does not stop it: the pages say so, and serve again once it is back.
REFUSED_CODES = frozenset({"schema_missing", "schema_old", "schema_unknown", "secret_in_settings"})
# What the pages show as the store's own message (and stop): the refusals above, the database unreachable
# or failing. Any other failure to read the store is shown as before (messages.ERROR_DATA).
BACKEND_REFUSALS = REFUSED_CODES | {"db_unavailable", "db_error"}


def check_store_at_start(settings: Settings) -> None:
    """With `store_url` set, open the store once: on a refused schema print its Vietnamese message to
    stderr and exit with status 1 (SystemExit), before the server listens."""
    if not settings.store_url.strip():
        return
    try:
        open_store(settings)
    except StoreError as exc:
        if exc.code in REFUSED_CODES:
            print(f"Máy chủ không khởi động: {exc.message}", file=sys.stderr, flush=True)
            raise SystemExit(1) from None
        LOG.warning("The store's database is unreachable at start (%s): the pages will say so", exc.code)
