"""The figures page, its CSV and PDF, and /api/stats: one set of figures, suppressed alike."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from service import suppression
from service.figures import month_bounds, nearest_rank, week_start
from service.models import AuditEntry, Event, Referral, utcnow
from tests.advocates.conftest import ADMIN, ADVOCATE
from tests.advocates.helpers import bearer
from tests.advocates.test_dashboard import sign_in

CHILD_WORDS = "they put me in the room again"
SECTIONS = ("topics", "requests", "time_to_claim", "time_limit", "outcomes", "pathway")


def seed(runtime: Any) -> datetime:
    """Invented figures over two weeks and two kinds of place; the start of this week."""
    this_week = week_start(utcnow()) + timedelta(hours=1)
    last_week = this_week - timedelta(weeks=1)
    with Session(runtime.database) as session:
        for _ in range(6):
            session.add(Event(channel="web", topic="visits", setting="yoi", created_at=this_week))
        for _ in range(3):  # three children asked about separation: too few to show
            session.add(
                Event(
                    channel="web",
                    topic="separation",
                    setting="sch",
                    redacted=CHILD_WORDS,
                    created_at=last_week,
                )
            )
        # Ten urgent referrals at a YOI, claimed after 1, 2, ... 10 minutes.
        for minutes in range(1, 11):
            session.add(
                Referral(
                    urgency="urgent",
                    topic="separation",
                    setting="yoi",
                    risks="self_harm",
                    summary=CHILD_WORDS,
                    created_at=this_week,
                    claimed_at=this_week + timedelta(minutes=minutes),
                    status="closed",
                    outcome="advice_given" if minutes <= 6 else "complaint_made",
                    closed_at=this_week + timedelta(hours=2),
                )
            )
        # Six ordinary ones, claimed after 1, 2, 3, 30, 40 and 50 hours: three past 24 hours.
        for hours in (1, 2, 3, 30, 40, 50):
            session.add(
                Referral(
                    urgency="normal",
                    topic="visits",
                    setting="yoi",
                    summary=CHILD_WORDS,
                    created_at=last_week,
                    claimed_at=last_week + timedelta(hours=hours),
                    status="claimed",
                )
            )
        session.commit()
    return this_week


def table(figures: dict[str, Any], key: str) -> dict[str, Any]:
    return next(t for t in figures["tables"] if t["key"] == key)


def column_total(section: dict[str, Any], column: str) -> dict[str, Any]:
    return next(cell for cell in section["totals"]["cells"] if cell["label"] == column)


def test_one_hidden_part_takes_a_second_with_it() -> None:
    assert suppression.protect_list([6, 3, 0], 9) == ([True, True, False], False)
    assert suppression.protect_list([6, 7, 0], 13) == ([False, False, False], False)
    assert suppression.protect_list([3, 0], 3) == ([True, False], True)
    # In a grid, every row and column with one hidden cell gets a second.
    inner, rows = suppression.protect_grid(
        [[3, 6], [7, 8]], column_hidden=[False, False], grand_hidden=False
    )
    for line in [*inner, *zip(*inner, strict=True)]:
        assert sum(line) != 1
    assert rows == [False, False]


def test_percentiles_and_months() -> None:
    assert nearest_rank([float(n) for n in range(1, 11)], 0.9) == 9.0
    assert nearest_rank([5.0], 0.9) == 5.0
    since, until = month_bounds(2026, 12)
    assert (since.month, until.year, until.month) == (12, 2027, 1)


async def test_the_api_gives_the_figures_suppressed(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    seed(runtime)
    headers = await bearer(client, ADVOCATE)
    body = (await client.get("/api/stats", headers=headers)).json()
    figures = body["figures"]
    assert [t["key"] for t in figures["tables"]] == list(SECTIONS)
    topics = table(figures, "topics")
    # 3 is too few; 6 would give it away, as the total (9) is shown.
    assert column_total(topics, "separation") == {
        "label": "separation",
        "value": None,
        "suppressed": True,
    }
    assert column_total(topics, "visits")["suppressed"] is True
    assert topics["totals"]["total"] == {"label": "all", "value": 9, "suppressed": False}
    assert "3" not in topics["summary"] and "separation: not shown" in topics["summary"]
    # The older lists are read from the same tables, so they hide the same counts.
    assert [c["suppressed"] for c in body["by_topic"]] == [True, True]
    weekly = {row["label"]: row["total"]["suppressed"] for row in topics["rows"]}
    assert {week["label"]: week["suppressed"] for week in body["by_week"]} == weekly

    times = {row["label"]: row["cells"] for row in table(figures, "time_to_claim")["rows"]}
    assert [cell["value"] for cell in times["urgent"]] == [5.5, 9]
    assert [cell["value"] for cell in times["normal"]] == [990, 3000]

    late = table(figures, "time_limit")
    assert column_total(late, "urgent: in time")["value"] == 10
    assert column_total(late, "other: past the limit")["suppressed"] is True  # 3
    assert column_total(late, "other: in time")["suppressed"] is True  # 3, and gives away 3

    requests = table(figures, "requests")
    assert requests["totals"]["total"]["value"] == 16
    # Tables of referrals add up to the same totals, row by row, hidden alike.
    for other in ("time_limit", "outcomes"):
        assert [row["total"] for row in table(figures, other)["rows"]] == [
            row["total"] for row in requests["rows"]
        ]
    pathway = {cell["label"]: cell["value"] for cell in table(figures, "pathway")["chart"]}
    assert pathway == {
        "messages": 10,  # 9, to the nearest 5
        "about a right": 10,
        "asked for an advocate": 15,  # 16
        "claimed by an advocate": 15,
        "closed with an outcome": 10,
    }
    by_place = (await client.get("/api/stats?by=place", headers=headers)).json()["figures"]
    rows = [row["label"] for row in table(by_place, "topics")["rows"]]
    assert rows[0] == "yoi" and rows[-1] == "not said"
    assert table(by_place, "topics")["totals"] == topics["totals"]  # the same totals hidden
    assert CHILD_WORDS not in str(body) + str(by_place)
    schema = (await client.get("/openapi.json")).json()
    assert "Figures" in schema["components"]["schemas"]


async def test_the_page_shows_each_section_with_a_chart_and_a_table(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    seed(runtime)
    await sign_in(client, ADMIN)
    page = await client.get("/dashboard/stats")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "style-src 'nonce-" in policy and "unsafe-inline" not in policy
    html = page.text
    for key in SECTIONS:
        section = html.split(f'<section class="figures" id="{key}"')[1].split("</section>")[0]
        assert '<svg xmlns="http://www.w3.org/2000/svg"' in section and "<table" in section
        assert f'aria-describedby="chart-{key}-summary"' in section
        assert f'<figcaption id="chart-{key}-summary">' in section
    # Nothing the policy would block: no style attribute, no <style> and no script in a chart.
    charts = "".join(re.findall(r"<svg .*?</svg>", html, flags=re.S))
    assert " style=" not in charts and "<style" not in charts and "<script" not in charts
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    topics = html.split('<section class="figures" id="topics"')[1].split("</section>")[0]
    footer = topics.split("<tfoot>")[1]
    assert footer.count("not shown") == 2 and ">3<" not in footer
    assert CHILD_WORDS not in html
    assert 'action="/dashboard/stats/report.pdf"' in html and 'name="month"' in html
    by_place = await client.get("/dashboard/stats?by=place&weeks=4")
    assert by_place.status_code == 200 and '<th scope="row">not said</th>' in by_place.text


async def test_the_csv_and_pdf_hold_the_same_suppressed_figures(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    this_week = seed(runtime)
    await sign_in(client, ADVOCATE)
    download = await client.get("/dashboard/stats.csv")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(download.text)))
    assert lines[0] == ["section", "rows by", "row", "column", "figure", "unit"]
    figures = {(line[0], line[2], line[3]): line[4] for line in lines[1:]}
    assert figures[("What they asked about", "all", "separation")] == "not shown"
    assert figures[("What they asked about", "all", "visits")] == "not shown"
    assert figures[("What they asked about", "all", "all")] == "9"
    urgent = ("Time from asking to an advocate claiming", "urgent", "median minutes")
    assert figures[urgent] == "5.5"
    assert CHILD_WORDS not in download.text

    last_week = this_week - timedelta(weeks=1)
    month = f"{last_week:%Y-%m}"
    report = await client.get(f"/dashboard/stats/report.pdf?month={month}")
    assert report.status_code == 200
    assert report.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(report.content))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "separation: not shown" in text
    assert "separation: 3" not in text
    assert "they put me" not in text
    assert (await client.get("/dashboard/stats/report.pdf?month=2026-13")).status_code == 422
    with Session(runtime.database) as session:
        exports = session.exec(
            select(AuditEntry.detail).where(AuditEntry.action == "export_figures")
        ).all()
    assert exports == ["csv: 12 weeks by week", f"pdf: {month}"]


@pytest.mark.parametrize(
    "path", ["/dashboard/stats.csv", "/dashboard/stats/report.pdf?month=2026-01"]
)
async def test_downloads_need_a_signed_in_advocate(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 303 and response.headers["location"] == "/dashboard/login"
