"""Anonymised figures: messages by topic, setting and week, with small numbers suppressed.

What is hidden is decided in service.suppression, for these counts as for service.figures.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, func, select

from service import suppression
from service.figures import Figures
from service.models import Event, utcnow

SMALLEST_SHOWN = suppression.SMALLEST_SHOWN


class Count(BaseModel):
    label: str
    count: int | None  # None when suppressed
    suppressed: bool


class Stats(BaseModel):
    weeks: int
    since: datetime
    total: Count
    check_ins: Count  # messages answered with "Are you safe right now?"
    by_topic: list[Count]
    by_setting: list[Count]
    by_week: list[Count]
    # The pathway by week or kind of place (service.figures); the API always fills it in.
    figures: Figures | None = None


def shown(label: str, count: int, *, hidden: bool = False) -> Count:
    if hidden or suppression.too_small(count):
        return Count(label=label, count=None, suppressed=True)
    return Count(label=label, count=count, suppressed=False)


def parts(items: list[tuple[str, int]], total: int) -> list[Count]:
    """Parts of a total, with a second part hidden where one hidden part could be worked out."""
    hidden, _ = suppression.protect_list([count for _, count in items], total)
    return [
        shown(label, count, hidden=hide) for (label, count), hide in zip(items, hidden, strict=True)
    ]


def _iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _week_start(moment: datetime) -> datetime:
    day = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def compute(*, session: Session, weeks: int = 12, now: datetime | None = None) -> Stats:
    """Counts of messages over the last `weeks` ISO weeks (this one included)."""
    since = _week_start(now or utcnow()) - timedelta(weeks=weeks - 1)
    recent = col(Event.created_at) >= since

    def grouped(column: Any) -> Counter[str]:
        rows = session.exec(select(column, func.count()).where(recent).group_by(column)).all()
        return Counter({(label or "none"): count for label, count in rows})

    topics = grouped(Event.topic)
    settings = grouped(Event.setting)
    # Weeks are counted here rather than in SQL, which spells weeks differently per database.
    week_counts: Counter[str] = Counter(
        _iso_week(moment) for moment in session.exec(select(Event.created_at).where(recent)).all()
    )
    check_ins = session.exec(
        select(func.count()).where(recent, col(Event.check_in).is_(True))
    ).one()
    all_weeks = [_iso_week(since + timedelta(weeks=n)) for n in range(weeks)]
    total = sum(topics.values())
    # Check-ins are part of the total: the rest (total minus check-ins) must not be small either.
    check_ins_hidden = suppression.too_small(total - check_ins)
    return Stats(
        weeks=weeks,
        since=since,
        total=shown("all", total),
        check_ins=shown("check-ins", check_ins, hidden=check_ins_hidden),
        by_topic=parts(sorted(topics.items()), total),
        by_setting=parts(sorted(settings.items()), total),
        by_week=parts([(week, week_counts.get(week, 0)) for week in all_weeks], total),
    )
