"""Liveness and readiness probes, and the task that keeps the database connected."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text

import nlp
from service import redis_link
from service.deps import RuntimeDep
from service.runtime import Runtime

log = logging.getLogger(__name__)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """While the service runs: bring a lost database back and empty the outbox into it."""
    runtime: Runtime = app.state.runtime
    task = asyncio.create_task(runtime.keep_database())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        await runtime.conversation.settle()


router = APIRouter(tags=["health"], lifespan=_lifespan)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(runtime: RuntimeDep) -> JSONResponse:
    """Ready when the database answers and the model is loaded; says which part is not.
    Redis is reported too, but does not make the service unready: while it is away, limits,
    check-ins and the bot's state are kept in memory."""
    body: dict[str, object] = {
        "status": "ok",
        "database": "up",
        "model": nlp.status(),
        "channels": {"web": "up", **runtime.channels},
        "outbox": len(runtime.outbox.waiting()),
        "redis": redis_link.state(runtime.settings.redis_url, log),
    }
    try:
        with runtime.database.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001
        log.error("database not ready: %s", type(error).__name__)
        body["database"] = "down"
    if not runtime.database_ready:
        body["database"] = "down"
    if body["database"] != "up" or body["model"] != "ready":
        body["status"] = "unavailable"
        return JSONResponse(body, status_code=503)
    return JSONResponse(body)
