"""Takes the README's phone and tablet pictures of the chat pages and measures the page weight."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from playwright.async_api import async_playwright

from service.app import create_app
from service.runtime import build_runtime
from service.settings import Settings
from tests.web.helpers import advocate_replies, open_chat, say, tap
from tests.web.live import CHROMIUM, PHONE, ROOT, TABLET, launch, serve

OUT = ROOT / "docs" / "screenshots"


async def fresh_page(browser: Any, url: str, viewport: dict[str, int]) -> Any:
    context = await browser.new_context(viewport=viewport, base_url=url, reduced_motion="reduce")
    return await context.new_page()


async def snap(page: Any, name: str) -> None:
    await page.mouse.move(0, 0)  # no hover colour on the last button pressed
    await page.wait_for_timeout(300)
    await page.screenshot(path=OUT / name)


async def page_weight(browser: Any, url: str) -> dict[str, int]:
    """Bytes of each file the chat page loads on first visit (the API's JSON aside)."""
    page = await fresh_page(browser, url, PHONE)
    loaded: dict[str, int] = {}

    async def count(response: Any) -> None:
        if "/api/" not in response.url:
            loaded[response.url.removeprefix(url)] = len(await response.body())

    page.on("response", count)
    await open_chat(page)
    await page.wait_for_load_state("networkidle")
    await page.context.close()
    return loaded


async def take(runtime: Any, url: str) -> None:
    async with async_playwright() as playwright:
        browser = await launch(playwright)

        page = await fresh_page(browser, url, PHONE)
        await open_chat(page)
        await tap(page, "YOI")
        await tap(page, runtime.library.messages["topic_separation"])
        await snap(page, "chat-phone.png")
        await page.context.close()

        page = await fresh_page(browser, url, TABLET)
        session_id = await open_chat(page)
        await tap(page, "Secure school")
        await say(page, "can they stop me seeing my mum")
        await tap(page, runtime.library.messages["button_talk"])
        await tap(page, runtime.library.messages["button_yes"])
        advocate_replies(runtime, session_id, "Hi, I am Sam, an advocate. I got your message.")
        await page.locator(".msg.advocate").wait_for(timeout=10_000)
        await snap(page, "chat-tablet.png")
        await page.context.close()

        page = await fresh_page(browser, url, PHONE)
        await open_chat(page, "/family")
        await tap(page, "Not sure")
        await snap(page, "family-phone.png")
        await page.context.close()

        page = await fresh_page(browser, url, TABLET)
        await open_chat(page, "/family")
        await tap(page, "Hospital ward")
        await tap(page, runtime.library.messages["topic_visits"])
        await snap(page, "family-tablet.png")
        await page.context.close()

        page = await fresh_page(browser, url, PHONE)
        await open_chat(page)
        await page.context.set_offline(True)
        await page.locator(".choices button").first.click()
        await page.locator("#problem").wait_for()
        await snap(page, "no-connection-phone.png")
        await page.context.close()

        weights = await page_weight(browser, url)
        await browser.close()
    for name, size in sorted(weights.items()):
        print(f"{name:20} {size:7,} bytes")
    print(f"{'first load':20} {sum(weights.values()):7,} bytes")


def main() -> None:
    if CHROMIUM is None:
        raise SystemExit("No chromium on PATH: `make browser` installs it.")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(env="test", data_dir=Path(data_dir), secret_key="screenshots-only")
        runtime = build_runtime(settings)
        with serve(create_app(runtime=runtime)) as url:
            asyncio.run(take(runtime, url))
        runtime.close()


if __name__ == "__main__":
    main()
