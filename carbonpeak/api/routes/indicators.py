"""Target tracking: GET /api/indicators — progress, pace and status of every target of the plan."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from carbonpeak.api.deps import get_database
from carbonpeak.services.indicators import track_targets

router = APIRouter(prefix="/indicators", tags=["indicators"])


@router.get("")
def indicators(
    request: Request,
    region: Annotated[str | None, Query(description="region code (default: the only one observed)")] = None,
    year: Annotated[
        int | None, Query(ge=1949, le=2100, description="year judged (default: latest observed)")
    ] = None,
) -> dict[str, Any]:
    """Every target with `code`, `status`, `latest`, `progress`, `required_rate`, `achieved_rate` and an
    `explanation` in zh and en, on the current data set (services/dataset.py) with the store's approved
    observations put over it (`observations` says which)."""
    return track_targets(
        plan_file=request.app.state.settings.plan_file,
        region=region,
        year=year,
        database=get_database(request),
    ).as_dict()
