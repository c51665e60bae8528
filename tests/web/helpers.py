"""Small steps the web chat tests share: open a chat, tap, type, read the bubbles."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from service.models import Chat, Referral, RelayMessage

STARTED = "/api/chat/sessions"


async def open_chat(page: Any, path: str = "/") -> str:
    """Opens a chat page and waits for its greeting; returns the session id the page got."""

    def is_start(response: Any) -> bool:
        return response.url.endswith(STARTED) and response.request.method == "POST"

    async with page.expect_response(is_start) as started:
        await page.goto(path)
    session_id: str = (await (await started.value).json())["session_id"]
    await page.locator(".msg.bot").first.wait_for()
    return session_id


async def worker_ready(page: Any) -> bool:
    """Whether the page's service worker is running, given ten seconds to start."""
    ready: bool = await page.evaluate(
        """async () => {
          const waited = new Promise((resolve) => setTimeout(resolve, 10000, null));
          const registration = await Promise.race([navigator.serviceWorker.ready, waited]);
          return Boolean(registration && registration.active);
        }"""
    )
    return ready


async def tap(page: Any, label: str) -> None:
    """Taps the newest button with this label and waits for the replies."""
    before = await page.locator(".msg.bot").count()
    await page.locator(".choices").get_by_role("button", name=label, exact=True).last.click()
    await page.wait_for_function(
        "n => document.querySelectorAll('.msg.bot').length > n", arg=before
    )


async def say(page: Any, text: str, *, pasted: bool = False) -> None:
    """Send `text` and wait for an answer; `pasted` puts it in as a paste does, which the
    browser cuts at the box's maxlength (fill does not)."""
    before = await page.locator(".msg.bot").count()
    box = page.get_by_label("Type your message")
    if pasted:
        await box.focus()
        await page.keyboard.insert_text(text)
    else:
        await box.fill(text)
    await page.keyboard.press("Enter")
    await page.wait_for_function(
        "n => document.querySelectorAll('.msg.bot').length > n", arg=before
    )


async def bubbles(page: Any, who: str = "bot") -> list[str]:
    texts: list[str] = await page.locator(f".msg.{who} .text").all_inner_texts()
    return texts


def advocate_replies(runtime: Any, session_id: str, text: str) -> None:
    """An advocate's reply put straight into storage, as the referral API would."""
    key = runtime.keys.pseudonym("web", session_id)
    with Session(runtime.database) as session:
        chat = session.exec(select(Chat).where(Chat.key == key)).one()
        referral = Referral(session_id=chat.id, summary="(test)")
        session.add(referral)
        session.flush()
        assert referral.id is not None
        session.add(
            RelayMessage(referral_id=referral.id, session_id=chat.id, sender="advocate", text=text)
        )
        session.commit()
