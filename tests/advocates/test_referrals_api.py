"""The referral API over HTTP: the whole lifecycle, the order of the queue and every refusal."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlmodel import Session, select

from service.models import AuditEntry, Referral, utcnow
from service.replies import Reply
from tests.advocates.conftest import ADMIN, ADVOCATE, OTHER
from tests.advocates.helpers import (
    advocate_talking_with,
    bearer,
    child_asks_for_advocate,
    child_says,
    only_referral,
)
from tests.service.helpers import database_dump

FIELDS = {
    "id",
    "status",
    "urgency",
    "topic",
    "setting",
    "role",
    "risks",
    "summary",
    "created_at",
    "claimed_by",
    "claimed_by_name",
    "outcome",
    "waited_minutes",
    "overdue",
    "place",
    "limit_minutes",
    "raised",
}


async def test_the_whole_lifecycle(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    session_id = await child_asks_for_advocate(client, "they locked me in my room all day")
    headers = await bearer(client, ADVOCATE)

    referral = await only_referral(client, headers)
    assert set(referral) == FIELDS
    assert referral["status"] == "new" and referral["urgency"] == "normal"
    assert referral["risks"] == [] and referral["claimed_by"] is None
    assert "locked me in my room" in referral["summary"]
    assert referral["waited_minutes"] == 0 and referral["overdue"] is False
    url = f"/api/referrals/{referral['id']}"

    claimed = await client.post(f"{url}/claim", headers=headers)
    assert claimed.status_code == 200
    assert claimed.json()["status"] == "claimed"
    assert claimed.json()["claimed_by"] == advocates[ADVOCATE]
    assert claimed.json()["claimed_by_name"] == "Test Advocate One"
    # Claiming one's own again changes nothing.
    assert (await client.post(f"{url}/claim", headers=headers)).status_code == 200

    sent = await client.post(f"{url}/replies", headers=headers, json={"text": "Hi, I am here."})
    assert sent.status_code == 201
    assert sent.json()["status"] == "waiting" and sent.json()["pushed"] is False
    assert (await client.get(url, headers=headers)).json()["status"] == "waiting"

    # The web chat reads it once by polling; then it is gone from the queue of unread.
    read = await client.get(f"/api/chat/sessions/{session_id}/messages")
    assert [reply["text"] for reply in read.json()["replies"]] == [
        "Your advocate says: Hi, I am here."
    ]
    assert (await client.get(f"/api/chat/sessions/{session_id}/messages")).json() == {"replies": []}

    # The child's answer comes back into the referral, and it is the advocate's turn again.
    await child_says(client, session_id, "thank you, it was at HMP Feltham")
    detail = (await client.get(url, headers=headers)).json()
    assert detail["status"] == "claimed"
    assert [(line["sender"], line["text"]) for line in detail["conversation"]] == [
        ("advocate", "Hi, I am here."),
        ("child", runtime.conversation.analyse("thank you, it was at HMP Feltham").redacted),
    ]

    closed = await client.post(f"{url}/close", headers=headers, json={"outcome": "advice_given"})
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed" and closed.json()["outcome"] == "advice_given"
    assert await client.get("/api/referrals", headers=headers) is not None
    assert (await client.get("/api/referrals", headers=headers)).json() == []
    listed = (await client.get("/api/referrals?status=closed", headers=headers)).json()
    assert [item["id"] for item in listed] == [referral["id"]]

    # After closing, nothing more can be done to it.
    again = await client.post(f"{url}/replies", headers=headers, json={"text": "one more"})
    assert again.status_code == 409
    assert (await client.post(f"{url}/claim", headers=headers)).status_code == 409


async def test_what_the_child_says_while_waiting_shows_in_the_referral(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    session_id = await child_asks_for_advocate(client, "they locked me in my room")
    await child_says(client, session_id, "it has been two days now")
    headers = await bearer(client, ADVOCATE)
    referral = await only_referral(client, headers)
    detail = (await client.get(f"/api/referrals/{referral['id']}", headers=headers)).json()
    assert ("child", "it has been two days now") in [
        (line["sender"], line["text"]) for line in detail["conversation"]
    ]


async def test_a_child_answering_an_advocate_is_told_it_went_to_them(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    session_id, url, headers = await advocate_talking_with(
        client, ADVOCATE, "i got restrained and my wrist hurts", "Has a nurse seen it?"
    )

    answer = await child_says(client, session_id, "no not yet")
    sent = runtime.library.messages["passed_to_advocate"]
    # Only that it went to the advocate: no rights answer guessed from "no not yet".
    assert [reply["text"] for reply in answer["replies"]] == [sent]
    assert answer["replies"][0]["buttons"], "the menu stays one tap away"

    asked = await child_says(client, session_id, "how do i make a complaint about staff")
    texts = [reply["text"] for reply in asked["replies"]]
    assert texts[0] == sent
    complaint = runtime.library.answer("complaints", "child", None)
    assert " ".join(complaint.first) in texts[1:]
    detail = (await client.get(url, headers=headers)).json()
    said = [line["text"] for line in detail["conversation"] if line["sender"] == "child"]
    assert said[-2:] == ["no not yet", "how do i make a complaint about staff"]


async def test_an_advocate_never_sees_a_session_id_or_key(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    session_id = await child_asks_for_advocate(client, "they locked me in my room")
    headers = await bearer(client, ADVOCATE)
    referral = await only_referral(client, headers)
    await client.post(f"/api/referrals/{referral['id']}/claim", headers=headers)
    detail = await client.get(f"/api/referrals/{referral['id']}", headers=headers)
    listed = await client.get("/api/referrals", headers=headers)
    with Session(runtime.database) as session:
        stored = session.exec(select(Referral)).one()
        from service.models import Chat

        key = session.exec(select(Chat.key)).one()
    for body in (detail.text, listed.text):
        assert session_id not in body and key not in body
        assert "session" not in body and "route" not in body
    assert stored.session_id is not None


async def test_urgent_first_then_oldest_and_overdue_flags(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    await child_asks_for_advocate(client, "they locked me in my room")
    await child_asks_for_advocate(client, "can my mum visit")
    urgent = await client.post("/api/chat/sessions", json={"role": "child"})
    await child_says(client, urgent.json()["session_id"], "i want to kill myself")
    now = utcnow()
    with Session(runtime.database) as session:
        rows = session.exec(select(Referral).order_by(Referral.id)).all()  # type: ignore[arg-type]
        first, second, third = rows
        assert third.urgency == "urgent"
        # The first normal one waited 25 hours; the urgent one 16 minutes.
        first.created_at = now - timedelta(hours=25)
        second.created_at = now - timedelta(hours=2)
        third.created_at = now - timedelta(minutes=16)
        ids = [first.id, second.id, third.id]
        session.commit()
    headers = await bearer(client, ADVOCATE)
    listed = (await client.get("/api/referrals", headers=headers)).json()
    assert [item["id"] for item in listed] == [ids[2], ids[0], ids[1]]
    assert [item["overdue"] for item in listed] == [True, True, False]
    assert listed[0]["risks"] == ["self_harm"] and listed[0]["waited_minutes"] == 16
    assert listed[1]["waited_minutes"] == 25 * 60
    # Claimed in time or not, a claimed referral is no longer overdue.
    await client.post(f"/api/referrals/{ids[2]}/claim", headers=headers)
    claimed = (await client.get(f"/api/referrals/{ids[2]}", headers=headers)).json()
    assert claimed["overdue"] is False and claimed["waited_minutes"] == 16


async def test_the_time_limits_come_from_the_settings(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    await child_asks_for_advocate(client, "they locked me in my room")
    with Session(runtime.database) as session:
        referral = session.exec(select(Referral)).one()
        referral.created_at = utcnow() - timedelta(hours=3)
        session.commit()
    headers = await bearer(client, ADVOCATE)
    assert (await only_referral(client, headers))["overdue"] is False
    runtime.settings = runtime.settings.model_copy(update={"normal_unclaimed_hours": 2})
    assert (await only_referral(client, headers))["overdue"] is True


async def test_refusals_between_advocates(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    await child_asks_for_advocate(client, "they locked me in my room")
    mine = await bearer(client, ADVOCATE)
    other = await bearer(client, OTHER)
    url = f"/api/referrals/{(await only_referral(client, mine))['id']}"

    early = await client.post(f"{url}/replies", headers=mine, json={"text": "hello"})
    assert early.status_code == 409 and "Claim" in early.json()["detail"]
    assert (await client.post(f"{url}/claim", headers=mine)).status_code == 200

    taken = await client.post(f"{url}/claim", headers=other)
    assert taken.status_code == 409 and "Another advocate" in taken.json()["detail"]
    reply = await client.post(f"{url}/replies", headers=other, json={"text": "hello"})
    assert reply.status_code == 403
    close = await client.post(f"{url}/close", headers=other, json={"outcome": "advice_given"})
    assert close.status_code == 403
    assert "Only the advocate who claimed" in close.json()["detail"]

    # Bad input is a 422, not a change.
    for body in ({"outcome": "made up"}, {}):
        assert (await client.post(f"{url}/close", headers=mine, json=body)).status_code == 422
    for body in ({"text": ""}, {"text": "x" * 2001}):
        assert (await client.post(f"{url}/replies", headers=mine, json=body)).status_code == 422
    assert (await client.get("/api/referrals/999", headers=mine)).status_code == 404
    assert (await client.post("/api/referrals/999/claim", headers=mine)).status_code == 404
    assert (await client.get("/api/referrals/99999999999", headers=mine)).status_code == 422

    # An admin may close another advocate's referral.
    admin = await bearer(client, ADMIN)
    closed = await client.post(
        f"{url}/close", headers=admin, json={"outcome": "no_reply_from_child"}
    )
    assert closed.status_code == 200 and closed.json()["claimed_by"] == advocates[ADVOCATE]


async def test_every_view_claim_reply_and_close_is_audited_for_admins_only(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    await child_asks_for_advocate(client, "they locked me in my room")
    headers = await bearer(client, ADVOCATE)
    referral_id = (await only_referral(client, headers))["id"]
    url = f"/api/referrals/{referral_id}"
    await client.get(url, headers=headers)
    await client.post(f"{url}/claim", headers=headers)
    await client.post(f"{url}/replies", headers=headers, json={"text": "a private word"})
    await client.post(f"{url}/close", headers=headers, json={"outcome": "complaint_made"})

    refused = await client.get("/api/audit", headers=headers)
    assert refused.status_code == 403
    assert (await client.get("/api/audit")).status_code == 401

    admin = await bearer(client, ADMIN)
    log = (await client.get("/api/audit", headers=admin)).json()
    mine = [entry for entry in reversed(log) if entry["advocate_id"] == advocates[ADVOCATE]]
    assert [entry["action"] for entry in mine] == [
        "login",
        "view_queue",
        "view",
        "claim",
        "reply",
        "close",
    ]
    assert {entry["referral_id"] for entry in mine[2:]} == {referral_id}
    assert all(entry["advocate"] == "Test Advocate One" and entry["at"] for entry in mine)
    assert mine[-1]["detail"] == "outcome complaint_made"
    # The audit log never holds what was said.
    with Session(runtime.database) as session:
        details = " ".join(session.exec(select(AuditEntry.detail)).all())
    assert "private word" not in details and "locked" not in details
    only = await client.get(f"/api/audit?referral_id={referral_id}&limit=2", headers=admin)
    assert [entry["action"] for entry in only.json()] == ["close", "reply"]


async def test_a_childs_session_cannot_read_another_sessions_messages(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    first = await child_asks_for_advocate(client, "they locked me in my room")
    second = await child_asks_for_advocate(client, "they locked me in my room too")
    headers = await bearer(client, ADVOCATE)
    listed = (await client.get("/api/referrals", headers=headers)).json()
    for item in listed:
        await client.post(f"/api/referrals/{item['id']}/claim", headers=headers)
    target = listed[0]["id"]  # the first child's referral (both normal; oldest first)
    await client.post(
        f"/api/referrals/{target}/replies", headers=headers, json={"text": "For the first child"}
    )

    assert (await client.get(f"/api/chat/sessions/{second}/messages")).json() == {"replies": []}
    # One character off the real id, and never the real id itself.
    near_miss = first[:-1] + ("y" if first.endswith("x") else "x")
    guessed = await client.get(f"/api/chat/sessions/{near_miss}/messages")
    assert guessed.status_code == 404
    got = (await client.get(f"/api/chat/sessions/{first}/messages")).json()["replies"]
    assert [reply["text"] for reply in got] == ["Your advocate says: For the first child"]


async def test_a_pushing_channel_gets_the_reply_through_the_relay(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    """Telegram registers a sender; the advocate's reply is pushed to the decrypted route."""
    pushed: list[tuple[str, str]] = []

    async def send(route: str, reply: Reply) -> None:
        pushed.append((route, reply.text))

    runtime.relay.register("web", send)
    session_id = await child_asks_for_advocate(client, "they locked me in my room")
    await runtime.conversation.set_route(
        runtime.keys.pseudonym("web", session_id), "web", runtime.keys.encrypt_route("route-1")
    )
    headers = await bearer(client, ADVOCATE)
    url = f"/api/referrals/{(await only_referral(client, headers))['id']}"
    await client.post(f"{url}/claim", headers=headers)
    sent = await client.post(f"{url}/replies", headers=headers, json={"text": "Pushed to you"})
    assert sent.json()["pushed"] is True
    assert pushed == [("route-1", "Your advocate says: Pushed to you")]
    # Pushed once is enough: polling does not show it again.
    assert (await client.get(f"/api/chat/sessions/{session_id}/messages")).json() == {"replies": []}
    assert "route-1" not in database_dump(runtime.database)


async def test_words_that_show_risk_reach_the_advocate_already_talking(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    session_id, url, headers = await advocate_talking_with(
        client, ADVOCATE, "they locked me in my room", "How are you today?"
    )
    answer = await child_says(client, session_id, "i want to kill myself")
    assert "0800 1111" in answer["replies"][0]["text"]
    detail = (await client.get(url, headers=headers)).json()
    assert detail["status"] == "claimed" and detail["urgency"] == "urgent"
    assert "self_harm" in detail["risks"]
    assert detail["conversation"][-1]["sender"] == "child"
    assert "kill myself" in detail["conversation"][-1]["text"]


async def test_a_filter_outside_the_vocabulary_is_refused_not_a_server_error(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    # A NUL in a filter once reached PostgreSQL, which refused it with a DataError (a 500).
    headers = await bearer(client, ADVOCATE)
    for query in ("setting=yo%00i", "topic=%00", "setting=prison", "topic=visits%F0%9F%98%80"):
        answer = await client.get(f"/api/referrals?{query}", headers=headers)
        assert answer.status_code == 422, query
    assert (
        await client.get("/api/referrals?setting=yoi&topic=visits", headers=headers)
    ).json() == []
