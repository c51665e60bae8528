"""The dashboard and the API do the same things to a referral: same answers, same audit rows."""

from __future__ import annotations

from typing import Any

import httpx
from sqlmodel import Session, col, select

from service.models import AuditEntry
from tests.advocates.conftest import ADMIN, ADVOCATE, OTHER
from tests.advocates.helpers import bearer, child_asks_for_advocate
from tests.advocates.test_dashboard import csrf_of, sign_in

Row = tuple[int | None, str, int | None, str]


def audit_rows(runtime: Any, after: int = 0) -> list[Row]:
    """(advocate id, action, referral id, detail) of each audit row after id `after`."""
    with Session(runtime.database) as session:
        entries = session.exec(
            select(AuditEntry).where(col(AuditEntry.id) > after).order_by(col(AuditEntry.id))
        ).all()
        return [(e.advocate_id, e.action, e.referral_id, e.detail) for e in entries]


def last_audit_id(runtime: Any) -> int:
    with Session(runtime.database) as session:
        ids = session.exec(select(AuditEntry.id).order_by(col(AuditEntry.id).desc())).first()
        return ids or 0


async def test_the_api_answers_and_audit_rows(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    await child_asks_for_advocate(client, "they locked me in my room")
    one, other, admin = advocates[ADVOCATE], advocates[OTHER], advocates[ADMIN]
    mine = await bearer(client, ADVOCATE)
    theirs = await bearer(client, OTHER)
    listed = (await client.get("/api/referrals", headers=mine)).json()
    number = listed[0]["id"]
    url = f"/api/referrals/{number}"
    assert (await client.get(url, headers=mine)).status_code == 200

    claimed = await client.post(f"{url}/claim", headers=mine)
    assert claimed.status_code == 200 and claimed.json()["claimed_by"] == one
    assert claimed.json()["claimed_by_name"] == "Test Advocate One"
    # Claiming one's own again is harmless.
    assert (await client.post(f"{url}/claim", headers=mine)).status_code == 200

    refusals = [
        (await client.post(f"{url}/claim", headers=theirs), 409, "Another advocate has already"),
        (await client.post(f"{url}/replies", headers=theirs, json={"text": "x"}), 403, "Another"),
        (await client.post(f"{url}/close", headers=theirs, json={"outcome": "other"}), 403, "Only"),
        (await client.post(f"{url}/replies", headers=mine, json={"text": " "}), 409, "Write"),
        (await client.post("/api/referrals/999/claim", headers=mine), 404, "There is no referral"),
        (await client.get("/api/referrals/999", headers=mine), 404, "There is no referral"),
    ]
    for response, code, words in refusals:
        assert response.status_code == code and response.json()["detail"].startswith(words)

    sent = await client.post(f"{url}/replies", headers=mine, json={"text": "a private word"})
    assert sent.status_code == 201 and sent.json()["status"] == "waiting"
    closed = await client.post(f"{url}/close", headers=mine, json={"outcome": "advice_given"})
    assert closed.status_code == 200 and closed.json()["outcome"] == "advice_given"
    assert closed.json()["claimed_by_name"] == "Test Advocate One"
    again = await client.post(f"{url}/close", headers=mine, json={"outcome": "advice_given"})
    assert again.status_code == 409 and again.json()["detail"] == "This referral is already closed."
    late = await client.post(f"{url}/claim", headers=theirs)
    assert late.status_code == 409 and late.json()["detail"] == "This referral is closed."
    assert (await client.post("/api/auth/logout", headers=theirs)).status_code == 204

    assert audit_rows(runtime) == [
        (one, "login", None, "api"),
        (other, "login", None, "api"),
        (one, "view_queue", None, "api open"),
        (one, "view", number, ""),
        (one, "claim", number, ""),
        (one, "claim", number, ""),
        (one, "reply", number, ""),
        (one, "close", number, "outcome advice_given"),
        (other, "logout", None, "api"),
    ]
    assert admin not in {row[0] for row in audit_rows(runtime)}


async def test_the_dashboard_answers_and_audit_rows(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    await child_asks_for_advocate(client, "they locked me in my room")
    one, other = advocates[ADVOCATE], advocates[OTHER]
    await sign_in(client, OTHER)
    other_cookies = dict(client.cookies)
    client.cookies.clear()
    await sign_in(client, ADVOCATE)
    mine = dict(client.cookies)
    await client.get("/dashboard")
    url = "/dashboard/referrals/1"
    page = await client.get(url)
    token = csrf_of(page.text)

    claimed = await client.post(f"{url}/claim", data={"csrf_token": token})
    assert claimed.status_code == 303 and claimed.headers["location"] == url
    start = last_audit_id(runtime)
    client.cookies.clear()
    client.cookies.update(other_cookies)
    their_token = csrf_of((await client.get("/dashboard")).text)
    refusals = [
        (f"{url}/claim", {}, 409, "Another advocate has already claimed this referral."),
        (f"{url}/reply", {"text": "x"}, 403, "Another advocate has claimed this referral."),
        (f"{url}/close", {"outcome": "other"}, 403, "Only the advocate who claimed"),
    ]
    for path, form, code, words in refusals:
        refused = await client.post(path, data={"csrf_token": their_token, **form})
        assert refused.status_code == code and words in refused.text
        assert "Test Advocate One" in refused.text  # the referral page, with its claimer
    missing = await client.post("/dashboard/referrals/999/claim", data={"csrf_token": their_token})
    assert missing.status_code == 404 and "There is no referral with that number." in missing.text
    assert audit_rows(runtime, after=start) == [
        (other, "view_queue", None, "dashboard open"),
        (other, "view", 1, "dashboard"),
        (other, "view", 1, "dashboard"),
        (other, "view", 1, "dashboard"),
    ]
    out = await client.post("/dashboard/logout", data={"csrf_token": their_token})
    assert out.status_code == 303 and out.headers["location"] == "/dashboard/login"

    client.cookies.clear()
    client.cookies.update(mine)
    token = csrf_of((await client.get(url)).text)
    sent = await client.post(f"{url}/reply", data={"csrf_token": token, "text": "a private word"})
    assert sent.status_code == 303 and sent.headers["location"] == url
    blank = await client.post(f"{url}/reply", data={"csrf_token": token, "text": "  "})
    assert blank.status_code == 409 and "Write something to send." in blank.text
    wrong = await client.post(f"{url}/close", data={"csrf_token": token, "outcome": "nonsense"})
    assert wrong.status_code == 409 and "Choose one of the outcomes." in wrong.text
    # Nothing is chosen for a tired advocate: the form starts with no outcome picked.
    assert '<option value="" selected disabled>Choose an outcome</option>' in wrong.text
    unchosen = await client.post(f"{url}/close", data={"csrf_token": token, "outcome": ""})
    assert unchosen.status_code == 422 and "(outcome)" in unchosen.text  # still open: below
    form = {"csrf_token": token, "outcome": "advice_given"}
    assert (await client.post(f"{url}/close", data=form)).status_code == 303
    again = await client.post(f"{url}/close", data=form)
    assert again.status_code == 409 and "This referral is already closed." in again.text
    assert "closed (Advice given)" in again.text

    assert audit_rows(runtime) == [
        (other, "login", None, "dashboard"),
        (one, "login", None, "dashboard"),
        (one, "view_queue", None, "dashboard open"),
        (one, "view", 1, "dashboard"),
        (one, "claim", 1, "dashboard"),
        (other, "view_queue", None, "dashboard open"),
        (other, "view", 1, "dashboard"),
        (other, "view", 1, "dashboard"),
        (other, "view", 1, "dashboard"),
        (other, "logout", None, "dashboard"),
        (one, "view", 1, "dashboard"),
        (one, "reply", 1, "dashboard"),
        (one, "view", 1, "dashboard"),
        (one, "view", 1, "dashboard"),
        (one, "close", 1, "dashboard outcome advice_given"),
        (one, "view", 1, "dashboard"),
    ]


async def test_the_outcomes_offered_and_shown_are_the_contents_words(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    runtime.library.messages["outcome_other"] = "Something else happened"
    await child_asks_for_advocate(client, "they locked me in my room")
    await sign_in(client, ADVOCATE)
    url = "/dashboard/referrals/1"
    token = csrf_of((await client.get(url)).text)
    await client.post(f"{url}/claim", data={"csrf_token": token})
    page = (await client.get(url)).text
    assert '<option value="other">Something else happened</option>' in page
    assert '<option value="advice_given">Advice given</option>' in page
    await client.post(f"{url}/close", data={"csrf_token": token, "outcome": "other"})
    assert "closed (Something else happened)" in (await client.get(url)).text
    assert "closed (Something else happened)" in (await client.get("/dashboard?status=all")).text
