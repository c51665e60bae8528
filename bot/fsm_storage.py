"""Where the bot keeps short-lived state: in memory, or in Redis when REDIS_URL is set."""

from __future__ import annotations

from typing import Literal

from aiogram.fsm.storage.base import DEFAULT_DESTINY, BaseStorage, KeyBuilder, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.fsm.storage.redis import RedisStorage

from service.crypto import Keys
from service.settings import Settings

FLOOD = "flood"
REDIS_PREFIX = "rightsline:telegram:"
# Nothing the bot keeps in Redis needs to outlive a day.
TTL_SECONDS = 24 * 60 * 60


class PseudonymousKeyBuilder(KeyBuilder):
    """Redis keys built from a keyed hash, so no chat or user id is written to Redis."""

    def __init__(self, keys: Keys) -> None:
        self.keys = keys

    def build(self, key: StorageKey, part: Literal["data", "state", "lock"] | None = None) -> str:
        who = self.keys.pseudonym("telegram-state", f"{key.bot_id}:{key.chat_id}:{key.user_id}")
        return REDIS_PREFIX + ":".join(filter(None, [who, key.destiny, part]))


def make_storage(settings: Settings, keys: Keys) -> BaseStorage:
    """The one place that chooses memory or Redis."""
    if settings.redis_url:
        return RedisStorage.from_url(
            settings.redis_url,
            key_builder=PseudonymousKeyBuilder(keys),
            state_ttl=TTL_SECONDS,
            data_ttl=TTL_SECONDS,
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
