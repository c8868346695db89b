"""/api/reports/{kind}: the annual report, the mid-term assessment, the dispatch notice (office only)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from carbonpeak.api.deps import DatabaseDep, OfficeUser, SessionDep
from carbonpeak.services import reports as svc

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get("/{kind}", response_class=Response)
def report(
    request: Request,
    user: OfficeUser,
    database: DatabaseDep,
    session: SessionDep,
    kind: Literal["annual", "midterm", "dispatch"],
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
