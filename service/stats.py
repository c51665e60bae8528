"""Anonymised figures: messages by topic, setting and week, with small numbers suppressed.

What is hidden is decided in service.suppression, for these counts as for service.figures.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlmodel import Session, col, func, select

from service import figures, suppression
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


def _counts(cells: list[figures.Cell], *, present_only: bool) -> list[Count]:
    """Cells of service.figures as Counts, hidden exactly as there; optionally only those seen."""
    listed = [
        Count(
            label="none" if cell.label == figures.NOT_SAID else cell.label,
            count=None if cell.value is None else int(cell.value),
            suppressed=cell.suppressed,
        )
        for cell in cells
        if not present_only or cell.suppressed or cell.value
    ]
    return sorted(listed, key=lambda count: count.label) if present_only else listed


def _row_totals(table: figures.Table) -> list[figures.Cell]:
    return [row.total.model_copy(update={"label": row.label}) for row in table.rows if row.total]


def compute(*, session: Session, weeks: int = 12, now: datetime | None = None) -> Stats:
    """Counts of messages over the last `weeks` ISO weeks (this one included).

    The lists are read from service.figures' tables of topics by week and by kind of place,
    so that the same count is hidden here as on the figures page, in its exports and its JSON.
    """
    until = figures.week_start(now or utcnow()) + timedelta(weeks=1)
    since = until - timedelta(weeks=weeks)
    by_week = figures.topics_table(session=session, since=since, until=until, rows_by="week")
    by_place = figures.topics_table(session=session, since=since, until=until, rows_by="place")
    assert by_week.totals is not None and by_week.totals.total is not None  # count_table sets both
    total = by_week.totals.total
    check_ins = session.exec(
        select(func.count()).where(
            col(Event.created_at) >= since,
            col(Event.created_at) < until,
            col(Event.check_in).is_(True),
        )
    ).one()
    count = int(total.value or 0)
    # Check-ins are part of the total: the rest (total minus check-ins) must not be small either.
    check_ins_hidden = total.suppressed or suppression.too_small(count - check_ins)
    return Stats(
        weeks=weeks,
        since=since,
        total=Count(
            label="all", count=None if total.suppressed else count, suppressed=total.suppressed
        ),
        check_ins=shown("check-ins", check_ins, hidden=check_ins_hidden),
        by_topic=_counts(by_week.totals.cells, present_only=True),
        by_setting=_counts(_row_totals(by_place), present_only=True),
        by_week=_counts(_row_totals(by_week), present_only=False),
    )
