"""The advocates' queue: its page, the part that changes, and how a page learns it changed
(an event stream, or asking for the queue's fingerprint)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlmodel import Session

from content.schema import PLACE_KINDS, REPORTED_TOPICS
from service import accounts, referrals
from service import queue as referral_queue
from service.accounts import Advocate
from service.dashboard import (
    PREFIX,
    SESSION_COOKIE,
    SignedInVisit,
    UpdatesAdvocate,
    label_words,
    limit_words,
    render,
    role_words,
)
from service.deps import RuntimeDep, SessionDep
from service.queue import QueueFilter
from service.vocabulary import URGENCIES

router = APIRouter(prefix=PREFIX, include_in_schema=False)

PER_PAGE = 50
WAITED_LABELS = {15: "15 min", 60: "1 h", 24 * 60: "24 h", 3 * 24 * 60: "3 days"}


def queue_url(filters: QueueFilter, page: int = 1) -> str:
    """The queue with these filters: what the status links and Previous and Next point to."""
    return f"/dashboard?{urlencode(asked_query(filters, page))}"


def page_number(raw: str) -> int | None:
    """A page number from 1 (none given is 1); None for anything else, shown as page 1."""
    text = raw.strip() or "1"
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        return None
    number = int(text)
    return number if 1 <= number <= referral_queue.MAX_PAGE else None


def choices(runtime: RuntimeDep) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Each filter's query name, label and (value, words) choices after "any"."""
    kinds = runtime.library.kind_names
    return [
        ("urgency", "Urgency", [(urgency, urgency) for urgency in URGENCIES]),
        ("topic", "Topic", [(topic, topic) for topic in REPORTED_TOPICS]),
        ("role", "Who wrote in", list(role_words(runtime.library).items())),
        (
            "setting",
            "Kind of place",
            [(kind, f"{kinds[kind]} ({kind})" if kind in kinds else kind) for kind in PLACE_KINDS],
        ),
        (
            "waited_minutes",
            "Waited longer than",
            [
                (str(minutes), WAITED_LABELS.get(minutes, f"{minutes} min"))
                for minutes in referral_queue.WAITED_CHOICES
            ],
        ),
        ("overdue", "Past the time limit", [("yes", "only those")]),
    ]


# The filters as the query asked for them, read by hand: a value the form does not offer is
# left out (and the page says so), never a 422.
AskedFilters = Annotated[tuple[QueueFilter, bool], Depends(referral_queue.read_queue_filter)]


@router.get("")
def queue(visit: SignedInVisit, asked: AskedFilters, page: str = "1") -> Response:
    context = queue_context(visit.runtime, visit.session, visit.advocate, asked, page)
    return visit.render("queue.html", context, script="queue.js")


@router.get("/queue/rows")
def queue_rows(
    request: Request,
    advocate: UpdatesAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
    asked: AskedFilters,
    page: str = "1",
) -> Response:
    """The part of the queue page that changes, for the page's script to swap in. It does not
    renew the sign-in: only what the advocate does keeps them signed in."""
    context = queue_context(runtime, session, advocate, asked, page)
    return render(request, runtime, "queue_rows.html", context)


def _version(runtime: RuntimeDep, token: str | None) -> dict[str, Any] | None:
    """The queue's fingerprint now, or None once the cookie no longer signs anyone in."""
    with Session(runtime.database) as session:
        key = runtime.keys.signing_key
        if accounts.from_token(session=session, key=key, token=token, use="dashboard") is None:
            return None
        found = referral_queue.queue_version(session=session, settings=runtime.settings)
    return {"version": found.version, "urgent": found.urgent, "newest_urgent": found.newest_urgent}


@router.get("/queue/version")
async def queue_version(request: Request, advocate: UpdatesAdvocate, runtime: RuntimeDep) -> Any:
    """The queue's fingerprint, for a page whose browser cannot keep an event stream open."""
    found = await run_in_threadpool(_version, runtime, request.cookies.get(SESSION_COOKIE))
    if found is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Sign in again to see the queue.")
    return JSONResponse(found, headers={"Cache-Control": "no-store"})


STREAM_SECONDS = 300  # then the browser reconnects, and the sign-in is checked afresh
KEEP_ALIVE_SECONDS = 15


async def queue_events(request: Request, runtime: RuntimeDep) -> AsyncIterator[str]:
    """Server-sent events: the queue's fingerprint now, then each time it changes."""
    yield "retry: 3000\n\n"
    token = request.cookies.get(SESSION_COOKIE)
    last: dict[str, Any] | None = None
    started = sent = time.monotonic()
    while time.monotonic() - started < STREAM_SECONDS:
        if await request.is_disconnected():  # the page was closed: stop asking the database
            return
        found = await run_in_threadpool(_version, runtime, token)
        if found is None:  # signed out, or the sign-in ran out
            return
        if found != last:
            yield f"event: queue\ndata: {json.dumps(found)}\n\n"
            last, sent = found, time.monotonic()
        elif time.monotonic() - sent > KEEP_ALIVE_SECONDS:
            yield ": still here\n\n"
            sent = time.monotonic()
        await asyncio.sleep(runtime.settings.queue_check_seconds)


@router.get("/queue/events")
def queue_stream(request: Request, advocate: UpdatesAdvocate, runtime: RuntimeDep) -> Response:
    """The queue's fingerprint as an event stream, for signed-in advocates only."""
    return StreamingResponse(
        queue_events(request, runtime),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def queue_context(
    runtime: RuntimeDep,
    session: SessionDep,
    advocate: Advocate,
    asked: tuple[QueueFilter, bool],
    page: str,
) -> dict[str, Any]:
    """What the queue page and its changing part show, read from the query as asked."""
    filters, left_out = asked
    number = page_number(page)
    left_out = left_out or number is None
    number = number or 1
    seen = referrals.view_queue(
        session=session,
        filters=filters,
        page=number,
        per_page=PER_PAGE,
        settings=runtime.settings,
        by=advocate,
        via="dashboard",
    )
    overdue = referral_queue.count_overdue(
        session=session, filters=filters, settings=runtime.settings, now=seen.now
    )
    found = seen.found
    waiting = referral_queue.queue_version(session=session, settings=runtime.settings)
    return {
        "referrals": seen.rows,
        "urgent_waiting": waiting.urgent,
        "newest_urgent": waiting.newest_urgent,
        "queue_version": waiting.version,
        **label_words(runtime.library),
        "limits": {
            "urgent": limit_words(runtime.settings.urgent_unclaimed_minutes),
            "normal": limit_words(runtime.settings.normal_unclaimed_hours * 60),
        },
        "rows_url": "/dashboard/queue/rows?" + urlencode(asked_query(filters, number)),
        "found": found,
        "chosen": filters.chosen(),
        "status": filters.status,
        "left_out": left_out,
        "overdue": overdue,  # on any page: a late referral must not hide on page 2
        "status_links": [
            (name, queue_url(replace(filters, status=name)))
            for name in referral_queue.STATUS_FILTERS
        ],
        "choices": choices(runtime),
        "clear_url": queue_url(QueueFilter(status=filters.status)),
        "first_url": queue_url(filters),
        "previous_url": queue_url(filters, number - 1) if number > 1 else None,
        "next_url": queue_url(filters, number + 1) if found.has_next else None,
    }


def asked_query(filters: QueueFilter, page: int) -> dict[str, str]:
    """The query string's parts for these filters and this page."""
    query = filters.chosen()
    if page > 1:
        query["page"] = str(page)
    return query
