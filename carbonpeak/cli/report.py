"""`carbonpeak report annual | midterm | dispatch`: reports as HTML, PDF or XLSX, in Chinese or English."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from carbonpeak.cli.output import parse_date

Fmt = Annotated[str, typer.Option("--format", help="html, pdf, docx or xlsx")]
Lang = Annotated[str, typer.Option("--lang", help="zh or en")]
Out = Annotated[Path | None, typer.Option("--out", help="file to write (default: standard output)")]
Inputs = Annotated[
    Path | None,
    typer.Option(
        "--inputs",
        help="input bundle (YAML), or `store` (the database's approved reports); default: the sample",
    ),
]
Plan = Annotated[Path | None, typer.Option("--plan", help="plan file; default: CARBONPEAK_PLAN_FILE")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD; default: the bundle's date")]


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Reports. 报告（年度进展、中期评估、调度通报）。", no_args_is_help=True)
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
        fmt: Fmt = "html",
        lang: Lang = "zh",
        out: Out = None,
        inputs: Inputs = None,
        plan: Plan = None,
        as_of: AsOf = None,
        scheme: Annotated[Path | None, typer.Option(help="evaluation scheme (YAML)")] = None,
    ) -> None:
        """Annual carbon-peak progress report. 年度进展报告。"""
        _run("annual", year, fmt, lang, out, inputs, plan, as_of, scheme)

    @group.command("midterm")
    def midterm(
        year: Annotated[int, typer.Option(help="the assessment year")] = 2025,
        fmt: Fmt = "html",
        lang: Lang = "zh",
        out: Out = None,
        inputs: Inputs = None,
        plan: Plan = None,
        as_of: AsOf = None,
    ) -> None:
        """Mid-term assessment (2025 milestones, district balance). 中期评估报告。"""
        _run("midterm", year, fmt, lang, out, inputs, plan, as_of)

    @group.command("dispatch")
    def dispatch(
        year: Annotated[int, typer.Option(help="the year of the round")] = 2024,
        fmt: Fmt = "html",
        lang: Lang = "zh",
        out: Out = None,
        inputs: Inputs = None,
        plan: Plan = None,
        as_of: AsOf = None,
    ) -> None:
        """Dispatch notice: lagging tasks and units, overdue reports, stale projects. 调度通报。"""
        _run("dispatch", year, fmt, lang, out, inputs, plan, as_of)
