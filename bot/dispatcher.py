"""Builds the aiogram Dispatcher over the engine, and connects the relay to a Bot."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties

from bot.fsm_storage import make_storage
from bot.handlers import routers
from bot.middlewares import FloodLimit, HandleOnce, Pseudonymise, Turns
from bot.turns import send_replies
from service.replies import Reply
from service.runtime import Runtime, build_runtime
from service.settings import Settings


def build_dispatcher(
    settings: Settings | None = None, *, runtime: Runtime | None = None
) -> Dispatcher:
    """A dispatcher wired to the engine; building the runtime here runs the migrations."""
    runtime = runtime or build_runtime(settings)
    storage = make_storage(runtime.settings, runtime.keys)
    dp = Dispatcher(storage=storage, runtime=runtime)
    # Order matters: the chat becomes a pseudonym first, then the update is claimed once;
    # then every handler is given its `turn`.
    dp.update.outer_middleware(Pseudonymise(runtime.keys))
    dp.update.outer_middleware(HandleOnce(runtime.conversation))
    dp.update.outer_middleware(Turns(runtime.conversation, runtime.keys))
    library = runtime.library
    flood = FloodLimit(storage, notice=library.message("flood"), intent=library.intent)
    dp.message.outer_middleware(flood)
    dp.callback_query.outer_middleware(flood)
    dp.include_routers(*routers())
    return dp


def make_bot(settings: Settings) -> Bot:
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    return Bot(
        token=settings.telegram_bot_token.get_secret_value(),
        default=DefaultBotProperties(link_preview_is_disabled=True),
    )


def attach_relay(dp: Dispatcher, bot: Bot) -> None:
    """An advocate's reply goes to the child's chat through this bot."""
    runtime: Runtime = dp["runtime"]

    async def send(route: str, reply: Reply) -> None:
        buttons_only = runtime.conversation.library.message("buttons_only")
        await send_replies(bot, int(route), [reply], buttons_only)

    runtime.relay.register("telegram", send)
