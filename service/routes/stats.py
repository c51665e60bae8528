"""Anonymised figures for advocates and service managers; small numbers suppressed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service import audit, figures, stats
from service.deps import AdvocateDep, RuntimeDep, SessionDep

router = APIRouter(prefix="/api/stats", tags=["stats"])


@router.get("")
def read_stats(
    advocate: AdvocateDep,
    runtime: RuntimeDep,
    session: SessionDep,
    weeks: Annotated[int, Query(ge=1, le=104)] = 12,
    by: Annotated[figures.RowsBy, Query(description="Rows of `figures`: week or place")] = "week",
) -> stats.Stats:
    """Messages by topic, setting and ISO week, and in `figures` the pathway (topics, requests
    for an advocate, time to claim, time limits, outcomes) as the figures page shows it: any
    count from 1 to 4, and any count that would give one away, shows as suppressed."""
    now = figures.now()
    counts = stats.compute(session=session, weeks=weeks, now=now)
    counts.figures = figures.recent(
        session=session, settings=runtime.settings, weeks=weeks, rows_by=by, now=now
    )
    detail = f"api: {weeks} weeks by {by}"
    audit.viewed(session=session, advocate=advocate, action="view_figures", detail=detail)
    return counts
