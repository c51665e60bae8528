"""The whole path once over real HTTP: a child asks for an advocate, who answers and closes it."""

from __future__ import annotations

from typing import Any

import httpx

from tests.advocates.conftest import ADVOCATE
from tests.advocates.helpers import PASSWORD


async def test_a_child_asks_an_advocate_replies_and_closes(
    live_server: str, advocates: dict[str, int]
) -> None:
    async with (
        httpx.AsyncClient(base_url=live_server) as child,
        httpx.AsyncClient(base_url=live_server) as advocate,
    ):
        # The child: starts a chat, says what is wrong, asks to talk to someone and says yes.
        started = await child.post("/api/chat/sessions", json={"role": "child"})
        assert started.status_code == 201
        chat = f"/api/chat/sessions/{started.json()['session_id']}/messages"
        await child.post(chat, json={"text": "they locked me in my room all day"})
        asked = await child.post(chat, json={"payload": "talk"})
        assert "advocate:yes" in [
            b["payload"] for r in asked.json()["replies"] for b in r["buttons"]
        ]
        said_yes = await child.post(chat, json={"payload": "advocate:yes"})
        assert said_yes.status_code == 200

        # The advocate: signs in, finds it first in the queue and claims it.
        signed = await advocate.post(
            "/api/auth/token", data={"username": ADVOCATE, "password": PASSWORD}
        )
        advocate.headers["Authorization"] = f"Bearer {signed.json()['access_token']}"
        queue = (await advocate.get("/api/referrals")).json()
        assert len(queue) == 1 and queue[0]["status"] == "new"
        assert "locked me in my room" in queue[0]["summary"]
        referral = f"/api/referrals/{queue[0]['id']}"
        assert (await advocate.post(f"{referral}/claim")).json()["status"] == "claimed"
        reply = {"text": "Hello, I am an advocate. Being kept in your room all day is not OK."}
        assert (await advocate.post(f"{referral}/replies", json=reply)).status_code == 201

        # The child reads the reply by polling, and answers.
        read = (await child.get(chat)).json()["replies"]
        assert len(read) == 1 and read[0]["text"].endswith(reply["text"])
        await child.post(chat, json={"text": "thank you"})

        # The advocate sees the answer and closes it with an outcome.
        detail: dict[str, Any] = (await advocate.get(referral)).json()
        assert detail["status"] == "claimed"
        assert [line["sender"] for line in detail["conversation"]][-2:] == ["advocate", "child"]
        closed = await advocate.post(f"{referral}/close", json={"outcome": "advice_given"})
        assert closed.json()["status"] == "closed"
        assert (await advocate.get("/api/referrals")).json() == []
