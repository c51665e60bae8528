"""Fixtures for the web chat: a phone-sized page in headless Chromium on the live server
(`server`, `live_server` and `browser` are shared, in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.web.live import PHONE


@pytest.fixture
def database_url(tmp_path: Any) -> str:
    # The pages only reach storage through the chat API, which is tested on both databases.
    return f"sqlite:///{tmp_path / 'rightsline.db'}"


@pytest.fixture
async def page(browser: Any, live_server: str) -> AsyncIterator[Any]:
    """A fresh phone-sized page with its own storage; the base URL is the live server."""
    context = await browser.new_context(viewport=PHONE, base_url=live_server)
    opened = await context.new_page()
    opened.set_default_timeout(10_000)
    yield opened
    await context.close()
