"""Login throttling and rate limits (services/limits.py), on a hand-driven clock: no sleeping."""

from __future__ import annotations

import pytest

from carbonpeak.errors import TooManyRequests
from carbonpeak.services.limits import ACCOUNT, LoginThrottle, Policy, RateLimit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_account_back_off_doubles_after_the_free_failures_then_locks():
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    waits = []
    for _ in range(ACCOUNT.lock_after - 1):
        throttle.check("alice", None)
        throttle.failure("alice", None)
        try:
            throttle.check("alice", None)
            waits.append(0)
        except TooManyRequests as exc:
            waits.append(exc.retry_after)
            clock.now += exc.retry_after
    assert waits == [0, 0, 0, 1, 2, 4, 8, 16, 32]
    throttle.check("alice", None)
    assert throttle.failure("alice", None) == ["account"]  # the 10th failure locks
    with pytest.raises(TooManyRequests) as err:
        throttle.check("Alice ", None)  # the same account however it is typed
    assert err.value.retry_after == ACCOUNT.lock_seconds
    assert "locked" in err.value.message and "锁定" in err.value.message_zh
    clock.now += ACCOUNT.lock_seconds - 1
    with pytest.raises(TooManyRequests):
        throttle.check("alice", None)
    clock.now += 1
    throttle.check("alice", None)  # the lock ran out: the count starts again
    throttle.failure("alice", None)
    throttle.check("alice", None)


def test_the_address_is_counted_across_accounts_and_success_does_not_clear_it():
    clock = Clock()
    throttle = LoginThrottle(
        account=Policy(free=100, lock_after=200), address=Policy(free=2, lock_after=3), clock=clock
    )
    for name in ("a", "b"):
        throttle.failure(name, "10.0.0.9")
    throttle.success("a")
    throttle.check("c", "10.0.0.9")
    assert throttle.failure("c", "10.0.0.9") == ["address"]
    with pytest.raises(TooManyRequests) as err:
        throttle.check("d", "10.0.0.9")
    assert "address" in err.value.message and "地址" in err.value.message_zh
    throttle.check("d", "10.0.0.10")  # another address is not held up


def test_failures_are_forgotten_after_a_quiet_period():
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    for _ in range(ACCOUNT.free + 1):
        throttle.failure("bob", None)
    with pytest.raises(TooManyRequests):
        throttle.check("bob", None)
    clock.now += ACCOUNT.forget_seconds + 1
    throttle.check("bob", None)
    throttle.failure("bob", None)
    throttle.check("bob", None)  # one failure of a fresh count is free


def test_rate_limit_refills_evenly():
    clock = Clock()
    limit = RateLimit(6, burst=2, what=("projection runs", "模拟运行"), clock=clock)
    limit.take("u")
    limit.take("u")
    with pytest.raises(TooManyRequests) as err:
        limit.take("u")
    assert err.value.retry_after == 10 and "模拟运行" in err.value.message_zh
    limit.take("v")  # another key has its own bucket
    clock.now += 10
    limit.take("u")
