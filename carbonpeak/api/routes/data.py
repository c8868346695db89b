"""Statistics as data: import a file of a data kind, list records, read the snapshot.

Review and publication use the submission routes (/api/submissions/{id}/submit|approve|publish).
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, UploadFile
from fastapi.concurrency import run_in_threadpool

from carbonpeak.api.deps import CurrentUser, SessionDep, SettingsDep
from carbonpeak.api.routes.submissions import SubmissionOut
from carbonpeak.services import statistics as svc

router = APIRouter(tags=["data"])


@router.post("/data/{kind}", response_model=list[SubmissionOut], status_code=201)
async def import_data(
    kind: Annotated[str, Path(max_length=32, description="data kind (statistics/kinds.yaml)")],
    file: Annotated[UploadFile, File(description="CSV or XLSX in the kind's layout")],
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    year: Annotated[int | None, Form(ge=1900, le=2100)] = None,
    flag: Annotated[str, Form(max_length=16)] = "published",
    source: Annotated[str, Form(max_length=2000)] = "",
) -> list[SubmissionOut]:
    """Check a file and store one draft record per year, or 422 with every located problem."""
    data = await file.read(settings.max_upload_bytes + 1)
    # parsing and storing block: in a worker thread, never on the event loop (which serves everyone)
    subs = await run_in_threadpool(
        svc.import_records,
        session,
        user,
        kind=kind,
        filename=file.filename or "upload",
        data=data,
        year=year,
        flag=flag,
        source=source,
        max_bytes=settings.max_upload_bytes,
    )
    return [SubmissionOut.of(s) for s in subs]


@router.get("/data")
def list_data(
    user: CurrentUser,
    session: SessionDep,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    flag: Annotated[str | None, Query(max_length=16)] = None,
) -> list[dict[str, Any]]:
    """Every version of every data record."""
    return [dataclasses.asdict(r) for r in svc.list_records(session, kind=kind, year=year, flag=flag)]


@router.get("/snapshot")
def snapshot(session: SessionDep) -> dict[str, Any]:
    """The current snapshot: its id and how many records and reports it holds."""
    return svc.current_snapshot(session).as_dict()
