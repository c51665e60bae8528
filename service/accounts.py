"""Advocate accounts: add, list, find, sign in and out, check a token, disable, enable and
reset a password (each change audited)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from service import audit, auth, referrals
from service.audit import Action, ChangedVia, Via
from service.auth import Claims, LoginLimiter, hash_password, verify_password

# The type routes name the signed-in advocate by; they never reach into service.models.
from service.models import Advocate as Advocate
from service.models import AuditEntry

WRONG = "Wrong email or password."
TOO_MANY = "Too many failed sign-ins. Wait 15 minutes and try again."
# In the audit log beside a new password: the hold on a locked-out account went with it.
FAILURES_FORGOTTEN = "; failed sign-ins forgotten"

# The same rules wherever a password is chosen: `advocate add`, `reset-password`, the dashboard.
MIN_PASSWORD = 12
MAX_PASSWORD = 1000  # the dashboard's sign-in form takes no more
# Read aloud or copied without confusion: no 0/o, 1/l/i.
_PASSWORD_LETTERS = "abcdefghjkmnpqrstuvwxyz23456789"


class AccountExists(ValueError):
    """Raised when an advocate with that email is already there."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def looks_like_email(email: str) -> bool:
    """Something, an @, and a domain with a dot: enough to catch a slip of the keyboard."""
    local, at, domain = email.strip().rpartition("@")
    return bool(
        at and local and "." in domain.strip(".") and not any(c.isspace() for c in email.strip())
    )


def find_advocate(*, session: Session, email: str) -> Advocate | None:
    return session.exec(
        select(Advocate).where(func.lower(Advocate.email) == normalise_email(email))
    ).first()


def password_problem(password: str) -> str | None:
    """Why this password will not do, in words for the person choosing it; None if it will."""
    if len(password) < MIN_PASSWORD:
        return f"The password must be at least {MIN_PASSWORD} characters."
    if len(password) > MAX_PASSWORD:
        return f"The password must be at most {MAX_PASSWORD} characters."
    return None


def new_password() -> str:
    """A strong random password made to be passed on by hand: 'abcd-efgh-jkmn-pqrs'
    (16 letters from 31, about 79 bits)."""
    groups = ("".join(secrets.choice(_PASSWORD_LETTERS) for _ in range(4)) for _ in range(4))
    return "-".join(groups)


def add_advocate(
    *, session: Session, email: str, password: str, name: str = "", is_admin: bool = False
) -> Advocate:
    if find_advocate(session=session, email=email) is not None:
        raise AccountExists(email)
    advocate = Advocate(
        email=normalise_email(email),
        name=name.strip(),
        password_hash=hash_password(password),
        is_admin=is_admin,
    )
    session.add(advocate)
    session.flush()
    return advocate


def _account_for_sign_in(*, session: Session, email: str) -> Advocate | None:
    # PostgreSQL refuses NUL characters; such an email can never match.
    return None if "\x00" in email else find_advocate(session=session, email=email)


def _password_fits(account: Advocate | None, password: str) -> Advocate | None:
    """The account, if it is active and the password is its own; None (in the same time) else."""
    if not verify_password(password, account.password_hash if account else None):
        return None
    if account is None or not account.active:
        return None
    return account


def signed_in_advocate(*, session: Session, claims: Claims) -> Advocate | None:
    """The advocate a token names, if still active and not signed out since it was issued."""
    advocate = session.get(Advocate, claims.advocate_id)
    if advocate is None or not advocate.active or advocate.token_version != claims.version:
        return None
    return advocate


def from_token(*, session: Session, key: bytes, token: str | None, use: Via) -> Advocate | None:
    """The advocate a genuine, unexpired token for this use names, if still active and not
    signed out since; None for anything else. The API reads it from a bearer header, the
    dashboard from its cookie."""
    claims = auth.read_token(key, token, use=use) if token else None
    return signed_in_advocate(session=session, claims=claims) if claims is not None else None


def issue_token(*, key: bytes, advocate: Advocate, use: Via, minutes: int) -> str:
    """A token for this advocate's current sign-in, for the API or the dashboard's cookie."""
    assert advocate.id is not None
    return auth.issue_token(
        key, advocate_id=advocate.id, version=advocate.token_version, use=use, minutes=minutes
    )


class SignInRefused(Exception):
    """A sign-in that failed or must wait; the message says why, `status` the HTTP answer."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class SignedIn:
    advocate: Advocate
    token: str
    seconds: int  # how long the token lasts


def sign_in(
    *,
    session: Session,
    limiter: LoginLimiter,
    key: bytes,
    minutes: int,
    email: str,
    password: str,
    address: str,
    use: Via,
) -> SignedIn:
    """Check the password within the login limit, record the sign-in and issue a token.

    Raises SignInRefused: 429 while the account or the address is held, 401 for a wrong
    email or password (which counts against both).
    """
    account = _account_for_sign_in(session=session, email=email)
    # Counted under the account's sign-in version: a new password lifts the hold (LoginLimiter).
    generation = account.token_version if account is not None else 0
    if limiter.blocked(email, address, generation=generation):
        raise SignInRefused(TOO_MANY, 429)
    advocate = _password_fits(account, password)
    if advocate is None or advocate.id is None:
        limiter.failed(email, address, generation=generation)
        # So an admin can see someone trying passwords. The limiter bounds how many rows this
        # writes; what was typed, an unknown email above all, is never kept.
        audit.record(
            session=session,
            advocate=account,
            action="login_failed",
            detail=use if account is not None else f"{use} unknown account",
        )
        session.commit()
        raise SignInRefused(WRONG, 401)
    limiter.succeeded(email, generation=generation)
    audit.record(session=session, advocate=advocate, action="login", detail=use)
    session.commit()
    token = issue_token(key=key, advocate=advocate, use=use, minutes=minutes)
    return SignedIn(advocate=advocate, token=token, seconds=minutes * 60)


def sign_out(*, session: Session, advocate: Advocate, via: Via) -> None:
    """Signed out on every device (see `sign_out_everywhere`), recorded and committed."""
    sign_out_everywhere(session=session, advocate=advocate)
    audit.record(session=session, advocate=advocate, action="logout", detail=via)
    session.commit()


def sign_out_everywhere(*, session: Session, advocate: Advocate) -> None:
    """Every token and cookie this advocate holds stops working, on every device."""
    # Raised in the database, so two sign-outs at once both count.
    session.execute(
        update(Advocate)
        .where(col(Advocate.id) == advocate.id)
        .values(token_version=col(Advocate.token_version) + 1)
    )
    session.refresh(advocate)


# ---- looking after accounts (an admin on the dashboard, or the command line) ---------------


class AccountError(Exception):
    """A change to an account that cannot be made; the message says why, `status` the HTTP
    answer."""

    status = 409


class AccountNotFound(AccountError):
    status = 404


class PasswordRefused(AccountError):
    status = 422


@dataclass(frozen=True)
class AccountRow:
    """One account as the list shows it: never its password hash or token version."""

    id: int
    email: str
    name: str
    is_admin: bool
    active: bool
    last_sign_in: datetime | None  # from the audit log; None if it never signed in

    @property
    def role(self) -> str:
        return "admin" if self.is_admin else "advocate"


def list_accounts(*, session: Session) -> list[AccountRow]:
    """Every account, by email, with its last sign-in (the audit log keeps every one)."""
    last = (
        select(
            col(AuditEntry.advocate_id).label("advocate_id"),
            func.max(AuditEntry.created_at).label("at"),
        )
        .where(AuditEntry.action == "login")
        .group_by(col(AuditEntry.advocate_id))
        .subquery()
    )
    query = (
        select(Advocate, last.c.at)
        .join(last, col(Advocate.id) == last.c.advocate_id, isouter=True)
        .order_by(col(Advocate.email))
    )
    return [
        AccountRow(
            id=advocate.id or 0,
            email=advocate.email,
            name=advocate.name,
            is_admin=advocate.is_admin,
            active=advocate.active,
            last_sign_in=at,
        )
        for advocate, at in session.exec(query).all()
    ]


def view_accounts(*, session: Session, by: Advocate | None, via: ChangedVia) -> list[AccountRow]:
    """Every account (`list_accounts`), the look recorded in the audit log: by an admin on the
    dashboard, or on the server's command line."""
    rows = list_accounts(session=session)
    audit.viewed(session=session, advocate=by, action="view_accounts", detail=f"{via}: the list")
    return rows


def account_by_id(*, session: Session, advocate_id: int) -> Advocate:
    advocate = session.get(Advocate, advocate_id)
    if advocate is None:
        raise AccountNotFound("There is no such account.")
    return advocate


def _record_change(
    *,
    session: Session,
    action: Action,
    account: Advocate,
    by: Advocate | None,
    via: ChangedVia,
    also: str = "",
) -> None:
    # Who: the admin's id (none from the command line, whose detail starts "cli"); which
    # account by its lasting id and email; `also`, what else changed. Never the password.
    detail = f"{via}: account #{account.id} {account.email}{also}"
    audit.record(session=session, advocate=by, action=action, detail=detail)


def create_account(
    *,
    session: Session,
    email: str,
    password: str,
    name: str = "",
    is_admin: bool = False,
    by: Advocate | None,
    via: ChangedVia,
) -> Advocate:
    """Add an account, audited and committed. Raises PasswordRefused or AccountExists."""
    problem = password_problem(password)
    if problem is not None:
        raise PasswordRefused(problem)
    account = add_advocate(
        session=session, email=email, password=password, name=name, is_admin=is_admin
    )
    _record_change(session=session, action="account_add", account=account, by=by, via=via)
    session.commit()
    return account


def check_can_disable(*, account: Advocate, by: Advocate | None) -> None:
    """Raises AccountError if `by` may not switch this account off: it is their own."""
    if by is not None and by.id == account.id:
        raise AccountError(
            "You cannot switch off your own account. Another admin can, or the command line "
            "on the server (rightsline advocate disable)."
        )


def disable(*, session: Session, account: Advocate, by: Advocate | None, via: ChangedVia) -> bool:
    """Switch an account off: signed out everywhere now, and its old tokens stay dead if it is
    ever switched back on. False if it was off already (nothing changes, nothing recorded).
    An admin cannot switch off their own account (AccountError)."""
    check_can_disable(account=account, by=by)
    if not account.active:
        return False
    account.active = False
    session.add(account)
    session.flush()
    sign_out_everywhere(session=session, advocate=account)
    _record_change(session=session, action="account_disable", account=account, by=by, via=via)
    referrals.give_back_held(session=session, holder=account, by=by, via=via)
    session.commit()
    return True


def enable(*, session: Session, account: Advocate, by: Advocate | None, via: ChangedVia) -> bool:
    """Switch an account back on; it must sign in afresh. False if it was on already."""
    if account.active:
        return False
    account.active = True
    session.add(account)
    _record_change(session=session, action="account_enable", account=account, by=by, via=via)
    session.commit()
    return True


def reset_password(
    *, session: Session, account: Advocate, password: str, by: Advocate | None, via: ChangedVia
) -> None:
    """Give an account a new password and sign it out everywhere, audited and committed. Its
    failed sign-ins are forgotten with its old sign-ins, so a held account may sign in at once
    (see LoginLimiter). Raises PasswordRefused when the password breaks the rules (nothing
    changes)."""
    problem = password_problem(password)
    if problem is not None:
        raise PasswordRefused(problem)
    account.password_hash = hash_password(password)
    session.add(account)
    session.flush()
    sign_out_everywhere(session=session, advocate=account)
    _record_change(
        session=session,
        action="account_password",
        account=account,
        by=by,
        via=via,
        also=FAILURES_FORGOTTEN,
    )
    session.commit()
