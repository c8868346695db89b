"""/api/supervision: the dispatch list and the key-project capacity roll-up (office only).

Rows come from the input bundle until the store hands over approved submissions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request

from carbonpeak.api.deps import OfficeUser
from carbonpeak.services import supervision as svc

router = APIRouter(prefix="/supervision", tags=["supervision"])


@router.get("/dispatch")
def dispatch(request: Request, user: OfficeUser, as_of: dt.date | None = None) -> dict[str, Any]:
    """Lagging tasks, lagging units, overdue reports and stale key projects as of a date."""
    return asdict(svc.dispatch_for(plan_file=request.app.state.settings.plan_file, as_of=as_of))


@router.get("/capacity")
def capacity(request: Request, user: OfficeUser) -> list[dict[str, Any]]:
    """Key-project capacity planned and in operation against each target it serves."""
    rows = svc.capacity_for(plan_file=request.app.state.settings.plan_file)
    return [
        {**asdict(r), "share_in_operation": r.share_in_operation, "share_planned": r.share_planned}
        for r in rows
    ]
