"""Advocate accounts: add one, find one, sign in and out, check a token, deactivate."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from service import audit, auth
from service.audit import Via
from service.auth import Claims, LoginLimiter, hash_password, verify_password

# The type routes name the signed-in advocate by; they never reach into service.models.
from service.models import Advocate as Advocate

WRONG = "Wrong email or password."
TOO_MANY = "Too many failed sign-ins. Wait 15 minutes and try again."


class AccountExists(ValueError):
    """Raised when an advocate with that email is already there."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_advocate(*, session: Session, email: str) -> Advocate | None:
    return session.exec(
        select(Advocate).where(func.lower(Advocate.email) == normalise_email(email))
    ).first()


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


def authenticate(*, session: Session, email: str, password: str) -> Advocate | None:
    """The active advocate with this email and password, or None (taking the same time)."""
    # PostgreSQL refuses NUL characters; such an email can never match.
    advocate = None if "\x00" in email else find_advocate(session=session, email=email)
    if not verify_password(password, advocate.password_hash if advocate else None):
        return None
    if advocate is None or not advocate.active:
        return None
    return advocate


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
    if limiter.blocked(email, address):
        raise SignInRefused(TOO_MANY, 429)
    advocate = authenticate(session=session, email=email, password=password)
    if advocate is None or advocate.id is None:
        limiter.failed(email, address)
        raise SignInRefused(WRONG, 401)
    limiter.succeeded(email)
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


def deactivate(*, session: Session, email: str) -> Advocate | None:
    """Stop an account: signed out everywhere now, and its old tokens stay dead if it is
    ever switched back on. None when there is no such advocate."""
    advocate = find_advocate(session=session, email=email)
    if advocate is None:
        return None
    advocate.active = False
    session.add(advocate)
    session.flush()
    sign_out_everywhere(session=session, advocate=advocate)
    return advocate
