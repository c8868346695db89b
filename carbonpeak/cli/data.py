"""`carbonpeak data import | export | list | template`: the city's statistics as versioned records.

Review and publication go through `carbonpeak submission submit | approve | return | publish` (the
same workflow as progress reports) or the API.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from carbonpeak.cli.options import (
    Actor,
    Format,
    ListFormat,
    command_group,
    emit_listing,
    format_option,
    run_as,
)
from carbonpeak.cli.options import settings as cli_settings

Kind = Annotated[
    str,
    typer.Argument(
        help="data kind: energy_balance, gdp, value_added, population, electricity, indicators, assessment"
    ),
]
Year = Annotated[int | None, typer.Option(help="the year (required for the energy-balance template layout)")]


def register(app: typer.Typer) -> None:
    group = command_group(app, "data", "Statistics as data (能源平衡表, GDP, population …). 统计数据。")

    @group.command("import")
    def import_(
        kind: Kind,
        file: Annotated[Path, typer.Argument(help="CSV or XLSX file", exists=True, dir_okay=False)],
        actor: Actor,
        year: Year = None,
        flag: Annotated[
            str, typer.Option(help="flag of rows without one: published, estimated, sample")
        ] = "published",
        source: Annotated[
            str, typer.Option(help="the document the file transcribes (rows may name their own)")
        ] = "",
    ) -> None:
        """Check a file and store a draft record per year (nothing stored on any error). 导入统计数据。"""
        from carbonpeak.services.statistics import import_records

        subs = run_as(
            actor,
            import_records,
            kind=kind,
            filename=file.name,
            data=file.read_bytes(),
            year=year,
            flag=flag,
            source=source,
        )
        for s in subs:
            typer.echo(f"submission {s.id}: {kind} {s.year} version {s.version} ({s.flag}), draft")

    @group.command("list")
    def list_(
        kind: Annotated[str | None, typer.Option(help="only this kind")] = None,
        year: Annotated[int | None, typer.Option(help="only this year")] = None,
        flag: Annotated[
            str | None, typer.Option(help="only records flagged published, estimated or sample")
        ] = None,
        fmt: ListFormat = Format.table,
    ) -> None:
        """List the data records, every version. 列出统计数据记录。"""
        from carbonpeak.services.statistics import list_records

        emit_listing(fmt, lambda s: list_records(s, kind=kind, year=year, flag=flag), dataclasses.asdict)

    @group.command("export")
    def export(
        kind: Kind,
        year: Year = None,
        fmt: Annotated[Format, format_option(Format.csv, Format.xlsx)] = Format.csv,
        out: Annotated[Path | None, typer.Option(help="file to write (xlsx needs one; csv: stdout)")] = None,
    ) -> None:
        """The newest published version of a kind, in its import layout. 导出统计数据。"""
        from carbonpeak.cli.output import print_csv
        from carbonpeak.errors import InputError
        from carbonpeak.services.statistics import export_rows
        from carbonpeak.statistics.files import xlsx_bytes
        from carbonpeak.store.db import open_session
        from carbonpeak.validation import problem

        with open_session(cli_settings()) as session:
            rows = export_rows(session, kind, year)
        if fmt == "xlsx":
            if out is None:
                raise InputError(
                    "--format xlsx needs --out",
                    [problem("--out", "cli.out")],
                )
            out.write_bytes(xlsx_bytes(rows, sheet=kind))
            typer.echo(f"{len(rows)} rows written to {out}")
        elif out is not None:
            import csv

            with out.open("w", encoding="utf-8", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["region"])
                writer.writeheader()
                writer.writerows(rows)
            typer.echo(f"{len(rows)} rows written to {out}")
        else:
            print_csv(rows)

    @group.command("template")
    def template(
        out: Annotated[Path, typer.Argument(help="xlsx file to write")],
    ) -> None:
        """The energy-balance template (能源平衡表: sectors × fuels). 下载能源平衡表模板。"""
        from carbonpeak.statistics.files import balance_template

        out.write_bytes(balance_template())
        typer.echo(f"energy-balance template written to {out}")
