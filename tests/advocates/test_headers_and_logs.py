"""What every answer carries and what the logs keep: safe headers, no tokens, no tracebacks."""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx
import pytest

from service.safety import FALLBACK_REPLY
from tests.advocates.conftest import ADVOCATE
from tests.advocates.helpers import bearer
from tests.advocates.test_dashboard import sign_in


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """Everything the service's records would print, tracebacks included (the test's own
    httpx client logs the addresses it asks for, as a browser's history would)."""
    handler = logging.Handler()
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    return "\n".join(handler.format(record) for record in caplog.records if record.name != "httpx")


async def test_the_logs_never_hold_a_chats_session_token(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    started = await client.post("/api/chat/sessions", json={"role": "child"})
    session_id = started.json()["session_id"]
    url = f"/api/chat/sessions/{session_id}"
    assert (await client.post(f"{url}/messages", json={"text": "hello"})).status_code == 200
    assert (await client.get(f"{url}/messages")).status_code == 200
    assert (await client.delete(url)).status_code == 204
    assert (await client.get(f"/api/chat/session/{session_id}")).status_code == 404  # a typo
    text = logged(caplog)
    assert session_id not in text
    # Each request still has its line, so the operator can see what happened.
    assert "POST /api/chat/sessions/…/messages 200" in text
    assert "DELETE /api/chat/sessions/… 204" in text
    assert "GET /api/chat/session/… 404" in text


async def test_an_address_cannot_write_a_line_of_its_own_into_the_log(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    forged = "POST /dashboard/referrals/9/close 303"
    await client.get(f"/dashboard/referrals/1%0d%0a{forged.replace(' ', '%20')}%00")
    lines = [line for line in logged(caplog).splitlines() if line.startswith("service.access")]
    assert len(lines) == 1
    assert "\\x0d\\x0a" in lines[0] and "\\x00" in lines[0]
    assert "\x00" not in logged(caplog)


async def test_an_unexpected_error_is_a_kind_500_with_no_token_and_no_traceback(
    client: httpx.AsyncClient,
    runtime: Any,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started = await client.post("/api/chat/sessions", json={"role": "child"})
    session_id = started.json()["session_id"]

    async def fails(key: str) -> None:
        # Database errors quote what they were given; this one quotes the request.
        raise RuntimeError(f"could not read {key} for /api/chat/sessions/{session_id}")

    monkeypatch.setattr(runtime.conversation, "pending", fails)
    caplog.set_level(logging.INFO)
    response = await client.get(f"/api/chat/sessions/{session_id}/messages")
    assert response.status_code == 500
    assert response.json() == {"detail": FALLBACK_REPLY}
    assert "0800 1111" in FALLBACK_REPLY
    assert response.headers["cache-control"] == "no-store"
    text = logged(caplog)
    assert "unhandled error on GET /api/chat/sessions/…/messages: RuntimeError" in text
    assert session_id not in text and "could not read" not in text
    assert not any(record.exc_info for record in caplog.records)


async def test_every_api_answer_is_kept_out_of_caches(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    headers = await bearer(client, ADVOCATE)
    answers = [
        await client.post("/api/chat/sessions", json={}),
        await client.get("/api/referrals", headers=headers),
        await client.get("/api/referrals"),  # 401
        await client.get("/api/referrals/999999", headers=headers),  # 404
        await client.get("/api/referrals/not-a-number", headers=headers),  # 422
        await client.get("/api/stats", headers=headers),
        await client.get("/api/auth/me", headers=headers),
        await client.get("/api/nothing-here"),
    ]
    assert [answer.headers.get("cache-control") for answer in answers] == ["no-store"] * 8
    assert all(answer.headers["x-content-type-options"] == "nosniff" for answer in answers)


async def test_dashboard_answers_say_nosniff(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    answers = [
        await client.get("/dashboard/login"),
        await client.get("/dashboard"),  # the redirect to sign in
        await sign_in(client, ADVOCATE),
        await client.get("/dashboard"),
        await client.get("/dashboard/referrals/999999"),
    ]
    assert [answer.status_code for answer in answers] == [200, 303, 303, 200, 404]
    assert all(answer.headers["x-content-type-options"] == "nosniff" for answer in answers)


async def test_the_api_docs_load_nothing_from_anywhere_else(client: httpx.AsyncClient) -> None:
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert "POST" in docs.text and "/api/referrals/{referral_id}/claim" in docs.text
    assert "ReferralPublic" in docs.text
    # No scripts, styles or images from another site, and no script at all.
    assert "<script" not in docs.text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", docs.text)
    policy = docs.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert (await client.get("/openapi.json")).status_code == 200
    assert (await client.get("/redoc")).status_code == 404


@pytest.mark.parametrize("asked", [False, True])
async def test_production_serves_no_api_docs_unless_asked(runtime: Any, asked: bool) -> None:
    from service.app import create_app

    runtime.settings = runtime.settings.model_copy(update={"env": "production", "api_docs": asked})
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://rightsline.test") as http:
        codes = [(await http.get(path)).status_code for path in ("/docs", "/openapi.json")]
        assert codes == ([200, 200] if asked else [404, 404])
        assert (await http.get("/redoc")).status_code == 404
        assert (await http.get("/healthz")).status_code == 200
