"""Whatever no other handler took: stickers, voice notes, old or unknown buttons."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.turns import Turn
from service.replies import Inbound

# The engine answers a payload it does not know with "that button did not work" and the menu.
UNKNOWN_BUTTON = "unknown"


async def no_words(message: Message, turn: Turn) -> None:
    # Nothing to read (a sticker, a voice note): the engine's kind "I did not get any words".
    await turn(Inbound(text=""))


async def unknown_button(query: CallbackQuery, turn: Turn) -> None:
    await query.answer()
    await turn(Inbound(payload=UNKNOWN_BUTTON))


def make_router() -> Router:
    """A fresh router each time: a router can belong to one dispatcher only."""
    router = Router(name="fallback")
    router.message.register(no_words)
    router.callback_query.register(unknown_button)
    return router
