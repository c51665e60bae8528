"""Helpers for the advocate tests: accounts, sign-in and a child who asks for an advocate."""

from __future__ import annotations

from typing import Any

import httpx
from sqlmodel import Session

from service import accounts

PASSWORD = "a long test passphrase 1"


def add_advocate(runtime: Any, email: str, *, admin: bool = False, name: str = "") -> int:
    with Session(runtime.database) as session:
        advocate = accounts.add_advocate(
            session=session, email=email, password=PASSWORD, name=name, is_admin=admin
        )
        session.commit()
        assert advocate.id is not None
        return advocate.id


async def bearer(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = await client.post("/api/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def child_asks_for_advocate(client: httpx.AsyncClient, *said: str) -> str:
    """A child starts a chat, says some things, asks to talk and says yes; the session id."""
    started = await client.post("/api/chat/sessions", json={"role": "child"})
    session_id = started.json()["session_id"]
    url = f"/api/chat/sessions/{session_id}/messages"
    for text in said:
        await client.post(url, json={"text": text})
    await client.post(url, json={"payload": "talk"})
    answer = await client.post(url, json={"payload": "advocate:yes"})
    assert answer.status_code == 200
    return session_id


async def child_says(client: httpx.AsyncClient, session_id: str, text: str) -> Any:
    response = await client.post(f"/api/chat/sessions/{session_id}/messages", json={"text": text})
    assert response.status_code == 200
    return response.json()


async def only_referral(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    listed = (await client.get("/api/referrals", headers=headers)).json()
    assert len(listed) == 1
    return listed[0]


async def advocate_talking_with(
    client: httpx.AsyncClient, email: str, first_words: str, reply: str
) -> tuple[str, str, dict[str, str]]:
    """A child asks for an advocate, who claims it and replies: (session id, referral url, auth)."""
    session_id = await child_asks_for_advocate(client, first_words)
    headers = await bearer(client, email)
    url = f"/api/referrals/{(await only_referral(client, headers))['id']}"
    await client.post(f"{url}/claim", headers=headers)
    await client.post(f"{url}/replies", headers=headers, json={"text": reply})
    return session_id, url, headers
