"""/api/auth: sign in for an API token or a web session, sign out, who am I."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from carbonpeak.api.deps import CurrentUser, SessionDep, SettingsDep
from carbonpeak.api.routes.users import UserOut
from carbonpeak.auth import SESSION_COOKIE, cookie_is_secure, csrf_token, set_session_cookie
from carbonpeak.services import users as svc
from carbonpeak.store.models import User

router = APIRouter(prefix="/auth", tags=["auth"])


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)
    name: str = Field(default="api", max_length=100)


class TokenOut(BaseModel):
    token: str
    token_type: str = "bearer"
    expires_at: dt.datetime
    user: UserOut


class SessionOut(BaseModel):
    csrf_token: str
    user: UserOut


class TaskRole(BaseModel):
    code: str
    role: str


class MeOut(UserOut):
    tasks: list[TaskRole]


def _authenticate(request: Request, session: SessionDep, body: Credentials) -> User:
    address = request.client.host if request.client else None
    throttle = request.app.state.login_throttle
    return svc.authenticate(session, body.username, body.password, address=address, throttle=throttle)


@router.post("/token", response_model=TokenOut)
def issue_token(body: Credentials, request: Request, session: SessionDep, settings: SettingsDep) -> TokenOut:
    """Exchange a username and password for an API token (send it as `Authorization: Bearer …`).
    Failed log-ins are throttled per account and address (429 with Retry-After)."""
    user = _authenticate(request, session, body)
    token = svc.issue_token(session, user, kind="api", name=body.name, lifetime=settings.api_token_lifetime)
    return _token_out(session, token, user)


@router.post("/token/rotate", response_model=TokenOut)
def rotate_token(user: CurrentUser, session: SessionDep, settings: SettingsDep, request: Request) -> TokenOut:
    """Exchange the API token this request is made with for a new one (same name, a fresh lifetime);
    the old one stops working at once."""
    token = svc.rotate_token(session, _bearer(request), lifetime=settings.api_token_lifetime)
    return _token_out(session, token, user)


def _token_out(session: Session, token: str, user: User) -> TokenOut:
    expires = svc.token_expiry(session, token)
    assert expires is not None  # API tokens always expire
    return TokenOut(token=token, expires_at=expires, user=UserOut.of(user))


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


@router.post("/session", response_model=SessionOut)
def open_session(
    body: Credentials, request: Request, response: Response, session: SessionDep, settings: SettingsDep
) -> SessionOut:
    """Sign in a browser: sets the HttpOnly session cookie (Secure over HTTPS) and returns its CSRF token."""
    user = _authenticate(request, session, body)
    token = svc.issue_token(session, user, kind="session", name="web")
    set_session_cookie(
        response,
        token,
        max_age=int(svc.SESSION_LIFETIME.total_seconds()),
        secure=cookie_is_secure(settings.secure_cookies, request.url.scheme),
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
