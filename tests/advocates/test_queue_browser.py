"""The queue in a real browser: it updates itself when a referral arrives, the tab's title
counts the urgent ones, and it fits a phone 390 px wide."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from tests.advocates.conftest import ADVOCATE
from tests.advocates.helpers import PASSWORD, bearer, child_asks_for_advocate, child_says
from tests.advocates.test_queue_glance import add_referral
from tests.web.live import PHONE


async def signed_in_page(browser: Any, live_server: str, **options: Any) -> Any:
    page = await browser.new_page(**options)
    await page.goto(f"{live_server}/dashboard/login")
    await page.fill("#email", ADVOCATE)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{live_server}/dashboard")
    return page


async def until(read: Callable[[], Awaitable[Any]], wanted: Any, seconds: float = 10) -> None:
    """Wait for `read()` to give `wanted` (the page's CSP forbids wait_for_function's eval)."""
    deadline = time.monotonic() + seconds
    while (found := await read()) != wanted:
        assert time.monotonic() < deadline, f"still {found!r}, not {wanted!r}"
        await asyncio.sleep(0.1)


async def test_new_referrals_appear_without_a_reload_and_urgent_ones_change_the_title(
    live_server: str, browser: Any, runtime: Any, advocates: dict[str, int]
) -> None:
    runtime.settings = runtime.settings.model_copy(update={"queue_check_seconds": 0.2})
    page = await signed_in_page(browser, live_server)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "response",
        lambda answer: (
            answer.status >= 400
            and not answer.url.endswith("/favicon.ico")
            and errors.append(f"{answer.status} {answer.url}")
        ),
    )
    assert await page.title() == "Queue · Rightsline"
    await page.wait_for_selector("#live-controls:not([hidden])")
    assert await page.inner_text("#sound-toggle") == "Sound for urgent: on"
    await page.click("#sound-toggle")
    assert await page.inner_text("#sound-toggle") == "Sound for urgent: off"
    await page.click("#sound-toggle")
    await page.evaluate("() => { window.stillTheSamePage = true; }")
    assert await page.locator("tr.referral").count() == 0

    async with httpx.AsyncClient(base_url=live_server) as child:
        session_id = await child_asks_for_advocate(child, "they locked me in my room")
        await page.wait_for_selector("tr.referral", timeout=10_000)
        assert await page.locator("tr.referral").count() == 1
        assert await page.title() == "Queue · Rightsline"

        await child_says(child, session_id, "i want to kill myself")
        await until(lambda: page.title(), "(1) urgent · Rightsline")
    # The child's own referral became urgent: the same row, now marked so, with its risk.
    await until(lambda: page.locator("tr.referral.is-urgent").count(), 1)
    assert await page.locator("tr.referral").count() == 1
    assert "may hurt themselves" in await page.inner_text("tr.referral.is-urgent")
    assert await page.evaluate("() => window.stillTheSamePage === true")
    assert errors == []
    await page.close()


async def test_without_event_streams_the_page_asks_every_few_seconds(
    live_server: str, browser: Any, runtime: Any, advocates: dict[str, int]
) -> None:
    context = await browser.new_context()
    await context.add_init_script("delete window.EventSource;")
    asked: list[str] = []
    context.on("request", lambda request: asked.append(request.url))
    page = await signed_in_page(context, live_server)
    async with httpx.AsyncClient(base_url=live_server) as child:
        await child_asks_for_advocate(child, "they locked me in my room")
    await until(lambda: page.locator("tr.referral").count(), 1, seconds=15)
    assert any(url.endswith("/dashboard/queue/version") for url in asked)
    assert not any(url.endswith("/dashboard/queue/events") for url in asked)
    await context.close()


async def test_the_queue_fits_a_phone_390_px_wide(
    live_server: str, browser: Any, runtime: Any, advocates: dict[str, int]
) -> None:
    add_referral(
        runtime,
        "they keep me in my room all day and will not let me phone my mum about it",
        urgency="urgent",
        minutes_ago=40,
        role="child",
        risks="self_harm",
        setting="yoi",
        place="wetherby",
    )
    add_referral(runtime, "about visits", minutes_ago=90, role="family")
    page = await signed_in_page(browser, live_server, viewport=PHONE)
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide"
    row = page.locator("tr.referral").first
    for part in ("td.text", "td.waited"):
        cell = row.locator(part)
        assert await cell.is_visible(), part
        box = await cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, part
    assert "they keep me in my room" in await row.locator("td.text").inner_text()
    assert "40 min" in await row.locator("td.waited").inner_text()
    await page.close()


# Counts the tones the page's beep plays (two a beep).
COUNT_TONES = """(() => {
  const make = AudioContext.prototype.createOscillator;
  window.tones = 0;
  AudioContext.prototype.createOscillator = function () {
    window.tones += 1;
    return make.apply(this, arguments);
  };
})();"""


async def test_an_urgent_referral_given_back_to_the_queue_beeps_as_a_new_one_does(
    live_server: str, browser: Any, runtime: Any, advocates: dict[str, int]
) -> None:
    """The alarm is for any urgent referral waiting for someone: one claimed and given back
    (or whose holder was switched off) is waiting again, though it is not the newest."""
    runtime.settings = runtime.settings.model_copy(update={"queue_check_seconds": 0.2})
    context = await browser.new_context()
    await context.add_init_script(COUNT_TONES)
    page = await signed_in_page(context, live_server)
    await page.wait_for_selector("#live-controls:not([hidden])")

    def tones() -> Awaitable[Any]:
        return page.evaluate("() => window.tones")

    async with httpx.AsyncClient(base_url=live_server) as http:
        session_id = await child_asks_for_advocate(http, "they locked me in my room")
        await child_says(http, session_id, "i want to kill myself")
        await until(lambda: page.title(), "(1) urgent · Rightsline")
        await until(tones, 2)
        headers = await bearer(http, ADVOCATE)
        [referral] = (await http.get("/api/referrals", headers=headers)).json()
        url = f"/api/referrals/{referral['id']}"
        await http.post(f"{url}/claim", headers=headers)
        await until(lambda: page.title(), "Queue · Rightsline")
        await http.post(f"{url}/unclaim", headers=headers)
        await until(lambda: page.title(), "(1) urgent · Rightsline")
        await until(tones, 4)
    await context.close()
