"""The seams the channels use: the relay's undelivered messages, and updates claimed once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session

from service import storage
from service.models import RelayMessage, utcnow
from service.replies import Inbound, Reply
from tests.service.helpers import count

TELEGRAM, WEB = "t" * 64, "w" * 64


async def referred(runtime: Any, key: str, channel: str) -> None:
    """A chat on `channel` that asked for an advocate, with its way back kept."""
    await runtime.conversation.set_route(key, channel, runtime.keys.encrypt_route("12345"))
    for payload in ("talk", "advocate:yes"):
        await runtime.conversation.handle(key, channel, Inbound(payload=payload))


def written(runtime: Any, key: str, ago: timedelta, sender: str = "advocate") -> int:
    """A message on the open referral of the chat known by `key`, written `ago`."""
    with Session(runtime.database) as session:
        chat = storage.find_chat(session=session, key=key)
        assert chat is not None
        referral = storage.open_referral(session=session, chat=chat)
        assert referral is not None and referral.id is not None
        message = RelayMessage(
            referral_id=referral.id,
            session_id=chat.id,
            sender=sender,
            text="Hello, I am Sam.",
            created_at=utcnow() - ago,
        )
        session.add(message)
        session.commit()
        assert message.id is not None
        return message.id


async def test_undelivered_is_the_channels_settled_advocate_messages(runtime: Any) -> None:
    await referred(runtime, TELEGRAM, "telegram")
    await referred(runtime, WEB, "web")
    settled = written(runtime, TELEGRAM, timedelta(minutes=5))
    written(runtime, TELEGRAM, timedelta(seconds=1))  # may still be on its way
    written(runtime, TELEGRAM, timedelta(days=2))  # given up on
    written(runtime, TELEGRAM, timedelta(minutes=5), sender="child")
    on_the_web = written(runtime, WEB, timedelta(minutes=5))
    assert await runtime.relay.undelivered("telegram") == [settled]
    assert await runtime.relay.undelivered("web") == [on_the_web]


async def test_a_message_delivered_either_way_is_no_longer_undelivered(runtime: Any) -> None:
    await referred(runtime, TELEGRAM, "telegram")
    await referred(runtime, WEB, "web")
    pushed = written(runtime, TELEGRAM, timedelta(minutes=5))
    polled = written(runtime, WEB, timedelta(minutes=5))
    sent: list[tuple[str, str]] = []

    async def send(route: str, reply: Reply) -> None:
        sent.append((route, reply.text))

    runtime.relay.register("telegram", send)
    assert await runtime.relay.deliver(pushed)
    assert sent == [("12345", "Your advocate says: Hello, I am Sam.")]
    # The web chat is not pushed to: its page asks, and the engine marks what it showed.
    assert not await runtime.relay.deliver(polled)
    [shown] = await runtime.conversation.pending(WEB)
    assert shown.text == "Your advocate says: Hello, I am Sam."
    assert await runtime.relay.undelivered("telegram") == []
    assert await runtime.relay.undelivered("web") == []
    with Session(runtime.database) as session:
        for message_id in (pushed, polled):
            message = session.get(RelayMessage, message_id)
            assert message is not None and message.delivered_at is not None


async def test_an_update_is_claimed_once(runtime: Any) -> None:
    conversation = runtime.conversation
    assert await conversation.claim_update("telegram:1:42")
    assert not await conversation.claim_update("telegram:1:42")
    assert await conversation.claim_update("telegram:1:43")
    assert count(runtime.database, "processed_update") == 2


def test_an_advocates_words_are_introduced_in_one_place(runtime: Any) -> None:
    said = "Your advocate says: I can help."
    assert runtime.conversation.advocate_says("I can help.") == said
    assert runtime.relay.shown("advocate", "I can help.") == Reply(text=said)
    # Rightsline's own words are shown as they are, with the buttons they name.
    finished = runtime.relay.shown("rightsline", runtime.conversation.advocate_finished())
    assert finished.text.startswith("Your advocate has finished.")
    assert [button.payload for button in finished.buttons] == ["talk", "menu"]
