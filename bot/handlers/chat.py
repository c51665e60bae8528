"""Typed messages and button presses, each a turn of the engine."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import CallbackQuery, Chat, Message

from bot.fsm_storage import forget_chat
from bot.keyboards import Press
from bot.turns import Turn
from service.replies import Inbound
from service.runtime import Runtime


async def text_message(
    message: Message,
    turn: Turn,
    runtime: Runtime,
    bot: Bot,
    event_chat: Chat,
    fsm_storage: BaseStorage,
) -> None:
    # A photo's caption is read like a message, so a risk written there is still caught.
    replies = await turn(Inbound(text=message.text or message.caption or ""))
    # A typed "yes" to "delete what you wrote?" forgets as the button does: the bot's own
    # state for the chat goes too.
    if runtime.conversation.forgot(replies):
        await forget_chat(fsm_storage, bot.id, event_chat.id)


async def button_press(
    query: CallbackQuery,
    callback_data: Press,
    turn: Turn,
    runtime: Runtime,
    bot: Bot,
    event_chat: Chat,
    fsm_storage: BaseStorage,
) -> None:
    await query.answer()  # stops the button's spinner straight away
    replies = await turn(Inbound(payload=callback_data.payload))
    # Only a chat the engine did delete: a turn that failed keeps the bot's state too.
    if runtime.conversation.forgot(replies):
        await forget_chat(fsm_storage, bot.id, event_chat.id)


def make_router() -> Router:
    """A fresh router each time: a router can belong to one dispatcher only."""
    router = Router(name="chat")
    router.message.register(text_message, F.text | F.caption)
    router.callback_query.register(button_press, Press.filter())
    return router
