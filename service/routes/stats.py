"""Anonymised figures for advocates and service managers; small numbers suppressed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service import stats
from service.deps import AdvocateDep, SessionDep

router = APIRouter(prefix="/api/stats", tags=["stats"])


@router.get("")
def read_stats(
    _advocate: AdvocateDep,
    session: SessionDep,
    weeks: Annotated[int, Query(ge=1, le=104)] = 12,
) -> stats.Stats:
    """Messages by topic, setting and ISO week; any count from 1 to 4 shows as suppressed."""
    return stats.compute(session=session, weeks=weeks)
