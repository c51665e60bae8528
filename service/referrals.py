"""The referral lifecycle for advocates: claim, reply, close, hand-over and notes, each audited,
and what they may see of a referral (the queue itself is service/queue.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, cast, get_args

from pydantic import BaseModel
from sqlalchemy import update
from sqlmodel import Session, col, select

from content.schema import Outcome
from service import audit
from service.audit import ChangedVia, Via
from service.models import Advocate, Event, Referral, ReferralNote, RelayMessage, utcnow
from service.queue import (
    QueueFilter,
    QueuePage,
    aware,
    is_overdue,
    places_of,
    queue_page,
    time_limit,
    waited_minutes,
)
from service.settings import Settings
from service.vocabulary import HELD, SENDERS, Sender

if TYPE_CHECKING:
    from service.relay import Relay

# The outcomes an advocate records when closing (content.schema.Outcome): these keys are
# stored; the words shown for them are the messages "outcome_<key>" in content.
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
MAX_REPLY = 2000


class ReferralError(Exception):
    """Something an advocate asked for that cannot be done; the message says why.

    `status` is the HTTP status both the dashboard and the API answer it with.
    """

    status = 409


class ReferralNotFound(ReferralError):
    status = 404


class ReferralConflict(ReferralError):
    """The referral is not in a state that allows this (claimed by someone else, closed...)."""

    status = 409


class NotAllowed(ReferralError):
    """This advocate may not do this to this referral."""

    status = 403


# ---- what an advocate sees --------------------------------------------------------------


class ReferralPublic(BaseModel):
    """A referral in the queue: never the session, its key or the route back to the child."""

    id: int
    status: str
    urgency: str
    topic: str | None
    setting: str | None
    role: str | None  # who wrote in: child, family or professional (None: not known)
    risks: list[str]
    summary: str
    created_at: datetime
    claimed_by: int | None
    claimed_by_name: str | None
    outcome: str | None
    waited_minutes: int
    overdue: bool
    # The establishment the chat named, by its id in content/data/places.yaml (None: not said,
    # or the chat is gone); and the time limit for its urgency, in minutes.
    place: str | None = None
    limit_minutes: int = 0
    # Held, and the child's words have turned it urgent since, unanswered (`waited_minutes`
    # then counts from those words).
    raised: bool = False


class ConversationLine(BaseModel):
    sender: Sender
    text: str
    at: datetime
    # For words to the child: whether they reached the chat (shown on the web page, or sent
    # to Telegram). None for the child's own words.
    reached: bool | None = None


class ReferralDetail(ReferralPublic):
    conversation: list[ConversationLine]


def to_public(
    referral: Referral,
    *,
    settings: Settings,
    now: datetime,
    claimer: Advocate | None,
    place: str | None = None,
) -> ReferralPublic:
    assert referral.id is not None
    return ReferralPublic(
        id=referral.id,
        status=referral.status,
        urgency=referral.urgency,
        topic=referral.topic,
        setting=referral.setting,
        role=referral.role,
        risks=[risk for risk in referral.risks.split(",") if risk],
        summary=referral.summary,
        created_at=aware(referral.created_at),
        claimed_by=referral.claimed_by,
        claimed_by_name=(claimer.name or claimer.email) if claimer is not None else None,
        outcome=referral.outcome,
        waited_minutes=waited_minutes(referral, now),
        overdue=is_overdue(referral, settings, now),
        place=place,
        limit_minutes=int(time_limit(referral, settings).total_seconds() // 60),
        raised=referral.raised_at is not None and referral.status in HELD,
    )


def outcome_words(messages: Mapping[str, str]) -> dict[str, str]:
    """Each outcome's key and the words advocates are shown for it, in the order offered."""
    return {key: messages.get(f"outcome_{key}", key) for key in OUTCOMES}


# ---- reading ----------------------------------------------------------------------------


def get_referral(*, session: Session, referral_id: int) -> Referral:
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise ReferralNotFound("There is no referral with that number.")
    return referral


def claimer_of(*, session: Session, referral: Referral) -> Advocate | None:
    return session.get(Advocate, referral.claimed_by) if referral.claimed_by else None


def conversation(*, session: Session, referral: Referral) -> list[ConversationLine]:
    """The redacted conversation from the referral's making to its close, oldest first.

    Until it was claimed the child's words are the events of their chat; while an advocate
    holds it they also arrive as relay messages, so an event that a relay message repeats is
    left out to avoid doubles (a referral can be unclaimed and claimed again, so the time of
    the claim alone cannot say which).
    """
    lines: list[ConversationLine] = []
    child_events: list[Event] = []
    if referral.session_id is not None:
        events = select(Event).where(
            Event.session_id == referral.session_id,
            col(Event.created_at) >= referral.created_at,
            col(Event.redacted).is_not(None),
        )
        if referral.closed_at is not None:
            # What the child writes after the close belongs to no referral (the privacy answer).
            events = events.where(col(Event.created_at) <= referral.closed_at)
        child_events = [
            event for event in session.exec(events.order_by(col(Event.id))).all() if event.redacted
        ]
    messages = session.exec(
        select(RelayMessage)
        .where(RelayMessage.referral_id == referral.id)
        .order_by(col(RelayMessage.id))
    ).all()
    for event in _not_relayed(child_events, messages):
        assert event.redacted is not None
        lines.append(
            ConversationLine(sender="child", text=event.redacted, at=aware(event.created_at))
        )
    for message in messages:
        sender = cast(Sender, message.sender if message.sender in SENDERS else "child")
        reached = None if sender == "child" else message.delivered_at is not None
        lines.append(
            ConversationLine(
                sender=sender, text=message.text, at=aware(message.created_at), reached=reached
            )
        )
    return sorted(lines, key=lambda line: line.at)


# A child's words while an advocate holds the referral are kept twice in the same turn: as an
# event and as a relay message, a moment apart.
SAME_TURN = timedelta(seconds=5)


def _not_relayed(events: list[Event], messages: Sequence[RelayMessage]) -> list[Event]:
    """The events no child relay message repeats (same words, same turn), one for one."""
    relayed = [message for message in messages if message.sender == "child"]
    kept: list[Event] = []
    for event in events:
        twin = next(
            (
                message
                for message in relayed
                if message.text == event.redacted
                and abs(aware(message.created_at) - aware(event.created_at)) <= SAME_TURN
            ),
            None,
        )
        if twin is None:
            kept.append(event)
        else:
            relayed.remove(twin)
    return kept


def public_view(*, session: Session, referral: Referral, settings: Settings) -> ReferralPublic:
    """A referral as the queue shows it now, with the name of whoever claimed it."""
    claimer = claimer_of(session=session, referral=referral)
    place = places_of(session=session, referrals=[referral]).get(referral.id or 0)
    return to_public(referral, settings=settings, now=utcnow(), claimer=claimer, place=place)


def referral_detail(*, session: Session, referral_id: int, settings: Settings) -> ReferralDetail:
    referral = get_referral(session=session, referral_id=referral_id)
    public = public_view(session=session, referral=referral, settings=settings)
    lines = conversation(session=session, referral=referral)
    return ReferralDetail(**public.model_dump(), conversation=lines)


# ---- acting -----------------------------------------------------------------------------


def claim_referral(*, session: Session, referral_id: int, advocate: Advocate) -> Referral:
    """New becomes claimed by this advocate; claiming one's own again is harmless."""
    now = utcnow()
    # One conditional update, so two advocates pressing at once cannot both win.
    claimed = session.exec(  # type: ignore[call-overload]
        update(Referral)
        .where(col(Referral.id) == referral_id, col(Referral.status) == "new")
        .values(status="claimed", claimed_by=advocate.id, claimed_at=now, updated_at=now)
    ).rowcount
    session.flush()
    referral = get_referral(session=session, referral_id=referral_id)
    session.refresh(referral)
    if claimed:
        return referral
    if referral.status == "closed":
        raise ReferralConflict("This referral is closed.")
    if referral.claimed_by != advocate.id:
        raise ReferralConflict("Another advocate has already claimed this referral.")
    return referral


def _own_open(*, session: Session, referral_id: int, advocate: Advocate) -> Referral:
    referral = get_referral(session=session, referral_id=referral_id)
    if referral.status == "closed":
        raise ReferralConflict("This referral is closed.")
    if referral.status == "new":
        raise ReferralConflict("Claim this referral first.")
    if referral.claimed_by != advocate.id:
        raise NotAllowed("Another advocate has claimed this referral.")
    return referral


def reply_to_referral(
    *, session: Session, referral_id: int, advocate: Advocate, text: str
) -> RelayMessage:
    """The advocate's words, stored for the child's channel; now it is the child's turn."""
    referral = _own_open(session=session, referral_id=referral_id, advocate=advocate)
    if referral.session_id is None:
        raise ReferralConflict("The child's chat has ended, so a reply cannot reach them.")
    words = text.replace("\x00", "").strip()
    if not words:
        raise ReferralConflict("Write something to send.")
    message = RelayMessage(
        referral_id=referral_id,
        session_id=referral.session_id,
        sender="advocate",
        advocate_id=advocate.id,
        text=words[:MAX_REPLY],
    )
    session.add(message)
    referral.status = "waiting"
    referral.raised_at = None  # answered
    referral.updated_at = utcnow()
    session.flush()
    return message


def close_referral(
    *,
    session: Session,
    referral_id: int,
    advocate: Advocate,
    outcome: str,
    told: str = "",
    told_unanswered: str = "",
) -> Referral:
    """Only the advocate who claimed it, or an admin, closes it with one of the outcomes.

    `told` is what the child is then told (that the advocate has finished, and how to ask
    again): it waits for their channel as an advocate's reply does, if their chat is still there.
    `told_unanswered`, when given, is told instead if no advocate ever wrote back.
    """
    if outcome not in OUTCOMES:
        raise ReferralConflict("Choose one of the outcomes.")
    referral = get_referral(session=session, referral_id=referral_id)
    if referral.status == "closed":
        raise ReferralConflict("This referral is already closed.")
    if referral.claimed_by != advocate.id and not advocate.is_admin:
        raise NotAllowed("Only the advocate who claimed this referral, or an admin, can close it.")
    now = utcnow()
    referral.status = "closed"
    referral.outcome = outcome
    referral.closed_at = now
    referral.updated_at = now
    words = told.strip()
    if told_unanswered.strip() and not _answered(session, referral_id):
        words = told_unanswered.strip()
    if words and referral.session_id is not None:
        session.add(
            RelayMessage(
                referral_id=referral_id,
                session_id=referral.session_id,
                sender="rightsline",
                advocate_id=advocate.id,
                text=words[:MAX_REPLY],
            )
        )
    session.flush()
    return referral


def _answered(session: Session, referral_id: int) -> bool:
    """Whether an advocate has written back on this referral."""
    written = session.exec(
        select(RelayMessage.id).where(
            RelayMessage.referral_id == referral_id, RelayMessage.sender == "advocate"
        )
    ).first()
    return written is not None


# ---- what an advocate does, audited and committed ----------------------------------------
# The dashboard and the API both call these, saying which they are (`via`) for the audit
# log; each one changes the referral, records it and commits, or undoes it all and raises
# the ReferralError that says why not.


def _noted(via: Via, *words: str) -> str:
    """The audit detail of an action on one referral: the dashboard's rows start with
    "dashboard"; the API's hold only the words."""
    return " ".join(("dashboard", *words) if via == "dashboard" else words)


@contextmanager
def _refused_undone(session: Session) -> Iterator[None]:
    try:
        yield
    except ReferralError:
        session.rollback()
        raise


@dataclass(frozen=True)
class QueueView:
    """One page of the queue as an advocate sees it, and when it was read."""

    found: QueuePage
    rows: list[ReferralPublic]
    now: datetime


def view_queue(
    *,
    session: Session,
    filters: QueueFilter,
    page: int,
    per_page: int,
    settings: Settings,
    by: Advocate,
    via: Via,
) -> QueueView:
    """A page of the queue, recorded in the audit log with the filters used."""
    found = queue_page(
        session=session, filters=filters, page=page, per_page=per_page, settings=settings
    )
    now = utcnow()
    places = places_of(session=session, referrals=[referral for referral, _ in found.rows])
    rows = [
        to_public(
            referral,
            settings=settings,
            now=now,
            claimer=claimer,
            place=places.get(referral.id or 0),
        )
        for referral, claimer in found.rows
    ]
    if via == "dashboard":
        detail = f"dashboard {filters.describe()}" + (f" page {page}" if page > 1 else "")
    else:
        detail = f"api {filters.status}"
    audit.record(session=session, advocate=by, action="view_queue", detail=detail)
    session.commit()
    return QueueView(found=found, rows=rows, now=now)


def view(
    *, session: Session, referral_id: int, settings: Settings, by: Advocate, via: Via
) -> ReferralDetail:
    """One referral with its conversation, recorded as seen; ReferralNotFound if none."""
    detail = referral_detail(session=session, referral_id=referral_id, settings=settings)
    audit.record(
        session=session, advocate=by, action="view", referral_id=referral_id, detail=_noted(via)
    )
    session.commit()
    return detail


def claim(*, session: Session, referral_id: int, by: Advocate, via: Via) -> Referral:
    """The advocate `by` claims the referral (see `claim_referral`), audited and committed."""
    with _refused_undone(session):
        referral = claim_referral(session=session, referral_id=referral_id, advocate=by)
    audit.record(
        session=session, advocate=by, action="claim", referral_id=referral_id, detail=_noted(via)
    )
    session.commit()
    return referral


def reply(*, session: Session, referral_id: int, by: Advocate, text: str, via: Via) -> int:
    """The advocate's words stored for the child (see `reply_to_referral`); the message id."""
    with _refused_undone(session):
        message = reply_to_referral(
            session=session, referral_id=referral_id, advocate=by, text=text
        )
    audit.record(
        session=session, advocate=by, action="reply", referral_id=referral_id, detail=_noted(via)
    )
    session.commit()
    assert message.id is not None
    return message.id


@dataclass(frozen=True)
class Sent:
    message_id: int
    pushed: bool  # True when a pushing channel (Telegram) took it now; web chats poll


async def send_reply(
    *, session: Session, relay: Relay, referral_id: int, by: Advocate, text: str, via: Via
) -> Sent:
    """`reply`, off the event loop, then handed to the relay for the child's channel."""
    message_id = await asyncio.to_thread(
        reply, session=session, referral_id=referral_id, by=by, text=text, via=via
    )
    return Sent(message_id=message_id, pushed=await relay.deliver(message_id))


def close(
    *,
    session: Session,
    referral_id: int,
    by: Advocate,
    outcome: str,
    via: Via,
    told: str = "",
    told_unanswered: str = "",
) -> Referral:
    """Closed with an outcome (see `close_referral`), audited and committed."""
    with _refused_undone(session):
        referral = close_referral(
            session=session,
            referral_id=referral_id,
            advocate=by,
            outcome=outcome,
            told=told,
            told_unanswered=told_unanswered,
        )
    audit.record(
        session=session,
        advocate=by,
        action="close",
        referral_id=referral_id,
        detail=_noted(via, "outcome", outcome),
    )
    session.commit()
    return referral


async def finish(
    *,
    session: Session,
    relay: Relay,
    referral_id: int,
    by: Advocate,
    outcome: str,
    via: Via,
    told: str,
    told_unanswered: str = "",
) -> Referral:
    """`close`, off the event loop; then what the child is `told` goes to their channel
    (pushed now to Telegram; a web chat reads it when the page next asks)."""
    referral = await asyncio.to_thread(
        close,
        session=session,
        referral_id=referral_id,
        by=by,
        outcome=outcome,
        via=via,
        told=told,
        told_unanswered=told_unanswered,
    )
    told_id = await asyncio.to_thread(_told_id, session, referral_id)
    if told_id is not None:
        await relay.deliver(told_id)
    return referral


def _told_id(session: Session, referral_id: int) -> int | None:
    """The newest message from Rightsline itself on this referral, if there is one."""
    return session.exec(
        select(RelayMessage.id)
        .where(RelayMessage.referral_id == referral_id, RelayMessage.sender == "rightsline")
        .order_by(col(RelayMessage.id).desc())
    ).first()


# ---- hand-over and notes ----------------------------------------------------------------
# An advocate gives back a referral they hold (unclaim) or passes it to a named colleague with
# a line of why; an admin reassigns any open referral. Advocates keep private notes on a
# referral. The child is never told who holds their referral: on a pass or a reassign, only
# that someone else is helping now. The reason and the notes are redacted (`redact`, the
# engine's analysis) before they are kept, and never reach the child.

MAX_NOTE = 2000  # the engine's analysis reads this much, so all of a note is redacted
Redact = Callable[[str], str]


class NoSuchColleague(ReferralError):
    """The advocate a referral was to go to is unknown or no longer active."""

    status = 422


class NotRedacted(ReferralError):
    """The words could not be redacted just now, so they are not kept at all."""

    status = 503


def _clean(text: str, *, missing: str) -> str:
    words = text.replace("\x00", "").strip()
    if not words:
        raise ReferralConflict(missing)
    if len(words) > MAX_NOTE:
        raise ReferralConflict(f"Keep it under {MAX_NOTE} characters.")
    return words


def _redacted(redact: Redact, words: str) -> str:
    """The words with names, numbers and other details taken out; nothing kept if that fails."""
    try:
        redacted = redact(words).strip()
    except Exception as error:  # noqa: BLE001 - the words are refused, never kept unredacted
        raise NotRedacted(
            "This could not be saved just now, as names and numbers could not be taken out. "
            "Please try again in a minute."
        ) from error
    return redacted or "(nothing kept)"


def _colleague(*, session: Session, advocate_id: int) -> Advocate:
    colleague = session.get(Advocate, advocate_id)
    if colleague is None or not colleague.active:
        raise NoSuchColleague(
            "That advocate is not on the team now, so the referral cannot go to them. "
            "Please choose someone else."
        )
    return colleague


def colleagues(*, session: Session) -> list[Advocate]:
    """Every active advocate, by name: who a referral can be passed or reassigned to."""
    found = session.exec(select(Advocate).where(col(Advocate.active).is_(True))).all()
    return sorted(found, key=lambda advocate: (advocate.name or advocate.email).lower())


def _move(session: Session, referral: Referral, **values: Any) -> None:
    """Change who holds the referral, only if no one else has since it was read: one
    conditional update, as for a claim, so two hand-overs at once cannot both win. (The
    child's words may turn waiting into claimed meanwhile: that is no reason to refuse.)"""
    held = col(Referral.claimed_by)
    still = [
        col(Referral.id) == referral.id,
        held == referral.claimed_by if referral.claimed_by is not None else held.is_(None),
        col(Referral.status).in_(("new",) if referral.status == "new" else ("claimed", "waiting")),
    ]
    moved = session.exec(  # type: ignore[call-overload]
        update(Referral).where(*still).values(**values, updated_at=utcnow())
    ).rowcount
    session.flush()
    session.refresh(referral)
    if not moved:
        raise ReferralConflict("Someone else changed this referral just now. Look again first.")


def unclaim_referral(*, session: Session, referral_id: int, advocate: Advocate) -> Referral:
    """The holder gives it back: new again, in the queue for anyone, as before it was claimed."""
    referral = _own_open(session=session, referral_id=referral_id, advocate=advocate)
    _move(session, referral, status="new", claimed_by=None, claimed_at=None, raised_at=None)
    return referral


@dataclass(frozen=True)
class Handed:
    """A referral handed to someone else, and what the child was told (its relay message)."""

    referral: Referral
    note: ReferralNote | None
    told_id: int | None


def _hand_to(
    *,
    session: Session,
    referral: Referral,
    colleague: Advocate,
    by: Advocate,
    why: str,
    told: str,
) -> Handed:
    """`colleague` now holds the referral; the (redacted) reason kept beside it, if any.

    `told` (someone else is helping now, never who) waits for the child's channel if their
    chat is still there and an advocate was already with them.
    """
    if colleague.id == referral.claimed_by:
        raise ReferralConflict("They already hold this referral.")
    now = utcnow()
    message = None
    words = told.strip()
    if words and referral.session_id is not None and referral.status != "new":
        assert referral.id is not None
        message = RelayMessage(
            referral_id=referral.id,
            session_id=referral.session_id,
            sender="rightsline",
            advocate_id=by.id,
            text=words[:MAX_REPLY],
            created_at=now,
        )
        session.add(message)
    if referral.status == "new":
        _move(session, referral, status="claimed", claimed_by=colleague.id, claimed_at=now)
    else:
        _move(session, referral, claimed_by=colleague.id)
    note = None
    if why:
        assert referral.id is not None
        note = ReferralNote(
            referral_id=referral.id, advocate_id=by.id, kind="pass", text=why, created_at=now
        )
        session.add(note)
    session.flush()
    return Handed(referral=referral, note=note, told_id=message.id if message else None)


def pass_referral(
    *,
    session: Session,
    referral_id: int,
    advocate: Advocate,
    to: int,
    reason: str,
    redact: Redact,
    told: str = "",
) -> Handed:
    """The holder passes it to an active colleague, saying why; the colleague now holds it."""
    referral = _own_open(session=session, referral_id=referral_id, advocate=advocate)
    colleague = _colleague(session=session, advocate_id=to)
    if colleague.id == advocate.id:
        raise ReferralConflict("This referral is already yours. Choose a colleague.")
    words = _clean(reason, missing="Say in a line why you are passing it on.")
    why = _redacted(redact, words)
    return _hand_to(
        session=session, referral=referral, colleague=colleague, by=advocate, why=why, told=told
    )


def reassign_referral(
    *,
    session: Session,
    referral_id: int,
    admin: Advocate,
    to: int,
    reason: str,
    redact: Redact,
    told: str = "",
) -> Handed:
    """An admin gives any open referral to any active advocate; the reason is optional."""
    if not admin.is_admin:
        raise NotAllowed("Only an admin can reassign a referral. You can pass on your own.")
    referral = get_referral(session=session, referral_id=referral_id)
    if referral.status == "closed":
        raise ReferralConflict("This referral is closed.")
    colleague = _colleague(session=session, advocate_id=to)
    words = reason.replace("\x00", "").strip()
    why = _redacted(redact, _clean(words, missing="")) if words else ""
    return _hand_to(
        session=session, referral=referral, colleague=colleague, by=admin, why=why, told=told
    )


def add_note(
    *, session: Session, referral_id: int, advocate: Advocate, text: str, redact: Redact
) -> ReferralNote:
    """Any advocate may note something on a referral; the child never sees it."""
    get_referral(session=session, referral_id=referral_id)
    words = _clean(text, missing="Write something to note.")
    note = ReferralNote(
        referral_id=referral_id, advocate_id=advocate.id, kind="note", text=_redacted(redact, words)
    )
    session.add(note)
    session.flush()
    return note


# Audited and committed, as claim and close are above.


def give_back_held(
    *, session: Session, holder: Advocate, by: Advocate | None, via: ChangedVia
) -> int:
    """Every open referral `holder` holds goes back to the queue, audited (not committed): an
    account switched off must not leave a child's case, urgent or not, with no one."""
    held = session.exec(
        select(Referral).where(Referral.claimed_by == holder.id, col(Referral.status).in_(HELD))
    ).all()
    for referral in held:
        _move(session, referral, status="new", claimed_by=None, claimed_at=None, raised_at=None)
        audit.record(
            session=session,
            advocate=by,
            action="unclaim",
            referral_id=referral.id,
            detail=f"{via} the account that held it was switched off",
        )
    return len(held)


def unclaim(*, session: Session, referral_id: int, by: Advocate, via: Via) -> Referral:
    """Given back to the queue (see `unclaim_referral`), audited and committed."""
    with _refused_undone(session):
        referral = unclaim_referral(session=session, referral_id=referral_id, advocate=by)
    audit.record(
        session=session, advocate=by, action="unclaim", referral_id=referral_id, detail=_noted(via)
    )
    session.commit()
    return referral


def _handed_detail(via: Via, to: int, note: ReferralNote | None) -> str:
    """'to 7 note 12': who it went to and which note says why, by id; never the words."""
    words = ["to", str(to)] + (["note", str(note.id)] if note is not None else [])
    return _noted(via, *words)


def pass_to(
    *,
    session: Session,
    referral_id: int,
    by: Advocate,
    to: int,
    reason: str,
    redact: Redact,
    via: Via,
    told: str = "",
) -> Handed:
    """Passed to a colleague (see `pass_referral`), audited and committed."""
    with _refused_undone(session):
        handed = pass_referral(
            session=session,
            referral_id=referral_id,
            advocate=by,
            to=to,
            reason=reason,
            redact=redact,
            told=told,
        )
    return _handed_audited(session, handed, by, "pass", via, referral_id, to)


def reassign(
    *,
    session: Session,
    referral_id: int,
    by: Advocate,
    to: int,
    reason: str,
    redact: Redact,
    via: Via,
    told: str = "",
) -> Handed:
    """Reassigned by an admin (see `reassign_referral`), audited and committed."""
    with _refused_undone(session):
        handed = reassign_referral(
            session=session,
            referral_id=referral_id,
            admin=by,
            to=to,
            reason=reason,
            redact=redact,
            told=told,
        )
    return _handed_audited(session, handed, by, "reassign", via, referral_id, to)


def _handed_audited(
    session: Session,
    handed: Handed,
    by: Advocate,
    action: Literal["pass", "reassign"],
    via: Via,
    referral_id: int,
    to: int,
) -> Handed:
    """The audit row of a hand-over (ids only, never the reason's words), then the commit."""
    detail = _handed_detail(via, to, handed.note)
    audit.record(
        session=session, advocate=by, action=action, referral_id=referral_id, detail=detail
    )
    session.commit()
    return handed


async def hand_over(
    *,
    session: Session,
    relay: Relay,
    referral_id: int,
    by: Advocate,
    to: int,
    reason: str,
    redact: Redact,
    via: Via,
    told: str,
    admin: bool = False,
) -> Referral:
    """`pass_to` (or, with `admin`, `reassign`) off the event loop; then what the child is
    `told` (someone else is helping now, never who) goes to their channel, as `finish` does."""
    action = reassign if admin else pass_to
    handed = await asyncio.to_thread(
        action,
        session=session,
        referral_id=referral_id,
        by=by,
        to=to,
        reason=reason,
        redact=redact,
        via=via,
        told=told,
    )
    if handed.told_id is not None:
        await relay.deliver(handed.told_id)
    return handed.referral


def note(
    *, session: Session, referral_id: int, by: Advocate, text: str, redact: Redact, via: Via
) -> ReferralNote:
    """A private note (see `add_note`), audited and committed."""
    with _refused_undone(session):
        kept = add_note(
            session=session, referral_id=referral_id, advocate=by, text=text, redact=redact
        )
    audit.record(
        session=session,
        advocate=by,
        action="note",
        referral_id=referral_id,
        detail=_noted(via, "note", str(kept.id)),
    )
    session.commit()
    return kept


# ---- the timeline -----------------------------------------------------------------------

TimelineKind = Literal["child", "advocate", "rightsline", "note", "change"]
# The audit actions that change who holds a referral, or its state.
CHANGES = ("claim", "unclaim", "pass", "reassign", "close")


class TimelineEntry(BaseModel):
    """One thing in a referral's life: a message, a private note, or a change of state."""

    kind: TimelineKind
    text: str
    who: str | None  # the advocate who wrote the note or made the change
    at: datetime
    reached: bool | None = None  # words to the child: whether they reached the chat yet


def _name(advocate: Advocate | None) -> str:
    if advocate is None:
        return "an advocate no longer known"
    return advocate.name or advocate.email


def _detail_ids(detail: str) -> dict[str, int]:
    """{'to': 7, 'note': 12} from an audit detail such as 'dashboard to 7 note 12'."""
    words = detail.split()
    return {
        word: int(value)
        for word, value in zip(words, words[1:], strict=False)
        if word in ("to", "note") and value.isdigit()
    }


def timeline(
    *, session: Session, referral_id: int, outcomes: Mapping[str, str] | None = None
) -> list[TimelineEntry]:
    """The child's messages, the replies, the notes and every change of state, oldest first."""
    referral = get_referral(session=session, referral_id=referral_id)
    entries = [
        TimelineEntry(kind=line.sender, text=line.text, who=None, at=line.at, reached=line.reached)
        for line in conversation(session=session, referral=referral)
    ]
    notes = session.exec(
        select(ReferralNote, Advocate)
        .join(Advocate, col(ReferralNote.advocate_id) == col(Advocate.id), isouter=True)
        .where(ReferralNote.referral_id == referral_id)
        .order_by(col(ReferralNote.id))
    ).all()
    reasons = {kept.id: kept for kept, _ in notes if kept.kind == "pass"}
    for kept, writer in notes:
        if kept.kind == "note":
            entries.append(
                TimelineEntry(
                    kind="note", text=kept.text, who=_name(writer), at=aware(kept.created_at)
                )
            )
    for entry, actor in reversed(
        audit.entries(session=session, referral_id=referral_id, limit=10_000)
    ):
        if entry.action not in CHANGES:
            continue
        ids = _detail_ids(entry.detail)
        words = _change_words(session, entry.action, entry.detail, ids, outcomes or {})
        reason = reasons.pop(ids["note"], None) if "note" in ids else None
        if reason is not None:
            words += f". Why: {reason.text}"
        entries.append(
            TimelineEntry(kind="change", text=words, who=_name(actor), at=aware(entry.created_at))
        )
    for reason in reasons.values():  # a reason whose audit row is gone still shows
        entries.append(
            TimelineEntry(
                kind="note",
                text=f"Why passed on: {reason.text}",
                who=None,
                at=aware(reason.created_at),
            )
        )
    return sorted(entries, key=lambda entry: entry.at)


def _change_words(
    session: Session, action: str, detail: str, ids: dict[str, int], outcomes: Mapping[str, str]
) -> str:
    if action in ("pass", "reassign"):
        to = session.get(Advocate, ids["to"]) if "to" in ids else None
        return f"{'Passed' if action == 'pass' else 'Reassigned'} to {_name(to)}"
    if action == "close":
        outcome = detail.split("outcome", 1)[-1].strip() if "outcome" in detail else ""
        return f"Closed ({outcomes.get(outcome, outcome)})" if outcome else "Closed"
    return {"claim": "Claimed", "unclaim": "Given back to the queue"}[action]


def view_timeline(
    *,
    session: Session,
    referral_id: int,
    outcomes: Mapping[str, str],
    by: Advocate,
    via: Via,
) -> list[TimelineEntry]:
    """The timeline (see `timeline`), recorded as a view of the referral."""
    entries = timeline(session=session, referral_id=referral_id, outcomes=outcomes)
    audit.record(
        session=session,
        advocate=by,
        action="view",
        referral_id=referral_id,
        detail=_noted(via, "timeline"),
    )
    session.commit()
    return entries
