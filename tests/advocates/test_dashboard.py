"""The dashboard pages over HTTP: sign-in with CSRF, the cookie, the queue and every action."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.advocates.conftest import ADMIN, ADVOCATE, OTHER
from tests.advocates.helpers import PASSWORD, child_asks_for_advocate, child_says

MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)> & <b>bold</b>'


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD
) -> httpx.Response:
    page = await client.get("/dashboard/login")
    form = {"email": email, "password": password, "csrf_token": csrf_of(page.text)}
    return await client.post("/dashboard/login", data=form)


async def test_pages_need_signing_in(client: httpx.AsyncClient) -> None:
    for path in ("/dashboard", "/dashboard/referrals/1", "/dashboard/stats", "/dashboard/audit"):
        response = await client.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == "/dashboard/login"


async def test_sign_in_sets_a_strict_http_only_cookie(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    signed = await sign_in(client, ADVOCATE)
    assert signed.status_code == 303 and signed.headers["location"] == "/dashboard"
    cookie = signed.headers["set-cookie"]
    assert cookie.startswith("rightsline_dashboard=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/dashboard" in cookie
    assert "Secure" not in cookie  # plain http in tests; production always sets it
    queue = await client.get("/dashboard")
    assert queue.status_code == 200 and "Test Advocate One" in queue.text
    # Scripts only from the app itself (the queue's own file), never inline.
    policy = queue.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert queue.headers["x-frame-options"] == "DENY"


async def test_the_cookie_is_secure_in_production(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    runtime.settings = runtime.settings.model_copy(update={"env": "production"})
    page = await client.get("/dashboard/login")
    assert "Secure" in page.headers["set-cookie"]


async def test_forms_without_the_csrf_token_are_refused(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    await client.get("/dashboard/login")
    for token in ("", "forged"):
        form = {"email": ADVOCATE, "password": PASSWORD, "csrf_token": token}
        refused = await client.post("/dashboard/login", data=form)
        assert refused.status_code == 403
    await sign_in(client, ADVOCATE)
    assert (await client.post("/dashboard/logout", data={})).status_code == 403
    assert (await client.post("/dashboard/referrals/1/claim", data={})).status_code == 403


async def test_a_wrong_password_shows_the_form_again(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    page = await client.get("/dashboard/login")
    form = {"email": ADVOCATE, "password": "nope", "csrf_token": csrf_of(page.text)}
    response = await client.post("/dashboard/login", data=form)
    assert response.status_code == 401 and "Wrong email or password." in response.text
    assert "rightsline_dashboard" not in response.headers.get("set-cookie", "")


async def test_claim_reply_and_close_from_the_dashboard_with_markup_escaped(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    session_id = await child_asks_for_advocate(client, MARKUP)
    await child_says(client, session_id, MARKUP)
    await sign_in(client, ADVOCATE)
    queue = await client.get("/dashboard")
    found = re.search(r'href="/dashboard/referrals/(\d+)"', queue.text)
    assert found is not None
    url = f"/dashboard/referrals/{found.group(1)}"

    page = await client.get(url)
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text

    token = csrf_of(page.text)
    assert (await client.post(f"{url}/claim", data={"csrf_token": token})).status_code == 303
    sent = await client.post(f"{url}/reply", data={"csrf_token": token, "text": "Hello <i>you</i>"})
    assert sent.status_code == 303
    page = await client.get(url)
    assert "Hello &lt;i&gt;you&lt;/i&gt;" in page.text and 'id="status">waiting' in page.text
    replies = (await client.get(f"/api/chat/sessions/{session_id}/messages")).json()["replies"]
    assert replies[0]["text"].endswith("Hello <i>you</i>")

    form = {"csrf_token": token, "outcome": "advice_given"}
    assert (await client.post(f"{url}/close", data=form)).status_code == 303
    assert "closed (Advice given)" in (await client.get(url)).text


async def test_another_advocate_cannot_close_it_from_the_dashboard(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    await child_asks_for_advocate(client, "they locked me in my room")
    await sign_in(client, ADVOCATE)
    page = await client.get("/dashboard/referrals/1")
    await client.post("/dashboard/referrals/1/claim", data={"csrf_token": csrf_of(page.text)})
    client.cookies.clear()
    await sign_in(client, OTHER)
    page = await client.get("/dashboard/referrals/1")
    assert "Close the referral" not in page.text and "Claim this referral" not in page.text
    form = {"csrf_token": csrf_of(page.text), "outcome": "advice_given"}
    refused = await client.post("/dashboard/referrals/1/close", data=form)
    assert refused.status_code == 403 and "Only the advocate who claimed" in refused.text
    taken = await client.post("/dashboard/referrals/1/claim", data=form)
    assert taken.status_code == 409 and "Another advocate" in taken.text


async def test_a_reply_refused_because_the_referral_changed_gives_the_words_back(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    """A tired advocate writes a long reply while an admin closes the referral: the refusal
    says why and shows what they wrote, so it is not lost."""
    await child_asks_for_advocate(client, "they locked me in my room")
    await sign_in(client, ADVOCATE)
    url = "/dashboard/referrals/1"
    token = csrf_of((await client.get(url)).text)
    await client.post(f"{url}/claim", data={"csrf_token": token})
    written = "I have read what you wrote & I will ring the <b>unit</b> today."
    mine = dict(client.cookies)
    client.cookies.clear()
    await sign_in(client, ADMIN)
    form = {"csrf_token": csrf_of((await client.get(url)).text), "outcome": "other"}
    assert (await client.post(f"{url}/close", data=form)).status_code == 303
    client.cookies.clear()
    client.cookies.update(mine)
    refused = await client.post(f"{url}/reply", data={"csrf_token": token, "text": written})
    assert refused.status_code == 409 and "This referral is closed." in refused.text
    assert f'<textarea id="unsent" readonly>{html.escape(written)}</textarea>' in refused.text
    assert "<b>unit</b>" not in refused.text


async def test_the_audit_page_is_for_admins_and_stats_show_suppression(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    await child_asks_for_advocate(client, "they locked me in my room")
    await sign_in(client, ADVOCATE)
    await client.get("/dashboard")
    assert (await client.get("/dashboard/audit")).status_code == 403
    figures = await client.get("/dashboard/stats")
    assert figures.status_code == 200 and "fewer than 5" in figures.text
    client.cookies.clear()
    await sign_in(client, ADMIN)
    log = await client.get("/dashboard/audit")
    assert log.status_code == 200
    assert "Test Advocate One" in log.text and "view_queue" in log.text
    assert (await client.get("/dashboard/referrals/999")).status_code == 404


async def test_overdue_referrals_are_flagged_on_the_queue(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    from datetime import timedelta

    from sqlmodel import Session, select

    from service.models import Referral, utcnow

    await child_asks_for_advocate(client, "they locked me in my room")
    with Session(runtime.database) as session:
        referral = session.exec(select(Referral)).one()
        referral.created_at = utcnow() - timedelta(hours=30)
        session.commit()
    await sign_in(client, ADVOCATE)
    queue = (await client.get("/dashboard")).text
    assert "1 referral is past the time limit" in queue
    assert 'class="referral overdue"' in queue and "1 day 6 h" in queue


async def test_signing_out_ends_the_session(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    await sign_in(client, ADVOCATE)
    page = await client.get("/dashboard")
    out = await client.post("/dashboard/logout", data={"csrf_token": csrf_of(page.text)})
    assert out.status_code == 303
    assert (await client.get("/dashboard")).status_code == 303


# ---- filtering and paging the queue --------------------------------------------------------

ROW_SUMMARY = re.compile(r'<td class="text">([^<]*)</td>')


def add_referrals(
    runtime: Any,
    count: int,
    label: str,
    *,
    urgency: str = "normal",
    topic: str | None = None,
    setting: str | None = None,
    minutes_ago: int = 30,
) -> None:
    """`count` new referrals summarised "label 000", "label 001"..., oldest first."""
    from datetime import timedelta

    from sqlmodel import Session

    from service.models import Referral, utcnow

    newest = utcnow() - timedelta(minutes=minutes_ago)
    with Session(runtime.database) as session:
        for n in range(count):
            session.add(
                Referral(
                    urgency=urgency,
                    topic=topic,
                    setting=setting,
                    summary=f"{label} {n:03d}",
                    created_at=newest - timedelta(seconds=count - n),
                )
            )
        session.commit()


def shown(page: str) -> list[str]:
    """The summaries on a queue page, top to bottom."""
    return ROW_SUMMARY.findall(page)


def link(page: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', page)
    return html.unescape(found.group(1)) if found else None


async def test_the_queue_has_a_labelled_filter_form_that_keeps_its_choices(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    await sign_in(client, ADVOCATE)
    page = (await client.get("/dashboard?status=new&topic=visits&setting=yoi")).text
    assert '<form class="queue-filters" method="get" action="/dashboard"' in page
    for name, words in [
        ("urgency", "Urgency"),
        ("topic", "Topic"),
        ("setting", "Kind of place"),
        ("waited_minutes", "Waited longer than"),
    ]:
        assert f'<label for="filter-{name}">{words}</label>' in page
        assert f'<select id="filter-{name}" name="{name}">' in page
    # The choices come from the content's own lists, and what was chosen stays chosen.
    from content.schema import PLACE_KINDS, REPORTED_TOPICS

    for topic in REPORTED_TOPICS:
        assert f'<option value="{topic}"' in page
    for kind in PLACE_KINDS:
        assert f'<option value="{kind}"' in page
    assert '<option value="visits" selected>' in page
    assert '<option value="yoi" selected>Young offender institution (yoi)</option>' in page
    assert '<option value="urgent">urgent</option>' in page
    assert '<option value="1440">24 h</option>' in page
    assert '<input type="hidden" name="status" value="new">' in page
    assert '<button type="submit">Show</button>' in page
    # No inline style or script: the page's CSP allows neither.
    assert " style=" not in page
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/queue.js" defer>']


async def test_filtering_by_topic_shows_only_that_topic(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    add_referrals(runtime, 2, "visits", topic="visits", setting="yoi")
    add_referrals(runtime, 3, "restraint", topic="restraint", setting="sch")
    await sign_in(client, ADVOCATE)
    assert len(shown((await client.get("/dashboard")).text)) == 5
    page = (await client.get("/dashboard?topic=visits")).text
    assert shown(page) == ["visits 000", "visits 001"]
    assert "Showing 1 to 2 of 2" in page
    by_place = (await client.get("/dashboard?setting=sch")).text
    assert shown(by_place) == ["restraint 000", "restraint 001", "restraint 002"]
    assert shown((await client.get("/dashboard?topic=visits&setting=sch")).text) == []


async def test_filtering_by_urgency_and_by_how_long_they_waited(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    add_referrals(runtime, 1, "two days", minutes_ago=2 * 24 * 60)
    add_referrals(runtime, 1, "two hours", minutes_ago=120)
    add_referrals(runtime, 1, "five minutes", minutes_ago=5)
    add_referrals(runtime, 1, "urgent now", urgency="urgent", minutes_ago=1)
    await sign_in(client, ADVOCATE)
    urgent = (await client.get("/dashboard?urgency=urgent")).text
    assert shown(urgent) == ["urgent now 000"]
    normal = (await client.get("/dashboard?urgency=normal")).text
    assert shown(normal) == ["two days 000", "two hours 000", "five minutes 000"]
    assert '<option value="normal" selected>' in normal
    # Waited longer than 1 h, then 24 h: the new urgent one is not old enough for either.
    hour = (await client.get("/dashboard?waited_minutes=60")).text
    assert shown(hour) == ["two days 000", "two hours 000"]
    assert '<option value="60" selected>1 h</option>' in hour
    day = (await client.get("/dashboard?waited_minutes=1440&urgency=normal")).text
    assert shown(day) == ["two days 000"] and "Showing 1 to 1 of 1" in day


async def test_paging_through_120_referrals_50_at_a_time(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    add_referrals(runtime, 120, "case")
    await sign_in(client, ADVOCATE)
    first = (await client.get("/dashboard")).text
    assert shown(first) == [f"case {n:03d}" for n in range(50)]
    assert "Showing 1 to 50 of 120" in first
    assert link(first, "prev") is None
    next_url = link(first, "next")
    assert next_url == "/dashboard?status=open&page=2"

    second = (await client.get(next_url)).text
    assert shown(second) == [f"case {n:03d}" for n in range(50, 100)]
    assert "Showing 51 to 100 of 120" in second
    assert link(second, "prev") == "/dashboard?status=open"
    third_url = link(second, "next")
    assert third_url is not None

    third = (await client.get(third_url)).text
    assert shown(third) == [f"case {n:03d}" for n in range(100, 120)]
    assert "Showing 101 to 120 of 120" in third
    assert link(third, "next") is None and link(third, "prev") == next_url


async def test_an_unclaimed_urgent_referral_is_on_page_one_behind_300_older_ones(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    add_referrals(runtime, 300, "older", minutes_ago=2 * 24 * 60)
    add_referrals(runtime, 1, "just now", urgency="urgent", minutes_ago=0)
    await sign_in(client, ADVOCATE)
    first = (await client.get("/dashboard")).text
    rows = shown(first)
    assert rows[0] == "just now 000" and len(rows) == 51
    assert "Showing 1 to 51 of 301" in first
    assert "Every urgent referral that no one has claimed is always on the first page" in first
    second = (await client.get(link(first, "next") or "")).text
    assert "just now 000" not in shown(second)
    assert shown(second)[0] == "older 050" and "Showing 52 to 101 of 301" in second
    assert "1 urgent referral that no one has claimed is at the top of the" in second
    # Late ones are counted on every page, not only those on the page shown.
    assert "300 referrals are past the time limit" in second


async def test_filters_survive_to_the_next_link_and_the_status_links(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    add_referrals(runtime, 60, "visit", topic="visits", setting="yoi", minutes_ago=90)
    add_referrals(runtime, 10, "other", topic="restraint", setting="yoi", minutes_ago=90)
    await sign_in(client, ADVOCATE)
    wanted = "status=new&urgency=normal&topic=visits&setting=yoi&waited_minutes=60"
    first = (await client.get(f"/dashboard?{wanted}")).text
    assert "Showing 1 to 50 of 60" in first
    next_url = link(first, "next")
    assert next_url is not None
    asked = parse_qs(urlsplit(next_url).query)
    assert asked == {
        "status": ["new"],
        "urgency": ["normal"],
        "topic": ["visits"],
        "setting": ["yoi"],
        "waited_minutes": ["60"],
        "page": ["2"],
    }
    second = (await client.get(next_url)).text
    assert shown(second) == [f"visit {n:03d}" for n in range(50, 60)]
    assert '<option value="visits" selected>' in second
    assert '<input type="hidden" name="status" value="new">' in second
    # Choosing another status keeps the filters and starts again at page 1.
    closed = html.unescape(re.findall(r'<a href="([^"]+)">closed</a>', second)[0])
    expected = {name: value for name, value in asked.items() if name != "page"}
    assert parse_qs(urlsplit(closed).query) == {**expected, "status": ["closed"]}


async def test_bad_values_are_left_out_and_never_a_500(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    add_referrals(runtime, 3, "case", topic="visits")
    await sign_in(client, ADVOCATE)
    for query in (
        "page=0",
        "page=abc",
        "page=-1",
        "page=99999999999999999999999",
        "page=%C2%B2",
        "topic=nonsense",
        "setting=prison",
        "urgency=%3Cscript%3E",
        "waited_minutes=-5",
        "waited_minutes=30",
        "status=bogus",
        "topic=" + "x" * 5000,
    ):
        response = await client.get(f"/dashboard?{query}")
        assert response.status_code == 200, query
        assert 'id="left-out"' in response.text, query
        assert shown(response.text) == ["case 000", "case 001", "case 002"], query
        assert "<script>" not in response.text
    # Empty choices are "any", not a mistake; a page past the end is just empty.
    plain = await client.get("/dashboard?status=open&urgency=&topic=&setting=&waited_minutes=")
    assert plain.status_code == 200 and 'id="left-out"' not in plain.text
    assert len(shown(plain.text)) == 3
    beyond = await client.get("/dashboard?page=7")
    assert beyond.status_code == 200 and "No referrals on this page." in beyond.text
    assert link(beyond.text, "prev") == "/dashboard?status=open&page=6"


async def test_the_audit_log_says_which_filters_were_used(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    add_referrals(runtime, 1, "secret words", topic="visits")
    await sign_in(client, ADMIN)
    await client.get("/dashboard?status=all&urgency=normal&topic=visits&waited_minutes=15&page=2")
    await client.get("/dashboard?topic=nonsense")
    log = (await client.get("/dashboard/audit")).text
    assert "<td>dashboard all urgency normal topic visits waited 15 page 2</td>" in log
    assert "<td>dashboard open</td>" in log  # the value left out is not written down
    assert "nonsense" not in log and "secret words" not in log
