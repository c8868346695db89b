"""/api/auth: sign in for an API token or a web session, sign out, who am I."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from carbonpeak.api.deps import CurrentUser, SessionDep, SettingsDep
from carbonpeak.api.routes.users import UserOut
from carbonpeak.auth import SESSION_COOKIE, csrf_token
from carbonpeak.services import users as svc

router = APIRouter(prefix="/auth", tags=["auth"])


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)
    name: str = Field(default="api", max_length=100)


class TokenOut(BaseModel):
    token: str
    token_type: str = "bearer"
    user: UserOut


class SessionOut(BaseModel):
    csrf_token: str
    user: UserOut


class TaskRole(BaseModel):
    code: str
    role: str


class MeOut(UserOut):
    tasks: list[TaskRole]


@router.post("/token", response_model=TokenOut)
def issue_token(body: Credentials, session: SessionDep) -> TokenOut:
    """Exchange a username and password for an API token (send it as `Authorization: Bearer …`)."""
    user = svc.authenticate(session, body.username, body.password)
    return TokenOut(token=svc.issue_token(session, user, kind="api", name=body.name), user=UserOut.of(user))


@router.post("/session", response_model=SessionOut)
def open_session(
    body: Credentials, response: Response, session: SessionDep, settings: SettingsDep
) -> SessionOut:
    """Sign in a browser: sets the HttpOnly session cookie and returns its CSRF token."""
    user = svc.authenticate(session, body.username, body.password)
    token = svc.issue_token(session, user, kind="session", name="web")
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        max_age=int(svc.SESSION_LIFETIME.total_seconds()),
    )
    return SessionOut(csrf_token=csrf_token(settings.resolved_secret_key(), token), user=UserOut.of(user))


@router.post("/logout", status_code=204)
def logout(request: Request, response: Response, user: CurrentUser, session: SessionDep) -> Response:
    """Revoke the token or session this request was made with."""
    header = request.headers.get("authorization", "")
    token = (
        header[7:].strip()
        if header.lower().startswith("bearer ")
        else request.cookies.get(SESSION_COOKIE, "")
    )
    svc.revoke_token(session, token)
    out = Response(status_code=204)
    out.delete_cookie(SESSION_COOKIE)
    return out


@router.get("/me", response_model=MeOut)
def me(user: CurrentUser, session: SessionDep) -> MeOut:
    """The signed-in user, with the tasks its unit leads or co-leads in the current plan."""
    tasks = [TaskRole(code=c, role=r) for c, r in svc.unit_tasks(session, user.unit_code)]
    return MeOut(**UserOut.of(user).model_dump(), tasks=tasks)
