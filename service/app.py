"""The FastAPI app: built from settings at the entry point, routers included here."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from service.auth import LoginLimiter
from service.routes import audit, auth, chat, dashboard, health, pages, referrals, stats
from service.runtime import Runtime, build_runtime
from service.safety import FALLBACK_REPLY
from service.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    runtime = runtime or build_runtime(settings)
    app = FastAPI(
        title="Rightsline",
        summary="Rights and helplines for children in secure settings in England and Wales.",
        version="0.1.0",
    )
    app.state.runtime = runtime
    app.include_router(health.router)
    app.include_router(chat.router)
    app.state.login_limiter = LoginLimiter(redis_url=runtime.settings.redis_url)
    app.include_router(auth.router)
    app.include_router(referrals.router)
    app.include_router(stats.router)
    app.include_router(audit.router)
    app.include_router(dashboard.router)
    app.include_router(pages.router)
    app.mount("/static", pages.static_files(), name="static")
    if runtime.settings.telegram_bot_token is not None:
        # The bot in the same process: its webhook route, or long polling during the lifespan.
        from bot.web import telegram_router

        app.include_router(telegram_router(runtime))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        # Our fault, not the user's: log the kind of error only, never the request body.
        log.error("unhandled error on %s: %s", request.url.path, type(error).__name__)
        return JSONResponse({"detail": FALLBACK_REPLY}, status_code=500)

    return app
