"""Enterprise carbon accounts: GET /api/enterprises (the office's view: league tables, lists, ETS,
两高), /api/enterprises/grades (every enterprise's account and grade), /api/enterprises/reconciliation
(inventory vs enterprises by industry), /api/enterprises/{uscc} (one account; an enterprise user: its
own). One service call each (services/pages/enterprise.py); the figures of the pages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from carbonpeak.api.deps import CurrentUser, get_database
from carbonpeak.services.pages import enterprise as pages

router = APIRouter(prefix="/enterprises", tags=["enterprises"])
Year = Annotated[int | None, Query(ge=1949, le=2100, description="year (default: the latest reported)")]


@router.get("")
def overview(request: Request, user: CurrentUser, year: Year = None) -> dict[str, Any]:
    """League tables by industry and district, the 高碳 / grade-5 list, ETS compliance and 两高 levels."""
    page = pages.enterprises_page(request.app.state.settings, user=user, year=year, db=get_database(request))
    return page.model_dump(mode="json")


@router.get("/grades")
def grades(request: Request, user: CurrentUser, year: Year = None) -> dict[str, Any]:
    """Every registered enterprise's account and grade of `year` (the export's rows)."""
    found, rows = pages.export_rows(user, year, get_database(request))
    return {"year": found, "rows": rows}


@router.get("/reconciliation")
def reconciliation(request: Request, user: CurrentUser, year: Year = None) -> dict[str, Any]:
    """Direct CO2 of the inventory's sectors against the sum of enterprise accounts, by industry."""
    from carbonpeak.services import enterprise as ent

    db = get_database(request)
    ent.require_all(user, ent.book(db))
    years = ent.book(db).years
    chosen = year if year in years else (years[-1] if years else None)
    return pages.reconciliation_section(db, chosen).model_dump(mode="json")


@router.get("/{uscc}")
def account(request: Request, user: CurrentUser, uscc: str, year: Year = None) -> dict[str, Any]:
    """One enterprise's account: trend, grade, anonymous position in its industry, the cut to the next
    grade."""
    page = pages.enterprise_page(
        request.app.state.settings, user=user, uscc=uscc, year=year, db=get_database(request)
    )
    return page.model_dump(mode="json")
