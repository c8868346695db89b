"""The dispatch list (调度清单): lagging tasks, lagging units, overdue reports and stale projects.

Every check returns the offending rows (an empty list when all is well), so the page, the API, the
CLI and the dispatch notice show the same list. Rules (docs/methods/evaluation.md, "Dispatch"):

    lagging task      a responsible unit's latest report for the round says `delayed` or
                      `not_started`, or its percent is below the expected percent for the round
                      minus a tolerance, or the unit has not reported on the task at all
    overdue report    due before `as_of` and not submitted (`missing`), or submitted after due (`late`)
    stale project     not in a terminal state (in operation, cancelled) and either no status at all,
                      no update for `stale_days`, or a planned start/operation date already passed

Three distinct states, for tasks and key projects alike (`state`; counted by `state_counts`):

    never_reported    nothing reported in the round (task: `no_report`; project: `no_status`)
    behind            reported, and behind: the unit says `delayed`/`not_started`, the percent is below
                      the expected one, or a planned start/operation date has passed
    stalled           reported once, and no update for `stale_days` (projects: `not_updated`)

A collective unit of the plan ("市有关部门单位") is never listed: its tasks pass to its members.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from carbonpeak.plan.schema import Measure, Plan
from carbonpeak.supervision.model import (
    TERMINAL_PROJECT_STATES,
    ProjectStatus,
    ReportingRecord,
    TaskProgress,
)

Role = Literal["lead", "co"]
LagReason = Literal["delayed", "not_started", "behind_schedule", "no_report"]
State = Literal["never_reported", "behind", "stalled"]
STATES: tuple[State, ...] = ("never_reported", "behind", "stalled")
_TASK_STATE: dict[str, State] = {
    "no_report": "never_reported",
    "delayed": "behind",
    "not_started": "behind",
    "behind_schedule": "behind",
}
_PROJECT_STATE: dict[str, State] = {
    "no_status": "never_reported",
    "start_overdue": "behind",
    "operation_overdue": "behind",
    "not_updated": "stalled",
}


@dataclass(frozen=True)
class Responsibility:
    task: str
    unit: str
    role: Role


@dataclass(frozen=True)
class LaggingTask:
    task: str
    title_zh: str
    title_en: str
    unit: str
    role: Role
    reason: LagReason
    status: str | None
    percent: float | None
    expected_percent: float | None
    narrative: str
    next_steps: str

    @property
    def state(self) -> State:
        return _TASK_STATE[self.reason]


@dataclass(frozen=True)
class OverdueReport:
    unit: str
    round: str
    due: dt.date
    submitted_at: dt.date | None
    days_late: int
    state: Literal["missing", "late"]


@dataclass(frozen=True)
class StaleProject:
    project: str
    name_zh: str
    status: str | None
    updated_at: dt.date | None
    days_since_update: int | None
    reason: Literal["no_status", "not_updated", "start_overdue", "operation_overdue"]

    @property
    def state(self) -> State:
        return _PROJECT_STATE[self.reason]


def state_counts(rows: Iterable[LaggingTask | StaleProject]) -> dict[State, int]:
    """How many rows are in each state (every state listed, 0 when none)."""
    out: dict[State, int] = dict.fromkeys(STATES, 0)
    for r in rows:
        out[r.state] += 1
    return out


@dataclass(frozen=True)
class LaggingUnit:
    unit: str
    lagging_tasks: int
    overdue_reports: int
    tasks: tuple[str, ...]


@dataclass(frozen=True)
class DispatchList:
    as_of: dt.date
    period: str | None
    lagging_tasks: tuple[LaggingTask, ...]
    lagging_units: tuple[LaggingUnit, ...]
    overdue_reports: tuple[OverdueReport, ...]
    stale_projects: tuple[StaleProject, ...]


def responsibilities(
    measures: Iterable[Measure], *, roles: Sequence[Role] = ("lead", "co")
) -> list[Responsibility]:
    """(task, unit, role) for every responsible unit of every measure, in plan order."""
    out: list[Responsibility] = []
    for m in measures:
        if "lead" in roles:
            out.extend(Responsibility(m.code, u, "lead") for u in m.lead_units)
        if "co" in roles:
            out.extend(Responsibility(m.code, u, "co") for u in m.co_units)
    return out


def latest_progress(
    rows: Iterable[TaskProgress], *, period: str | None = None
) -> dict[tuple[str, str], TaskProgress]:
    """The latest report per (task, unit): of `period` only when given, else of any period.

    Latest = greatest (period, reported_at); periods are compared as strings (`2024Q1` < `2024Q2`).
    """
    best: dict[tuple[str, str], TaskProgress] = {}
    for r in rows:
        if period is not None and r.period != period:
            continue
        key = (r.task, r.unit)
        cur = best.get(key)
        if cur is None or _order(r) > _order(cur):
            best[key] = r
    return best


def _order(r: TaskProgress) -> tuple[str, dt.date]:
    return (r.period, r.reported_at or dt.date.min)


def lagging_tasks(
    plan: Plan,
    progress: Iterable[TaskProgress],
    *,
    period: str | None = None,
    expected_percent: Mapping[str, float] | None = None,
    tolerance: float = 10.0,
    roles: Sequence[Role] = ("lead", "co"),
) -> list[LaggingTask]:
    """Every (task, responsible unit) that lags in the round, in plan order (percent: 0–100)."""
    latest = latest_progress(progress, period=period)
    expected_percent = expected_percent or {}
    measures = {m.code: m for m in plan.measures()}
    out: list[LaggingTask] = []
    for resp in responsibilities(plan.measures(), roles=roles):
        m = measures[resp.task]
        report = latest.get((resp.task, resp.unit))
        expected = expected_percent.get(resp.task)
        reason: LagReason | None
        if report is None:
            reason = "no_report"
        elif report.status == "completed":
            reason = None
        elif report.status in ("delayed", "not_started"):
            reason = report.status
        elif expected is not None and report.percent < expected - tolerance:
            reason = "behind_schedule"
        else:
            reason = None
        if reason is None:
            continue
        out.append(
            LaggingTask(
                task=resp.task,
                title_zh=m.title_zh,
                title_en=m.title_en,
                unit=resp.unit,
                role=resp.role,
                reason=reason,
                status=report.status if report else None,
                percent=report.percent if report else None,
                expected_percent=expected,
                narrative=report.narrative if report else "",
                next_steps=report.next_steps if report else "",
            )
        )
    return out


def overdue_reports(records: Iterable[ReportingRecord], *, as_of: dt.date) -> list[OverdueReport]:
    """Reports due before `as_of` that are missing or came late, most days late first."""
    out: list[OverdueReport] = []
    for r in records:
        if r.submitted_at is None:
            if r.due < as_of:
                out.append(OverdueReport(r.unit, r.round, r.due, None, (as_of - r.due).days, "missing"))
        elif r.submitted_at > r.due:
            out.append(
                OverdueReport(r.unit, r.round, r.due, r.submitted_at, (r.submitted_at - r.due).days, "late")
            )
    return sorted(out, key=lambda o: (-o.days_late, o.unit, o.round))


def stale_projects(
    plan: Plan, statuses: Iterable[ProjectStatus], *, as_of: dt.date, stale_days: int = 90
) -> list[StaleProject]:
    """Key projects that need the office's attention, in plan order (see the module rules)."""
    by_code = {s.project: s for s in statuses}
    out: list[StaleProject] = []
    for p in plan.key_projects:
        s = by_code.get(p.code)
        if s is None:
            out.append(StaleProject(p.code, p.name_zh, None, None, None, "no_status"))
            continue
        if s.status in TERMINAL_PROJECT_STATES:
            continue
        days = (as_of - s.updated_at).days if s.updated_at else None
        reason: Literal["not_updated", "start_overdue", "operation_overdue"] | None = None
        if (
            s.start_planned
            and s.start_planned < as_of
            and s.start_actual is None
            and s.status in ("planned", "approved")
        ):
            reason = "start_overdue"
        elif s.operation_planned and s.operation_planned < as_of:
            reason = "operation_overdue"
        elif days is None or days > stale_days:
            reason = "not_updated"
        if reason is not None:
            out.append(StaleProject(p.code, p.name_zh, s.status, s.updated_at, days, reason))
    return out


def lagging_units(tasks: Iterable[LaggingTask], overdue: Iterable[OverdueReport]) -> list[LaggingUnit]:
    """Units with lagging tasks or overdue reports, most lagging tasks first, then most overdue."""
    lag: dict[str, list[str]] = {}
    late: dict[str, int] = {}
    for t in tasks:
        lag.setdefault(t.unit, []).append(t.task)
    for o in overdue:
        late[o.unit] = late.get(o.unit, 0) + 1
    units = set(lag) | set(late)
    rows = [LaggingUnit(u, len(lag.get(u, [])), late.get(u, 0), tuple(lag.get(u, []))) for u in units]
    return sorted(rows, key=lambda r: (-r.lagging_tasks, -r.overdue_reports, r.unit))


def dispatch_list(
    plan: Plan,
    progress: Iterable[TaskProgress],
    statuses: Iterable[ProjectStatus],
    records: Iterable[ReportingRecord],
    *,
    as_of: dt.date,
    period: str | None = None,
    expected_percent: Mapping[str, float] | None = None,
    stale_days: int = 90,
) -> DispatchList:
    """The office's dispatch list for one round, as of one date."""
    tasks = lagging_tasks(plan, progress, period=period, expected_percent=expected_percent)
    overdue = overdue_reports(records, as_of=as_of)
    return DispatchList(
        as_of=as_of,
        period=period,
        lagging_tasks=tuple(tasks),
        lagging_units=tuple(lagging_units(tasks, overdue)),
        overdue_reports=tuple(overdue),
        stale_projects=tuple(stale_projects(plan, statuses, as_of=as_of, stale_days=stale_days)),
    )
