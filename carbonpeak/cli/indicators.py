"""`carbonpeak indicators`: where every target of the plan stands (progress, pace, status)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carbonpeak.cli.options import Format, Lang, Language, ListFormat, PlanFile, from_store, store_option
from carbonpeak.cli.options import settings as cli_settings
from carbonpeak.cli.output import emit, print_as
from carbonpeak.i18n import normalise_language, t
from carbonpeak.services.indicators import Tracking, track_targets
from carbonpeak.units import table_quantity

COLUMNS = (
    "code",
    "status",
    "latest",
    "unit",
    "latest_year",
    "progress",
    "required_rate",
    "achieved_rate",
    "explanation",
)


def register(app: typer.Typer) -> None:
    app.command("indicators")(indicators)


def indicators(
    region: Annotated[str | None, typer.Option(help="region code (default: the only one observed)")] = None,
    year: Annotated[int | None, typer.Option(help="year judged (default: the latest observed)")] = None,
    observations: Annotated[
        Path | None,
        typer.Option(
            help="observations CSV (default: the current data set; the sample: "
            "carbonpeak/indicators/data/sample-observations.csv)",
        ),
    ] = None,
    plan: PlanFile = None,
    fmt: ListFormat = Format.table,
    lang: Lang = Language.zh,
    store: Annotated[
        bool, store_option("put the database's approved observations over the data set")
    ] = False,
) -> None:
    """目标进展 / progress, pace and status of every target of the plan."""
    settings = cli_settings()
    # the projection behind P(peak) is kept in the data folder once `init` made it
    data_dir = settings.data_dir if settings.data_dir.is_dir() else None
    result = from_store(
        store,
        track_targets,
        plan_file=plan,
        observations_file=observations,
        region=region,
        year=year,
        data_dir=data_dir,
    )
    print_as(fmt, result.as_dict(), lambda: _print_targets(result, fmt, normalise_language(lang)))


def _print_targets(result: Tracking, fmt: str, language: str) -> None:
    rows = []
    for r in result.rows:
        latest, unit = table_quantity(r["latest"], r["unit"], language)  # emissions: 万吨 / Mt
        rows.append(
            {
                **r,
                "latest": latest,
                "unit": unit,
                "status": t(f"indicators.status.{r['status']}", language),
                "explanation": r["explanation"][language],
            }
        )
    title = f"{t('indicators.title', language)}: {result.region} {result.year} ({result.observations})"
    emit(rows, fmt, COLUMNS, title=title)
