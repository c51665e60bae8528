"""The service's own Redis client (the limits, the check-ins), which steps aside while Redis
is away: a call that fails, or waits past a second, leaves that Redis alone for a while, for
every client of it in the process, and the callers carry on in memory. A Redis that hangs
then costs one wait, not one a message."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

TIMEOUT_SECONDS = 1.0
REST_SECONDS = 30.0

# Until when each Redis (by URL) is left alone, shared by every link to it in this process.
_away_until: dict[str, float] = {}


class RedisLink:
    """`call(use)` is `use(client)`, or None when there is no Redis, or it failed lately."""

    def __init__(
        self,
        url: str | None,
        *,
        label: str,
        log: logging.Logger,
        rest_seconds: float = REST_SECONDS,
    ) -> None:
        self.url = url
        self.label = label
        self.rest_seconds = rest_seconds
        self._log = log
        self._client: Any = None

    def call(self, use: Callable[[Any], T]) -> T | None:
        if self.url is None or time.monotonic() < _away_until.get(self.url, 0.0):
            return None
        try:
            if self._client is None:
                from redis import Redis

                self._client = Redis.from_url(
                    self.url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
                )
            return use(self._client)
        except Exception as error:  # noqa: BLE001 - memory carries on; the kind is logged
            self._log.error("%s: redis failed: %s", self.label, type(error).__name__)
            _away_until[self.url] = time.monotonic() + self.rest_seconds
            return None

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def state(url: str | None, log: logging.Logger) -> str:
    """For /readyz: "up", "away" (memory carries on meanwhile) or "not used"."""
    if url is None:
        return "not used"
    link = RedisLink(url, label="readyz", log=log)
    try:
        return "up" if link.call(lambda client: client.ping()) else "away"
    finally:
        link.close()
