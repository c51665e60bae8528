"""Storage functions for sessions, events, referrals and retention; each takes an open Session."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

from service.models import (
    ChatSession,
    Event,
    ProcessedUpdate,
    Referral,
    RelayMessage,
    utcnow,
)

OPEN = ("new", "claimed", "waiting")


def find_chat(*, session: Session, key: str) -> ChatSession | None:
    return session.exec(select(ChatSession).where(ChatSession.key == key)).first()


def get_or_create_chat(*, session: Session, key: str, channel: str) -> ChatSession:
    chat = find_chat(session=session, key=key)
    if chat is None:
        chat = ChatSession(key=key, channel=channel)
        session.add(chat)
        session.flush()
    chat.last_seen_at = utcnow()
    return chat


def add_event(
    *,
    session: Session,
    chat: ChatSession,
    redacted: str | None,
    topic: str | None,
    risks: Iterable[str],
) -> Event:
    """Record one inbound message: the redacted text only, never the original."""
    event = Event(
        session_id=chat.id,
        channel=chat.channel,
        redacted=redacted,
        topic=topic,
        risks=",".join(sorted(risks)),
        role=chat.role,
        setting=chat.setting,
    )
    session.add(event)
    return event


def recent_redacted(*, session: Session, chat: ChatSession, limit: int = 5) -> list[str]:
    rows = session.exec(
        select(Event.redacted)
        .where(Event.session_id == chat.id, col(Event.redacted).is_not(None))
        .order_by(col(Event.id).desc())
        .limit(limit)
    ).all()
    return [text for text in reversed(rows) if text]


def open_referral(*, session: Session, chat: ChatSession) -> Referral | None:
    return session.exec(
        select(Referral)
        .where(Referral.session_id == chat.id, col(Referral.status).in_(OPEN))
        .order_by(col(Referral.id).desc())
    ).first()


def create_referral(
    *,
    session: Session,
    chat: ChatSession,
    urgency: str,
    risks: Iterable[str] = (),
    summary: str = "",
) -> Referral:
    """Open a referral for this chat, or raise the one already open (never two at once)."""
    risks = set(risks)
    referral = open_referral(session=session, chat=chat)
    if referral is None:
        referral = Referral(session_id=chat.id, urgency=urgency)
        session.add(referral)
    elif urgency == "urgent":
        referral.urgency = "urgent"
    referral.topic = chat.topic or referral.topic
    referral.setting = chat.setting or referral.setting
    referral.risks = ",".join(sorted(risks | set(filter(None, referral.risks.split(",")))))
    referral.summary = summary or referral.summary
    referral.updated_at = utcnow()
    session.flush()
    return referral


def pass_to_advocate(*, session: Session, chat: ChatSession, redacted: str) -> bool:
    """A child's (redacted) words join the referral an advocate is working on."""
    referral = open_referral(session=session, chat=chat)
    if referral is None or referral.id is None or referral.status not in ("claimed", "waiting"):
        return False
    session.add(
        RelayMessage(referral_id=referral.id, session_id=chat.id, sender="child", text=redacted)
    )
    referral.status = "claimed"  # the advocate's turn again
    referral.updated_at = utcnow()
    return True


def take_advocate_messages(*, session: Session, chat: ChatSession) -> list[RelayMessage]:
    """Advocate messages not yet shown to this chat; marks them delivered."""
    rows = list(
        session.exec(
            select(RelayMessage)
            .where(
                RelayMessage.session_id == chat.id,
                RelayMessage.sender == "advocate",
                col(RelayMessage.delivered_at).is_(None),
            )
            .order_by(col(RelayMessage.id))
        ).all()
    )
    now = utcnow()
    for row in rows:
        row.delivered_at = now
    return rows


def forget_chat(*, session: Session, key: str) -> bool:
    """Erase everything held for one chat: messages, referrals, events and the route back."""
    chat = find_chat(session=session, key=key)
    if chat is None:
        return False
    referral_ids = select(Referral.id).where(Referral.session_id == chat.id)
    session.exec(
        delete(RelayMessage).where(
            or_(
                col(RelayMessage.session_id) == chat.id,
                col(RelayMessage.referral_id).in_(referral_ids),
            )
        )
    )
    session.exec(delete(Referral).where(col(Referral.session_id) == chat.id))
    session.exec(delete(Event).where(col(Event.session_id) == chat.id))
    session.delete(chat)
    return True


def purge(*, session: Session, retention_days: int, now: datetime | None = None) -> dict[str, int]:
    """Apply retention: old events, closed referrals and idle sessions (with their routes) go."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    counts: dict[str, int] = {}
    old_closed = select(Referral.id).where(
        Referral.status == "closed", col(Referral.closed_at) < cutoff
    )
    session.exec(delete(RelayMessage).where(col(RelayMessage.referral_id).in_(old_closed)))
    counts["referrals"] = session.exec(
        delete(Referral).where(col(Referral.id).in_(old_closed))
    ).rowcount
    counts["events"] = session.exec(delete(Event).where(col(Event.created_at) < cutoff)).rowcount
    idle = list(
        session.exec(select(ChatSession).where(col(ChatSession.last_seen_at) < cutoff)).all()
    )
    for chat in idle:
        forget_chat(session=session, key=chat.key)
    counts["sessions"] = len(idle)
    session.exec(delete(ProcessedUpdate).where(col(ProcessedUpdate.created_at) < cutoff))
    return counts
