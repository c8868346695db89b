"""/api/users: the office manages users; anyone reads their own record."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from carbonpeak.api.deps import CurrentUser, OfficeUser, SessionDep
from carbonpeak.services import users as svc
from carbonpeak.store.models import User

router = APIRouter(prefix="/users", tags=["users"])

Role = Literal["office", "department", "district", "enterprise", "viewer"]


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    unit_code: str
    active: bool
    created_at: dt.datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            unit_code=user.unit_code,
            active=user.active,
            created_at=user.created_at,
        )


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)
    role: Role
    unit_code: str = Field(min_length=1, max_length=64)
    display_name: str | None = Field(default=None, max_length=200)


@router.get("", response_model=list[UserOut])
def list_users(user: OfficeUser, session: SessionDep) -> list[UserOut]:
    return [UserOut.of(u) for u in svc.list_users(session, user)]


@router.post("", response_model=UserOut, status_code=201)
def create_user(body: UserIn, user: OfficeUser, session: SessionDep) -> UserOut:
    created = svc.create_user(
        session,
        username=body.username,
        password=body.password,
        role=body.role,
        unit_code=body.unit_code,
        display_name=body.display_name,
        actor=user,
    )
    return UserOut.of(created)


@router.get("/{user_id}", response_model=UserOut)
def get_user(user_id: int, user: CurrentUser, session: SessionDep) -> UserOut:
    return UserOut.of(svc.get_user(session, user, user_id))


@router.post("/{user_id}/deactivate", response_model=UserOut)
def deactivate_user(user_id: int, user: OfficeUser, session: SessionDep) -> UserOut:
    return UserOut.of(svc.set_active(session, user, user_id, False))
