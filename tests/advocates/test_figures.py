"""The figures page, its CSV and PDF, and /api/stats: one set of figures, suppressed alike."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import datetime, timedelta
from html import unescape
from typing import Any

import httpx
import pypdfium2
import pytest
from pypdf import PdfReader
from sqlmodel import Session, col, select

from service import charts, suppression
from service.figures import compute, iso_week, month_bounds, nearest_rank, week_start
from service.models import Advocate, AuditEntry, Event, Referral, utcnow
from service.vocabulary import Urgency
from tests.advocates.conftest import ADMIN, ADVOCATE
from tests.advocates.helpers import bearer
from tests.advocates.test_dashboard import sign_in
from tests.web.invented import invent_month

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


def test_hidden_parts_that_can_only_be_ones_take_another_with_them() -> None:
    """Zeros are shown, so two hidden parts of a shown total of which the rest is known, adding
    up to 2, can only be 1 and 1: a third is hidden with them."""
    parts, total_hidden = suppression.protect_list([1, 1, 8], 10)
    assert parts == [True, True, True] and not total_hidden
    # Hidden parts that add up to more than one each say no more than "1 to 4" each.
    assert suppression.protect_list([1, 2, 8], 11) == ([True, True, False], False)


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


async def test_a_wait_with_nothing_claimed_is_not_shown_as_0_minutes(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    headers = await bearer(client, ADVOCATE)
    figures = (await client.get("/api/stats", headers=headers)).json()["figures"]
    for row in table(figures, "time_to_claim")["rows"]:
        assert all(cell["value"] is None for cell in row["cells"]), row
    summary = table(figures, "time_to_claim")["summary"]
    assert "0 minutes" not in summary and "0.0" not in summary


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
        # A screen reader names each chart by its heading.
        title = re.search(r'-title">([^<]+)</h2>', section)
        label = re.search(r'<svg [^>]*aria-label="([^"]+)"', section)
        assert title is not None and label is not None
        assert unescape(label.group(1)) == f"Chart: {unescape(title.group(1))}"
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
    # A month that cannot be read, or has not come yet, gets a page saying so, not a list of
    # fields in JSON.
    for wrong, words in (("2026-13", "Choose a month, written like"), ("Nov 2026", "written like")):
        refused = await client.get(f"/dashboard/stats/report.pdf?month={wrong}")
        assert refused.status_code == 422 and words in refused.text
        assert refused.headers["content-type"].startswith("text/html")
    ahead = f"{this_week + timedelta(days=62):%Y-%m}"
    later = await client.get(f"/dashboard/stats/report.pdf?month={ahead}")
    assert later.status_code == 422 and "no figures yet" in later.text
    weeks = await client.get("/dashboard/stats?weeks=500")
    assert weeks.status_code == 422 and "could not be used (weeks)" in weeks.text
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


# ---- no count under 5 can be read anywhere ------------------------------------------------
# Invented figures where many cells are 1 to 4 and several rows and columns would give one away
# by a difference. The true count of every cell is worked out here, from what was seeded, and
# each place a figure leaves (the JSON, the page's tables and charts, the CSV and the PDF) is
# read for it: a count of 1 to 4 must read "not shown" where it would stand, every count shown
# must be 0 or at least 5, and no row or column may hide only one of its parts and its total.

# (weeks ago, kind of place, topic): how many messages.
SMALL_EVENTS = {
    (0, "yoi", "visits"): 7,
    (0, "yoi", "separation"): 2,
    (0, "sch", "visits"): 1,
    (0, "hospital", "complaints"): 4,
    (1, "yoi", "visits"): 5,
    (1, "sch", "separation"): 3,
    (1, "sch", "restraint"): 6,
    (1, None, "helpline"): 1,
}
# (weeks ago, kind of place, urgency, minutes to claim or None, outcome or None), each once.
SMALL_REFERRALS: list[tuple[int, str | None, Urgency, int | None, str | None]] = [
    *[(0, "yoi", "urgent", wait, "advice_given") for wait in (5, 6, 7, 8)],
    *[(0, "yoi", "urgent", wait, "complaint_made") for wait in (20, 30)],
    *[(1, "sch", "normal", wait, None) for wait in (60, 120, 2000)],
    (1, "hospital", "normal", None, None),
    *[(1, "yoi", "normal", wait, "advice_given") for wait in (30, 40, 50, 70, 90)],
]
COUNTED = ("topics", "requests", "time_limit", "outcomes")


def seed_small(runtime: Any) -> datetime:
    """SMALL_EVENTS and SMALL_REFERRALS, an hour into this week and last; this week's start."""
    this_week = week_start(utcnow()) + timedelta(hours=1)
    with Session(runtime.database) as session:
        for (ago, place, topic), count in SMALL_EVENTS.items():
            for n in range(count):
                when = this_week - timedelta(weeks=ago)
                check_in = topic == "visits" and n == 0
                session.add(
                    Event(
                        channel="web",
                        topic=topic,
                        setting=place,
                        created_at=when,
                        check_in=check_in,
                    )
                )
        for ago, place, urgency, wait, outcome in SMALL_REFERRALS:
            when = this_week - timedelta(weeks=ago)
            session.add(
                Referral(
                    urgency=urgency,
                    setting=place,
                    summary=CHILD_WORDS,
                    created_at=when,
                    claimed_at=None if wait is None else when + timedelta(minutes=wait),
                    status="closed" if outcome else ("claimed" if wait else "new"),
                    outcome=outcome,
                    closed_at=when + timedelta(hours=40) if outcome else None,
                )
            )
        session.commit()
    return this_week


def true_counts(
    this_week: datetime,
    *,
    by: str,
    since: datetime | None = None,
    until: datetime | None = None,
    names: dict[str, str] | None = None,
) -> dict[tuple[str, str, str], int]:
    """(section, row, column) to the true count, row and column totals ("all") included; a
    kind of place's row by its name in `names` (as people read it), else by its label."""
    now = utcnow()

    def row_of(ago: int, place: str | None) -> str:
        if by == "week":
            return iso_week(this_week - timedelta(weeks=ago))
        return (names or {}).get(place, place) if place else "not said"

    def kept(ago: int) -> bool:
        when = this_week - timedelta(weeks=ago)
        return (since is None or when >= since) and (until is None or when < until)

    counts: dict[tuple[str, str, str], int] = {}

    def add(section: str, row: str, column: str, n: int = 1) -> None:
        for key in ((section, row, column), (section, row, "all"), (section, "all", column)):
            counts[key] = counts.get(key, 0) + n
        counts[(section, "all", "all")] = counts.get((section, "all", "all"), 0) + n

    for (ago, place, topic), n in SMALL_EVENTS.items():
        if kept(ago):
            add("topics", row_of(ago, place), topic, n)
    for ago, place, urgency, wait, outcome in SMALL_REFERRALS:
        if not kept(ago):
            continue
        row = row_of(ago, place)
        add("requests", row, "at risk (urgent)" if urgency == "urgent" else "not at risk")
        name = "urgent" if urgency == "urgent" else "other"
        limit = 15 if urgency == "urgent" else 24 * 60
        created = this_week - timedelta(weeks=ago)
        waited: float
        if wait is not None:
            waited = wait
        else:
            waited = (now - created).total_seconds() / 60
        verdict = "past the limit" if waited > limit else "in time"
        if wait is None and outcome is None and verdict == "in time":
            verdict = "waiting, in time"
        add("time_limit", row, f"{name}: {verdict}")
        add("outcomes", row, (outcome or "still open").replace("_", " "))
    return counts


def small(n: int) -> bool:
    return 0 < n < suppression.SMALLEST_SHOWN


def cells_of(section: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(row label, cell) for every cell of a section, its totals included."""
    rows = [*section["rows"], *([section["totals"]] if section.get("totals") else [])]
    found = []
    for row in rows:
        for cell in [*row["cells"], *([row["total"]] if row.get("total") else [])]:
            found.append((row["label"], cell))
    return found


def words(cell: dict[str, Any]) -> str:
    if cell["suppressed"]:
        return "not shown"
    value = cell["value"]
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def check_json(figures: dict[str, Any], truth: dict[tuple[str, str, str], int]) -> int:
    """Every cell against its true count; how many true counts of 1 to 4 there were."""
    smalls = 0
    for key in COUNTED:
        section = table(figures, key)
        for row, cell in cells_of(section):
            true = truth.get((key, row, cell["label"]), 0)
            if small(true):
                smalls += 1
                assert cell == {"label": cell["label"], "value": None, "suppressed": True}
            elif not cell["suppressed"]:
                assert cell["value"] == true, (key, row, cell)
            assert cell["suppressed"] or cell["value"] == 0 or cell["value"] >= 5
        # No set of parts and their total hides exactly one: none can be worked out.
        lines = [[*row["cells"], row["total"]] for row in section["rows"]]
        lines.append([*section["totals"]["cells"], section["totals"]["total"]])
        columns = [list(column) for column in zip(*lines, strict=True)]
        for line in [*lines, *columns]:
            assert sum(cell["suppressed"] for cell in line) != 1, (key, line)
    for cell in table(figures, "pathway")["chart"]:
        assert cell["suppressed"] or cell["value"] % 5 == 0
    for cell in table(figures, "time_to_claim")["chart"]:
        assert cell["suppressed"] or cell["value"] >= 5  # every wait seeded is 5 minutes or more
    return smalls


def page_sections(page: str) -> dict[str, str]:
    return {
        key: page.split(f'<section class="figures" id="{key}"')[1].split("</section>")[0]
        for key in SECTIONS
    }


def check_page(page: str, figures: dict[str, Any], names: dict[str, str]) -> None:
    """Each table's cells, and each chart's figures, read as the JSON has them (where the JSON
    has a kind of place's label, the page has its name)."""
    for key, section in page_sections(page).items():
        expected = table(figures, key)
        body = section.split("<table", 1)[1]
        rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)[1:]  # the header row aside
        read = []
        for row in rows:
            label = re.search(r'<th scope="row">(.*?)</th>', row, flags=re.S)
            assert label is not None
            for cell in re.findall(r"<td>(.*?)</td>", row, flags=re.S):
                read.append((html.unescape(label.group(1)), re.sub(r"<[^>]+>", "", cell)))
        shown = [(names.get(row, row), words(cell)) for row, cell in cells_of(expected)]
        assert read == shown, key
        svg = re.search(r"<svg .*?</svg>", section, flags=re.S)
        assert svg is not None
        texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg.group(0))]
        chart = expected["chart"]
        # The figure beside each bar is the chart's last texts, bottom bar first.
        assert texts[-len(chart) :][::-1] == [words(cell) for cell in chart], key
        caption = html.unescape(section.split("<figcaption", 1)[1].split("</figcaption>")[0])
        for cell in chart:
            assert f"{names.get(cell['label'], cell['label'])}: {words(cell)}" in caption


SAID = re.compile(r"([A-Za-z_()][\w ()-]*?): (not shown|\d+(?:\.\d)?)")


def check_words(text: str, truth: dict[tuple[str, str, str], int], key_of: dict[str, str]) -> None:
    """PDF text: every "label: figure" is hidden, 0 or 5 or more, and wherever a label whose
    true count is 1 to 4 is given a figure (a chart's column, a row's total), it is "not shown"."""
    said = SAID.findall(text)
    assert said
    for _, figure in said:
        assert figure == "not shown" or float(figure) == 0 or float(figure) >= 5, figure
    titles = [title for title in key_of if title in text]
    assert titles
    for title in titles:
        part = text.split(title, 1)[1]
        for other in titles:
            part = part.split(other, 1)[0] if other != title else part
        for (section, row, column), true in truth.items():
            if section != key_of[title] or not small(true) or "all" not in (row, column):
                continue
            label = column if row == "all" else row
            pattern = rf"(?<![\w]){re.escape(label)}: (not shown|\d+(?:\.\d)?)"
            for figure in re.findall(pattern, part):
                assert figure == "not shown", (title, label, figure)
    for n in range(1, 5):
        assert not re.search(rf":\s{n}(?![\d.])", text), n


async def test_no_count_under_5_can_be_read_anywhere(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    this_week = seed_small(runtime)
    headers = await bearer(client, ADVOCATE)
    await sign_in(client, ADVOCATE)
    key_of = {}
    names = runtime.library.kind_names
    for by in ("week", "place"):
        truth = true_counts(this_week, by=by)
        body = (await client.get(f"/api/stats?by={by}", headers=headers)).json()
        figures = body["figures"]
        key_of = {t["title"]: t["key"] for t in figures["tables"]}
        assert check_json(figures, truth) >= 15
        # The older lists in the same JSON.
        for count in [body["total"], body["check_ins"], *body["by_topic"], *body["by_setting"]]:
            assert count["suppressed"] or count["count"] == 0 or count["count"] >= 5
        for count in body["by_week"]:
            assert count["suppressed"] or count["count"] == 0 or count["count"] >= 5
        assert (
            body["total"]["suppressed"]
            or body["check_ins"]["suppressed"]
            or (body["total"]["count"] - body["check_ins"]["count"] >= 5)
        )

        page = await client.get(f"/dashboard/stats?by={by}")
        assert page.status_code == 200
        check_page(page.text, figures, names)

        download = await client.get(f"/dashboard/stats.csv?by={by}")
        lines = list(csv.reader(io.StringIO(download.text)))[1:]
        read = {(line[0], line[2], line[3]): line[4] for line in lines}
        for t in figures["tables"]:
            for row, cell in cells_of(t):
                assert read[(t["title"], names.get(row, row), cell["label"])] == words(cell)
        for line in lines:
            if line[5] != "minutes":
                assert line[4] == "not shown" or float(line[4]) == 0 or float(line[4]) >= 5, line

    months = sorted({f"{this_week:%Y-%m}", f"{this_week - timedelta(weeks=1):%Y-%m}"})
    for month in months:
        since, until = month_bounds(int(month[:4]), int(month[5:]))
        truth = true_counts(this_week, by="place", since=since, until=until, names=names)
        report = await client.get(f"/dashboard/stats/report.pdf?month={month}")
        assert report.status_code == 200
        reader = PdfReader(io.BytesIO(report.content))
        text = " ".join(reader.pages[0].extract_text().split())
        check_words(text, truth, key_of)
        # The same, read by PDFium (pypdfium2), in case either reader loses a word.
        document = pypdfium2.PdfDocument(report.content)
        try:
            other = " ".join(document[0].get_textpage().get_text_range().split())
        finally:
            document.close()
        check_words(other, truth, key_of)


def test_the_invented_month_for_the_pictures(runtime: Any, advocates: dict[str, int]) -> None:
    """`make screenshots` draws the figures over tests/web/invented.py: enough to fill them."""
    with Session(runtime.database) as session:
        advocate = session.get(Advocate, advocates[ADVOCATE])
        assert advocate is not None
        session.expunge(advocate)
    made = invent_month(runtime, advocate, chats=60)
    assert made["messages"] >= 150 and made["referrals"] >= 15 and made["closed"] >= 10
    with Session(runtime.database) as session:
        shown = compute(
            session=session,
            settings=runtime.settings,
            since=utcnow() - timedelta(days=29),
            until=utcnow(),
            rows_by="place",
        )
        kept = session.exec(select(Referral)).all()
    assert {r.setting for r in kept} >= {"yoi", "sch"} and {r.urgency for r in kept} == {
        "urgent",
        "normal",
    }
    assert all(r.created_at <= (r.claimed_at or r.created_at) for r in kept)
    topics = next(t for t in shown.tables if t.key == "topics")
    assert topics.totals is not None and topics.totals.total is not None
    assert topics.totals.total.value == made["messages"]


async def test_a_second_look_at_the_same_figures_draws_no_chart_again(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    """The charts were most of the page's time (matplotlib's layout drew each twice); now each
    is drawn once, and not again while its figures stay the same."""
    with Session(runtime.database) as session:
        advocate = session.get(Advocate, advocates[ADVOCATE])
        assert advocate is not None
        session.expunge(advocate)
    invent_month(runtime, advocate, chats=60)
    await sign_in(client, ADVOCATE)
    charts._drawn.cache_clear()
    first = await client.get("/dashboard/stats?weeks=5")
    assert first.status_code == 200
    assert charts._drawn.cache_info().misses == len(SECTIONS)
    again = await client.get("/dashboard/stats?weeks=5")
    assert charts._drawn.cache_info().misses == len(SECTIONS)  # nothing drawn twice
    svg = re.compile(r"<svg .*?</svg>", flags=re.S)
    assert svg.findall(again.text) == svg.findall(first.text)


async def test_looking_at_the_figures_is_audited_with_what_was_asked_and_no_words(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    seed(runtime)
    await sign_in(client, ADVOCATE)
    assert (await client.get("/dashboard/stats")).status_code == 200
    assert (await client.get("/dashboard/stats?weeks=4&by=place")).status_code == 200
    assert (await client.get("/dashboard/stats.csv?weeks=4&by=place")).status_code == 200
    assert (await client.get("/dashboard/stats/report.pdf?month=2026-01")).status_code == 200
    headers = await bearer(client, ADVOCATE)
    assert (await client.get("/api/stats?weeks=2", headers=headers)).status_code == 200
    # Refused asks are not looks: nothing recorded for them.
    assert (await client.get("/dashboard/stats?weeks=0")).status_code == 422
    with Session(runtime.database) as session:
        rows = session.exec(
            select(AuditEntry.advocate_id, AuditEntry.action, AuditEntry.detail)
            .where(AuditEntry.action != "login")
            .order_by(col(AuditEntry.id))
        ).all()
    mine = advocates[ADVOCATE]
    assert [tuple(row) for row in rows] == [
        (mine, "view_figures", "dashboard: 12 weeks by week"),
        (mine, "view_figures", "dashboard: 4 weeks by place"),
        (mine, "export_figures", "csv: 4 weeks by place"),
        (mine, "export_figures", "pdf: 2026-01"),
        (mine, "view_figures", "api: 2 weeks by week"),
    ]
    await sign_in(client, ADMIN)
    log = (await client.get("/dashboard/audit")).text
    assert "view_figures" in log and "dashboard: 4 weeks by place" in log
    assert CHILD_WORDS not in log


async def test_kinds_of_place_are_in_words_on_the_page_in_the_csv_and_in_the_pdf(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    """As the queue names them ("Young offender institution"), never by label ("yoi")."""
    this_week = seed(runtime)
    names = runtime.library.kind_names
    assert names["yoi"] == "Young offender institution"
    assert names["sch"] == "Secure children's home"
    labels = re.compile(r"(?<![\w-])(yoi|stc|secure_school|sch|hospital)(?![\w-])")
    await sign_in(client, ADVOCATE)

    page = await client.get("/dashboard/stats?by=place")
    rows = {html.unescape(row) for row in re.findall(r'<th scope="row">(.*?)</th>', page.text)}
    assert {*names.values(), "not said"} <= rows
    assert not labels.search(" ".join(rows))
    captions = html.unescape(
        " ".join(re.findall(r"<figcaption[^>]*>(.*?)</figcaption>", page.text))
    )
    assert "Young offender institution: 16" in captions and not labels.search(captions)

    download = await client.get("/dashboard/stats.csv?by=place")
    lines = list(csv.reader(io.StringIO(download.text)))[1:]
    places = {line[2] for line in lines if line[1] == "kind of place"}
    assert places == {*names.values(), "not said", "all"}
    assert not labels.search(download.text)

    report = await client.get(f"/dashboard/stats/report.pdf?month={this_week:%Y-%m}")
    reader = PdfReader(io.BytesIO(report.content))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    # The requests by kind of place, however the month's weeks fall.
    assert re.search(r"\(referrals\)\. Young offender institution: (\d+|not shown), ", text)
    assert "Mental-health ward" in text and not labels.search(text)

    # The JSON keeps the labels every other tool reads.
    body = (await client.get("/api/stats?by=place", headers=await bearer(client, ADVOCATE))).json()
    assert [row["label"] for row in table(body["figures"], "topics")["rows"]][0] == "yoi"
