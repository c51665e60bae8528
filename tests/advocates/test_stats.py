"""Figures by topic, setting and week: small counts, and counts that would give one away,
are suppressed in the API and the page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlmodel import Session

from service import stats
from service.models import Event, utcnow
from tests.advocates.conftest import ADVOCATE
from tests.advocates.helpers import bearer


def add_events(
    runtime: Any, count: int, *, topic: str, setting: str | None, weeks_ago: int
) -> None:
    moment = utcnow() - timedelta(weeks=weeks_ago)
    with Session(runtime.database) as session:
        for _ in range(count):
            session.add(
                Event(channel="web", topic=topic, setting=setting, redacted="x", created_at=moment)
            )
        session.commit()


def test_counts_under_five_are_suppressed() -> None:
    assert stats.shown("a", 0).model_dump() == {"label": "a", "count": 0, "suppressed": False}
    for small in range(1, 5):
        assert stats.shown("a", small).model_dump() == {
            "label": "a",
            "count": None,
            "suppressed": True,
        }
    assert stats.shown("a", 5).count == 5


async def test_the_api_counts_by_topic_setting_and_week(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    add_events(runtime, 6, topic="visits", setting="yoi", weeks_ago=0)
    add_events(runtime, 3, topic="separation", setting="sch", weeks_ago=1)
    add_events(runtime, 2, topic="visits", setting=None, weeks_ago=20)  # outside 12 weeks
    assert (await client.get("/api/stats")).status_code == 401
    body = (await client.get("/api/stats", headers=await bearer(client, ADVOCATE))).json()
    assert body["total"] == {"label": "all", "count": 9, "suppressed": False}
    # 3 is too few to show, and with the total shown, 6 would give the 3 away: both hidden.
    hidden = {"count": None, "suppressed": True}
    assert body["by_topic"] == [{"label": "separation", **hidden}, {"label": "visits", **hidden}]
    assert body["by_setting"] == [{"label": "sch", **hidden}, {"label": "yoi", **hidden}]
    weeks = body["by_week"]
    assert len(weeks) == 12 and weeks[-1] == {"label": weeks[-1]["label"], **hidden}
    assert weeks[-2] == {"label": weeks[-2]["label"], **hidden}
    assert all(week["count"] == 0 for week in weeks[:-2])
    year, week, _ = utcnow().isocalendar()
    assert weeks[-1]["label"] == f"{year}-W{week:02d}"
    assert (
        await client.get("/api/stats?weeks=0", headers=await bearer(client, ADVOCATE))
    ).status_code == 422
