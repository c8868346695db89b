"""The options commands share, defined once: `--format` (one `Format` enum; each command names the
values it accepts and an unknown value is a usage error, exit 2; `ListFormat`, `JsonOrTable` and
`DocumentFormat` the usual sets), `--store` (`store_option`, its help saying what the command reads),
`--lang`, `--as`, `--plan`, `--seed`, `--out`, `--as-of`; `settings()`, the process's one `Settings`
(built on first use, so `--help` never reads the environment); `store_database(store)`, the database a
`--store` command reads; `acting(username)`, a session of the store with the `--as` user; `run_as`, a
service called as that user; `from_store`, a service called on the `--store` database;
`emit_listing`, a listing service's rows printed as `--format` asks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from carbonpeak.settings import Settings
    from carbonpeak.store.db import Database
    from carbonpeak.store.models import User


class Format(StrEnum):
    json = "json"
    csv = "csv"
    table = "table"
    xlsx = "xlsx"
    html = "html"
    pdf = "pdf"
    docx = "docx"


LISTING = (Format.json, Format.csv, Format.table)
DOCUMENT = (Format.html, Format.pdf, Format.docx, Format.xlsx)

T = TypeVar("T")


class Language(StrEnum):
    zh = "zh"
    en = "en"


def command_group(app: typer.Typer, name: str, help: str) -> typer.Typer:
    """A group of subcommands `carbonpeak <name> …` added to `app` (bare `carbonpeak <name>` shows
    its help)."""
    group = typer.Typer(help=help, no_args_is_help=True)
    app.add_typer(group, name=name)
    return group


def format_option(*choices: Format, help: str | None = None) -> Any:
    """`--format` accepting only `choices`: any other value is a usage error naming the allowed ones."""
    names = ", ".join(c.value for c in choices)

    def only(value: Format | None) -> Format | None:
        if value is not None and value not in choices:
            raise typer.BadParameter(f"{value.value!r} is not one of {names} / 格式须为 {names} 之一")
        return value

    return typer.Option("--format", callback=only, show_choices=False, help=help or names)


def store_option(reads: str) -> Any:
    """`--store`: the command reads the configured database instead of the packaged files; `reads`
    (the option's help) says what it takes from it."""
    return typer.Option("--store", help=reads)


ListFormat = Annotated[Format, format_option(*LISTING)]
JsonOrTable = Annotated[Format, format_option(Format.json, Format.table)]
DocumentFormat = Annotated[Format, format_option(*DOCUMENT)]
Lang = Annotated[Language, typer.Option("--lang", help="zh or en")]
Actor = Annotated[str, typer.Option("--as", help="username of the acting user")]
PlanFile = Annotated[Path | None, typer.Option("--plan", help="plan file; default: CARBONPEAK_PLAN_FILE")]
Seed = Annotated[int, typer.Option(help="random seed (recorded with the result)")]
Out = Annotated[Path | None, typer.Option("--out", help="file to write (default: standard output)")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD; default: the bundle's date")]
Inputs = Annotated[
    Path | None,
    typer.Option(
        "--inputs",
        help="input bundle (YAML), or `store` (the database's approved reports); default: the sample",
    ),
]


def settings() -> Settings:
    """The settings of this process (`carbonpeak.settings.current`: read from the environment on first
    use, so `--help` never reads it; cleared before each command run)."""
    from carbonpeak.settings import current

    return current()


@contextmanager
def store_database(store: bool) -> Iterator[Database | None]:
    """With `--store`: the settings' initialised database, disposed of when the block ends; else None
    (the command reads the files of the settings' data set folder, CARBONPEAK_DATASET)."""
    if not store:
        yield None
        return
    from carbonpeak.store.db import Database

    database = Database.initialised(settings())
    try:
        yield database
    finally:
        database.dispose()


@contextmanager
def acting(username: str) -> Iterator[tuple[Session, User]]:
    """A session of the settings' store and the user `username` (`--as`) in it; NotFound without one."""
    from carbonpeak.services.users import user_named
    from carbonpeak.store.db import open_session

    with open_session(settings()) as session:
        yield session, user_named(session, username)


def run_as(username: str, service: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`service(session, user, *args, **kwargs)` in a session of the store, `user` the one named
    `username` (`--as`)."""
    with acting(username) as (session, user):
        return service(session, user, *args, **kwargs)


def from_store(store: bool, service: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`service(*args, database=…, **kwargs)`: the database of `store_database(store)` (None
    without `--store`)."""
    with store_database(store) as database:
        return service(*args, database=database, **kwargs)


def emit_listing(
    fmt: str, items: Callable[[Session], Iterable[Any]], row: Callable[[Any], Mapping[str, Any]]
) -> None:
    """The items a listing service returns in a session of the settings' store, one `row` each,
    printed as `fmt` (json, csv or table)."""
    from carbonpeak.cli.output import emit
    from carbonpeak.store.db import open_session

    with open_session(settings()) as session:
        rows = [row(item) for item in items(session)]
    emit(rows, fmt)
