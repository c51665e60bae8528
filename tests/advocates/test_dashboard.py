"""The dashboard pages over HTTP: sign-in with CSRF, the cookie, the queue and every action."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.advocates.conftest import ADMIN, ADVOCATE, OTHER
from tests.advocates.helpers import PASSWORD, child_asks_for_advocate, child_says

MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)> & <b>bold</b>'


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, email: str) -> httpx.Response:
    page = await client.get("/dashboard/login")
    form = {"email": email, "password": PASSWORD, "csrf_token": csrf_of(page.text)}
    return await client.post("/dashboard/login", data=form)


async def test_pages_need_signing_in(client: httpx.AsyncClient) -> None:
    for path in ("/dashboard", "/dashboard/referrals/1", "/dashboard/stats", "/dashboard/audit"):
        response = await client.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == "/dashboard/login"


async def test_sign_in_sets_a_strict_http_only_cookie(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    signed = await sign_in(client, ADVOCATE)
    assert signed.status_code == 303 and signed.headers["location"] == "/dashboard"
    cookie = signed.headers["set-cookie"]
    assert cookie.startswith("rightsline_dashboard=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/dashboard" in cookie
    assert "Secure" not in cookie  # plain http in tests; production always sets it
    queue = await client.get("/dashboard")
    assert queue.status_code == 200 and "Test Advocate One" in queue.text
    assert "script-src" not in queue.headers["content-security-policy"]
    assert queue.headers["x-frame-options"] == "DENY"


async def test_the_cookie_is_secure_in_production(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    runtime.settings = runtime.settings.model_copy(update={"env": "production"})
    page = await client.get("/dashboard/login")
    assert "Secure" in page.headers["set-cookie"]


async def test_forms_without_the_csrf_token_are_refused(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    await client.get("/dashboard/login")
    for token in ("", "forged"):
        form = {"email": ADVOCATE, "password": PASSWORD, "csrf_token": token}
        refused = await client.post("/dashboard/login", data=form)
        assert refused.status_code == 403
    await sign_in(client, ADVOCATE)
    assert (await client.post("/dashboard/logout", data={})).status_code == 403
    assert (await client.post("/dashboard/referrals/1/claim", data={})).status_code == 403


async def test_a_wrong_password_shows_the_form_again(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    page = await client.get("/dashboard/login")
    form = {"email": ADVOCATE, "password": "nope", "csrf_token": csrf_of(page.text)}
    response = await client.post("/dashboard/login", data=form)
    assert response.status_code == 401 and "Wrong email or password." in response.text
    assert "rightsline_dashboard" not in response.headers.get("set-cookie", "")


async def test_claim_reply_and_close_from_the_dashboard_with_markup_escaped(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    session_id = await child_asks_for_advocate(client, MARKUP)
    await child_says(client, session_id, MARKUP)
    await sign_in(client, ADVOCATE)
    queue = await client.get("/dashboard")
    found = re.search(r'href="/dashboard/referrals/(\d+)"', queue.text)
    assert found is not None
    url = f"/dashboard/referrals/{found.group(1)}"

    page = await client.get(url)
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text

    token = csrf_of(page.text)
    assert (await client.post(f"{url}/claim", data={"csrf_token": token})).status_code == 303
    sent = await client.post(f"{url}/reply", data={"csrf_token": token, "text": "Hello <i>you</i>"})
    assert sent.status_code == 303
    page = await client.get(url)
    assert "Hello &lt;i&gt;you&lt;/i&gt;" in page.text and 'id="status">waiting' in page.text
    replies = (await client.get(f"/api/chat/sessions/{session_id}/messages")).json()["replies"]
    assert replies[0]["text"].endswith("Hello <i>you</i>")

    form = {"csrf_token": token, "outcome": "advice_given"}
    assert (await client.post(f"{url}/close", data=form)).status_code == 303
    assert "closed (Advice given)" in (await client.get(url)).text


async def test_another_advocate_cannot_close_it_from_the_dashboard(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    await child_asks_for_advocate(client, "they locked me in my room")
    await sign_in(client, ADVOCATE)
    page = await client.get("/dashboard/referrals/1")
    await client.post("/dashboard/referrals/1/claim", data={"csrf_token": csrf_of(page.text)})
    client.cookies.clear()
    await sign_in(client, OTHER)
    page = await client.get("/dashboard/referrals/1")
    assert "Close the referral" not in page.text and "Claim this referral" not in page.text
    form = {"csrf_token": csrf_of(page.text), "outcome": "advice_given"}
    refused = await client.post("/dashboard/referrals/1/close", data=form)
    assert refused.status_code == 403 and "Only the advocate who claimed" in refused.text
    taken = await client.post("/dashboard/referrals/1/claim", data=form)
    assert taken.status_code == 409 and "Another advocate" in taken.text


async def test_the_audit_page_is_for_admins_and_stats_show_suppression(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    await child_asks_for_advocate(client, "they locked me in my room")
    await sign_in(client, ADVOCATE)
    await client.get("/dashboard")
    assert (await client.get("/dashboard/audit")).status_code == 403
    figures = await client.get("/dashboard/stats")
    assert figures.status_code == 200 and "fewer than 5" in figures.text
    client.cookies.clear()
    await sign_in(client, ADMIN)
    log = await client.get("/dashboard/audit")
    assert log.status_code == 200
    assert "Test Advocate One" in log.text and "view_queue" in log.text
    assert (await client.get("/dashboard/referrals/999")).status_code == 404


async def test_overdue_referrals_are_flagged_on_the_queue(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    from datetime import timedelta

    from sqlmodel import Session, select

    from service.models import Referral, utcnow

    await child_asks_for_advocate(client, "they locked me in my room")
    with Session(runtime.database) as session:
        referral = session.exec(select(Referral)).one()
        referral.created_at = utcnow() - timedelta(hours=30)
        session.commit()
    await sign_in(client, ADVOCATE)
    queue = (await client.get("/dashboard")).text
    assert "1 referral is past the time limit" in queue
    assert 'class="referral overdue"' in queue and "1 day 6 h" in queue


async def test_signing_out_ends_the_session(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    await sign_in(client, ADVOCATE)
    page = await client.get("/dashboard")
    out = await client.post("/dashboard/logout", data={"csrf_token": csrf_of(page.text)})
    assert out.status_code == 303
    assert (await client.get("/dashboard")).status_code == 303
