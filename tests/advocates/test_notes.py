"""Private notes on a referral: for advocates only, redacted before they are kept, shown in the
referral's timeline beside the messages and every change of state, and audited."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlmodel import Session, col, select

from service import referrals
from service.db import alembic_config, make_engine, migrate
from service.models import Advocate, AuditEntry, ReferralNote, utcnow
from tests.advocates.conftest import ADVOCATE, OTHER
from tests.advocates.helpers import (
    advocate_talking_with,
    bearer,
    child_asks_for_advocate,
    child_says,
    only_referral,
)
from tests.advocates.test_dashboard import csrf_of, sign_in
from tests.service.helpers import database_dump

# Invented: no real person, and an Ofcom drama number.
NAME = "Zebedee Quillfeather"
PHONE = "07700 900123"


def leaks(dump: str) -> list[str]:
    parts = ("Zebedee", "Quillfeather", "07700", "900123", "7700900123")
    return [part for part in parts if part in dump]


async def test_a_note_is_kept_without_the_names_and_numbers_in_it(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    _, url, headers = await advocate_talking_with(client, ADVOCATE, "visits", "Hello.")
    note = f"Rang the unit: {NAME} said call back on {PHONE} about the visits ban"
    kept = await client.post(f"{url}/notes", headers=headers, json={"text": note})
    assert kept.status_code == 201, kept.text
    assert leaks(kept.json()["text"]) == [] and "visits ban" in kept.json()["text"]
    reason = f"{NAME} ({PHONE}) asked for a Welsh speaker"
    passed = await client.post(
        f"{url}/pass", headers=headers, json={"to": advocates[OTHER], "reason": reason}
    )
    assert passed.status_code == 200
    dump = database_dump(runtime.database)
    assert leaks(dump) == [], dump
    assert "visits ban" in dump and "Welsh speaker" in dump
    timeline = (await client.get(f"{url}/timeline", headers=headers)).json()
    assert leaks(str(timeline)) == []


async def test_a_note_that_opens_with_a_full_name_keeps_neither_part_of_it(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    # "Testperson" is a surname the training messages use after "mr": it once stayed behind.
    _, url, headers = await advocate_talking_with(client, ADVOCATE, "visits", "Hello.")
    note = "Ada Testperson asked about the visits ban"
    kept = await client.post(f"{url}/notes", headers=headers, json={"text": note})
    assert kept.status_code == 201, kept.text
    assert kept.json()["text"] == "[NAME] asked about the visits ban"
    dump = database_dump(runtime.database)
    assert "Testperson" not in dump and "Ada " not in dump


async def test_a_note_is_refused_when_it_cannot_be_redacted_and_nothing_is_kept(
    runtime: Any, advocates: dict[str, int]
) -> None:
    def broken(_: str) -> str:
        raise RuntimeError("the model is away")

    with Session(runtime.database) as session:
        one = session.get(Advocate, advocates[ADVOCATE])
        assert one is not None
        from service.models import Referral

        referral = Referral(summary="test")
        session.add(referral)
        session.commit()
        assert referral.id is not None
        number = referral.id
        with pytest.raises(referrals.NotRedacted) as refused:
            referrals.note(
                session=session,
                referral_id=number,
                by=one,
                text=f"{NAME} {PHONE}",
                redact=broken,
                via="api",
            )
        assert refused.value.status == 503
        with pytest.raises(referrals.ReferralConflict, match="Write something"):
            referrals.note(
                session=session, referral_id=number, by=one, text=" \x00 ", redact=str, via="api"
            )
        with pytest.raises(referrals.ReferralNotFound):
            referrals.note(
                session=session, referral_id=999, by=one, text="x", redact=str, via="api"
            )
        assert session.exec(select(ReferralNote)).all() == []
        assert session.exec(select(AuditEntry).where(AuditEntry.action == "note")).all() == []
    assert leaks(database_dump(runtime.database)) == []


async def test_the_timeline_shows_messages_replies_notes_and_changes_in_order(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    session_id = await child_asks_for_advocate(client, "they stopped my mum visiting")
    headers = await bearer(client, ADVOCATE)
    url = f"/api/referrals/{(await only_referral(client, headers))['id']}"

    async def note(words: str) -> None:
        response = await client.post(f"{url}/notes", headers=headers, json={"text": words})
        assert response.status_code == 201

    await note("Read it before claiming")
    await client.post(f"{url}/claim", headers=headers)
    await client.post(f"{url}/replies", headers=headers, json={"text": "I can help with visits."})
    await child_says(client, session_id, "thank you")
    await note("Checked the visits policy")
    await client.post(f"{url}/unclaim", headers=headers)
    await child_says(client, session_id, "hello are you there")
    await client.post(f"{url}/claim", headers=headers)
    await client.post(f"{url}/close", headers=headers, json={"outcome": "advice_given"})

    timeline = (await client.get(f"{url}/timeline", headers=headers)).json()
    steps = [(entry["kind"], entry["text"]) for entry in timeline]
    # (What the child said before asking is the referral's summary, not its timeline.)
    # The child's words come once each, even when kept both as a message and as a relay.
    assert steps == [
        ("note", "Read it before claiming"),
        ("change", "Claimed"),
        ("advocate", "I can help with visits."),
        ("child", "thank you"),
        ("note", "Checked the visits policy"),
        ("change", "Given back to the queue"),
        ("child", "hello are you there"),
        ("change", "Claimed"),
        ("rightsline", runtime.conversation.advocate_finished()),
        ("change", "Closed (Advice given)"),
    ]
    times = [entry["at"] for entry in timeline]
    assert times == sorted(times)
    notes = [entry for entry in timeline if entry["kind"] == "note"]
    assert {entry["who"] for entry in notes} == {"Test Advocate One"}
    # The referral's own conversation (the API's detail) has the same lines, once each.
    detail = (await client.get(url, headers=headers)).json()
    said = [line["text"] for line in detail["conversation"] if line["sender"] == "child"]
    assert said.count("thank you") == 1 and said.count("hello are you there") == 1


async def test_every_note_is_audited_and_shown_on_the_dashboard(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    await child_asks_for_advocate(client, "they locked me in my room")
    await sign_in(client, OTHER)  # notes are for any advocate, not only the holder
    url = "/dashboard/referrals/1"
    page = await client.get(url)
    assert "Add the note" in page.text
    assert (await client.post(f"{url}/notes", data={"text": "no token"})).status_code == 403
    token = csrf_of(page.text)
    empty = await client.post(f"{url}/notes", data={"csrf_token": token, "text": "  "})
    assert empty.status_code == 409 and "Write something to note." in empty.text
    form = {"csrf_token": token, "text": f"<b>Called</b> {NAME} on {PHONE}"}
    assert (await client.post(f"{url}/notes", data=form)).status_code == 303
    page = (await client.get(url)).text
    assert "Private note by advocate.two@example.org" in page
    assert "&lt;b&gt;Called&lt;/b&gt;" in page and "<b>Called" not in page
    assert leaks(page) == []
    with Session(runtime.database) as session:
        kept = session.exec(select(ReferralNote)).one()
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.action == "note").order_by(col(AuditEntry.id))
        ).all()
        assert [(e.advocate_id, e.referral_id, e.detail) for e in entries] == [
            (advocates[OTHER], 1, f"dashboard note {kept.id}")
        ]
    assert leaks(database_dump(runtime.database)) == []


async def test_forget_me_takes_the_notes_on_the_childs_referral_too(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    session_id, url, headers = await advocate_talking_with(client, ADVOCATE, "restraint", "Hi.")
    await client.post(f"{url}/notes", headers=headers, json={"text": "Spoke to the unit manager"})
    reason = {"to": advocates[OTHER], "reason": "Covering for the unit manager"}
    await client.post(f"{url}/pass", headers=headers, json=reason)
    assert (await client.delete(f"/api/chat/sessions/{session_id}")).status_code in (200, 204)
    dump = database_dump(runtime.database)
    assert "unit manager" not in dump
    # The referral an advocate took on stays, with its labels and times only.
    assert (await client.get(url, headers=headers)).status_code == 200


def test_the_notes_table_comes_and_goes_with_its_migration(database_url: str) -> None:
    database = make_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    command.upgrade(alembic_config(database), "0005")
    assert "referral_note" not in inspect(database).get_table_names()
    with database.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO referral (status, urgency, risks, summary, created_at, updated_at)"
                " VALUES ('new', 'normal', '', '(redacted)', :when, :when)"
            ),
            {"when": utcnow()},
        )
    migrate(database)
    columns = {c["name"] for c in inspect(database).get_columns("referral_note")}
    assert columns == {"id", "referral_id", "advocate_id", "kind", "text", "created_at"}
    with database.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO referral_note (referral_id, kind, text, created_at)"
                " VALUES (1, 'note', 'a note', :when)"
            ),
            {"when": utcnow()},
        )
    with database.connect() as connection:
        assert connection.execute(text("SELECT id FROM referral")).scalars().all() == [1]
    command.downgrade(alembic_config(database), "0005")
    assert "referral_note" not in inspect(database).get_table_names()
    with database.connect() as connection:
        assert connection.execute(text("SELECT summary FROM referral")).scalars().all() == [
            "(redacted)"
        ]
    migrate(database)  # and up again
    assert "referral_note" in inspect(database).get_table_names()
    database.dispose()
