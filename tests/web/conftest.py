"""Fixtures for the web chat: the real app on a live server, and a page in headless Chromium."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from tests.web.live import CHROMIUM, PHONE, LiveServer, launch


@pytest.fixture
def database_url(tmp_path: Any) -> str:
    # The pages only reach storage through the chat API, which is tested on both databases.
    return f"sqlite:///{tmp_path / 'rightsline.db'}"


@pytest.fixture
def server(app: Any) -> Iterator[LiveServer]:
    """The real app served by uvicorn on a free local port; a test may stop and restart it."""
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
    if CHROMIUM is None:
        pytest.skip("No chromium on PATH: `make browser` (apt-get install chromium) to run this")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await launch(playwright)
        yield launched
        await launched.close()


@pytest.fixture
async def page(browser: Any, live_server: str) -> AsyncIterator[Any]:
    """A fresh phone-sized page with its own storage; the base URL is the live server."""
    context = await browser.new_context(viewport=PHONE, base_url=live_server)
    opened = await context.new_page()
    opened.set_default_timeout(10_000)
    yield opened
    await context.close()
