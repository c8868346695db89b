"""/api/reports/{kind}: the annual report, the five-year assessment (also `midterm`), the dispatch
notice; /api/reports/{kind}/{year}/summaries: the office's text of the narrative sections (office only)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from carbonpeak.api.deps import DatabaseDep, OfficeUser, SessionDep
from carbonpeak.services import report_summaries as summaries
from carbonpeak.services import reports as svc

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get("/{kind}", response_class=Response)
def report(
    request: Request,
    user: OfficeUser,
    database: DatabaseDep,
    session: SessionDep,
    kind: Literal["annual", "assessment", "midterm", "dispatch"],
    year: Annotated[int, Query(ge=2000, le=2100)] = 2024,
    format: Literal["html", "pdf", "docx", "xlsx"] = "html",
    lang: Literal["zh", "en"] = "zh",
) -> Response:
    """The report as HTML, PDF, DOCX or XLSX; results are the engines' for `year` on the app's database."""
    session.commit()  # end the sign-in check's transaction: the engines open their own sessions
    data = svc.generate_report(
        kind, format, year=year, lang=lang, plan_file=request.app.state.settings.plan_file, database=database
    )
    headers = (
        {}
        if format == "html"
        else {"Content-Disposition": f'attachment; filename="{kind}-{year}-{lang}.{format}"'}
    )
    return Response(content=data, media_type=svc.media_type(format), headers=headers)


class SummaryIn(BaseModel):
    text_zh: str = Field(min_length=1, max_length=summaries.MAX_CHARS)
    text_en: str = Field(min_length=1, max_length=summaries.MAX_CHARS)


class SummaryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    year: int
    section: str
    text_zh: str
    text_en: str
    created_by: int
    created_at: dt.datetime


@router.get("/{kind}/{year}/summaries", response_model=list[SummaryOut])
def list_summaries(
    user: OfficeUser, session: SessionDep, kind: Literal["annual", "assessment"], year: int
) -> list[SummaryOut]:
    """The newest summary of each narrative section of the report."""
    return [SummaryOut.model_validate(r) for r in summaries.current_summaries(session, kind, year).values()]


@router.put("/{kind}/{year}/summaries/{section}", response_model=SummaryOut)
def put_summary(
    body: SummaryIn,
    user: OfficeUser,
    session: SessionDep,
    kind: Literal["annual", "assessment"],
    year: int,
    section: Literal["achievements", "problems", "next_steps"],
) -> SummaryOut:
    """Store a new text of the section (the older ones stay; the newest is shown; audited)."""
    row = summaries.set_summary(
        session, user, kind=kind, year=year, section=section, text_zh=body.text_zh, text_en=body.text_en
    )
    return SummaryOut.model_validate(row)
