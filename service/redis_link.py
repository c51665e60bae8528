"""The service's own Redis client (the limits, the check-ins), which steps aside while Redis
is away: a call that fails, or waits past a second, leaves Redis alone for a while, and the
caller carries on in memory. A Redis that hangs then costs one wait, not one a message."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

TIMEOUT_SECONDS = 1.0
REST_SECONDS = 30.0


class RedisLink:
    """`call(use)` is `use(client)`, or None when there is no Redis, or it failed lately."""

    def __init__(
        self,
        url: str | None,
        *,
        label: str,
        log: logging.Logger,
        rest_seconds: float = REST_SECONDS,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.url = url
        self.label = label
        self.rest_seconds = rest_seconds
        self._log = log
        self._clock = clock
        self._client: Any = None
        self._away_until = 0.0

    def call(self, use: Callable[[Any], T]) -> T | None:
        if self.url is None or self._now() < self._away_until:
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
            self._away_until = self._now() + self.rest_seconds
            return None

    def _now(self) -> float:
        return self._clock() if self._clock is not None else time.monotonic()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
