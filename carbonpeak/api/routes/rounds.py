"""/api/rounds: the office opens and closes reporting rounds; units download their templates."""

from __future__ import annotations

import datetime as dt
import json
from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from carbonpeak.api.deps import CurrentUser, OfficeUser, SessionDep
from carbonpeak.services import rounds as svc
from carbonpeak.store.models import Round

router = APIRouter(prefix="/rounds", tags=["rounds"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RoundIn(BaseModel):
    period: str = Field(min_length=4, max_length=16, examples=["2024", "2025H1"])
    title: str = Field(min_length=1, max_length=200)
    due_date: dt.date
    unit_codes: list[str] | None = Field(default=None, description="default: every unit of the current plan")
    templates: list[Literal["indicator", "task", "project"]] | None = None


class RoundOut(BaseModel):
    id: int
    period: str
    year: int
    title: str
    due_date: dt.date
    status: str
    templates: list[str]
    plan_version_id: int
    unit_codes: list[str]

    @classmethod
    def of(cls, rnd: Round, units: list[str]) -> RoundOut:
        return cls(
            id=rnd.id,
            period=rnd.period,
            year=rnd.year,
            title=rnd.title,
            due_date=rnd.due_date,
            status=rnd.status,
            templates=json.loads(rnd.templates),
            plan_version_id=rnd.plan_version_id,
            unit_codes=units,
        )


@router.get("", response_model=list[RoundOut])
def list_rounds(user: CurrentUser, session: SessionDep) -> list[RoundOut]:
    return [RoundOut.of(r, svc.round_units(session, r.id)) for r in svc.list_rounds(session, user)]


@router.post("", response_model=RoundOut, status_code=201)
def open_round(body: RoundIn, user: OfficeUser, session: SessionDep) -> RoundOut:
    rnd = svc.open_round(
        session,
        user,
        period=body.period,
        title=body.title,
        due_date=body.due_date,
        unit_codes=body.unit_codes,
        templates=list(body.templates) if body.templates else None,
    )
    return RoundOut.of(rnd, svc.round_units(session, rnd.id))


@router.get("/{round_id}", response_model=RoundOut)
def get_round(round_id: int, user: CurrentUser, session: SessionDep) -> RoundOut:
    rnd = svc.get_round(session, user, round_id)
    return RoundOut.of(rnd, svc.round_units(session, rnd.id))


@router.post("/{round_id}/close", response_model=RoundOut)
def close_round(round_id: int, user: OfficeUser, session: SessionDep) -> RoundOut:
    rnd = svc.close_round(session, user, round_id)
    return RoundOut.of(rnd, svc.round_units(session, rnd.id))


@router.get(
    "/{round_id}/template/{unit_code}",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "the unit's template (xlsx)"}},
)
def download_template(round_id: int, unit_code: str, user: CurrentUser, session: SessionDep) -> Response:
    """The .xlsx template of one unit for this round, built from the plan."""
    filename, data = svc.download_template(session, user, round_id, unit_code)
    disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
    return Response(content=data, media_type=XLSX, headers={"Content-Disposition": disposition})
