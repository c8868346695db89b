"""Limits on how often something may be tried: failed log-ins (`LoginThrottle`) and expensive runs
(`RateLimit`). The clock is passed in for tests.

Log-in (per account and per address, each counted apart), counted in the database (table
`login_failures`), so that every server process sees the same counts and a restart forgets nothing:

    failures 1 … free            answered at once
    failure n > free             the next try waits base × 2^(n − free − 1) s (1, 2, 4 … s for the account)
    failure `lock_after`         locked for `lock_seconds` (15 min); even the right password is refused
    no failure for `forget_seconds`   the count starts again

A refused try (429, Retry-After) checks no password, so it costs no argon2, and writes nothing. A
failure is counted in the transaction that writes its audit entry (services/users.authenticate),
under a row lock on PostgreSQL (SQLite: the write lock), so concurrent failures all count. A
successful log-in clears the account's count, not the address's (a guesser with one good account of
their own would otherwise clear their address). The clock is the wall clock (time.time), the same
for every process of the host.

`RateLimit(per_minute)`: a token bucket per key (user or address), in memory per process; `take(key)`
raises TooManyRequests when the bucket is empty.

`ResultCache(size)`: the newest `size` results of an expensive run by request key (least recently
used out first), so a repeated request (and every anonymous one) costs no computation.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from carbonpeak.errors import TooManyRequests
from carbonpeak.store.models import LoginFailure

Clock = Callable[[], float]


@dataclass(frozen=True)
class Policy:
    free: int  # failures answered without delay
    lock_after: int  # the failure that locks
    base_seconds: float = 1.0
    lock_seconds: float = 15 * 60
    forget_seconds: float = 15 * 60

    def wait_after(self, failures: int) -> float:
        """Seconds the next try must wait after `failures` failures (0 while free)."""
        if failures <= self.free:
            return 0.0
        return float(self.base_seconds * 2 ** (failures - self.free - 1))


ACCOUNT = Policy(free=3, lock_after=10)
# an office behind one NAT address shares it: more room, the same lock
ADDRESS = Policy(free=10, lock_after=50)


def _at(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


class LoginThrottle:
    """Failed log-ins by account and address, kept in the database of the session each call gets."""

    def __init__(self, *, account: Policy = ACCOUNT, address: Policy = ADDRESS, clock: Clock = time.time):
        self.policies = {"account": account, "address": address}
        self.clock = clock

    def _keys(self, username: str, address: str | None) -> list[tuple[str, str]]:
        keys = [("account", username.strip().lower()[:200])]
        if address:
            keys.append(("address", address[:200]))
        return keys

    def check(self, session: Session, username: str, address: str | None) -> bool:
        """TooManyRequests (with the seconds to wait) when the account or the address must wait;
        otherwise whether the account has failures counted (a success clears them). Only reads."""
        now = self.clock()
        counted = False
        for kind, subject in self._keys(username, address):
            row = session.execute(
                select(LoginFailure)
                .where(LoginFailure.kind == kind, LoginFailure.subject == subject)
                .execution_options(populate_existing=True)
            ).scalar_one_or_none()
            if row is None or not self._live(row, now):
                continue
            counted = counted or kind == "account"
            locked_until = row.locked_until.timestamp() if row.locked_until else 0.0
            if locked_until > now:
                raise _refused(kind, locked_until - now, locked=True)
            ready = row.last_at.timestamp() + self.policies[kind].wait_after(row.failures)
            if ready > now:
                raise _refused(kind, ready - now, locked=False)
        return counted

    def failure(self, session: Session, username: str, address: str | None) -> list[str]:
        """Count a failed log-in in the caller's transaction (it commits with the failure's audit
        entry); the kinds (account, address) this failure locked."""
        now = self.clock()
        locked = []
        self._forget_old(session, now)
        for kind, subject in self._keys(username, address):
            session.execute(
                _insert(session)(LoginFailure)
                .values(kind=kind, subject=subject, failures=0, last_at=_at(now), locked_until=None)
                .on_conflict_do_nothing()
            )
            row = session.execute(
                select(LoginFailure)
                .where(LoginFailure.kind == kind, LoginFailure.subject == subject)
                .with_for_update()
                .execution_options(populate_existing=True)
            ).scalar_one()
            if not self._live(row, now):
                row.failures, row.locked_until = 0, None
            row.failures += 1
            row.last_at = _at(now)
            policy = self.policies[kind]
            if row.failures >= policy.lock_after and row.locked_until is None:
                row.locked_until = _at(now + policy.lock_seconds)
                locked.append(kind)
        session.flush()
        return locked

    def success(self, session: Session, username: str) -> None:
        """Clear the account's count (and commit)."""
        session.execute(
            delete(LoginFailure).where(
                LoginFailure.kind == "account", LoginFailure.subject == username.strip().lower()[:200]
            )
        )
        session.commit()

    def _live(self, row: LoginFailure, now: float) -> bool:
        """Whether the row still counts: not forgotten after a quiet period, its lock not run out."""
        if row.locked_until is not None:
            return row.locked_until.timestamp() > now  # a lock that ran out starts the count again
        return now - row.last_at.timestamp() <= self.policies[row.kind].forget_seconds

    def _forget_old(self, session: Session, now: float) -> None:
        quiet = max(p.forget_seconds for p in self.policies.values())
        session.execute(
            delete(LoginFailure).where(
                LoginFailure.last_at < _at(now - quiet),
                or_(LoginFailure.locked_until.is_(None), LoginFailure.locked_until < _at(now)),
            )
        )


def _insert(session: Session) -> Any:
    """INSERT … ON CONFLICT of the session's database."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def _refused(kind: str, seconds: float, *, locked: bool) -> TooManyRequests:
    wait = max(1, math.ceil(seconds))
    who_en, who_zh = ("this account", "该账号") if kind == "account" else ("this address", "该地址")
    if locked:
        return TooManyRequests(
            f"too many failed log-ins: {who_en} is locked for {wait} s",
            message_zh=f"登录失败次数过多：{who_zh}已被锁定 {wait} 秒",
            retry_after=wait,
        )
    return TooManyRequests(
        f"too many failed log-ins: {who_en} may try again in {wait} s",
        message_zh=f"登录失败次数过多：{who_zh}请在 {wait} 秒后重试",
        retry_after=wait,
    )


class RateLimit:
    """A token bucket per key: `per_minute` tries, refilled evenly, at most `burst` at once."""

    def __init__(
        self,
        per_minute: float,
        *,
        burst: int | None = None,
        what: tuple[str, str],
        clock: Clock = time.monotonic,
    ):
        self.rate = per_minute / 60.0
        self.burst = float(burst if burst is not None else max(1, int(per_minute)))
        self.what = what  # (en, zh) name of the limited action, for the message
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> None:
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens < 1.0:
                wait = max(1, math.ceil((1.0 - tokens) / self.rate))
                self._buckets[key] = (tokens, now)
                raise TooManyRequests(
                    f"too many {self.what[0]}: try again in {wait} s",
                    message_zh=f"{self.what[1]}过于频繁：请在 {wait} 秒后重试",
                    retry_after=wait,
                )
            self._buckets[key] = (tokens - 1.0, now)


class ResultCache:
    """A thread-safe LRU of results by key."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any | None:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
