"""Idempotency keys of mutating API calls, kept in the database (store/models.IdempotencyKey).

The adapter (carbonpeak/api/idempotency.py) calls, for a signed-in request carrying `Idempotency-Key`:

    claim(db, user_id, key, method, path, sha256)   before the handler runs, in its own short
        transaction: Stored (the first answer, to replay), or Pending (this request holds the key);
        Conflict (409) when the key came with another request, while the first is still running,
        or when the first was carried out but its answer was lost (the server stopped in between)
    with applying(pending): <the handler>          while the handler runs, the first transaction of
        its that writes also sets `applied` on the key's row — in that same transaction, so the key
        says "carried out" exactly when the write committed. The update names the request holding
        the key (`owner`): a request whose key was taken over cannot commit (Conflict).
    finish(db, pending, status, headers, body)     store the answer; a 5xx whose write never
        committed frees the key instead (a retry runs again)

A key is the user's (unique per user), kept RETENTION (a day), then forgotten. A key held by a
request that stopped before its write committed (its process was killed) is taken over by a retry
after LEASE.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from carbonpeak.errors import Conflict
from carbonpeak.store.db import Database
from carbonpeak.store.models import IdempotencyKey, utcnow

LEASE = dt.timedelta(seconds=60)
RETENTION = dt.timedelta(days=1)


@dataclass(frozen=True)
class Stored:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class Pending:
    row_id: int
    owner: str
    key: str
    applied: bool = field(default=False)


_current: ContextVar[Pending | None] = ContextVar("carbonpeak_idempotency", default=None)
_installing = threading.Lock()
_WROTE = "carbonpeak_idempotency_wrote"


def claim(
    db: Database, user_id: int, key: str, method: str, path: str, request_sha256: str
) -> Stored | Pending:
    """The first answer to replay, or the key held for this request (see the module's text)."""
    install(db)
    for _ in range(3):  # a concurrent first use of the same key: read it again
        with db.session() as s:
            now = utcnow()
            row = s.execute(
                select(IdempotencyKey)
                .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
                .with_for_update()
            ).scalar_one_or_none()
            if row is not None and row.created_at < now - RETENTION:
                s.delete(row)
                s.flush()
                row = None
            if row is None:
                s.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < now - RETENTION))
                row = IdempotencyKey(
                    user_id=user_id,
                    key=key,
                    method=method,
                    path=path[:1000],
                    request_sha256=request_sha256,
                    owner=secrets.token_hex(16),
                    applied=False,
                    created_at=now,
                )
                s.add(row)
                try:
                    s.commit()
                except IntegrityError:
                    s.rollback()
                    continue
                return Pending(row.id, row.owner, key)
            if (row.method, row.path, row.request_sha256) != (method, path[:1000], request_sha256):
                raise Conflict(
                    f"Idempotency-Key {key!r} was used for a different request ({row.method} {row.path}"
                    "); send a new key with a new request",
                    message_zh=f"幂等键 {key!r} 已用于另一个不同的请求（{row.method} {row.path}）；"
                    "新的请求请使用新的幂等键",
                )
            if row.status is not None:
                headers = [(str(k), str(v)) for k, v in json.loads(row.response_headers or "[]")]
                return Stored(row.status, headers, row.response_body or b"")
            if row.applied:
                raise Conflict(
                    f"the request with Idempotency-Key {key!r} was carried out, but its answer was "
                    "lost (the server stopped before sending it); read the record's current state",
                    message_zh=f"使用幂等键 {key!r} 的请求已执行，但其应答已丢失（服务器在应答前停止）；"
                    "请查询记录的当前状态",
                )
            if row.created_at > now - LEASE:
                raise Conflict(
                    f"a request with Idempotency-Key {key!r} is still being carried out; "
                    "try again in a few seconds",
                    message_zh=f"使用幂等键 {key!r} 的请求仍在处理中，请数秒后重试",
                )
            # the request holding the key stopped before its write committed: this one takes over
            row.owner, row.created_at = secrets.token_hex(16), now
            s.commit()
            return Pending(row.id, row.owner, key)
    raise Conflict(  # pragma: no cover - three lost races in a row
        f"Idempotency-Key {key!r} is in use; try again", message_zh=f"幂等键 {key!r} 正被使用，请重试"
    )


@contextmanager
def applying(pending: Pending) -> Iterator[None]:
    """While the block runs, the first committing transaction that writes marks the key applied."""
    token = _current.set(pending)
    try:
        yield
    finally:
        _current.reset(token)


def finish(db: Database, pending: Pending, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    """Store the answer to replay (nothing when another request took the key over); a 5xx whose
    write never committed frees the key."""
    with db.session() as s:
        row = s.get(IdempotencyKey, pending.row_id)
        if row is None or row.owner != pending.owner:
            return
        if status >= 500 and not row.applied:
            s.delete(row)
        else:
            row.status = status
            row.response_headers = json.dumps(headers)
            row.response_body = body
            row.completed_at = utcnow()
        s.commit()


def release(db: Database, pending: Pending) -> None:
    """The handler failed without an answer: free the key unless its write committed."""
    with db.session() as s:
        s.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.id == pending.row_id,
                IdempotencyKey.owner == pending.owner,
                IdempotencyKey.applied.is_(False),
            )
        )
        s.commit()


# -- the write's own transaction marks the key applied ----------------------------------------------


def install(db: Database) -> None:
    """Listen to the sessions of `db` (once): see `applying`."""
    with _installing:
        if event.contains(db.sessions, "before_commit", _before_commit):
            return
        event.listen(db.sessions, "after_flush", _after_flush)
        event.listen(db.sessions, "before_commit", _before_commit)
        event.listen(db.sessions, "after_commit", _forget)
        event.listen(db.sessions, "after_rollback", _forget)


def _after_flush(session: Session, _context: Any) -> None:
    if _current.get() is not None:
        session.info[_WROTE] = True


def _forget(session: Session) -> None:
    session.info.pop(_WROTE, None)


def _before_commit(session: Session) -> None:
    pending = _current.get()
    if pending is None:
        return
    changed = session.new or session.deleted or any(session.is_modified(o) for o in session.dirty)
    if not (session.info.get(_WROTE) or changed):
        return  # a transaction that only read
    result = session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.id == pending.row_id, IdempotencyKey.owner == pending.owner)
        .values(applied=True)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            f"another request took over Idempotency-Key {pending.key!r}; nothing was saved by this one",
            message_zh=f"幂等键 {pending.key!r} 已被另一个请求接管；本请求未保存任何内容",
        )
    pending.applied = True
