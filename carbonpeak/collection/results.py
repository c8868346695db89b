"""What a valid upload yields: typed rows and the warnings that need a comment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from carbonpeak.errors import Problem


@dataclass(frozen=True)
class IndicatorValue:
    """A reported indicator value, converted to the spec's unit; `reported_*` as typed by the user."""

    code: str
    value: float
    unit: str
    reported_value: float
    reported_unit: str
    comment: str | None
    location: str


@dataclass(frozen=True)
class TaskProgress:
    """Progress of a task: `status` is a code of TASK_STATUSES, `percent` in 0–100."""

    code: str
    status: str | None
    percent: float | None
    narrative: str | None
    next_steps: str | None
    evidence: str | None
    comment: str | None
    location: str


@dataclass(frozen=True)
class ProjectReport:
    """State of a key project: `status` a code of PROJECT_STATUSES; capacity in the spec's unit."""

    code: str
    status: str | None
    capacity_in_operation: float | None
    capacity_unit: str | None
    reported_capacity: float | None
    reported_unit: str | None
    start_date: dt.date | None
    operation_date: dt.date | None
    comment: str | None
    location: str


@dataclass(frozen=True)
class ParsedUpload:
    """A file that passed validation. `sheets` are the parts it covered (a CSV covers one sheet; the
    other parts are neither read nor required). `warnings` have severity "warning";
    `uncommented_warnings` are those whose row has no comment: the workflow should refuse to submit
    while any remain (a draft may still be saved). `sha256` identifies the file's bytes."""

    unit_code: str
    year: int
    round_code: str
    template_version: str
    format: str
    filename: str
    sha256: str
    sheets: tuple[str, ...]
    indicators: tuple[IndicatorValue, ...]
    tasks: tuple[TaskProgress, ...]
    projects: tuple[ProjectReport, ...]
    warnings: tuple[Problem, ...]
    uncommented_warnings: tuple[Problem, ...]

    @property
    def ready_to_submit(self) -> bool:
        return not self.uncommented_warnings

    def indicator_values(self) -> dict[str, float]:
        """Indicator code → value in the spec's unit."""
        return {i.code: i.value for i in self.indicators}
