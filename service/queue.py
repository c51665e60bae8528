"""The queue an advocate reads: which referrals, in what order, narrowed how, and how long
each has waited against its time limit. Reading only; what an advocate does is referrals.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, cast, get_args

from sqlalchemy import and_, case, func, not_, or_
from sqlmodel import Session, col, select

from content.schema import PLACE_KINDS, REPORTED_TOPICS, ROLES
from service.models import Advocate, Chat, Referral, utcnow
from service.settings import Settings
from service.vocabulary import HELD, OPEN, STATUSES, URGENCIES, Status, Urgency

# What the queue can be narrowed to. The topics and kinds of place are the ones a chat stores
# on a referral (content/schema.py); "waited longer than" is in minutes.
StatusFilter = Literal["open", Status, "all"]
STATUS_FILTERS: tuple[StatusFilter, ...] = get_args(StatusFilter)
WAITED_CHOICES = (15, 60, 24 * 60, 3 * 24 * 60)
MAX_WAITED = 525_600  # a year, in minutes
MAX_PAGE = 10_000
MAX_WORDS = 200  # the longest search in the summaries


def aware(moment: datetime) -> datetime:
    """A stored time (UTC, naive on SQLite) as an aware one."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def waited_minutes(referral: Referral, now: datetime) -> int:
    """How long the child has waited for someone to pick it up (or waited in all, if closed);
    for one whose words turned urgent while held, how long since, unanswered."""
    if referral.raised_at is not None and referral.status in HELD:
        return max(0, int((now - aware(referral.raised_at)).total_seconds() // 60))
    end = referral.claimed_at or referral.closed_at or now
    return max(0, int((aware(end) - aware(referral.created_at)).total_seconds() // 60))


def time_limit(referral: Referral, settings: Settings) -> timedelta:
    return limit_for(referral.urgency, settings)


def limit_for(urgency: Urgency, settings: Settings) -> timedelta:
    """How long a referral of this urgency may wait unclaimed (settings: 15 min, 24 h)."""
    if urgency == "urgent":
        return timedelta(minutes=settings.urgent_unclaimed_minutes)
    return timedelta(hours=settings.normal_unclaimed_hours)


def is_overdue(referral: Referral, settings: Settings, now: datetime) -> bool:
    """Still unclaimed past its time limit: 15 minutes if urgent, 24 hours otherwise; or
    turned urgent while held, and unanswered for longer than an urgent one may wait."""
    if referral.raised_at is not None and referral.status in HELD:
        return now - aware(referral.raised_at) > limit_for("urgent", settings)
    if referral.status != "new":
        return False
    return now - aware(referral.created_at) > time_limit(referral, settings)


# ---- the queue, narrowed and paged ------------------------------------------------------


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
    return {urgency: now - limit_for(urgency, settings) for urgency in URGENCIES}


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
        topic=pick(topic, REPORTED_TOPICS),
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
        late = col(Referral.created_at) < now - limit_for(urgency, settings)
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
    urgent: int  # urgent referrals waiting to be claimed or answered, whatever the filters
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
    # Held, but the child's words turned it urgent since and no one has answered: it counts
    # in the alarm too, as the advocate holding it may have gone.
    late_since = utcnow() - limit_for("urgent", settings)
    raised, raised_late = session.exec(
        select(func.count(), func.count(case((col(Referral.raised_at) < late_since, 1)))).where(
            col(Referral.status).in_(HELD), col(Referral.raised_at).is_not(None)
        )
    ).one()
    urgent += raised
    late = _narrowed(None, None, late_before(settings, utcnow()))
    overdue = session.exec(select(func.count()).select_from(Referral).where(*late)).one()
    stamp = aware(latest).isoformat() if latest is not None else "-"
    return QueueVersion(
        version=f"{count}.{newest or 0}.{overdue}.{raised_late}.{stamp}",
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
