"""Which chats were last asked "Are you safe right now?" and have not answered yet.

The database is where a chat's question on screen is kept. While it is away, this is how a
"No" typed (or worrying words sent) in answer is still understood, and made urgent. Kept in
Redis when it is configured, so every service process knows, and in memory as well (used when
Redis is not configured or fails). Keys are the engine's session keys, already keyed hashes.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from service.redis_link import RedisLink

log = logging.getLogger(__name__)

# Long enough to cover an outage and a child who answers slowly; the database decides again
# as soon as it is back.
KEEP_SECONDS = 3600
# A bound on memory: the oldest question is let go first.
MOST = 10_000
PREFIX = "rightsline:check_in:"


@dataclass(frozen=True)
class Asked:
    """A question on screen: who it was asked of (the chat's role), and, when it was asked
    while the database was away, the redacted words that made it asked (so an advocate reads
    them with the "No"; otherwise the chat's events keep them)."""

    role: str | None
    words: str | None = None
    # The risks it was asked about (self_harm, abuse; often none): a "No" is referred with them.
    worries: tuple[str, ...] = ()


class CheckIns:
    """Session keys asked "are you safe?" and not yet answered."""

    def __init__(
        self,
        *,
        redis_url: str | None = None,
        keep_seconds: int = KEEP_SECONDS,
        most: int = MOST,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redis_url = redis_url
        self._keep = keep_seconds
        self._most = most
        self._clock = clock
        self._redis = RedisLink(redis_url, label="check-ins", log=log)
        self._asked: OrderedDict[str, tuple[float, Asked]] = OrderedDict()
        self._lock = threading.Lock()

    def ask(
        self,
        key: str,
        role: str | None,
        words: str | None = None,
        worries: set[str] | None = None,
    ) -> None:
        """This chat was just asked "are you safe?"."""
        asked = Asked(role, words, tuple(sorted(worries or ())))
        with self._lock:
            self._asked.pop(key, None)
            self._asked[key] = (self._clock(), asked)
            while len(self._asked) > self._most:
                self._asked.popitem(last=False)
        self._redis.call(
            lambda redis: redis.set(PREFIX + key, json.dumps(vars(asked)), ex=self._keep)
        )

    def answered(self, key: str) -> None:
        """The question is no longer on screen (answered, or the chat moved on)."""
        with self._lock:
            self._asked.pop(key, None)
        self._redis.call(lambda redis: redis.delete(PREFIX + key))

    def waiting(self, key: str) -> Asked | None:
        """The question this chat was asked and has not answered, if it was asked lately."""
        found = self._redis.call(lambda redis: redis.get(PREFIX + key) or b"")
        if found is not None:  # Redis answered: it knows what every process asked
            if not found:
                return None
            kept = json.loads(found)
            return Asked(kept["role"], kept["words"], tuple(kept.get("worries", ())))
        with self._lock:
            kept = self._asked.get(key)
            if kept is None:
                return None
            if self._clock() - kept[0] > self._keep:
                del self._asked[key]
                return None
            return kept[1]

    def close(self) -> None:
        self._redis.close()
