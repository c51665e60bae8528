"""An advocate's reply reaches the right child's Telegram chat, and only that one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from aiogram import Bot, Dispatcher
from sqlmodel import Session, select

from bot.redeliver import redeliver
from service.models import Referral, RelayMessage, utcnow
from tests.advocates.helpers import add_advocate, bearer
from tests.bot.helpers import (
    CHAT_ID,
    OTHER_CHAT_ID,
    RecordingSession,
    buttons,
    message_update,
    press,
)

ADVOCATE = "advocate.telegram@example.org"


async def advocate_says(runtime: Any, text: str, ago: timedelta = timedelta(0)) -> int:
    with Session(runtime.database) as db:
        referral = db.exec(select(Referral)).one()
        message = RelayMessage(
            referral_id=referral.id,
            session_id=referral.session_id,
            sender="advocate",
            text=text,
            created_at=utcnow() - ago,
        )
        db.add(message)
        db.commit()
        assert message.id is not None
        return message.id


async def test_an_advocates_reply_goes_to_the_childs_chat(
    dp: Dispatcher, bot: Bot, session: RecordingSession, runtime: Any
) -> None:
    await dp.feed_update(bot, message_update("/start", chat_id=OTHER_CHAT_ID))
    await dp.feed_update(bot, message_update("/start"))
    await dp.feed_update(bot, press("talk"))
    await dp.feed_update(bot, press("advocate:yes"))
    session.clear()
    message_id = await advocate_says(runtime, "Hello, I am Sam, an advocate. I can help.")
    assert await runtime.relay.deliver(message_id)
    sent = session.sent()
    assert [int(call.chat_id) for call in sent] == [CHAT_ID]
    assert sent[0].text == "Your advocate says: Hello, I am Sam, an advocate. I can help."
    with Session(runtime.database) as db:
        assert db.get(RelayMessage, message_id).delivered_at is not None  # type: ignore[union-attr]


async def test_no_reply_reaches_a_chat_that_was_forgotten(
    dp: Dispatcher, bot: Bot, session: RecordingSession, runtime: Any
) -> None:
    await dp.feed_update(bot, message_update("/start"))
    await dp.feed_update(bot, press("talk"))
    await dp.feed_update(bot, press("advocate:yes"))
    message_id = await advocate_says(runtime, "Are you still there?")
    await dp.feed_update(bot, press("forget:yes"))
    session.clear()
    assert not await runtime.relay.deliver(message_id)
    assert session.sent() == []


async def test_replies_that_did_not_go_out_are_sent_again_later(
    dp: Dispatcher, bot: Bot, session: RecordingSession, runtime: Any
) -> None:
    await dp.feed_update(bot, message_update("/start"))
    await dp.feed_update(bot, press("talk"))
    await dp.feed_update(bot, press("advocate:yes"))
    await advocate_says(runtime, "Sent while the bot was away.", ago=timedelta(minutes=5))
    await advocate_says(runtime, "Sent a moment ago.")
    session.clear()
    assert await redeliver(runtime.relay) == 1
    assert [call.text for call in session.sent(CHAT_ID)] == [
        "Your advocate says: Sent while the bot was away."
    ]
    assert await redeliver(runtime.relay) == 0


async def test_a_reply_the_relay_gave_up_on_is_shown_when_the_child_writes_again(
    dp: Dispatcher, bot: Bot, session: RecordingSession, runtime: Any
) -> None:
    """Telegram could not be reached for two days: the relay stopped trying, but the reply is
    not lost. The child's next message brings it, after the answer to what they wrote."""
    await dp.feed_update(bot, message_update("/start"))
    await dp.feed_update(bot, press("talk"))
    await dp.feed_update(bot, press("advocate:yes"))
    message_id = await advocate_says(runtime, "Sorry for the wait.", ago=timedelta(days=2))
    assert await redeliver(runtime.relay) == 0
    session.clear()
    await dp.feed_update(bot, message_update("hello"))
    said = [call.text for call in session.sent(CHAT_ID)]
    assert said[-1] == "Your advocate says: Sorry for the wait."
    with Session(runtime.database) as db:
        assert db.get(RelayMessage, message_id).delivered_at is not None  # type: ignore[union-attr]
    session.clear()
    await dp.feed_update(bot, message_update("hello"))
    assert "Your advocate says: Sorry for the wait." not in [c.text for c in session.sent()]


async def claimed_by_an_advocate(
    dp: Dispatcher, bot: Bot, runtime: Any, client: httpx.AsyncClient
) -> tuple[str, dict[str, str]]:
    """The child asks for an advocate on Telegram and one claims it: its API path, and the
    advocate's headers."""
    await dp.feed_update(bot, message_update("/start"))
    await dp.feed_update(bot, press("talk"))
    await dp.feed_update(bot, press("advocate:yes"))
    add_advocate(runtime, ADVOCATE)
    headers = await bearer(client, ADVOCATE)
    (referral,) = (await client.get("/api/referrals", headers=headers)).json()
    url = f"/api/referrals/{referral['id']}"
    await client.post(f"{url}/claim", headers=headers)
    return url, headers


async def test_a_reply_sent_from_the_advocate_api_reaches_telegram(
    dp: Dispatcher,
    bot: Bot,
    session: RecordingSession,
    runtime: Any,
    client: httpx.AsyncClient,
) -> None:
    await dp.feed_update(bot, message_update("/start", chat_id=OTHER_CHAT_ID))
    url, headers = await claimed_by_an_advocate(dp, bot, runtime, client)
    session.clear()
    sent = await client.post(f"{url}/replies", json={"text": "I can help."}, headers=headers)
    assert sent.status_code == 201 and sent.json()["pushed"] is True
    assert [(int(call.chat_id), call.text) for call in session.sent()] == [
        (CHAT_ID, "Your advocate says: I can help.")
    ]


async def test_when_the_advocate_finishes_the_child_can_ask_again_with_one_tap(
    dp: Dispatcher,
    bot: Bot,
    session: RecordingSession,
    runtime: Any,
    client: httpx.AsyncClient,
) -> None:
    url, headers = await claimed_by_an_advocate(dp, bot, runtime, client)
    await client.post(f"{url}/replies", json={"text": "I can help."}, headers=headers)
    session.clear()
    closed = await client.post(f"{url}/close", headers=headers, json={"outcome": "other"})
    assert closed.status_code == 200
    (told,) = session.sent(CHAT_ID)
    assert told.text.startswith("Your advocate has finished.")
    assert "talk" in buttons(told)
    # The button it names does what it says: asking for an advocate again.
    session.clear()
    await dp.feed_update(bot, press("talk"))
    assert "Do you want an advocate to reply to you here?" in [
        c.text for c in session.sent(CHAT_ID)
    ]
