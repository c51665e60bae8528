"""What the web chat tells a child who asks for an advocate is what happens: the reply comes to
this page while it is kept open (the page keeps the chat in its tab only), and it waits for as
long as the service keeps the chat; on a kiosk, until the screen clears itself."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlmodel import Session

from service import storage
from service.models import RelayMessage, utcnow


async def ask_for_an_advocate(client: httpx.AsyncClient) -> tuple[str, str]:
    """A child starts a web chat and asks for an advocate: the session id, and what they read."""
    started = await client.post("/api/chat/sessions", json={"role": "child"})
    session_id = started.json()["session_id"]
    url = f"/api/chat/sessions/{session_id}/messages"
    await client.post(url, json={"payload": "talk"})
    answer = await client.post(url, json={"payload": "advocate:yes"})
    assert answer.status_code == 200
    return session_id, " ".join(reply["text"] for reply in answer.json()["replies"])


def advocate_replies(runtime: Any, session_id: str, text: str) -> None:
    with Session(runtime.database) as session:
        chat = storage.find_chat(session=session, key=runtime.keys.pseudonym("web", session_id))
        assert chat is not None
        referral = storage.open_referral(session=session, chat=chat)
        assert referral is not None and referral.id is not None
        session.add(
            RelayMessage(referral_id=referral.id, session_id=chat.id, sender="advocate", text=text)
        )
        session.commit()


def purge_as_if(runtime: Any, later: timedelta) -> None:
    """Retention as it would run `later` from now."""
    with Session(runtime.database) as session:
        days = runtime.settings.retention_days
        storage.purge(session=session, retention_days=days, now=utcnow() + later)
        session.commit()


async def test_the_child_is_told_to_keep_this_page_and_how_long_a_reply_waits(
    client: httpx.AsyncClient, runtime: Any
) -> None:
    _, said = await ask_for_an_advocate(client)
    assert "An advocate will reply in this chat. Keep this page open to read it." in said
    assert "If you close this page, their reply cannot reach you." in said
    days = runtime.settings.retention_days
    assert f"the reply waits here for up to {days} days after your last message." in said
    assert "Come back" not in said


async def test_the_days_said_are_the_days_the_service_keeps_a_chat(
    client: httpx.AsyncClient, runtime: Any
) -> None:
    runtime.settings.retention_days = 30
    _, said = await ask_for_an_advocate(client)
    assert "up to 30 days after your last message" in said


async def test_a_reply_waits_that_long_and_no_longer(
    client: httpx.AsyncClient, runtime: Any
) -> None:
    days = timedelta(days=runtime.settings.retention_days)
    kept, _ = await ask_for_an_advocate(client)
    dropped, _ = await ask_for_an_advocate(client)
    advocate_replies(runtime, kept, "Hello, I can help.")
    advocate_replies(runtime, dropped, "Hello, I can help.")

    purge_as_if(runtime, days - timedelta(hours=1))
    read = await client.get(f"/api/chat/sessions/{kept}/messages")
    assert [reply["text"] for reply in read.json()["replies"]] == [
        "Your advocate says: Hello, I can help."
    ]

    purge_as_if(runtime, days + timedelta(hours=1))
    gone = await client.get(f"/api/chat/sessions/{dropped}/messages")
    assert gone.status_code == 404


async def test_a_kiosk_says_its_screen_clears_and_the_reply_then_cannot_reach_them(
    client: httpx.AsyncClient, runtime: Any
) -> None:
    runtime.settings.kiosk_mode = True
    runtime.settings.kiosk_idle_minutes = 3
    session_id, said = await ask_for_an_advocate(client)
    assert "An advocate will reply on this screen." in said
    assert "This screen clears itself after 3 minutes with nothing pressed." in said
    assert "their reply cannot reach you" in said
    assert "days" not in said
    # Which is what the page does when it clears: the chat is deleted, and nothing reaches it.
    assert (await client.delete(f"/api/chat/sessions/{session_id}")).status_code == 204
    assert (await client.get(f"/api/chat/sessions/{session_id}/messages")).status_code == 404
