"""Docs stay true to the code: every CLI command is documented in docs/cli.md, every methods
section listed in docs/methods.md exists, and every packaged data file with a `source` column has a
source on every row."""

import csv
import re
from pathlib import Path

import typer.main

from carbonpeak.cli import build_app

ROOT = Path(__file__).resolve().parents[1]


def _commands(cmd, prefix: str = "carbonpeak") -> dict[str, object]:
    # Typer bundles its own click: recognise groups by their `commands`, not by click's classes
    found: dict[str, object] = {}
    if getattr(cmd, "commands", None):
        for name, sub in cmd.commands.items():
            found.update(_commands(sub, f"{prefix} {name}"))
    else:
        found[prefix] = cmd
    return found


def _command_paths(cmd, prefix: str = "carbonpeak") -> list[str]:
    return list(_commands(cmd, prefix))


def _usage_cells(documented: str, path: str) -> list[str]:
    """The first cells of the docs/cli.md table rows that show `path`'s usage."""
    return [
        cell
        for cell in re.findall(r"^\| `([^`]+)`", documented, flags=re.M)
        if cell == path or cell.startswith(path + " ")
    ]


def test_every_cli_command_is_documented():
    group = typer.main.get_command(build_app())
    documented = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = [p for p in _command_paths(group) if f"`{p}" not in documented]
    assert not missing, f"commands missing from docs/cli.md: {missing}"


def test_every_required_option_is_shown_and_every_shown_option_exists():
    documented = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    wrong = []
    for path, cmd in _commands(typer.main.get_command(build_app())).items():
        options = {o for p in cmd.params for o in (*p.opts, *p.secondary_opts) if o.startswith("-")}
        required = [p.opts[0] for p in cmd.params if p.required and p.param_type_name == "option"]
        for cell in _usage_cells(documented, path):
            shown = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", cell))
            wrong += [f"{path}: {o} required but not shown" for o in required if o not in shown]
            wrong += [f"{path}: {o} shown but not an option" for o in sorted(shown - options)]
    assert not wrong, wrong


def test_methods_index_points_at_existing_sections():
    index = (ROOT / "docs" / "methods.md").read_text(encoding="utf-8")
    for link in re.findall(r"\]\((methods/[^)#]+)\)", index):
        assert (ROOT / "docs" / link).exists(), f"docs/methods.md links to missing {link}"


def test_every_packaged_csv_with_a_source_column_sources_every_row():
    for path in (ROOT / "carbonpeak").rglob("*.csv"):
        with path.open(encoding="utf-8") as f:
            reader = csv.DictReader(f)
            if not reader.fieldnames or "source" not in reader.fieldnames:
                continue
            for i, row in enumerate(reader, start=2):
                assert (row.get("source") or "").strip(), f"{path.relative_to(ROOT)}:{i} has no source"


def test_architecture_lists_every_package_and_top_module():
    """docs/architecture.md's package table and top-module line name exactly what is in carbonpeak/."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## Packages", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `(\w+)` \|", section, flags=re.MULTILINE))
    package = ROOT / "carbonpeak"
    folders = {p.name for p in package.iterdir() if (p / "__init__.py").is_file()}
    assert listed == folders
    modules = {p.name for p in package.glob("*.py") if not p.name.startswith("__")}
    assert set(re.findall(r"`(\w+\.py)`", section.split("Modules at the top", 1)[1])) == modules
