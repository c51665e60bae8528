"""Forget me and quick exit: the words go, from the tables and from the disk; the fact stays."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from service import accounts, storage
from service.models import Chat, Event, Referral, RelayMessage, utcnow
from tests.advocates.helpers import add_advocate, bearer, only_referral
from tests.service.helpers import database_dump

ADVOCATE = "advocate.one@example.org"
# An invented word no redaction touches, so its bytes can be looked for on disk.
INVENTED = "zogglewump"


def on_disk(path: Path) -> bytes:
    """A file's raw bytes, read by another process.

    Closing any handle on a file drops every POSIX lock this process holds on it, so reading
    it here would quietly release the service's SQLite locks and change what SQLite does next.
    """
    if not path.exists():
        return b""
    code = "import sys; sys.stdout.buffer.write(open(sys.argv[1], 'rb').read())"
    return subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True).stdout


async def start_chat(client: httpx.AsyncClient) -> str:
    started = await client.post("/api/chat/sessions", json={"role": "child"})
    assert started.status_code == 201
    return str(started.json()["session_id"])


async def say(client: httpx.AsyncClient, session_id: str, text: str) -> None:
    answer = await client.post(f"/api/chat/sessions/{session_id}/messages", json={"text": text})
    assert answer.status_code == 200


async def test_quick_exit_leaves_a_claimed_urgent_case_with_no_words(
    client: httpx.AsyncClient, runtime: Any
) -> None:
    advocate_id = add_advocate(runtime, ADVOCATE)
    session_id = await start_chat(client)
    await say(client, session_id, "staff hit me last night and it really hurt")
    headers = await bearer(client, ADVOCATE)
    before = await only_referral(client, headers)
    assert before["urgency"] == "urgent" and "hit me" in before["summary"]
    case_url = f"/api/referrals/{before['id']}"
    assert (await client.post(f"{case_url}/claim", headers=headers)).status_code == 200
    reply = {"text": "I am here for you. Can you tell me more?"}
    assert (await client.post(f"{case_url}/replies", headers=headers, json=reply)).is_success

    assert (await client.delete(f"/api/chat/sessions/{session_id}")).status_code == 204

    # The advocate still has the case, with a note instead of the words.
    after = await client.get(case_url, headers=headers)
    assert after.status_code == 200
    case = after.json()
    assert case["summary"] == runtime.library.messages["referral_forgotten"]
    assert "quick exit" in case["summary"]
    assert case["conversation"] == []
    assert case["urgency"] == "urgent" and case["risks"] == before["risks"]
    assert case["status"] == "waiting" and case["claimed_by"] == advocate_id
    assert case["created_at"] == before["created_at"]
    dump = database_dump(runtime.database)
    assert "hit me" not in dump and "tell me more" not in dump
    # No reply can reach a chat that is gone, and the advocate can close the case.
    refused = await client.post(f"{case_url}/replies", headers=headers, json=reply)
    assert refused.status_code == 409
    closing = {"outcome": "child_withdrew"}
    assert (await client.post(f"{case_url}/close", headers=headers, json=closing)).is_success


async def test_quick_exit_takes_the_words_off_the_disk(
    client: httpx.AsyncClient, runtime: Any, settings: Any
) -> None:
    if runtime.database.dialect.name != "sqlite":
        pytest.skip("reads SQLite's own files; PostgreSQL is vacuumed by purge instead")
    session_id = await start_chat(client)
    await say(client, session_id, f"i want to hurt myself, they moved me to the {INVENTED} wing")
    database = Path(runtime.database.url.database)
    files = [Path(f"{database}{end}") for end in ("", "-wal", "-shm")]
    assert any(INVENTED.encode() in on_disk(path) for path in files)

    assert (await client.delete(f"/api/chat/sessions/{session_id}")).status_code == 204

    assert [path.name for path in files if INVENTED.encode() in on_disk(path)] == []
    with Session(runtime.database) as session:
        assert session.exec(select(Referral)).one().urgency == "urgent"  # the fact stays


@pytest.mark.parametrize(
    ("urgency", "status", "kept"),
    [
        ("urgent", "new", True),  # nobody has it yet, but the fact is never lost
        ("urgent", "closed", True),
        ("normal", "claimed", True),  # an advocate is working on it
        ("normal", "waiting", True),
        ("normal", "new", False),  # asked for, not yet taken up: it goes with the chat
        ("normal", "closed", False),
    ],
)
def test_forgetting_keeps_urgent_and_taken_referrals_as_records_with_no_words(
    database: Engine, urgency: str, status: str, kept: bool
) -> None:
    with Session(database) as session:
        advocate = accounts.add_advocate(
            session=session, email=ADVOCATE, password="a long test passphrase 1"
        )
        chat = Chat(key="f" * 64, channel="telegram", route="encrypted-route")
        session.add(chat)
        session.flush()
        session.add(Event(session_id=chat.id, channel="telegram", redacted="they hurt me"))
        made = Referral(
            session_id=chat.id,
            status=status,
            urgency=urgency,
            topic="restraint",
            risks="abuse",
            summary="they hurt me",
            claimed_by=None if status == "new" else advocate.id,
            created_at=utcnow() - timedelta(hours=2),
            closed_at=utcnow() if status == "closed" else None,
        )
        session.add(made)
        session.flush()
        assert made.id is not None
        session.add(RelayMessage(referral_id=made.id, session_id=chat.id, sender="child", text="x"))
        session.commit()
        session.refresh(made)
        before = made.model_dump()

    with Session(database) as session:
        assert storage.forget_chat(session=session, key="f" * 64, note="The chat was forgotten.")
        session.commit()

    with Session(database) as session:
        assert session.exec(select(Chat)).all() == []
        assert session.exec(select(Event)).all() == []
        assert session.exec(select(RelayMessage)).all() == []
        left = session.exec(select(Referral)).all()
    if not kept:
        assert left == []
        return
    [record] = left
    assert record.summary == "The chat was forgotten."
    assert record.session_id is None
    for field in ("id", "status", "urgency", "topic", "risks", "claimed_by", "closed_at"):
        assert getattr(record, field) == before[field], field
    assert record.created_at.replace(tzinfo=None) == before["created_at"].replace(tzinfo=None)


async def test_a_typed_yes_to_forget_me_tells_the_page_to_clear_itself(
    client: httpx.AsyncClient, runtime: Any
) -> None:
    """The web page clears its screen and tab when the answer says the chat is gone, so a child
    who types "yes" instead of pressing the button is not left with their words on screen."""
    session_id = await start_chat(client)
    url = f"/api/chat/sessions/{session_id}/messages"
    await say(client, session_id, f"they kept me in my room at {INVENTED}")
    asked = (await client.post(url, json={"text": "forget me"})).json()
    assert asked["forgotten"] is False
    done = (await client.post(url, json={"text": "yes"})).json()
    assert done["replies"][0]["text"] == runtime.library.message("forget_done")
    assert done["forgotten"] is True
    assert (await client.get(url)).status_code == 404
    assert INVENTED not in database_dump(runtime.database)


async def test_forget_me_after_an_urgent_referral_went_to_the_outbox_leaves_no_words(
    client: httpx.AsyncClient, runtime: Any
) -> None:
    """A referral the outbox kept while the database was slow is written before the chat is
    forgotten: the fact stays, with no words, and no later drain brings the words back."""
    session_id = await start_chat(client)
    key = runtime.keys.pseudonym("web", session_id)
    assert runtime.outbox is not None
    runtime.outbox.put(key=key, channel="web", risks=["abuse"], words=f"{INVENTED} hit me")
    url = f"/api/chat/sessions/{session_id}/messages"
    await client.post(url, json={"text": "forget me"})
    done = (await client.post(url, json={"text": "yes"})).json()
    assert done["forgotten"] is True
    runtime.outbox.drain(runtime.database)
    assert runtime.outbox.waiting() == []
    with Session(runtime.database) as session:
        [referral] = session.exec(select(Referral)).all()
        assert referral.urgency == "urgent" and referral.risks == "abuse"
    assert INVENTED not in database_dump(runtime.database)
