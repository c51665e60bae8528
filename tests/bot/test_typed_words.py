"""Typed words on Telegram: asking for a person gets one, and "forget me" then "yes" forgets."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, Dispatcher

from bot.fsm_storage import FLOOD, chat_key
from bot.middlewares import FLOOD_LIMIT
from tests.bot.helpers import CHAT_ID, RecordingSession, buttons, message_update
from tests.service.helpers import count, database_dump

# An invented word no redaction touches, so it can be looked for in the database.
INVENTED = "zogglewump"


async def test_typing_for_a_person_then_yes_asks_an_advocate_to_reply(
    dp: Dispatcher, bot: Bot, session: RecordingSession, runtime: Any
) -> None:
    await dp.feed_update(bot, message_update("I want to talk to a real person"))
    sent = session.sent(CHAT_ID)
    assert sent[-1].text == "Do you want an advocate to reply to you here?"
    assert buttons(sent[-1]) == ["advocate:yes", "advocate:no"]
    session.clear()
    await dp.feed_update(bot, message_update("yes"))
    assert "reply to you here" in session.sent(CHAT_ID)[0].text
    assert count(runtime.database, "referral") == 1


async def test_typing_forget_me_then_yes_leaves_no_words(
    dp: Dispatcher, bot: Bot, session: RecordingSession, runtime: Any
) -> None:
    await dp.feed_update(bot, message_update(f"the {INVENTED} wing is freezing, can i complain"))
    session.clear()
    await dp.feed_update(bot, message_update("forget me"))
    assert buttons(session.sent(CHAT_ID)[0]) == ["forget:yes", "forget:no"]
    assert INVENTED in database_dump(runtime.database)  # asked first, nothing gone yet
    session.clear()
    await dp.feed_update(bot, message_update("yes"))
    assert "deleted what you wrote" in session.sent(CHAT_ID)[0].text
    assert INVENTED not in database_dump(runtime.database)
    assert count(runtime.database, "chat_session") == 0
    # The bot's own state for the chat goes too, as when the button is pressed.
    assert await dp.storage.get_data(chat_key(bot.id, CHAT_ID, FLOOD)) == {}


async def test_help_typed_or_as_a_command_gives_childline_and_the_menu(
    dp: Dispatcher, bot: Bot, session: RecordingSession
) -> None:
    for help_ in ("help", "/help"):
        session.clear()
        await dp.feed_update(bot, message_update(help_))
        sent = session.sent(CHAT_ID)
        assert "0800 1111" in sent[0].text
        assert "topic:separation" in buttons(sent[-1]) and "talk" in buttons(sent[-1])


async def test_a_typed_forget_me_gets_through_a_flood(
    dp: Dispatcher, bot: Bot, session: RecordingSession
) -> None:
    for _ in range(FLOOD_LIMIT + 2):
        await dp.feed_update(bot, message_update("hello"))
    session.clear()
    await dp.feed_update(bot, message_update("Forget me!"))
    assert buttons(session.sent(CHAT_ID)[0]) == ["forget:yes", "forget:no"]
