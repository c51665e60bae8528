"""In a real browser: a child's markup and script show as plain text on the dashboard."""

from __future__ import annotations

from typing import Any

import httpx

from tests.advocates.conftest import ADVOCATE
from tests.advocates.helpers import PASSWORD, child_asks_for_advocate, child_says

MARKUP = (
    '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
    "<b>bold</b><a href=javascript:alert(1)>tap</a>"
)


async def test_a_childs_markup_and_script_stay_inert_on_the_dashboard(
    live_server: str, browser: Any, runtime: Any, advocates: dict[str, int]
) -> None:
    async with httpx.AsyncClient(base_url=live_server) as child:
        session_id = await child_asks_for_advocate(child, MARKUP)
        await child_says(child, session_id, MARKUP)
    shown = runtime.conversation.analyse(MARKUP).redacted
    assert "<script>" in shown  # what the dashboard must show as text

    page = await browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    await page.goto(f"{live_server}/dashboard/login")
    await page.fill("#email", ADVOCATE)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{live_server}/dashboard")
    in_queue = "node => node.querySelectorAll('script, img, b, a:not([href^=\"/\"])').length"
    assert await page.eval_on_selector("tbody", in_queue) == 0
    assert "<script>" in await page.inner_text("tbody")
    await page.click("tr.referral a")
    await page.wait_for_selector("#conversation")

    assert shown in await page.inner_text("#summary")
    assert shown in await page.inner_text("#conversation")
    for area in ("#summary", "#conversation"):
        injected = await page.eval_on_selector(
            area, "node => node.querySelectorAll('script, img, b, a').length"
        )
        assert injected == 0
    assert await page.evaluate("() => window.pwned === undefined")

    # The advocate's own markup is inert too, on the way back.
    await page.click("text=Claim this referral")
    await page.fill("#text", "<i>hello</i>")
    await page.click("text=Send")
    await page.wait_for_selector("#conversation .line.advocate")
    assert "<i>hello</i>" in await page.inner_text("#conversation .line.advocate")
    assert dialogs == []
    await page.close()
