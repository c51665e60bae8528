"""The web chat keeps its promises: a reload shows the conversation so far, the advocate's replies
too, from this tab alone; quick exit and "Forget me" clear it; the page says when the advocate
has finished; and every phone number is a tel: link, built without markup."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.advocates.helpers import add_advocate, bearer
from tests.web.helpers import advocate_replies, bubbles, open_chat, say, tap, worker_ready
from tests.web.live import LiveServer
from tests.web.test_offline import received

# Ofcom's drama numbers (07700 900000 to 900999): no one's real phone.
DRAMA = "07700 900123"
OTHER_DRAMA = "07700 900456"
ADVOCATE = "advocate.one@example.org"
# Everything this tab, its storage and its caches hold, read inside the page.
TAB_HOLDS = """async () => {
  const held = [JSON.stringify(sessionStorage), JSON.stringify(localStorage), document.cookie];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) held.push(await (await cache.match(request)).text());
  }
  return held.join("\\n");
}"""
# Each bubble's words outside its links: a phone number left here is not a link.
WORDS_OUTSIDE_LINKS = """() => [...document.querySelectorAll('.msg .text, .helpline, .problem p')]
  .map((node) => {
    const copy = node.cloneNode(true);
    copy.querySelectorAll('a').forEach((link) => link.remove());
    return copy.textContent;
  })"""
PHONE = re.compile(r"(?:\+44 ?|0)\d(?:[ -]?\d){6,10}|\b116 ?\d{3}\b")


def childline(runtime: Any) -> str:
    number: str = runtime.library.helpline("childline").number
    return number


def tel(number: str) -> str:
    return "tel:" + number.replace(" ", "")


async def shows(page: Any, words: str) -> None:
    """Waits until a Rightsline bubble says exactly these words."""
    await page.wait_for_function(
        "words => [...document.querySelectorAll('.msg.bot .text')]"
        ".some((node) => node.textContent === words)",
        arg=words,
    )


async def test_a_reload_shows_the_conversation_and_an_earlier_advocate_reply(
    page: Any, runtime: Any
) -> None:
    said = runtime.library.messages
    session_id = await open_chat(page)
    await tap(page, "Not sure")
    await say(page, "can they keep me in my room all day")
    await tap(page, said["button_talk"])
    await tap(page, said["button_yes"])
    advocate_replies(runtime, session_id, "Hello, I am Sam. What happened?")
    await page.locator(".msg.advocate").wait_for(timeout=10_000)
    before = {who: await bubbles(page, who) for who in ("bot", "me", "advocate")}

    await page.reload()
    await page.locator(".msg.advocate").wait_for()
    # The service handed the reply over once, before the reload: this tab kept it.
    assert {who: await bubbles(page, who) for who in ("bot", "me", "advocate")} == before
    assert said["advocate_said"] + " Hello, I am Sam. What happened?" in before["advocate"]
    assert "can they keep me in my room all day" in before["me"]
    # The newest step's buttons are back, and they still work on the same chat.
    assert await page.locator(".choices").count() == 1
    stored = "() => sessionStorage.getItem('rightsline-session')"
    assert await page.evaluate(stored) == session_id
    await tap(page, said["button_menu"])
    assert (await bubbles(page))[-1] == said["menu_child"]
    # Kept in this tab's sessionStorage only: not localStorage, a cookie or the worker's cache.
    assert await page.evaluate("() => [localStorage.length, document.cookie]") == [0, ""]
    held = await page.evaluate(TAB_HOLDS)
    assert held.count("Hello, I am Sam.") == 1  # in sessionStorage, once
    assert "Hello, I am Sam." in await page.evaluate("() => JSON.stringify(sessionStorage)")


async def test_a_message_not_yet_sent_is_kept_over_a_reload_and_sent_once(
    page: Any, server: LiveServer, runtime: Any
) -> None:
    session_id = await open_chat(page)
    assert await worker_ready(page)  # so the page opens while the service is down
    await tap(page, "Not sure")
    server.stop()
    await page.get_by_label("Type your message").fill("they took my letters")
    await page.keyboard.press("Enter")
    await page.locator(".msg.me.unsent").wait_for()

    await page.reload()
    unsent = page.locator(".msg.me.unsent")
    await unsent.wait_for()
    assert runtime.library.messages["web_not_sent"] in await unsent.inner_text()
    assert await bubbles(page, "me") == ["Not sure", "they took my letters"]

    server.start()
    await unsent.wait_for(state="detached", timeout=30_000)
    assert await page.locator(".msg.me.unsent").count() == 0
    assert await bubbles(page, "me") == ["Not sure", "they took my letters"]
    said, _ = received(runtime, session_id)
    assert sum("letters" in words for words in said) == 1  # sent once, to the same chat


async def test_quick_exit_clears_what_the_tab_kept(page: Any, runtime: Any) -> None:
    session_id = await open_chat(page)
    await tap(page, "Not sure")
    await say(page, "they kept me apart for two days")
    advocate_replies(runtime, session_id, "Hello, I am Sam.")
    await page.locator(".msg.advocate").wait_for(timeout=10_000)
    assert "kept me apart" in await page.evaluate(TAB_HOLDS)

    await page.get_by_role("button", name="Quick exit").click()
    await page.wait_for_url("**/exit")
    held = await page.evaluate(TAB_HOLDS)
    assert "kept me apart" not in held and "Hello, I am Sam." not in held
    assert await page.evaluate("() => sessionStorage.length") == 0
    # Opening the chat again in the same tab starts afresh, with nothing of the old one.
    fresh = await open_chat(page)
    assert fresh != session_id
    assert await bubbles(page, "me") == [] and await bubbles(page, "advocate") == []
    assert "kept me apart" not in await page.inner_text("body")


async def test_forget_me_clears_the_screen_and_what_the_tab_kept(page: Any, runtime: Any) -> None:
    said = runtime.library.messages
    session_id = await open_chat(page)
    await tap(page, "Not sure")
    await say(page, "they kept me apart for two days")
    advocate_replies(runtime, session_id, "Hello, I am Sam.")
    await page.locator(".msg.advocate").wait_for(timeout=10_000)
    for step in ("button_talk", "button_no", "button_menu", "topic_privacy", "button_forget"):
        await tap(page, said[step])
    # "Forget me" again confirms it: the screen empties, so wait for the words, not a count.
    await page.locator(".choices").get_by_role("button", name=said["button_forget"]).click()
    await shows(page, said["forget_done"])

    assert await bubbles(page) == [said["forget_done"]]
    assert await bubbles(page, "me") == [] and await bubbles(page, "advocate") == []
    held = await page.evaluate(TAB_HOLDS)
    assert "kept me apart" not in held and "Hello, I am Sam." not in held
    assert session_id not in held
    await page.reload()
    await page.locator(".msg.bot").last.wait_for()
    body = await page.inner_text("body")
    assert "kept me apart" not in body and "Hello, I am Sam." not in body


async def test_the_page_says_when_the_advocate_has_finished_and_how_to_ask_again(
    page: Any, runtime: Any, live_server: str
) -> None:
    said = runtime.library.messages
    await open_chat(page)
    await tap(page, "Not sure")
    await tap(page, said["button_talk"])
    await tap(page, said["button_yes"])
    add_advocate(runtime, ADVOCATE)
    async with httpx.AsyncClient(base_url=live_server) as http:
        headers = await bearer(http, ADVOCATE)
        [referral] = (await http.get("/api/referrals", headers=headers)).json()
        url = f"/api/referrals/{referral['id']}"
        await http.post(f"{url}/claim", headers=headers)
        await http.post(f"{url}/replies", headers=headers, json={"text": "Hi, I am Sam."})
        await page.locator(".msg.advocate").wait_for(timeout=10_000)
        closed = await http.post(f"{url}/close", headers=headers, json={"outcome": "other"})
        assert closed.status_code == 200

    finished = runtime.conversation.advocate_finished()
    await shows(page, finished)
    assert (await bubbles(page))[-1] == finished  # Rightsline's words, not the advocate's
    assert await bubbles(page, "advocate") == [f"{said['advocate_said']} Hi, I am Sam."]
    await tap(page, said["button_talk"])  # the button the words name is right there
    assert (await bubbles(page))[-1] == said["talk_consent"]


async def test_every_phone_number_is_a_tel_link_built_without_markup(
    page: Any, runtime: Any
) -> None:
    session_id = await open_chat(page)
    number = childline(runtime)
    footer = page.locator(".helpline a")
    assert (await footer.get_attribute("href"), await footer.inner_text()) == (tel(number), number)
    problem = page.locator("#problem a")  # hidden until needed, a link all the same
    assert await problem.get_attribute("href") == tel(number)

    await say(page, "i want to hurt myself tonight")
    crisis = page.locator(f'.msg.bot a[href="{tel(number)}"]').first
    assert await crisis.inner_text() == number

    advocate_replies(
        runtime, session_id, f'Call me on {DRAMA} <b onclick="window.pwned=1">or</b> {OTHER_DRAMA}.'
    )
    reply = page.locator(".msg.advocate")
    await reply.wait_for(timeout=10_000)
    links = reply.locator("a")
    found = [
        (await link.get_attribute("href"), await link.inner_text()) for link in await links.all()
    ]
    assert found == [(tel(DRAMA), DRAMA), (tel(OTHER_DRAMA), OTHER_DRAMA)]
    assert await reply.locator("b").count() == 0
    assert '<b onclick="window.pwned=1">or</b>' in await reply.inner_text()

    # No number anywhere on the page is left as plain words.
    for words in await page.evaluate(WORDS_OUTSIDE_LINKS):
        assert not PHONE.search(words), words
