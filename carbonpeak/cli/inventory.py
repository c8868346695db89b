"""`carbonpeak inventory --balance FILE` and `carbonpeak factors export`: the inventory and its factors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from carbonpeak.cli.options import Format, ListFormat, format_option
from carbonpeak.cli.output import console, emit, print_json
from carbonpeak.services.inventory import (
    CELL_COLUMNS,
    SUMMARY_COLUMNS,
    TOTAL_COLUMNS,
    factor_library,
    inventory_from_file,
    summary_rows,
)

factors_app = typer.Typer(help="排放因子库 / the emission-factor library.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("inventory")(inventory_command)
    app.add_typer(factors_app, name="factors")


def inventory_command(
    balance: Annotated[Path, typer.Option(help="energy balance CSV (docs/methods/inventory.md)")],
    factor_set: Annotated[
        str, typer.Option("--factors", help="guideline, ipcc2006 or ceads (process only)")
    ] = "guideline",
    fmt: ListFormat = Format.table,
    cells: Annotated[
        bool, typer.Option("--cells", help="csv/table: list CO2 by sector × fuel, not totals")
    ] = False,
    grid: Annotated[
        str, typer.Option(help="national, or regional (provincial/regional grid factors)")
    ] = "national",
    imports: Annotated[
        str,
        typer.Option(
            "--non-fossil-imports",
            help="origin: non-fossil share counts the non-fossil part of imported electricity; separate: not",
        ),
    ] = "origin",
) -> None:
    """温室气体清单 / compute the CO2 inventory of an energy balance."""
    result = inventory_from_file(balance, factor_set, grid=grid, import_convention=imports)
    if fmt == "json":
        print_json(result)
    elif cells:
        emit(result["cells"], fmt, CELL_COLUMNS, title="CO2 (t) by sector × fuel")
    elif fmt == "csv":
        emit(result["totals"], fmt, TOTAL_COLUMNS)
    else:
        print_summary(summary_rows(result), f"CO2 inventory ({factor_set}): 万t CO2 · 万tce · % of energy")
        if result["notes"]:
            console().print(f"{len(result['notes'])} note(s) on substituted factors: see --format json")


def print_summary(rows: list[dict[str, Any]], title: str) -> None:
    """The summary table, compact enough for an 80-column terminal (no vertical rules)."""
    cols = (("region", "region"), *SUMMARY_COLUMNS) if rows and "region" in rows[0] else SUMMARY_COLUMNS
    table = Table(title=title, box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, collapse_padding=True)
    for key, header in cols:
        table.add_column(header, justify="left" if key == "region" else "right", no_wrap=True)
    for r in rows:
        table.add_row(*[str(r[k]) for k, _ in cols])
    console().print(table)


@factors_app.command("export")
def export(fmt: Annotated[Format, format_option(Format.json)] = Format.json) -> None:
    """Write the factor library (every table, every row with its source) as JSON."""
    print_json(factor_library())
