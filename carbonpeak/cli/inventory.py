"""`carbonpeak inventory --balance FILE` and `carbonpeak factors export`: the inventory and its factors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carbonpeak.cli.output import emit, print_json
from carbonpeak.services.inventory import CELL_COLUMNS, TOTAL_COLUMNS, factor_library, inventory_from_file

factors_app = typer.Typer(help="排放因子库 / the emission-factor library.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("inventory")(inventory_command)
    app.add_typer(factors_app, name="factors")


def inventory_command(
    balance: Annotated[
        Path, typer.Option("--balance", help="energy balance CSV (docs/methods/inventory.md)")
    ],
    factor_set: Annotated[str, typer.Option("--factors", help="guideline or ipcc2006")] = "guideline",
    fmt: Annotated[str, typer.Option("--format", help="json, csv or table")] = "table",
    cells: Annotated[
        bool, typer.Option("--cells", help="csv/table: list CO2 by sector × fuel, not totals")
    ] = False,
) -> None:
    """温室气体清单 / compute the CO2 inventory of an energy balance."""
    if fmt not in ("json", "csv", "table"):
        raise typer.BadParameter(f"unknown format {fmt!r}: use json, csv or table", param_hint="--format")
    result = inventory_from_file(balance, factor_set)
    if fmt == "json":
        print_json(result)
    elif cells:
        emit(result["cells"], fmt, CELL_COLUMNS, title="CO2 (t) by sector × fuel")
    else:
        emit(result["totals"], fmt, TOTAL_COLUMNS, title=f"CO2 inventory ({factor_set})")


@factors_app.command("export")
def export(fmt: Annotated[str, typer.Option("--format", help="json")] = "json") -> None:
    """Write the factor library (every table, every row with its source) as JSON."""
    if fmt != "json":
        raise typer.BadParameter(f"unknown format {fmt!r}: use json", param_hint="--format")
    print_json(factor_library())
