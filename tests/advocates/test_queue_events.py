"""The queue's event stream over real HTTP: only for a signed-in advocate, and an event soon
after a referral is made; the polling fallback answers the same."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from tests.advocates.conftest import ADVOCATE
from tests.advocates.helpers import child_asks_for_advocate, child_says
from tests.advocates.test_dashboard import csrf_of, sign_in


async def next_event(lines: AsyncIterator[str]) -> dict[str, Any]:
    """The data of the next `queue` event on the stream, skipping comments and `retry`."""
    event = ""
    async for line in lines:
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event == "queue":
            found: dict[str, Any] = json.loads(line.split(":", 1)[1])
            return found
    raise AssertionError("the stream ended")


async def test_only_a_signed_in_advocate_may_listen(
    live_server: str, advocates: dict[str, int]
) -> None:
    async with httpx.AsyncClient(base_url=live_server) as http:
        for path in (
            "/dashboard/queue/events",
            "/dashboard/queue/version",
            "/dashboard/queue/rows",
        ):
            refused = await http.get(path)
            assert refused.status_code == 401, path
        http.cookies.set("rightsline_dashboard", "forged", domain="127.0.0.1")
        assert (await http.get("/dashboard/queue/events")).status_code == 401


async def test_the_stream_sends_an_event_when_a_referral_is_made(
    live_server: str, runtime: Any, advocates: dict[str, int]
) -> None:
    runtime.settings = runtime.settings.model_copy(update={"queue_check_seconds": 0.2})
    async with httpx.AsyncClient(base_url=live_server) as http:
        await sign_in(http, ADVOCATE)
        async with http.stream("GET", "/dashboard/queue/events") as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.aiter_lines()
            first = await asyncio.wait_for(next_event(lines), 10)
            assert first["urgent"] == 0

            async with httpx.AsyncClient(base_url=live_server) as child:
                session_id = await child_asks_for_advocate(child, "they locked me in my room")
                made = await asyncio.wait_for(next_event(lines), 10)
                assert made["version"] != first["version"] and made["urgent"] == 0
                await child_says(child, session_id, "i want to kill myself")
                urgent = await asyncio.wait_for(next_event(lines), 10)
            assert urgent["urgent"] == 1 and urgent["newest_urgent"] > 0

            # The polling fallback says the same.
            polled = (await http.get("/dashboard/queue/version")).json()
            assert polled == urgent

            # Signing out ends the stream, as it ends every other use of the cookie.
            page = await http.get("/dashboard")
            await http.post("/dashboard/logout", data={"csrf_token": csrf_of(page.text)})

            async def drained() -> None:
                async for _ in lines:
                    pass

            await asyncio.wait_for(drained(), 10)


async def test_the_rows_fragment_is_the_changing_part_of_the_page(
    live_server: str, runtime: Any, advocates: dict[str, int]
) -> None:
    async with httpx.AsyncClient(base_url=live_server) as http:
        await child_asks_for_advocate(http, "they locked me in my room")
        await sign_in(http, ADVOCATE)
        rows = await http.get("/dashboard/queue/rows?status=open")
        assert rows.status_code == 200
        assert '<tr class="referral' in rows.text and "<html" not in rows.text
        assert "rightsline_dashboard" not in rows.headers.get("set-cookie", "")


async def test_the_version_changes_when_a_referral_goes_overdue(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    from datetime import timedelta

    from sqlmodel import Session

    from service.models import Referral, utcnow
    from tests.advocates.test_queue_glance import add_referral

    referral_id = add_referral(runtime, "waiting", urgency="urgent", minutes_ago=14)
    await sign_in(client, ADVOCATE)
    before = (await client.get("/dashboard/queue/version")).json()
    with Session(runtime.database) as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None
        referral.created_at = utcnow() - timedelta(minutes=16)  # as if two minutes went by
        session.commit()
    after = (await client.get("/dashboard/queue/version")).json()
    assert after["version"] != before["version"]
    assert after["urgent"] == before["urgent"] == 1
