"""A flood from one chat or one address is slowed down, and is still told about Childline."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from service.limits import RateLimit
from service.models import Referral
from tests.conftest import REDIS_URL, redis_available

CHILDLINE = "0800 1111"


CRISIS = "Please talk to Childline now on 0800 1111"


async def send(client: httpx.AsyncClient, session_id: str, text: str) -> str:
    reply = await client.post(f"/api/chat/sessions/{session_id}/messages", json={"text": text})
    assert reply.status_code == 200
    return str(reply.json()["replies"][0]["text"])


def referral_count(runtime: Any) -> int:
    with Session(runtime.database) as session:
        return len(session.exec(select(Referral)).all())


async def test_a_flood_from_one_chat_is_slowed_and_still_gets_childline(
    runtime: Any, client: httpx.AsyncClient
) -> None:
    session_id = (await client.post("/api/chat/sessions")).json()["session_id"]
    answers = [await send(client, session_id, "when can my mum visit") for _ in range(30)]
    assert all(CHILDLINE in text for text in answers[20:])
    assert sum("very fast" in text for text in answers) == 10
    assert referral_count(runtime) == 0


async def test_risk_after_a_flood_is_answered_and_referred_at_once(
    runtime: Any, client: httpx.AsyncClient
) -> None:
    # A child who typed fast, then says they were hurt: not told to wait.
    session_id = (await client.post("/api/chat/sessions")).json()["session_id"]
    for _ in range(25):
        await send(client, session_id, "hello??")
    told = await send(client, session_id, "staff punched me")
    assert CRISIS in told and "very fast" not in told
    await runtime.conversation.settle()
    assert referral_count(runtime) == 1
    # Nor does saying they are not safe, with no risk named.
    told = await send(client, session_id, "im not safe here")
    assert CRISIS in told and "very fast" not in told
    # Asking to forget the chat does not wait either.
    asked = await send(client, session_id, "forget me")
    assert "very fast" not in asked


async def test_repeated_risk_from_one_chat_adds_to_its_one_referral(
    runtime: Any, client: httpx.AsyncClient
) -> None:
    session_id = (await client.post("/api/chat/sessions")).json()["session_id"]
    answers = [await send(client, session_id, "staff punched me") for _ in range(30)]
    assert all(CRISIS in text for text in answers)
    await runtime.conversation.settle()
    # Repeated risk from one chat adds to its open referral; it never opens thirty.
    assert referral_count(runtime) == 1


async def test_an_address_over_its_limit_still_puts_childline_first_for_risk(
    runtime: Any, client: httpx.AsyncClient
) -> None:
    runtime.limits["address"] = RateLimit(name="address", limit=2, window=60, redis_url=None)
    session_id = (await client.post("/api/chat/sessions")).json()["session_id"]
    for _ in range(2):
        await send(client, session_id, "when can my mum visit")
    calm = await send(client, session_id, "when can my mum visit")
    assert "very fast" in calm and CHILDLINE in calm and CRISIS not in calm
    told = await send(client, session_id, "staff punched me")
    assert told.startswith(CRISIS) and "very fast" in told


async def test_one_address_cannot_open_chats_without_end(client: httpx.AsyncClient) -> None:
    codes = [(await client.post("/api/chat/sessions")).status_code for _ in range(35)]
    assert codes.count(201) == 30 and codes.count(429) == 5
    refused = await client.post("/api/chat/sessions")
    assert CHILDLINE in refused.json()["detail"]
    # Many children may share one address: none of them is told they were too fast.
    assert "very busy" in refused.json()["detail"] and "very fast" not in refused.json()["detail"]
    assert refused.headers["retry-after"] == "60"


@pytest.mark.skipif(not redis_available(), reason="Redis is not reachable on 127.0.0.1:6379")
def test_processes_share_the_count_in_redis() -> None:
    import uuid

    name = f"test-{uuid.uuid4().hex}"
    first = RateLimit(name=name, limit=3, window=60, redis_url=REDIS_URL)
    second = RateLimit(name=name, limit=3, window=60, redis_url=REDIS_URL)
    assert [first.allow("k"), second.allow("k"), first.allow("k")] == [True, True, True]
    assert second.allow("k") is False
