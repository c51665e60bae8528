"""The referral API for advocates: the queue, one referral, claim, reply and close."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from service import audit, referrals
from service.deps import AdvocateDep, RuntimeDep, SessionDep
from service.models import utcnow
from service.referrals import (
    Outcome,
    QueueFilter,
    ReferralDetail,
    ReferralPublic,
    StatusFilter,
    Urgency,
)

router = APIRouter(prefix="/api/referrals", tags=["referrals"])

# Bounded so a huge number is a 422, not a database overflow.
ReferralId = Annotated[int, Path(ge=1, le=2**31 - 1)]
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
    if isinstance(error, referrals.ReferralNotFound):
        return HTTPException(status.HTTP_404_NOT_FOUND, str(error))
    if isinstance(error, referrals.NotAllowed):
        return HTTPException(status.HTTP_403_FORBIDDEN, str(error))
    return HTTPException(status.HTTP_409_CONFLICT, str(error))


@router.get("")
def list_referrals(
    advocate: AdvocateDep,
    runtime: RuntimeDep,
    session: SessionDep,
    response: Response,
    status: StatusFilter = "open",
    urgency: Urgency | None = None,
    topic: Annotated[str | None, Query(max_length=16)] = None,
    setting: Annotated[str | None, Query(max_length=16)] = None,
    waited_minutes: Annotated[int | None, Query(ge=0, le=referrals.MAX_WAITED)] = None,
    page: Annotated[int, Query(ge=1, le=referrals.MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ReferralPublic]:
    """Urgent first, then oldest; `overdue` marks one left unclaimed past its time limit.

    Every urgent referral no one has claimed is on page 1, whatever the page size; the rest
    are paged. `X-Total-Count` says how many match the filters.
    """
    now = utcnow()
    filters = QueueFilter(
        status=status, urgency=urgency, topic=topic, setting=setting, waited_minutes=waited_minutes
    )
    found = referrals.queue_page(session=session, filters=filters, page=page, per_page=per_page)
    response.headers["X-Total-Count"] = str(found.total)
    audit.record(session=session, advocate=advocate, action="view_queue", detail=f"api {status}")
    session.commit()
    return [
        referrals.to_public(referral, settings=runtime.settings, now=now, claimer=claimer)
        for referral, claimer in found.rows
    ]


@router.get("/{referral_id}", responses={404: REFUSALS[404]})
def read_referral(
    referral_id: ReferralId, advocate: AdvocateDep, runtime: RuntimeDep, session: SessionDep
) -> ReferralDetail:
    """One referral with the redacted conversation since it was made."""
    try:
        detail = referrals.referral_detail(
            session=session, referral_id=referral_id, settings=runtime.settings
        )
    except referrals.ReferralError as error:
        raise refusal(error) from None
    audit.record(session=session, advocate=advocate, action="view", referral_id=referral_id)
    session.commit()
    return detail


@router.post("/{referral_id}/claim", responses=REFUSALS)
def claim(
    referral_id: ReferralId, advocate: AdvocateDep, runtime: RuntimeDep, session: SessionDep
) -> ReferralPublic:
    try:
        referral = referrals.claim_referral(
            session=session, referral_id=referral_id, advocate=advocate
        )
    except referrals.ReferralError as error:
        session.rollback()
        raise refusal(error) from None
    audit.record(session=session, advocate=advocate, action="claim", referral_id=referral_id)
    session.commit()
    return referrals.to_public(referral, settings=runtime.settings, now=utcnow(), claimer=advocate)


@router.post("/{referral_id}/replies", status_code=status.HTTP_201_CREATED, responses=REFUSALS)
async def reply(
    referral_id: ReferralId,
    body: ReplyIn,
    advocate: AdvocateDep,
    runtime: RuntimeDep,
    session: SessionDep,
) -> ReplySent:
    """The advocate's words go to the child's chat; the referral then waits for the child."""

    def store() -> int:
        message = referrals.reply_to_referral(
            session=session, referral_id=referral_id, advocate=advocate, text=body.text
        )
        audit.record(session=session, advocate=advocate, action="reply", referral_id=referral_id)
        session.commit()
        assert message.id is not None
        return message.id

    try:
        message_id = await run_in_threadpool(store)
    except referrals.ReferralError as error:
        await run_in_threadpool(session.rollback)
        raise refusal(error) from None
    pushed = await runtime.relay.deliver(message_id)
    return ReplySent(id=message_id, status="waiting", pushed=pushed)


@router.post("/{referral_id}/close", responses=REFUSALS)
def close(
    referral_id: ReferralId,
    body: CloseIn,
    advocate: AdvocateDep,
    runtime: RuntimeDep,
    session: SessionDep,
) -> ReferralPublic:
    """Closed with an outcome, by the advocate who claimed it or an admin."""
    try:
        referral = referrals.close_referral(
            session=session, referral_id=referral_id, advocate=advocate, outcome=body.outcome
        )
    except referrals.ReferralError as error:
        session.rollback()
        raise refusal(error) from None
    audit.record(
        session=session,
        advocate=advocate,
        action="close",
        referral_id=referral_id,
        detail=f"outcome {body.outcome}",
    )
    session.commit()
    claimer = referrals.claimer_of(session=session, referral=referral)
    return referrals.to_public(referral, settings=runtime.settings, now=utcnow(), claimer=claimer)
