"""The chat pages as served: headers, data-driven numbers, the neutral exit page, page weight."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.web.helpers import open_chat, worker_ready

# The most a first visit may fetch (HTML, CSS, script, icons and the worker's copy), in bytes.
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
    by_page: list[str] = []
    fetched: list[tuple[str, int]] = []  # by the page and by its worker, each time fetched

    async def count(response: Any) -> None:
        if "/api/" not in response.url:
            # What a worker fetches shows no body here, but says how long it is.
            size = len(await response.body()) or int(response.headers["content-length"])
            fetched.append((response.url, size))

    page.on("response", lambda response: by_page.append(response.url))
    page.context.on("response", count)
    await open_chat(page)
    assert await worker_ready(page)
    await page.wait_for_load_state("networkidle")
    assert sorted(url.removeprefix(live_server) for url in by_page if "/api/" not in url) == [
        "/",
        "/static/chat.css",
        "/static/chat.js",
    ]
    # The worker fetches the page shell once more to keep it, and nothing else.
    assert all(url.startswith(live_server) for url, _ in fetched)
    assert {url.removeprefix(live_server) for url, _ in fetched} == {
        "/",
        "/family",
        "/exit",
        "/static/chat.css",
        "/static/chat.js",
        "/service-worker.js",
    }
    assert sum(size for _, size in fetched) < PAGE_BUDGET


async def test_the_service_worker_is_served_from_the_root_under_the_page_policy(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/service-worker.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    assert "unsafe-eval" not in policy
    script = response.text
    for forbidden in ("eval(", "new Function", "importScripts", "http://", "https://"):
        assert forbidden not in script


async def test_the_words_for_problems_and_unsent_messages_come_from_the_content(
    client: httpx.AsyncClient, runtime: Any
) -> None:
    html = (await client.get("/")).text
    for key in ("web_offline", "web_server_problem", "web_not_sent", "web_will_send"):
        assert runtime.library.messages[key] in html
