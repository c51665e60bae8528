"""Fixtures for the bot: the real dispatcher over the real runtime, and a recording bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot, Dispatcher

from bot import attach_relay, build_dispatcher
from tests.bot.helpers import RecordingSession, forget_redis_keys, make_bot
from tests.conftest import REDIS_URL, redis_available


@pytest.fixture(params=["memory", "redis"])
async def dp(request: pytest.FixtureRequest, runtime: Any) -> AsyncIterator[Dispatcher]:
    """Every bot test runs with state in memory and, when Redis answers, in Redis."""
    if request.param == "redis":
        if not redis_available():
            pytest.skip("Redis is not reachable on 127.0.0.1:6379")
        await forget_redis_keys()
        runtime.settings = runtime.settings.model_copy(update={"redis_url": REDIS_URL})
    dispatcher = build_dispatcher(runtime=runtime)
    yield dispatcher
    await dispatcher.storage.close()
    if request.param == "redis":
        await forget_redis_keys()


@pytest.fixture
def recorded() -> tuple[Bot, RecordingSession]:
    return make_bot()


@pytest.fixture
def bot(recorded: tuple[Bot, RecordingSession], dp: Dispatcher) -> Bot:
    attach_relay(dp, recorded[0])
    return recorded[0]


@pytest.fixture
def session(recorded: tuple[Bot, RecordingSession]) -> RecordingSession:
    return recorded[1]
