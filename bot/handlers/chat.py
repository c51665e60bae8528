"""Typed messages and button presses, each a turn of the engine."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import CallbackQuery, Chat, Message

from bot.fsm_storage import forget_chat
from bot.keyboards import Press
from bot.turns import Turn
from service.payloads import FORGET_YES
from service.replies import Inbound


async def text_message(message: Message, turn: Turn) -> None:
    # A photo's caption is read like a message, so a risk written there is still caught.
    await turn(Inbound(text=message.text or message.caption or ""))


async def button_press(
    query: CallbackQuery,
    callback_data: Press,
    turn: Turn,
    bot: Bot,
    event_chat: Chat,
    fsm_storage: BaseStorage,
) -> None:
    await query.answer()  # stops the button's spinner straight away
    await turn(Inbound(payload=callback_data.payload))
    if callback_data.payload == str(FORGET_YES):
        await forget_chat(fsm_storage, bot.id, event_chat.id)


def make_router() -> Router:
    """A fresh router each time: a router can belong to one dispatcher only."""
    router = Router(name="chat")
    router.message.register(text_message, F.text | F.caption)
    router.callback_query.register(button_press, Press.filter())
    return router
