"""Carbon budgets and the nowcast: GET /api/budget/nowcast, GET /api/budget/{year}, POST
/api/budget/assess (a project file as the body). Signed-in users (the warnings name districts)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from fastapi.responses import Response

from carbonpeak.api.deps import CurrentUser, DatabaseDep, SettingsDep
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
