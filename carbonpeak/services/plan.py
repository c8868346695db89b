"""Use cases of the plan registry: load (cached), validate, summarise, export.

current_plan(path)        the Plan in `path` (default: settings' plan file), loaded once per file version
validate_plan_file(path)  counts of a valid plan; PlanError listing every problem otherwise
plan_counts(plan)         how many records of each kind
plan_export(plan)         the JSON document of `carbonpeak plan export` and GET /api/plan
plan_rows(plan)           the same records as one flat table (CSV export)
tasks_of(plan, unit)      tasks, optionally those a unit leads or co-leads
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from carbonpeak.plan.load import DEFAULT_PLAN_FILE, load_plan
from carbonpeak.plan.schema import KeyProject, Measure, Plan, Target

EXPORT_KEYS = ("targets", "programmes", "guarantees", "organisation", "key_projects", "units")

CSV_COLUMNS = (
    "record",
    "code",
    "parent",
    "name_zh",
    "name_en",
    "indicator",
    "metric",
    "base_year",
    "target_year",
    "target_value",
    "value_pending",
    "unit",
    "direction",
    "kind",
    "category",
    "capacities",
    "lead_units",
    "co_units",
    "text_zh",
    "source_section",
    "source_quote",
)


def current_plan(path: Path | str | None = None) -> Plan:
    """The plan in `path` (default: CARBONPEAK_PLAN_FILE or the packaged plan); re-read when it changes."""
    file = Path(path) if path is not None else _settings_plan_file()
    try:
        stamp = file.stat().st_mtime_ns
    except OSError:
        stamp = -1  # load_plan reports the unreadable file
    return _cached_plan(str(file.resolve()), stamp)


@lru_cache(maxsize=8)
def _cached_plan(path: str, stamp: int) -> Plan:
    return load_plan(path)


def _settings_plan_file() -> Path:
    from carbonpeak.settings import current

    try:
        return current().plan_file
    except Exception:  # a broken environment setting must not hide the packaged plan
        return DEFAULT_PLAN_FILE


def plan_counts(plan: Plan) -> dict[str, int]:
    """Number of records of each kind (units, targets, pending targets, programmes, tasks …)."""
    return {
        "units": len(plan.units),
        "targets": len(plan.targets),
        "targets_pending": sum(t.value_pending for t in plan.targets),
        "programmes": len(plan.programmes),
        "tasks": len(plan.tasks()),
        "guarantees": len(plan.guarantees),
        "organisation": len(plan.organisation),
        "key_projects": len(plan.key_projects),
        "capacities": sum(len(p.capacities) for p in plan.key_projects),
    }


def validate_plan_file(path: Path | str | None = None) -> dict[str, Any]:
    """Code, city and counts of the plan in `path`; raises PlanError with every problem when invalid."""
    plan = load_plan(path)
    return {"code": plan.code, "city_zh": plan.city_zh, "city_en": plan.city_en, **plan_counts(plan)}


def plan_export(plan: Plan) -> dict[str, Any]:
    """The plan as JSON-ready data: exactly the keys of EXPORT_KEYS; every record has `source`."""
    data = plan.model_dump(mode="json")
    return {key: data[key] for key in EXPORT_KEYS}


def _measure_row(record: str, parent: str | None, m: Measure) -> dict[str, Any]:
    return {
        "record": record,
        "code": m.code,
        "parent": parent,
        "name_zh": m.title_zh,
        "name_en": m.title_en,
        "lead_units": "|".join(m.lead_units),
        "co_units": "|".join(m.co_units),
        "text_zh": m.text_zh,
        "source_section": m.source.section,
        "source_quote": m.source.quote,
    }


def _target_row(t: Target) -> dict[str, Any]:
    return {
        "record": "target",
        "code": t.code,
        "parent": t.task or t.programme,
        "name_zh": t.name_zh,
        "name_en": t.name_en,
        "indicator": t.indicator,
        "metric": t.metric,
        "base_year": t.base_year,
        "target_year": t.target_year,
        "target_value": t.target_value,
        "value_pending": t.value_pending,
        "unit": t.unit,
        "direction": t.direction,
        "lead_units": "|".join(t.responsible_units),
        "source_section": t.source.section,
        "source_quote": t.source.quote,
    }


def _project_row(p: KeyProject) -> dict[str, Any]:
    caps = "; ".join(
        f"{c.count}×{c.value:g} {c.unit}" if c.count > 1 else f"{c.value:g} {c.unit}" for c in p.capacities
    )
    return {
        "record": "key_project",
        "code": p.code,
        "parent": f"C{p.column}",
        "name_zh": p.name_zh,
        "name_en": p.name_en,
        "kind": p.kind,
        "category": p.category,
        "capacities": caps,
        "source_section": p.source.section,
        "source_quote": p.source.quote,
    }


def plan_rows(plan: Plan) -> list[dict[str, Any]]:
    """Every record of the plan as one row of CSV_COLUMNS (`record` says which kind it is)."""
    rows: list[dict[str, Any]] = []
    for u in plan.units:
        rows.append(
            {
                "record": "unit",
                "code": u.code,
                "name_zh": u.name_zh,
                "name_en": u.name_en,
                "kind": u.kind,
                "source_section": u.source.section if u.source else None,
                "source_quote": u.source.quote if u.source else None,
            }
        )
    rows += [_target_row(t) for t in plan.targets]
    for p in plan.programmes:
        rows.append(
            {
                "record": "programme",
                "code": p.code,
                "name_zh": p.name_zh,
                "name_en": p.name_en,
                "text_zh": p.text_zh,
                "source_section": p.source.section,
                "source_quote": p.source.quote,
            }
        )
        rows += [_measure_row("task", p.code, t) for t in p.tasks]
    rows += [_measure_row("guarantee", None, g) for g in plan.guarantees]
    rows += [_measure_row("organisation", None, o) for o in plan.organisation]
    rows += [_project_row(p) for p in plan.key_projects]
    return rows


def tasks_of(plan: Plan, unit: str | None = None) -> list[Measure]:
    """The plan's numbered tasks; with `unit`, those the unit leads or shares (by unit code)."""
    tasks = plan.tasks()
    if unit is None:
        return tasks
    return [t for t in tasks if unit in t.lead_units or unit in t.co_units]


def targets_of(plan: Plan, indicator: str | None = None) -> list[Target]:
    """The plan's targets; with `indicator`, the milestones of that indicator."""
    return [t for t in plan.targets if indicator is None or t.indicator == indicator]


def projects_of(plan: Plan, column: int | None = None) -> list[KeyProject]:
    """The key projects; with `column`, those of that column (专栏)."""
    return [p for p in plan.key_projects if column is None or p.column == column]
