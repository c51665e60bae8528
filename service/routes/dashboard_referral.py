"""One referral on the dashboard: its page and timeline, and what an advocate does with it
(claim, reply, close, give back, pass on, reassign, and private notes)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from service import referrals
from service.dashboard import PREFIX, CsrfChecked, SignedInVisit, Visit, label_words
from service.deps import RedactDep, ReferralId

router = APIRouter(prefix=PREFIX, include_in_schema=False)

NoteText = Annotated[str, Form(max_length=referrals.MAX_NOTE)]


def referral_page(
    visit: Visit,
    referral_id: int,
    *,
    error: str | None = None,
    status_code: int = 200,
    unsent: str = "",
) -> Response:
    try:
        detail = referrals.view(
            session=visit.session,
            referral_id=referral_id,
            settings=visit.runtime.settings,
            by=visit.advocate,
            via="dashboard",
        )
    except referrals.ReferralNotFound as missing:
        return visit.error(str(missing), missing.status)
    context: dict[str, Any] = {
        "referral": detail,
        "error": error,
        "unsent": unsent,
        "mine": detail.claimed_by == visit.advocate.id,
        **label_words(visit.runtime.library),
        **handover_context(visit, referral_id),
    }
    return visit.render("referral.html", context, status_code=status_code)


def handover_context(visit: Visit, referral_id: int) -> dict[str, Any]:
    """The referral's timeline and who it can be passed to (never the advocate themself)."""
    outcomes = referrals.outcome_words(visit.runtime.library.messages)
    everyone = [
        (colleague.id, colleague.name or colleague.email)
        for colleague in referrals.colleagues(session=visit.session)
    ]
    return {
        "timeline": referrals.timeline(
            session=visit.session, referral_id=referral_id, outcomes=outcomes
        ),
        "colleagues": [(number, name) for number, name in everyone if number != visit.advocate.id],
        "everyone": everyone,
    }


def refused(
    visit: Visit, referral_id: int, error: referrals.ReferralError, unsent: str = ""
) -> Response:
    """A refused action as the dashboard answers it: the referral page saying why, with the
    error's status, and any words the advocate wrote that were not sent, given back."""
    return referral_page(
        visit, referral_id, error=str(error), status_code=error.status, unsent=unsent
    )


def back_to(referral_id: int) -> RedirectResponse:
    return RedirectResponse(f"/dashboard/referrals/{referral_id}", status.HTTP_303_SEE_OTHER)


def done(visit: Visit, referral_id: int, action: Callable[..., object], **more: Any) -> Response:
    """One of service.referrals' actions, by this advocate from the dashboard, then back to
    the referral; or the referral's page saying why not."""
    try:
        action(
            session=visit.session,
            referral_id=referral_id,
            by=visit.advocate,
            via="dashboard",
            **more,
        )
    except referrals.ReferralError as error:
        return refused(visit, referral_id, error)
    return back_to(referral_id)


async def done_and_told(
    visit: Visit,
    referral_id: int,
    action: Callable[..., Awaitable[object]],
    *,
    unsent: str = "",
    **more: Any,
) -> Response:
    """As `done`, for an action the child is told of through the relay. `unsent`: the
    advocate's own words, shown again if the action is refused, so none are lost."""
    try:
        await action(
            session=visit.session,
            relay=visit.runtime.relay,
            referral_id=referral_id,
            by=visit.advocate,
            via="dashboard",
            **more,
        )
    except referrals.ReferralError as error:
        return await run_in_threadpool(refused, visit, referral_id, error, unsent)
    return back_to(referral_id)


def chosen_advocate(raw: str) -> int:
    """The advocate id a form chose; 0 (no one) for anything else, refused kindly later."""
    text = raw.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else 0


@router.get("/referrals/{referral_id}")
def show_referral(referral_id: ReferralId, visit: SignedInVisit) -> Response:
    return referral_page(visit, referral_id)


@router.post("/referrals/{referral_id}/claim", dependencies=[CsrfChecked])
def claim(referral_id: ReferralId, visit: SignedInVisit) -> Response:
    return done(visit, referral_id, referrals.claim)


@router.post("/referrals/{referral_id}/reply", dependencies=[CsrfChecked])
async def reply(
    referral_id: ReferralId,
    visit: SignedInVisit,
    text: Annotated[str, Form(max_length=referrals.MAX_REPLY)],
) -> Response:
    return await done_and_told(visit, referral_id, referrals.send_reply, text=text, unsent=text)


@router.post("/referrals/{referral_id}/close", dependencies=[CsrfChecked])
async def close(
    referral_id: ReferralId,
    visit: SignedInVisit,
    outcome: Annotated[str, Form(max_length=40)],
) -> Response:
    said = visit.runtime.conversation
    return await done_and_told(
        visit,
        referral_id,
        referrals.finish,
        outcome=outcome,
        told=said.advocate_finished(),
        told_unanswered=said.advocate_finished(answered=False),
    )


# ---- hand-over and notes -------------------------------------------------------------------


@router.post("/referrals/{referral_id}/unclaim", dependencies=[CsrfChecked])
def unclaim(referral_id: ReferralId, visit: SignedInVisit) -> Response:
    return done(visit, referral_id, referrals.unclaim)


@dataclass(frozen=True)
class HandOver:
    """What a pass or reassign form asked: to whom (0: no one, refused kindly), and why,
    with the redaction the reason goes through before it is kept."""

    to: int
    reason: str
    redact: referrals.Redact


def hand_over_form(
    redact: RedactDep,
    to: Annotated[str, Form(max_length=20)] = "",
    reason: NoteText = "",
) -> HandOver:
    return HandOver(to=chosen_advocate(to), reason=reason, redact=redact)


HandOverForm = Annotated[HandOver, Depends(hand_over_form)]


@router.post("/referrals/{referral_id}/pass", dependencies=[CsrfChecked])
async def pass_to_colleague(
    referral_id: ReferralId, visit: SignedInVisit, form: HandOverForm
) -> Response:
    return await hand_over(visit, referral_id, form)


@router.post("/referrals/{referral_id}/reassign", dependencies=[CsrfChecked])
async def reassign(referral_id: ReferralId, visit: SignedInVisit, form: HandOverForm) -> Response:
    return await hand_over(visit, referral_id, form, admin=True)


async def hand_over(
    visit: Visit, referral_id: int, form: HandOver, *, admin: bool = False
) -> Response:
    """Pass (or, for an admin, reassign); the child is told someone else is helping now."""
    return await done_and_told(
        visit,
        referral_id,
        referrals.hand_over,
        to=form.to,
        reason=form.reason,
        redact=form.redact,
        told=visit.runtime.conversation.advocate_changed(),
        admin=admin,
    )


@router.post("/referrals/{referral_id}/notes", dependencies=[CsrfChecked])
def add_note(
    referral_id: ReferralId, visit: SignedInVisit, redact: RedactDep, text: NoteText = ""
) -> Response:
    return done(visit, referral_id, referrals.note, text=text, redact=redact)
