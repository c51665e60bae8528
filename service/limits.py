"""How fast one web chat, or one client address, may send: a count per fixed window.

Counts live in Redis when it is configured, so every service process shares them, and in
memory otherwise (or when Redis fails). Keys are keyed hashes: no address is stored.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

log = logging.getLogger(__name__)


class RateLimit:
    """At most `limit` hits per key in a window of `window` seconds, opened by the first hit."""

    def __init__(self, *, name: str, limit: int, window: int, redis_url: str | None) -> None:
        self.name = name
        self.limit = limit
        self.window = window
        self.redis_url = redis_url
        self._redis: Any = None
        self._counts: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count one hit; False once this window's count is over the limit."""
        return self._hit(key) <= self.limit

    def _hit(self, key: str) -> int:
        redis = self._client()
        if redis is not None:
            try:
                name = f"rightsline:limit:{self.name}:{key}"
                pipe = redis.pipeline()
                pipe.incr(name)
                pipe.expire(name, self.window, nx=True)
                count, _ = pipe.execute()
                return int(count)
            except Exception as error:  # noqa: BLE001 - the memory count carries on
                log.error("rate limit: redis failed: %s", type(error).__name__)
        now = time.monotonic()
        with self._lock:
            opened, count = self._counts.get(key, (now, 0))
            if now - opened >= self.window:
                opened, count = now, 0
            self._counts[key] = (opened, count + 1)
            if len(self._counts) > 50_000:  # drop closed windows so memory stays small
                self._counts = {k: v for k, v in self._counts.items() if now - v[0] < self.window}
            return count + 1

    def _client(self) -> Any:
        if self.redis_url is None:
            return None
        if self._redis is None:
            from redis import Redis

            self._redis = Redis.from_url(self.redis_url, socket_timeout=1)
        return self._redis
