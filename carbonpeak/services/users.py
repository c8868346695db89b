"""Users, roles, API tokens and web sessions.

Roles: `office` (the carbon-peak office: administration and review), `department`, `district`,
`enterprise` (a reporting unit: reads and writes its own unit's submissions and the tasks it
leads or co-leads), `viewer` (reads published data only). Every user belongs to a unit of the plan.
The permission checks used by every service are here: `require_office`, `require_unit_access`.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.auth import hash_password, new_token, token_digest, verify_password
from carbonpeak.errors import Conflict, InputError, NotAuthenticated, NotFound, PermissionDenied, Problem
from carbonpeak.services import audit
from carbonpeak.services.limits import LoginThrottle
from carbonpeak.store.db import reading
from carbonpeak.store.models import ApiToken, Unit, User, utcnow
from carbonpeak.validation import problem

ROLES = ("office", "department", "district", "enterprise", "viewer")
REPORTING_ROLES = frozenset({"department", "district", "enterprise"})
SESSION_LIFETIME = dt.timedelta(hours=12)
API_TOKEN_LIFETIME = dt.timedelta(days=90)  # CARBONPEAK_API_TOKEN_DAYS
MIN_PASSWORD = 8


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    unit_code: str,
    display_name: str | None = None,
    actor: User | None = None,
) -> User:
    """Add a user (office only, or the CLI with no actor). Raises InputError listing every fault."""
    if actor is not None:
        require_office(actor)
    problems: list[Problem] = []
    if (
        not username
        or len(username) > 64
        or not username.replace("_", "").replace(".", "").replace("-", "").isalnum()
    ):
        problems.append(problem("username", "user.username", username))
    if role not in ROLES:
        problems.append(problem("role", "user.role", role, roles_list=", ".join(ROLES)))
    if len(password) < MIN_PASSWORD:
        problems.append(problem("password", "user.password", min_password=MIN_PASSWORD))
    if session.get(Unit, unit_code) is None:
        problems.append(problem("unit_code", "user.unit", unit_code))
    if problems:
        raise InputError("invalid user", problems, message_zh="用户信息有误")
    if session.execute(select(User.id).where(User.username == username)).first() is not None:
        raise Conflict(f"user {username!r} exists", message_zh=f"用户 {username} 已存在")
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role,
        unit_code=unit_code,
        active=True,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        username=actor.username if actor else None,
        action="user.create",
        object_type="user",
        object_id=user.id,
        detail={"username": username, "role": role, "unit": unit_code},
    )
    session.commit()
    return user


def list_users(session: Session, actor: User | None) -> list[User]:
    """Every user, for the office (or the machine's operator: `actor` None, the CLI)."""
    if actor is not None:
        require_office(actor)
    return list(session.execute(select(User).order_by(User.id)).scalars())


def user_named(session: Session, username: str) -> User:
    """The user called `username`; NotFound naming it otherwise."""
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFound(f"user {username!r} not found", message_zh=f"用户 {username} 不存在")
    return user


def get_user(session: Session, actor: User, user_id: int) -> User:
    if actor.role != "office" and actor.id != user_id:
        raise PermissionDenied("only the office can read other users", message_zh="仅双碳办可查看其他用户")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found", message_zh=f"用户 {user_id} 不存在")
    return user


def set_active(session: Session, actor: User, user_id: int, active: bool) -> User:
    require_office(actor)
    user = get_user(session, actor, user_id)
    if user.id == actor.id and not active:
        raise Conflict("you cannot deactivate yourself", message_zh="不能停用自己的账号")
    user.active = active
    audit.record(
        session,
        username=actor.username,
        action="user.activate" if active else "user.deactivate",
        object_type="user",
        object_id=user.id,
    )
    session.commit()
    return user


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    address: str | None = None,
    throttle: LoginThrottle | None = None,
) -> User:
    """The active user with this password; NotAuthenticated otherwise, written to the audit log as
    `auth.login_failed` (attempted name, address); TooManyRequests, checking no password, while
    `throttle` says the account or the address must wait (services/limits.py, counted in the
    database with the failure's audit entry), `auth.lock` when a failure locks one. The password is
    checked outside any transaction (argon2 takes tens of ms; on SQLite a transaction open that long
    would hold up every writer)."""
    with reading():  # no write lock for the look-up (SQLite), and the read ended before argon2 runs
        counted = throttle.check(session, username, address) if throttle is not None else False
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        session.commit()
    # verify against a dummy hash when the user is unknown so that timing does not tell
    ok = verify_password(user.password_hash if user else _dummy_hash(), password)
    if user is None or not ok or not user.active:
        locked = throttle.failure(session, username, address) if throttle is not None else []
        detail = {"username": username[:64], "address": address, "known_user": user is not None}
        audit.record(
            session,
            username=None,
            action="auth.login_failed",
            object_type="user",
            object_id=user.id if user else "",
            detail=detail,
        )
        for kind in locked:
            audit.record(
                session, username=None, action="auth.lock", object_type=kind, object_id="", detail=detail
            )
        session.commit()
        raise NotAuthenticated("wrong username or password", message_zh="用户名或密码错误")
    if throttle is not None and counted:
        throttle.success(session, username)
    return user


def issue_token(
    session: Session,
    user: User,
    *,
    kind: str = "api",
    name: str = "api",
    lifetime: dt.timedelta | None = None,
) -> str:
    """A new API token (kind `api`, valid `lifetime`, default API_TOKEN_LIFETIME) or web session
    (kind `session`, 12 h); returns the secret."""
    token = new_token()
    if lifetime is None:
        lifetime = SESSION_LIFETIME if kind == "session" else API_TOKEN_LIFETIME
    row = ApiToken(
        user_id=user.id,
        kind=kind,
        name=name[:100],
        token_sha256=token_digest(token),
        expires_at=utcnow() + lifetime,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        username=user.username,
        action=f"auth.{kind}.issue",
        object_type="token",
        object_id=row.id,
        detail={"name": row.name},
    )
    session.commit()
    return token


def user_for_token(session: Session, token: str) -> User:
    """The active user a token or session secret belongs to; NotAuthenticated otherwise."""
    row = session.execute(
        select(ApiToken).where(ApiToken.token_sha256 == token_digest(token))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        raise NotAuthenticated("invalid or revoked token", message_zh="令牌无效或已撤销")
    # tokens issued before API tokens expired have no expiry: they get the default lifetime
    expires = row.expires_at or (_aware(row.created_at) + API_TOKEN_LIFETIME)
    if _aware(expires) < utcnow():
        what = "API token" if row.kind == "api" else "session"
        raise NotAuthenticated(
            f"{what} expired" + (": issue a new one (POST /api/auth/token)" if row.kind == "api" else ""),
            message_zh="API 令牌已过期，请重新申请（POST /api/auth/token）"
            if row.kind == "api"
            else "会话已过期",
        )
    if not row.user.active:
        raise NotAuthenticated("user is inactive", message_zh="用户已停用")
    return row.user


def token_expiry(session: Session, token: str) -> dt.datetime | None:
    row = session.execute(select(ApiToken).where(ApiToken.token_sha256 == token_digest(token))).scalar_one()
    return row.expires_at


def rotate_token(session: Session, token: str, *, lifetime: dt.timedelta | None = None) -> str:
    """A new API token for the owner of the live API token `token`, with its name, and `token`
    revoked, in one transaction (audited as `auth.api.rotate`); NotAuthenticated for a token that
    is not live, Conflict for a web session (sessions are renewed by logging in)."""
    user = user_for_token(session, token)
    row = session.execute(select(ApiToken).where(ApiToken.token_sha256 == token_digest(token))).scalar_one()
    if row.kind != "api":
        raise Conflict(
            "only API tokens are rotated; log in again for a new session",
            message_zh="仅 API 令牌可轮换；会话请重新登录",
        )
    secret = new_token()
    new = ApiToken(
        user_id=user.id,
        kind="api",
        name=row.name,
        token_sha256=token_digest(secret),
        expires_at=utcnow() + (lifetime or API_TOKEN_LIFETIME),
    )
    row.revoked_at = utcnow()
    session.add(new)
    session.flush()
    audit.record(
        session,
        username=user.username,
        action="auth.api.rotate",
        object_type="token",
        object_id=new.id,
        detail={"name": row.name, "replaces": row.id},
    )
    session.commit()
    return secret


def revoke_token(session: Session, token: str) -> None:
    row = session.execute(
        select(ApiToken).where(ApiToken.token_sha256 == token_digest(token))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return
    row.revoked_at = utcnow()
    audit.record(
        session,
        username=row.user.username,
        action=f"auth.{row.kind}.revoke",
        object_type="token",
        object_id=row.id,
    )
    session.commit()


def require_office(user: User) -> None:
    if user.role != "office":
        raise PermissionDenied("only the carbon-peak office may do this", message_zh="仅双碳办可执行此操作")


def require_unit_access(user: User, unit_code: str) -> None:
    """Office: any unit. Reporting roles: their own unit only. Viewer: never (published data only)."""
    if user.role == "office":
        return
    if user.role in REPORTING_ROLES and user.unit_code == unit_code:
        return
    raise PermissionDenied(f"no access to unit {unit_code}", message_zh=f"无权访问单位 {unit_code} 的数据")


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


@cache
def _dummy_hash() -> str:
    return hash_password("not-a-real-password")


def unit_tasks(session: Session, unit_code: str) -> list[tuple[str, str]]:
    """(task code, lead | co) of every measure `unit_code` leads or co-leads in the current plan."""
    from carbonpeak.store.models import PlanItemUnit, PlanVersion

    latest = select(func.max(PlanVersion.id)).scalar_subquery()
    rows = session.execute(
        select(PlanItemUnit.code, PlanItemUnit.role)
        .where(
            PlanItemUnit.plan_version_id == latest,
            PlanItemUnit.kind == "task",
            PlanItemUnit.unit_code == unit_code,
        )
        .order_by(PlanItemUnit.id)
    ).all()
    return [(code, role) for code, role in rows]
