"""What a failure says, and to whom: the child's fallback, or a plain error for advocates."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from service import safety
from service.edge import ADVOCATE_ERROR, EdgeMiddleware

CHILDLINE = "0800 1111"


@pytest.mark.parametrize("text", ["i want to kill myself", "staff hit me", "I SELF HARM"])
def test_risk_words_get_childline_now(text: str) -> None:
    reply = safety.fallback_for(text)
    assert reply == safety.FALLBACK_RISK_REPLY
    assert reply.startswith(f"Please talk to Childline now on {CHILDLINE}")


@pytest.mark.parametrize("text", [None, "", "can my nan visit on sunday"])
def test_anything_else_gets_sorry_and_childline(text: str | None) -> None:
    reply = safety.fallback_for(text)
    assert reply == safety.FALLBACK_REPLY
    assert reply.startswith("Sorry") and CHILDLINE in reply


async def broken(scope: Any, receive: Any, send: Any) -> None:
    raise RuntimeError("a fault inside a route")


@pytest.mark.parametrize(
    ("path", "advocate"),
    [
        ("/api/referrals", True),
        ("/api/referrals/7/replies", True),
        ("/api/auth/token", True),
        ("/dashboard", True),
        ("/dashboard/referrals/7", True),
        ("/api/chat/sessions", False),
        ("/", False),
        ("/family", False),
        ("/telegram/webhook", False),
        ("/dashboards-for-children", False),  # a prefix only counts up to a slash
    ],
)
async def test_an_unexpected_error_speaks_to_whoever_is_there(path: str, advocate: bool) -> None:
    edge = EdgeMiddleware(broken, advocate_paths=("/api/referrals", "/api/auth", "/dashboard/"))
    transport = httpx.ASGITransport(app=edge)
    async with httpx.AsyncClient(transport=transport, base_url="http://rightsline.test") as http:
        response = await http.get(path)
    assert response.status_code == 500
    detail = response.json()["detail"]
    if advocate:
        assert detail == ADVOCATE_ERROR and CHILDLINE not in detail
    else:
        assert detail == safety.FALLBACK_REPLY


async def test_an_advocate_signing_in_is_not_given_the_childrens_text(
    app: Any, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fails(*_args: Any, **_kwargs: Any) -> bool:
        raise RuntimeError("the sign-in limiter is away")

    monkeypatch.setattr(app.state.login_limiter, "blocked", fails)
    form = {"username": "advocate@example.org", "password": "a-long-invented-passphrase"}
    response = await client.post("/api/auth/token", data=form)
    assert response.status_code == 500
    assert response.json() == {"detail": ADVOCATE_ERROR}


async def test_a_child_whose_chat_fails_is_still_given_childline(
    runtime: Any, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = await client.post("/api/chat/sessions", json={})
    session_id = started.json()["session_id"]

    async def fails(_key: str) -> None:
        raise RuntimeError("the database is away")

    monkeypatch.setattr(runtime.conversation, "pending", fails)
    response = await client.get(f"/api/chat/sessions/{session_id}/messages")
    assert response.status_code == 500
    assert response.json() == {"detail": safety.FALLBACK_REPLY}
