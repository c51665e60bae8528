"""The advocate dashboard: server-rendered pages with a session cookie and CSRF-checked forms."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from fastapi.templating import Jinja2Templates
from sqlmodel import Session

from content.schema import PLACE_KINDS, REPORTED_TOPICS, ROLES
from service import accounts, audit, auth, charts, figures, referrals, report, stats
from service import queue as referral_queue
from service.accounts import Advocate
from service.deps import (
    AdvocateId,
    LoginLimiterDep,
    RedactDep,
    ReferralId,
    RuntimeDep,
    SessionDep,
    SignInDep,
)
from service.queue import QueueFilter
from service.vocabulary import URGENCIES

router = APIRouter(prefix="/dashboard", include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")

SESSION_COOKIE = "rightsline_dashboard"
CSRF_COOKIE = "rightsline_csrf"
CSRF_FAILED = "This form was out of date. Please try again."
PER_PAGE = 50
WAITED_LABELS = {15: "15 min", 60: "1 h", 24 * 60: "24 h", 3 * 24 * 60: "3 days"}


def waited(minutes: int) -> str:
    """'3 min', '2 h 5 min', '4 days 1 h': how long, in words an advocate reads at a glance."""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h"
    return f"{hours} h {mins} min" if hours else f"{mins} min"


def limit_words(minutes: int) -> str:
    """A time limit in words: '15 min', '24 h', '2 days'."""
    if minutes >= 2 * 24 * 60 and minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)} days"
    if minutes >= 60 and minutes % 60 == 0:
        return f"{minutes // 60} h"
    return waited(minutes)


templates.env.filters["waited"] = waited
templates.env.filters["limit_words"] = limit_words


# ---- cookies, CSRF and rendering ---------------------------------------------------------


def _secure(request: Request, runtime: RuntimeDep) -> bool:
    return runtime.settings.production or request.url.scheme == "https"


def _set_cookie(
    response: Response,
    request: Request,
    runtime: RuntimeDep,
    name: str,
    value: str,
    max_age: int | None = None,
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/dashboard",
        httponly=True,
        samesite="strict",
        secure=_secure(request, runtime),
    )


def _start_session(response: Response, request: Request, runtime: RuntimeDep, token: str) -> None:
    """(Re)issue the session cookie; every page refreshes it, so it ends after idle minutes."""
    max_age = runtime.settings.token_minutes * 60
    _set_cookie(response, request, runtime, SESSION_COOKIE, token, max_age=max_age)


def render(
    request: Request,
    runtime: RuntimeDep,
    name: str,
    context: dict[str, Any],
    *,
    advocate: Advocate | None = None,
    status_code: int = 200,
    script: str | None = None,
) -> Response:
    """The page `name`; `script` is a file in /static the page loads (none by default)."""
    nonce = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    style_nonce = secrets.token_urlsafe(16)
    page = {
        "advocate": advocate,
        "csrf": auth.csrf_token(runtime.keys.signing_key, nonce),
        "style_nonce": style_nonce,
        "outcomes": referrals.outcome_words(runtime.library.messages),
        "script": script,
        **context,
    }
    response = templates.TemplateResponse(
        request, f"dashboard/{name}", page, status_code=status_code
    )
    if request.cookies.get(CSRF_COOKIE) != nonce:
        _set_cookie(response, request, runtime, CSRF_COOKIE, nonce)
    if advocate is not None:
        token = accounts.issue_token(
            key=runtime.keys.signing_key,
            advocate=advocate,
            use="dashboard",
            minutes=runtime.settings.token_minutes,
        )
        _start_session(response, request, runtime, token)
    # No inline script runs on these pages at all, even if something slipped past the
    # escaping; the queue loads its one script file from the app itself.
    scripts = "script-src 'self'; connect-src 'self'; " if script else ""
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; {scripts}style-src 'nonce-{style_nonce}'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def check_csrf(
    request: Request, runtime: RuntimeDep, csrf_token: Annotated[str, Form()] = ""
) -> None:
    if not auth.csrf_valid(runtime.keys.signing_key, request.cookies.get(CSRF_COOKIE), csrf_token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, CSRF_FAILED)


CsrfChecked = Depends(check_csrf)


def signed_in(request: Request, runtime: RuntimeDep, session: SessionDep) -> Advocate:
    """The advocate named by the session cookie; anyone else is sent to the sign-in page."""
    advocate = accounts.from_token(
        session=session,
        key=runtime.keys.signing_key,
        token=request.cookies.get(SESSION_COOKIE),
        use="dashboard",
    )
    if advocate is None:
        raise HTTPException(status.HTTP_303_SEE_OTHER, headers={"Location": "/dashboard/login"})
    return advocate


DashboardAdvocate = Annotated[Advocate, Depends(signed_in)]


def signed_in_for_updates(request: Request, runtime: RuntimeDep, session: SessionDep) -> Advocate:
    """As `signed_in`, for what a script asks for in the background: a plain 401, no redirect."""
    advocate = accounts.from_token(
        session=session,
        key=runtime.keys.signing_key,
        token=request.cookies.get(SESSION_COOKIE),
        use="dashboard",
    )
    if advocate is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Sign in again to see the queue.")
    return advocate


UpdatesAdvocate = Annotated[Advocate, Depends(signed_in_for_updates)]


def back_to(referral_id: int) -> RedirectResponse:
    return RedirectResponse(f"/dashboard/referrals/{referral_id}", status.HTTP_303_SEE_OTHER)


# ---- signing in and out ------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request, runtime: RuntimeDep) -> Response:
    return render(request, runtime, "login.html", {"error": None})


@router.post("/login", dependencies=[CsrfChecked])
def login(
    request: Request,
    runtime: RuntimeDep,
    sign_in: SignInDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1000)],
) -> Response:
    try:
        signed = sign_in(email, password, "dashboard")
    except accounts.SignInRefused as refused:
        error = {"error": str(refused)}
        return render(request, runtime, "login.html", error, status_code=refused.status)
    response = RedirectResponse("/dashboard", status.HTTP_303_SEE_OTHER)
    _start_session(response, request, runtime, signed.token)
    return response


@router.post("/logout", dependencies=[CsrfChecked])
def logout(advocate: DashboardAdvocate, session: SessionDep) -> Response:
    # A copied or left-behind cookie must stop working too, not just this browser's.
    accounts.sign_out(session=session, advocate=advocate, via="dashboard")
    response = RedirectResponse("/dashboard/login", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE, path="/dashboard")
    return response


# ---- the queue and one referral ----------------------------------------------------------


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
    kinds = runtime.library.kinds
    return [
        ("urgency", "Urgency", [(urgency, urgency) for urgency in URGENCIES]),
        ("topic", "Topic", [(topic, topic) for topic in REPORTED_TOPICS]),
        ("role", "Who wrote in", list(role_words(runtime).items())),
        (
            "setting",
            "Kind of place",
            [
                (kind, f"{kinds[kind].name} ({kind})" if kind in kinds else kind)
                for kind in PLACE_KINDS
            ],
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


def role_words(runtime: RuntimeDep) -> dict[str, str]:
    """Who wrote in, in words (messages "role_<role>" in content)."""
    return {role: runtime.library.messages.get(f"role_{role}", role) for role in ROLES}


def risk_words(runtime: RuntimeDep) -> dict[str, str]:
    """Each risk in words an advocate reads at a glance (messages "risk_<label>")."""
    messages = runtime.library.messages
    return {
        key[len("risk_") :]: words for key, words in messages.items() if key.startswith("risk_")
    }


@router.get("")
def queue(
    request: Request,
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
    # Plain strings, read by hand: a value the form does not offer is left out, never a 422.
    status: str = "open",
    urgency: str = "",
    topic: str = "",
    setting: str = "",
    waited_minutes: str = "",
    role: str = "",
    overdue: str = "",
    words: str = "",
    page: str = "1",
) -> Response:
    context = queue_context(
        runtime,
        session,
        advocate,
        dict(
            status=status,
            urgency=urgency,
            topic=topic,
            setting=setting,
            waited_minutes=waited_minutes,
            role=role,
            overdue=overdue,
            words=words,
        ),
        page,
    )
    return render(request, runtime, "queue.html", context, advocate=advocate, script="queue.js")


@router.get("/queue/rows")
def queue_rows(
    request: Request,
    advocate: UpdatesAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
    status: str = "open",
    urgency: str = "",
    topic: str = "",
    setting: str = "",
    waited_minutes: str = "",
    role: str = "",
    overdue: str = "",
    words: str = "",
    page: str = "1",
) -> Response:
    """The part of the queue page that changes, for the page's script to swap in. It does not
    renew the sign-in: only what the advocate does keeps them signed in."""
    asked = dict(
        status=status,
        urgency=urgency,
        topic=topic,
        setting=setting,
        waited_minutes=waited_minutes,
        role=role,
        overdue=overdue,
        words=words,
    )
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
    asked: dict[str, str],
    page: str,
) -> dict[str, Any]:
    """What the queue page and its changing part show, read from the query as asked."""
    filters, left_out = referral_queue.read_queue_filter(**asked)
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
        "risk_words": risk_words(runtime),
        "role_words": role_words(runtime),
        "kinds": {kind: data.name for kind, data in runtime.library.kinds.items()},
        "places": {place: data.name for place, data in runtime.library.places.items()},
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


def referral_page(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    advocate: Advocate,
    referral_id: int,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    try:
        detail = referrals.view(
            session=session,
            referral_id=referral_id,
            settings=runtime.settings,
            by=advocate,
            via="dashboard",
        )
    except referrals.ReferralNotFound as missing:
        message = {"message": str(missing)}
        return render(
            request, runtime, "error.html", message, advocate=advocate, status_code=missing.status
        )
    context: dict[str, Any] = {
        "referral": detail,
        "error": error,
        "mine": detail.claimed_by == advocate.id,
        **handover_context(runtime, session, advocate, referral_id),
    }
    return render(
        request, runtime, "referral.html", context, advocate=advocate, status_code=status_code
    )


@router.get("/referrals/{referral_id}")
def show_referral(
    referral_id: ReferralId,
    request: Request,
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
) -> Response:
    return referral_page(request, runtime, session, advocate, referral_id)


def refused(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    advocate: Advocate,
    referral_id: int,
    error: referrals.ReferralError,
) -> Response:
    """A refused action as the dashboard answers it: the referral page saying why, with the
    error's status."""
    return referral_page(
        request, runtime, session, advocate, referral_id, error=str(error), status_code=error.status
    )


@router.post("/referrals/{referral_id}/claim", dependencies=[CsrfChecked])
def claim(
    referral_id: ReferralId,
    request: Request,
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
) -> Response:
    try:
        referrals.claim(session=session, referral_id=referral_id, by=advocate, via="dashboard")
    except referrals.ReferralError as error:
        return refused(request, runtime, session, advocate, referral_id, error)
    return back_to(referral_id)


@router.post("/referrals/{referral_id}/reply", dependencies=[CsrfChecked])
async def reply(
    referral_id: ReferralId,
    request: Request,
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
    text: Annotated[str, Form(max_length=referrals.MAX_REPLY)],
) -> Response:
    try:
        await referrals.send_reply(
            session=session,
            relay=runtime.relay,
            referral_id=referral_id,
            by=advocate,
            text=text,
            via="dashboard",
        )
    except referrals.ReferralError as error:
        return await run_in_threadpool(
            refused, request, runtime, session, advocate, referral_id, error
        )
    return back_to(referral_id)


@router.post("/referrals/{referral_id}/close", dependencies=[CsrfChecked])
async def close(
    referral_id: ReferralId,
    request: Request,
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
    outcome: Annotated[str, Form(max_length=40)],
) -> Response:
    try:
        await referrals.finish(
            session=session,
            relay=runtime.relay,
            referral_id=referral_id,
            by=advocate,
            outcome=outcome,
            via="dashboard",
            told=runtime.conversation.advocate_finished(),
        )
    except referrals.ReferralError as error:
        return await run_in_threadpool(
            refused, request, runtime, session, advocate, referral_id, error
        )
    return back_to(referral_id)


# ---- hand-over and notes ------------------------------------------------------------------


def handover_context(
    runtime: RuntimeDep, session: SessionDep, advocate: Advocate, referral_id: int
) -> dict[str, Any]:
    """The referral's timeline and who it can be passed to (never the advocate themself)."""
    outcomes = referrals.outcome_words(runtime.library.messages)
    return {
        "timeline": referrals.timeline(session=session, referral_id=referral_id, outcomes=outcomes),
        "colleagues": [
            (colleague.id, colleague.name or colleague.email)
            for colleague in referrals.colleagues(session=session)
            if colleague.id != advocate.id
        ],
        "everyone": [
            (colleague.id, colleague.name or colleague.email)
            for colleague in referrals.colleagues(session=session)
        ],
    }


def chosen_advocate(raw: str) -> int:
    """The advocate id a form chose; 0 (no one) for anything else, refused kindly later."""
    text = raw.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else 0


@router.post("/referrals/{referral_id}/unclaim", dependencies=[CsrfChecked])
def unclaim(
    referral_id: ReferralId,
    request: Request,
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
) -> Response:
    try:
        referrals.unclaim(session=session, referral_id=referral_id, by=advocate, via="dashboard")
    except referrals.ReferralError as error:
        return refused(request, runtime, session, advocate, referral_id, error)
    return back_to(referral_id)


@router.post("/referrals/{referral_id}/pass", dependencies=[CsrfChecked])
async def pass_to_colleague(
    referral_id: ReferralId,
    request: Request,
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
    redact: RedactDep,
    to: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=referrals.MAX_NOTE)] = "",
) -> Response:
    return await hand_over(request, runtime, session, advocate, referral_id, to, reason, redact)


@router.post("/referrals/{referral_id}/reassign", dependencies=[CsrfChecked])
async def reassign(
    referral_id: ReferralId,
    request: Request,
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
    redact: RedactDep,
    to: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=referrals.MAX_NOTE)] = "",
) -> Response:
    return await hand_over(
        request, runtime, session, advocate, referral_id, to, reason, redact, admin=True
    )


async def hand_over(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    advocate: Advocate,
    referral_id: int,
    to: str,
    reason: str,
    redact: referrals.Redact,
    *,
    admin: bool = False,
) -> Response:
    """Pass (or, for an admin, reassign); the child is told someone else is helping now."""
    try:
        await referrals.hand_over(
            session=session,
            relay=runtime.relay,
            referral_id=referral_id,
            by=advocate,
            to=chosen_advocate(to),
            reason=reason,
            redact=redact,
            via="dashboard",
            told=runtime.conversation.advocate_changed(),
            admin=admin,
        )
    except referrals.ReferralError as error:
        return await run_in_threadpool(
            refused, request, runtime, session, advocate, referral_id, error
        )
    return back_to(referral_id)


@router.post("/referrals/{referral_id}/notes", dependencies=[CsrfChecked])
def add_note(
    referral_id: ReferralId,
    request: Request,
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
    redact: RedactDep,
    text: Annotated[str, Form(max_length=referrals.MAX_NOTE)] = "",
) -> Response:
    try:
        referrals.note(
            session=session,
            referral_id=referral_id,
            by=advocate,
            text=text,
            redact=redact,
            via="dashboard",
        )
    except referrals.ReferralError as error:
        return refused(request, runtime, session, advocate, referral_id, error)
    return back_to(referral_id)


# ---- figures and the audit log -----------------------------------------------------------


FigureWeeks = Annotated[int, Query(ge=1, le=104)]
FigureRows = Annotated[figures.RowsBy, Query()]


@router.get("/stats")
def stats_page(
    request: Request,
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
    weeks: FigureWeeks = 12,
    by: FigureRows = "week",
) -> Response:
    counts = stats.compute(session=session, weeks=weeks)
    pathway = figures.recent(session=session, settings=runtime.settings, weeks=weeks, rows_by=by)
    context = {
        "stats": counts,
        "figures": pathway,
        "charts": {t.key: charts.bar_chart(t, chart_id=f"chart-{t.key}") for t in pathway.tables},
        "weeks": weeks,
        "by": by,
        "this_month": f"{figures.now():%Y-%m}",
    }
    return render(request, runtime, "stats.html", context, advocate=advocate)


@router.get("/stats.csv")
def stats_csv(
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
    weeks: FigureWeeks = 12,
    by: FigureRows = "week",
) -> Response:
    pathway = figures.recent(session=session, settings=runtime.settings, weeks=weeks, rows_by=by)
    detail = f"csv: {weeks} weeks by {by}"
    audit.record(session=session, advocate=advocate, action="export_figures", detail=detail)
    session.commit()
    disposition = f'attachment; filename="rightsline-figures-{weeks}-weeks-by-{by}.csv"'
    return Response(
        report.to_csv(pathway),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


@router.get("/stats/report.pdf")
def stats_pdf(
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
    month: Annotated[str, Query(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$")],
) -> Response:
    year, number = (int(part) for part in month.split("-"))
    since, until = figures.month_bounds(year, number)
    pathway = figures.compute(
        session=session, settings=runtime.settings, since=since, until=until, rows_by="place"
    )
    heading = f"Rightsline figures for {since:%B %Y}"
    detail = f"pdf: {month}"
    audit.record(session=session, advocate=advocate, action="export_figures", detail=detail)
    session.commit()
    return Response(
        report.to_pdf(pathway, heading=heading),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="rightsline-figures-{month}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/audit")
def audit_page(
    request: Request,
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
    page: int = 0,
) -> Response:
    if not advocate.is_admin:
        message = {"message": "Only an admin can read the audit log."}
        return render(request, runtime, "error.html", message, advocate=advocate, status_code=403)
    page = max(0, min(page, 10_000))
    rows = audit.entries(session=session, limit=100, offset=page * 100)
    context: dict[str, Any] = {"entries": rows, "page": page}
    return render(request, runtime, "audit.html", context, advocate=advocate)


# ---- accounts, for admins ----------------------------------------------------------------

ADMINS_ONLY = "Only an admin can look after accounts."


def accounts_page(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    admin: Advocate,
    *,
    error: str | None = None,
    new_password: tuple[str, str, bool] | None = None,
    status_code: int = 200,
) -> Response:
    """Every account, with its forms; `new_password`: (email, password, whether the account
    is active) shown this once."""
    if not admin.is_admin:
        message = {"message": ADMINS_ONLY}
        return render(request, runtime, "error.html", message, advocate=admin, status_code=403)
    context = {
        "accounts": accounts.list_accounts(session=session),
        "error": error,
        "new_password": new_password,
    }
    return render(
        request, runtime, "accounts.html", context, advocate=admin, status_code=status_code
    )


def change_account(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    admin: Advocate,
    advocate_id: int,
    action: Literal["disable", "enable"],
) -> Response:
    """Disable or enable an account, then back to the list (or the list saying why not)."""
    if not admin.is_admin:
        return accounts_page(request, runtime, session, admin)
    try:
        account = accounts.account_by_id(session=session, advocate_id=advocate_id)
        change = accounts.disable if action == "disable" else accounts.enable
        change(session=session, account=account, by=admin, via="dashboard")
    except accounts.AccountError as error:
        return accounts_page(
            request, runtime, session, admin, error=str(error), status_code=error.status
        )
    return RedirectResponse("/dashboard/accounts", status.HTTP_303_SEE_OTHER)


@router.get("/accounts")
def accounts_list(
    request: Request, advocate: DashboardAdvocate, runtime: RuntimeDep, session: SessionDep
) -> Response:
    return accounts_page(request, runtime, session, advocate)


@router.post("/accounts/{advocate_id}/disable", dependencies=[CsrfChecked])
def disable_account(
    advocate_id: AdvocateId,
    request: Request,
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
) -> Response:
    return change_account(request, runtime, session, advocate, advocate_id, "disable")


@router.post("/accounts/{advocate_id}/enable", dependencies=[CsrfChecked])
def enable_account(
    advocate_id: AdvocateId,
    request: Request,
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
) -> Response:
    return change_account(request, runtime, session, advocate, advocate_id, "enable")


@router.post("/accounts/{advocate_id}/password", dependencies=[CsrfChecked])
def reset_password(
    advocate_id: AdvocateId,
    request: Request,
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
    limiter: LoginLimiterDep,
) -> Response:
    """A new random password, shown on this page once and kept nowhere but as a hash; the
    account is signed out everywhere and may sign in at once (its failed tries forgotten)."""
    if not advocate.is_admin:
        return accounts_page(request, runtime, session, advocate)
    password = accounts.new_password()
    try:
        account = accounts.account_by_id(session=session, advocate_id=advocate_id)
        accounts.reset_password(
            session=session, account=account, password=password, by=advocate, via="dashboard"
        )
    except accounts.AccountError as error:
        return accounts_page(
            request, runtime, session, advocate, error=str(error), status_code=error.status
        )
    limiter.succeeded(account.email)
    shown = (account.email, password, account.active)
    return accounts_page(request, runtime, session, advocate, new_password=shown)
