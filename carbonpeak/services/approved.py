"""Approved task progress and project status from the store, as typed records, and the one rule that
turns them into supervision's TaskProgress and ProjectStatus.

Map:
    approved_reports(session, year=None)   one query (report rows x submission x round, no ORM objects):
                                           ApprovedReports of TaskReport and ProjectReport, the newest
                                           approved version of each (unit, code, year)
    newest_approved(reports)               the rule "newest approved": the report approved last
                                           (approval time, then submission id) wins
    supervision_records(reports)           -> SupervisionRecords (TaskProgress per task and unit,
                                           ProjectStatus per project by newest_approved)
    cached_supervision_records(db, year)   the same, cached per store snapshot
                                           (services/published.current_snapshot)
    cached_approved_reports(db)            approved_reports of every year, cached per snapshot (the
                                           task and project pages' history)

The pages (/tasks, /projects) and the dispatch bundle (services/supervision.bundle_from_store) both
read through `supervision_records`, so a project reported by two units has one status everywhere.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.store.models import Round, Submission, SubmissionRow
from carbonpeak.supervision.model import (
    PROJECT_STATES,
    TASK_STATUSES,
    CapacityInOperation,
    ProjectStatus,
    TaskProgress,
)

if TYPE_CHECKING:
    from carbonpeak.store.db import Database

CURRENT_STATUSES = (
    "published",
)  # = services/current.PUBLIC_STATUSES: public pages show published reports only


@dataclass(frozen=True)
class Approval:
    """Where an approved report comes from: the submission (id, version, status), its file, the
    round's period and when it was approved."""

    submission_id: int
    version: int
    submission_status: str
    filename: str | None
    period: str | None
    approved_at: dt.datetime | None

    @property
    def order(self) -> tuple[dt.datetime, int]:
        """The order of approval: the approval time, then the submission id."""
        return (self.approved_at or dt.datetime.min, self.submission_id)


@dataclass(frozen=True)
class TaskReport:
    """One unit's approved report on one task for one year (percent 0–100 as reported)."""

    task: str
    unit_code: str
    year: int | None
    status: str | None
    percent: float | None
    narrative: str
    next_steps: str
    evidence: str
    comment: str
    approval: Approval


@dataclass(frozen=True)
class ProjectReport:
    """One unit's approved status of one key project for one year; capacity in `capacity_unit`."""

    project: str
    unit_code: str
    year: int | None
    status: str | None
    capacity_in_operation: float | None
    capacity_unit: str | None
    start_date: str | None
    operation_date: str | None
    comment: str
    approval: Approval


@dataclass(frozen=True)
class ApprovedReports:
    tasks: tuple[TaskReport, ...]
    projects: tuple[ProjectReport, ...]


@dataclass(frozen=True)
class SupervisionRecords:
    """Supervision's records of the approved reports, and the files they came from."""

    progress: tuple[TaskProgress, ...]
    projects: tuple[ProjectStatus, ...]
    filenames: tuple[str | None, ...]  # the distinct files the reports came from


R = TypeVar("R", TaskReport, ProjectReport)


def newest_approved(reports: Iterable[R]) -> R | None:
    """The report approved last (approval time, then submission id); None for none."""
    return max(reports, key=lambda r: r.approval.order, default=None)


def approved_reports(session: Session, *, year: int | None = None) -> ApprovedReports:
    """Published task and project reports (of `year`, or all: an approved report reaches these
    public records once the office publishes it), the newest approved
    version of each (unit, code, year), in one query of plain columns."""
    query = (
        select(
            SubmissionRow.kind,
            SubmissionRow.key,
            SubmissionRow.year,
            SubmissionRow.field,
            SubmissionRow.value,
            SubmissionRow.text,
            SubmissionRow.unit,
            SubmissionRow.comment,
            Submission.id,
            Submission.unit_code,
            Submission.version,
            Submission.status,
            Submission.filename,
            Submission.reviewed_at,
            Round.period,
        )
        .join(Submission, SubmissionRow.submission_id == Submission.id)
        .join(Round, Submission.round_id == Round.id)
        .where(SubmissionRow.kind.in_(("task", "project")), Submission.status.in_(CURRENT_STATUSES))
    )
    if year is not None:
        query = query.where(SubmissionRow.year == year)
    rows = session.execute(query.order_by(Submission.reviewed_at, Submission.id, SubmissionRow.seq)).all()
    # rows are in approval order: the last version of a (kind, unit, code, year) wins
    newest: dict[tuple[str, str, str, int | None], int] = {}
    for r in rows:
        newest[(r.kind, r.unit_code, r.key, r.year)] = r.id
    fields: dict[tuple[str, str, str, int | None], dict[str, Any]] = {}
    approvals: dict[tuple[str, str, str, int | None], Approval] = {}
    for r in rows:
        k = (r.kind, r.unit_code, r.key, r.year)
        if newest[k] != r.id:
            continue
        if k not in approvals:
            approvals[k] = Approval(r.id, r.version, r.status, r.filename, r.period, r.reviewed_at)
            fields[k] = {"comment": r.comment or ""}
        fields[k][r.field] = r.value if r.value is not None else r.text
        if r.unit:
            fields[k][f"{r.field}_unit"] = r.unit
    tasks: list[TaskReport] = []
    projects: list[ProjectReport] = []
    for k in sorted(approvals, key=lambda k: (k[0], k[2], k[1], k[3] or 0)):
        kind, unit, code, yr = k
        f = fields[k]
        if kind == "task":
            tasks.append(
                TaskReport(
                    task=code,
                    unit_code=unit,
                    year=yr,
                    status=_text(f.get("status")),
                    percent=f["percent"] if isinstance(f.get("percent"), float) else None,
                    narrative=_text(f.get("narrative")) or "",
                    next_steps=_text(f.get("next_steps")) or "",
                    evidence=_text(f.get("evidence")) or "",
                    comment=f["comment"],
                    approval=approvals[k],
                )
            )
        else:
            value = f.get("capacity_in_operation")
            projects.append(
                ProjectReport(
                    project=code,
                    unit_code=unit,
                    year=yr,
                    status=_text(f.get("status")),
                    capacity_in_operation=value if isinstance(value, float) else None,
                    capacity_unit=_text(f.get("capacity_in_operation_unit")),
                    start_date=_text(f.get("start_date")),
                    operation_date=_text(f.get("operation_date")),
                    comment=f["comment"],
                    approval=approvals[k],
                )
            )
    return ApprovedReports(tasks=tuple(tasks), projects=tuple(projects))


def supervision_records(reports: ApprovedReports) -> SupervisionRecords:
    """TaskProgress for every task report with a known status and a percent; one ProjectStatus per
    project: its newest approved report (newest_approved over the units and years that reported it),
    when that report's status is a known project state."""
    progress = tuple(
        TaskProgress(
            task=r.task,
            unit=r.unit_code,
            period=r.approval.period or "",
            status=r.status,  # type: ignore[arg-type]  # checked against TASK_STATUSES
            percent=r.percent,
            narrative=r.narrative,
            next_steps=r.next_steps,
            evidence=(r.evidence,) if r.evidence else (),
            reported_at=_day(r.approval.approved_at),
            version=str(r.approval.submission_id),
        )
        for r in reports.tasks
        if r.status in TASK_STATUSES and r.percent is not None
    )
    by_project: dict[str, list[ProjectReport]] = {}
    for p in reports.projects:
        by_project.setdefault(p.project, []).append(p)
    projects: list[ProjectStatus] = []
    for code in sorted(by_project):
        r = newest_approved(by_project[code])
        if r is None or r.status not in PROJECT_STATES:
            continue
        value, unit = r.capacity_in_operation, r.capacity_unit
        capacity = (CapacityInOperation(value, unit),) if value is not None and unit else ()
        projects.append(
            ProjectStatus(
                project=code,
                status=r.status,  # type: ignore[arg-type]  # checked against PROJECT_STATES
                capacity_in_operation=capacity,
                start_actual=_date(r.start_date),
                operation_actual=_date(r.operation_date),
                updated_at=_day(r.approval.approved_at),
                note=r.comment,
                version=str(r.approval.submission_id),
            )
        )
    # distinct, in order: the pages derive the flag from each file once per request
    filenames = tuple(
        dict.fromkeys(
            [*(r.approval.filename for r in reports.tasks), *(r.approval.filename for r in reports.projects)]
        )
    )
    return SupervisionRecords(progress=progress, projects=tuple(projects), filenames=filenames)


_CACHE: dict[tuple[int, str, int | None], SupervisionRecords] = {}
_LOCK = threading.Lock()


def cached_supervision_records(db: Database, *, year: int | None = None) -> SupervisionRecords:
    """supervision_records(approved_reports(...)) of `db`, computed once per store snapshot (the
    snapshot id changes when any record is approved or published)."""
    from carbonpeak.services.published import current_snapshot

    with db.session() as s:
        key = (id(db), current_snapshot(s).id, year)
        with _LOCK:
            found = _CACHE.get(key)
        if found is None:
            found = supervision_records(approved_reports(s, year=year))
            with _LOCK:
                if len(_CACHE) >= 16:
                    _CACHE.clear()
                _CACHE[key] = found
    return found


_REPORTS: dict[tuple[int, str], ApprovedReports] = {}


def cached_approved_reports(db: Database) -> ApprovedReports:
    """approved_reports(...) of `db` (every year), computed once per store snapshot: the task and
    project pages' history."""
    from carbonpeak.services.published import current_snapshot

    with db.session() as s:
        key = (id(db), current_snapshot(s).id)
        with _LOCK:
            found = _REPORTS.get(key)
        if found is None:
            found = approved_reports(s)
            with _LOCK:
                if len(_REPORTS) >= 8:
                    _REPORTS.clear()
                _REPORTS[key] = found
    return found


def _text(v: Any) -> str | None:
    return None if v is None else str(v)


def _day(value: dt.datetime | None) -> dt.date | None:
    return None if value is None else value.date()


def _date(value: str | None) -> dt.date | None:
    return None if not value else dt.date.fromisoformat(value[:10])


__all__: Sequence[str] = [
    "Approval",
    "ApprovedReports",
    "ProjectReport",
    "SupervisionRecords",
    "TaskReport",
    "approved_reports",
    "cached_approved_reports",
    "cached_supervision_records",
    "newest_approved",
    "supervision_records",
]
