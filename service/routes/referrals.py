"""The referral API for advocates: the queue, one referral, claim, reply, close, hand-over
and private notes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from content.schema import PlaceKind, ReportedTopic, Role
from service import queue, referrals
from service.accounts import Advocate
from service.deps import AdvocateDep, RedactDep, ReferralId, RuntimeDep, SessionDep
from service.queue import QueueFilter, StatusFilter
from service.referrals import Outcome, ReferralDetail, ReferralPublic
from service.runtime import Runtime
from service.vocabulary import Urgency

router = APIRouter(prefix="/api/referrals", tags=["referrals"])

REFUSALS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such referral"},
    403: {"description": "Another advocate's referral"},
    409: {"description": "Not possible in the referral's current state"},
}


class ReplyIn(BaseModel):
    text: str = Field(min_length=1, max_length=referrals.MAX_REPLY)


class ReplySent(BaseModel):
    id: int
    status: str
    pushed: bool  # True when a pushing channel (Telegram) took it now; web chats poll


class CloseIn(BaseModel):
    outcome: Outcome


def refusal(error: referrals.ReferralError) -> HTTPException:
    """A refused action as the API answers it: the error's status, its message as detail."""
    return HTTPException(error.status, str(error))


@router.get("")
def list_referrals(
    advocate: AdvocateDep,
    runtime: RuntimeDep,
    session: SessionDep,
    response: Response,
    status: StatusFilter = "open",
    urgency: Urgency | None = None,
    topic: ReportedTopic | None = None,
    setting: PlaceKind | None = None,
    waited_minutes: Annotated[int | None, Query(ge=0, le=queue.MAX_WAITED)] = None,
    role: Role | None = None,
    overdue: bool = False,
    words: Annotated[str | None, Query(max_length=queue.MAX_WORDS)] = None,
    page: Annotated[int, Query(ge=1, le=queue.MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ReferralPublic]:
    """Urgent first, then oldest; `overdue` marks one left unclaimed past its time limit.

    Every urgent referral no one has claimed is on page 1, whatever the page size; the rest
    are paged. `X-Total-Count` says how many match the filters. `role` is who wrote in;
    `overdue` keeps only those past their time limit; `words` are looked for in the summary,
    ignoring case.
    """
    filters = QueueFilter(
        status=status,
        urgency=urgency,
        topic=topic,
        setting=setting,
        waited_minutes=waited_minutes,
        role=role,
        overdue=overdue,
        words=queue.search_words(words or ""),
    )
    seen = referrals.view_queue(
        session=session,
        filters=filters,
        page=page,
        per_page=per_page,
        settings=runtime.settings,
        by=advocate,
        via="api",
    )
    response.headers["X-Total-Count"] = str(seen.found.total)
    return seen.rows


@router.get("/{referral_id}", responses={404: REFUSALS[404]})
def read_referral(
    referral_id: ReferralId, advocate: AdvocateDep, runtime: RuntimeDep, session: SessionDep
) -> ReferralDetail:
    """One referral with the redacted conversation since it was made."""
    try:
        return referrals.view(
            session=session,
            referral_id=referral_id,
            settings=runtime.settings,
            by=advocate,
            via="api",
        )
    except referrals.ReferralError as error:
        raise refusal(error) from None


@router.post("/{referral_id}/claim", responses=REFUSALS)
def claim(
    referral_id: ReferralId, advocate: AdvocateDep, runtime: RuntimeDep, session: SessionDep
) -> ReferralPublic:
    try:
        referral = referrals.claim(session=session, referral_id=referral_id, by=advocate, via="api")
    except referrals.ReferralError as error:
        raise refusal(error) from None
    return referrals.public_view(session=session, referral=referral, settings=runtime.settings)


@router.post("/{referral_id}/replies", status_code=status.HTTP_201_CREATED, responses=REFUSALS)
async def reply(
    referral_id: ReferralId,
    body: ReplyIn,
    advocate: AdvocateDep,
    runtime: RuntimeDep,
    session: SessionDep,
) -> ReplySent:
    """The advocate's words go to the child's chat; the referral then waits for the child."""
    try:
        sent = await referrals.send_reply(
            session=session,
            relay=runtime.relay,
            referral_id=referral_id,
            by=advocate,
            text=body.text,
            via="api",
        )
    except referrals.ReferralError as error:
        raise refusal(error) from None
    return ReplySent(id=sent.message_id, status="waiting", pushed=sent.pushed)


@router.post("/{referral_id}/close", responses=REFUSALS)
async def close(
    referral_id: ReferralId,
    body: CloseIn,
    advocate: AdvocateDep,
    runtime: RuntimeDep,
    session: SessionDep,
) -> ReferralPublic:
    """Closed with an outcome, by the advocate who claimed it or an admin; the child is told
    in their chat that the advocate has finished, and how to ask again."""
    try:
        referral = await referrals.finish(
            session=session,
            relay=runtime.relay,
            referral_id=referral_id,
            by=advocate,
            outcome=body.outcome,
            via="api",
            told=runtime.conversation.advocate_finished(),
            told_unanswered=runtime.conversation.advocate_finished(answered=False),
        )
    except referrals.ReferralError as error:
        raise refusal(error) from None
    return await run_in_threadpool(
        referrals.public_view, session=session, referral=referral, settings=runtime.settings
    )


# ---- hand-over and notes ----------------------------------------------------------------

HANDED_REFUSALS: dict[int | str, dict[str, Any]] = {
    **REFUSALS,
    422: {"description": "The advocate named is unknown or not active, or the body is wrong"},
    503: {"description": "The words could not be redacted just now, so nothing was kept"},
}


class PassIn(BaseModel):
    to: int = Field(ge=1, le=2**31 - 1, description="The colleague's advocate id")
    reason: str = Field(
        min_length=1,
        max_length=referrals.MAX_NOTE,
        description="A line of why; redacted before it is kept, and never shown to the child",
    )


class ReassignIn(BaseModel):
    to: int = Field(ge=1, le=2**31 - 1, description="The advocate id to give it to")
    reason: str = Field(
        default="",
        max_length=referrals.MAX_NOTE,
        description="Optional; redacted before it is kept, and never shown to the child",
    )


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=referrals.MAX_NOTE)


class NoteKept(BaseModel):
    id: int
    text: str  # as it was kept: redacted
    created_at: datetime


@router.post("/{referral_id}/unclaim", responses=REFUSALS)
def unclaim(
    referral_id: ReferralId, advocate: AdvocateDep, runtime: RuntimeDep, session: SessionDep
) -> ReferralPublic:
    """The advocate who holds it gives it back: it is new again, in the queue for anyone."""
    try:
        referral = referrals.unclaim(
            session=session, referral_id=referral_id, by=advocate, via="api"
        )
    except referrals.ReferralError as error:
        raise refusal(error) from None
    return referrals.public_view(session=session, referral=referral, settings=runtime.settings)


@router.post("/{referral_id}/pass", responses=HANDED_REFUSALS)
async def pass_to_colleague(
    referral_id: ReferralId,
    body: PassIn,
    advocate: AdvocateDep,
    runtime: RuntimeDep,
    session: SessionDep,
    redact: RedactDep,
) -> ReferralPublic:
    """The advocate who holds it passes it to an active colleague, with a line of why (kept
    redacted, shown in the referral's timeline). The child is told only that someone else is
    helping now, never who."""
    return await _hand_over(referral_id, body.to, body.reason, advocate, runtime, session, redact)


@router.post("/{referral_id}/reassign", responses=HANDED_REFUSALS)
async def reassign(
    referral_id: ReferralId,
    body: ReassignIn,
    advocate: AdvocateDep,
    runtime: RuntimeDep,
    session: SessionDep,
    redact: RedactDep,
) -> ReferralPublic:
    """Admins only: any open referral to any active advocate (403 for anyone else). The
    child is told as for a pass."""
    return await _hand_over(
        referral_id, body.to, body.reason, advocate, runtime, session, redact, admin=True
    )


async def _hand_over(
    referral_id: int,
    to: int,
    reason: str,
    advocate: Advocate,
    runtime: Runtime,
    session: SessionDep,
    redact: referrals.Redact,
    *,
    admin: bool = False,
) -> ReferralPublic:
    try:
        referral = await referrals.hand_over(
            session=session,
            relay=runtime.relay,
            referral_id=referral_id,
            by=advocate,
            to=to,
            reason=reason,
            redact=redact,
            via="api",
            told=runtime.conversation.advocate_changed(),
            admin=admin,
        )
    except referrals.ReferralError as error:
        raise refusal(error) from None
    return await run_in_threadpool(
        referrals.public_view, session=session, referral=referral, settings=runtime.settings
    )


@router.post(
    "/{referral_id}/notes",
    status_code=status.HTTP_201_CREATED,
    responses={404: REFUSALS[404], 409: REFUSALS[409], 503: HANDED_REFUSALS[503]},
)
def add_note(
    referral_id: ReferralId,
    body: NoteIn,
    advocate: AdvocateDep,
    session: SessionDep,
    redact: RedactDep,
) -> NoteKept:
    """A private note for advocates, redacted before it is kept; never sent to the child."""
    try:
        kept = referrals.note(
            session=session,
            referral_id=referral_id,
            by=advocate,
            text=body.text,
            redact=redact,
            via="api",
        )
    except referrals.ReferralError as error:
        raise refusal(error) from None
    assert kept.id is not None
    return NoteKept(id=kept.id, text=kept.text, created_at=kept.created_at)


@router.get("/{referral_id}/timeline", responses={404: REFUSALS[404]})
def read_timeline(
    referral_id: ReferralId, advocate: AdvocateDep, runtime: RuntimeDep, session: SessionDep
) -> list[referrals.TimelineEntry]:
    """The child's messages, the replies, private notes and every change of state (claimed,
    passed, unclaimed, closed), oldest first. Recorded in the audit log as a view."""
    try:
        return referrals.view_timeline(
            session=session,
            referral_id=referral_id,
            outcomes=referrals.outcome_words(runtime.library.messages),
            by=advocate,
            via="api",
        )
    except referrals.ReferralError as error:
        raise refusal(error) from None
