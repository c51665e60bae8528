"""A flood from one chat or one address is slowed down, and is still told about Childline."""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from service import redis_link
from service.app import create_app
from service.limits import RateLimit
from service.models import Referral
from service.runtime import build_runtime
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


async def test_a_redis_that_stops_answering_holds_up_no_one_else(
    settings: Any, analyse: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The limits ask Redis on a thread: while one chat's answer waits on a Redis that has
    stopped answering (each call gives up after a second), the service goes on answering."""
    silent = socket.create_server(("127.0.0.1", 0))  # takes connections, never answers
    port = silent.getsockname()[1]
    runtime = build_runtime(
        settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{port}/0"}), analyse=analyse
    )
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://rl.test") as http:
            session_id = (await http.post("/api/chat/sessions")).json()["session_id"]
            # That found Redis silent, and left it alone for a while: this chat's next message
            # finds it silent afresh, as when Redis stops answering in the middle of a chat.
            redis_link._away_until.clear()
            caplog.clear()
            with caplog.at_level(logging.ERROR):
                told = asyncio.create_task(
                    http.post(
                        f"/api/chat/sessions/{session_id}/messages",
                        json={"text": "staff punched me"},
                    )
                )
                await asyncio.sleep(0)  # the chat's request starts, and asks Redis
                assert (await http.get("/healthz")).status_code == 200
                # Answered before Redis gave the chat's first question up.
                assert "redis failed" not in caplog.text
                reply = await told
            # The chat still gets its answer, counted in memory once Redis gives up.
            assert reply.status_code == 200
            assert CRISIS in reply.json()["replies"][0]["text"]
            assert "redis failed: TimeoutError" in caplog.text
            await runtime.conversation.settle()
            assert referral_count(runtime) == 1
    finally:
        runtime.close()
        silent.close()


async def test_readyz_says_when_redis_is_away_and_the_service_stays_ready(
    settings: Any, analyse: Any
) -> None:
    refusing = socket.create_server(("127.0.0.1", 0))
    port = refusing.getsockname()[1]
    refusing.close()  # nothing listens there now
    urls = {"not used": None, "away": f"redis://127.0.0.1:{port}/0"}
    if redis_available():
        urls["up"] = REDIS_URL
    for expected, url in urls.items():
        runtime = build_runtime(settings.model_copy(update={"redis_url": url}), analyse=analyse)
        transport = httpx.ASGITransport(app=create_app(runtime=runtime))
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://rl.test") as http:
                ready = await http.get("/readyz")
            # Limits, check-ins and the bot's state carry on in memory while Redis is away.
            assert ready.status_code == 200
            assert ready.json()["redis"] == expected
        finally:
            runtime.close()
