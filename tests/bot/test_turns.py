"""The `turn` every handler is given: one engine turn for the update's chat, replies sent."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.types import Chat

from bot.middlewares import Turns
from bot.turns import Turn
from service.replies import Inbound
from tests.bot.helpers import CHAT_ID, RecordingSession, buttons, message_update


async def given_turn(runtime: Any, bot: Bot, data: dict[str, Any]) -> Turn | None:
    seen: dict[str, Any] = {}

    async def handler(_event: Any, handed: dict[str, Any]) -> None:
        seen.update(handed)

    middleware = Turns(runtime.conversation, runtime.keys)
    await middleware(handler, message_update("hello"), {"bot": bot, **data})
    return seen.get("turn")


async def test_a_turn_speaks_for_the_chat_and_sends_the_replies(
    runtime: Any, recorded: tuple[Bot, RecordingSession]
) -> None:
    bot, session = recorded
    key = runtime.keys.pseudonym("telegram", CHAT_ID)
    chat = Chat(id=CHAT_ID, type="private")
    turn = await given_turn(runtime, bot, {"event_chat": chat, "session_key": key})
    assert turn is not None
    started = await turn(None)  # /start
    assert "Rightsline" in started[0].text
    chosen = await turn(Inbound(payload="role:child"))
    assert "Where are you staying" in chosen[0].text
    sent = session.sent(CHAT_ID)
    assert [call.text for call in sent] == [reply.text for reply in started + chosen]
    assert "setting:yoi" in buttons(sent[-1])
    # The engine knows the chat by its pseudonym only.
    assert await runtime.conversation.pending(key) == []


async def test_no_turn_without_a_private_chat_behind_the_update(
    runtime: Any, recorded: tuple[Bot, RecordingSession]
) -> None:
    bot, session = recorded
    assert await given_turn(runtime, bot, {}) is None
    assert session.calls == []
