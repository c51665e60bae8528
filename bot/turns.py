"""One turn on Telegram: show typing, ask the engine (with the route back), send its replies."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress

from aiogram import Bot
from aiogram.enums import ChatAction
from aiogram.exceptions import TelegramAPIError

from bot.keyboards import keyboard
from bot.text import split_text
from service.crypto import Keys
from service.engine import Conversation
from service.replies import Inbound, Reply

log = logging.getLogger(__name__)

CHANNEL = "telegram"
# Telegram shows "typing..." for about five seconds; renew it a little sooner.
TYPING_EVERY = 4.5

# What every handler is given (bot.middlewares.Turns): one turn for this chat, replies sent.
Turn = Callable[[Inbound | None], Awaitable[list[Reply]]]


@asynccontextmanager
async def typing(bot: Bot, chat_id: int) -> AsyncIterator[None]:
    """Show "typing..." while the engine works (our own loop: it logs no chat id)."""

    async def keep_typing() -> None:
        while True:
            try:
                await bot.send_chat_action(chat_id=chat_id, action=ChatAction.TYPING)
            except TelegramAPIError as error:
                log.warning("typing indicator failed: %s", type(error).__name__)
                return
            await asyncio.sleep(TYPING_EVERY)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


async def send_replies(bot: Bot, chat_id: int, replies: list[Reply], buttons_only: str) -> None:
    """Each reply as one or more messages; its buttons go under the last piece.

    A reply that is only buttons still needs words for Telegram to send it: `buttons_only`.
    """
    for reply in replies:
        pieces = split_text(reply.text) or ([buttons_only] if reply.buttons else [])
        for number, piece in enumerate(pieces, start=1):
            markup = keyboard(reply.buttons) if number == len(pieces) else None
            await bot.send_message(chat_id=chat_id, text=piece, reply_markup=markup)


async def waiting_replies(conversation: Conversation, session_key: str) -> list[Reply]:
    """What advocates wrote that has not reached this chat; none if that cannot be read now
    (the answer to the child must go out whatever else fails)."""
    try:
        return await conversation.pending(session_key) or []
    except Exception as error:  # noqa: BLE001 - tried again on the next turn
        log.error("could not read replies waiting for a chat: %s", type(error).__name__)
        return []


async def take_turn(
    inbound: Inbound | None,
    *,
    bot: Bot,
    chat_id: int,
    session_key: str,
    conversation: Conversation,
    keys: Keys,
) -> list[Reply]:
    """`inbound=None` starts the conversation (/start)."""
    # The way back to this chat, for an advocate's reply: kept only encrypted, and only when
    # the engine has none for it yet.
    route = keys.encrypt_route(str(chat_id))
    async with typing(bot, chat_id):
        if inbound is None:
            replies = await conversation.start(session_key, CHANNEL, route=route)
        else:
            replies = await conversation.handle(session_key, CHANNEL, inbound, route=route)
    # An advocate's reply that never reached this chat (Telegram was away longer than the relay
    # keeps trying): the child is here again, so it comes now, after the answer.
    waiting = await waiting_replies(conversation, session_key)
    buttons_only = conversation.library.message("buttons_only")
    await send_replies(bot, chat_id, replies + waiting, buttons_only)
    return replies
