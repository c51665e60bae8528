"""The web chat in headless Chromium: buttons alone, risk, quick exit, advocate replies."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from tests.web.helpers import advocate_replies, bubbles, open_chat, say, tap


def childline(runtime: Any) -> str:
    number: str = runtime.library.helpline("childline").number
    return number


async def test_a_child_reaches_a_rights_answer_by_tapping_buttons_alone(
    page: Any, runtime: Any
) -> None:
    await open_chat(page)
    await tap(page, "YOI")
    await tap(page, "Kept apart")
    answer = runtime.library.answer("separation", "child", "yoi")
    assert (await bubbles(page))[-1] == " ".join(answer.first)
    await tap(page, "Tell me more")
    assert (await bubbles(page))[-1] == answer.more[0]
    await tap(page, "What can I do?")
    await tap(page, answer.actions[0].label)
    assert await page.get_by_label("Type your message").input_value() == ""
    # Only the newest step's buttons are on screen.
    assert await page.locator(".choices").count() == 1


async def test_the_family_page_starts_on_the_family_path(page: Any, runtime: Any) -> None:
    await open_chat(page, "/family")
    assert (await bubbles(page))[-1] == runtime.library.messages["ask_setting_family"]
    await tap(page, "Not sure")
    first = page.locator(".choices button").first
    assert await first.inner_text() == runtime.library.messages["topic_visits"]
    await tap(page, runtime.library.messages["topic_visits"])
    answer = runtime.library.answer("visits", "family")
    assert (await bubbles(page))[-1] == " ".join(answer.first)


async def test_free_text_is_always_allowed(page: Any, runtime: Any) -> None:
    await open_chat(page)
    await say(page, "can they keep me in my room all day")
    assert (await bubbles(page, "me"))[-1] == "can they keep me in my room all day"
    assert len(await bubbles(page)) >= 3


async def test_a_risk_message_shows_childlines_number(page: Any, runtime: Any) -> None:
    await open_chat(page)
    before = len(await bubbles(page))
    await say(page, "i want to hurt myself tonight")
    first_reply = (await bubbles(page))[before]
    assert childline(runtime) in first_reply


async def test_a_long_pasted_message_is_sent_whole(page: Any, runtime: Any) -> None:
    # Pasted, not typed: a paste past the box's maxlength is cut without a word.
    said = "i have been thinking about the wing and the food and my mum all week. " * 70
    said += "tonight i am going to hang myself"
    await open_chat(page)
    before = len(await bubbles(page))
    await say(page, said, pasted=True)
    assert (await bubbles(page, "me"))[-1] == said.strip()
    assert childline(runtime) in (await bubbles(page))[before]


async def test_quick_exit_leaves_nothing_on_screen_or_in_storage(
    page: Any, live_server: str
) -> None:
    session_id = await open_chat(page)
    await tap(page, "YOI")
    await say(page, "they kept me apart for two days")
    # The session id, and what the page has shown (so a reload shows it again).
    assert await page.evaluate("() => sessionStorage.length") == 2

    await page.get_by_role("button", name="Quick exit").click()
    await page.wait_for_url("**/exit")
    assert await page.title() == "New tab"
    assert (await page.inner_text("body")).strip() == ""
    assert "Rightsline" not in await page.content()
    stored = "() => [sessionStorage.length, localStorage.length, document.cookie]"
    assert await page.evaluate(stored) == [0, 0, ""]
    assert await page.context.cookies() == []
    # Back does not return to the chat.
    await page.go_back()
    assert "/exit" in page.url or page.url == "about:blank"
    assert (await page.inner_text("body")).strip() == ""
    # And the server holds nothing more for that chat.
    async with httpx.AsyncClient(base_url=live_server) as http:
        gone = await http.get(f"/api/chat/sessions/{session_id}/messages")
    assert gone.status_code == 404


async def test_an_advocates_reply_appears_in_an_open_page(page: Any, runtime: Any) -> None:
    session_id = await open_chat(page)
    await tap(page, "Not sure")
    await tap(page, "Talk to someone")
    await tap(page, runtime.library.messages["button_yes"])
    advocate_replies(runtime, session_id, "Hello, I am here to help. What happened?")
    reply = page.locator(".msg.advocate")
    await reply.wait_for(timeout=10_000)  # the page polls every few seconds
    assert "Hello, I am here to help. What happened?" in await reply.inner_text()
    assert runtime.library.messages["advocate_said"] in await reply.inner_text()
    # Screen readers hear it too: the live region is filled a moment after the bubble.
    await page.wait_for_function(
        "words => document.getElementById('announce').textContent.includes(words)",
        arg="Hello, I am here to help.",
        timeout=5_000,
    )


async def test_advocate_words_are_shown_as_text_never_markup(page: Any, runtime: Any) -> None:
    session_id = await open_chat(page)
    advocate_replies(runtime, session_id, '<img src=x onerror="window.pwned=1"><b>hi</b>')
    reply = page.locator(".msg.advocate")
    await reply.wait_for(timeout=10_000)
    assert "<b>hi</b>" in await reply.inner_text()
    assert await reply.locator("img, b").count() == 0
    assert await page.evaluate("() => window.pwned === undefined")


async def test_a_lost_connection_says_so_with_childlines_number(page: Any, runtime: Any) -> None:
    await open_chat(page)
    await page.context.set_offline(True)
    await page.get_by_label("Type your message").fill("hello")
    await page.keyboard.press("Enter")
    problem = page.locator("#problem")
    await problem.wait_for()
    assert "No connection" in await problem.inner_text()
    assert childline(runtime) in await problem.inner_text()
    # The live region is filled a moment later, so screen readers hear it afresh.
    await page.wait_for_function(
        "() => document.getElementById('alert').textContent.includes('No connection')"
    )
    mine = page.locator(".msg.me")
    assert runtime.library.messages["web_not_sent"] in await mine.inner_text()

    before = len(await bubbles(page))
    await page.context.set_offline(False)  # the page sends by itself once the device is back
    await page.wait_for_function(
        "n => document.querySelectorAll('.msg.bot').length > n", arg=before
    )
    await problem.wait_for(state="hidden")
    assert runtime.library.messages["web_not_sent"] not in await mine.inner_text()
    assert (await bubbles(page, "me")) == ["hello"]  # sent once, not twice


async def test_a_server_error_says_so_and_try_again_sends_everything_waiting(
    page: Any, runtime: Any
) -> None:
    # The page's timers stand still, so only "Try again" can send what waits.
    await page.clock.install()
    await open_chat(page)
    await page.clock.pause_at(datetime.now() + timedelta(seconds=5))

    async def fail(route: Any) -> None:
        await route.fulfill(status=500, json={"detail": "broken"})

    await page.route("**/api/chat/sessions/*/messages", fail)
    choice = page.locator(".choices button").first
    label = await choice.inner_text()
    await choice.click()
    problem = page.locator("#problem")
    await problem.wait_for()
    text = await problem.inner_text()
    assert "went wrong" in text and childline(runtime) in text
    await page.get_by_label("Type your message").fill("can they keep me in my room")
    await page.keyboard.press("Enter")
    await page.wait_for_function("() => document.querySelectorAll('.msg.me.unsent').length === 2")

    await page.unroute("**/api/chat/sessions/*/messages")
    await page.get_by_role("button", name="Try again").click()
    await problem.wait_for(state="hidden")
    assert await page.locator(".msg.me.unsent").count() == 0
    assert await bubbles(page, "me") == [label, "can they keep me in my room"]
    assert len(await bubbles(page)) >= 3  # each one answered


async def test_the_page_still_shows_childline_when_the_service_is_down(
    page: Any, runtime: Any
) -> None:
    async def down(route: Any) -> None:
        await route.abort()

    await page.route("**/api/**", down)
    await page.goto("/")
    problem = page.locator("#problem")
    await problem.wait_for()
    assert childline(runtime) in await problem.inner_text()


async def test_read_aloud_speaks_the_message_and_its_buttons(page: Any) -> None:
    await page.add_init_script(
        "window.spoken = [];speechSynthesis.speak = u => window.spoken.push(u.text);"
    )
    await open_chat(page)
    messages = page.locator(".msg.bot")
    assert await messages.count() == await page.locator(".msg.bot .speak").count()
    await messages.last.get_by_role("button", name="Read aloud").click()
    spoken = await page.evaluate("() => window.spoken")
    assert spoken[0].startswith((await bubbles(page))[-1])
    assert "YOI" in spoken[0]  # the choices are read out too
    # Once a choice is made, that message's buttons have gone: they are not read out again.
    asked = messages.nth(await messages.count() - 1)
    await tap(page, "YOI")
    speak = asked.locator(".speak")
    if "Read aloud" not in await speak.inner_text():
        await speak.click()  # (the stand-in voice never finishes): stop the first reading
    await speak.click()
    spoken = await page.evaluate("() => window.spoken")
    assert len(spoken) == 2
    assert "YOI" not in spoken[-1] and "You can tap" not in spoken[-1]


async def test_reloading_the_page_carries_on_the_same_chat(page: Any) -> None:
    session_id = await open_chat(page)
    await page.reload()
    await page.locator(".msg.bot").first.wait_for()
    assert await page.evaluate("() => sessionStorage.getItem('rightsline-session')") == session_id


async def test_everything_can_be_done_with_the_keyboard(page: Any, runtime: Any) -> None:
    await open_chat(page)
    await page.keyboard.press("Tab")
    assert await page.evaluate("() => document.activeElement.id") == "quick-exit"
    outline = await page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # focus can be seen
    # Tab on to the first choice and press it; focus lands on the next step's first button.
    while await page.evaluate("() => document.activeElement.className") != "choice":
        await page.keyboard.press("Tab")
    before = len(await bubbles(page))
    await page.keyboard.press("Enter")
    await page.wait_for_function(
        "n => document.querySelectorAll('.msg.bot').length > n", arg=before
    )
    assert await page.evaluate("() => document.activeElement.className") == "choice"


async def test_kiosk_mode_clears_a_used_chat_after_idle_minutes(
    page: Any, runtime: Any, live_server: str
) -> None:
    runtime.settings.kiosk_mode = True
    await page.clock.install()
    session_id = await open_chat(page)
    assert "clears itself" in await page.inner_text(".helpline")
    await tap(page, "YOI")
    await say(page, "they kept me apart")
    assert len(await bubbles(page, "me")) == 2

    async with page.expect_response(lambda r: r.request.method == "POST") as restarted:
        await page.clock.fast_forward(runtime.settings.kiosk_idle_minutes * 60_000 + 1000)
    fresh = (await (await restarted.value).json())["session_id"]
    await page.locator(".msg.bot").first.wait_for()
    assert fresh != session_id
    assert await bubbles(page, "me") == []
    async with httpx.AsyncClient(base_url=live_server) as http:
        gone = await http.get(f"/api/chat/sessions/{session_id}/messages")
    assert gone.status_code == 404


async def test_without_kiosk_mode_an_idle_chat_stays(page: Any, runtime: Any) -> None:
    await page.clock.install()
    await open_chat(page)
    await tap(page, "YOI")
    await page.clock.fast_forward(runtime.settings.kiosk_idle_minutes * 60_000 + 1000)
    assert await bubbles(page, "me") == ["YOI"]


async def test_after_forget_me_the_child_can_carry_on_in_a_new_chat(
    page: Any, runtime: Any, live_server: str
) -> None:
    session_id = await open_chat(page)
    await tap(page, "Not sure")
    await tap(page, runtime.library.messages["topic_privacy"])
    await tap(page, runtime.library.messages["button_forget"])
    # Confirming empties the screen: wait for the words, not for more bubbles.
    await page.locator(".choices").get_by_role("button", name="Forget me").click()
    await page.locator(
        ".msg.bot .text", has_text=runtime.library.messages["forget_done"]
    ).wait_for()
    assert await bubbles(page) == [runtime.library.messages["forget_done"]]
    async with httpx.AsyncClient(base_url=live_server) as http:
        gone = await http.get(f"/api/chat/sessions/{session_id}/messages")
    assert gone.status_code == 404
    await say(page, "what is an advocate")
    assert await page.locator("#problem").is_hidden()
    stored = await page.evaluate("() => sessionStorage.getItem('rightsline-session')")
    assert stored and stored != session_id


async def test_typing_after_a_step_taken_by_keyboard_types_and_presses_nothing(
    page: Any, runtime: Any
) -> None:
    """After a button pressed with Enter, the focus is on the next step's first button: what the
    child types next goes into the box (a space there pressed that button once per space), and
    a button pressed twice quickly sends once."""
    await open_chat(page)
    await page.locator(".choices").get_by_role("button", name="Not sure", exact=True).focus()
    before = await page.locator(".msg.bot").count()
    await page.keyboard.press("Enter")
    await page.wait_for_function(
        "n => document.querySelectorAll('.msg.bot').length > n", arg=before
    )
    await page.keyboard.type("what is an advocate")
    assert await page.get_by_label("Type your message").input_value() == "what is an advocate"
    assert await bubbles(page, "me") == ["Not sure"]

    mine = await page.locator(".msg.me").count()
    await page.locator(".choices button").first.dblclick()
    await page.wait_for_function("n => document.querySelectorAll('.msg.me').length > n", arg=mine)
    await page.wait_for_timeout(500)
    assert await page.locator(".msg.me").count() == mine + 1
