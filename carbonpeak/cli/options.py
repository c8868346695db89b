"""The options commands share, defined once: `--format` (one `Format` enum; each command names the
values it accepts and an unknown value is a usage error, exit 2), `--lang`, `--as`, `--plan`,
`--out`, `--as-of`; and `settings()`, the process's one `Settings` (built on first use, so `--help`
never reads the environment)."""

from __future__ import annotations

import functools
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from carbonpeak.settings import Settings


class Format(StrEnum):
    json = "json"
    csv = "csv"
    table = "table"
    xlsx = "xlsx"
    html = "html"
    pdf = "pdf"
    docx = "docx"


LISTING = (Format.json, Format.csv, Format.table)


class Language(StrEnum):
    zh = "zh"
    en = "en"


def format_option(*choices: Format, help: str | None = None) -> Any:
    """`--format` accepting only `choices`: any other value is a usage error naming the allowed ones."""
    names = ", ".join(c.value for c in choices)

    def only(value: Format | None) -> Format | None:
        if value is not None and value not in choices:
            raise typer.BadParameter(f"{value.value!r} is not one of {names} / 格式须为 {names} 之一")
        return value

    return typer.Option("--format", callback=only, show_choices=False, help=help or names)


ListFormat = Annotated[Format, format_option(*LISTING)]
Lang = Annotated[Language, typer.Option("--lang", help="zh or en")]
Actor = Annotated[str, typer.Option("--as", help="username of the acting user")]
PlanFile = Annotated[Path | None, typer.Option("--plan", help="plan file; default: CARBONPEAK_PLAN_FILE")]
Out = Annotated[Path | None, typer.Option("--out", help="file to write (default: standard output)")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD; default: the bundle's date")]
Inputs = Annotated[
    Path | None,
    typer.Option(
        "--inputs",
        help="input bundle (YAML), or `store` (the database's approved reports); default: the sample",
    ),
]


@functools.cache
def settings() -> Settings:
    """The settings of this process, read from the environment once (tests call
    `settings.cache_clear()` after changing it)."""
    from carbonpeak.settings import Settings

    return Settings()
