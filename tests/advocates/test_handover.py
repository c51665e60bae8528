"""Hand-over: an advocate gives a referral back or passes it to a named colleague with a line of
why; an admin reassigns any. The child is never told who holds it. Each is audited."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlmodel import Session, col, select

from service.models import Advocate, AuditEntry, Referral
from tests.advocates.conftest import ADMIN, ADVOCATE, OTHER
from tests.advocates.helpers import (
    add_advocate,
    advocate_talking_with,
    bearer,
    child_asks_for_advocate,
    child_says,
    only_referral,
)
from tests.advocates.test_dashboard import csrf_of, sign_in
from tests.service.helpers import database_dump

LEFT = "advocate.left@example.org"


def disabled_advocate(runtime: Any) -> int:
    """An advocate who has left: their account is no longer active."""
    number = add_advocate(runtime, LEFT, name="Former Advocate")
    with Session(runtime.database) as session:
        left = session.get(Advocate, number)
        assert left is not None
        left.active = False
        session.commit()
    return number


def audit_rows(runtime: Any, referral_id: int) -> list[tuple[int | None, str, str]]:
    with Session(runtime.database) as session:
        entries = session.exec(
            select(AuditEntry)
            .where(AuditEntry.referral_id == referral_id, AuditEntry.action != "view")
            .order_by(col(AuditEntry.id))
        ).all()
        return [(entry.advocate_id, entry.action, entry.detail) for entry in entries]


def holder(runtime: Any, referral_id: int) -> tuple[str, int | None]:
    with Session(runtime.database) as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None
        return referral.status, referral.claimed_by


async def test_unclaiming_puts_it_back_in_the_queue_for_anyone(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    await child_asks_for_advocate(client, "they locked me in my room all day")
    headers = await bearer(client, ADVOCATE)
    number = (await only_referral(client, headers))["id"]
    url = f"/api/referrals/{number}"
    assert (await client.post(f"{url}/claim", headers=headers)).status_code == 200

    given_back = await client.post(f"{url}/unclaim", headers=headers)
    assert given_back.status_code == 200, given_back.text
    body = given_back.json()
    assert body["status"] == "new" and body["claimed_by"] is None
    assert body["claimed_by_name"] is None
    new = (await client.get("/api/referrals?status=new", headers=headers)).json()
    assert [row["id"] for row in new] == [number]

    # Anyone can pick it up now, as before it was claimed.
    other = await bearer(client, OTHER)
    taken = await client.post(f"{url}/claim", headers=other)
    assert taken.status_code == 200 and taken.json()["claimed_by"] == advocates[OTHER]
    assert audit_rows(runtime, number) == [
        (advocates[ADVOCATE], "claim", ""),
        (advocates[ADVOCATE], "unclaim", ""),
        (advocates[OTHER], "claim", ""),
    ]


async def test_only_the_holder_can_give_it_back(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    await child_asks_for_advocate(client, "can I see an advocate")
    headers = await bearer(client, ADVOCATE)
    number = (await only_referral(client, headers))["id"]
    url = f"/api/referrals/{number}"
    not_claimed = await client.post(f"{url}/unclaim", headers=headers)
    assert not_claimed.status_code == 409 and "Claim this referral first" in not_claimed.text
    await client.post(f"{url}/claim", headers=headers)
    other = await bearer(client, OTHER)
    theirs = await client.post(f"{url}/unclaim", headers=other)
    assert theirs.status_code == 403
    assert holder(runtime, number) == ("claimed", advocates[ADVOCATE])
    missing = await client.post("/api/referrals/999/unclaim", headers=headers)
    assert missing.status_code == 404


async def test_passing_to_a_colleague_makes_them_the_holder_and_says_why(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    _, url, headers = await advocate_talking_with(
        client, ADVOCATE, "they took my phone calls away", "Hello, I am here to help."
    )
    number = int(url.rsplit("/", 1)[1])
    passed = await client.post(
        f"{url}/pass",
        headers=headers,
        json={"to": advocates[OTHER], "reason": "I am away next week; visits need chasing"},
    )
    assert passed.status_code == 200, passed.text
    assert passed.json()["claimed_by"] == advocates[OTHER]
    assert passed.json()["status"] == "waiting"  # still waiting for the child, as before

    # The colleague can reply now; the one who passed it cannot.
    other = await bearer(client, OTHER)
    reply = await client.post(f"{url}/replies", headers=other, json={"text": "Hi again."})
    assert reply.status_code == 201
    mine_no_more = await client.post(f"{url}/replies", headers=headers, json={"text": "x"})
    assert mine_no_more.status_code == 403

    timeline = (await client.get(f"{url}/timeline", headers=other)).json()
    changes = [entry for entry in timeline if entry["kind"] == "change"]
    assert [entry["text"] for entry in changes] == [
        "Claimed",
        f"Passed to {OTHER}. Why: I am away next week; visits need chasing",
    ]
    assert changes[1]["who"] == "Test Advocate One"
    detail = audit_rows(runtime, number)[-2]
    assert detail[:2] == (advocates[ADVOCATE], "pass")
    assert detail[2].startswith(f"to {advocates[OTHER]} note ")
    assert "away" not in detail[2]  # the audit log holds ids, never words


async def test_passing_to_someone_who_cannot_take_it_is_refused_kindly(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    left = disabled_advocate(runtime)
    _, url, headers = await advocate_talking_with(client, ADVOCATE, "visits", "Hello.")
    number = int(url.rsplit("/", 1)[1])
    for to in (left, 99_999):
        refused = await client.post(
            f"{url}/pass", headers=headers, json={"to": to, "reason": "off sick"}
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"] == (
            "That advocate is not on the team now, so the referral cannot go to them. "
            "Please choose someone else."
        )
    yourself = await client.post(
        f"{url}/pass", headers=headers, json={"to": advocates[ADVOCATE], "reason": "x"}
    )
    assert yourself.status_code == 409 and "already yours" in yourself.text
    blank = await client.post(
        f"{url}/pass", headers=headers, json={"to": advocates[OTHER], "reason": "   "}
    )
    assert blank.status_code == 409 and "why you are passing it on" in blank.text
    other = await bearer(client, OTHER)
    not_theirs = await client.post(
        f"{url}/pass", headers=other, json={"to": advocates[ADMIN], "reason": "mine now"}
    )
    assert not_theirs.status_code == 403
    # Nothing changed, and nothing but the first claim and reply was recorded.
    assert holder(runtime, number) == ("waiting", advocates[ADVOCATE])
    assert [row[1] for row in audit_rows(runtime, number)] == ["claim", "reply"]
    assert "off sick" not in database_dump(runtime.database)


async def test_only_an_admin_reassigns_and_can_give_any_referral_to_anyone_active(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    left = disabled_advocate(runtime)
    _, url, headers = await advocate_talking_with(client, ADVOCATE, "complaint", "Hello.")
    number = int(url.rsplit("/", 1)[1])
    other = await bearer(client, OTHER)
    body = {"to": advocates[OTHER], "reason": ""}
    for who in (other, headers):  # a colleague, or even the holder: only admins reassign
        refused = await client.post(f"{url}/reassign", headers=who, json=body)
        assert refused.status_code == 403 and "Only an admin" in refused.text
    admin = await bearer(client, ADMIN)
    gone = await client.post(f"{url}/reassign", headers=admin, json={"to": left})
    assert gone.status_code == 422
    done = await client.post(f"{url}/reassign", headers=admin, json=body)
    assert done.status_code == 200 and done.json()["claimed_by"] == advocates[OTHER]
    assert holder(runtime, number) == ("waiting", advocates[OTHER])
    assert audit_rows(runtime, number)[-1] == (
        advocates[ADMIN],
        "reassign",
        f"to {advocates[OTHER]}",
    )

    # A referral no one has claimed yet is claimed for them.
    await child_asks_for_advocate(client, "I want an advocate about my complaint")
    fresh = [row for row in (await client.get("/api/referrals", headers=admin)).json()]
    new_id = next(row["id"] for row in fresh if row["status"] == "new")
    given = await client.post(
        f"/api/referrals/{new_id}/reassign",
        headers=admin,
        json={"to": advocates[ADVOCATE], "reason": "knows the place"},
    )
    assert given.status_code == 200
    assert given.json()["status"] == "claimed"
    assert given.json()["claimed_by_name"] == "Test Advocate One"
    # A closed one is not.
    await client.post(f"{url}/close", headers=other, json={"outcome": "advice_given"})
    closed = await client.post(f"{url}/reassign", headers=admin, json=body)
    assert closed.status_code == 409


async def test_the_child_never_sees_an_advocates_name_or_a_note(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    session_id, url, headers = await advocate_talking_with(
        client, ADVOCATE, "they keep me on my own", "Hello, I can help with that."
    )
    admin = await bearer(client, ADMIN)
    other = await bearer(client, OTHER)
    seen: list[str] = []

    async def child_reads() -> None:
        replies = (await client.get(f"/api/chat/sessions/{session_id}/messages")).json()
        seen.extend(reply["text"] for reply in replies["replies"])

    await child_reads()
    note = {"text": "Private: the child seemed scared of the night staff"}
    assert (await client.post(f"{url}/notes", headers=headers, json=note)).status_code == 201
    await child_reads()
    reason = {"to": advocates[OTHER], "reason": "Private reason: I am on leave"}
    assert (await client.post(f"{url}/pass", headers=headers, json=reason)).status_code == 200
    await child_reads()
    said = await child_says(client, session_id, "are you still there")
    seen.extend(reply["text"] for reply in said["replies"])
    await client.post(f"{url}/replies", headers=other, json={"text": "Yes, I am here."})
    await child_reads()
    back = {"to": advocates[ADMIN], "reason": "Private: admin takes it"}
    assert (await client.post(f"{url}/reassign", headers=admin, json=back)).status_code == 200
    await child_reads()
    assert (await client.post(f"{url}/unclaim", headers=admin)).status_code == 200
    await child_reads()

    shown = "\n".join(seen)
    assert "Hello, I can help with that." in shown and "Yes, I am here." in shown
    # Told, as Rightsline's own words, that someone else is helping: once for the pass and
    # once for the reassign; nothing when it went back to the queue.
    changed = runtime.conversation.advocate_changed()
    assert changed.startswith("Someone else") and seen.count(changed) == 2
    for secret in ("Test Advocate One", "Test Admin", ADVOCATE, OTHER, ADMIN, "Private"):
        assert secret not in shown, secret


async def test_handing_over_from_the_dashboard(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    left = disabled_advocate(runtime)
    await child_asks_for_advocate(client, "they locked me in my room")
    await sign_in(client, ADVOCATE)
    url = "/dashboard/referrals/1"
    page = await client.get(url)
    token = csrf_of(page.text)
    await client.post(f"{url}/claim", data={"csrf_token": token})
    page = (await client.get(url)).text
    assert "Give back to the queue" in page and "Pass it on" in page
    # The forms are on the page once, and the tab's title is only words.
    assert page.count("Give back to the queue") == 1
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title is not None and "<" not in title.group(1) and "Referral #1" in title.group(1)
    # Colleagues to pass to: active ones, never oneself or someone who has left.
    assert f'<option value="{advocates[OTHER]}">{OTHER}</option>' in page
    assert f'<option value="{advocates[ADVOCATE]}"' not in page
    assert f'<option value="{left}"' not in page
    assert "Reassign" not in page  # admins only

    assert (await client.post(f"{url}/pass", data={"to": str(advocates[OTHER])})).status_code == 403
    kind = await client.post(
        f"{url}/pass", data={"csrf_token": token, "to": str(left), "reason": "leave"}
    )
    assert kind.status_code == 422 and "Please choose someone else." in kind.text
    form = {"csrf_token": token, "to": str(advocates[OTHER]), "reason": "Needs a Welsh speaker"}
    assert (await client.post(f"{url}/pass", data=form)).status_code == 303
    page = (await client.get(url)).text
    assert f"Passed to {OTHER}. Why: Needs a Welsh speaker (by Test Advocate One)" in page
    assert "Give back to the queue" not in page

    client.cookies.clear()
    await sign_in(client, OTHER)
    page = await client.get(url)
    token = csrf_of(page.text)
    assert (await client.post(f"{url}/unclaim", data={"csrf_token": token})).status_code == 303
    page = await client.get(url)
    assert 'id="status">new' in page.text and "Given back to the queue (by" in page.text

    client.cookies.clear()
    await sign_in(client, ADMIN)
    page = await client.get(url)
    assert "Reassign" in page.text
    form = {"csrf_token": csrf_of(page.text), "to": str(advocates[ADVOCATE]), "reason": ""}
    assert (await client.post(f"{url}/reassign", data=form)).status_code == 303
    assert holder(runtime, 1) == ("claimed", advocates[ADVOCATE])
    assert [(row[1], row[2].split(" note ")[0]) for row in audit_rows(runtime, 1)] == [
        ("claim", "dashboard"),
        ("pass", f"dashboard to {advocates[OTHER]}"),
        ("unclaim", "dashboard"),
        ("reassign", f"dashboard to {advocates[ADVOCATE]}"),
    ]


def test_two_hand_overs_at_once_cannot_both_win(runtime: Any, advocates: dict[str, int]) -> None:
    from service import referrals

    with Session(runtime.database) as session:
        referral = Referral(summary="test", status="claimed", claimed_by=advocates[ADVOCATE])
        session.add(referral)
        session.commit()
        number = referral.id
    assert number is not None
    with Session(runtime.database) as mine, Session(runtime.database) as admins:
        one = mine.get(Advocate, advocates[ADVOCATE])
        admin = admins.get(Advocate, advocates[ADMIN])
        assert one is not None and admin is not None
        # Read by the holder's page while it was still theirs (the session keeps what it read).
        seen = mine.get(Referral, number)
        assert seen is not None and seen.claimed_by == one.id
        referrals.reassign(
            session=admins,
            referral_id=number,
            by=admin,
            to=advocates[OTHER],
            reason="",
            redact=str,
            via="api",
        )
        with pytest.raises(referrals.ReferralConflict, match="Someone else changed"):
            referrals.pass_to(
                session=mine,
                referral_id=number,
                by=one,
                to=advocates[ADMIN],
                reason="going on leave",
                redact=str,
                via="api",
            )
    assert holder(runtime, number) == ("claimed", advocates[OTHER])
    assert [row[1] for row in audit_rows(runtime, number)] == ["reassign"]
