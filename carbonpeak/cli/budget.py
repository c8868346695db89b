"""`carbonpeak budget`, `carbonpeak assess-project`, `carbonpeak budget-rules`, `carbonpeak project-decision`:
the carbon budget with its in-year warning, the carbon assessment of a project (docs/methods/budget.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from carbonpeak.cli.options import Actor, Format, Lang, Language, Out, format_option
from carbonpeak.cli.options import settings as cli_settings
from carbonpeak.cli.output import console, print_json, print_table

JsonOrTable = Annotated[Format, format_option(Format.json, Format.table)]


def _database(store: bool) -> Any:
    if not store:
        return None
    from carbonpeak.store.db import Database

    return Database.initialised(cli_settings())


def _rules(store: bool) -> tuple[Any, str]:
    from carbonpeak.services.budget import current_rules

    return current_rules(cli_settings().data_dir if store else None)


def register(app: typer.Typer) -> None:
    @app.command("budget")
    def budget(
        year: Annotated[int, typer.Option("--year", help="the budget year")],
        fmt: JsonOrTable = Format.table,
        store: Annotated[
            bool, typer.Option("--store", help="the data set and rule file of the database's snapshot")
        ] = False,
    ) -> None:
        """碳预算与预警 / Carbon budget, year-to-date execution, warning level and probability."""
        from carbonpeak.services.budget import budget_report

        rules, origin = _rules(store)
        database = _database(store)
        try:
            result = budget_report(year, database, rules=rules, rules_origin=origin)
        finally:
            if database is not None:
                database.dispose()
        if fmt == "json":
            print_json(result)
            return
        t = result["target"]
        console().print(
            f"[bold]{year}[/] I_target {t['intensity']} {t['intensity_unit']}  GDP {t['gdp']} 亿元  "
            f"budget {result['city']['budget']} 万tCO2  (dataset {result['dataset']})"
        )
        cols = ("unit", "budget", "ytd", "months", "execution_ratio", "probability", "level_zh")
        print_table([result["city"], *result["sectors"], *result["districts"]], cols, title="万tCO2")

    @app.command("assess-project")
    def assess_project(
        file: Annotated[Path, typer.Argument(help="project file (YAML)", exists=True, dir_okay=False)],
        fmt: JsonOrTable = Format.table,
        draws: Annotated[int, typer.Option(help="Monte Carlo draws of the impact engine")] = 2_000,
        seed: Annotated[int, typer.Option(help="random seed (recorded with the result)")] = 1,
        store: Annotated[
            bool,
            typer.Option("--store", help="the database's data set, rule file and recorded decisions"),
        ] = False,
    ) -> None:
        """项目碳评 / Carbon assessment of a project: each test with its result and source."""
        from carbonpeak.services.budget import assess_project as assess
        from carbonpeak.services.budget import used_offsets

        rules, origin = _rules(store)
        database = _database(store)
        try:
            used: dict[str, str] = {}
            if database is not None:
                with database.session() as session:
                    used = used_offsets(session)
            result = assess(
                file.read_text(encoding="utf-8"),
                file.name,
                database,
                rules=rules,
                rules_origin=origin,
                used=used,
                draws=draws,
                seed=seed,
            )
        finally:
            if database is not None:
                database.dispose()
        if fmt == "json":
            print_json(result)
            return
        console().print(
            f"[bold]{result['project']}[/]: {result['co2']} {result['unit']} → {result['result']}"
        )
        print_table(
            [
                {"test": t["test"], "result": t["result"], "detail": t["detail_en"], "source": t["source"]}
                for t in result["tests"]
            ]
        )

    @app.command("budget-rules")
    def budget_rules(
        file: Annotated[
            Path, typer.Argument(help="the office's rule file (YAML)", exists=True, dir_okay=False)
        ],
        actor: Actor,
    ) -> None:
        """Make FILE the office's carbon-budget rules (checked, audited). 设定碳预算规则。"""
        from carbonpeak.cli.round import _user
        from carbonpeak.services.budget import set_rules
        from carbonpeak.store.db import open_session

        with open_session(cli_settings()) as session:
            out = set_rules(
                session, _user(session, actor), file.read_text(encoding="utf-8"), cli_settings().data_dir
            )
        typer.echo(f"budget rules set: {out['path']} sha256 {out['sha256'][:12]}")

    @app.command("project-decision")
    def project_decision(
        file: Annotated[Path, typer.Argument(help="the assessed project file", exists=True, dir_okay=False)],
        decision: Annotated[str, typer.Option(help="approve, approve_with_conditions or reject")],
        reason: Annotated[str, typer.Option(help="the reason, as recorded")],
        actor: Actor,
    ) -> None:
        """Record the office's decision on a project and its reason (audited). 记录审查结论。"""
        import hashlib

        from carbonpeak.budget.rules import parse_project
        from carbonpeak.cli.round import _user
        from carbonpeak.services.budget import record_decision
        from carbonpeak.store.db import open_session

        text = file.read_text(encoding="utf-8")
        spec = parse_project(text, file.name)
        with open_session(cli_settings()) as session:
            out = record_decision(
                session,
                _user(session, actor),
                project=str(spec.project.get("name", file.stem)),
                decision=decision,
                reason=reason,
                offsets=list(spec.assessment.offsets),
                assessment_sha=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            )
        typer.echo(f"{out['project']}: {out['decision']} (audit entry {out['audit_seq']})")

    @app.command("budget-notice")
    def budget_notice(
        year: Annotated[int, typer.Option("--year", help="the budget year")],
        fmt: Annotated[Format, format_option(Format.html, Format.pdf, Format.docx, Format.xlsx)] = Format.pdf,
        lang: Lang = Language.zh,
        out: Out = None,
        store: Annotated[
            bool, typer.Option("--store", help="the data set and rule file of the database's snapshot")
        ] = False,
    ) -> None:
        """碳排放预算执行预警通报 / The monthly warning notice of the carbon budget."""
        import sys

        from carbonpeak.i18n import normalise_language
        from carbonpeak.services.budget_notice import notice_bytes

        database = _database(store)
        try:
            data = notice_bytes(
                year,
                fmt,
                lang=normalise_language(lang),
                database=database,
                data_dir=cli_settings().data_dir if store else None,
            )
        finally:
            if database is not None:
                database.dispose()
        if out is None:
            sys.stdout.buffer.write(data)
        else:
            out.write_bytes(data)
            typer.echo(f"{out} ({len(data):,} bytes)", err=True)
