"""Online energy monitoring: the bulk intake of SenML packs, the published register, refusals.

The register itself is imported and reviewed as a data record (POST /api/data/meter_register, then
/api/submissions/{id}/submit|approve|publish).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from carbonpeak.api.deps import CurrentUser, SessionDep, SettingsDep
from carbonpeak.errors import InputError
from carbonpeak.services import metering as svc
from carbonpeak.validation import problem

router = APIRouter(tags=["metering"])
MAX_BODY = 64 * 1024 * 1024


@router.post("/metering/packs")
async def intake(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    """One SenML pack (RFC 8428 JSON array) or {"packs": [...]}: each pack stored whole or refused
    with its located problems (zh and en); a reading already stored with the same value is a no-op."""
    buf = bytearray()
    async for chunk in request.stream():
        buf += chunk
        if len(buf) > MAX_BODY:
            raise InputError(
                "the body is too large",
                [problem("body", "senml.size", most=MAX_BODY)],
            )
    store = svc.reading_store(settings)
    return await run_in_threadpool(svc.bulk_intake, session, store, user, bytes(buf))


@router.get("/metering/meters")
def list_meters(user: CurrentUser, session: SessionDep) -> list[dict[str, Any]]:
    """The metering points of the newest published register."""
    return [
        {**asdict(m), "name": m.name, "calibration_due": m.calibration_due.isoformat()}
        for m in svc.meters(session).values()
    ]


@router.get("/metering/rejections")
def list_rejections(
    user: CurrentUser,
    session: SessionDep,
    uscc: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """Refused packs' problems, newest first."""
    return svc.rejections(session, uscc=uscc, limit=limit)
