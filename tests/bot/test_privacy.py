"""What the bot keeps: only keyed hashes and an encrypted route, and /forget erases them."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from sqlmodel import Session, select

from bot.fsm_storage import FLOOD, chat_key
from service.models import Chat, Event, Referral, RelayMessage
from tests.bot.helpers import (
    CHAT_ID,
    FIRST_NAME,
    OTHER_CHAT_ID,
    USERNAME,
    RecordingSession,
    buttons,
    message_update,
    press,
)
from tests.service.helpers import count, database_dump

RAW = (str(CHAT_ID), FIRST_NAME, USERNAME)


async def test_neither_the_database_nor_the_logs_hold_who_is_talking(
    dp: Dispatcher,
    bot: Bot,
    session: RecordingSession,
    runtime: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    await dp.feed_update(bot, message_update("/start"))
    await dp.feed_update(bot, press("role:child"))
    await dp.feed_update(bot, message_update("can they keep me in my room all day"))
    await dp.feed_update(bot, press("talk"))
    await dp.feed_update(bot, press("advocate:yes"))
    await dp.feed_update(bot, message_update("staff keep hitting me"))
    assert count(runtime.database, "referral") == 1
    stored = database_dump(runtime.database)
    assert "chat_session" in stored
    for value in RAW:
        assert value not in stored
        assert value not in caplog.text
    with Session(runtime.database) as db:
        route = db.exec(select(Chat.route)).one()
    assert route and runtime.keys.decrypt_route(route) == str(CHAT_ID)


async def test_forget_erases_everything_held_for_that_chat(
    dp: Dispatcher, bot: Bot, session: RecordingSession, runtime: Any
) -> None:
    await dp.feed_update(bot, message_update("/start", chat_id=OTHER_CHAT_ID))
    await dp.feed_update(bot, message_update("/start"))
    await dp.feed_update(bot, message_update("can they lock me in my room"))
    await dp.feed_update(bot, press("talk"))
    await dp.feed_update(bot, press("advocate:yes"))
    assert count(runtime.database, "referral") == 1
    key = runtime.keys.pseudonym("telegram", CHAT_ID)
    with Session(runtime.database) as db:
        chat = db.exec(select(Chat).where(Chat.key == key)).one()
    session.clear()
    await dp.feed_update(bot, message_update("/forget"))
    assert buttons(session.sent()[0]) == ["forget:yes", "forget:no"]
    assert count(runtime.database, "chat_session") == 2  # asked first, nothing gone yet
    session.clear()
    await dp.feed_update(bot, press("forget:yes"))
    assert "deleted what you wrote" in session.sent(CHAT_ID)[0].text
    assert key not in database_dump(runtime.database)
    assert count(runtime.database, "chat_session") == 1  # the other chat is untouched
    with Session(runtime.database) as db:
        for table in (Event, Referral, RelayMessage):
            assert db.exec(select(table).where(table.session_id == chat.id)).all() == []
    assert count(runtime.database, "referral") == 0
    assert await dp.storage.get_data(chat_key(bot.id, CHAT_ID, FLOOD)) == {}
