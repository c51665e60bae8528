"""The web chat when the service cannot be reached: nothing typed is lost, the page still opens."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from service.models import Chat, Event, Referral
from tests.web.helpers import bubbles, open_chat, tap, worker_ready
from tests.web.live import LiveServer

# What the service worker may keep: the pages and what draws them, nothing else.
SHELL = {"/", "/family", "/exit", "/static/chat.css", "/static/chat.js"}
# Every path the worker keeps, across all its caches, read inside the page.
KEPT_PATHS = """async () => {
  const paths = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) paths.push(new URL(request.url).pathname);
  }
  return paths;
}"""

# Every bubble on the page, in order: "me: ..." for the child's, "bot: ..." for the rest.
IN_ORDER = """() => [...document.querySelectorAll('#messages > .msg')].map(
  (li) => (li.classList.contains('me') ? 'me: ' : 'bot: ') + li.querySelector('.text').textContent
)"""


def childline(runtime: Any) -> str:
    number: str = runtime.library.helpline("childline").number
    return number


async def type_message(page: Any, text: str) -> None:
    """Types and sends without waiting for a reply: there may be none while the service is down."""
    await page.get_by_label("Type your message").fill(text)
    await page.keyboard.press("Enter")


async def count_is(page: Any, selector: str, n: int, timeout: float = 10_000) -> None:
    await page.wait_for_function(
        "([selector, n]) => document.querySelectorAll(selector).length === n",
        arg=[selector, n],
        timeout=timeout,
    )


def received(runtime: Any, session_id: str) -> tuple[list[str], list[Referral]]:
    """What the service holds for this chat: each message (redacted) in order, and referrals."""
    key = runtime.keys.pseudonym("web", session_id)
    with Session(runtime.database) as session:
        chat = session.exec(select(Chat).where(Chat.key == key)).one()
        in_order = select(Event).where(Event.session_id == chat.id).order_by(col(Event.id))
        events = session.exec(in_order).all()
        referrals = session.exec(select(Referral).where(Referral.session_id == chat.id)).all()
        return [event.redacted or "" for event in events], list(referrals)


async def test_messages_sent_while_the_service_is_down_wait_and_all_go_in_order(
    page: Any, server: LiveServer, runtime: Any
) -> None:
    session_id = await open_chat(page)
    await tap(page, "YOI")
    server.stop()

    await type_message(page, "staff punched me")
    await type_message(page, "can they keep me in my room all day")
    await count_is(page, ".msg.me.unsent", 2)
    not_sent = runtime.library.messages["web_not_sent"]
    for text in await page.locator(".msg.me.unsent").all_inner_texts():
        assert not_sent in text
    problem = page.locator("#problem")
    # Past a few tries, Childline's number is still on screen and the child is told what happens.
    await page.wait_for_timeout(2_500)
    assert await problem.is_visible()
    assert childline(runtime) in await problem.inner_text()
    assert runtime.library.messages["web_will_send"] in await problem.inner_text()
    said, referrals = received(runtime, session_id)
    assert not any("punched" in text for text in said) and referrals == []

    server.start()
    await count_is(page, ".msg.me.unsent", 0, timeout=30_000)
    await problem.wait_for(state="hidden")
    assert await page.locator(".msg.me .status").count() == 0

    said, referrals = received(runtime, session_id)
    typed = [text for text in said if "punched" in text or "room all day" in text]
    assert len(typed) == 2 and "punched" in typed[0]  # each once, in the order typed
    assert [referral.urgency for referral in referrals] == ["urgent"]
    assert "abuse" in referrals[0].risks
    assert await bubbles(page, "me") == [
        "YOI",
        "staff punched me",
        "can they keep me in my room all day",
    ]
    # Each message is answered under its own words: the crisis answer, with Childline's
    # number, comes before the message typed after it.
    order = await page.evaluate(IN_ORDER)
    punched = order.index("me: staff punched me")
    room = order.index("me: can they keep me in my room all day")
    assert any(childline(runtime) in line for line in order[punched + 1 : room])
    assert room < len(order) - 1  # and the second has its own answer after it
    # A reload shows them in the same order.
    await page.reload()
    await page.locator(".msg.me").first.wait_for()
    assert await page.evaluate(IN_ORDER) == order


async def test_coming_back_online_sends_at_once_without_waiting_for_the_next_try(
    page: Any, runtime: Any
) -> None:
    # The page's timers stand still, so only the browser's `online` event can send the message.
    await page.clock.install()
    session_id = await open_chat(page)
    await page.clock.pause_at(datetime.now() + timedelta(seconds=5))
    await page.context.set_offline(True)
    await type_message(page, "they took my letters")
    await count_is(page, ".msg.me.unsent", 1)
    assert not any("letters" in text for text in received(runtime, session_id)[0])

    await page.context.set_offline(False)
    await count_is(page, ".msg.me.unsent", 0)
    assert any("letters" in text for text in received(runtime, session_id)[0])
    assert await bubbles(page, "me") == ["they took my letters"]


async def test_after_one_visit_the_page_opens_with_the_service_down(
    page: Any, server: LiveServer, runtime: Any
) -> None:
    await open_chat(page)
    shown = await bubbles(page)
    assert await worker_ready(page)
    server.stop()

    for path in ("/", "/family"):
        fresh = await page.context.new_page()  # a new tab: no chat to carry on
        await fresh.goto(path)
        problem = fresh.locator("#problem")
        await problem.wait_for()
        assert "No connection" in await problem.inner_text()
        assert childline(runtime) in await problem.inner_text()
        assert childline(runtime) in await fresh.inner_text(".helpline")
        await fresh.close()

    # The tab that was open reloads too: it shows the chat so far (kept in the tab), and carries
    # on with it by itself once the service is back.
    await page.reload()
    await page.locator("#problem").wait_for()
    assert await bubbles(page) == shown
    server.start()
    await page.locator("#problem").wait_for(state="hidden", timeout=30_000)
    assert await bubbles(page) == shown


async def test_the_worker_keeps_the_page_shell_and_never_the_conversation(
    page: Any, server: LiveServer
) -> None:
    session_id = await open_chat(page)
    assert await worker_ready(page)
    await tap(page, "YOI")
    await type_message(page, "staff punched me")
    await count_is(page, ".msg.me", 2)
    await page.wait_for_function("() => !document.querySelector('#typing:not([hidden])')")
    await page.reload()  # now under the worker, the API is asked through it
    await page.locator(".msg.bot").first.wait_for()

    kept = await page.evaluate(KEPT_PATHS)
    assert set(kept) == SHELL
    # With the service down, an API answer is never made up from anything kept.
    server.stop()
    asked = await page.evaluate(
        """async (url) => {
          try {
            await fetch(url, { cache: "no-store" });
            return "answered";
          } catch {
            return "failed";
          }
        }""",
        f"/api/chat/sessions/{session_id}/messages",
    )
    assert asked == "failed"


async def test_the_worker_covers_both_chat_pages(page: Any, live_server: str) -> None:
    await open_chat(page, "/family")
    assert await worker_ready(page)
    for path in ("/", "/family"):
        scope = await page.evaluate(
            "async (path) => (await navigator.serviceWorker.getRegistration(path)).scope", path
        )
        assert scope == f"{live_server}/"


async def test_quick_exit_while_the_service_is_down_deletes_the_chat_once_it_is_back(
    page: Any, server: LiveServer, runtime: Any
) -> None:
    """Quick exit promises the chat is deleted: when the service cannot be reached then, the
    page's worker keeps the chat's id (never its words) and deletes it when a page is next
    opened with the service back."""
    session_id = await open_chat(page)
    assert await worker_ready(page)
    await page.reload()  # now under the worker
    await page.locator(".msg.bot").first.wait_for()
    await tap(page, "YOI")
    await type_message(page, "they kept me in my room at zogglewump")
    await count_is(page, ".msg.me", 2)
    await page.wait_for_function("() => !document.querySelector('#typing:not([hidden])')")
    key = runtime.keys.pseudonym("web", session_id)

    def chat_is_there() -> bool:
        with Session(runtime.database) as session:
            return session.exec(select(Chat).where(Chat.key == key)).first() is not None

    assert chat_is_there()
    server.stop()
    await page.get_by_role("button", name="Quick exit").click()
    await page.wait_for_url("**/exit")
    assert (await page.inner_text("body")).strip() == ""
    kept = " ".join(await page.evaluate(KEPT_PATHS))
    assert "zogglewump" not in kept and "they kept me" not in kept
    assert chat_is_there()  # the service was out of reach

    server.start()
    later = await page.context.new_page()
    await later.goto("/")
    for _ in range(100):
        if not chat_is_there():
            break
        await later.wait_for_timeout(100)
    assert not chat_is_there()
    assert not any(path.startswith("/forget") for path in await later.evaluate(KEPT_PATHS))
