"""Tasks and key projects of the plan, with the latest progress reports and project statuses.

Progress comes from the store's approved reports (services/approved.cached_supervision_records:
the conversion the dispatch bundle uses too, cached per store snapshot) when the database holds
any, else from the supervision service's input bundle (the packaged sample, flagged `sample`).
Several units may report on one task, once per period; the task's figure is formed per period by
supervision/progress.py (the lead units' figure, else the co-operating units' mean, never mixing
periods) and shown with the period it belongs to (docs/methods/pages.md).
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from carbonpeak.errors import NotInitialised
from carbonpeak.i18n import t
from carbonpeak.plan.schema import Plan
from carbonpeak.services import approved, demo
from carbonpeak.services import supervision as supervision_service
from carbonpeak.services.pages.common import (
    CountRow,
    Named,
    PageBase,
    SourceRef,
    load_plan_for,
    reading_store,
    target_or_none,
    unit_ref,
    weakest,
)
from carbonpeak.services.pages.snapshot_cache import per_snapshot
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database
from carbonpeak.supervision import progress as progress_rule
from carbonpeak.supervision.projects import CapacityRollup, capacity_rollup

STATUS_ORDER = progress_rule.STATUS_ORDER


class TaskRow(BaseModel):
    code: str
    number: int
    programme: str
    title_zh: str
    title_en: str
    lead_units: list[Named]
    co_units: list[Named]
    status: str | None = None  # not_started · in_progress · completed · delayed
    percent: float | None = None
    period: str | None = None  # the period the status and percent belong to
    basis: str | None = None  # "lead" or "co_units" (supervision/progress.py)
    narrative: str | None = None
    source: SourceRef


class ProgrammeTasks(BaseModel):
    code: str
    number: int
    name_zh: str
    name_en: str
    tasks: list[TaskRow]


class UnitTasks(BaseModel):
    unit: Named
    kind: str
    lead: list[str]  # task codes the unit leads
    co: list[str]  # task codes it co-leads


class TasksPage(PageBase):
    plan_title_zh: str = ""
    plan_title_en: str = ""
    programmes: list[ProgrammeTasks] = Field(default_factory=list)
    units: list[UnitTasks] = Field(default_factory=list)
    task_count: int = 0  # tasks shown (after the filters)
    total: int = 0  # tasks of the plan
    status_counts: dict[str, int] = Field(default_factory=dict)  # of the tasks shown
    unit_filter: str | None = None
    filters: dict[str, str | None] = Field(default_factory=dict)
    periods: list[str] = Field(default_factory=list)  # the reported periods, oldest first
    all_programmes: list[Named] = Field(default_factory=list)


TASK_SORTS = ("code", "progress", "-progress", "status", "title")


class Supervision(BaseModel):
    """The supervision rows a page shows, and where they came from."""

    progress: list[Any] = Field(default_factory=list)  # TaskProgress records, every period
    projects: list[Any] = Field(default_factory=list)  # ProjectStatus records
    flag: str | None = None
    source: str | None = None


def supervision_rows(db: Database | None = None) -> Supervision:
    """Latest task progress and project statuses: the store's approved reports when `db` (the app's
    database) holds any, else the supervision service's input bundle (also when the store was never
    initialised; any other database error propagates)."""
    stored = _stored_rows(db) if db is not None else None
    if stored is not None:
        return stored
    path = Path(supervision_service.DEFAULT_BUNDLE)
    return _supervision_rows(str(path), path.stat().st_mtime_ns if path.exists() else -1)


@lru_cache(maxsize=4)
def _supervision_rows(path: str, _stamp: int) -> Supervision:
    """Parsing the bundle takes a while: once per version of the file."""
    bundle = supervision_service.load_bundle(path)
    flags = list(bundle.flags)
    return Supervision(
        progress=list(bundle.supervision.task_progress),
        projects=list(bundle.supervision.project_status),
        flag="sample" if "sample" in flags else ("estimated" if "estimated" in flags else "published"),
        source=bundle.source,
    )


def _stored_rows(db: Database) -> Supervision | None:
    """Approved task progress and project status rows of the store, as supervision records; None
    when the store holds none or was never initialised."""
    try:
        with reading_store(db):
            records = approved.cached_supervision_records(db)
    except NotInitialised:  # nothing stored yet; a broken store is not this case and propagates
        return None
    if not records.progress and not records.projects:
        return None
    progress, statuses = list(records.progress), list(records.projects)
    flags: list[str | None] = [
        "sample" if demo.is_demo_file(name) else "published" for name in records.filenames
    ]
    return Supervision(
        progress=progress, projects=statuses, flag=weakest(flags), source="database: approved submissions"
    )


def task_status(
    lead_units: list[str], reports: list[Any]
) -> tuple[str | None, float | None, str | None, str | None, str | None]:
    """(status, percent, period, narrative, basis) of a task's latest reported period
    (supervision/progress.py); the narrative is that of the first report forming the figure."""
    now = progress_rule.current_progress(lead_units, reports)
    if now is None:
        return None, None, None, None, None
    first = now.reports[0]
    return now.status, now.percent, now.period, first.narrative or None, now.basis


def tasks_page(
    settings: Settings,
    *,
    unit: str | None = None,
    programme: str | None = None,
    status: str | None = None,
    q: str | None = None,
    period: str | None = None,
    sort: str | None = None,
    db: Database | None = None,
) -> TasksPage:
    """The plan's tasks grouped by programme, and the responsible units with the tasks they hold;
    built once per snapshot and filter values (snapshot_cache).

    Filters: `unit` (lead or co-operating; districts are units), `programme` (P1…), `status` (of the
    figure shown; `no_data` for none), `q` (code, title or unit name), `period` (the figure of that
    period instead of the latest); `sort` within a programme: code · progress · -progress · status ·
    title."""
    filters = (unit, programme, status, q, period, sort)
    return per_snapshot("tasks", settings, db, filters, lambda: _tasks_page(settings, *filters, db=db))


def _tasks_page(
    settings: Settings,
    unit: str | None,
    programme: str | None,
    status: str | None,
    q: str | None,
    period: str | None,
    sort: str | None,
    *,
    db: Database | None,
) -> TasksPage:
    plan = load_plan_for(settings)
    if plan is None:
        return TasksPage(missing=["plan"])
    sup = supervision_rows(db)
    by_task: dict[str, list[Any]] = {}
    for r in sup.progress:
        by_task.setdefault(r.task, []).append(r)
    periods = sorted({r.period for r in sup.progress}, key=progress_rule.period_order)
    needle = q.strip().lower() if q else None
    programmes = []
    statuses: Counter[str] = Counter()
    for p in plan.programmes:
        if programme and p.code != programme:
            continue
        rows = []
        for task in p.tasks:
            if unit and unit not in task.lead_units and unit not in task.co_units:
                continue
            reports = by_task.get(task.code, [])
            if period:
                reports = [r for r in reports if r.period == period]
            t_status, percent, t_period, narrative, basis = task_status(task.lead_units, reports)
            if status and (t_status or "no_data") != status:
                continue
            lead = [unit_ref(plan, c) for c in task.lead_units]
            co = [unit_ref(plan, c) for c in task.co_units]
            if (
                needle
                and needle
                not in " ".join(
                    [
                        task.code,
                        task.title_zh,
                        task.title_en,
                        *(f"{u.name_zh} {u.name_en}" for u in lead + co),
                    ]
                ).lower()
            ):
                continue
            statuses[t_status or "no_data"] += 1
            rows.append(
                TaskRow(
                    code=task.code,
                    number=task.number,
                    programme=p.code,
                    title_zh=task.title_zh,
                    title_en=task.title_en,
                    lead_units=lead,
                    co_units=co,
                    status=t_status,
                    percent=percent,
                    period=t_period,
                    basis=basis,
                    narrative=narrative,
                    source=SourceRef(**task.source.model_dump()),
                )
            )
        _sort_tasks(rows, sort)
        if rows:
            programmes.append(
                ProgrammeTasks(code=p.code, number=p.number, name_zh=p.name_zh, name_en=p.name_en, tasks=rows)
            )
    return TasksPage(
        missing=[] if sup.progress else ["supervision"],
        flag=sup.flag if sup.progress else None,
        data_source=sup.source,
        plan_title_zh=plan.title_zh,
        plan_title_en=plan.title_en,
        programmes=programmes,
        units=_units(plan),
        task_count=sum(len(p.tasks) for p in programmes),
        total=len(plan.tasks()),
        status_counts=dict(statuses),
        unit_filter=unit,
        filters={
            "unit": unit,
            "programme": programme,
            "status": status,
            "q": q,
            "period": period,
            "sort": sort if sort in TASK_SORTS else None,
        },
        periods=periods,
        all_programmes=[Named(code=p.code, name_zh=p.name_zh, name_en=p.name_en) for p in plan.programmes],
    )


def _sort_tasks(rows: list[TaskRow], sort: str | None) -> None:
    """Sort one programme's rows in place (the plan's order by default; no data last)."""
    if sort == "progress":
        rows.sort(key=lambda r: (r.percent is None, r.percent or 0.0))
    elif sort == "-progress":
        rows.sort(key=lambda r: (r.percent is None, -(r.percent or 0.0)))
    elif sort == "status":
        order = {s: i for i, s in enumerate(STATUS_ORDER)}
        rows.sort(key=lambda r: order.get(r.status or "", len(order)))
    elif sort == "title":
        rows.sort(key=lambda r: r.title_zh)


def _units(plan: Plan) -> list[UnitTasks]:
    lead: dict[str, list[str]] = {}
    co: dict[str, list[str]] = {}
    for task in plan.tasks():
        for c in task.lead_units:
            lead.setdefault(c, []).append(task.code)
        for c in task.co_units:
            co.setdefault(c, []).append(task.code)
    units = [
        UnitTasks(unit=unit_ref(plan, u.code), kind=u.kind, lead=lead.get(u.code, []), co=co.get(u.code, []))
        for u in plan.units
        if u.code in lead or u.code in co
    ]
    units.sort(key=lambda x: (-len(x.lead), -len(x.co), x.unit.code))
    return units


# -- projects --------------------------------------------------------------------------------


class CapacityOut(BaseModel):
    quantity: str
    value: float
    unit: str
    count: int
    text: str


class ProjectRow(BaseModel):
    code: str
    column: int
    group: str
    category: str
    name_zh: str
    name_en: str | None
    kind: str
    capacities: list[CapacityOut]
    serves_targets: list[str]
    served: list[Named] = Field(default_factory=list)  # the served targets with their names
    status: str | None = None  # planned · approved · under_construction · in_operation · cancelled
    source: SourceRef


class ProjectsPage(PageBase):
    total: int = 0
    projects: list[ProjectRow] = Field(default_factory=list)
    columns: list[CountRow] = Field(default_factory=list)
    categories: list[CountRow] = Field(default_factory=list)
    targets: list[CountRow] = Field(default_factory=list)
    statuses: list[CountRow] = Field(default_factory=list)
    totals: list[CapacityRollup] = Field(default_factory=list)  # of the projects shown, in each target's unit
    shown_categories: list[CountRow] = Field(default_factory=list)  # of the projects shown
    units: list[Named] = Field(default_factory=list)  # units that report on some project
    filters: dict[str, str | None] = Field(default_factory=dict)


PROJECT_SORTS = ("code", "name", "status", "category")


def projects_page(
    settings: Settings,
    *,
    column: int | None = None,
    category: str | None = None,
    target: str | None = None,
    status: str | None = None,
    q: str | None = None,
    unit: str | None = None,
    sort: str | None = None,
    db: Database | None = None,
) -> ProjectsPage:
    """Key projects filtered by column, category, served target, status (`none` for no report),
    reporting unit and text, sorted by code · name · status · category; the capacity totals and
    the category counts are those of the projects shown. Built once per snapshot and filter values
    (snapshot_cache)."""
    filters = (column, category, target, status, q, unit, sort)
    return per_snapshot("projects", settings, db, filters, lambda: _projects_page(settings, *filters, db=db))


def _projects_page(
    settings: Settings,
    column: int | None,
    category: str | None,
    target: str | None,
    status: str | None,
    q: str | None,
    unit: str | None,
    sort: str | None,
    *,
    db: Database | None,
) -> ProjectsPage:
    plan = load_plan_for(settings)
    if plan is None:
        return ProjectsPage(missing=["plan"])
    sup = supervision_rows(db)
    status_of = {s.project: s.status for s in sup.projects}
    units_of = {p.code: plan.project_units(p) for p in plan.key_projects}
    names = {tg.code: Named(code=tg.code, name_zh=tg.name_zh, name_en=tg.name_en) for tg in plan.targets}
    rows = []
    kept = []
    for p in plan.key_projects:
        if column is not None and p.column != column:
            continue
        if category and p.category != category:
            continue
        if target and target not in p.serves_targets:
            continue
        if status and (status_of.get(p.code) or "none") != status:
            continue
        if unit and unit not in units_of[p.code]:
            continue
        if q and q.strip().lower() not in f"{p.code} {p.name_zh} {p.name_en or ''} {p.group}".lower():
            continue
        kept.append(p)
        rows.append(
            ProjectRow(
                **p.model_dump(exclude={"capacities", "source"}),
                capacities=[CapacityOut(**c.model_dump()) for c in p.capacities],
                served=[names[c] for c in p.serves_targets if c in names],
                status=status_of.get(p.code),
                source=SourceRef(**p.source.model_dump()),
            )
        )
    _sort_projects(rows, sort)
    shown_plan = plan.model_copy(update={"key_projects": kept})
    totals = [r for r in capacity_rollup(shown_plan, sup.projects) if not target or r.target == target]
    return ProjectsPage(
        missing=[] if sup.projects else ["supervision"],
        flag=sup.flag if sup.projects else None,
        data_source=sup.source,
        total=len(plan.key_projects),
        projects=rows,
        columns=[
            CountRow(key=str(c), label_zh=f"专栏{c}", label_en=f"Column {c}", count=n)
            for c, n in sorted(Counter(p.column for p in plan.key_projects).items())
        ],
        categories=[
            CountRow(
                key=c, label_zh=t(f"web.category.{c}", "zh"), label_en=t(f"web.category.{c}", "en"), count=n
            )
            for c, n in Counter(p.category for p in plan.key_projects).most_common()
        ],
        targets=_served(plan),
        statuses=[
            CountRow(
                key=s,
                label_zh=t(f"supervision.project.{s}", "zh"),
                label_en=t(f"supervision.project.{s}", "en"),
                count=n,
            )
            for s, n in Counter(
                status_of.get(p.code) for p in plan.key_projects if status_of.get(p.code)
            ).most_common()
            if s
        ],
        totals=totals,
        shown_categories=[
            CountRow(
                key=c, label_zh=t(f"web.category.{c}", "zh"), label_en=t(f"web.category.{c}", "en"), count=n
            )
            for c, n in Counter(r.category for r in rows).most_common()
        ],
        units=[unit_ref(plan, u.code) for u in plan.units if any(u.code in us for us in units_of.values())],
        filters={
            "column": str(column) if column is not None else None,
            "category": category,
            "target": target,
            "status": status,
            "q": q,
            "unit": unit,
            "sort": sort if sort in PROJECT_SORTS else None,
        },
    )


def _sort_projects(rows: list[ProjectRow], sort: str | None) -> None:
    if sort == "name":
        rows.sort(key=lambda r: r.name_zh)
    elif sort == "status":
        order = {
            s: i
            for i, s in enumerate(("cancelled", "planned", "approved", "under_construction", "in_operation"))
        }
        rows.sort(key=lambda r: order.get(r.status or "", -1))
    elif sort == "category":
        rows.sort(key=lambda r: r.category)


def _served(plan: Plan) -> list[CountRow]:
    served = Counter(code for p in plan.key_projects for code in p.serves_targets)
    out = []
    for code, n in served.most_common():
        tg = target_or_none(plan, code)
        out.append(
            CountRow(
                key=code, label_zh=tg.name_zh if tg else code, label_en=tg.name_en if tg else code, count=n
            )
        )
    return out
