"""`carbonpeak plan validate|show|export`: the work plan as data, checked, shown and exported."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.tree import Tree

from carbonpeak.cli.options import Format, Lang, Language, format_option
from carbonpeak.cli.output import console, print_as, print_csv
from carbonpeak.i18n import normalise_language, t
from carbonpeak.plan.schema import Plan
from carbonpeak.services.plan import CSV_COLUMNS, current_plan, plan_export, plan_rows, validate_plan_file

plan_app = typer.Typer(help="工作方案 / the carbon-peak work plan as data.", no_args_is_help=True)

FileOpt = Annotated[
    Path | None,
    typer.Option("--file", "-f", help="plan file (default: CARBONPEAK_PLAN_FILE or the packaged plan)"),
]
_SIGN = {"at_least": "≥", "at_most": "≤", "about": "≈"}


def register(app: typer.Typer) -> None:
    app.add_typer(plan_app, name="plan")


@plan_app.command("validate")
def validate(
    file: Annotated[Path | None, typer.Argument(help="plan file (default: the packaged plan)")] = None,
) -> None:
    """Check a plan file; print every problem and exit 2 if any, else print its counts."""
    summary = validate_plan_file(file)
    counts = ", ".join(f"{k} {v}" for k, v in summary.items() if isinstance(v, int))
    console().print(f"[green]OK[/] {summary['code']} ({summary['city_zh']} / {summary['city_en']}): {counts}")


@plan_app.command("show")
def show(file: FileOpt = None, lang: Lang = Language.zh) -> None:
    """Print the plan as a tree with counts."""
    out = console()
    if not out.is_terminal:
        out.width = 200  # piped (e.g. `make run | less`): do not crop lines at 80 columns
    out.print(plan_tree(current_plan(file), normalise_language(lang)))


@plan_app.command("export")
def export(
    file: FileOpt = None,
    fmt: Annotated[Format, format_option(Format.json, Format.csv)] = Format.json,
) -> None:
    """Write the plan to stdout as JSON (records by kind, each with its source) or CSV (one table)."""
    plan = current_plan(file)
    print_as(fmt, plan_export(plan), lambda: print_csv(plan_rows(plan), CSV_COLUMNS))


def plan_tree(plan: Plan, lang: str) -> Tree:
    """A rich Tree of the plan: units by kind, targets, programmes with tasks, guarantees, projects."""
    en = lang == "en"
    units = {u.code: u for u in plan.units}

    def unit_name(code: str) -> str:
        u = units.get(code)
        return code if u is None else (u.name_en if en else u.short_zh or u.name_zh)

    title = plan.title_en if en else plan.title_zh
    root = Tree(f"[bold]{title}[/] ({plan.document_no or plan.code})")

    pending = sum(x.value_pending for x in plan.targets)
    pending_label = t("plan.targets_pending", lang)
    node = root.add(f"[bold]{t('plan.targets', lang)}[/] ({len(plan.targets)}; {pending_label} {pending})")
    for x in plan.targets:
        if x.value_pending:
            value = t("plan.pending", lang)
        elif x.target_value is None:
            value = t(f"plan.metric.{x.metric}", lang)
        else:
            value = f"{_SIGN[x.direction]} {x.target_value:g} {x.unit or ''}".strip()
        base = f" vs {x.base_year}" if x.base_year else ""
        node.add(f"{x.name_en if en else x.name_zh} {x.target_year}: {value}{base}  [dim]{x.code}[/]")

    n_tasks = len(plan.tasks())
    node = root.add(
        f"[bold]{t('plan.programmes', lang)}[/] ({len(plan.programmes)}; {t('plan.tasks', lang)} {n_tasks})"
    )
    for p in plan.programmes:
        branch = node.add(f"{p.code} {p.name_en if en else p.name_zh} ({len(p.tasks)})")
        for task in p.tasks:
            lead = ", ".join(unit_name(c) for c in task.lead_units)
            branch.add(
                f"{task.code} {task.title_en if en else task.title_zh}  [dim]{lead} +{len(task.co_units)}[/]"
            )

    for key, measures in (("plan.guarantees", plan.guarantees), ("plan.organisation", plan.organisation)):
        node = root.add(f"[bold]{t(key, lang)}[/] ({len(measures)})")
        for m in measures:
            lead = ", ".join(unit_name(c) for c in m.lead_units)
            node.add(f"{m.code} {m.title_en if en else m.title_zh}  [dim]{lead}[/]")

    node = root.add(f"[bold]{t('plan.key_projects', lang)}[/] ({len(plan.key_projects)})")
    for column in sorted({p.column for p in plan.key_projects}):
        in_column = [p for p in plan.key_projects if p.column == column]
        branch = node.add(f"{t('plan.column', lang)} {column} ({len(in_column)})")
        groups: dict[str, int] = {}
        for project in in_column:
            groups[project.group] = groups.get(project.group, 0) + 1
        for group, n in groups.items():
            caps = [c.text for k in in_column if k.group == group for c in k.capacities]
            extra = f"  [dim]{', '.join(caps)}[/]" if caps else ""
            branch.add(f"{group} ({n}){extra}")

    kinds: dict[str, int] = {}
    for u in plan.units:
        kinds[u.kind] = kinds.get(u.kind, 0) + 1
    node = root.add(f"[bold]{t('plan.units', lang)}[/] ({len(plan.units)})")
    for kind, n in kinds.items():
        node.add(f"{t(f'plan.unit_kind.{kind}', lang)}: {n}")
    return root
