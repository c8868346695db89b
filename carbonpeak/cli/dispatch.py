"""`carbonpeak dispatch`: the office's dispatch list (调度清单) for the round."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import typer

from carbonpeak.cli.options import AsOf, Format, Inputs, ListFormat, PlanFile
from carbonpeak.cli.output import emit, parse_date, print_as

PARTS = ("tasks", "units", "overdue", "projects")


def register(app: typer.Typer) -> None:
    @app.command("dispatch")
    def dispatch(
        part: Annotated[str, typer.Option(help="/".join(PARTS) + " (table and csv show one part)")] = "tasks",
        inputs: Inputs = None,
        plan: PlanFile = None,
        as_of: AsOf = None,
        fmt: ListFormat = Format.table,
    ) -> None:
        """Lagging tasks, lagging units, overdue reports and stale projects. 调度清单。"""
        from carbonpeak.services.supervision import dispatch_for

        d = dispatch_for(plan_file=plan, inputs=inputs, as_of=parse_date(as_of, "--as-of") if as_of else None)
        print_as(fmt, asdict(d), lambda: _print_part(d, part, fmt))


def _print_part(d: Any, part: str, fmt: str) -> None:
    """One part of the dispatch list `d` (an unknown `part`: the tasks) as a table or CSV."""
    rows: tuple[Any, ...] = {
        "tasks": d.lagging_tasks,
        "units": d.lagging_units,
        "overdue": d.overdue_reports,
        "projects": d.stale_projects,
    }[part if part in PARTS else "tasks"]
    emit([asdict(r) for r in rows], fmt, title=f"{part} — {d.as_of}")
