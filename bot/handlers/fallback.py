"""Whatever no other handler took: stickers, voice notes, old or unknown buttons."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, Message

from bot.turns import take_turn
from service.crypto import Keys
from service.engine import Conversation
from service.replies import Inbound

# The engine answers a payload it does not know with "that button did not work" and the menu.
UNKNOWN_BUTTON = "unknown"


async def no_words(
    message: Message, bot: Bot, session_key: str, conversation: Conversation, keys: Keys
) -> None:
    # Nothing to read (a sticker, a voice note): the engine's kind "I did not get any words".
    await take_turn(
        bot=bot,
        chat_id=message.chat.id,
        session_key=session_key,
        inbound=Inbound(text=""),
        conversation=conversation,
        keys=keys,
    )


async def unknown_button(
    query: CallbackQuery, bot: Bot, session_key: str, conversation: Conversation, keys: Keys
) -> None:
    await query.answer()
    await take_turn(
        bot=bot,
        chat_id=query.message.chat.id if query.message else query.from_user.id,
        session_key=session_key,
        inbound=Inbound(payload=UNKNOWN_BUTTON),
        conversation=conversation,
        keys=keys,
    )


def make_router() -> Router:
    """A fresh router each time: a router can belong to one dispatcher only."""
    router = Router(name="fallback")
    router.message.register(no_words)
    router.callback_query.register(unknown_button)
    return router
