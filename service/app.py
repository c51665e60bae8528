"""The FastAPI app: built from settings at the entry point, routers included here.

Channels that live beside the web chat (Telegram) are given to `create_app` as routers by the
composition root, `rightsline/`; the service itself never imports them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from fastapi import APIRouter, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from service import dashboard
from service.auth import LoginLimiter
from service.edge import EdgeMiddleware, unreadable
from service.routes import (
    api_docs,
    audit,
    auth,
    chat,
    dashboard_admin,
    dashboard_figures,
    dashboard_queue,
    dashboard_referral,
    dashboard_sign_in,
    health,
    pages,
    referrals,
    stats,
)
from service.runtime import Runtime, build_runtime
from service.settings import Settings

log = logging.getLogger(__name__)

# Where advocates (and developers) work: an unexpected error there is told to an adult.
# Everywhere else a child might be reading, so it is the fallback with Childline's number.
ADVOCATE_PATHS = (
    auth.router.prefix,
    referrals.router.prefix,
    stats.router.prefix,
    audit.router.prefix,
    dashboard.PREFIX,
    "/docs",
    "/openapi.json",
)


async def unfit(request: Request, error: Exception) -> Response:
    """A request that does not fit its form: a page for the dashboard, JSON for the API."""
    if request.url.path.startswith(dashboard.PREFIX):
        return dashboard.unusable(request, error)
    return await unreadable(request, error)


async def undecodable(request: Request, error: Exception) -> Response:
    """A chat message whose body is not text at all (bytes that are not UTF-8: FastAPI's 400,
    "There was an error parsing the body") is refused as kindly as any that does not fit."""
    assert isinstance(error, HTTPException)
    if error.status_code == 400 and request.url.path.startswith("/api/chat/"):
        return await unreadable(request, error)
    return await http_exception_handler(request, error)


def create_app(
    settings: Settings | None = None,
    *,
    runtime: Runtime | None = None,
    channels: Iterable[APIRouter] = (),
) -> FastAPI:
    """The web service; `channels` are the routers of other channels in the same process."""
    runtime = runtime or build_runtime(settings)
    # The API's reference is for developers: in production only when the operator asks.
    docs = not runtime.settings.production or runtime.settings.api_docs
    app = FastAPI(
        title="Rightsline",
        summary="Rights and helplines for children in secure settings in England and Wales.",
        version="0.1.0",
        # FastAPI's own pages load Swagger UI from a CDN; ours (routes/api_docs) loads nothing.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.runtime = runtime
    app.include_router(health.router)
    app.include_router(chat.router)
    app.state.login_limiter = LoginLimiter(
        secret=runtime.keys.signing_key, redis_url=runtime.settings.redis_url
    )
    app.include_router(auth.router)
    app.include_router(referrals.router)
    app.include_router(stats.router)
    app.include_router(audit.router)
    # The dashboard, one router a job (service/dashboard.py holds what its pages share).
    app.include_router(dashboard_sign_in.router)
    app.include_router(dashboard_queue.router)
    app.include_router(dashboard_referral.router)
    app.include_router(dashboard_figures.router)
    app.include_router(dashboard_admin.router)
    app.include_router(pages.router)
    if docs:
        app.include_router(api_docs.router)
    app.mount("/static", pages.static_files(), name="static")
    for channel in channels:
        app.include_router(channel)

    # Headers, the access line, unexpected errors, and requests that do not fit their form
    # (service/edge.py).
    app.add_exception_handler(RequestValidationError, unfit)
    app.add_exception_handler(HTTPException, undecodable)
    app.add_middleware(EdgeMiddleware, advocate_paths=ADVOCATE_PATHS)
    if runtime.settings.trusted_proxy_list:
        # Only these proxies' X-Forwarded-For is believed; from anyone else it is ignored, so
        # a client cannot pick a new address for each sign-in guess.
        app.add_middleware(
            ProxyHeadersMiddleware, trusted_hosts=runtime.settings.trusted_proxy_list
        )

    return app
