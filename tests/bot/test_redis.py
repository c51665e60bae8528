"""What the bot keeps in Redis: state under keyed hashes only, flood counts, and forgetting."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Dispatcher
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import Redis

from bot import attach_relay, build_dispatcher
from bot.fsm_storage import REDIS_PREFIX, RedisOrMemory
from bot.middlewares import FLOOD_LIMIT
from service.runtime import build_runtime
from tests.bot.helpers import (
    CHAT_ID,
    FIRST_NAME,
    USERNAME,
    forget_redis_keys,
    make_bot,
    message_update,
    press,
)
from tests.conftest import REDIS_URL, redis_available

pytestmark = pytest.mark.skipif(not redis_available(), reason="Redis is not reachable")


async def our_keys(redis: Redis) -> list[str]:
    return [key.decode() async for key in redis.scan_iter(match=REDIS_PREFIX + "*")]


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    await forget_redis_keys()
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()
    await forget_redis_keys()


@pytest.fixture
async def redis_dp(settings: Any, analyse: Any, redis: Redis) -> AsyncIterator[Dispatcher]:
    runtime = build_runtime(settings.model_copy(update={"redis_url": REDIS_URL}), analyse=analyse)
    dp = build_dispatcher(runtime=runtime)
    yield dp
    await dp.storage.close()
    runtime.close()


async def test_redis_holds_the_state_under_keyed_hashes_only(
    redis_dp: Dispatcher, redis: Redis
) -> None:
    assert isinstance(redis_dp.storage, RedisOrMemory)
    assert isinstance(redis_dp.storage.redis, RedisStorage)
    bot, session = make_bot()
    attach_relay(redis_dp, bot)
    await redis_dp.feed_update(bot, message_update("/start"))
    await redis_dp.feed_update(bot, press("role:child"))
    assert "Where are you staying" in session.sent()[-1].text
    keys = await our_keys(redis)
    assert keys
    for key in keys:
        value = (await redis.get(key)) or b""
        for raw in (str(CHAT_ID), FIRST_NAME, USERNAME):
            assert raw not in key and raw.encode() not in value


async def test_the_flood_limit_and_forget_work_in_redis(redis_dp: Dispatcher, redis: Redis) -> None:
    bot, session = make_bot()
    for _ in range(FLOOD_LIMIT + 1):
        await redis_dp.feed_update(bot, message_update("hello"))
    assert session.sent()[-1].text == redis_dp["runtime"].library.message("flood")
    await redis_dp.feed_update(bot, press("forget:yes"))
    assert await our_keys(redis) == []
