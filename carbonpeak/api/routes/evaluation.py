"""/api/evaluation: scores, grades, ranks and rectification of a year; the district balance (office only)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from carbonpeak.api.deps import DatabaseDep, OfficeUser, SessionDep
from carbonpeak.services import evaluation as svc

router = APIRouter(prefix="/evaluation", tags=["evaluation"])


@router.get("/balance")
def balance(request: Request, user: OfficeUser) -> list[dict[str, Any]]:
    """The balance check (综合平衡) of the packaged district plans against the city plan."""
    return [asdict(r) for r in svc.balance_for(plan_file=request.app.state.settings.plan_file)]


@router.get("/{year}")
def evaluation(
    request: Request,
    user: OfficeUser,
    database: DatabaseDep,
    session: SessionDep,
    year: Annotated[int, Path(ge=2000, le=2100)],
) -> dict[str, Any]:
    """Every evaluated unit with its score, grade, rank and per-criterion breakdown (the data behind it);
    indicator criteria on the indicator engine's results for `year` on the app's database."""
    session.commit()  # end the sign-in check's transaction: the engines open their own sessions
    result, _ = svc.run_evaluation(year, plan_file=request.app.state.settings.plan_file, database=database)
    return asdict(result)
