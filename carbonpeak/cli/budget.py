"""`carbonpeak budget`, `carbonpeak assess-project`, `carbonpeak budget-rules`, `carbonpeak project-decision`:
the carbon budget with its in-year warning, the carbon assessment of a project (docs/methods/budget.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from carbonpeak.cli.options import (
    Actor,
    DocumentFormat,
    Format,
    JsonOrTable,
    Lang,
    Language,
    Out,
    Seed,
    from_store,
    run_as,
    store_database,
    store_option,
)
from carbonpeak.cli.options import settings as cli_settings
from carbonpeak.cli.output import console, print_as, print_table, write_output

Year = Annotated[int, typer.Option(help="the budget year")]
Store = Annotated[bool, store_option("the data set and rule file of the database's snapshot")]


def _rules(store: bool) -> tuple[Any, str]:
    from carbonpeak.services.budget import current_rules

    return current_rules(cli_settings().data_dir if store else None)


def register(app: typer.Typer) -> None:
    @app.command("budget")
    def budget(
        year: Year,
        fmt: JsonOrTable = Format.table,
        store: Store = False,
    ) -> None:
        """碳预算与预警 / Carbon budget, year-to-date execution, warning level and probability."""
        from carbonpeak.services.budget import budget_report

        rules, origin = _rules(store)
        result = from_store(store, budget_report, year, rules=rules, rules_origin=origin)
        print_as(fmt, result, lambda: _print_budget(result, year))

    @app.command("assess-project")
    def assess_project(
        file: Annotated[Path, typer.Argument(help="project file (YAML)", exists=True, dir_okay=False)],
        fmt: JsonOrTable = Format.table,
        draws: Annotated[int, typer.Option(help="Monte Carlo draws of the impact engine")] = 2_000,
        seed: Seed = 1,
        store: Annotated[
            bool, store_option("the database's data set, rule file and recorded decisions")
        ] = False,
    ) -> None:
        """项目碳评 / Carbon assessment of a project: each test with its result and source."""
        from carbonpeak.services.budget import assess_project as assess
        from carbonpeak.services.budget import used_offsets

        rules, origin = _rules(store)
        with store_database(store) as database:
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
        print_as(fmt, result, lambda: _print_assessment(result))

    @app.command("budget-rules")
    def budget_rules(
        file: Annotated[
            Path, typer.Argument(help="the office's rule file (YAML)", exists=True, dir_okay=False)
        ],
        actor: Actor,
    ) -> None:
        """Make FILE the office's carbon-budget rules (checked, audited). 设定碳预算规则。"""
        from carbonpeak.services.budget import set_rules

        out = run_as(actor, set_rules, file.read_text(encoding="utf-8"), cli_settings().data_dir)
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
        from carbonpeak.services.budget import record_decision

        text = file.read_text(encoding="utf-8")
        spec = parse_project(text, file.name)
        out = run_as(
            actor,
            record_decision,
            project=str(spec.project.get("name", file.stem)),
            decision=decision,
            reason=reason,
            offsets=list(spec.assessment.offsets),
            assessment_sha=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        )
        typer.echo(f"{out['project']}: {out['decision']} (audit entry {out['audit_seq']})")

    @app.command("budget-notice")
    def budget_notice(
        year: Year,
        fmt: DocumentFormat = Format.pdf,
        lang: Lang = Language.zh,
        out: Out = None,
        store: Store = False,
    ) -> None:
        """碳排放预算执行预警通报 / The monthly warning notice of the carbon budget."""
        from carbonpeak.i18n import normalise_language
        from carbonpeak.services.budget_notice import notice_bytes

        data_dir = cli_settings().data_dir if store else None
        data = from_store(store, notice_bytes, year, fmt, lang=normalise_language(lang), data_dir=data_dir)
        write_output(data, out)


def _print_budget(result: dict[str, Any], year: int) -> None:
    t = result["target"]
    console().print(
        f"[bold]{year}[/] I_target {t['intensity']} {t['intensity_unit']}  GDP {t['gdp']} 亿元  "
        f"budget {result['city']['budget']} 万tCO2  (dataset {result['dataset']})"
    )
    cols = ("unit", "budget", "ytd", "months", "execution_ratio", "probability", "level_zh")
    print_table([result["city"], *result["sectors"], *result["districts"]], cols, title="万tCO2")


def _print_assessment(result: dict[str, Any]) -> None:
    console().print(f"[bold]{result['project']}[/]: {result['co2']} {result['unit']} → {result['result']}")
    print_table(
        [
            {"test": t["test"], "result": t["result"], "detail": t["detail_en"], "source": t["source"]}
            for t in result["tests"]
        ]
    )
