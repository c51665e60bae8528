"""The referral lifecycle for advocates: the queue, claim, reply, close, and what they may see."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, cast, get_args

from pydantic import BaseModel
from sqlalchemy import and_, case, func, not_, or_, update
from sqlmodel import Session, col, select

from content.schema import CONTENT_TOPICS, PLACE_KINDS, ROLES, Outcome
from service import audit
from service.audit import Via
from service.models import Advocate, Chat, Event, Referral, RelayMessage, utcnow
from service.settings import Settings
from service.vocabulary import OPEN, SENDERS, STATUSES, URGENCIES, Sender, Status, Urgency

if TYPE_CHECKING:
    from service.relay import Relay

# The outcomes an advocate records when closing (content.schema.Outcome): these keys are
# stored; the words shown for them are the messages "outcome_<key>" in content.
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
MAX_REPLY = 2000

# What the queue can be narrowed to. The topics and kinds of place are the ones a chat stores
# on a referral (content/schema.py); "waited longer than" is in minutes.
StatusFilter = Literal["open", Status, "all"]
STATUS_FILTERS: tuple[StatusFilter, ...] = get_args(StatusFilter)
WAITED_CHOICES = (15, 60, 24 * 60, 3 * 24 * 60)
MAX_WAITED = 525_600  # a year, in minutes
MAX_PAGE = 10_000
MAX_WORDS = 200  # the longest search in the summaries


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


class ConversationLine(BaseModel):
    sender: Sender
    text: str
    at: datetime


class ReferralDetail(ReferralPublic):
    conversation: list[ConversationLine]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def waited_minutes(referral: Referral, now: datetime) -> int:
    """How long the child has waited for someone to pick it up (or waited in all, if closed)."""
    end = referral.claimed_at or referral.closed_at or now
    return max(0, int((_aware(end) - _aware(referral.created_at)).total_seconds() // 60))


def time_limit(referral: Referral, settings: Settings) -> timedelta:
    return _limit_for(referral.urgency, settings)


def _limit_for(urgency: Urgency, settings: Settings) -> timedelta:
    if urgency == "urgent":
        return timedelta(minutes=settings.urgent_unclaimed_minutes)
    return timedelta(hours=settings.normal_unclaimed_hours)


def is_overdue(referral: Referral, settings: Settings, now: datetime) -> bool:
    """Still unclaimed past its time limit: 15 minutes if urgent, 24 hours otherwise."""
    if referral.status != "new":
        return False
    return now - _aware(referral.created_at) > time_limit(referral, settings)


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
        created_at=_aware(referral.created_at),
        claimed_by=referral.claimed_by,
        claimed_by_name=(claimer.name or claimer.email) if claimer is not None else None,
        outcome=referral.outcome,
        waited_minutes=waited_minutes(referral, now),
        overdue=is_overdue(referral, settings, now),
        place=place,
        limit_minutes=int(time_limit(referral, settings).total_seconds() // 60),
    )


def outcome_words(messages: Mapping[str, str]) -> dict[str, str]:
    """Each outcome's key and the words advocates are shown for it, in the order offered."""
    return {key: messages.get(f"outcome_{key}", key) for key in OUTCOMES}


# ---- reading ----------------------------------------------------------------------------


def statuses_for(wanted: StatusFilter) -> tuple[Status, ...]:
    if wanted == "open":
        return OPEN
    return STATUSES if wanted == "all" else (wanted,)


@dataclass(frozen=True)
class QueueFilter:
    """What the queue is narrowed to, the same for the API and the dashboard."""

    status: StatusFilter = "open"
    urgency: str | None = None
    topic: str | None = None
    setting: str | None = None
    waited_minutes: int | None = None
    role: str | None = None  # who wrote in
    overdue: bool = False  # only those still unclaimed past their time limit
    words: str | None = None  # in the redacted summary, ignoring case

    def narrowing(self, settings: Settings | None = None) -> dict[str, Any]:
        """The keyword arguments of `list_referrals` and `count_referrals`.

        `settings` gives the time limits that "overdue" is measured against (the defaults,
        read from no environment, when none is given).
        """
        return {
            "statuses": statuses_for(self.status),
            "urgency": self.urgency,
            "topic": self.topic,
            "setting": self.setting,
            "waited_minutes": self.waited_minutes,
            "role": self.role,
            "words": self.words,
            "late_before": (
                late_before(settings or Settings.model_construct(), utcnow())
                if self.overdue
                else None
            ),
        }

    def chosen(self) -> dict[str, str]:
        """The status and each filter in use, by query name: for a link or the audit log."""
        values = {
            "status": self.status,
            "urgency": self.urgency,
            "topic": self.topic,
            "setting": self.setting,
            "waited_minutes": self.waited_minutes,
            "role": self.role,
            "overdue": "yes" if self.overdue else None,
            "words": self.words,
        }
        return {name: str(value) for name, value in values.items() if value is not None}

    def describe(self) -> str:
        """'open urgency urgent topic visits waited 60': plain words for the audit log."""
        words: list[str] = [self.status]
        for name, value in self.chosen().items():
            if name == "words":
                words.append("searched")  # what was searched for may quote a child
            elif name != "status":
                words += ["waited" if name == "waited_minutes" else name, value]
        return " ".join(words)


def late_before(settings: Settings, now: datetime) -> dict[Urgency, datetime]:
    """For each urgency, the moment before which an unclaimed referral is overdue."""
    return {urgency: now - _limit_for(urgency, settings) for urgency in URGENCIES}


def search_words(raw: str) -> str | None:
    """Words to look for in summaries: trimmed, without NUL (PostgreSQL refuses it)."""
    words = " ".join(raw.replace("\x00", "").split())
    return words or None


def read_queue_filter(
    *,
    status: str = "",
    urgency: str = "",
    topic: str = "",
    setting: str = "",
    waited_minutes: str = "",
    role: str = "",
    overdue: str = "",
    words: str = "",
) -> tuple[QueueFilter, bool]:
    """The filter a form asked for; a value that is not one of the choices is left out.

    Empty or "any" means no filter. The second value is True when something was left out.
    """
    left_out = False

    def pick(raw: str, choices: tuple[str, ...]) -> str | None:
        nonlocal left_out
        value = raw.strip()
        if value in ("", "any"):
            return None
        if value in choices:
            return value
        left_out = True
        return None

    wanted_status = pick(status, STATUS_FILTERS)
    waited = pick(waited_minutes, tuple(str(minutes) for minutes in WAITED_CHOICES))
    late = pick(overdue, ("yes",))
    searched = search_words(words)
    if searched is not None and len(searched) > MAX_WORDS:
        left_out, searched = True, None
    chosen = QueueFilter(
        status=cast(StatusFilter, wanted_status or "open"),
        urgency=pick(urgency, URGENCIES),
        topic=pick(topic, CONTENT_TOPICS),
        setting=pick(setting, PLACE_KINDS),
        waited_minutes=int(waited) if waited is not None else None,
        role=pick(role, ROLES),
        overdue=late is not None,
        words=searched,
    )
    return chosen, left_out


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue, and where it stands among all the referrals that match."""

    rows: list[tuple[Referral, Advocate | None]]
    total: int  # every referral that matches the filters
    pinned: int  # of those, the urgent ones no one has claimed: all of them on page 1
    page: int
    per_page: int

    @property
    def first(self) -> int:
        """The place of the first row shown, counting from 1 (0 when there is none)."""
        if not self.rows:
            return 0
        return 1 if self.page == 1 else self.pinned + (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    @property
    def has_next(self) -> bool:
        return self.pinned + self.page * self.per_page < self.total


def queue_page(
    *,
    session: Session,
    filters: QueueFilter,
    page: int = 1,
    per_page: int = 50,
    settings: Settings | None = None,
) -> QueuePage:
    """Page `page` (from 1) of the queue, with the count of all that match the filters."""
    narrowing = filters.narrowing(settings)
    rows = list_referrals(
        session=session, limit=per_page, offset=(page - 1) * per_page, **narrowing
    )
    total = count_referrals(session=session, **narrowing)
    pinned = 0
    if "new" in narrowing["statuses"] and filters.urgency in (None, "urgent"):
        pinned_only = {**narrowing, "statuses": ("new",), "urgency": "urgent"}
        pinned = count_referrals(session=session, **pinned_only)
    return QueuePage(rows=rows, total=total, pinned=pinned, page=page, per_page=per_page)


def list_referrals(
    *,
    session: Session,
    statuses: tuple[Status, ...] = OPEN,
    limit: int = 200,
    offset: int = 0,
    urgency: str | None = None,
    topic: str | None = None,
    setting: str | None = None,
    waited_minutes: int | None = None,
    role: str | None = None,
    words: str | None = None,
    late_before: Mapping[Urgency, datetime] | None = None,
) -> list[tuple[Referral, Advocate | None]]:
    """Urgent first, then the one that has waited longest; each with who claimed it.

    Every urgent referral no one has claimed is on the first page, however many there are:
    a flood of older ones can never push a new one out of sight. The rest are paged.
    """
    matching = _matching(statuses, urgency, topic, setting, waited_minutes)
    matching += _narrowed(role, words, late_before)
    unclaimed_urgent = and_(col(Referral.urgency) == "urgent", col(Referral.status) == "new")
    pinned = (
        _with_claimer(session, and_(*matching, unclaimed_urgent), None, 0) if offset == 0 else []
    )
    rest = _with_claimer(session, and_(*matching, not_(unclaimed_urgent)), limit, offset)
    return pinned + rest


def count_referrals(
    *,
    session: Session,
    statuses: tuple[Status, ...] = OPEN,
    urgency: str | None = None,
    topic: str | None = None,
    setting: str | None = None,
    waited_minutes: int | None = None,
    role: str | None = None,
    words: str | None = None,
    late_before: Mapping[Urgency, datetime] | None = None,
) -> int:
    matching = _matching(statuses, urgency, topic, setting, waited_minutes)
    matching += _narrowed(role, words, late_before)
    return int(session.exec(select(func.count()).select_from(Referral).where(*matching)).one())


def count_overdue(
    *, session: Session, filters: QueueFilter, settings: Settings, now: datetime
) -> int:
    """How many that match are still unclaimed past their time limit, on any page."""
    narrowing = filters.narrowing()
    if "new" not in narrowing["statuses"]:
        return 0
    total = 0
    for urgency in URGENCIES:
        if filters.urgency not in (None, urgency):
            continue
        matching = _matching(
            ("new",), urgency, filters.topic, filters.setting, filters.waited_minutes
        )
        matching += _narrowed(filters.role, filters.words, None)
        late = col(Referral.created_at) < now - _limit_for(urgency, settings)
        query = select(func.count()).select_from(Referral).where(*matching, late)
        total += int(session.exec(query).one())
    return total


def _matching(
    statuses: tuple[Status, ...],
    urgency: str | None,
    topic: str | None,
    setting: str | None,
    waited_minutes: int | None,
) -> list[Any]:
    conditions: list[Any] = [col(Referral.status).in_(statuses)]
    if urgency:
        conditions.append(col(Referral.urgency) == urgency)
    if topic:
        conditions.append(col(Referral.topic) == topic)
    if setting:
        conditions.append(col(Referral.setting) == setting)
    if waited_minutes is not None:
        since = utcnow() - timedelta(minutes=waited_minutes)
        conditions.append(col(Referral.created_at) <= since)
    return conditions


def _narrowed(
    role: str | None, words: str | None, late_before: Mapping[Urgency, datetime] | None
) -> list[Any]:
    """The conditions of the newer filters: who wrote in, words in the summary, overdue."""
    conditions: list[Any] = []
    if role:
        conditions.append(col(Referral.role) == role)
    if words:
        conditions.append(col(Referral.summary).icontains(words, autoescape=True))
    if late_before is not None:
        late = [
            and_(col(Referral.urgency) == urgency, col(Referral.created_at) < moment)
            for urgency, moment in late_before.items()
        ]
        conditions += [col(Referral.status) == "new", or_(*late)]
    return conditions


def places_of(*, session: Session, referrals: list[Referral]) -> dict[int, str]:
    """The establishment each referral's chat named (an id in places.yaml), where known."""
    chats = {referral.session_id for referral in referrals if referral.session_id is not None}
    if not chats:
        return {}
    rows = session.exec(
        select(Chat.id, Chat.place).where(col(Chat.id).in_(chats), col(Chat.place).is_not(None))
    ).all()
    by_chat = {chat_id: place for chat_id, place in rows if chat_id is not None and place}
    return {
        referral.id: by_chat[referral.session_id]
        for referral in referrals
        if referral.id is not None and referral.session_id in by_chat
    }


@dataclass(frozen=True)
class QueueVersion:
    """A cheap fingerprint of the open queue, and the urgent referrals no one has claimed."""

    version: str  # changes when a referral is made, claimed, answered, closed or goes overdue
    urgent: int  # urgent referrals waiting to be claimed, whatever the filters
    newest_urgent: int  # the id of the newest of those (0: none)


def queue_version(*, session: Session, settings: Settings) -> QueueVersion:
    open_now = col(Referral.status).in_(OPEN)
    count, latest, newest = session.exec(
        select(func.count(), func.max(Referral.updated_at), func.max(Referral.id)).where(open_now)
    ).one()
    waiting = and_(col(Referral.status) == "new", col(Referral.urgency) == "urgent")
    urgent, newest_urgent = session.exec(
        select(func.count(), func.max(Referral.id)).where(waiting)
    ).one()
    late = _narrowed(None, None, late_before(settings, utcnow()))
    overdue = session.exec(select(func.count()).select_from(Referral).where(*late)).one()
    stamp = _aware(latest).isoformat() if latest is not None else "-"
    return QueueVersion(
        version=f"{count}.{newest or 0}.{overdue}.{stamp}",
        urgent=int(urgent),
        newest_urgent=int(newest_urgent or 0),
    )


def _with_claimer(
    session: Session, where: Any, limit: int | None, offset: int
) -> list[tuple[Referral, Advocate | None]]:
    urgent_first = case((col(Referral.urgency) == "urgent", 0), else_=1)
    query = (
        select(Referral, Advocate)
        .join(Advocate, col(Referral.claimed_by) == col(Advocate.id), isouter=True)
        .where(where)
        .order_by(urgent_first, col(Referral.created_at), col(Referral.id))
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return [(referral, advocate) for referral, advocate in session.exec(query).all()]


def get_referral(*, session: Session, referral_id: int) -> Referral:
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise ReferralNotFound("There is no referral with that number.")
    return referral


def claimer_of(*, session: Session, referral: Referral) -> Advocate | None:
    return session.get(Advocate, referral.claimed_by) if referral.claimed_by else None


def conversation(*, session: Session, referral: Referral) -> list[ConversationLine]:
    """The redacted conversation since the referral, oldest first.

    Until it was claimed the child's words are the events of their chat; from then on they
    also arrive as relay messages, so events after the claim are left out to avoid doubles.
    """
    lines: list[ConversationLine] = []
    if referral.session_id is not None:
        events = select(Event).where(
            Event.session_id == referral.session_id,
            col(Event.created_at) >= referral.created_at,
            col(Event.redacted).is_not(None),
        )
        if referral.claimed_at is not None:
            events = events.where(col(Event.created_at) < referral.claimed_at)
        for event in session.exec(events.order_by(col(Event.id))).all():
            if event.redacted:
                lines.append(
                    ConversationLine(
                        sender="child", text=event.redacted, at=_aware(event.created_at)
                    )
                )
    messages = session.exec(
        select(RelayMessage)
        .where(RelayMessage.referral_id == referral.id)
        .order_by(col(RelayMessage.id))
    ).all()
    for message in messages:
        sender = cast(Sender, message.sender if message.sender in SENDERS else "child")
        lines.append(
            ConversationLine(sender=sender, text=message.text, at=_aware(message.created_at))
        )
    return sorted(lines, key=lambda line: line.at)


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
    referral.updated_at = utcnow()
    session.flush()
    return message


def close_referral(
    *, session: Session, referral_id: int, advocate: Advocate, outcome: str, told: str = ""
) -> Referral:
    """Only the advocate who claimed it, or an admin, closes it with one of the outcomes.

    `told` is what the child is then told (that the advocate has finished, and how to ask
    again): it waits for their channel as an advocate's reply does, if their chat is still there.
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
) -> Referral:
    """Closed with an outcome (see `close_referral`), audited and committed."""
    with _refused_undone(session):
        referral = close_referral(
            session=session, referral_id=referral_id, advocate=by, outcome=outcome, told=told
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
