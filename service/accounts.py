"""Advocate accounts: add one, find one, check a password or a token, sign out, deactivate."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from service.auth import Claims, hash_password, verify_password
from service.models import Advocate


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
