"""One task (/tasks/{code}) and one key project (/projects/{code}): the plan's text, the units, the
targets it serves with their milestones, the figure per period and every approved report behind it.

    task_page(settings, code, db=…)      TaskPage: text, lead and co-operating units, targets, the
                                         progress per period (supervision/progress.py) and the
                                         approved reports by unit and period (values, narratives,
                                         files, submission versions)
    project_page(settings, code, db=…)   ProjectPage: text, capacities, served targets, current
                                         status and the approved status reports by unit and period

Reports come from the store's approved submissions (services/approved.cached_approved_reports, the
same rows the /tasks and /projects lists read) when it holds any, else from the supervision
sample bundle (flagged `sample`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from carbonpeak.errors import NotFound, NotInitialised
from carbonpeak.i18n import t
from carbonpeak.plan.schema import KeyProject, Measure, Plan, Target
from carbonpeak.services import approved
from carbonpeak.services.pages.common import (
    Named,
    PageBase,
    SourceRef,
    load_plan_for,
    reading_store,
    unit_ref,
)
from carbonpeak.services.pages.plan_pages import CapacityOut, supervision_rows
from carbonpeak.services.pages.snapshot_cache import per_snapshot
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database
from carbonpeak.supervision import progress as progress_rule


class TargetRef(BaseModel):
    """A target (a milestone of its indicator) as a task or project page lists it."""

    code: str
    name_zh: str
    name_en: str
    target_year: int
    target_value: float | None
    unit: str | None
    base_year: int | None
    base_value: float | None
    direction: str


class PeriodOut(BaseModel):
    period: str
    status: str
    percent: float
    basis: str  # lead · co_units
    units: list[Named]


class TaskReportOut(BaseModel):
    """One unit's approved report of one period."""

    unit: Named
    period: str
    year: int | None = None
    status: str | None = None
    percent: float | None = None
    narrative: str = ""
    next_steps: str = ""
    evidence: list[str] = Field(default_factory=list)
    file: str | None = None
    submission_id: int | None = None
    version: int | None = None
    approved_on: dt.date | None = None
    in_figure: bool = False  # the report forms the task's figure of its period


class RelatedProject(BaseModel):
    code: str
    name_zh: str
    name_en: str | None
    status: str | None = None


class TaskPage(PageBase):
    code: str
    number: int
    programme: Named
    title_zh: str
    title_en: str
    text_zh: str
    lead_units: list[Named]
    co_units: list[Named]
    source: SourceRef
    current: PeriodOut | None = None
    periods: list[PeriodOut] = Field(default_factory=list)
    reports: list[TaskReportOut] = Field(default_factory=list)
    targets: list[TargetRef] = Field(default_factory=list)
    projects: list[RelatedProject] = Field(default_factory=list)


class ProjectReportOut(BaseModel):
    unit: Named | None = None
    period: str | None = None
    year: int | None = None
    status: str | None = None
    capacity_in_operation: float | None = None
    capacity_unit: str | None = None
    start_date: str | None = None
    operation_date: str | None = None
    comment: str = ""
    file: str | None = None
    submission_id: int | None = None
    version: int | None = None
    approved_on: dt.date | None = None


class ProjectPage(PageBase):
    code: str
    column: int
    column_title_zh: str = ""
    column_title_en: str = ""
    group: str
    subgroup: str | None = None
    category: str
    category_zh: str
    category_en: str
    name_zh: str
    name_en: str | None
    kind: str
    capacities: list[CapacityOut]
    source: SourceRef
    units: list[Named] = Field(default_factory=list)  # the units that report on it
    status: str | None = None
    reports: list[ProjectReportOut] = Field(default_factory=list)
    targets: list[TargetRef] = Field(default_factory=list)


def _target_ref(tg: Target) -> TargetRef:
    return TargetRef(
        code=tg.code,
        name_zh=tg.name_zh,
        name_en=tg.name_en,
        target_year=tg.target_year,
        target_value=tg.target_value,
        unit=tg.unit,
        base_year=tg.base_year,
        base_value=tg.base_value,
        direction=str(tg.direction),
    )


def _find_task(plan: Plan, code: str) -> tuple[Measure, Any]:
    for p in plan.programmes:
        for task in p.tasks:
            if task.code == code:
                return task, p
    raise NotFound(f"no task {code!r} in the plan", message_zh=f"方案中没有任务 {code}")


def _stored(db: Database | None) -> approved.ApprovedReports | None:
    if db is None:
        return None
    try:
        with reading_store(db):
            reports = approved.cached_approved_reports(db)
    except NotInitialised:
        return None
    return reports if reports.tasks or reports.projects else None


def task_page(settings: Settings, code: str, *, db: Database | None = None) -> TaskPage:
    """One task of the plan with its figure per period and the reports behind it; built once per
    snapshot (snapshot_cache)."""
    return per_snapshot("task", settings, db, (code,), lambda: _task_page(settings, code, db))


def _task_page(settings: Settings, code: str, db: Database | None) -> TaskPage:
    plan = load_plan_for(settings)
    if plan is None:
        raise NotFound("no plan is loaded", message_zh="尚未载入方案")
    task, programme = _find_task(plan, code)
    sup = supervision_rows(db)
    mine = [r for r in sup.progress if r.task == code]
    periods = progress_rule.progress_by_period(task.lead_units, mine)

    def period_out(p: progress_rule.PeriodProgress) -> PeriodOut:
        return PeriodOut(
            period=p.period,
            status=p.status,
            percent=p.percent,
            basis=p.basis,
            units=[unit_ref(plan, u) for u in p.units],
        )

    used = {(u, p.period) for p in periods for u in p.units}
    stored = _stored(db) if sup.source and sup.source.startswith("database") else None
    reports: list[TaskReportOut] = []
    if stored is not None:
        for r in stored.tasks:
            if r.task != code:
                continue
            period = r.approval.period or (str(r.year) if r.year else "")
            reports.append(
                TaskReportOut(
                    unit=unit_ref(plan, r.unit_code),
                    period=period,
                    year=r.year,
                    status=r.status,
                    percent=r.percent,
                    narrative=r.narrative,
                    next_steps=r.next_steps,
                    evidence=[r.evidence] if r.evidence else [],
                    file=r.approval.filename,
                    submission_id=r.approval.submission_id,
                    version=r.approval.version,
                    approved_on=r.approval.approved_at.date() if r.approval.approved_at else None,
                    in_figure=(r.unit_code, period) in used,
                )
            )
    else:
        for p in periods:
            for rep in p.reports:
                reports.append(
                    TaskReportOut(
                        unit=unit_ref(plan, rep.unit),
                        period=rep.period,
                        status=rep.status,
                        percent=rep.percent,
                        narrative=rep.narrative,
                        next_steps=rep.next_steps,
                        evidence=list(rep.evidence),
                        approved_on=rep.reported_at,
                        in_figure=rep.unit in p.units,
                    )
                )
    # newest period first; within a period the reports forming the figure first (a stable sort)
    reports.sort(key=lambda r: (not r.in_figure, r.unit.code))
    reports.sort(key=lambda r: progress_rule.period_order(r.period), reverse=True)
    targets = [_target_ref(tg) for tg in plan.targets if tg.task == code]
    served = {tg.code for tg in targets}
    status_of = {s.project: s.status for s in sup.projects}
    projects = [
        RelatedProject(code=p.code, name_zh=p.name_zh, name_en=p.name_en, status=status_of.get(p.code))
        for p in plan.key_projects
        if served.intersection(p.serves_targets)
    ]
    return TaskPage(
        missing=[] if mine else ["supervision"],
        flag=sup.flag if mine else None,
        data_source=sup.source if mine else None,
        code=task.code,
        number=task.number,
        programme=Named(code=programme.code, name_zh=programme.name_zh, name_en=programme.name_en),
        title_zh=task.title_zh,
        title_en=task.title_en,
        text_zh=task.text_zh,
        lead_units=[unit_ref(plan, c) for c in task.lead_units],
        co_units=[unit_ref(plan, c) for c in task.co_units],
        source=SourceRef(**task.source.model_dump()),
        current=period_out(periods[-1]) if periods else None,
        periods=[period_out(p) for p in periods],
        reports=reports,
        targets=sorted(targets, key=lambda x: (x.target_year, x.code)),
        projects=projects,
    )


def _find_project(plan: Plan, code: str) -> KeyProject:
    for p in plan.key_projects:
        if p.code == code:
            return p
    raise NotFound(f"no key project {code!r} in the plan", message_zh=f"方案中没有重点项目 {code}")


def project_page(settings: Settings, code: str, *, db: Database | None = None) -> ProjectPage:
    """One key project with its status reports and the targets it serves; built once per snapshot
    (snapshot_cache)."""
    return per_snapshot("project", settings, db, (code,), lambda: _project_page(settings, code, db))


def _project_page(settings: Settings, code: str, db: Database | None) -> ProjectPage:
    plan = load_plan_for(settings)
    if plan is None:
        raise NotFound("no plan is loaded", message_zh="尚未载入方案")
    project = _find_project(plan, code)
    sup = supervision_rows(db)
    current = next((s for s in sup.projects if s.project == code), None)
    stored = _stored(db) if sup.source and sup.source.startswith("database") else None
    reports: list[ProjectReportOut] = []
    if stored is not None:
        for r in stored.projects:
            if r.project != code:
                continue
            reports.append(
                ProjectReportOut(
                    unit=unit_ref(plan, r.unit_code),
                    period=r.approval.period or (str(r.year) if r.year else None),
                    year=r.year,
                    status=r.status,
                    capacity_in_operation=r.capacity_in_operation,
                    capacity_unit=r.capacity_unit,
                    start_date=r.start_date,
                    operation_date=r.operation_date,
                    comment=r.comment,
                    file=r.approval.filename,
                    submission_id=r.approval.submission_id,
                    version=r.approval.version,
                    approved_on=r.approval.approved_at.date() if r.approval.approved_at else None,
                )
            )
        reports.sort(key=lambda r: (progress_rule.period_order(r.period or ""), r.approved_on or dt.date.min))
        reports.reverse()
    elif current is not None:
        cap = current.capacity_in_operation[0] if current.capacity_in_operation else None
        reports.append(
            ProjectReportOut(
                status=current.status,
                capacity_in_operation=cap.value if cap else None,
                capacity_unit=cap.unit if cap else None,
                start_date=current.start_actual.isoformat() if current.start_actual else None,
                operation_date=current.operation_actual.isoformat() if current.operation_actual else None,
                comment=current.note,
                approved_on=current.updated_at,
            )
        )
    column = next((c for c in plan.columns if c.number == project.column), None)
    return ProjectPage(
        missing=[] if current else ["supervision"],
        flag=sup.flag if current else None,
        data_source=sup.source if current else None,
        code=project.code,
        column=project.column,
        column_title_zh=column.title_zh if column else "",
        column_title_en=column.title_en if column else "",
        group=project.group,
        subgroup=project.subgroup,
        category=project.category,
        category_zh=t(f"web.category.{project.category}", "zh"),
        category_en=t(f"web.category.{project.category}", "en"),
        name_zh=project.name_zh,
        name_en=project.name_en,
        kind=str(project.kind),
        capacities=[CapacityOut(**c.model_dump()) for c in project.capacities],
        source=SourceRef(**project.source.model_dump()),
        units=[unit_ref(plan, u) for u in plan.project_units(project)],
        status=current.status if current else None,
        reports=reports,
        targets=[_target_ref(plan.target(c)) for c in project.serves_targets if _has(plan, c)],
    )


def _has(plan: Plan, code: str) -> bool:
    return any(tg.code == code for tg in plan.targets)


__all__ = ["ProjectPage", "TaskPage", "project_page", "task_page"]
