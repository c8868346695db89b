"""`carbonpeak decompose`: LMDI decomposition of the change in CO2 emissions between two years."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from carbonpeak.cli.options import Format, Lang, Language, ListFormat, from_store, store_option
from carbonpeak.cli.output import emit, print_as
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
    store: Annotated[bool, store_option("the data set of the database's current snapshot")] = False,
) -> None:
    """碳排放变化因素分解 / LMDI-I decomposition of the change in CO2 emissions."""
    result = from_store(
        store, decompose_emissions, start=start, end=end, input_file=balance, chained=not single
    )
    print_as(fmt, result, lambda: _print_effects(result, fmt, normalise_language(lang)))


def _print_effects(result: dict[str, Any], fmt: str, language: str) -> None:
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
