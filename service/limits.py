"""Counting hits per key in a fixed window, shared by every limit in the service.

`RateLimit` says how fast one web chat, or one client address, may send; the login limit
(service.auth.LoginLimiter) counts failed sign-ins. Counts live in Redis when it is
configured, so every service process shares them, and in memory otherwise (or when Redis
fails). Keys are keyed hashes: no address or email is stored.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from service.redis_link import RedisLink

log = logging.getLogger(__name__)


class Counter:
    """Hits per key in a window of `window` seconds, opened by the key's first hit.

    In Redis the key is stored as `prefix` + key and expires with its window; in memory a
    window that has closed counts as nothing. `label` names the counter in the log.
    """

    def __init__(
        self,
        *,
        prefix: str,
        window: int,
        redis_url: str | None,
        label: str,
        max_keys: int = 50_000,
    ) -> None:
        self.prefix = prefix
        self.window = window
        self.redis_url = redis_url
        self.label = label
        self.max_keys = max_keys
        self._redis = RedisLink(redis_url, label=label, log=log)
        self._counts: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def add(self, key: str) -> int:
        """Count one hit; the count in this key's window, this hit included."""

        def in_redis(redis: Any) -> int:
            name = self.prefix + key
            pipe = redis.pipeline()
            pipe.incr(name)
            pipe.expire(name, self.window, nx=True)
            count, _ = pipe.execute()
            return int(count)

        counted = self._redis.call(in_redis)
        if counted is not None:
            return counted
        now = time.monotonic()
        with self._lock:
            opened, count = self._open(key, now) or (now, 0)
            self._counts[key] = (opened, count + 1)
            if len(self._counts) > self.max_keys:  # drop closed windows so memory stays small
                self._counts = {k: v for k, v in self._counts.items() if now - v[0] < self.window}
            return count + 1

    def count(self, key: str) -> int:
        """The count in this key's window so far, without adding to it."""
        counted = self._redis.call(lambda redis: int(redis.get(self.prefix + key) or 0))
        if counted is not None:
            return counted
        with self._lock:
            found = self._open(key, time.monotonic())
            return found[1] if found is not None else 0

    def clear(self, key: str) -> None:
        """Start this key afresh, in Redis and in memory."""
        self._redis.call(lambda redis: redis.delete(self.prefix + key))
        with self._lock:
            self._counts.pop(key, None)

    def close(self) -> None:
        self._redis.close()

    def _open(self, key: str, now: float) -> tuple[float, int] | None:
        """When this key's window opened and its count, if the window is still open."""
        found = self._counts.get(key)
        return found if found is not None and now - found[0] < self.window else None


class RateLimit:
    """At most `limit` hits per key in a window of `window` seconds, opened by the first hit."""

    def __init__(self, *, name: str, limit: int, window: int, redis_url: str | None) -> None:
        self.name = name
        self.limit = limit
        self.window = window
        self.redis_url = redis_url
        self._counter = Counter(
            prefix=f"rightsline:limit:{name}:",
            window=window,
            redis_url=redis_url,
            label="rate limit",
        )

    def allow(self, key: str) -> bool:
        """Count one hit; False once this window's count is over the limit."""
        return self._counter.add(key) <= self.limit
