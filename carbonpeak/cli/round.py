"""`carbonpeak round open | list`: reporting rounds from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from carbonpeak.cli.options import Actor, Format, ListFormat, command_group, emit_listing, run_as
from carbonpeak.cli.output import parse_date


def register(app: typer.Typer) -> None:
    group = command_group(app, "round", "Reporting rounds. 填报轮次。")

    @group.command("open")
    def open_(
        period: Annotated[str, typer.Argument(help="2024, 2025H1, 2025Q3 or 2025M07")],
        due: Annotated[str, typer.Option(help="due date, YYYY-MM-DD")],
        actor: Actor,
        title: Annotated[str | None, typer.Option(help="title (default: the period)")] = None,
        unit: Annotated[list[str] | None, typer.Option(help="unit code; repeat; default every unit")] = None,
    ) -> None:
        """Open a reporting round. 开启填报轮次。"""
        from carbonpeak.services.rounds import open_round

        rnd = run_as(
            actor,
            open_round,
            period=period,
            title=title or f"{period} 填报",
            due_date=parse_date(due, "--due"),
            unit_codes=unit or None,
        )
        typer.echo(f"round {rnd.id} ({rnd.period}) open until {rnd.due_date}")

    @group.command("list")
    def list_(fmt: ListFormat = Format.table) -> None:
        """List reporting rounds. 列出填报轮次。"""
        from carbonpeak.services.rounds import list_rounds

        emit_listing(
            fmt,
            lambda session: list_rounds(session, None),
            lambda r: {
                "id": r.id,
                "period": r.period,
                "title": r.title,
                "due": r.due_date,
                "status": r.status,
            },
        )
