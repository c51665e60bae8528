"""Database tables. Nothing here holds a name, a contact detail or a raw chat id."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import AutoString, Field, SQLModel

from service.vocabulary import Status, Urgency


def utcnow() -> datetime:
    """The time now, in UTC (the columns store aware times)."""
    return datetime.now(UTC)


class Chat(SQLModel, table=True):
    """One conversation, known only by a keyed hash of its chat id or session token."""

    __tablename__ = "chat_session"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True, max_length=64)
    channel: str = Field(max_length=16)  # web, telegram, console
    role: str | None = Field(default=None, max_length=16)
    setting: str | None = Field(default=None, max_length=16)
    # The establishment named, by its id in content/data/places.yaml (not personal: it says
    # which rules and which nation's bodies apply).
    place: str | None = Field(default=None, max_length=32)
    topic: str | None = Field(default=None, max_length=16)  # the topic last answered
    step: int = 0  # how many "tell me more" steps have been shown for that topic
    awaiting: str | None = Field(default=None, max_length=16)  # a question asked, e.g. "consent"
    # The risks "Are you safe right now?" was asked about (comma-separated; often none): a
    # "No" is referred with them.
    worries: str = Field(default="", max_length=32)
    route: str | None = None  # encrypted address for relaying replies (e.g. a Telegram chat id)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow, index=True)


class Event(SQLModel, table=True):
    """One message from a user: only the redacted text and what was understood."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: int | None = Field(
        default=None, foreign_key="chat_session.id", index=True, ondelete="SET NULL"
    )
    channel: str = Field(max_length=16)
    redacted: str | None = None
    topic: str | None = Field(default=None, max_length=16, index=True)
    risks: str = Field(default="", max_length=64)  # comma-separated labels
    # Worrying words with no named risk: the child was asked "Are you safe right now?".
    check_in: bool = False
    role: str | None = Field(default=None, max_length=16)
    setting: str | None = Field(default=None, max_length=16, index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class Advocate(SQLModel, table=True):
    """An independent advocate (or admin) who works the referral queue."""

    # The audit log names advocates by id: an id is never given to someone else.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, unique=True, max_length=254)
    name: str = Field(default="", max_length=120)
    password_hash: str
    is_admin: bool = False
    active: bool = True
    # Every token carries the version it was issued under; signing out or deactivating
    # raises it, so all the advocate's older tokens and cookies stop working at once.
    token_version: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class Referral(SQLModel, table=True):
    """A child's request for an advocate, or an urgent alert raised by the risk screen."""

    # SQLite would otherwise hand a deleted referral's id to the next one, and the audit log
    # would show that one's claims and closes; PostgreSQL's sequences never go back.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    session_id: int | None = Field(
        default=None, foreign_key="chat_session.id", index=True, ondelete="SET NULL"
    )
    # Typed by their Literal; stored as the same short strings as ever.
    status: Status = Field(default="new", sa_type=AutoString(length=16), index=True)
    urgency: Urgency = Field(default="normal", sa_type=AutoString(length=8))
    topic: str | None = Field(default=None, max_length=16)
    setting: str | None = Field(default=None, max_length=16)
    # Who wrote in (child, family, professional): kept here, as it must outlast the chat.
    role: str | None = Field(default=None, max_length=16)
    risks: str = Field(default="", max_length=64)
    summary: str = ""  # redacted
    outcome: str | None = Field(default=None, max_length=32)
    claimed_by: int | None = Field(default=None, foreign_key="advocate.id")
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
    claimed_at: datetime | None = None
    closed_at: datetime | None = Field(default=None, index=True)
    # When the child's words made it urgent while an advocate held it, until that advocate
    # answers: the queue's alarm counts it as urgent and waiting again.
    raised_at: datetime | None = None


class RelayMessage(SQLModel, table=True):
    """A message passed between an advocate and a child through a referral."""

    __tablename__ = "relay_message"

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True, ondelete="CASCADE")
    session_id: int | None = Field(
        default=None, foreign_key="chat_session.id", index=True, ondelete="SET NULL"
    )
    sender: str = Field(max_length=16)  # child, advocate, rightsline (service/vocabulary.py)
    advocate_id: int | None = Field(default=None, foreign_key="advocate.id")
    text: str  # an advocate's words, a child's words redacted, or Rightsline's own
    created_at: datetime = Field(default_factory=utcnow)
    delivered_at: datetime | None = None


class ReferralNote(SQLModel, table=True):
    """An advocate's private note on a referral, or the reason it was passed on: for
    advocates only, never sent to the child. Redacted before it is stored, like a child's words."""

    __tablename__ = "referral_note"

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True, ondelete="CASCADE")
    advocate_id: int | None = Field(default=None, foreign_key="advocate.id")
    kind: str = Field(default="note", max_length=16)  # note, or pass (why it was passed on)
    text: str  # redacted
    created_at: datetime = Field(default_factory=utcnow, index=True)


class AuditEntry(SQLModel, table=True):
    """Who looked at or did what, and when."""

    __tablename__ = "audit_entry"
    # Ids only ever grow, so a gap shows where entries went missing.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    advocate_id: int | None = Field(default=None, foreign_key="advocate.id", index=True)
    action: str = Field(max_length=32)
    referral_id: int | None = Field(default=None, index=True)
    detail: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class ProcessedUpdate(SQLModel, table=True):
    """An inbound update id already handled, so a resent one is handled once."""

    __tablename__ = "processed_update"

    key: str = Field(primary_key=True, max_length=80)
    created_at: datetime = Field(default_factory=utcnow, index=True)
