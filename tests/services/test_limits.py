"""Login throttling (counted in the database, SQLite and PostgreSQL) and rate limits
(services/limits.py), on a hand-driven clock: no sleeping."""

from __future__ import annotations

import pytest

from carbonpeak.errors import TooManyRequests
from carbonpeak.services.limits import ACCOUNT, LoginThrottle, Policy, RateLimit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def session(database):
    """A session on a migrated database (SQLite, then PostgreSQL): the throttle's counts live there."""
    with database.session() as s:
        yield s


def _fail(throttle: LoginThrottle, session, name: str, address: str | None) -> list[str]:
    locked = throttle.failure(session, name, address)
    session.commit()
    return locked


def test_account_back_off_doubles_after_the_free_failures_then_locks(session):
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    waits = []
    for _ in range(ACCOUNT.lock_after - 1):
        throttle.check(session, "alice", None)
        _fail(throttle, session, "alice", None)
        try:
            throttle.check(session, "alice", None)
            waits.append(0)
        except TooManyRequests as exc:
            waits.append(exc.retry_after)
            clock.now += exc.retry_after
    assert waits == [0, 0, 0, 1, 2, 4, 8, 16, 32]
    throttle.check(session, "alice", None)
    assert _fail(throttle, session, "alice", None) == ["account"]  # the 10th failure locks
    with pytest.raises(TooManyRequests) as err:
        throttle.check(session, "Alice ", None)  # the same account however it is typed
    assert err.value.retry_after == ACCOUNT.lock_seconds
    assert "locked" in err.value.message and "锁定" in err.value.message_zh
    clock.now += ACCOUNT.lock_seconds - 1
    with pytest.raises(TooManyRequests):
        throttle.check(session, "alice", None)
    clock.now += 1
    throttle.check(session, "alice", None)  # the lock ran out: the count starts again
    _fail(throttle, session, "alice", None)
    throttle.check(session, "alice", None)


def test_the_address_is_counted_across_accounts_and_success_does_not_clear_it(session):
    clock = Clock()
    throttle = LoginThrottle(
        account=Policy(free=100, lock_after=200), address=Policy(free=2, lock_after=3), clock=clock
    )
    for name in ("a", "b"):
        _fail(throttle, session, name, "10.0.0.9")
    throttle.success(session, "a")
    throttle.check(session, "c", "10.0.0.9")
    assert _fail(throttle, session, "c", "10.0.0.9") == ["address"]
    with pytest.raises(TooManyRequests) as err:
        throttle.check(session, "d", "10.0.0.9")
    assert "address" in err.value.message and "地址" in err.value.message_zh
    throttle.check(session, "d", "10.0.0.10")  # another address is not held up


def test_failures_are_forgotten_after_a_quiet_period(session):
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    for _ in range(ACCOUNT.free + 1):
        _fail(throttle, session, "bob", None)
    with pytest.raises(TooManyRequests):
        throttle.check(session, "bob", None)
    clock.now += ACCOUNT.forget_seconds + 1
    throttle.check(session, "bob", None)
    _fail(throttle, session, "bob", None)
    throttle.check(session, "bob", None)  # one failure of a fresh count is free


def test_the_counts_are_shared_by_every_process_and_outlive_a_restart(database):
    """Each server process (and a restarted one) builds its own LoginThrottle: the counts are the
    database's, so a second process, or the first after a restart, refuses the locked account."""
    clock = Clock()
    first, second = LoginThrottle(clock=clock), LoginThrottle(clock=clock)
    with database.session() as s:
        for i in range(ACCOUNT.lock_after):
            throttle = first if i % 2 else second
            clock.now += 64  # more than any back-off before the lock (32 s), less than the quiet period
            throttle.check(s, "carol", None)
            throttle.failure(s, "carol", None)
            s.commit()
    restarted = LoginThrottle(clock=clock)
    with database.session() as s, pytest.raises(TooManyRequests, match="locked"):
        restarted.check(s, "carol", None)


def test_concurrent_failures_all_count(database):
    """Sixteen failures at once from sixteen threads (processes would be the same: only the
    database is shared) make a count of sixteen, not fewer."""
    from concurrent.futures import ThreadPoolExecutor

    from carbonpeak.store.models import LoginFailure

    throttle = LoginThrottle(account=Policy(free=100, lock_after=200))

    def fail(_: int) -> None:
        with database.session() as s:
            throttle.failure(s, "dave", "10.1.1.1")
            s.commit()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(fail, range(16)))
    with database.session() as s:
        assert s.get(LoginFailure, ("account", "dave")).failures == 16
        assert s.get(LoginFailure, ("address", "10.1.1.1")).failures == 16


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
