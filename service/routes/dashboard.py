"""The advocate dashboard: server-rendered pages with a session cookie and CSRF-checked forms."""

from __future__ import annotations

import secrets
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from content.schema import CONTENT_TOPICS, PLACE_KINDS
from service import accounts, audit, auth, charts, figures, referrals, report, stats
from service.accounts import Advocate
from service.deps import ReferralId, RuntimeDep, SessionDep, SignInDep
from service.models import utcnow
from service.referrals import QueueFilter
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


templates.env.filters["waited"] = waited


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
) -> Response:
    nonce = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    style_nonce = secrets.token_urlsafe(16)
    page = {
        "advocate": advocate,
        "csrf": auth.csrf_token(runtime.keys.signing_key, nonce),
        "style_nonce": style_nonce,
        "outcomes": referrals.outcome_words(runtime.library.messages),
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
    # No script runs on these pages at all, even if something slipped past the escaping.
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'nonce-{style_nonce}'; img-src 'self'; "
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
    query = filters.chosen()
    if page > 1:
        query["page"] = str(page)
    return f"/dashboard?{urlencode(query)}"


def page_number(raw: str) -> int | None:
    """A page number from 1 (none given is 1); None for anything else, shown as page 1."""
    text = raw.strip() or "1"
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        return None
    number = int(text)
    return number if 1 <= number <= referrals.MAX_PAGE else None


def choices(runtime: RuntimeDep) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Each filter's query name, label and (value, words) choices after "any"."""
    kinds = runtime.library.kinds
    return [
        ("urgency", "Urgency", [(urgency, urgency) for urgency in URGENCIES]),
        ("topic", "Topic", [(topic, topic) for topic in CONTENT_TOPICS]),
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
                for minutes in referrals.WAITED_CHOICES
            ],
        ),
    ]


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
    page: str = "1",
) -> Response:
    filters, left_out = referrals.read_queue_filter(
        status=status, urgency=urgency, topic=topic, setting=setting, waited_minutes=waited_minutes
    )
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
    overdue = referrals.count_overdue(
        session=session, filters=filters, settings=runtime.settings, now=seen.now
    )
    found = seen.found
    context = {
        "referrals": seen.rows,
        "found": found,
        "chosen": filters.chosen(),
        "status": filters.status,
        "left_out": left_out,
        "overdue": overdue,  # on any page: a late referral must not hide on page 2
        "status_links": [
            (name, queue_url(replace(filters, status=name))) for name in referrals.STATUS_FILTERS
        ],
        "choices": choices(runtime),
        "clear_url": queue_url(QueueFilter(status=filters.status)),
        "first_url": queue_url(filters),
        "previous_url": queue_url(filters, number - 1) if number > 1 else None,
        "next_url": queue_url(filters, number + 1) if found.has_next else None,
    }
    return render(request, runtime, "queue.html", context, advocate=advocate)


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
        "this_month": f"{utcnow():%Y-%m}",
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
