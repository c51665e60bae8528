"""Fixtures for the advocate tests: two advocates and an admin on the real app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from tests.advocates.helpers import add_advocate
from tests.web.live import CHROMIUM, launch, serve

ADVOCATE = "advocate.one@example.org"
OTHER = "advocate.two@example.org"
ADMIN = "admin.person@example.org"


@pytest.fixture
def advocates(runtime: Any) -> dict[str, int]:
    """Email to id: two advocates (one unnamed) and an admin."""
    return {
        ADVOCATE: add_advocate(runtime, ADVOCATE, name="Test Advocate One"),
        OTHER: add_advocate(runtime, OTHER),
        ADMIN: add_advocate(runtime, ADMIN, admin=True, name="Test Admin"),
    }


@pytest.fixture
def live_server(app: Any) -> Iterator[str]:
    """The real app served by uvicorn in a thread on a free local port; its base URL."""
    with serve(app) as url:
        yield url


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """Headless Chromium through Playwright; skipped where no Chromium is installed."""
    if CHROMIUM is None:
        pytest.skip("No chromium on PATH: install it (apt-get install chromium) to run this test")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await launch(playwright)
        yield launched
        await launched.close()
