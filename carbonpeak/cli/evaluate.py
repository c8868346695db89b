"""`carbonpeak evaluate` (scores, grades, ranks of a year; or reproduce an archived run) and
`carbonpeak balance` (district plans against the city plan)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carbonpeak.cli.options import Format, Inputs, ListFormat, PlanFile
from carbonpeak.cli.output import emit, print_as


def register(app: typer.Typer) -> None:
    @app.command("evaluate")
    def evaluate(
        year: Annotated[int, typer.Option(help="the year evaluated")] = 2024,
        scheme: Annotated[
            Path | None, typer.Option(help="scheme file (YAML); default: the packaged one")
        ] = None,
        inputs: Inputs = None,
        plan: PlanFile = None,
        archive: Annotated[
            Path | None, typer.Option(help="folder to archive the run in (JSON record)")
        ] = None,
        reproduce: Annotated[
            Path | None, typer.Option(help="an archived run to score again and check")
        ] = None,
        fmt: ListFormat = Format.table,
        export: Annotated[
            Path | None,
            typer.Option(
                help="write the points per unit and criterion for the performance assessment (.csv/.xlsx)"
            ),
        ] = None,
    ) -> None:
        """Annual evaluation: score, grade and rank districts and departments. 年度评价。"""
        from carbonpeak.services import evaluation as svc

        if reproduce is not None:
            result = svc.reproduce_run(reproduce)
            typer.echo(
                f"reproduced {reproduce.name}: scheme {result.scheme_digest[:12]}, "
                f"inputs {result.inputs_digest[:12]}",
                err=True,
            )
        else:
            result, path = svc.run_evaluation(
                year, plan_file=plan, inputs=inputs, scheme_file=scheme, archive_dir=archive
            )
            if path is not None:
                typer.echo(f"archived {path}", err=True)
        if export is not None:
            from carbonpeak.services.performance_export import export_bytes

            data = export_bytes(result, export.suffix.lstrip(".").lower())
            export.write_bytes(data)
            typer.echo(f"{export} ({len(data):,} bytes)", err=True)
        title = f"{result.year} {result.scheme_code} v{result.scheme_version}"
        # JSON: the whole evaluation, every unit, graded or not evaluated with the reason
        print_as(fmt, svc.evaluation_document(result), lambda: emit(svc.score_rows(result), fmt, title=title))

    @app.command("balance")
    def balance(
        district: Annotated[list[Path] | None, typer.Option(help="district plan file; repeat")] = None,
        plan: Annotated[Path | None, typer.Option(help="plan file")] = None,
        fmt: ListFormat = Format.table,
    ) -> None:
        """Balance check (综合平衡) of district plans against the city plan."""
        from dataclasses import asdict

        from carbonpeak.services.evaluation import balance_for

        rows = [asdict(r) for r in balance_for(plan_file=plan, district_files=district)]
        emit(
            rows,
            fmt,
            columns=[
                "code",
                "year",
                "unit",
                "city_value",
                "district_sum",
                "gap",
                "status",
                "missing_districts",
            ],
        )
