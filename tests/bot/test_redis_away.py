"""Redis away (nothing listening, or a server that never answers): the bot still answers every
update, and risk still gets its referral. Needs no Redis of its own."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, select

from bot import attach_relay, build_dispatcher
from service.models import Referral
from service.runtime import build_runtime
from tests.bot.helpers import CHAT_ID, make_bot, message_update

CRISIS = "Nobody is allowed to hurt you. Please talk to Childline now on 0800 1111"


@pytest.fixture(params=["nothing listening", "never answers"])
def away(request: pytest.FixtureRequest) -> Iterator[str]:
    """The REDIS_URL of a Redis that is away."""
    server = socket.create_server(("127.0.0.1", 0))  # takes connections, never answers
    port = server.getsockname()[1]
    if request.param == "nothing listening":
        server.close()
    yield f"redis://127.0.0.1:{port}/0"
    server.close()


async def test_the_bot_answers_and_refers_while_redis_is_away(
    settings: Any, analyse: Any, away: str, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = build_runtime(settings.model_copy(update={"redis_url": away}), analyse=analyse)
    dp = build_dispatcher(runtime=runtime)
    bot, session = make_bot()
    attach_relay(dp, bot)
    try:
        with caplog.at_level(logging.ERROR):
            await dp.feed_update(bot, message_update("staff punched me"))
            told = [call.text for call in session.sent(CHAT_ID)]
            session.clear()
            await dp.feed_update(bot, message_update("how do i complain"))
            answered = [call.text for call in session.sent(CHAT_ID)]
        # The whole crisis answer, not only the error handler's line, and a referral.
        assert CRISIS in told[0]
        assert any("An advocate will read your message" in text for text in told)
        await runtime.conversation.settle()
        with Session(runtime.database) as db:
            assert db.exec(select(Referral.urgency)).one() == "urgent"
        # An ordinary question gets its ordinary answer.
        assert answered and "complain" in " ".join(answered).lower()
        assert "telegram state: redis failed" in caplog.text
        assert "handling a Telegram update failed" not in caplog.text
    finally:
        await dp.storage.close()
        runtime.close()
