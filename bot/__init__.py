"""Rightsline on Telegram: aiogram routers, keyboards and middlewares over the engine."""

from bot.dispatcher import attach_relay, build_dispatcher, make_bot

__all__ = ["attach_relay", "build_dispatcher", "make_bot"]
