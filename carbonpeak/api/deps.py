"""Dependencies of the API routes, as `Annotated` aliases: SettingsDep, DatabaseDep, SessionDep,
CurrentUser (any signed-in user), OptionalUser (None for an anonymous request), OfficeUser (role office).

The Database is built on the first request from `app.state.settings` and kept in
`app.state.database`; nothing connects at import or at `create_app`. A user is authenticated by
`Authorization: Bearer <token>` (API tokens) or by the web session cookie; a cookie-authenticated
request that changes state must carry the CSRF token (header X-CSRF-Token), see carbonpeak/auth.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from carbonpeak.auth import CSRF_HEADER, SAFE_METHODS, SESSION_COOKIE, check_csrf
from carbonpeak.errors import NotAuthenticated, PermissionDenied
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database, reading, shared_database
from carbonpeak.store.models import User

bearer = HTTPBearer(auto_error=False, description="API token from POST /api/auth/token")


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    return shared_database(request.app.state)


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]


def get_session(db: DatabaseDep) -> Iterator[Session]:
    with db.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_current_user(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:

    if credentials is not None:
        return _note_user(request, _user_for(session, credentials.credentials))
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        user = _note_user(request, _user_for(session, cookie))
        if request.method not in SAFE_METHODS and not check_csrf(
            settings.resolved_secret_key(), cookie, request.headers.get(CSRF_HEADER)
        ):
            raise PermissionDenied("CSRF token missing or wrong", message_zh="CSRF 令牌缺失或错误")
        return user
    raise NotAuthenticated("sign in or send a bearer token", message_zh="请登录或提供令牌")


def _user_for(session: Session, token: str) -> User:
    """The token's user, read without the write lock (SQLite) and with the read ended, so no lock is
    held while the request waits for its handler."""
    from carbonpeak.services.users import user_for_token

    with reading():
        user = user_for_token(session, token)
        session.commit()
    return user


def _note_user(request: Request, user: User) -> User:
    request.state.user = user.username  # for the access log line (carbonpeak/logs.py)
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_optional_user(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User | None:
    """The signed-in user, or None when the request carries no token nor session cookie (a wrong
    one is still NotAuthenticated). Opens a session only when there is something to check."""
    if credentials is None and not request.cookies.get(SESSION_COOKIE):
        return None
    with db.session(read_only=True) as session:
        return get_current_user(request, session, settings, credentials)


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


def get_office_user(user: CurrentUser) -> User:
    from carbonpeak.services.users import require_office

    require_office(user)
    return user


OfficeUser = Annotated[User, Depends(get_office_user)]
