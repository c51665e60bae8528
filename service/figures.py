"""The pathway in figures: topics, requests for an advocate, time to claim, outcomes.

Everything here is counted from the anonymised tables (Event, Referral) and passes through
service.suppression before anyone sees it, so the page, the CSV, the PDF and the JSON all show
the same figures with the same cells hidden. No summary, no words and no id leaves.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel
from sqlmodel import Session, col, select

from content.schema import PLACE_KINDS, REPORTED_TOPICS, TOPIC_LABELS
from service import suppression
from service.models import Event, Referral, utcnow
from service.referrals import OUTCOMES
from service.settings import Settings
from service.vocabulary import URGENCIES

RowsBy = Literal["week", "place"]
NOT_SAID = "not said"
# A hidden figure may be small, or may be hidden because it would give a small one away.
HIDDEN_WORDS = "not shown"


class Cell(BaseModel):
    """One figure: `value` is None when it is hidden."""

    label: str
    value: int | float | None
    suppressed: bool


class Row(BaseModel):
    label: str
    cells: list[Cell]
    total: Cell | None = None


class Table(BaseModel):
    """One section: rows (weeks, kinds of place, urgencies or stages) by columns."""

    key: str
    title: str
    unit: str  # what the numbers count, e.g. "messages", "minutes"
    rows_by: str
    columns: list[str]
    rows: list[Row]
    totals: Row | None = None  # the column totals and the grand total
    chart: list[Cell]  # what the chart draws: the same (already suppressed) figures
    summary: str  # the chart in words, for screen readers and the PDF
    note: str = ""


class Figures(BaseModel):
    since: datetime
    until: datetime
    rows_by: RowsBy
    urgent_limit_minutes: int
    normal_limit_hours: int
    tables: list[Table]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def iso_week(moment: datetime) -> str:
    year, week, _ = _aware(moment).isocalendar()
    return f"{year}-W{week:02d}"


def week_start(moment: datetime) -> datetime:
    day = _aware(moment).astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    since = datetime(year, month, 1, tzinfo=UTC)
    until = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return since, until


def nearest_rank(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value with `fraction` of them at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _words(cell: Cell) -> str:
    if cell.suppressed:
        return HIDDEN_WORDS
    value = cell.value or 0
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def shown_text(cell: Cell) -> str:
    """A figure as the page, CSV and PDF write it."""
    return _words(cell)


def _cell(label: str, value: float, hidden: bool) -> Cell:
    return Cell(label=label, value=None if hidden else value, suppressed=hidden)


def _summary(title: str, cells: Sequence[Cell], unit: str) -> str:
    parts = ", ".join(f"{cell.label}: {_words(cell)}" for cell in cells)
    hidden = "Numbers under 5, and numbers that would give one away, are not shown."
    return f"{title} ({unit}). {parts or 'nothing yet'}. {hidden}"


def count_table(
    *,
    key: str,
    title: str,
    unit: str,
    rows_by: str,
    row_labels: Sequence[str],
    columns: Sequence[str],
    cells: Sequence[Sequence[int]],
    chart_rows: bool = False,
    note: str = "",
) -> Table:
    """A table of counts, its totals and its chart, with small counts and their giveaways hidden."""
    column_totals = [sum(row[c] for row in cells) for c in range(len(columns))]
    grand = sum(column_totals)
    column_hidden, grand_hidden = suppression.protect_list(column_totals, grand)
    inner, row_hidden = suppression.protect_grid(
        cells, column_hidden=column_hidden, grand_hidden=grand_hidden
    )
    rows = [
        Row(
            label=label,
            cells=[_cell(columns[c], row[c], inner[r][c]) for c in range(len(columns))],
            total=_cell("all", sum(row), row_hidden[r]),
        )
        for r, (label, row) in enumerate(zip(row_labels, cells, strict=True))
    ]
    totals = Row(
        label="all",
        cells=[_cell(columns[c], column_totals[c], column_hidden[c]) for c in range(len(columns))],
        total=_cell("all", grand, grand_hidden),
    )
    chart = totals.cells
    if chart_rows:
        chart = [row.total.model_copy(update={"label": row.label}) for row in rows if row.total]
    return Table(
        key=key,
        title=title,
        unit=unit,
        rows_by=rows_by,
        columns=list(columns),
        rows=rows,
        totals=totals,
        chart=chart,
        summary=_summary(title, chart, unit),
        note=note,
    )


EventRow = tuple[str | None, str | None, datetime]  # topic, kind of place, when
RowOf = Callable[[str | None, datetime], str]
TableMaker = Callable[..., Table]


def _events(*, session: Session, since: datetime, until: datetime) -> Sequence[EventRow]:
    return session.exec(
        select(Event.topic, Event.setting, Event.created_at).where(
            col(Event.created_at) >= since, col(Event.created_at) < until
        )
    ).all()


def _layout(
    *, since: datetime, until: datetime, rows_by: RowsBy, place_names: Mapping[str, str]
) -> tuple[TableMaker, RowOf]:
    """How rows are chosen (weeks, or kinds of place, called by `place_names` where it names
    them): a table maker, and each item's row."""
    if rows_by == "week":
        row_labels = []
        moment = week_start(since)
        while moment < until:
            row_labels.append(iso_week(moment))
            moment += timedelta(weeks=1)
        row_name = "week"

        def row_of(setting: str | None, created_at: datetime) -> str:
            return iso_week(created_at)
    else:
        row_labels = [*(place_names.get(kind, kind) for kind in PLACE_KINDS), NOT_SAID]
        row_name = "kind of place"

        def row_of(setting: str | None, created_at: datetime) -> str:
            if setting is None or setting not in PLACE_KINDS:
                return NOT_SAID
            return place_names.get(setting, setting)

    def grid(items: Sequence[tuple[str, str]], columns: Sequence[str]) -> list[list[int]]:
        """Counts of (row, column) pairs, laid out as rows by columns."""
        index = {label: r for r, label in enumerate(row_labels)}
        counts = [[0] * len(columns) for _ in row_labels]
        places = {label: c for c, label in enumerate(columns)}
        for row, column in items:
            if row in index and column in places:
                counts[index[row]][places[column]] += 1
        return counts

    def table(
        key: str,
        title: str,
        unit: str,
        items: list[tuple[str, str]],
        columns: Sequence[str],
        **kw: Any,
    ) -> Table:
        return count_table(
            key=key,
            title=title,
            unit=unit,
            rows_by=row_name,
            row_labels=row_labels,
            columns=columns,
            cells=grid(items, columns),
            **kw,
        )

    return table, row_of


def _topics(table: TableMaker, row_of: RowOf, events: Sequence[EventRow]) -> Table:
    items = [(row_of(setting, moment), topic or "other") for topic, setting, moment in events]
    return table("topics", "What they asked about", "messages", items, TOPIC_LABELS)


def topics_table(*, session: Session, since: datetime, until: datetime, rows_by: RowsBy) -> Table:
    """Messages by topic, by week or kind of place (service.stats reads its lists from here)."""
    table, row_of = _layout(since=since, until=until, rows_by=rows_by, place_names={})
    return _topics(table, row_of, _events(session=session, since=since, until=until))


def compute(
    *,
    session: Session,
    settings: Settings,
    since: datetime,
    until: datetime,
    rows_by: RowsBy = "week",
    now: datetime | None = None,
    place_names: Mapping[str, str] | None = None,
) -> Figures:
    """All the sections for messages and referrals made from `since` up to `until`; kinds of
    place by their `place_names` for people to read (the JSON keeps the labels, "yoi")."""
    now = now or utcnow()
    events = _events(session=session, since=since, until=until)
    referrals = session.exec(
        select(Referral).where(col(Referral.created_at) >= since, col(Referral.created_at) < until)
    ).all()
    table, row_of = _layout(
        since=since, until=until, rows_by=rows_by, place_names=place_names or {}
    )
    topics = _topics(table, row_of, events)

    at_risk = {"urgent": "at risk (urgent)", "normal": "not at risk"}
    asked = table(
        "requests",
        "Asked for an advocate",
        "referrals",
        [(row_of(r.setting, r.created_at), at_risk[r.urgency]) for r in referrals],
        list(at_risk.values()),
        chart_rows=True,
        note="A referral is urgent when the risk screen found a risk to the child.",
    )

    limits = {
        "urgent": timedelta(minutes=settings.urgent_unclaimed_minutes),
        "normal": timedelta(hours=settings.normal_unclaimed_hours),
    }
    limit_words = {
        "urgent": f"{settings.urgent_unclaimed_minutes} minutes",
        "normal": f"{settings.normal_unclaimed_hours} hours",
    }
    waits: dict[str, list[float]] = {urgency: [] for urgency in URGENCIES}
    late_items: list[tuple[str, str]] = []
    for r in referrals:
        created = _aware(r.created_at)
        if r.claimed_at is not None:
            waited = _aware(r.claimed_at) - created
            waits[r.urgency].append(waited.total_seconds() / 60)
        else:
            waited = _aware(r.closed_at or now) - created
        name = "urgent" if r.urgency == "urgent" else "other"
        verdict = "past the limit" if waited > limits[r.urgency] else "in time"
        if r.claimed_at is None and r.closed_at is None and verdict == "in time":
            verdict = "waiting, in time"  # not known yet
        late_items.append((row_of(r.setting, r.created_at), f"{name}: {verdict}"))
    # Every referral is in one column, so each row adds up to the same total as "Asked for an
    # advocate": a difference between the two tables gives nothing away.
    late_columns = [
        f"{name}: {verdict}"
        for name in ("urgent", "other")
        for verdict in ("in time", "past the limit", "waiting, in time")
    ]
    late = table(
        "time_limit",
        "Claimed in time, or past the time limit",
        "referrals",
        late_items,
        late_columns,
        note=(
            f"The time limit is {limit_words['urgent']} for an urgent referral and "
            f"{limit_words['normal']} for others."
        ),
    )

    outcome_items = [
        (
            row_of(r.setting, r.created_at),
            (r.outcome or "other") if r.status == "closed" else "still open",
        )
        for r in referrals
    ]
    outcome_columns: list[str] = [*OUTCOMES, "still open"]
    outcome_items = [(row, column.replace("_", " ")) for row, column in outcome_items]
    outcome_columns = [column.replace("_", " ") for column in outcome_columns]
    outcomes = table("outcomes", "Outcomes", "referrals", outcome_items, outcome_columns)

    return Figures(
        since=since,
        until=until,
        rows_by=rows_by,
        urgent_limit_minutes=settings.urgent_unclaimed_minutes,
        normal_limit_hours=settings.normal_unclaimed_hours,
        tables=[
            topics,
            asked,
            _time_to_claim(waits),
            late,
            outcomes,
            _pathway(events=events, referrals=referrals),
        ],
    )


def _time_to_claim(waits: dict[str, list[float]]) -> Table:
    """Median and 90th percentile minutes from request to claim, shown only over 5 or more."""
    # How many were claimed is not shown: set against "Asked for an advocate" it would tell how
    # many were never claimed, which may be a small number.
    columns = ["median minutes", "90th percentile minutes"]
    rows: list[Row] = []
    chart: list[Cell] = []
    measures: list[tuple[str, Callable[[list[float]], float]]] = [
        ("median", lambda values: float(statistics.median(values))),
        ("90th percentile", lambda values: nearest_rank(values, 0.9)),
    ]
    for urgency in URGENCIES:
        values = waits[urgency]
        # With none claimed there is no time to show: not "0 minutes", which reads as perfect.
        hidden = len(values) < suppression.SMALLEST_SHOWN
        cells = []
        for name, measure in measures:
            figure = round(measure(values), 1) if values else 0.0
            cells.append(_cell(f"{name} minutes", figure, hidden))
            chart.append(_cell(f"{urgency}: {name}", figure, hidden))
        rows.append(Row(label=urgency, cells=cells))
    return Table(
        key="time_to_claim",
        title="Time from asking to an advocate claiming",
        unit="minutes",
        rows_by="urgency",
        columns=columns,
        rows=rows,
        chart=chart,
        summary=_summary("Time from asking to an advocate claiming", chart, "minutes"),
        note="Shown only where 5 or more referrals were claimed; the 90th percentile is the "
        "nearest-rank one.",
    )


def _pathway(
    *, events: Sequence[tuple[str | None, str | None, datetime]], referrals: Sequence[Referral]
) -> Table:
    """First message to outcome. Each stage is part of the one before, so differences between
    them could give away a small number: every stage is rounded to the nearest 5."""
    stages = [
        ("messages", len(events)),
        ("about a right", sum(1 for topic, _, _ in events if topic in REPORTED_TOPICS)),
        ("asked for an advocate", len(referrals)),
        ("claimed by an advocate", sum(1 for r in referrals if r.claimed_at is not None)),
        ("closed with an outcome", sum(1 for r in referrals if r.outcome is not None)),
    ]
    cells = []
    for label, count in stages:
        value = suppression.rounded(count)
        cells.append(Cell(label=label, value=value, suppressed=value is None))
    return Table(
        key="pathway",
        title="The pathway, from first message to outcome",
        unit="rounded to the nearest 5",
        rows_by="stage",
        columns=["number"],
        rows=[Row(label=cell.label, cells=[cell]) for cell in cells],
        chart=cells,
        summary=_summary("The pathway, from first message to outcome", cells, "nearest 5"),
        note="Each stage is rounded to the nearest 5, so that no difference between two "
        "stages is exact.",
    )


def recent(
    *,
    session: Session,
    settings: Settings,
    weeks: int,
    rows_by: RowsBy = "week",
    now: datetime | None = None,
    place_names: Mapping[str, str] | None = None,
) -> Figures:
    """The last `weeks` ISO weeks, this one included (as service.stats counts them)."""
    now = now or utcnow()
    until = week_start(now) + timedelta(weeks=1)
    since = until - timedelta(weeks=weeks)
    return compute(
        session=session,
        settings=settings,
        since=since,
        until=until,
        rows_by=rows_by,
        now=now,
        place_names=place_names,
    )


def now() -> datetime:
    """The moment figures are counted up to (UTC, as every stored time is)."""
    return utcnow()
