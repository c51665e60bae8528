"""Where the bot keeps short-lived state: in memory, or in Redis when REDIS_URL is set."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal, TypeVar

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import DEFAULT_DESTINY, BaseStorage, KeyBuilder, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.fsm.storage.redis import RedisStorage
from redis.exceptions import RedisError

from service.crypto import Keys
from service.settings import Settings

FLOOD = "flood"
REDIS_PREFIX = "rightsline:telegram:"
# Nothing the bot keeps in Redis needs to outlive a day.
TTL_SECONDS = 24 * 60 * 60
# A Redis that does not answer within this is taken as away; it is tried again after REST_SECONDS.
TIMEOUT_SECONDS = 1.0
REST_SECONDS = 30.0

log = logging.getLogger(__name__)
T = TypeVar("T")


class PseudonymousKeyBuilder(KeyBuilder):
    """Redis keys built from a keyed hash, so no chat or user id is written to Redis."""

    def __init__(self, keys: Keys) -> None:
        self.keys = keys

    def build(self, key: StorageKey, part: Literal["data", "state", "lock"] | None = None) -> str:
        who = self.keys.pseudonym("telegram-state", f"{key.bot_id}:{key.chat_id}:{key.user_id}")
        return REDIS_PREFIX + ":".join(filter(None, [who, key.destiny, part]))


class RedisOrMemory(BaseStorage):
    """Redis, and memory while Redis is away: every update is still handled, so a child who
    writes while Redis is down gets their answer, and their risk its referral. What is kept in
    memory then (where the chat is in a question, its flood count) is this process's alone."""

    def __init__(self, redis: RedisStorage, *, rest_seconds: float = REST_SECONDS) -> None:
        self.redis = redis
        self.memory = MemoryStorage()
        self.rest_seconds = rest_seconds
        self._away_until = 0.0

    async def _either(self, call: Callable[[BaseStorage], Awaitable[T]]) -> T:
        if time.monotonic() >= self._away_until:
            try:
                return await call(self.redis)
            except (RedisError, OSError) as error:
                # The kind of error only; then memory, without waiting on Redis for a while.
                log.error("telegram state: redis failed: %s", type(error).__name__)
                self._away_until = time.monotonic() + self.rest_seconds
        return await call(self.memory)

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        await self._either(lambda storage: storage.set_state(key, state))

    async def get_state(self, key: StorageKey) -> str | None:
        return await self._either(lambda storage: storage.get_state(key))

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._either(lambda storage: storage.set_data(key, data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return await self._either(lambda storage: storage.get_data(key))

    async def close(self) -> None:
        await self.memory.close()
        await self.redis.close()


def make_storage(settings: Settings, keys: Keys) -> BaseStorage:
    """The one place that chooses memory or Redis."""
    if settings.redis_url:
        return RedisOrMemory(
            RedisStorage.from_url(
                settings.redis_url,
                connection_kwargs={
                    "socket_timeout": TIMEOUT_SECONDS,
                    "socket_connect_timeout": TIMEOUT_SECONDS,
                },
                key_builder=PseudonymousKeyBuilder(keys),
                state_ttl=TTL_SECONDS,
                data_ttl=TTL_SECONDS,
            )
        )
    return MemoryStorage()


def chat_key(bot_id: int, chat_id: int, destiny: str = DEFAULT_DESTINY) -> StorageKey:
    """Storage key for a private chat, where the chat id and the user id are the same."""
    return StorageKey(bot_id=bot_id, chat_id=chat_id, user_id=chat_id, destiny=destiny)


async def forget_chat(storage: BaseStorage, bot_id: int, chat_id: int) -> None:
    """Drop everything the bot keeps for one chat (its state and its flood count)."""
    for destiny in (DEFAULT_DESTINY, FLOOD):
        key = chat_key(bot_id, chat_id, destiny)
        await storage.set_state(key, None)
        await storage.set_data(key, {})
