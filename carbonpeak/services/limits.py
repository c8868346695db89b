"""Limits on how often something may be tried: failed log-ins (`LoginThrottle`) and expensive runs
(`RateLimit`). In memory, per server process, thread-safe; the clock is passed in for tests.

Log-in (per account and per address, each counted apart):

    failures 1 … free            answered at once
    failure n > free             the next try waits base × 2^(n − free − 1) s (1, 2, 4 … s for the account)
    failure `lock_after`         locked for `lock_seconds` (15 min); even the right password is refused
    no failure for `forget_seconds`   the count starts again

A refused try (429, Retry-After) checks no password, so it costs no argon2. A successful log-in clears
the account's count, not the address's (a guesser with one good account of their own would otherwise
clear their address). Several server processes each count alone: the limits multiply by the number
of workers (one uvicorn process by default).

`RateLimit(per_minute)`: a token bucket per key (user or address); `take(key)` raises
TooManyRequests when the bucket is empty.

`ResultCache(size)`: the newest `size` results of an expensive run by request key (least recently
used out first), so a repeated request (and every anonymous one) costs no computation.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from carbonpeak.errors import TooManyRequests

Clock = Callable[[], float]


@dataclass
class _Count:
    failures: int = 0
    last: float = 0.0
    locked_until: float = 0.0


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


class LoginThrottle:
    def __init__(
        self, *, account: Policy = ACCOUNT, address: Policy = ADDRESS, clock: Clock = time.monotonic
    ):
        self.policies = {"account": account, "address": address}
        self.clock = clock
        self._counts: dict[tuple[str, str], _Count] = {}
        self._lock = threading.Lock()

    def _keys(self, username: str, address: str | None) -> list[tuple[str, str]]:
        keys = [("account", username.strip().lower())]
        if address:
            keys.append(("address", address))
        return keys

    def check(self, username: str, address: str | None) -> None:
        """TooManyRequests (with the seconds to wait) when the account or the address must wait."""
        now = self.clock()
        with self._lock:
            for key in self._keys(username, address):
                count = self._current(key, now)
                if count is None:
                    continue
                if count.locked_until > now:
                    raise _refused(key[0], count.locked_until - now, locked=True)
                ready = count.last + self.policies[key[0]].wait_after(count.failures)
                if ready > now:
                    raise _refused(key[0], ready - now, locked=False)

    def failure(self, username: str, address: str | None) -> list[str]:
        """Count a failed log-in; the kinds (account, address) this failure locked."""
        now = self.clock()
        locked = []
        with self._lock:
            for key in self._keys(username, address):
                count = self._current(key, now) or self._counts.setdefault(key, _Count())
                count.failures += 1
                count.last = now
                policy = self.policies[key[0]]
                if count.failures >= policy.lock_after and count.locked_until <= now:
                    count.locked_until = now + policy.lock_seconds
                    locked.append(key[0])
        return locked

    def success(self, username: str) -> None:
        with self._lock:
            self._counts.pop(("account", username.strip().lower()), None)

    def _current(self, key: tuple[str, str], now: float) -> _Count | None:
        count = self._counts.get(key)
        if count is None:
            return None
        if count.locked_until <= now and now - count.last > self.policies[key[0]].forget_seconds:
            del self._counts[key]
            return None
        if 0 < count.locked_until <= now:  # a lock that ran out starts the count again
            del self._counts[key]
            return None
        return count


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
