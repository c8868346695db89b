"""`carbonpeak init`: create or upgrade the database and load the plan file as a plan version."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carbonpeak.cli.options import settings as cli_settings


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init(
        plan: Annotated[Path | None, typer.Option(help="plan YAML (default: CARBONPEAK_PLAN_FILE)")] = None,
    ) -> None:
        """Create the database and load the plan; a changed plan becomes a new version. 初始化数据库。"""
        from carbonpeak.plan.load import load_plan
        from carbonpeak.services.init import init_database
        from carbonpeak.store.db import Database

        settings = cli_settings()
        path = plan or settings.plan_file
        db = Database.from_settings(settings)
        try:
            result = init_database(db, load_plan(path), source_file=str(path))
        finally:
            db.dispose()
        state = "loaded as" if result.created else "unchanged, still"
        typer.echo(
            f"plan {result.plan_code} {state} version {result.plan_version} "
            f"({result.units_added} units added, {result.units_retired} retired) in {db.url}"
        )
