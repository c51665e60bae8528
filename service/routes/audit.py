"""The audit log, for admins only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from service import audit
from service.deps import AdminDep, SessionDep

router = APIRouter(prefix="/api/audit", tags=["audit"])


class AuditEntryPublic(BaseModel):
    id: int
    at: datetime
    advocate_id: int | None
    advocate: str | None
    action: str
    referral_id: int | None
    detail: str


@router.get("", responses={403: {"description": "Not an admin"}})
def read_audit(
    admin: AdminDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    referral_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> list[AuditEntryPublic]:
    """Newest first: who viewed, claimed, replied to or closed what, and when. Reading the log
    is itself recorded in it."""
    where = f" of referral {referral_id}" if referral_id is not None else ""
    audit.viewed(
        session=session,
        advocate=admin,
        action="view_audit",
        detail=f"api: {limit} entries from {offset}{where}",
    )
    return [
        AuditEntryPublic(
            id=entry.id or 0,
            at=entry.created_at,
            advocate_id=entry.advocate_id,
            advocate=(advocate.name or advocate.email) if advocate is not None else None,
            action=entry.action,
            referral_id=entry.referral_id,
            detail=entry.detail,
        )
        for entry, advocate in audit.entries(
            session=session, limit=limit, offset=offset, referral_id=referral_id
        )
    ]
