"""`carbonpeak report annual | assessment | midterm | dispatch | summary`: reports as HTML, PDF, DOCX or
XLSX, in Chinese or English; `summary` stores the office's text of a narrative section."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from carbonpeak.cli.options import Actor, AsOf, Format, Inputs, Lang, Language, Out, format_option
from carbonpeak.cli.options import PlanFile as Plan
from carbonpeak.cli.options import settings as cli_settings
from carbonpeak.cli.output import parse_date

Fmt = Annotated[Format, format_option(Format.html, Format.pdf, Format.docx, Format.xlsx)]


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Reports. 报告（年度进展、终期评估、调度通报）。", no_args_is_help=True)
    app.add_typer(group, name="report")

    def _run(
        kind: str,
        year: int,
        fmt: str,
        lang: str,
        out: Path | None,
        inputs: Path | None,
        plan: Path | None,
        as_of: str | None,
        scheme: Path | None = None,
    ) -> None:
        from carbonpeak.services.reports import generate_report

        data = generate_report(
            kind,
            fmt,
            year=year,
            lang=lang,
            plan_file=plan,
            inputs=inputs,
            scheme_file=scheme,
            as_of=parse_date(as_of, "--as-of") if as_of else None,
        )
        if out is None:
            sys.stdout.buffer.write(data)
        else:
            out.write_bytes(data)
            typer.echo(f"{out} ({len(data):,} bytes)", err=True)

    @group.command("annual")
    def annual(
        year: Annotated[int, typer.Option(help="the year reported on")] = 2024,
        fmt: Fmt = Format.html,
        lang: Lang = Language.zh,
        out: Out = None,
        inputs: Inputs = None,
        plan: Plan = None,
        as_of: AsOf = None,
        scheme: Annotated[Path | None, typer.Option(help="evaluation scheme (YAML)")] = None,
    ) -> None:
        """Annual carbon-peak progress report. 年度进展报告。"""
        _run("annual", year, fmt, lang, out, inputs, plan, as_of, scheme)

    @group.command("assessment")
    def assessment(
        year: Annotated[int, typer.Option(help="the assessment year")] = 2025,
        fmt: Fmt = Format.html,
        lang: Lang = Language.zh,
        out: Out = None,
        inputs: Inputs = None,
        plan: Plan = None,
        as_of: AsOf = None,
    ) -> None:
        """The 14th Five-Year Plan final assessment (replaces the mid-term one). “十四五”终期评估报告。"""
        _run("assessment", year, fmt, lang, out, inputs, plan, as_of)

    group.command(
        "midterm",
        help="Another name of `report assessment` (the plan's mid-term assessment). 中期评估，即终期评估。",
    )(assessment)

    @group.command("summary")
    def summary(
        kind: Annotated[str, typer.Option(help="annual or assessment")],
        year: Annotated[int, typer.Option(help="the report's year")],
        section: Annotated[str, typer.Option(help="achievements, problems or next_steps")],
        zh: Annotated[str, typer.Option("--zh", help="the text in Chinese")],
        en: Annotated[str, typer.Option("--en", help="the text in English")],
        actor: Actor,
    ) -> None:
        """Store the office's summary of a report section (audited). 编写报告综述（成效、问题、下步工作）。"""
        from carbonpeak.cli.round import _user
        from carbonpeak.services.report_summaries import set_summary
        from carbonpeak.store.db import open_session

        with open_session(cli_settings()) as session:
            row = set_summary(
                session,
                _user(session, actor),
                kind=kind,
                year=year,
                section=section,
                text_zh=zh,
                text_en=en,
            )
            typer.echo(f"summary {row.id}: {kind} {year} {section}")

    @group.command("dispatch")
    def dispatch(
        year: Annotated[int, typer.Option(help="the year of the round")] = 2024,
        fmt: Fmt = Format.html,
        lang: Lang = Language.zh,
        out: Out = None,
        inputs: Inputs = None,
        plan: Plan = None,
        as_of: AsOf = None,
    ) -> None:
        """Dispatch notice: lagging tasks and units, overdue reports, stale projects. 调度通报。"""
        _run("dispatch", year, fmt, lang, out, inputs, plan, as_of)
