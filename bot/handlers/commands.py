"""The commands: /start, /help, /privacy and /forget, each a turn of the engine."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message

from bot.turns import Turn
from service.replies import Inbound

# Each command is a button the engine already knows.
# /help says what Rightsline can do, with Childline's number, then the menu (as typed "help").
PAYLOADS = {"help": "help", "privacy": "privacy", "forget": "forget"}


async def start(message: Message, turn: Turn) -> None:
    await turn(None)


async def menu_command(message: Message, command: CommandObject, turn: Turn) -> None:
    await turn(Inbound(payload=PAYLOADS[command.command.lower()]))


def make_router() -> Router:
    """A fresh router each time: a router can belong to one dispatcher only."""
    router = Router(name="commands")
    router.message.register(start, CommandStart())
    router.message.register(menu_command, Command(*PAYLOADS, ignore_case=True))
    return router
