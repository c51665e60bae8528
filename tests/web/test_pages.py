"""The chat pages as served: headers, data-driven numbers, the neutral exit page, page weight."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.web.helpers import open_chat

# The most the page may weigh on first load (HTML, CSS, script and icons), in bytes.
PAGE_BUDGET = 100_000


@pytest.mark.parametrize("path", ["/", "/family"])
async def test_chat_pages_are_private_and_self_contained(
    client: httpx.AsyncClient, runtime: Any, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    html = response.text
    assert runtime.library.helpline("childline").number in html
    assert "http://" not in html and "https://" not in html  # nothing from outside
    assert 'data-kiosk="off"' in html


async def test_the_family_page_asks_for_the_family_path(client: httpx.AsyncClient) -> None:
    assert 'data-role="family"' in (await client.get("/family")).text
    assert 'data-role="child"' in (await client.get("/")).text


async def test_kiosk_settings_reach_the_page(client: httpx.AsyncClient, runtime: Any) -> None:
    runtime.settings.kiosk_mode = True
    runtime.settings.kiosk_idle_minutes = 5
    html = (await client.get("/")).text
    assert 'data-kiosk="on"' in html and 'data-idle-minutes="5"' in html
    assert "clears itself after 5 minutes" in html


async def test_the_exit_page_says_nothing_about_where_the_user_was(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/exit")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "<title>New tab</title>" in response.text
    for word in ("Rightsline", "rights", "Childline", "advocate", "chat"):
        assert word.lower() not in response.text.lower()


@pytest.mark.parametrize("name", ["chat.css", "chat.js"])
async def test_static_files_are_served(client: httpx.AsyncClient, name: str) -> None:
    response = await client.get(f"/static/{name}")
    assert response.status_code == 200
    assert len(response.content) > 0


async def test_the_first_load_is_small_and_all_from_this_app(page: Any, live_server: str) -> None:
    loaded: dict[str, int] = {}

    async def count(response: Any) -> None:
        if "/api/" not in response.url:
            loaded[response.url] = len(await response.body())

    page.on("response", count)
    await open_chat(page)
    await page.wait_for_load_state("networkidle")
    assert all(url.startswith(live_server) for url in loaded)
    assert sorted(url.removeprefix(live_server) for url in loaded) == [
        "/",
        "/static/chat.css",
        "/static/chat.js",
    ]
    assert sum(loaded.values()) < PAGE_BUDGET
