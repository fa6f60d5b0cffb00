"""The app server's warm-up imports the first page's extra modules in the background."""

from __future__ import annotations

import subprocess
import sys

from cchc_lib.web.frame import PAGE_ICON
from cchc_lib.web.warmup import WARM_MODULES, start_warmup


def test_the_warm_up_imports_its_modules_and_survives_a_missing_one(monkeypatch, caplog) -> None:
    monkeypatch.delitem(sys.modules, "json.tool", raising=False)
    thread = start_warmup(("json.tool", "cchc_no_such_module"))
    thread.join(timeout=60)
    assert not thread.is_alive() and thread.daemon
    assert "json.tool" in sys.modules
    assert "Warming up cchc_no_such_module failed" in caplog.text


def test_the_page_icon_needs_no_module_the_warm_up_leaves_out() -> None:
    # what Streamlit imports to tell that the page icon is an emoji, in a fresh interpreter
    probe = (
        "import sys, streamlit.string_util as s; before = set(sys.modules); "
        f"assert s.is_emoji({PAGE_ICON!r}); print(' '.join(sorted(set(sys.modules) - before)))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    needed = set(out.stdout.split())
    assert needed and needed <= set(WARM_MODULES)
