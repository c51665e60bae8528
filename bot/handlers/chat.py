"""Typed messages and button presses, each a turn of the engine."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import CallbackQuery, Message

from bot.keyboards import Press
from bot.storage import forget_chat
from bot.turns import take_turn
from service.crypto import Keys
from service.engine import Conversation
from service.replies import Inbound


async def text_message(
    message: Message, bot: Bot, session_key: str, conversation: Conversation, keys: Keys
) -> None:
    # A photo's caption is read like a message, so a risk written there is still caught.
    await take_turn(
        bot=bot,
        chat_id=message.chat.id,
        session_key=session_key,
        inbound=Inbound(text=message.text or message.caption or ""),
        conversation=conversation,
        keys=keys,
    )


async def button_press(
    query: CallbackQuery,
    callback_data: Press,
    bot: Bot,
    session_key: str,
    conversation: Conversation,
    keys: Keys,
    fsm_storage: BaseStorage,
) -> None:
    await query.answer()  # stops the button's spinner straight away
    chat_id = query.message.chat.id if query.message else query.from_user.id
    await take_turn(
        bot=bot,
        chat_id=chat_id,
        session_key=session_key,
        inbound=Inbound(payload=callback_data.payload),
        conversation=conversation,
        keys=keys,
    )
    if callback_data.payload == "forget:yes":
        await forget_chat(fsm_storage, bot.id, chat_id)


def make_router() -> Router:
    """A fresh router each time: a router can belong to one dispatcher only."""
    router = Router(name="chat")
    router.message.register(text_message, F.text | F.caption)
    router.callback_query.register(button_press, Press.filter())
    return router
