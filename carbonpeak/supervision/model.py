"""Plain records supervision computes from: task progress, project status, reporting rounds.

These are the approved rows the submission workflow hands over (store → services → here); the
domain never reads a database. Every record may carry `version`, the id of the submission version it
came from, so a figure computed from it can be traced and reproduced.

Vocabularies (codes are stable; labels live in the i18n catalogue `supervision.status.*`):

    task status      not_started · in_progress · completed · delayed
    project status   planned · approved · under_construction · in_operation · cancelled
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal, get_args

TaskStatus = Literal["not_started", "in_progress", "completed", "delayed"]
ProjectState = Literal["planned", "approved", "under_construction", "in_operation", "cancelled"]

TASK_STATUSES: tuple[str, ...] = get_args(TaskStatus)
PROJECT_STATES: tuple[str, ...] = get_args(ProjectState)
TERMINAL_PROJECT_STATES: frozenset[str] = frozenset({"in_operation", "cancelled"})


@dataclass(frozen=True)
class TaskProgress:
    """One unit's report on one task (or guarantee / organisation item) for one round.

    `percent` is the unit's own estimate of completion, 0–100. `period` names the round
    (e.g. `2024Q2`, `2024`). `evidence` holds file names or URLs of supporting documents.
    """

    task: str
    unit: str
    period: str
    status: TaskStatus
    percent: float
    narrative: str = ""
    next_steps: str = ""
    evidence: tuple[str, ...] = ()
    reported_at: dt.date | None = None
    version: str | None = None


@dataclass(frozen=True)
class CapacityInOperation:
    """A capacity of a key project in operation: `value` in `unit` (any unit of units.csv)."""

    value: float
    unit: str


@dataclass(frozen=True)
class ProjectStatus:
    """The latest approved status of a key project (专栏 project code)."""

    project: str
    status: ProjectState
    capacity_in_operation: tuple[CapacityInOperation, ...] = ()
    start_planned: dt.date | None = None
    start_actual: dt.date | None = None
    operation_planned: dt.date | None = None
    operation_actual: dt.date | None = None
    updated_at: dt.date | None = None
    note: str = ""
    version: str | None = None


@dataclass(frozen=True)
class ReportingRecord:
    """One unit's obligation in one reporting round: when it was due, when it came, how clean it was.

    `submitted_at` is None while nothing has been submitted. `problems` is the number of problems
    found by validation on the first submission (0 = accepted first time).
    """

    unit: str
    round: str
    due: dt.date
    submitted_at: dt.date | None = None
    problems: int = 0
    version: str | None = None


@dataclass(frozen=True)
class SupervisionInputs:
    """Everything supervision and evaluation read for one period, as one value."""

    task_progress: tuple[TaskProgress, ...] = ()
    project_status: tuple[ProjectStatus, ...] = ()
    reporting: tuple[ReportingRecord, ...] = ()
    data_version: str | None = None  # a label of the data snapshot, e.g. "2025-03-31"
    flags: tuple[str, ...] = field(default=())  # e.g. ("sample",)
