"""The commands: /start, /help, /privacy and /forget, each a turn of the engine."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message

from bot.turns import take_turn
from service.crypto import Keys
from service.engine import Conversation
from service.replies import Inbound

# Each command is a button the engine already knows.
PAYLOADS = {"help": "menu", "privacy": "privacy", "forget": "forget"}


async def start(
    message: Message, bot: Bot, session_key: str, conversation: Conversation, keys: Keys
) -> None:
    await take_turn(
        bot=bot,
        chat_id=message.chat.id,
        session_key=session_key,
        inbound=None,
        conversation=conversation,
        keys=keys,
    )


async def menu_command(
    message: Message,
    command: CommandObject,
    bot: Bot,
    session_key: str,
    conversation: Conversation,
    keys: Keys,
) -> None:
    await take_turn(
        bot=bot,
        chat_id=message.chat.id,
        session_key=session_key,
        inbound=Inbound(payload=PAYLOADS[command.command.lower()]),
        conversation=conversation,
        keys=keys,
    )


def make_router() -> Router:
    """A fresh router each time: a router can belong to one dispatcher only."""
    router = Router(name="commands")
    router.message.register(start, CommandStart())
    router.message.register(menu_command, Command(*PAYLOADS, ignore_case=True))
    return router
