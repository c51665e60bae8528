"""The audit log: who looked at or did what to which referral or account, and when. Never
message text, never a password."""

from __future__ import annotations

from typing import Literal, get_args

from sqlmodel import Session, col, select

from service.models import Advocate, AuditEntry

# Everything the log records; anything else is a mistake in the code, refused at once.
Action = Literal[
    "login",
    # a wrong password (for an account, or "unknown account"), never what was typed
    "login_failed",
    "logout",
    "view_queue",
    "view",
    "claim",
    "reply",
    "close",
    # Changes to an account; the detail names the account, never a password.
    "account_add",
    "account_disable",
    "account_enable",
    "account_password",
    # hand-over and notes: the detail names the advocate ids and the note's id, never words
    "unclaim",
    "pass",
    "reassign",
    "note",
    # the suppressed figures taken away as CSV or PDF (what left, and when)
    "export_figures",
    # pages that show no referral: the figures (how many weeks, rows by what), the accounts,
    # and this log itself (which page of it)
    "view_figures",
    "view_accounts",
    "view_audit",
]
ACTIONS: tuple[Action, ...] = get_args(Action)
# Where an advocate acted: the dashboard's pages or the JSON API (also a token's use).
Via = Literal["dashboard", "api"]
# Where an account was changed: by an admin on the dashboard, or on the server's command line
# (no advocate: the entry's detail starts "cli").
ChangedVia = Literal["dashboard", "cli"]


def record(
    *,
    session: Session,
    advocate: Advocate | None,
    action: Action,
    referral_id: int | None = None,
    detail: str = "",
) -> AuditEntry:
    if action not in ACTIONS:
        raise ValueError(f"not an audit action: {action!r}")
    entry = AuditEntry(
        advocate_id=advocate.id if advocate is not None else None,
        action=action,
        referral_id=referral_id,
        detail=detail[:200],
    )
    session.add(entry)
    return entry


def viewed(*, session: Session, advocate: Advocate | None, action: Action, detail: str) -> None:
    """Record a view or an export, which changes nothing else, and commit it."""
    record(session=session, advocate=advocate, action=action, detail=detail)
    session.commit()


def entries(
    *, session: Session, limit: int = 100, offset: int = 0, referral_id: int | None = None
) -> list[tuple[AuditEntry, Advocate | None]]:
    """Newest first, each with the advocate who did it."""
    query = select(AuditEntry, Advocate).join(
        Advocate, col(AuditEntry.advocate_id) == col(Advocate.id), isouter=True
    )
    if referral_id is not None:
        query = query.where(AuditEntry.referral_id == referral_id)
    query = query.order_by(col(AuditEntry.id).desc()).offset(offset).limit(limit)
    return [(entry, advocate) for entry, advocate in session.exec(query).all()]
