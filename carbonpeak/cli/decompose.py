"""`carbonpeak decompose`: LMDI decomposition of the change in CO2 emissions between two years."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carbonpeak.cli.options import Format, Lang, Language, ListFormat, store_database
from carbonpeak.cli.output import emit, print_json
from carbonpeak.i18n import normalise_language, t
from carbonpeak.services.decomposition import decompose_emissions


def register(app: typer.Typer) -> None:
    app.command("decompose")(decompose)


def decompose(
    start: Annotated[
        int | None, typer.Option("--from", help="first year (default: first in the table)")
    ] = None,
    end: Annotated[int | None, typer.Option("--to", help="last year (default: last in the table)")] = None,
    balance: Annotated[
        Path | None,
        typer.Option(
            "--balance",
            help="decomposition table CSV: energy and CO2 by sector × fuel, value added, "
            "GDP, population (default: the current data set from the inventory; the sample: "
            "carbonpeak/decomposition/data/sample-kaya.csv)",
        ),
    ] = None,
    single: Annotated[
        bool, typer.Option("--single", help="one period instead of chaining year by year")
    ] = False,
    fmt: ListFormat = Format.table,
    lang: Lang = Language.zh,
    store: Annotated[
        bool, typer.Option("--store", help="the data set of the database's current snapshot")
    ] = False,
) -> None:
    """碳排放变化因素分解 / LMDI-I decomposition of the change in CO2 emissions."""
    with store_database(store) as database:
        result = decompose_emissions(
            start=start, end=end, input_file=balance, chained=not single, database=database
        )
    if fmt == "json":
        print_json(result)
        return
    language = normalise_language(lang)
    change = result["change"]
    rows = [
        {
            "factor": e[f"label_{language}"],
            "additive": e["additive"],
            "multiplicative": e["multiplicative"],
            "share": 100 * e["additive"] / change if change else None,
        }
        for e in result["effects"]
    ]
    rows.append(
        {
            "factor": t("decomposition.total", language),
            "additive": change,
            "multiplicative": result["ratio"],
            "share": 100.0 if change else None,
        }
    )
    period = f"{result['from']}–{result['to']}"
    title = f"{t('decomposition.title', language)}: {period} ({result['unit']}, {result['input']})"
    emit(rows, fmt, ("factor", "additive", "multiplicative", "share"), title=title)
