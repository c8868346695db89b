"""Web sessions: the signed-in user of a request, log-in and log-out, CSRF on forms.

Delegates to carbonpeak.auth (cookie name, CSRF tokens) and carbonpeak.services.users (password
check, session tokens), on the app's one database (store.db.shared_database). A request without a valid
session is anonymous (`ctx.user is None`): the public pages show; reporting asks to log in.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import Request  # at run time: FastAPI reads web_context's signature (a dependency)

from carbonpeak.errors import NotAuthenticated, PermissionDenied

if TYPE_CHECKING:
    from fastapi.responses import Response

    from carbonpeak.web.context import WebContext


@dataclass(frozen=True)
class WebUser:
    """The signed-in user as pages see it (a plain copy, not a database row)."""

    id: int
    username: str
    display_name: str
    role: str
    unit_code: str


def database(request: Request) -> Any:
    """The app's Database (shared with the API: store.db.shared_database), opened on first use."""
    from carbonpeak.store.db import shared_database

    return shared_database(request.app.state)


def _users() -> Any:
    try:
        from carbonpeak.services import users
    except ImportError:
        return None
    return users


def _snapshot(user: Any) -> WebUser:
    return WebUser(
        id=user.id,
        username=user.username,
        display_name=user.display_name or user.username,
        role=user.role,
        unit_code=user.unit_code,
    )


def web_context(request: Request) -> WebContext:
    """The request's context: language, settings and the signed-in user (None when anonymous)."""
    from carbonpeak.web.context import anonymous_context

    ctx = anonymous_context(request)
    attach_user(ctx)
    return ctx


def attach_user(ctx: WebContext) -> None:
    """Set `ctx.user` and `ctx.csrf_token` from the session cookie, if it holds a live session."""
    try:
        from carbonpeak import auth
    except ImportError:
        return
    token = ctx.request.cookies.get(auth.SESSION_COOKIE)
    users, db = _users(), database(ctx.request)
    if not token or users is None or db is None:
        return
    try:
        with db.session(read_only=True) as s:
            ctx.user = _snapshot(users.user_for_token(s, token))
        ctx.request.state.user = ctx.user.username  # for the access log line (carbonpeak/logs.py)
    except NotAuthenticated:
        return
    except Exception:  # a database not initialised yet has no users: anonymous
        return
    ctx.csrf_token = auth.csrf_token(ctx.settings.resolved_secret_key(), token)


def available(request: Request) -> bool:
    return _users() is not None and database(request) is not None


def log_in(request: Request, response: Response, username: str, password: str) -> WebUser:
    """Check the password, open a session, set its cookie; NotAuthenticated when wrong."""
    from carbonpeak import auth

    users, db = _users(), database(request)
    if users is None or db is None:
        raise NotAuthenticated("log-in is not available", message_zh="登录功能尚未接入")
    address = request.client.host if request.client else None
    throttle = request.app.state.login_throttle
    with db.session() as s:
        user = users.authenticate(s, username, password, address=address, throttle=throttle)
        token = users.issue_token(s, user, kind="session", name="web")
        snapshot = _snapshot(user)
    auth.set_session_cookie(
        response,
        token,
        max_age=int(users.SESSION_LIFETIME.total_seconds()),
        secure=auth.cookie_is_secure(request.app.state.settings.secure_cookies, request.url.scheme),
    )
    return snapshot


def log_out(request: Request, response: Response) -> None:
    from carbonpeak import auth

    token = request.cookies.get(auth.SESSION_COOKIE)
    users, db = _users(), database(request)
    if token and users is not None and db is not None:
        with db.session() as s:
            users.revoke_token(s, token)
    response.delete_cookie(auth.SESSION_COOKIE)


def check_csrf(ctx: WebContext, presented: str | None) -> None:
    """A state-changing form of a signed-in user must carry the session's CSRF token."""
    from carbonpeak import auth

    token = ctx.request.cookies.get(auth.SESSION_COOKIE)
    if not token or not auth.check_csrf(ctx.settings.resolved_secret_key(), token, presented):
        raise PermissionDenied(
            "missing or wrong CSRF token", message_zh="表单令牌缺失或无效，请刷新页面后重试"
        )


def require_user(ctx: WebContext, roles: frozenset[str] | None = None) -> WebUser:
    if ctx.user is None:
        raise NotAuthenticated("log in first", message_zh="请先登录")
    user: WebUser = ctx.user
    if roles is not None and user.role not in roles:
        raise PermissionDenied(f"role {user.role} may not do this", message_zh="您的角色无权执行此操作")
    return user


@contextmanager
def acting_user(ctx: WebContext) -> Iterator[tuple[Any, Any]]:
    """(database session, the signed-in user's row) for services that take an actor; NotAuthenticated
    when nobody is signed in."""
    from carbonpeak import auth

    require_user(ctx)
    users, db = _users(), database(ctx.request)
    token = ctx.request.cookies.get(auth.SESSION_COOKIE)
    if users is None or db is None or not token:
        raise NotAuthenticated("log in first", message_zh="请先登录")
    with db.session() as s:
        yield s, users.user_for_token(s, token)
