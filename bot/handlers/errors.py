"""The error handler: log only the kind of error, and still answer, with Childline's number."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent, Update

from service import safety

log = logging.getLogger(__name__)


def _chat_and_text(update: Update) -> tuple[int | None, str]:
    if update.message is not None:
        message = update.message
        return message.chat.id, message.text or message.caption or ""
    query = update.callback_query
    if query is not None:
        return (query.message.chat.id if query.message else query.from_user.id), ""
    return None, ""


async def on_error(event: ErrorEvent, bot: Bot) -> None:
    # The error's type only: its message could quote what the child wrote.
    log.error("handling a Telegram update failed: %s", type(event.exception).__name__)
    chat_id, text = _chat_and_text(event.update)
    if chat_id is None:
        return
    try:
        await bot.send_message(chat_id=chat_id, text=safety.fallback_for(text))
    except TelegramAPIError as error:
        log.error("could not send the fallback reply: %s", type(error).__name__)


def make_router() -> Router:
    """A fresh router each time: a router can belong to one dispatcher only."""
    router = Router(name="errors")
    router.errors.register(on_error)
    return router
