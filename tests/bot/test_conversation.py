"""The bot end to end: real updates into the dispatcher, Bot API calls recorded, no network."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.methods import AnswerCallbackQuery, SendChatAction
from sqlmodel import Session, select

from bot import build_dispatcher
from bot.middlewares import FLOOD_LIMIT
from service.db import make_engine
from service.models import Chat, Referral
from tests.bot.helpers import (
    CHAT_ID,
    RecordingSession,
    buttons,
    make_bot,
    message_update,
    press,
    press_update,
)
from tests.service.helpers import count

CHILDLINE = "0800 1111"


async def test_start_greets_and_offers_who_you_are(
    dp: Dispatcher, bot: Bot, session: RecordingSession
) -> None:
    await dp.feed_update(bot, message_update("/start"))
    sent = session.sent(CHAT_ID)
    assert "Rightsline" in sent[0].text
    assert buttons(sent[-1]) == ["role:child", "role:family", "role:professional"]


async def test_typing_shows_while_the_engine_works(
    dp: Dispatcher, bot: Bot, session: RecordingSession
) -> None:
    await dp.feed_update(bot, message_update("/start"))
    first = session.calls[0]
    assert isinstance(first, SendChatAction) and first.action == "typing"


async def test_a_topic_question_gets_the_answer_for_the_place(
    dp: Dispatcher, bot: Bot, session: RecordingSession, library: Any
) -> None:
    await dp.feed_update(bot, press("role:child"))
    await dp.feed_update(bot, press("setting:yoi"))
    session.clear()
    await dp.feed_update(bot, message_update("been banged up 23 hours is that allowed"))
    expected = library.answer("separation", "child", "yoi")
    sent = session.sent(CHAT_ID)
    assert sent[0].text == " ".join(expected.first)
    assert {"more", "talk"} <= set(buttons(sent[0]))


async def test_a_button_press_is_answered_and_goes_through_the_engine(
    dp: Dispatcher, bot: Bot, session: RecordingSession
) -> None:
    await dp.feed_update(bot, message_update("/start"))
    session.clear()
    await dp.feed_update(bot, press("role:child"))
    assert isinstance(session.calls[0], AnswerCallbackQuery)
    sent = session.sent(CHAT_ID)
    assert "Where are you staying" in sent[0].text
    assert "setting:yoi" in buttons(sent[0])


async def test_a_family_member_gets_the_family_menu_visits_first(
    dp: Dispatcher, bot: Bot, session: RecordingSession
) -> None:
    await dp.feed_update(bot, press("role:family"))
    assert "your child" in session.sent(CHAT_ID)[0].text
    session.clear()
    await dp.feed_update(bot, press("setting:yoi"))
    menu = session.sent(CHAT_ID)[-1]
    assert buttons(menu)[0] == "topic:visits"


async def test_a_parent_who_says_so_is_taken_down_the_family_path(
    dp: Dispatcher, bot: Bot, session: RecordingSession, runtime: Any
) -> None:
    await dp.feed_update(bot, message_update("Hello, I'm his mum"))
    with Session(runtime.database) as db:
        assert db.exec(select(Chat.role)).one() == "family"
    session.clear()
    await dp.feed_update(bot, press("menu"))
    assert buttons(session.sent(CHAT_ID)[-1])[0] == "topic:visits"


async def test_risk_gets_childline_in_the_first_message_and_an_urgent_referral(
    dp: Dispatcher, bot: Bot, session: RecordingSession, runtime: Any
) -> None:
    await dp.feed_update(bot, message_update("i want to kill myself"))
    assert CHILDLINE in session.sent(CHAT_ID)[0].text
    with Session(runtime.database) as db:
        assert db.exec(select(Referral.urgency)).one() == "urgent"


async def test_an_update_sent_again_is_handled_once(
    dp: Dispatcher, bot: Bot, session: RecordingSession, runtime: Any
) -> None:
    update = message_update("can they lock me in my room")
    await dp.feed_update(bot, update)
    once = len(session.sent())
    await dp.feed_update(bot, update)
    assert len(session.sent()) == once
    assert count(runtime.database, "event") == 1
    assert count(runtime.database, "processed_update") == 1


@pytest.fixture
def notice(runtime: Any) -> str:
    """What a flood is told: the web chat's words, with Childline's number from helplines.yaml."""
    said = runtime.library.message("flood")
    assert CHILDLINE in said
    return str(said)


async def test_a_flood_gets_one_kind_message_but_risk_still_gets_through(
    dp: Dispatcher, bot: Bot, session: RecordingSession, notice: str
) -> None:
    for _ in range(FLOOD_LIMIT):
        await dp.feed_update(bot, message_update("hello"))
    session.clear()
    await dp.feed_update(bot, message_update("hello"))
    await dp.feed_update(bot, message_update("hello"))
    assert [call.text for call in session.sent()] == [notice]
    session.clear()
    await dp.feed_update(bot, message_update("i want to kill myself"))
    assert CHILDLINE in session.sent()[0].text
    session.clear()
    # Saying they are not safe goes through too: it is urgent, whatever the model reads.
    await dp.feed_update(bot, message_update("im not safe here"))
    assert session.sent() and session.sent()[0].text != notice
    assert CHILDLINE in session.sent()[0].text
    session.clear()
    await dp.feed_update(bot, press("menu"))
    answered = [call for call in session.calls if isinstance(call, AnswerCallbackQuery)]
    assert answered[0].text == notice and not session.sent()


async def test_a_flood_across_the_minute_is_still_a_flood(
    dp: Dispatcher, bot: Bot, session: RecordingSession, monkeypatch: Any, notice: str
) -> None:
    from bot import middlewares

    clock = [1_800_000_059.5]  # half a second before a minute ends
    monkeypatch.setattr(middlewares.time, "time", lambda: clock[0])
    for _ in range(FLOOD_LIMIT):
        await dp.feed_update(bot, message_update("hello"))
        clock[0] += 0.1
    session.clear()
    await dp.feed_update(bot, message_update("hello"))
    assert [call.text for call in session.sent()] == [notice]
    # A minute after the burst began, the child is answered again.
    clock[0] += 60
    session.clear()
    await dp.feed_update(bot, message_update("hello"))
    assert session.sent() and notice not in session.sent()[0].text


async def test_other_chats_keep_their_own_flood_count(
    dp: Dispatcher, bot: Bot, session: RecordingSession, notice: str
) -> None:
    for _ in range(FLOOD_LIMIT + 1):
        await dp.feed_update(bot, message_update("hello"))
    session.clear()
    await dp.feed_update(bot, message_update("hello", chat_id=777000456))
    assert session.sent() and notice not in session.sent()[0].text


async def test_no_words_and_unknown_buttons_get_kind_replies(
    dp: Dispatcher, bot: Bot, session: RecordingSession
) -> None:
    await dp.feed_update(bot, message_update(None))  # a sticker, say: nothing to read
    assert "did not get any words" in session.sent()[0].text
    session.clear()
    await dp.feed_update(bot, press_update("an old button from long ago"))
    assert "button did not work" in session.sent()[0].text
    assert buttons(session.sent()[0])


async def test_an_error_still_answers_with_childline(
    dp: Dispatcher, bot: Bot, session: RecordingSession, runtime: Any, monkeypatch: Any
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the engine broke")

    monkeypatch.setattr(runtime.conversation, "handle", broken)
    await dp.feed_update(bot, message_update("what are my rights"))
    assert CHILDLINE in session.sent()[0].text


async def test_an_error_on_risky_words_answers_with_childline_first(
    dp: Dispatcher, bot: Bot, session: RecordingSession, runtime: Any, monkeypatch: Any
) -> None:
    from service import safety

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the engine broke")

    monkeypatch.setattr(runtime.conversation, "handle", broken)
    await dp.feed_update(bot, message_update("i want to kill myself"))
    assert [call.text for call in session.sent()] == [safety.FALLBACK_RISK_REPLY]


async def test_group_chats_are_not_answered(
    dp: Dispatcher, bot: Bot, session: RecordingSession, runtime: Any
) -> None:
    from aiogram import types

    group = types.Chat(id=-100777000123, type="supergroup", title="A made-up group")
    await dp.feed_update(bot, message_update("hello", chat=group))
    assert session.sent() == []
    assert count(runtime.database, "chat_session") == 0


async def test_risk_still_gets_childline_when_the_database_is_down(
    runtime: Any,
) -> None:
    working = runtime.database
    broken = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/nowhere?connect_timeout=1")
    runtime.database = broken
    runtime.conversation.use_database(broken)
    try:
        dp = build_dispatcher(runtime=runtime)
        bot, session = make_bot()
        await dp.feed_update(bot, message_update("i want to kill myself"))
        first = session.sent()[0].text
        await dp.storage.close()
    finally:
        runtime.database = working
        runtime.conversation.use_database(working)
        broken.dispose()
    assert CHILDLINE in first
    # The referral waits in the outbox until the database is back, so an advocate will see it.
    assert session.sent()[-1].text == runtime.library.messages["crisis_advocate"]
    assert len(runtime.outbox.waiting()) == 1
    # Back, the referral is written with the way to this chat, so an advocate's reply reaches it.
    assert runtime.outbox.drain(runtime.database) == 1
    with Session(runtime.database) as db:
        chat = db.exec(select(Chat)).one()
        assert chat.route is not None and str(CHAT_ID) not in chat.route
        assert runtime.keys.decrypt_route(chat.route) == str(CHAT_ID)
        assert len(db.exec(select(Referral)).all()) == 1
