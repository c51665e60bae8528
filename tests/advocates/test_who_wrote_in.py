"""The queue and a referral say who wrote in: the child, their family, or a professional."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.advocates.conftest import ADVOCATE
from tests.advocates.helpers import bearer, child_asks_for_advocate
from tests.advocates.test_dashboard import add_referrals, sign_in

ROLE_CELL = re.compile(r'<td data-label="Who wrote in" class="role">([^<]*)</td>')


async def test_the_queue_and_the_referral_say_a_parent_wrote_in(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    # A parent on the /family page; then a child who asks for an advocate; then an old
    # referral from before roles were kept.
    started = await client.post("/api/chat/sessions", json={"role": "family"})
    session_id = started.json()["session_id"]
    said = await client.post(
        f"/api/chat/sessions/{session_id}/messages", json={"text": "my son said staff hurt him"}
    )
    assert "duty governor" in " ".join(reply["text"] for reply in said.json()["replies"])
    await child_asks_for_advocate(client, "they locked me in my room all day")
    add_referrals(runtime, 1, "older")

    await sign_in(client, ADVOCATE)
    queue = (await client.get("/dashboard")).text
    assert "<th>Who wrote in</th>" in queue
    # The urgent one first, then the oldest: the older referral, then the child's.
    assert ROLE_CELL.findall(queue) == ["family or carer", "not known", "young person"]

    headers = await bearer(client, ADVOCATE)
    listed = (await client.get("/api/referrals", headers=headers)).json()
    urgent = next(r for r in listed if r["urgency"] == "urgent")
    assert urgent["role"] == "family"
    page = (await client.get(f"/dashboard/referrals/{urgent['id']}")).text
    assert '<dt>Who wrote in</dt><dd id="role">family or carer</dd>' in page
    assert "The family member's last messages when this was raised" in page
