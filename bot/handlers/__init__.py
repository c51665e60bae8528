"""The bot's routers, in the order they are tried."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import chat, commands, errors, fallback


def routers() -> list[Router]:
    # Commands before free text, so "/help" is not read as a question; fallback must be last.
    return [
        errors.make_router(),
        commands.make_router(),
        chat.make_router(),
        fallback.make_router(),
    ]
