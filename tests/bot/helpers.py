"""A bot session that records Bot API calls instead of sending them, ready-made updates, Redis."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import GetMe, GetUpdates, SendMessage, TelegramMethod
from aiogram.types import CallbackQuery, Chat, InlineKeyboardMarkup, Message, Update, User
from redis.asyncio import Redis

from bot.fsm_storage import REDIS_PREFIX
from bot.keyboards import Press
from tests.conftest import REDIS_URL

# Obviously invented: no real person is called this, and the ids are made up.
CHAT_ID = 777000123
OTHER_CHAT_ID = 777000456
FIRST_NAME = "Zebedee"
USERNAME = "zebedee_quill_test"
BOT_TOKEN = "42:TEST-TOKEN-NOT-REAL"


class RecordingSession(BaseSession):
    """Keeps every request and answers with a plausible canned result; nothing leaves."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[TelegramMethod[Any]] = []
        self._message_ids = itertools.count(1000)

    async def make_request(
        self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None
    ) -> Any:
        self.calls.append(method)
        if isinstance(method, SendMessage):
            chat = Chat(id=int(method.chat_id), type="private")
            return Message(
                message_id=next(self._message_ids),
                date=datetime.now(UTC),
                chat=chat,
                text=method.text,
            )
        if isinstance(method, GetMe):
            return User(id=42, is_bot=True, first_name="Rightsline", username="rightsline_bot")
        if isinstance(method, GetUpdates):
            await asyncio.sleep(0.05)  # long polling that finds nothing
            return []
        return True

    async def stream_content(self, *args: Any, **kwargs: Any) -> AsyncGenerator[bytes, None]:
        yield b""

    async def close(self) -> None:
        pass

    def sent(self, chat_id: int | None = None) -> list[SendMessage]:
        return [
            call
            for call in self.calls
            if isinstance(call, SendMessage) and chat_id in (None, int(call.chat_id))
        ]

    def names(self) -> list[str]:
        return [type(call).__name__ for call in self.calls]

    def clear(self) -> None:
        self.calls.clear()


def make_bot() -> tuple[Bot, RecordingSession]:
    session = RecordingSession()
    return Bot(token=BOT_TOKEN, session=session), session


_update_ids = itertools.count(5000)


def person(chat_id: int = CHAT_ID) -> User:
    return User(id=chat_id, is_bot=False, first_name=FIRST_NAME, username=USERNAME)


def private_chat(chat_id: int = CHAT_ID) -> Chat:
    return Chat(id=chat_id, type="private", first_name=FIRST_NAME, username=USERNAME)


def message_update(text: str | None, chat_id: int = CHAT_ID, **fields: Any) -> Update:
    update_id = next(_update_ids)
    message = Message(
        message_id=update_id,
        date=datetime.now(UTC),
        chat=fields.pop("chat", None) or private_chat(chat_id),
        from_user=person(chat_id),
        text=text,
        **fields,
    )
    return Update(update_id=update_id, message=message)


def press_update(data: str, chat_id: int = CHAT_ID) -> Update:
    """A press of a button whose callback data is `data` (packed, as Telegram returns it)."""
    update_id = next(_update_ids)
    shown = Message(
        message_id=update_id,
        date=datetime.now(UTC),
        chat=private_chat(chat_id),
        from_user=User(id=42, is_bot=True, first_name="Rightsline"),
        text="(an earlier reply)",
    )
    query = CallbackQuery(
        id=str(update_id),
        from_user=person(chat_id),
        chat_instance="instance-1",
        message=shown,
        data=data,
    )
    return Update(update_id=update_id, callback_query=query)


def press(payload: str, chat_id: int = CHAT_ID) -> Update:
    return press_update(Press.from_payload(payload).pack(), chat_id)


def buttons(call: SendMessage) -> list[str]:
    """The engine payloads behind a sent message's inline keyboard."""
    markup = call.reply_markup
    if not isinstance(markup, InlineKeyboardMarkup):
        return []
    return [
        Press.unpack(button.callback_data or "").payload
        for row in markup.inline_keyboard
        for button in row
    ]


async def forget_redis_keys() -> None:
    """Our own keys only: the test database may be shared with other test runs."""
    client = Redis.from_url(REDIS_URL)
    async for key in client.scan_iter(match=f"{REDIS_PREFIX}*"):
        await client.delete(key)
    await client.aclose()
