"""The architecture as folders (issue 12): every module of cchc_lib lives in a subpackage by concern, each
subpackage imports only the ones below it (ALLOWED), and only cchc_lib/web/ imports streamlit."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "cchc_lib"
TOP_MODULES = {"__init__", "__main__"}  # `python -m cchc_lib` and the package itself

# folder -> the folders its modules may import besides their own, lowest layer first. `web` (Streamlit) and
# `commands` (the command line) are the two front ends: they may use everything below, never each other.
ALLOWED: dict[str, set[str]] = {
    "common": set(),
    "reading": {"common"},
    "figures": {"common", "reading"},
    "documents": {"common", "reading", "figures"},
    "access": {"common"},
    "publishing": {"common", "reading", "figures", "documents", "access"},
    "sample": {"common"},
    "commands": {"common", "reading", "figures", "documents", "access", "publishing", "sample"},
    "web": {"common", "reading", "figures", "documents", "access", "publishing", "sample"},
}
TOP_ALLOWED = set(ALLOWED) - {"web"}  # cchc_lib/__main__.py runs the command line, never the screens

# A string naming a module run in a child process or imported by name ("cchc_lib.reading.workbook:read").
MODULE_STRING = re.compile(r"^cchc_lib(?:\.\w+)+(?::\w+)?$")


def _folders() -> list[str]:
    return sorted(p.name for p in LIBRARY.iterdir() if p.is_dir() and any(p.glob("*.py")))


def _modules() -> list[Path]:
    return sorted(LIBRARY.rglob("*.py"))


def _dotted(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in `source` (module `module`): top-level, lazy and
    TYPE_CHECKING imports alike, relative ones resolved, plus strings naming a cchc_lib module."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # `from cchc_lib import reading` or `from . import workbook`: the names may be modules
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
        elif (
            isinstance(node, ast.Constant) and isinstance(node.value, str) and MODULE_STRING.match(node.value)
        ):
            found.append((node.lineno, node.value.partition(":")[0]))
    return found


def _folder_of(module: str) -> str | None:
    """The cchc_lib folder a module name points into; None for the top package and other libraries."""
    parts = module.split(".")
    if parts[0] != "cchc_lib" or len(parts) < 2 or not (LIBRARY / parts[1]).is_dir():
        return None
    return parts[1]


def violations(path: Path, source: str | None = None) -> list[str]:
    """The imports of one module against ALLOWED, as readable lines."""
    module = _dotted(path)
    own = _folder_of(module) if path.parent != LIBRARY else None
    allowed = TOP_ALLOWED if own is None else ALLOWED[own] | {own}
    text = path.read_text(encoding="utf-8") if source is None else source
    out: list[str] = []
    seen: set[tuple[int, str | None]] = set()
    for line, target in imported_modules(text, module, path.name == "__init__.py"):
        folder = _folder_of(target)
        if (line, folder) in seen:  # `from x import a, b`: one finding per statement and folder
            continue
        seen.add((line, folder))
        if target.split(".")[0] == "streamlit" and own != "web":
            out.append(f"{path.relative_to(ROOT)}:{line} imports {target}: only cchc_lib/web/ may")
        elif folder is not None and folder not in allowed:
            out.append(f"{path.relative_to(ROOT)}:{line} imports {target}: {own or 'cchc_lib'} -> {folder}")
        elif target.split(".")[0] == "cchc_lib" and folder is None and len(target.split(".")) > 1:
            name = target.split(".")[1]
            if (LIBRARY / f"{name}.py").exists() and name not in TOP_MODULES:
                out.append(f"{path.relative_to(ROOT)}:{line} imports {target}: a module outside the folders")
    return out


def test_the_top_of_the_package_holds_only_the_package_and_the_command_entry() -> None:
    assert sorted(p.stem for p in LIBRARY.glob("*.py")) == sorted(TOP_MODULES)


def test_every_folder_has_its_place_in_the_layers() -> None:
    assert _folders() == sorted(ALLOWED), "a new folder needs its line in ALLOWED (and in the README map)"
    for folder, below in ALLOWED.items():
        assert below <= set(ALLOWED) - {folder}


def test_the_layers_point_down_only() -> None:
    reach: dict[str, set[str]] = {}

    def below(folder: str, path: tuple[str, ...] = ()) -> set[str]:
        assert folder not in path, f"the layers go round: {' -> '.join((*path, folder))}"
        if folder not in reach:
            reach[folder] = set().union(*(below(f, (*path, folder)) | {f} for f in ALLOWED[folder]))
        return reach[folder]

    for folder in ALLOWED:
        assert folder not in below(folder)
    assert "web" not in set().union(*ALLOWED.values()) and "commands" not in set().union(*ALLOWED.values())


@pytest.mark.parametrize("folder", sorted(ALLOWED))
def test_each_folder_is_a_package_with_a_docstring_and_its_public_modules_in_all(folder: str) -> None:
    init = LIBRARY / folder / "__init__.py"
    tree = ast.parse(init.read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree)
    assert doc and "\n" not in doc.strip(), f"{init}: a one-line docstring"
    names = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets)
    ]
    assert len(names) == 1, f"{init}: __all__"
    listed = ast.literal_eval(names[0])
    modules = sorted(p.stem for p in (LIBRARY / folder).glob("*.py") if not p.stem.startswith("_"))
    if folder != "web":  # web's package exports the page frame's names (pages import them from it)
        assert sorted(listed) == modules


def test_every_import_points_down_and_only_web_imports_streamlit() -> None:
    found = [line for path in _modules() for line in violations(path)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    ("where", "source", "expected"),
    [
        ("common/settings.py", "from cchc_lib.reading.model import Workbook\n", "common -> reading"),
        ("reading/workbook.py", "def f():\n    from ..publishing import store\n", "reading -> publishing"),
        ("figures/metrics.py", "import streamlit as st\n", "only cchc_lib/web/ may"),
        ("publishing/store.py", "from cchc_lib.web import data\n", "publishing -> web"),
        ("web/frame.py", "from cchc_lib.commands.cli import main\n", "web -> commands"),
        ("reading/sandbox.py", 'READER = "cchc_lib.documents.reports:build"\n', "reading -> documents"),
        ("__main__.py", "from .web import frame\n", "cchc_lib -> web"),
    ],
)
def test_the_check_sees_an_import_going_up(where: str, source: str, expected: str) -> None:
    [found] = violations(LIBRARY / where, source)
    assert expected in found


def test_the_check_lets_a_downward_import_through() -> None:
    source = "from ..common.settings import Settings\nfrom . import schema\nimport pandas as pd\n"
    assert violations(LIBRARY / "reading" / "workbook.py", source) == []


def test_the_core_runs_without_streamlit() -> None:
    core = [_dotted(p) for p in _modules() if "web" not in p.relative_to(LIBRARY).parts[:1]]
    script = (
        "import importlib, sys\n"
        f"for name in {core!r}:\n"
        "    if not name.endswith('__main__'):\n"
        "        importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_readme_maps_every_folder() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    for folder in ALLOWED:
        assert re.search(rf"^- `cchc_lib/{folder}/`", layout, re.MULTILINE), (
            f"README layout: cchc_lib/{folder}/"
        )
