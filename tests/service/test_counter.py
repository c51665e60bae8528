"""service.limits.Counter: where hits are counted, for the chat limits and the login limit."""

from __future__ import annotations

import logging
import uuid

import pytest

from service import auth, limits
from service.limits import Counter, RateLimit
from tests.conftest import REDIS_URL, redis_available

NOWHERE = "redis://127.0.0.1:1/0"  # nothing listens there: every Redis call fails at once


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    ticking = Clock()
    monkeypatch.setattr(limits.time, "monotonic", ticking)
    return ticking


def test_in_memory_a_window_opens_with_the_first_hit_and_then_forgets(clock: Clock) -> None:
    counter = Counter(prefix="test:", window=60, redis_url=None, label="test")
    assert [counter.add("a"), counter.add("a"), counter.add("b")] == [1, 2, 1]
    assert counter.count("a") == 2 and counter.count("nobody") == 0
    clock.now += 59
    assert counter.add("a") == 3
    clock.now += 1  # 60 seconds after the first hit
    assert counter.count("a") == 0 and counter.add("a") == 1
    counter.clear("a")
    assert counter.count("a") == 0 and counter.count("b") == 0


def test_closed_windows_are_dropped_when_memory_grows(clock: Clock) -> None:
    counter = Counter(prefix="test:", window=60, redis_url=None, label="test", max_keys=3)
    for key in "abc":
        counter.add(key)
    clock.now += 60
    counter.add("d")
    assert counter.add("e") == 1 and counter.count("d") == 1
    assert counter.count("a") == 0


def test_when_redis_fails_the_memory_count_carries_on(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    counter = Counter(prefix="test:", window=60, redis_url=NOWHERE, label="a test limit")
    with caplog.at_level(logging.ERROR, logger="service.limits"):
        assert [counter.add("k"), counter.add("k")] == [1, 2]
        assert counter.count("k") == 2
        counter.clear("k")
        assert counter.count("k") == 0
    assert "a test limit: redis failed: ConnectionError" in caplog.text
    counter.close()


def test_a_redis_that_failed_is_left_alone_for_half_a_minute(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """So a Redis that hangs costs one wait of a second, not one for every message."""
    counter = Counter(prefix="test:", window=600, redis_url=NOWHERE, label="a test limit")
    with caplog.at_level(logging.ERROR, logger="service.limits"):
        assert [counter.add("k") for _ in range(5)] == [1, 2, 3, 4, 5]
        assert caplog.text.count("redis failed") == 1
        clock.now += 30
        assert counter.add("k") == 6
        assert caplog.text.count("redis failed") == 2
    counter.close()


def test_the_login_limit_holds_in_memory_when_redis_fails(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = auth.LoginLimiter(secret=b"k" * 32, per_account=2, redis_url=NOWHERE)
    with caplog.at_level(logging.ERROR, logger="service.limits"):
        limiter.failed("someone@example.org", "192.0.2.1")
        limiter.failed("someone@example.org", "192.0.2.2")
        assert limiter.blocked("Someone@example.org", "192.0.2.3")
        limiter.succeeded("someone@example.org")
        assert not limiter.blocked("someone@example.org", "192.0.2.3")
    assert "login limit: redis failed" in caplog.text
    limiter.close()


def test_the_rate_limit_counts_with_the_counter(clock: Clock) -> None:
    limit = RateLimit(name="test", limit=2, window=60, redis_url=None)
    assert [limit.allow("k"), limit.allow("k"), limit.allow("k")] == [True, True, False]
    assert limit.allow("other")
    clock.now += 60
    assert limit.allow("k")


@pytest.mark.skipif(not redis_available(), reason="Redis is not reachable on 127.0.0.1:6379")
def test_in_redis_each_key_lives_under_its_prefix_for_its_window() -> None:
    import redis

    prefix = f"rightsline:test:{uuid.uuid4().hex}:"
    first = Counter(prefix=prefix, window=60, redis_url=REDIS_URL, label="test")
    second = Counter(prefix=prefix, window=60, redis_url=REDIS_URL, label="test")
    server = redis.Redis.from_url(REDIS_URL)
    try:
        assert [first.add("k"), second.add("k")] == [1, 2]
        assert first.count("k") == 2 and second.count("other") == 0
        assert 0 < server.ttl(f"{prefix}k") <= 60
        second.clear("k")
        assert first.count("k") == 0 and not server.exists(f"{prefix}k")
    finally:
        server.delete(f"{prefix}k")
        server.close()
        first.close()
        second.close()
