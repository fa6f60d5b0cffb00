"""Run the real command line (`python -m cchc_lib …`) from the project root, as a user would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

__all__ = ["ROOT", "run_cli"]

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, answer: str | None = None) -> subprocess.CompletedProcess[str]:
    """The finished process (text, UTF-8); `answer` is typed on stdin. A 120 s timeout: a hang fails."""
    return subprocess.run(
        [sys.executable, "-m", "cchc_lib", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        input=answer if answer is not None else "",
        timeout=120,
    )
