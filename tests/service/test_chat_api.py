"""The chat API over HTTP, on the real FastAPI app."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.service.helpers import count, referrals


async def start(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await client.post("/api/chat/sessions", json=body or None)
    assert response.status_code == 201
    return response.json()


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).status_code == 200


async def test_a_session_starts_with_a_greeting_and_buttons(client: httpx.AsyncClient) -> None:
    started = await start(client)
    assert len(started["session_id"]) >= 24
    assert "Rightsline" in started["replies"][0]["text"]
    assert started["replies"][1]["buttons"][0] == {
        "label": "I am a young person",
        "payload": "role:child",
    }


async def test_the_family_path_starts_with_where_their_child_is(client: httpx.AsyncClient) -> None:
    started = await start(client, role="family")
    assert "your child" in started["replies"][1]["text"]


async def test_text_and_buttons_get_replies(client: httpx.AsyncClient) -> None:
    session_id = (await start(client))["session_id"]
    url = f"/api/chat/sessions/{session_id}/messages"
    pressed = await client.post(url, json={"payload": "topic:visits"})
    assert pressed.status_code == 200 and pressed.json()["replies"][0]["buttons"]
    typed = await client.post(url, json={"text": "i want to kill myself"})
    assert "0800 1111" in typed.json()["replies"][0]["text"]


async def test_an_empty_body_gets_a_kind_reply(client: httpx.AsyncClient) -> None:
    session_id = (await start(client))["session_id"]
    response = await client.post(f"/api/chat/sessions/{session_id}/messages", json={})
    assert response.status_code == 200
    assert "did not get any words" in response.json()["replies"][0]["text"]


async def test_an_unknown_session_is_told_kindly(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/chat/sessions/not-a-session/messages", json={"text": "hi"})
    assert response.status_code == 404
    assert "Start a new chat" in response.json()["detail"]


async def test_delete_erases_the_session(client: httpx.AsyncClient, runtime: Any) -> None:
    session_id = (await start(client))["session_id"]
    await client.post(f"/api/chat/sessions/{session_id}/messages", json={"text": "visits"})
    assert (await client.delete(f"/api/chat/sessions/{session_id}")).status_code == 204
    assert (await client.get(f"/api/chat/sessions/{session_id}/messages")).status_code == 404
    assert count(runtime.database, "chat_session") == 0
    assert count(runtime.database, "event") == 0


async def test_the_session_id_is_not_stored(client: httpx.AsyncClient, runtime: Any) -> None:
    from tests.service.helpers import database_dump

    session_id = (await start(client))["session_id"]
    await client.post(f"/api/chat/sessions/{session_id}/messages", json={"text": "hello"})
    assert session_id not in database_dump(runtime.database)


async def test_a_message_as_long_as_a_request_can_carry_is_read_whole_and_referred(
    client: httpx.AsyncClient, runtime: Any
) -> None:
    # Just under the request size limit, the risk told only at the very end.
    words = "zebedee " * 24_900 + "staff punched me and i want to kill myself"
    assert len(words) > 199_000
    session_id = (await start(client))["session_id"]
    sent = await client.post(f"/api/chat/sessions/{session_id}/messages", json={"text": words})
    assert sent.status_code == 200
    assert "Please talk to Childline now on 0800 1111" in sent.json()["replies"][0]["text"]
    await runtime.conversation.settle()
    [referral] = referrals(runtime.database)
    assert referral.urgency == "urgent" and referral.summary.endswith("kill myself")
    assert "zebedee" not in sent.text  # the words are not sent back


async def test_the_longest_message_the_chat_takes_is_read_whole_even_in_emoji(
    client: httpx.AsyncClient, runtime: Any
) -> None:
    from service.engine import MAX_READ

    # Four bytes a character: about 800 KB, with the risk told only at the very end.
    told = " staff punched me and i want to kill myself"
    words = "\N{CRYING FACE}" * (MAX_READ - len(told)) + told
    assert len(words) == MAX_READ and len(words.encode()) > 790_000
    session_id = (await start(client))["session_id"]
    sent = await client.post(
        f"/api/chat/sessions/{session_id}/messages",
        # As a browser's JSON.stringify sends it: the emoji as UTF-8, not escaped.
        content=json.dumps({"text": words}, ensure_ascii=False).encode(),
        headers={"content-type": "application/json"},
    )
    assert sent.status_code == 200
    assert "Please talk to Childline now on 0800 1111" in sent.json()["replies"][0]["text"]
    await runtime.conversation.settle()
    [referral] = referrals(runtime.database)
    assert referral.urgency == "urgent" and referral.summary.endswith("kill myself")


async def test_a_broken_request_that_shows_risk_puts_childline_first(
    client: httpx.AsyncClient,
) -> None:
    session_id = (await start(client))["session_id"]
    sent = await client.post(
        f"/api/chat/sessions/{session_id}/messages",
        content=b'{"text": "staff punched me and i want to kill myself',  # the JSON never ends
        headers={"content-type": "application/json"},
    )
    assert sent.status_code == 422
    told = sent.json()["detail"]
    assert told.startswith("Please talk to Childline now on 0800 1111")
    assert "call bell" in told and "shorter" in told
    assert "punched" not in sent.text


async def test_a_message_that_is_not_text_is_refused_kindly(client: httpx.AsyncClient) -> None:
    session_id = (await start(client))["session_id"]
    sent = await client.post(
        f"/api/chat/sessions/{session_id}/messages",
        content=b'{"text": "staff hit me \xff\xfe"}',  # not UTF-8
        headers={"content-type": "application/json"},
    )
    assert sent.status_code == 422
    told = sent.json()["detail"]
    assert told.startswith("Please talk to Childline now on 0800 1111") and "shorter" in told
    # Elsewhere a missing session is still a plain 404.
    missing = await client.post("/api/chat/sessions/not-a-session/messages", json={"text": "hi"})
    assert missing.status_code == 404


async def test_a_request_too_large_to_take_is_refused_kindly_before_it_is_all_read(
    client: httpx.AsyncClient, runtime: Any
) -> None:
    session_id = (await start(client))["session_id"]
    events = count(runtime.database, "event")
    pulled = 0

    async def upload() -> Any:
        # About 10 MB of JSON, in 100 KB pieces, with a risk told at its start.
        nonlocal pulled
        yield b'{"text": "staff punched me and i want to kill myself '
        for _ in range(100):
            pulled += 1
            yield b"zebedee " * 12_800
        yield b'"}'

    sent = await client.post(
        f"/api/chat/sessions/{session_id}/messages",
        content=upload(),
        headers={"content-type": "application/json"},
    )
    assert sent.status_code == 413
    told = sent.json()["detail"]
    assert told.startswith("Please talk to Childline now on 0800 1111")
    assert "shorter" in told and "zebedee" not in told and "punched" not in told
    assert pulled < 10  # the server stopped reading at about 800 KB
    assert count(runtime.database, "event") == events


async def test_a_large_request_away_from_the_chat_is_refused_plainly(
    client: httpx.AsyncClient,
) -> None:
    refused = await client.post(
        "/api/auth/token", data={"username": "zebedee@example.org", "password": "x" * 1_200_000}
    )
    assert refused.status_code == 413
    assert refused.json() == {"detail": "That request is too large to take."}


async def test_a_request_that_does_not_fit_names_the_field_not_the_words(
    client: httpx.AsyncClient,
) -> None:
    # Away from the chat, a 422 still says which field was wrong, without echoing what was sent.
    refused = await client.post("/api/auth/token", data={"username": "zebedee@example.org"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "password"]
    assert "zebedee" not in refused.text
