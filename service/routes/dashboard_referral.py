"""One referral on the dashboard: its page and timeline, and what an advocate does with it
(claim, reply, close, give back, pass on, reassign, and private notes)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from service import referrals
from service.accounts import Advocate
from service.dashboard import (
    PREFIX,
    CsrfChecked,
    DashboardAdvocate,
    error_page,
    label_words,
    render,
)
from service.deps import RedactDep, ReferralId, RuntimeDep, SessionDep

router = APIRouter(prefix=PREFIX, include_in_schema=False)


def back_to(referral_id: int) -> RedirectResponse:
    return RedirectResponse(f"/dashboard/referrals/{referral_id}", status.HTTP_303_SEE_OTHER)


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
        return error_page(request, runtime, advocate, str(missing), missing.status)
    context: dict[str, Any] = {
        "referral": detail,
        "error": error,
        "mine": detail.claimed_by == advocate.id,
        **label_words(runtime.library),
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


# ---- hand-over and notes -------------------------------------------------------------------


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
