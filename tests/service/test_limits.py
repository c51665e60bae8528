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


async def test_a_flood_from_one_chat_is_slowed_and_still_gets_childline(
    runtime: Any, client: httpx.AsyncClient
) -> None:
    session_id = (await client.post("/api/chat/sessions")).json()["session_id"]
    answers = []
    for _ in range(30):
        reply = await client.post(
            f"/api/chat/sessions/{session_id}/messages", json={"text": "staff punched me"}
        )
        assert reply.status_code == 200
        answers.append(reply.json()["replies"][0]["text"])
    assert all(CHILDLINE in text for text in answers)
    assert sum("very fast" in text for text in answers) == 10
    with Session(runtime.database) as session:
        # Repeated risk from one chat adds to its open referral; it never opens thirty.
        assert len(session.exec(select(Referral)).all()) == 1


async def test_one_address_cannot_open_chats_without_end(client: httpx.AsyncClient) -> None:
    codes = [(await client.post("/api/chat/sessions")).status_code for _ in range(35)]
    assert codes.count(201) == 30 and codes.count(429) == 5
    refused = await client.post("/api/chat/sessions")
    assert CHILDLINE in refused.json()["detail"]


@pytest.mark.skipif(not redis_available(), reason="Redis is not reachable on 127.0.0.1:6379")
def test_processes_share_the_count_in_redis() -> None:
    import uuid

    name = f"test-{uuid.uuid4().hex}"
    first = RateLimit(name=name, limit=3, window=60, redis_url=REDIS_URL)
    second = RateLimit(name=name, limit=3, window=60, redis_url=REDIS_URL)
    assert [first.allow("k"), second.allow("k"), first.allow("k")] == [True, True, True]
    assert second.allow("k") is False
