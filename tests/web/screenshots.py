"""Takes the README's phone and tablet pictures of the chat pages and measures the page weight;
then, over a month of invented conversations (tests/web/invented.py), the advocates' figures
page at desktop width and the one-page PDF report, drawn to PNG with pypdfium2."""

from __future__ import annotations

import asyncio
import io
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pypdfium2
from playwright.async_api import async_playwright
from sqlmodel import Session

from service import accounts
from service.app import create_app
from service.models import utcnow
from service.runtime import build_runtime
from service.settings import Settings
from tests.web.helpers import advocate_replies, open_chat, say, tap
from tests.web.invented import invent_month
from tests.web.live import CHROMIUM, PHONE, ROOT, TABLET, launch, serve

OUT = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
FIGURES_HEIGHT = 2400  # the top sections: topics, requests, time to claim, the time limit
INVENTED_ADVOCATE = "figures.pictures@example.org"
INVENTED_PASSWORD = "an invented passphrase for the pictures"


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

        await figures_pictures(browser, url)

        weights = await page_weight(browser, url)
        await browser.close()
    for name, size in sorted(weights.items()):
        print(f"{name:20} {size:7,} bytes")
    print(f"{'first load':20} {sum(weights.values()):7,} bytes")


async def figures_pictures(browser: Any, url: str) -> None:
    """The figures page (its top sections) and the PDF report, over the invented month."""
    page = await fresh_page(browser, url, DESKTOP)
    await page.goto("/dashboard/login")
    await page.fill("#email", INVENTED_ADVOCATE)
    await page.fill("#password", INVENTED_PASSWORD)
    await page.locator("form[action='/dashboard/login'] button").click()
    await page.wait_for_url("**/dashboard**")
    await page.goto("/dashboard/stats?weeks=5")
    await page.mouse.move(0, 0)
    await page.wait_for_timeout(300)
    height = min(FIGURES_HEIGHT, await page.evaluate("() => document.body.scrollHeight"))
    clip = {"x": 0, "y": 0, "width": DESKTOP["width"], "height": height}
    await page.screenshot(path=OUT / "figures-desktop.png", clip=clip, full_page=True)
    month = f"{utcnow() - timedelta(days=14):%Y-%m}"  # the month most of the invented one is in
    report = await page.context.request.get(f"/dashboard/stats/report.pdf?month={month}")
    assert report.ok, report.status
    pdf_png(await report.body(), OUT / "report-page.png")
    await page.context.close()


def pdf_png(pdf: bytes, path: Path) -> None:
    """The PDF's one page as a greyscale PNG, wide enough to read (about 100 dots an inch)."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=100 / 72, grayscale=True).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        path.write_bytes(buffer.getvalue())
    finally:
        document.close()


def invent(runtime: Any) -> None:
    with Session(runtime.database) as session:
        advocate = accounts.add_advocate(
            session=session,
            email=INVENTED_ADVOCATE,
            password=INVENTED_PASSWORD,
            name="Invented Advocate",
            is_admin=False,
        )
        session.commit()
        session.refresh(advocate)
        session.expunge(advocate)
    made = invent_month(runtime, advocate)
    print("invented:", ", ".join(f"{count} {name}" for name, count in made.items()))


def main() -> None:
    if CHROMIUM is None:
        raise SystemExit("No chromium on PATH: `make browser` installs it.")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(env="test", data_dir=Path(data_dir), secret_key="screenshots-only")
        runtime = build_runtime(settings)
        invent(runtime)
        with serve(create_app(runtime=runtime)) as url:
            asyncio.run(take(runtime, url))
        runtime.close()


if __name__ == "__main__":
    main()
