"""The ways in: the webhook, long polling, and build_dispatcher on a new database."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from aiogram import Dispatcher
from aiogram.methods import DeleteWebhook, GetMe, GetUpdates, SetMyCommands, SetWebhook
from fastapi import FastAPI
from pydantic import SecretStr

from bot import build_dispatcher
from bot.web import WEBHOOK_PATH, telegram_router, webhook_secret
from rightsline.app import create_app
from rightsline.cli import main
from service.runtime import Runtime, build_runtime
from tests.bot.helpers import BOT_TOKEN, CHAT_ID, make_bot, message_update
from tests.service.helpers import count

HEADER = "X-Telegram-Bot-Api-Secret-Token"


def telegram_runtime(settings: Any, analyse: Any, **changes: Any) -> Runtime:
    changed = settings.model_copy(update={"telegram_bot_token": SecretStr(BOT_TOKEN), **changes})
    return build_runtime(changed, analyse=analyse)


@pytest.fixture
def webhook_runtime(settings: Any, analyse: Any) -> Iterator[Runtime]:
    built = telegram_runtime(settings, analyse, webhook_url="https://rightsline.test")
    yield built
    built.close()


def client_for(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://rightsline.test")


async def test_the_webhook_refuses_requests_without_telegrams_secret(
    webhook_runtime: Runtime,
) -> None:
    app = create_app(runtime=webhook_runtime)
    body = message_update("hello").model_dump(mode="json", exclude_none=True)
    async with client_for(app) as http:
        assert (await http.post(WEBHOOK_PATH, json=body)).status_code == 403
        wrong = {HEADER: "not-the-secret"}
        assert (await http.post(WEBHOOK_PATH, json=body, headers=wrong)).status_code == 403
    assert count(webhook_runtime.database, "processed_update") == 0


async def test_the_webhook_handles_an_update_with_the_right_secret(
    webhook_runtime: Runtime,
) -> None:
    bot, session = make_bot()
    app = FastAPI()
    app.include_router(telegram_router(webhook_runtime, bot=bot))
    secret = webhook_secret(webhook_runtime.settings, webhook_runtime.keys.signing_key)
    body = message_update("/start").model_dump(mode="json", exclude_none=True)
    async with client_for(app) as http:
        response = await http.post(WEBHOOK_PATH, json=body, headers={HEADER: secret})
        assert response.status_code == 200
        bad = await http.post(WEBHOOK_PATH, json={"nonsense": 1}, headers={HEADER: secret})
        assert bad.status_code == 400
    assert "Rightsline" in session.sent(CHAT_ID)[0].text


async def test_the_webhook_is_set_at_start_with_the_secret(webhook_runtime: Runtime) -> None:
    bot, session = make_bot()
    app = FastAPI()
    app.include_router(telegram_router(webhook_runtime, bot=bot))
    async with app.router.lifespan_context(app):
        for _ in range(100):
            if webhook_runtime.channels.get("telegram") == "up":
                break
            await asyncio.sleep(0.02)
    (call,) = [call for call in session.calls if isinstance(call, SetWebhook)]
    assert call.url == "https://rightsline.test/telegram/webhook"
    assert call.secret_token == webhook_secret(
        webhook_runtime.settings, webhook_runtime.keys.signing_key
    )


async def test_without_a_webhook_the_service_polls_in_its_own_loop(
    settings: Any, analyse: Any
) -> None:
    runtime = telegram_runtime(settings, analyse)
    bot, session = make_bot()
    app = FastAPI()
    app.include_router(telegram_router(runtime, bot=bot))
    async with app.router.lifespan_context(app):
        for _ in range(100):
            if GetUpdates in map(type, session.calls):
                break
            await asyncio.sleep(0.02)
    kinds = list(map(type, session.calls))
    assert kinds[:4] == [SetMyCommands, DeleteWebhook, GetMe, GetUpdates]
    assert session.calls[0].commands[-1].command == "forget"  # type: ignore[attr-defined]
    commands = session.calls[0].commands  # type: ignore[attr-defined]
    assert [(c.command, c.description) for c in commands] == [
        (c, runtime.library.message(f"command_{c}")) for c in ("start", "help", "privacy", "forget")
    ]
    runtime.close()


@pytest.mark.parametrize("webhook", [None, "https://rightsline.test"])
async def test_telegram_unreachable_at_start_leaves_the_web_chat_serving(
    settings: Any, analyse: Any, webhook: str | None
) -> None:
    settings = settings.model_copy(
        update={"telegram_bot_token": SecretStr(BOT_TOKEN), "webhook_url": webhook}
    )
    runtime = build_runtime(settings, analyse=analyse)
    # The real bot: this machine (like the test machine) cannot reach Telegram at all.
    app = create_app(runtime=runtime)
    async with app.router.lifespan_context(app):
        async with client_for(app) as http:
            started = await http.post("/api/chat/sessions")
            assert started.status_code == 201
            for _ in range(600):
                if runtime.channels["telegram"].startswith("retrying"):
                    break
                await asyncio.sleep(0.05)
            ready = (await http.get("/readyz")).json()
            page = await http.get("/")
    assert page.status_code == 200 and "0800 1111" in page.text
    assert ready["channels"]["web"] == "up"
    assert ready["channels"]["telegram"].startswith("retrying")
    runtime.close()


async def test_the_web_service_has_no_telegram_route_without_a_token(runtime: Runtime) -> None:
    # Asked, not looked up in app.routes: FastAPI wraps included routers, hiding their paths.
    async with client_for(create_app(runtime=runtime)) as http:
        assert (await http.post(WEBHOOK_PATH, json={})).status_code == 404


async def test_build_dispatcher_prepares_a_new_database(settings: Any, analyse: Any) -> None:
    dp = build_dispatcher(settings)
    assert isinstance(dp, Dispatcher)
    bot, session = make_bot()
    await dp.feed_update(bot, message_update("/start"))
    assert "Rightsline" in session.sent()[0].text
    assert count(dp["runtime"].database, "chat_session") == 1
    await dp.storage.close()
    dp["runtime"].close()


def test_the_bot_command_needs_a_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["bot"]) == 2
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().err


async def test_the_service_alone_serves_no_telegram_even_with_a_token(
    webhook_runtime: Runtime,
) -> None:
    from service.app import create_app as service_app

    # Only the composition root (rightsline/) wires the bot in; the service knows no channel.
    async with client_for(service_app(runtime=webhook_runtime)) as http:
        assert (await http.post(WEBHOOK_PATH, json={})).status_code == 404
    async with client_for(create_app(runtime=webhook_runtime)) as http:
        assert (await http.post(WEBHOOK_PATH, json={})).status_code == 403  # there, but not ours


def test_only_the_rightsline_command_runs_the_bot() -> None:
    from service import cli as service_cli

    with pytest.raises(SystemExit):
        service_cli.build_parser().parse_args(["bot"])
