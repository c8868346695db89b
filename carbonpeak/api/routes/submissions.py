"""/api/submissions: upload a filled template (a new version), the review workflow, current values
and the history of every value."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from carbonpeak.api.deps import CurrentUser, SessionDep, SettingsDep
from carbonpeak.services import current
from carbonpeak.services import submissions as svc
from carbonpeak.store.models import Submission

router = APIRouter(tags=["submissions"])

Kind = Literal["indicator", "task", "project"]
Status = Literal["draft", "submitted", "approved", "returned", "published"]


class SubmissionOut(BaseModel):
    id: int
    round_id: int | None  # None for a data record (statistics)
    dataset: str | None = None  # the data kind of a data record
    year: int | None = None
    flag: str | None = None
    unit_code: str
    version: int
    status: str
    filename: str
    file_sha256: str
    file_size: int
    warnings: list[dict[str, Any]]
    uploaded_at: dt.datetime
    submitted_at: dt.datetime | None
    submit_comment: str | None
    reviewed_at: dt.datetime | None
    review_comment: str | None
    published_at: dt.datetime | None

    @classmethod
    def of(cls, s: Submission) -> SubmissionOut:
        return cls(
            id=s.id,
            round_id=s.round_id,
            dataset=s.dataset,
            year=s.year,
            flag=s.flag,
            unit_code=s.unit_code,
            version=s.version,
            status=s.status,
            filename=s.filename,
            file_sha256=s.file_sha256,
            file_size=s.file_size,
            warnings=json.loads(s.warnings),
            uploaded_at=s.uploaded_at,
            submitted_at=s.submitted_at,
            submit_comment=s.submit_comment,
            reviewed_at=s.reviewed_at,
            review_comment=s.review_comment,
            published_at=s.published_at,
        )


class RowOut(BaseModel):
    seq: int
    kind: str
    key: str
    field: str
    year: int | None
    value: float | None
    text: str | None
    unit: str | None
    comment: str | None
    location: str | None


class SubmissionDetail(SubmissionOut):
    rows: list[RowOut]


class Comment(BaseModel):
    comment: str | None = Field(default=None, max_length=4000)


class RequiredComment(BaseModel):
    comment: str = Field(min_length=1, max_length=4000)


@router.post("/rounds/{round_id}/submissions", response_model=SubmissionOut, status_code=201)
async def upload(
    round_id: int,
    file: Annotated[UploadFile, File(description="the filled template, .xlsx or .csv")],
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    unit_code: Annotated[str | None, Form(max_length=64, description="default: the user's unit")] = None,
) -> SubmissionOut:
    """Upload a filled template: checked whole, stored as a new draft version, or 422 with every problem.
    Send an `Idempotency-Key` so that a retry after a lost answer makes no second version."""
    data = await file.read(settings.max_upload_bytes + 1)
    # parsing and storing block: in a worker thread, never on the event loop (which serves everyone)
    sub = await run_in_threadpool(
        svc.import_submission,
        session,
        user,
        round_id=round_id,
        unit_code=unit_code or user.unit_code,
        filename=file.filename or "upload",
        data=data,
        max_bytes=settings.max_upload_bytes,
    )
    return SubmissionOut.of(sub)


@router.get("/submissions", response_model=list[SubmissionOut])
def list_submissions(
    user: CurrentUser,
    session: SessionDep,
    round_id: int | None = None,
    unit_code: str | None = None,
    status: Status | None = None,
) -> list[SubmissionOut]:
    subs = svc.list_submissions(session, user, round_id=round_id, unit_code=unit_code, status=status)
    return [SubmissionOut.of(s) for s in subs]


@router.get("/submissions/{submission_id}", response_model=SubmissionDetail)
def get_submission(submission_id: int, user: CurrentUser, session: SessionDep) -> SubmissionDetail:
    sub = svc.get_submission(session, user, submission_id)
    rows = [RowOut.model_validate(r, from_attributes=True) for r in svc.submission_rows(session, sub.id)]
    return SubmissionDetail(**SubmissionOut.of(sub).model_dump(), rows=rows)


@router.get(
    "/submissions/{submission_id}/file",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the uploaded file"}},
)
def download_file(submission_id: int, user: CurrentUser, session: SessionDep) -> Response:
    filename, data = svc.submission_file(session, user, submission_id)
    return Response(
        content=data,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )


@router.post("/submissions/{submission_id}/submit", response_model=SubmissionOut)
def submit(submission_id: int, body: Comment, user: CurrentUser, session: SessionDep) -> SubmissionOut:
    """draft → submitted (its unit or the office); a version with warnings needs a comment."""
    return SubmissionOut.of(svc.submit_submission(session, user, submission_id, comment=body.comment))


@router.post("/submissions/{submission_id}/approve", response_model=SubmissionOut)
def approve(
    submission_id: int, body: Comment, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> SubmissionOut:
    """submitted → approved (an office user who neither uploaded nor submitted it): its values become
    current."""
    sub = svc.approve_submission(
        session, user, submission_id, comment=body.comment, allow_self_approval=settings.allow_self_approval
    )
    return SubmissionOut.of(sub)


@router.post("/submissions/{submission_id}/return", response_model=SubmissionOut)
def return_(
    submission_id: int, body: RequiredComment, user: CurrentUser, session: SessionDep
) -> SubmissionOut:
    """submitted → returned with a comment (office)."""
    return SubmissionOut.of(svc.return_submission(session, user, submission_id, comment=body.comment))


@router.post("/submissions/{submission_id}/publish", response_model=SubmissionOut)
def publish(submission_id: int, user: CurrentUser, session: SessionDep) -> SubmissionOut:
    """approved → published (office): visible to viewers."""
    return SubmissionOut.of(svc.publish_submission(session, user, submission_id))


@router.post("/submissions/{submission_id}/unpublish", response_model=SubmissionOut)
def unpublish(
    submission_id: int, body: RequiredComment, user: CurrentUser, session: SessionDep
) -> SubmissionOut:
    """published → approved with a reason (office; audited): the version leaves the public pages."""
    return SubmissionOut.of(svc.unpublish_submission(session, user, submission_id, comment=body.comment))


@router.get("/observations/current")
def current_observations(
    user: CurrentUser,
    session: SessionDep,
    indicator: str | None = None,
    unit_code: str | None = None,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
) -> list[dict[str, Any]]:
    """Current (approved) indicator values with provenance; viewers and other units see published ones."""
    return current.visible_current(session, user, "indicator", key=indicator, unit_code=unit_code, year=year)


@router.get("/task-progress/current")
def current_task_progress(
    user: CurrentUser,
    session: SessionDep,
    task: str | None = None,
    unit_code: str | None = None,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
) -> list[dict[str, Any]]:
    """Current (approved) progress of tasks, one row per task, unit and year."""
    return current.visible_current(session, user, "task", key=task, unit_code=unit_code, year=year)


@router.get("/values/history")
def value_history(
    user: CurrentUser,
    session: SessionDep,
    kind: Kind,
    key: Annotated[str, Query(min_length=1, max_length=128)],
    unit_code: str | None = None,
) -> list[dict[str, Any]]:
    """Every version of every value of one indicator, task or project: who, when, which file, version."""
    return current.value_history(session, user, kind=kind, key=key, unit_code=unit_code)
