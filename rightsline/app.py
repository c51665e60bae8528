"""The app `rightsline serve` runs: the web service, with the Telegram bot when it has a token."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from bot.web import telegram_router
from service import app as service_app
from service.runtime import Runtime, build_runtime
from service.settings import Settings


def channels(runtime: Runtime) -> list[APIRouter]:
    """The channels beside the web chat that these settings turn on."""
    if runtime.settings.telegram_bot_token is None:
        return []
    # The bot in the same process: its webhook route, or long polling during the lifespan.
    return [telegram_router(runtime)]


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    runtime = runtime or build_runtime(settings)
    return service_app.create_app(runtime=runtime, channels=channels(runtime))
