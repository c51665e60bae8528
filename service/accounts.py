"""Advocate accounts: add one, find one, check a password."""

from __future__ import annotations

from sqlmodel import Session, func, select

from service.auth import hash_password, verify_password
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


def active_advocate(*, session: Session, advocate_id: int) -> Advocate | None:
    advocate = session.get(Advocate, advocate_id)
    return advocate if advocate is not None and advocate.active else None
