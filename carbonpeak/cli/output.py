"""Shared helpers of CLI commands: JSON/CSV/table printing, error listing, option parsing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer import BadParameter, echo

from carbonpeak.errors import CarbonpeakError, InputError

FORMATS = ("json", "csv", "table")


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    sys.stdout.write("\n")


def print_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> None:
    # imported here: the collection package is heavy and most commands never print CSV
    from carbonpeak.collection.rules import neutralised

    cols = list(columns or (rows[0].keys() if rows else []))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for r in rows:
        # text a spreadsheet would evaluate gets a leading apostrophe (CSV/formula injection)
        writer.writerow({k: neutralised(v) for k, v in r.items()})
    sys.stdout.write(buf.getvalue())


def print_table(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None, title: str | None = None
) -> None:
    cols = list(columns or (rows[0].keys() if rows else []))
    table = Table(title=title)
    for c in cols:
        table.add_column(str(c))
    for r in rows:
        table.add_row(*[_cell(r.get(c)) for c in cols])
    console().print(table)


def emit(
    rows: Sequence[Mapping[str, Any]],
    fmt: str,
    columns: Iterable[str] | None = None,
    title: str | None = None,
) -> None:
    cols = list(columns) if columns is not None else None
    if fmt == "json":
        print_json(list(rows))
    elif fmt == "csv":
        print_csv(rows, cols)
    else:
        print_table(rows, cols, title)


def print_as(fmt: str, data: Any, otherwise: Callable[[], None]) -> None:
    """`data` as JSON with `--format json`; any other format is printed by `otherwise()`."""
    if fmt == "json":
        print_json(data)
    else:
        otherwise()


def write_output(data: bytes, out: Path | None) -> None:
    """A document's bytes to `--out` (its size said on standard error), or to standard output."""
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        out.write_bytes(data)
        echo(f"{out} ({len(data):,} bytes)", err=True)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:,.4g}" if abs(v) < 1e4 else f"{v:,.0f}"
    return str(v)


def print_error(exc: CarbonpeakError) -> None:
    err = console(stderr=True)
    zh = f"{exc.message_zh} / " if exc.message_zh != exc.message else ""
    err.print(f"[bold red]错误 / error:[/] {escape(zh + exc.message)}")
    if isinstance(exc, InputError):
        for p in exc.problems:
            tag = "warning" if p.severity == "warning" else "error"
            both = p.message_en and p.message_en != p.message_zh
            msg = f"{p.message_zh} / {p.message_en}" if both else p.message_zh or p.message_en
            err.print(f"  \\[{tag}] {escape(p.location)}: {escape(msg)}  \\[rule {escape(p.rule)}]")
        err.print(f"  共 {len(exc.problems)} 个问题 / {len(exc.problems)} problem(s).")


def progress_bar(label: str) -> Progress:
    """A progress bar on standard error (label, bar, done/total, time), gone when finished."""
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console(stderr=True),
        transient=True,
    )


def parse_date(value: str, option: str) -> dt.date:
    """`value` (YYYY-MM-DD) as a date; a usage error naming `option` otherwise (exit 2)."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadParameter(
            f"{value!r} 不是日期（格式 YYYY-MM-DD）/ is not a date (YYYY-MM-DD)", param_hint=option
        ) from None
