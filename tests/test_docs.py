"""The user documents stay true: every settings key (and its default) in docs/settings.md, every sheet and
header of the schema in docs/workbook.md and back, every command's options in its own part of docs/cli.md,
and every relative link of README.md and docs/*.md pointing at a file of the repository."""

from __future__ import annotations

import argparse
import re
import tomllib
from dataclasses import MISSING, fields
from pathlib import Path

import pytest

from cchc_lib.__main__ import build_parser
from cchc_lib.common.settings import Settings
from cchc_lib.publishing.mailer import SmtpConfig
from cchc_lib.reading.schema import SHEETS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
_TICKED = re.compile(r"^`([^`]+)`$")


def table_rows(lines: list[str], start: int) -> list[list[str]]:
    """The body rows of the Markdown table starting at or after line `start` (cells stripped)."""
    i = start
    while i < len(lines) and not lines[i].startswith("|"):
        i += 1
    rows = []
    for line in lines[i + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def section(text: str, heading: str) -> list[str]:
    """The lines under the `## heading` (up to the next `## `)."""
    lines = text.splitlines()
    start = lines.index(f"## {heading}") + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines[start:end]


# --- settings ---------------------------------------------------------------------------------------

SETTINGS_DOC = (DOCS / "settings.md").read_text(encoding="utf-8")


def documented_settings() -> dict[str, str]:
    """{key: default cell} of every table under "## Keys"."""
    lines = section(SETTINGS_DOC, "Keys")
    found: dict[str, str] = {}
    for i, line in enumerate(lines):
        if line.startswith("| key |"):
            for row in table_rows(lines, i):
                key = _TICKED.match(row[0])
                assert key, row
                assert key.group(1) not in found, f"{key.group(1)} documented twice"
                found[key.group(1)] = row[1]
    return found


def test_every_settings_key_is_documented_and_nothing_else() -> None:
    assert sorted(documented_settings()) == sorted(f.name for f in fields(Settings))


@pytest.mark.parametrize("field", [f for f in fields(Settings) if f.name != "plans"], ids=lambda f: f.name)
def test_the_documented_default_is_the_real_one(field) -> None:
    cell = documented_settings()[field.name]
    literal = _TICKED.match(cell)
    assert literal, f"{field.name}: the default is not written as a TOML value: {cell}"
    documented = tomllib.loads(f"v = {literal.group(1)}")["v"]
    default = field.default if field.default is not MISSING else field.default_factory()
    assert documented == (list(default) if isinstance(default, tuple) else default)
    assert type(documented) is type(list(default) if isinstance(default, tuple) else default)


def test_every_smtp_secret_is_documented() -> None:
    lines = section(SETTINGS_DOC, "Secrets: `.streamlit/secrets.toml`")
    start = lines.index("### `[smtp]`: reminder e-mails")
    documented = {_TICKED.match(row[0]).group(1): row[1] for row in table_rows(lines, start)}
    assert sorted(documented) == sorted(f.name for f in fields(SmtpConfig))
    for f in fields(SmtpConfig):
        if f.default is not MISSING:
            assert tomllib.loads(f"v = {_TICKED.match(documented[f.name]).group(1)}")["v"] == f.default


# --- the workbook format ----------------------------------------------------------------------------

WORKBOOK_DOC = (DOCS / "workbook.md").read_text(encoding="utf-8")
_SHEET_LINE = re.compile(r"^(?:### )?`([^`]+)` — ")


def documented_sheets() -> dict[str, list[list[str]]]:
    """{sheet name: rows of its header table} for every sheet described under "## Sheets"."""
    lines = section(WORKBOOK_DOC, "Sheets")
    sheets: dict[str, list[list[str]]] = {}
    for i, line in enumerate(lines):
        match = _SHEET_LINE.match(line)
        if match:
            sheets[match.group(1)] = table_rows(lines, i)
    return sheets


def test_every_sheet_of_the_schema_is_documented_and_nothing_else() -> None:
    assert sorted(documented_sheets()) == sorted(spec.name for spec in SHEETS)


@pytest.mark.parametrize("spec", SHEETS, ids=lambda s: s.name)
def test_every_header_of_a_sheet_is_documented_with_its_requirement(spec) -> None:
    documented: dict[str, str] = {}
    for row in documented_sheets()[spec.name]:
        if row[0].startswith("one column per"):  # Kế hoạch: the activity type columns
            assert spec.type_columns
            continue
        for header in row[0].split(" / "):  # `Hiệu lực từ / Hiệu lực đến`
            documented[header] = row[1]
    assert documented == {c.header: "yes" if c.required else "no" for c in spec.columns}


def test_every_other_spelling_is_documented() -> None:
    lines = section(WORKBOOK_DOC, "Sheets")
    rows = table_rows(lines, lines.index("### Other accepted header spellings"))
    documented = {(row[0], row[1]): re.findall(r"`([^`]+)`", row[2]) for row in rows}
    expected = {(spec.name, c.header): list(c.aliases) for spec in SHEETS for c in spec.columns if c.aliases}
    assert documented == expected


# --- the command line -------------------------------------------------------------------------------

CLI_DOC = (DOCS / "cli.md").read_text(encoding="utf-8")


def leaf_commands() -> list[tuple[str, list[str]]]:
    """(command, its long options) for every command that runs something, e.g. ("store backup", [...])."""
    found = []

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        for action in subs:
            for name, sub in action.choices.items():
                walk(sub, (*path, name))
        if path and not subs:
            options = [o for a in parser._actions for o in a.option_strings if o.startswith("--") and o != "--help"]
            found.append((" ".join(path), options))

    walk(build_parser(), ())
    return found


def command_text(command: str) -> str:
    """The part of cli.md about `command`: its `## ` section, or for `store X` / `users X` the list item
    naming it plus the group's introduction (the options every command of the group takes)."""
    blocks = re.split(r"\n(?=## )", CLI_DOC)
    head = command.split()[0]
    group = [b for b in blocks if b.startswith("## ") and re.search(rf"`{head}\b", b.splitlines()[0])]
    assert group, f"no section for {command}"
    if " " not in command:
        return "\n".join(group)
    text = "\n".join(group)
    intro = re.split(r"\n- `", text, maxsplit=1)[0]
    items = re.split(r"\n(?=- `|### )", text)
    own = [item for item in items if re.search(rf"`{re.escape(command)}\b", item)]
    assert own, f"{command} is not described in cli.md"
    return intro + "\n" + "\n".join(own)


@pytest.mark.parametrize(("command", "options"), leaf_commands(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_option_is_documented_with_its_command(command: str, options: list[str]) -> None:
    text = command_text(command)
    assert [o for o in options if not re.search(rf"{re.escape(o)}\b", text)] == []


def test_the_global_option_is_documented() -> None:
    common = "\n".join(section(CLI_DOC, "Rules common to every command"))
    assert "`--settings FILE`" in common


# --- links ------------------------------------------------------------------------------------------

_LINK = re.compile(r"(?<!\!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|!\[[^\]]*\]\(([^)\s]+)\)")
DOCUMENTS = [ROOT / "README.md", *sorted(DOCS.glob("*.md")), ROOT / "data" / "README.md"]


def relative_links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)  # code blocks are code
    links = [a or b for a, b in _LINK.findall(text)]
    return [link for link in links if not re.match(r"^[a-z][a-z0-9+.-]*:", link) and not link.startswith("#")]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves_inside_the_repository(document: Path) -> None:
    broken = []
    for link in relative_links(document):
        target = (document.parent / link.split("#")[0]).resolve()
        if not target.is_relative_to(ROOT) or not target.exists():
            broken.append(link)
    assert broken == []


def test_the_readme_links_the_documents() -> None:
    links = {(ROOT / link).resolve() for link in relative_links(ROOT / "README.md")}
    wanted = ["workbook.md", "cli.md", "settings.md", "deploy.md", "huong-dan-su-dung.md"]
    assert [name for name in wanted if (DOCS / name).resolve() not in links] == []


@pytest.mark.parametrize("path", [ROOT / "README.md", *DOCS.glob("*.md"), ROOT / "data" / "README.md",
                                  ROOT / ".streamlit" / "config.toml"], ids=lambda p: p.name)  # fmt: skip
def test_no_document_points_outside_the_project(path: Path) -> None:
    assert "../shared" not in path.read_text(encoding="utf-8")


def test_the_default_catalogue_and_unit_types_are_the_real_ones() -> None:
    from cchc_lib.reading.schema import DEFAULT_ACTIVITY_TYPES

    lines = WORKBOOK_DOC.splitlines()
    rows = table_rows(lines, lines.index("Without this sheet the catalogue is:"))
    assert rows == [[code, name] for code, name, _ in DEFAULT_ACTIVITY_TYPES]
    [line] = [line for line in lines if line.startswith("| Loại đơn vị | yes |")]
    assert re.findall(r"`([^`]+)`", line.split("default list:")[1]) == list(Settings().unit_types)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_command_a_document_names_exists(document: Path) -> None:
    """`python -m cchc_lib store backup …` in a document is a command of the parser (typos fail)."""
    leaves = {command for command, _ in leaf_commands()}
    groups = {command.split()[0] for command in leaves if " " in command}
    named = re.findall(r"-m cchc_lib (?:--settings \S+ )?([a-z]+)(?: ([a-z]+))?", document.read_text(encoding="utf-8"))
    unknown = [
        " ".join(filter(None, (first, second)))
        for first, second in named
        if (first in groups and f"{first} {second}" not in leaves) or (first not in groups and first not in leaves)
    ]
    assert unknown == []
