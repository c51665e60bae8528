"""When an advocate closes a referral, the child is told in their own chat that the advocate has
finished, and how to ask again: the web chat reads it by polling, Telegram has it pushed."""

from __future__ import annotations

from typing import Any

import httpx
from sqlmodel import Session, col, select

from service import referrals, storage
from service.models import Advocate, RelayMessage
from service.replies import Inbound, Reply
from tests.advocates.conftest import ADMIN, ADVOCATE
from tests.advocates.helpers import (
    advocate_talking_with,
    bearer,
    child_asks_for_advocate,
    child_says,
    only_referral,
)
from tests.advocates.test_dashboard import csrf_of, sign_in

# An Ofcom drama number: no real person's Telegram chat.
TELEGRAM_CHAT = "7700900123"


def finished(runtime: Any, *, answered: bool = True) -> str:
    words: str = runtime.conversation.advocate_finished(answered=answered)
    return words


def talk_button(runtime: Any) -> dict[str, str]:
    return {"label": runtime.library.messages["button_talk"], "payload": "talk"}


async def test_closing_tells_the_web_chat_the_advocate_has_finished_and_how_to_ask_again(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    session_id, url, headers = await advocate_talking_with(
        client, ADVOCATE, "they kept me in my room", "Hi, I am here."
    )
    messages = f"/api/chat/sessions/{session_id}/messages"
    assert (await client.get(messages)).json()["replies"][0]["text"].endswith("Hi, I am here.")

    closed = await client.post(f"{url}/close", headers=headers, json={"outcome": "advice_given"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"

    [told] = (await client.get(messages)).json()["replies"]
    # Rightsline's own words, not the advocate's: no "Your advocate says:" before them.
    assert told["text"] == finished(runtime)
    assert not told["text"].startswith(runtime.library.messages["advocate_said"])
    assert "finished" in told["text"]
    # The button the words name is there to tap.
    assert runtime.library.messages["button_talk"] in told["text"]
    assert talk_button(runtime) in told["buttons"]
    assert (await client.get(messages)).json()["replies"] == []  # told once

    # Tapping it asks again, and a new referral opens.
    await client.post(messages, json={"payload": "talk"})
    again = await client.post(messages, json={"payload": "advocate:yes"})
    assert again.status_code == 200
    fresh = await only_referral(client, headers)  # the open ones: the closed one is not
    assert fresh["status"] == "new" and fresh["id"] != int(url.rsplit("/", 1)[1])


async def test_closed_before_anyone_wrote_back_the_child_is_not_told_their_advocate_finished(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    """An admin closing a referral nobody claimed: "your advocate has finished" would be
    untrue. The child is told it was read and closed without a reply, and given Childline."""
    session_id = await child_asks_for_advocate(client, "can someone help me complain")
    headers = await bearer(client, ADMIN)
    url = f"/api/referrals/{(await only_referral(client, headers))['id']}"
    closed = await client.post(f"{url}/close", headers=headers, json={"outcome": "other"})
    assert closed.status_code == 200
    [told] = (await client.get(f"/api/chat/sessions/{session_id}/messages")).json()["replies"]
    assert "finished" not in told["text"]
    assert told["text"].startswith("An advocate has read your message and closed it")
    assert "0800 1111" in told["text"] and talk_button(runtime) in told["buttons"]


async def test_the_child_can_type_to_ask_again_as_the_words_say(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    session_id, url, headers = await advocate_talking_with(client, ADVOCATE, "hello", "Hi.")
    await client.post(f"{url}/close", headers=headers, json={"outcome": "advice_given"})
    assert '"advocate"' in finished(runtime)
    answer = await child_says(client, session_id, "advocate")
    # Typed, the word asks straight away whether they want an advocate to reply again.
    assert "advocate:yes" in [button["payload"] for button in answer["replies"][-1]["buttons"]]


async def test_closing_from_the_dashboard_tells_the_child_too(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    session_id, url, _ = await advocate_talking_with(client, ADVOCATE, "hello", "Hi.")
    await client.get(f"/api/chat/sessions/{session_id}/messages")  # the reply, read
    await sign_in(client, ADVOCATE)
    page_url = url.replace("/api/referrals/", "/dashboard/referrals/")
    token = csrf_of((await client.get(page_url)).text)
    form = {"csrf_token": token, "outcome": "advice_given"}
    assert (await client.post(f"{page_url}/close", data=form)).status_code == 303

    replies = (await client.get(f"/api/chat/sessions/{session_id}/messages")).json()["replies"]
    assert [reply["text"] for reply in replies] == [finished(runtime)]
    # The advocate sees what the child was told, marked as Rightsline's.
    page = (await client.get(page_url)).text
    assert "Rightsline, to the child" in page


async def test_closing_pushes_the_words_to_telegram_at_once(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    key = runtime.keys.pseudonym("telegram", TELEGRAM_CHAT)
    conversation = runtime.conversation
    await conversation.set_route(key, "telegram", runtime.keys.encrypt_route(TELEGRAM_CHAT))
    for payload in ("talk", "advocate:yes"):
        await conversation.handle(key, "telegram", Inbound(payload=payload))
    sent: list[tuple[str, str]] = []
    buttons: list[str] = []

    async def send(route: str, reply: Reply) -> None:
        sent.append((route, reply.text))
        buttons.extend(button.payload for button in reply.buttons)

    runtime.relay.register("telegram", send)
    headers = await bearer(client, ADVOCATE)
    url = f"/api/referrals/{(await only_referral(client, headers))['id']}"
    await client.post(f"{url}/claim", headers=headers)
    closed = await client.post(f"{url}/close", headers=headers, json={"outcome": "other"})
    assert closed.status_code == 200

    # Claimed, but closed before anyone wrote back: the words say so.
    assert sent == [(TELEGRAM_CHAT, finished(runtime, answered=False))]
    # The words name a button to ask again; on Telegram it is there under them, as on the web.
    assert "talk" in buttons
    assert await runtime.relay.undelivered("telegram") == []


async def test_a_forgotten_chat_is_told_nothing_and_the_close_still_works(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    session_id, url, headers = await advocate_talking_with(client, ADVOCATE, "hello", "Hi.")
    assert (await client.delete(f"/api/chat/sessions/{session_id}")).status_code == 204
    closed = await client.post(f"{url}/close", headers=headers, json={"outcome": "other"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    with Session(runtime.database) as session:
        assert session.exec(select(RelayMessage)).all() == []


async def test_the_service_queues_the_words_where_advocate_replies_wait(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    session_id, url, headers = await advocate_talking_with(client, ADVOCATE, "hello", "Hi.")
    number = int(url.rsplit("/", 1)[1])
    with Session(runtime.database) as session:
        admin = session.get(Advocate, advocates[ADMIN])
        assert admin is not None
        referrals.close(
            session=session, referral_id=number, by=admin, outcome="other", via="api", told="Bye."
        )
    with Session(runtime.database) as session:
        rows = session.exec(
            select(RelayMessage)
            .where(RelayMessage.referral_id == number)
            .order_by(col(RelayMessage.id))
        ).all()
        assert [(row.sender, row.text) for row in rows][-1] == ("rightsline", "Bye.")
        chat = storage.find_chat(session=session, key=runtime.keys.pseudonym("web", session_id))
        assert chat is not None
    shown = await runtime.conversation.pending(runtime.keys.pseudonym("web", session_id))
    assert [reply.text for reply in shown or []] == ["Your advocate says: Hi.", "Bye."]


async def test_what_the_child_writes_after_the_close_is_not_shown_to_advocates(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    """The privacy answer says an advocate sees the chat until the referral is closed: what the
    child writes after that belongs to no referral, and no advocate reads it."""
    session_id, url, headers = await advocate_talking_with(
        client, ADVOCATE, "they kept me in my room", "Hi, I am here."
    )
    await child_says(client, session_id, "thanks that helped")
    await client.post(f"{url}/close", headers=headers, json={"outcome": "advice_given"})
    await child_says(client, session_id, "how do i complain about the canteen")

    seen = (await client.get(url, headers=headers)).json()
    words = " ".join(line["text"] for line in seen["conversation"])
    assert "thanks that helped" in words
    assert "canteen" not in words
    await sign_in(client, ADVOCATE)
    page = (await client.get(url.replace("/api/referrals/", "/dashboard/referrals/"))).text
    assert "thanks that helped" in page and "canteen" not in page


async def test_the_advocate_sees_whether_their_reply_reached_the_childs_chat(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    """A reply waits until the child's page asks for it: until then the advocate is told it
    has not reached the chat, so they know to wait rather than think they were ignored."""
    session_id, url, headers = await advocate_talking_with(
        client, ADVOCATE, "they kept me in my room", "Hi, I am here."
    )
    page_url = url.replace("/api/referrals/", "/dashboard/referrals/")

    def reply_line(seen: dict[str, Any]) -> dict[str, Any]:
        [line] = [line for line in seen["conversation"] if line["sender"] == "advocate"]
        return line

    assert reply_line((await client.get(url, headers=headers)).json())["reached"] is False
    await sign_in(client, ADVOCATE)
    assert "not reached their chat yet" in (await client.get(page_url)).text

    await client.get(f"/api/chat/sessions/{session_id}/messages")  # the child's page asks
    assert reply_line((await client.get(url, headers=headers)).json())["reached"] is True
    page = (await client.get(page_url)).text
    assert "reached their chat" in page and "not reached their chat yet" not in page
    child_lines = (await client.get(url, headers=headers)).json()["conversation"]
    assert all(line["reached"] is None for line in child_lines if line["sender"] == "child")


async def test_the_close_form_warns_when_the_childs_last_message_has_no_reply(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    session_id, url, _ = await advocate_talking_with(
        client, ADVOCATE, "they kept me in my room", "Hi, I am here."
    )
    await sign_in(client, ADVOCATE)
    page = f"/dashboard/referrals/{url.rsplit('/', 1)[1]}"
    assert 'id="unanswered"' not in (await client.get(page)).text  # the advocate spoke last
    await child_says(client, session_id, "are you still there")
    warned = (await client.get(page)).text
    assert "last message has no reply yet" in warned
    assert warned.index('id="unanswered"') < warned.index("Close the referral")
