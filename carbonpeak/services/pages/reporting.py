"""The reporting page: rounds open to the user's unit, their templates, the unit's submissions with
their warnings, and for the office the queue of submitted versions to approve or return.

Reads and writes go through services/rounds.py and services/submissions.py with the signed-in user
as actor, so the roles they enforce are the roles of the page: a reporting unit sees its own unit's
rounds and submissions; the office sees all and reviews; a viewer sees published ones only.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from carbonpeak.services.pages.common import PageBase


class RoundRow(BaseModel):
    id: int
    period: str
    title: str
    status: str
    due_date: str
    template_url: str | None = None  # for a reporting unit: its own template of this round


class SubmissionOut(BaseModel):
    id: int
    round_id: int | None  # None: a data record (statistics) of `kind` and `year`
    kind: str = "report"  # report, or the data kind of a data record (statistics/kinds.yaml)
    year: int | None = None
    flag: str | None = None
    file_url: str = ""
    unit_code: str
    version: int
    status: str
    filename: str
    uploaded_at: str | None = None
    warnings: list[dict[str, Any]] = Field(default_factory=list)
    submit_comment: str | None = None
    review_comment: str | None = None


class DataKindOut(BaseModel):
    code: str
    name_zh: str
    name_en: str


class ReportingPage(PageBase):
    user: str
    role: str
    unit: str
    can_upload: bool = False
    can_review: bool = False
    can_import: bool = False  # statistics records (office and departments)
    data_kinds: list[DataKindOut] = Field(default_factory=list)
    publish_queue: list[SubmissionOut] = Field(default_factory=list)  # approved, not yet published
    rounds: list[RoundRow] = Field(default_factory=list)
    submissions: list[SubmissionOut] = Field(default_factory=list)
    review_queue: list[SubmissionOut] = Field(default_factory=list)
    # of the last upload or action that failed, row by row
    problems: list[dict[str, Any]] = Field(default_factory=list)
    problem_title: str | None = None
    message: str | None = None  # of the last action that succeeded


def submission_out(s: Any) -> SubmissionOut:
    return SubmissionOut(
        id=s.id,
        round_id=s.round_id,
        kind=s.dataset or "report",
        year=s.year,
        flag=s.flag,
        file_url=f"/reporting/submissions/{s.id}/file",
        unit_code=s.unit_code,
        version=s.version,
        status=s.status,
        filename=s.filename,
        uploaded_at=s.uploaded_at.isoformat(timespec="seconds") if s.uploaded_at else None,
        warnings=json.loads(s.warnings or "[]"),
        submit_comment=s.submit_comment,
        review_comment=s.review_comment,
    )


def reporting_page(
    session: Any,
    actor: Any,
    *,
    problems: list[dict[str, Any]] | None = None,
    problem_title: str | None = None,
    message: str | None = None,
) -> ReportingPage:
    """What `actor` may see and do in reporting (a database session and the signed-in user row)."""
    from carbonpeak.services import rounds, submissions
    from carbonpeak.services.users import REPORTING_ROLES

    reporting = actor.role in REPORTING_ROLES
    round_rows = [
        RoundRow(
            id=r.id,
            period=r.period,
            title=r.title,
            status=r.status,
            due_date=r.due_date.isoformat(),
            template_url=f"/reporting/rounds/{r.id}/template" if reporting else None,
        )
        for r in rounds.list_rounds(session, actor)
    ]
    subs = [submission_out(s) for s in submissions.list_submissions(session, actor)]
    from carbonpeak.services.statistics import DATA_ROLES
    from carbonpeak.statistics import data_kinds

    office = actor.role == "office"
    queue = (
        [submission_out(s) for s in submissions.list_submissions(session, actor, status="submitted")]
        if office
        else []
    )
    to_publish = (
        [submission_out(s) for s in submissions.list_submissions(session, actor, status="approved")]
        if office
        else []
    )
    return ReportingPage(
        user=actor.display_name or actor.username,
        role=actor.role,
        unit=actor.unit_code,
        can_upload=reporting,
        can_review=office,
        can_import=actor.role in DATA_ROLES,
        data_kinds=[
            DataKindOut(code=k.code, name_zh=k.name_zh, name_en=k.name_en) for k in data_kinds().values()
        ],
        publish_queue=to_publish,
        rounds=round_rows,
        submissions=sorted(subs, key=lambda s: -s.id),
        review_queue=queue,
        problems=problems or [],
        problem_title=problem_title,
        message=message,
    )
