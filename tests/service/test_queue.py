"""The referral queue after a flood: every unclaimed urgent referral is in sight; the rest page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session

from service import queue, storage
from service.models import Referral, utcnow


def flood(runtime: Any, *, urgent: int, normal: int) -> None:
    """Referrals from many chats, oldest first; the newest is one urgent one."""
    with Session(runtime.database) as session:
        start = utcnow() - timedelta(hours=5)
        for n in range(urgent + normal):
            chat = storage.get_or_create_chat(session=session, key=f"{n:064d}", channel="web")
            referral = storage.create_referral(
                session=session,
                chat=chat,
                urgency="urgent" if n < urgent else "normal",
                risks=["abuse"] if n < urgent else [],
                summary=f"message {n}",
            )
            referral.created_at = start + timedelta(seconds=n)
        chat = storage.get_or_create_chat(session=session, key="z" * 64, channel="web")
        newest = storage.create_referral(
            session=session, chat=chat, urgency="urgent", risks=["self_harm"], summary="newest"
        )
        newest.created_at = utcnow()
        session.commit()


def test_a_new_urgent_referral_is_never_buried_by_a_flood(runtime: Any) -> None:
    flood(runtime, urgent=250, normal=60)
    with Session(runtime.database) as session:
        first = queue.list_referrals(session=session, limit=50)
        summaries = [referral.summary for referral, _ in first]
        assert "newest" in summaries
        assert sum(r.urgency == "urgent" for r, _ in first) == 251  # all of them, pinned
        assert queue.count_referrals(session=session) == 311
        # The next page holds the rest, and never an unclaimed urgent one again.
        second = queue.list_referrals(session=session, limit=50, offset=50)
        assert [r.urgency for r, _ in second] == ["normal"] * 10  # what page one left


def test_filters_narrow_the_queue(runtime: Any) -> None:
    flood(runtime, urgent=3, normal=4)
    with Session(runtime.database) as session:
        normal = queue.list_referrals(session=session, urgency="normal")
        assert {r.urgency for r, _ in normal} == {"normal"} and len(normal) == 4
        waited = queue.list_referrals(session=session, waited_minutes=60)
        assert "newest" not in [r.summary for r, _ in waited] and len(waited) == 7
        assert queue.count_referrals(session=session, urgency="urgent") == 4
        none: list[tuple[Referral, Any]] = queue.list_referrals(
            session=session, statuses=("closed",)
        )
        assert none == []
