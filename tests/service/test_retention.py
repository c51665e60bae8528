"""Retention: `purge` removes old events, closed referrals and idle sessions with their routes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from service import storage
from service.models import ChatSession, Event, Referral, utcnow
from service.replies import Inbound


async def test_purge_removes_what_is_past_retention(runtime: Any) -> None:
    conversation = runtime.conversation
    await conversation.handle("old" * 8, "web", Inbound(text="can i complain"))
    await conversation.set_route("old" * 8, "telegram", "encrypted-route")
    await conversation.handle("new" * 8, "web", Inbound(payload="talk"))
    await conversation.handle("new" * 8, "web", Inbound(payload="advocate:yes"))
    long_ago = utcnow() - timedelta(days=400)
    with Session(runtime.database) as session:
        old = storage.find_chat(session=session, key="old" * 8)
        assert old is not None
        old.last_seen_at = long_ago
        for event in session.exec(select(Event).where(Event.session_id == old.id)):
            event.created_at = long_ago
        session.commit()
    with Session(runtime.database) as session:
        counts = storage.purge(session=session, retention_days=90)
        session.commit()
    assert counts["sessions"] == 1 and counts["events"] >= 1
    with Session(runtime.database) as session:
        keys = [chat.key for chat in session.exec(select(ChatSession))]
        assert keys == ["new" * 8]
        assert all(chat.route is None for chat in session.exec(select(ChatSession)))
        assert len(session.exec(select(Referral)).all()) == 1


async def test_closed_referrals_go_after_retention(runtime: Any) -> None:
    conversation = runtime.conversation
    await conversation.handle("k" * 64, "web", Inbound(payload="advocate:yes"))
    with Session(runtime.database) as session:
        referral = session.exec(select(Referral)).one()
        referral.status, referral.closed_at = "closed", utcnow() - timedelta(days=100)
        session.commit()
        storage.purge(session=session, retention_days=90)
        session.commit()
        assert session.exec(select(Referral)).all() == []
