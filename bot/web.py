"""Telegram inside the web service: the webhook route, or long polling in the same event loop."""

from __future__ import annotations

import asyncio
import gc
import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Annotated, Any

from aiogram import Bot, Dispatcher
from aiogram.types import BotCommand, Update
from fastapi import APIRouter, FastAPI, Header, HTTPException, Request, status
from pydantic import ValidationError

from bot.dispatcher import attach_relay, build_dispatcher, make_bot
from bot.redeliver import keep_redelivering
from content import Library
from service.runtime import Runtime, build_runtime
from service.settings import Settings

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
# Seconds between tries to reach Telegram, doubling up to the last.
RETRY_SECONDS = (2, 4, 8, 15, 30, 60)


def webhook_secret(settings: Settings, signing_key: bytes) -> str:
    """TELEGRAM_WEBHOOK_SECRET, or one derived from the secret key (letters and digits only)."""
    if settings.webhook_secret is not None and settings.webhook_secret.get_secret_value():
        return settings.webhook_secret.get_secret_value()
    return hmac.new(signing_key, b"telegram webhook", "sha256").hexdigest()


def webhook_address(settings: Settings) -> str:
    """WEBHOOK_URL may be the service's public address or the full webhook address."""
    url = (settings.webhook_url or "").rstrip("/")
    return url if url.endswith(WEBHOOK_PATH) else url + WEBHOOK_PATH


# The menu Telegram shows beside the text box; each one's words are command_<name> in
# messages.yaml.
COMMANDS = ("start", "help", "privacy", "forget")


def commands(library: Library) -> list[BotCommand]:
    return [BotCommand(command=c, description=library.message(f"command_{c}")) for c in COMMANDS]


async def poll(dp: Dispatcher, bot: Bot, *, handle_signals: bool = False) -> None:
    """Long polling until stopped; a webhook left set would make Telegram refuse it."""
    await bot.delete_webhook()
    await dp.start_polling(
        bot,
        allowed_updates=dp.resolve_used_update_types(),
        handle_signals=handle_signals,
        close_bot_session=False,
    )


async def stop(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with suppress(asyncio.CancelledError):
            await task


def telegram_router(runtime: Runtime, *, bot: Bot | None = None) -> APIRouter:
    """The webhook route when WEBHOOK_URL is set, else a lifespan that runs long polling."""
    settings = runtime.settings
    bot = bot or make_bot(settings)
    dp = build_dispatcher(runtime=runtime)
    attach_relay(dp, bot)
    secret = webhook_secret(settings, runtime.keys.signing_key)

    async def connect() -> None:
        """Reach Telegram, retrying with backoff: the web chat never waits for it."""
        failures = 0
        while True:
            try:
                await bot.set_my_commands(commands(runtime.library))
                if settings.webhook_url:
                    await bot.set_webhook(
                        webhook_address(settings),
                        secret_token=secret,
                        allowed_updates=dp.resolve_used_update_types(),
                    )
                    runtime.channels["telegram"] = "up"
                    return
                runtime.channels["telegram"] = "up"
                await poll(dp, bot)
                return
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - unreachable, refused, bad token
                wait = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                runtime.channels["telegram"] = f"retrying ({type(error).__name__})"
                log.error(
                    "Telegram unreachable (%s); trying again in %ss", type(error).__name__, wait
                )
                failures += 1
                await asyncio.sleep(wait)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        runtime.channels["telegram"] = "connecting"
        tasks = [
            asyncio.create_task(keep_redelivering(runtime.relay)),
            asyncio.create_task(connect()),
        ]
        try:
            yield
        finally:
            await stop(tasks)
            await dp.storage.close()
            await bot.session.close()

    router = APIRouter(tags=["telegram"], lifespan=lifespan)
    if not settings.webhook_url:
        return router

    @router.post(WEBHOOK_PATH, include_in_schema=False)
    async def webhook(
        request: Request,
        x_telegram_bot_api_secret_token: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        given = x_telegram_bot_api_secret_token or ""
        if not hmac.compare_digest(given.encode(), secret.encode()):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "Not from Telegram.")
        try:
            update = Update.model_validate(await request.json(), context={"bot": bot})
        except (ValueError, ValidationError):
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "Not a Telegram update.") from None
        await dp.feed_update(bot, update)
        return {"ok": True}

    return router


async def run_polling(settings: Settings) -> None:
    """`rightsline bot`: the bot on its own, long polling."""
    runtime = build_runtime(settings)
    bot = make_bot(settings)
    dp = build_dispatcher(runtime=runtime)
    attach_relay(dp, bot)
    # The model and the content live as long as the process: set aside from the garbage
    # collector's full passes, as in each worker of `rightsline serve` (service.cli.served_app).
    gc.freeze()
    await bot.set_my_commands(commands(runtime.library))
    redelivering = asyncio.create_task(keep_redelivering(runtime.relay))
    try:
        await poll(dp, bot, handle_signals=True)
    finally:
        await stop([redelivering])
        await dp.storage.close()
        await bot.session.close()
        runtime.close()
