"""Shared fixtures: real settings in a temporary dir, on SQLite and (if it answers) PostgreSQL;
the real app on a live server, and headless Chromium, for the browser tests."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from sqlalchemy import text

if TYPE_CHECKING:
    from tests.web.live import LiveServer

POSTGRES_URL = os.environ.get(
    "RIGHTSLINE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
# `make test` runs the tests in several processes (pytest-xdist): each has a Redis database
# of its own, 15 down to 8, so one never clears or counts another's keys.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
REDIS_URL = os.environ.get("RIGHTSLINE_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{15 - _WORKER}")


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def postgres_available() -> bool:
    return _answers("127.0.0.1", 5432)


def redis_available() -> bool:
    return _answers("127.0.0.1", 6379)


@pytest.fixture(autouse=True)
def redis_not_resting() -> Iterator[None]:
    """Each test starts with no Redis left alone after another test's failure."""
    from service import redis_link

    redis_link._away_until.clear()
    yield
    redis_link._away_until.clear()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """Each test that uses storage runs on SQLite and, when it answers, on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'rightsline.db'}"
        return
    if not postgres_available():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    from service.db import make_engine

    # A schema of its own per test, so runs side by side never see each other's rows.
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def settings(tmp_path: Any, database_url: str) -> Any:
    from service.settings import Settings

    return Settings(
        env="test",
        data_dir=tmp_path,
        database_url=database_url,
        secret_key="test-secret-key-not-for-production",
        # A busy test machine can take over a second to write an urgent referral to
        # PostgreSQL; the tests of the outbox set a short wait of their own.
        urgent_wait_seconds=10,
    )


@pytest.fixture(scope="session")
def library() -> Any:
    import content

    return content.load_library()


@pytest.fixture(scope="session")
def analyse() -> Any:
    """The real spaCy pipeline, loaded once for the whole run, read as the service reads it
    (messages that arrive together, in one batch)."""
    import nlp

    nlp.load()
    return nlp.Together(nlp.analyse_many)


@pytest.fixture
def runtime(settings: Any, analyse: Any) -> Iterator[Any]:
    from service.runtime import build_runtime

    built = build_runtime(settings, analyse=analyse)
    yield built
    built.close()


@pytest.fixture
def conversation(runtime: Any) -> Any:
    return runtime.conversation


@pytest.fixture
def app(runtime: Any) -> Any:
    from service.app import create_app

    return create_app(runtime=runtime)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://rightsline.test") as http:
        yield http


@pytest.fixture
def server(app: Any) -> Iterator[LiveServer]:
    """The real app served by uvicorn on a free local port; a test may stop and restart it."""
    from tests.web.live import LiveServer

    live = LiveServer(app)
    live.start()
    yield live
    live.stop()


@pytest.fixture
def live_server(server: LiveServer) -> str:
    """The live server's base URL."""
    return server.url


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """Headless Chromium through Playwright; skipped where no Chromium is installed."""
    from tests.web.live import CHROMIUM, launch

    if CHROMIUM is None:
        pytest.skip("No chromium on PATH: `make browser` (apt-get install chromium) to run this")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await launch(playwright)
        yield launched
        await launched.close()
