"""Retention: `purge` removes old words, closed referrals and idle chats, never an open referral."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from service import accounts, storage
from service.models import Chat, Event, Referral, RelayMessage, utcnow
from service.replies import Inbound

ROOT = Path(__file__).resolve().parents[2]
LONG_AGO = utcnow() - timedelta(days=400)
# An invented word no redaction touches, so its bytes can be looked for on disk.
INVENTED = "quibbertack"


def idle_chat(session: Session, key: str, *, words: str = "they kept me in my room") -> int:
    """A chat last seen long ago, with one message from then; its id."""
    chat = Chat(key=key, channel="web", created_at=LONG_AGO, last_seen_at=LONG_AGO)
    session.add(chat)
    session.flush()
    assert chat.id is not None
    session.add(Event(session_id=chat.id, channel="web", redacted=words, created_at=LONG_AGO))
    return chat.id


def referral(session: Session, chat_id: int | None, status: str, **fields: Any) -> Referral:
    made = Referral(session_id=chat_id, status=status, summary=f"summary of a {status} one")
    for name, value in fields.items():
        setattr(made, name, value)
    session.add(made)
    session.flush()
    return made


def relay(session: Session, made: Referral, sender: str, at: datetime) -> None:
    assert made.id is not None
    session.add(
        RelayMessage(
            referral_id=made.id, session_id=made.session_id, sender=sender, text="hi", created_at=at
        )
    )


def on_disk(path: Path) -> bytes:
    """A file's raw bytes, read by another process.

    Closing any handle on a file drops every POSIX lock this process holds on it, so reading
    it here would quietly release SQLite's own locks and change what SQLite does next.
    """
    if not path.exists():
        return b""
    code = "import sys; sys.stdout.buffer.write(open(sys.argv[1], 'rb').read())"
    return subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True).stdout


def run_purge(tmp_path: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    """`rightsline purge` as an operator runs it, on the same database as the test."""
    env = {**os.environ, "RIGHTSLINE_DATA_DIR": str(tmp_path), "RIGHTSLINE_SECRET_KEY": "cli-test"}
    env.pop("DATABASE_URL", None)
    if not database_url.startswith("sqlite"):
        env["DATABASE_URL"] = database_url
    result = subprocess.run(
        [sys.executable, "-m", "rightsline", "purge"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_purge_never_removes_an_open_referral_and_counts_exactly(database: Engine) -> None:
    with Session(database) as session:
        advocate = accounts.add_advocate(
            session=session, email="advocate@example.org", password="a long test passphrase 1"
        )
        waiting_chat = idle_chat(session, "w" * 64)
        new = referral(session, idle_chat(session, "n" * 64), "new", urgency="urgent")
        claimed = referral(session, idle_chat(session, "c" * 64), "claimed", claimed_by=advocate.id)
        waiting = referral(session, waiting_chat, "waiting", claimed_by=advocate.id)
        relay(session, claimed, "child", LONG_AGO)
        relay(session, waiting, "advocate", utcnow())  # the advocate's latest words, unread
        old_closed = referral(
            session, waiting_chat, "closed", closed_at=utcnow() - timedelta(days=100)
        )
        relay(session, old_closed, "child", LONG_AGO)
        relay(session, old_closed, "advocate", LONG_AGO)
        # A chat still in use, with a referral closed only lately: all of it stays.
        recent = Chat(key="r" * 64, channel="web")
        session.add(recent)
        session.flush()
        session.add(Event(session_id=recent.id, channel="web", redacted="can i see my mum"))
        recent_closed = referral(
            session, recent.id, "closed", closed_at=utcnow() - timedelta(days=10)
        )
        session.commit()
        kept = {new.id, claimed.id, waiting.id, recent_closed.id}

    with Session(database) as session:
        counts = storage.purge(session=session, retention_days=90)
        session.commit()

    assert counts == {"events": 3, "relay_messages": 3, "referrals": 1, "chats": 3}
    with Session(database) as session:
        referrals = {r.id: r for r in session.exec(select(Referral))}
        assert set(referrals) == kept
        for made, status in ((new, "new"), (claimed, "claimed"), (waiting, "waiting")):
            left = referrals[made.id]
            assert left.status == status
            assert left.summary == f"summary of a {status} one"  # kept until it is closed
            assert left.session_id is None  # the chat and its route back are gone
        assert referrals[new.id].urgency == "urgent"
        assert [chat.key for chat in session.exec(select(Chat))] == ["r" * 64]
        assert [e.redacted for e in session.exec(select(Event))] == ["can i see my mum"]
        [unread] = session.exec(select(RelayMessage)).all()
        assert unread.referral_id == waiting.id and unread.sender == "advocate"


def test_the_purge_command_reports_what_went_and_keeps_open_referrals(
    database: Engine, database_url: str, tmp_path: Path
) -> None:
    with Session(database) as session:
        first = idle_chat(session, "a" * 64)
        for status, key in (("new", "a"), ("claimed", "b"), ("waiting", "c")):
            chat_id = first if key == "a" else idle_chat(session, key * 64)
            referral(session, chat_id, status)
        referral(session, first, "closed", closed_at=LONG_AGO)
        session.commit()

    result = run_purge(tmp_path, database_url)

    assert result.stdout.strip() == (
        "events: 3 removed, relay messages: 0 removed, referrals: 1 removed, chats: 3 removed"
    )
    with Session(database) as session:
        statuses = sorted(r.status for r in session.exec(select(Referral)))
    assert statuses == ["claimed", "new", "waiting"]


def test_purged_words_leave_the_disk(settings: Any, database: Engine, tmp_path: Path) -> None:
    if database.dialect.name != "sqlite":
        pytest.skip("reads SQLite's own files; PostgreSQL is vacuumed by purge instead")
    with Session(database) as session:
        idle_chat(session, "q" * 64, words=f"the {INVENTED} room again")
        session.commit()
    files = [tmp_path / f"rightsline.db{end}" for end in ("", "-wal", "-shm")]
    assert any(INVENTED.encode() in on_disk(path) for path in files)

    # The test's own connection stays open, as a running service's would.
    run_purge(tmp_path, settings.resolved_database_url())

    with Session(database) as session:
        assert session.exec(select(Event)).all() == []
    assert [path.name for path in files if INVENTED.encode() in on_disk(path)] == []


async def test_purge_removes_what_is_past_retention(runtime: Any) -> None:
    conversation = runtime.conversation
    await conversation.handle("old" * 8, "web", Inbound(text="can i complain"))
    await conversation.set_route("old" * 8, "telegram", "encrypted-route")
    await conversation.handle("new" * 8, "web", Inbound(payload="talk"))
    await conversation.handle("new" * 8, "web", Inbound(payload="advocate:yes"))
    with Session(runtime.database) as session:
        old = storage.find_chat(session=session, key="old" * 8)
        assert old is not None
        old.last_seen_at = LONG_AGO
        for event in session.exec(select(Event).where(Event.session_id == old.id)):
            event.created_at = LONG_AGO
        session.commit()
    with Session(runtime.database) as session:
        counts = storage.purge(session=session, retention_days=90)
        session.commit()
    assert counts["chats"] == 1 and counts["events"] >= 1
    with Session(runtime.database) as session:
        keys = [chat.key for chat in session.exec(select(Chat))]
        assert keys == ["new" * 8]
        assert all(chat.route is None for chat in session.exec(select(Chat)))
        assert len(session.exec(select(Referral)).all()) == 1


async def test_closed_referrals_go_after_retention(runtime: Any) -> None:
    conversation = runtime.conversation
    await conversation.handle("k" * 64, "web", Inbound(payload="advocate:yes"))
    with Session(runtime.database) as session:
        made = session.exec(select(Referral)).one()
        made.status, made.closed_at = "closed", utcnow() - timedelta(days=100)
        session.commit()
        storage.purge(session=session, retention_days=90)
        session.commit()
        assert session.exec(select(Referral)).all() == []
