"""Storage functions for sessions, events, referrals and retention; each takes an open Session."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, or_, update
from sqlmodel import Session, col, select

from content.schema import reported_topic
from service.models import (
    Chat,
    Event,
    ProcessedUpdate,
    Referral,
    ReferralNote,
    RelayMessage,
    utcnow,
)
from service.vocabulary import HELD, OPEN, TO_CHILD, Urgency


def find_chat(*, session: Session, key: str) -> Chat | None:
    return session.exec(select(Chat).where(Chat.key == key)).first()


def find_chat_and_referral(*, session: Session, key: str) -> tuple[Chat | None, Referral | None]:
    """The chat known by `key` and its open referral (as `open_referral`), in one query: a
    chat turn needs both."""
    row = session.exec(
        select(Chat, Referral)
        .outerjoin(Referral, _open_for(col(Chat.id)))
        .where(Chat.key == key)
        .order_by(col(Referral.id).desc())
    ).first()
    return (row[0], row[1]) if row is not None else (None, None)


def get_or_create_chat(
    *,
    session: Session,
    key: str,
    channel: str,
    route: str | None = None,
    found: Chat | None = None,
) -> Chat:
    """The chat known by `key`, made if need be. `route`, the (encrypted) way back to it for
    a channel that pushes, is kept when the chat has none yet. `found`: the chat, already
    read by the caller (it is not read again)."""
    chat = found or find_chat(session=session, key=key)
    if chat is None:
        chat = Chat(key=key, channel=channel)
        session.add(chat)
        session.flush()
    if route is not None and chat.route is None:
        chat.route = route
    chat.last_seen_at = utcnow()
    return chat


def add_event(
    *,
    session: Session,
    chat: Chat,
    redacted: str | None,
    topic: str | None,
    risks: Iterable[str],
    check_in: bool = False,
) -> Event:
    """Record one inbound message: the redacted text only, never the original."""
    event = Event(
        check_in=check_in,
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


def has_event(*, session: Session, chat: Chat, at: datetime, risks: Iterable[str]) -> bool:
    """Whether this chat already has a message recorded at `at` with these risks."""
    found = session.exec(
        select(Event.id).where(
            Event.session_id == chat.id,
            Event.created_at == at,
            Event.risks == ",".join(sorted(risks)),
        )
    ).first()
    return found is not None


def recent_redacted(*, session: Session, chat: Chat, limit: int = 5) -> list[str]:
    rows = session.exec(
        select(Event.redacted)
        .where(Event.session_id == chat.id, col(Event.redacted).is_not(None))
        .order_by(col(Event.id).desc())
        .limit(limit)
    ).all()
    return [text for text in reversed(rows) if text]


def earlier_risk_words(*, session: Session, chat: Chat, limit: int = 5) -> list[str]:
    """The redacted words of this chat's last few messages that showed a risk."""
    rows = session.exec(
        select(Event.redacted)
        .where(
            Event.session_id == chat.id,
            col(Event.redacted).is_not(None),
            col(Event.risks) != "",
        )
        .order_by(col(Event.id).desc())
        .limit(limit)
    ).all()
    return [text for text in rows if text]


def _open_for(chat_id: Any) -> Any:
    """A referral of this chat that is still open (the newest, where a query orders by id)."""
    return and_(col(Referral.session_id) == chat_id, col(Referral.status).in_(OPEN))


def open_referral(*, session: Session, chat: Chat) -> Referral | None:
    return session.exec(
        select(Referral).where(_open_for(chat.id)).order_by(col(Referral.id).desc())
    ).first()


def create_referral(
    *,
    session: Session,
    chat: Chat,
    urgency: Urgency,
    risks: Iterable[str] = (),
    summary: str = "",
    topic: str | None = None,
    no_words: str = "",
) -> Referral:
    """Open a referral for this chat, or raise the one already open (never two at once).
    Its topic is the chat's, else `topic`: what the message that raised it was about. A
    `summary` of no words keeps the words it already has, else says `no_words`."""
    risks = set(risks)
    referral = open_referral(session=session, chat=chat)
    if referral is None:
        referral = Referral(session_id=chat.id, urgency=urgency)
        session.add(referral)
    elif urgency == "urgent":
        referral.urgency = "urgent"
        if referral.status in HELD and referral.raised_at is None:
            referral.raised_at = utcnow()  # its holder must see it at once (service/queue.py)
    said = chat.topic or topic
    referral.topic = reported_topic(said) if said else referral.topic
    referral.setting = chat.setting or referral.setting
    referral.role = chat.role or referral.role
    referral.risks = ",".join(sorted(risks | set(filter(None, referral.risks.split(",")))))
    referral.summary = summary or referral.summary or no_words
    referral.updated_at = utcnow()
    session.flush()
    return referral


def pass_to_advocate(*, session: Session, chat: Chat, redacted: str) -> bool:
    """A child's (redacted) words join the referral an advocate is working on."""
    referral = open_referral(session=session, chat=chat)
    return pass_to(session=session, chat=chat, referral=referral, redacted=redacted)


def pass_to(*, session: Session, chat: Chat, referral: Referral | None, redacted: str) -> bool:
    """As `pass_to_advocate`, with the chat's open referral (or None) already found."""
    if referral is None or referral.id is None or referral.status not in ("claimed", "waiting"):
        return False
    session.add(
        RelayMessage(referral_id=referral.id, session_id=chat.id, sender="child", text=redacted)
    )
    referral.status = "claimed"  # the advocate's turn again
    referral.updated_at = utcnow()
    return True


def _not_delivered() -> tuple[Any, ...]:
    """A message for the child (an advocate's, or Rightsline's own) that has not reached them
    yet: the one test of delivered_at."""
    return (col(RelayMessage.sender).in_(TO_CHILD), col(RelayMessage.delivered_at).is_(None))


def mark_delivered(*, session: Session, messages: Iterable[RelayMessage]) -> None:
    now = utcnow()
    for message in messages:
        message.delivered_at = now


def take_advocate_messages(*, session: Session, chat: Chat) -> list[RelayMessage]:
    """Messages for this chat not yet shown (an advocate's, or Rightsline's own saying the
    advocate has finished); marks them delivered."""
    rows = list(
        session.exec(
            select(RelayMessage)
            .where(RelayMessage.session_id == chat.id, *_not_delivered())
            .order_by(col(RelayMessage.id))
        ).all()
    )
    mark_delivered(session=session, messages=rows)
    return rows


def undelivered(*, session: Session, channel: str, after: datetime, before: datetime) -> list[int]:
    """Ids of messages for the child (see `_not_delivered`) to this channel's chats, written
    between `after` and `before`, that have not been delivered, oldest first."""
    rows = session.exec(
        select(RelayMessage.id)
        .join(Chat, col(RelayMessage.session_id) == col(Chat.id))
        .where(
            *_not_delivered(),
            Chat.channel == channel,
            col(RelayMessage.created_at) < before,
            col(RelayMessage.created_at) > after,
        )
        .order_by(col(RelayMessage.id))
    ).all()
    return [row for row in rows if row is not None]


def claim_update(*, session: Session, key: str) -> None:
    """Record an inbound update as handled. Its key is the primary key, so of two copies
    racing only one commit succeeds; the other raises IntegrityError."""
    session.add(ProcessedUpdate(key=key))


def forget_chat(*, session: Session, key: str, note: str = "") -> bool:
    """Erase one chat's words (events, relay messages, summaries, notes) and the route back.

    An urgent referral, or one an advocate has taken on and not closed, stays as a record with
    no words: its labels, times, urgency and status, with `note` as its summary. So the fact
    that an urgent referral was raised is never lost, and an advocate's case never vanishes.
    Any other referral (not urgent, and not yet claimed or already closed) goes.
    """
    chat = find_chat(session=session, key=key)
    if chat is None:
        return False
    referral_ids = select(Referral.id).where(Referral.session_id == chat.id)
    # Advocates' notes on the child's referrals are words about them: they go too.
    session.exec(delete(ReferralNote).where(col(ReferralNote.referral_id).in_(referral_ids)))
    session.exec(
        delete(RelayMessage).where(
            or_(
                col(RelayMessage.session_id) == chat.id,
                col(RelayMessage.referral_id).in_(referral_ids),
            )
        )
    )
    session.exec(
        delete(Referral).where(
            col(Referral.session_id) == chat.id,
            col(Referral.urgency) != "urgent",
            col(Referral.status).in_(("new", "closed")),
        )
    )
    session.exec(
        update(Referral)  # type: ignore[call-overload]
        .where(col(Referral.session_id) == chat.id)
        .values(summary=note, session_id=None, updated_at=utcnow())
    )
    session.exec(delete(Event).where(col(Event.session_id) == chat.id))
    session.delete(chat)
    return True


def purge(*, session: Session, retention_days: int, now: datetime | None = None) -> dict[str, int]:
    """Apply retention, and count exactly what went.

    Words older than the retention period go (events, relay messages), and so do referrals
    closed that long ago and chats idle that long, with their route back. An open referral is
    never purged: it keeps its redacted summary until an advocate closes it.
    """
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    old_closed = select(Referral.id).where(
        Referral.status == "closed", col(Referral.closed_at) < cutoff
    )
    idle = select(Chat.id).where(col(Chat.last_seen_at) < cutoff)
    counts: dict[str, int] = {}
    counts["events"] = session.exec(
        delete(Event).where(or_(col(Event.created_at) < cutoff, col(Event.session_id).in_(idle)))
    ).rowcount
    counts["relay_messages"] = session.exec(
        delete(RelayMessage).where(
            or_(
                col(RelayMessage.created_at) < cutoff,
                col(RelayMessage.referral_id).in_(old_closed),
            )
        )
    ).rowcount
    # Advocates' notes go with the words they sit beside (not counted: the CLI's figures stay).
    session.exec(
        delete(ReferralNote).where(
            or_(
                col(ReferralNote.created_at) < cutoff,
                col(ReferralNote.referral_id).in_(old_closed),
            )
        )
    )
    counts["referrals"] = session.exec(
        delete(Referral).where(col(Referral.id).in_(old_closed))
    ).rowcount
    # What is left of an idle chat (its open referrals, an advocate's latest words) stays,
    # no longer tied to the chat, so it can go.
    for table in (Referral, RelayMessage):
        session.exec(
            update(table)  # type: ignore[call-overload]
            .where(col(table.session_id).in_(idle))
            .values(session_id=None)
        )
    counts["chats"] = session.exec(delete(Chat).where(col(Chat.last_seen_at) < cutoff)).rowcount
    session.exec(delete(ProcessedUpdate).where(col(ProcessedUpdate.created_at) < cutoff))
    return counts
