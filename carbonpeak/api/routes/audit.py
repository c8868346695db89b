"""/api/audit: the office reads the audit log and checks its hash chain."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel

from carbonpeak.api.deps import OfficeUser, SessionDep
from carbonpeak.services import audit as svc

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditEntryOut(BaseModel):
    seq: int
    at: str
    username: str
    action: str
    object_type: str
    object_id: str
    detail: str
    prev_hash: str
    hash: str


class FaultOut(BaseModel):
    seq: int
    rule: str
    message: str


class VerifyOut(BaseModel):
    intact: bool
    faults: list[FaultOut]


@router.get("", response_model=list[AuditEntryOut])
def list_entries(
    user: OfficeUser,
    session: SessionDep,
    object_type: str | None = None,
    object_id: str | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=10**9),
) -> list[AuditEntryOut]:
    """Newest first."""
    entries = svc.list_entries(
        session, object_type=object_type, object_id=object_id, limit=limit, offset=offset
    )
    return [AuditEntryOut.model_validate(e, from_attributes=True) for e in entries]


@router.get("/verify", response_model=VerifyOut)
def verify(user: OfficeUser, session: SessionDep) -> VerifyOut:
    faults = svc.verify_chain(session)
    return VerifyOut(intact=not faults, faults=[FaultOut(**f.as_dict()) for f in faults])  # type: ignore[arg-type]
