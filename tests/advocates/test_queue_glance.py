"""The queue at a glance and narrowed down: risk in words, who wrote in, the place, the wait
and its time limit; filters by who wrote in, overdue and words in the summary, on the
dashboard and the API alike."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlmodel import Session

from service.models import Chat, Referral, utcnow
from tests.advocates.conftest import ADVOCATE
from tests.advocates.helpers import advocate_talking_with, bearer, child_says, only_referral
from tests.advocates.test_dashboard import shown, sign_in


def add_referral(
    runtime: Any,
    summary: str,
    *,
    urgency: str = "normal",
    minutes_ago: int = 5,
    role: str | None = None,
    risks: str = "",
    setting: str | None = None,
    place: str | None = None,
) -> int:
    """One new referral; with `place`, its chat named that establishment (places.yaml id)."""
    with Session(runtime.database) as session:
        chat_id = None
        if place is not None:
            chat = Chat(key=uuid.uuid4().hex, channel="web", setting=setting, place=place)
            session.add(chat)
            session.flush()
            chat_id = chat.id
        referral = Referral(
            session_id=chat_id,
            urgency=urgency,
            role=role,
            risks=risks,
            setting=setting,
            summary=summary,
            created_at=utcnow() - timedelta(minutes=minutes_ago),
        )
        session.add(referral)
        session.commit()
        assert referral.id is not None
        return referral.id


def row_of(page: str, referral_id: int) -> str:
    found = re.search(rf'<tr class="referral[^"]*" data-id="{referral_id}">(.*?)</tr>', page, re.S)
    assert found is not None, f"no row for #{referral_id}"
    return found.group(1)


async def test_a_row_says_the_risk_in_words_who_wrote_in_the_place_and_the_wait(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    urgent = add_referral(
        runtime,
        "staff hurt me",
        urgency="urgent",
        minutes_ago=20,
        role="family",
        risks="self_harm,abuse",
        setting="yoi",
        place="wetherby",
    )
    normal = add_referral(runtime, "about visits", minutes_ago=125, role="professional")
    await sign_in(client, ADVOCATE)
    page = (await client.get("/dashboard")).text

    first = row_of(page, urgent)
    assert "may hurt themselves" in first and "may be being hurt" in first
    assert "self_harm" not in first and "abuse<" not in first
    assert "family or carer" in first
    assert "Young offender institution: Wetherby" in first
    assert "20 min" in first and "of 15 min" in first and 'class="flag">overdue' in first
    second = row_of(page, normal)
    assert "professional" in second and "none named" in second and "kind not said" in second
    assert "2 h 5 min" in second and "of 24 h" in second and "overdue" not in second
    assert "Time limits to claim: urgent 15 min, others 24 h." in page
    # The tab says how many urgent ones wait, even before any script runs.
    assert "<title>(1) urgent · Rightsline</title>" in page

    # The referral's own page says it in the same words.
    details = (await client.get(f"/dashboard/referrals/{urgent}")).text
    assert '<dd id="place">Young offender institution: Wetherby</dd>' in details
    assert '<dd id="role">family or carer</dd>' in details
    risks = details.split('<dd id="risks">')[1].split("</dd>")[0]
    assert "may hurt themselves" in risks and "may be being hurt" in risks
    assert "self_harm" not in details and ">yoi<" not in details
    other = (await client.get(f"/dashboard/referrals/{normal}")).text
    assert '<dd id="place">not said</dd>' in other and "none named" in other


async def test_a_no_to_are_you_safe_shows_the_danger_it_was_asked_about(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    """A hint of being used ("wants pics back") asks the child; their "no" is in the queue as
    a child who may be being hurt, not as an urgent referral with no risk named."""
    started = await client.post("/api/chat/sessions", json={"role": "child"})
    session_id = started.json()["session_id"]
    asked = await child_says(
        client,
        session_id,
        "the lad who sorts my canteen wants pics back now, how do i change my pin",
    )
    assert asked["replies"][-1]["text"] == "Are you safe right now?"
    await child_says(client, session_id, "no")
    headers = await bearer(client, ADVOCATE)
    listed = await only_referral(client, headers)
    assert listed["urgency"] == "urgent" and "abuse" in listed["risks"]
    await sign_in(client, ADVOCATE)
    row = row_of((await client.get("/dashboard")).text, listed["id"])
    assert "may be being hurt" in row and "none named" not in row


async def test_the_time_limits_come_from_the_settings(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    runtime.settings = runtime.settings.model_copy(
        update={"urgent_unclaimed_minutes": 30, "normal_unclaimed_hours": 48}
    )
    urgent = add_referral(runtime, "urgent one", urgency="urgent", minutes_ago=20)
    normal = add_referral(runtime, "normal one", minutes_ago=30 * 60)
    await sign_in(client, ADVOCATE)
    page = (await client.get("/dashboard")).text
    assert "of 30 min" in row_of(page, urgent) and "overdue" not in row_of(page, urgent)
    assert "of 2 days" in row_of(page, normal) and "overdue" not in row_of(page, normal)


def some_referrals(runtime: Any) -> None:
    add_referral(runtime, "Child asks about VISITS", role="child", minutes_ago=10)
    add_referral(runtime, "mum asks about visits", role="family", minutes_ago=9)
    add_referral(runtime, "late and 100% sure", role="child", minutes_ago=25 * 60)
    add_referral(runtime, "urgent late", urgency="urgent", role="professional", minutes_ago=16)
    add_referral(runtime, "urgent in time", urgency="urgent", role="child", minutes_ago=1)


async def test_the_dashboard_narrows_by_who_wrote_in_overdue_and_words(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    some_referrals(runtime)
    await sign_in(client, ADVOCATE)
    everything = (await client.get("/dashboard")).text
    assert len(shown(everything)) == 5
    assert '<label for="filter-role">Who wrote in</label>' in everything
    assert '<label for="filter-overdue">Past the time limit</label>' in everything
    assert '<label for="filter-words">Words in the summary</label>' in everything

    children = (await client.get("/dashboard?role=child")).text
    assert shown(children) == ["urgent in time", "late and 100% sure", "Child asks about VISITS"]
    assert '<option value="child" selected>young person</option>' in children
    late = (await client.get("/dashboard?overdue=yes")).text
    assert shown(late) == ["urgent late", "late and 100% sure"]
    words = (await client.get("/dashboard?words=+visits+")).text
    assert shown(words) == ["Child asks about VISITS", "mum asks about visits"]
    assert 'name="words" type="search" maxlength="200" value="visits"' in words
    # A % or _ is looked for as itself, not as a wildcard.
    assert shown((await client.get("/dashboard?words=100%25")).text) == ["late and 100% sure"]
    assert shown((await client.get("/dashboard?words=%25")).text) == ["late and 100% sure"]
    assert shown((await client.get("/dashboard?words=_")).text) == []
    both = (await client.get("/dashboard?role=child&overdue=yes&words=SURE")).text
    assert shown(both) == ["late and 100% sure"]
    # Bad values are left out, never a 500, and the search words are not written to the log.
    for query in ("role=judge", "overdue=maybe", "words=" + "x" * 201):
        response = await client.get(f"/dashboard?{query}")
        assert response.status_code == 200 and 'id="left-out"' in response.text, query
        assert len(shown(response.text)) == 5, query
    nul = await client.get("/dashboard?words=vis%00its")
    assert shown(nul.text) == ["Child asks about VISITS", "mum asks about visits"]


async def test_the_search_words_stay_out_of_the_audit_log(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    from sqlmodel import select

    from service.models import AuditEntry

    some_referrals(runtime)
    await sign_in(client, ADVOCATE)
    await client.get("/dashboard?role=family&overdue=yes&words=mum")
    with Session(runtime.database) as session:
        details = [entry.detail for entry in session.exec(select(AuditEntry)).all()]
    assert "dashboard open role family overdue yes searched" in details
    assert not any("mum" in detail for detail in details)


async def test_the_api_narrows_the_same_way_and_refuses_bad_values(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    some_referrals(runtime)
    headers = await bearer(client, ADVOCATE)

    async def summaries(query: str) -> list[str]:
        response = await client.get(f"/api/referrals?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return [row["summary"] for row in response.json()]

    assert await summaries("role=child") == [
        "urgent in time",
        "late and 100% sure",
        "Child asks about VISITS",
    ]
    assert await summaries("overdue=true") == ["urgent late", "late and 100% sure"]
    assert await summaries("words=VISITS") == ["Child asks about VISITS", "mum asks about visits"]
    assert await summaries("role=family&words=visits&overdue=false") == ["mum asks about visits"]
    listed = (await client.get("/api/referrals?role=family", headers=headers)).json()
    assert listed[0]["role"] == "family" and listed[0]["limit_minutes"] == 24 * 60
    for query in ("role=judge", "overdue=maybe", "words=" + "x" * 201):
        refused = await client.get(f"/api/referrals?{query}", headers=headers)
        assert refused.status_code == 422, query


async def test_a_held_referral_that_turns_urgent_counts_in_the_alarm_until_answered(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    """The advocate holding a case may have gone home: when the child's words turn it urgent,
    the queue's alarm counts it and the row says so, until that advocate answers."""
    session_id, url, headers = await advocate_talking_with(
        client, ADVOCATE, "they kept me in my room", "Hi, I am here."
    )
    await sign_in(client, ADVOCATE)
    assert (await client.get("/dashboard/queue/version")).json()["urgent"] == 0
    await child_says(client, session_id, "a member of staff punched me last night")

    assert (await client.get("/dashboard/queue/version")).json()["urgent"] == 1
    row = await only_referral(client, headers)
    assert (row["status"], row["urgency"], row["raised"]) == ("claimed", "urgent", True)
    rows = (await client.get("/dashboard/queue/rows")).text
    assert "urgent words since, not yet answered" in rows
    assert "punched me" in rows  # the newest words, where an urgent summary shows its end

    await client.post(f"{url}/replies", headers=headers, json={"text": "I am here. Are you hurt?"})
    assert (await client.get("/dashboard/queue/version")).json()["urgent"] == 0
    assert (await only_referral(client, headers))["raised"] is False
