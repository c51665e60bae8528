"""Middlewares: pseudonymise the chat, handle each update once, give handlers their turn,
and a kind flood limit."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.enums import ChatType
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, Update

from bot.fsm_storage import FLOOD, chat_key
from bot.keyboards import Press
from bot.turns import Turn, take_turn
from service import safety
from service.crypto import Keys
from service.engine import Conversation
from service.payloads import FORGET_YES
from service.replies import Inbound, Reply

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

FLOOD_LIMIT = 20  # messages and button presses
FLOOD_WINDOW = 60  # seconds
FORGET = str(FORGET_YES)


class Pseudonymise(BaseMiddleware):
    """The chat id becomes a keyed hash, `session_key`, before the engine or storage see it."""

    def __init__(self, keys: Keys) -> None:
        self.keys = keys

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chat: Chat | None = data.get("event_chat")
        if chat is None or chat.type != ChatType.PRIVATE:
            # One-to-one chats only: in a group, everyone would share one conversation.
            return None
        data["session_key"] = self.keys.pseudonym("telegram", chat.id)
        return await handler(event, data)


class HandleOnce(BaseMiddleware):
    """An update Telegram sends again is handled once: the engine claims its id."""

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        bot: Bot = data["bot"]
        try:
            claimed = await self.conversation.claim_update(f"telegram:{bot.id}:{event.update_id}")
        except Exception as error:  # noqa: BLE001
            # Database down: better to answer twice than not at all (the risk path needs no DB).
            log.error("could not record the update: %s", type(error).__name__)
            claimed = True
        if not claimed:
            log.info("an update arrived again and was skipped")
            return None
        return await handler(event, data)


class Turns(BaseMiddleware):
    """Gives every handler `turn(inbound)`: one turn of the engine for this chat, its replies
    sent (`turn(None)` starts the conversation). Handlers then only say what came in."""

    def __init__(self, conversation: Conversation, keys: Keys) -> None:
        self.conversation = conversation
        self.keys = keys

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chat: Chat | None = data.get("event_chat")
        session_key: str | None = data.get("session_key")
        if chat is not None and session_key is not None:
            data["turn"] = self.turn_for(data["bot"], chat.id, session_key)
        return await handler(event, data)

    def turn_for(self, bot: Bot, chat_id: int, session_key: str) -> Turn:
        async def turn(inbound: Inbound | None) -> list[Reply]:
            return await take_turn(
                inbound,
                bot=bot,
                chat_id=chat_id,
                session_key=session_key,
                conversation=self.conversation,
                keys=self.keys,
            )

        return turn


class FloodLimit(BaseMiddleware):
    """At most `limit` messages a minute from one chat.

    A message showing risk always goes on, and so does "forget me", pressed or typed:
    neither may wait. `notice` is what a flood is told (messages.yaml: flood); `intent` is
    what typed words mean (Library.intent), so that a typed "forget me" is known.
    """

    def __init__(
        self,
        storage: BaseStorage,
        notice: str,
        limit: int = FLOOD_LIMIT,
        window: int = FLOOD_WINDOW,
        intent: Callable[[str], str | None] | None = None,
    ) -> None:
        self.storage = storage
        self.notice = notice
        self.limit = limit
        self.window = window
        self.intent = intent

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chat: Chat | None = data.get("event_chat")
        if chat is None:
            return await handler(event, data)
        bot: Bot = data["bot"]
        try:
            count = await self._count(chat_key(bot.id, chat.id, FLOOD))
        except Exception as error:  # noqa: BLE001 - no count is no reason to leave a child unanswered
            log.error("flood count failed: %s", type(error).__name__)
            count = 0
        if count <= self.limit or _always_through(event) or self._forget_typed(event):
            return await handler(event, data)
        log.info("flood limit reached; a message was not handled")
        if isinstance(event, CallbackQuery):
            await event.answer(self.notice, show_alert=True)
        elif count == self.limit + 1:
            # Said once a window: repeating it would be one more flood.
            await bot.send_message(chat_id=chat.id, text=self.notice)
        return None

    def _forget_typed(self, event: TelegramObject) -> bool:
        if self.intent is None or not isinstance(event, Message):
            return False
        return self.intent(event.text or "") == "forget"

    async def _count(self, key: Any) -> int:
        """This window's count, including this message.

        A window opens with the first message after the last one closed, so a burst is counted
        whole; a window on the clock's minutes would let a burst across the minute through.
        """
        now = time.time()
        record = await self.storage.get_data(key)
        opened = record.get("opened")
        if isinstance(opened, int | float) and now - opened < self.window:
            count = int(record.get("count", 0)) + 1
        else:
            opened, count = now, 1
        await self.storage.set_data(key, {"opened": opened, "count": count})
        return count


def _always_through(event: TelegramObject) -> bool:
    if isinstance(event, Message):
        return safety.shows_risk(event.text or event.caption or "")
    if isinstance(event, CallbackQuery):
        return event.data == Press.from_payload(FORGET).pack()
    return False
