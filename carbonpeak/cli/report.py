"""`carbonpeak report annual | assessment | midterm | dispatch | summary`: reports as HTML, PDF, DOCX or
XLSX, in Chinese or English; `summary` stores the office's text of a narrative section."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from carbonpeak.cli.options import (
    Actor,
    AsOf,
    DocumentFormat,
    Format,
    Inputs,
    Lang,
    Language,
    Out,
    command_group,
    run_as,
)
from carbonpeak.cli.options import PlanFile as Plan
from carbonpeak.cli.output import parse_date, write_output

# the options every report takes, after its `--year`: (parameter, type and option, default)
REPORT_OPTIONS = (
    ("fmt", DocumentFormat, Format.html),
    ("lang", Lang, Language.zh),
    ("out", Out, None),
    ("inputs", Inputs, None),
    ("plan", Plan, None),
    ("as_of", AsOf, None),
)
SCHEME = ("scheme", Annotated[Path | None, typer.Option(help="evaluation scheme (YAML)")], None)


def report_command(
    kind: str, year: int, year_help: str, doc: str, *, scheme: bool = False
) -> Callable[..., None]:
    """The command of the report `kind`: `--year` (default `year`), REPORT_OPTIONS and, with `scheme`,
    `--scheme`; it writes the report's bytes to `--out` or standard output."""

    def command(**options: Any) -> None:
        from carbonpeak.services.reports import generate_report

        as_of = options["as_of"]
        data = generate_report(
            kind,
            options["fmt"],
            year=options["year"],
            lang=options["lang"],
            plan_file=options["plan"],
            inputs=options["inputs"],
            scheme_file=options.get("scheme"),
            as_of=parse_date(as_of, "--as-of") if as_of else None,
        )
        write_output(data, options["out"])

    params = [("year", Annotated[int, typer.Option(help=year_help)], year), *REPORT_OPTIONS]
    # typer reads the options from the signature: one list of them instead of one copy per report
    command.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind_)
            for name, kind_, default in [*params, *([SCHEME] if scheme else [])]
        ]
    )
    command.__doc__ = doc
    return command


def register(app: typer.Typer) -> None:
    group = command_group(app, "report", "Reports. 报告（年度进展、终期评估、调度通报）。")
    annual = report_command(
        "annual",
        2024,
        "the year reported on",
        "Annual carbon-peak progress report. 年度进展报告。",
        scheme=True,
    )
    group.command("annual")(annual)
    assessment = report_command(
        "assessment",
        2025,
        "the assessment year",
        "The 14th Five-Year Plan final assessment (replaces the mid-term one). “十四五”终期评估报告。",
    )
    group.command("assessment")(assessment)

    group.command(
        "midterm",
        help="Another name of `report assessment` (the plan's mid-term assessment). 中期评估，即终期评估。",
    )(assessment)

    @group.command("summary")
    def summary(
        kind: Annotated[str, typer.Option(help="annual or assessment")],
        year: Annotated[int, typer.Option(help="the report's year")],
        section: Annotated[str, typer.Option(help="achievements, problems or next_steps")],
        zh: Annotated[str, typer.Option(help="the text in Chinese")],
        en: Annotated[str, typer.Option(help="the text in English")],
        actor: Actor,
    ) -> None:
        """Store the office's summary of a report section (audited). 编写报告综述（成效、问题、下步工作）。"""
        from carbonpeak.services.report_summaries import set_summary

        row = run_as(actor, set_summary, kind=kind, year=year, section=section, text_zh=zh, text_en=en)
        typer.echo(f"summary {row.id}: {kind} {year} {section}")

    dispatch = report_command(
        "dispatch",
        2024,
        "the year of the round",
        "Dispatch notice: lagging tasks and units, overdue reports, stale projects. 调度通报。",
    )
    group.command("dispatch")(dispatch)
