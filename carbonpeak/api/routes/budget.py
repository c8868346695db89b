"""Carbon budgets and the nowcast: GET /api/budget/nowcast, GET /api/budget/{year}, GET
/api/budget/{year}/notice, POST /api/budget/assess (a project file as the body) — signed-in users
(the warnings name districts); PUT /api/budget/rules and POST /api/budget/decisions — the office,
audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from carbonpeak.api.deps import CurrentUser, DatabaseDep, OfficeUser, SessionDep, SettingsDep
from carbonpeak.services import budget as service

router = APIRouter(prefix="/budget", tags=["budget"])


@router.get("/nowcast")
def nowcast(db: DatabaseDep, _user: CurrentUser) -> dict[str, Any]:
    """The city's monthly CO2 nowcast (万tCO2) with the backtest band, the backtest and coefficients."""
    return service.nowcast_view(db)


@router.get("/{year}/notice")
def notice(
    year: Annotated[int, Path(ge=1990, le=2100)],
    db: DatabaseDep,
    settings: SettingsDep,
    _user: CurrentUser,
    fmt: Annotated[str, Query(alias="format", description="html, pdf, docx or xlsx")] = "pdf",
    lang: Annotated[str, Query(description="zh or en")] = "zh",
) -> Response:
    """The monthly warning notice of the carbon budget of `year`."""
    from carbonpeak.i18n import normalise_language
    from carbonpeak.services.budget_notice import notice_bytes
    from carbonpeak.services.reports import media_type

    data = notice_bytes(year, fmt, lang=normalise_language(lang), database=db, data_dir=settings.data_dir)
    return Response(data, media_type=media_type(fmt))


@router.get("/{year}")
def budget(
    year: Annotated[int, Path(ge=1990, le=2100)], db: DatabaseDep, settings: SettingsDep, _user: CurrentUser
) -> dict[str, Any]:
    """Budget, year-to-date execution, warning level and probability of the city, sectors, districts."""
    rules, origin = service.current_rules(settings.data_dir)
    return service.budget_report(year, db, rules=rules, rules_origin=origin)


@router.post("/assess")
def assess(
    db: DatabaseDep,
    settings: SettingsDep,
    _user: CurrentUser,
    text: Annotated[
        str, Body(media_type="text/plain", max_length=200_000, description="project file (YAML)")
    ],
) -> dict[str, Any]:
    """The carbon assessment of a project file: each test with its result and source."""
    rules, origin = service.current_rules(settings.data_dir)
    with db.session() as session:
        used = service.used_offsets(session)
    return service.assess_project(text, "project.yaml", db, rules=rules, rules_origin=origin, used=used)


@router.put("/rules")
def put_rules(
    settings: SettingsDep,
    user: OfficeUser,
    session: SessionDep,
    text: Annotated[str, Body(media_type="text/plain", max_length=200_000, description="rule file (YAML)")],
) -> dict[str, Any]:
    """Make the body the office's carbon-budget rules (checked; audited with its SHA-256)."""
    return service.set_rules(session, user, text, settings.data_dir)


class DecisionIn(BaseModel):
    project: str = Field(min_length=1, max_length=200)
    decision: str = Field(max_length=32)
    reason: str = Field(max_length=4_000)
    offsets: list[str] = Field(default_factory=list, max_length=100)
    assessment_sha: str = Field(default="", max_length=64)


@router.post("/decisions", status_code=201)
def post_decision(body: DecisionIn, user: OfficeUser, session: SessionDep) -> dict[str, Any]:
    """Record the office's decision on an assessed project, its reason and offsets (audited)."""
    return service.record_decision(
        session,
        user,
        project=body.project,
        decision=body.decision,
        reason=body.reason,
        offsets=body.offsets,
        assessment_sha=body.assessment_sha,
    )
