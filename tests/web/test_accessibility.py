"""axe-core in the page: no serious or critical WCAG 2.2 faults, before and after a chat."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.helpers import advocate_replies, open_chat, say, tap
from tests.web.live import AXE, TABLET

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SERIOUS = {"serious", "critical"}


async def serious_faults(page: Any) -> list[str]:
    """What axe-core finds at serious or critical impact, one line per fault and element."""
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed at {AXE}: run `npm ci` (make test does)")
    if not await page.evaluate("() => typeof axe !== 'undefined'"):
        # Evaluated by the test driver, not as a page script, so the page's CSP stays on.
        await page.evaluate(AXE.read_text())
    # A bubble fading in is not yet at full contrast: judge the page once it is still.
    await page.wait_for_function("() => document.getAnimations().length === 0")
    options = {"runOnly": {"type": "tag", "values": WCAG}, "resultTypes": ["violations"]}
    result = await page.evaluate("options => axe.run(document, options)", options)
    return [
        f"{fault['id']} ({fault['impact']}): {node['target']} {fault['help']}"
        for fault in result["violations"]
        if fault["impact"] in SERIOUS
        for node in fault["nodes"]
    ]


@pytest.mark.parametrize("path", ["/", "/family"])
async def test_no_serious_faults_before_and_after_a_conversation(
    page: Any, runtime: Any, path: str
) -> None:
    session_id = await open_chat(page, path)
    assert await serious_faults(page) == []

    await tap(page, "Secure children's home")
    await tap(page, await page.locator(".choices button").first.inner_text())
    await say(page, "i want to hurt myself")
    advocate_replies(runtime, session_id, "I have read your message. I am here.")
    await page.locator(".msg.advocate").wait_for()
    assert await serious_faults(page) == []


async def test_no_serious_faults_in_the_error_state_on_a_tablet(page: Any) -> None:
    await page.set_viewport_size(TABLET)
    await open_chat(page)
    await page.context.set_offline(True)
    await page.locator(".choices button").first.click()
    await page.locator("#problem").wait_for()
    assert await serious_faults(page) == []
    await page.context.set_offline(False)


async def test_no_serious_faults_with_reduced_motion_and_no_animation(page: Any) -> None:
    await page.emulate_media(reduced_motion="reduce")
    await open_chat(page)
    running = await page.evaluate(
        "() => getComputedStyle(document.querySelector('.msg')).animationName"
    )
    assert running == "none"
    assert await serious_faults(page) == []


async def test_at_200_percent_zoom_on_a_phone_the_messages_keep_most_of_the_screen(
    page: Any,
) -> None:
    """A 360 by 640 phone zoomed to 200% has 180 by 320 CSS pixels. What stays on screen while
    the messages scroll (quick exit always; the box only where there is room) must leave most of
    it to the messages, and the box and Childline's number must still be there to scroll to."""
    await page.set_viewport_size({"width": 180, "height": 320})
    await open_chat(page)
    await page.context.set_offline(True)
    await page.locator(".choices button").first.click()
    await page.locator("#problem").wait_for()  # the tallest the bottom gets
    kept = await page.evaluate(
        """() => [document.querySelector('.top'), document.querySelector('.bottom')]
          .filter((part) => getComputedStyle(part).position === 'sticky')
          .reduce((sum, part) => sum + part.getBoundingClientRect().height, 0)"""
    )
    assert kept <= 320 / 2
    await page.get_by_label("Type your message").scroll_into_view_if_needed()
    assert await page.get_by_label("Type your message").is_visible()
    await page.context.set_offline(False)
