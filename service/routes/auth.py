"""API sign-in (the OAuth2 password flow gives a short-lived bearer token) and sign-out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from service import accounts, audit, auth
from service.deps import AdvocateDep, LoginLimiterDep, RuntimeDep, SessionDep, client_address

router = APIRouter(prefix="/api/auth", tags=["auth"])

WRONG = "Wrong email or password."
TOO_MANY = "Too many failed sign-ins. Wait 15 minutes and try again."


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int  # seconds


class AdvocatePublic(BaseModel):
    id: int
    email: str
    name: str
    is_admin: bool


@router.post(
    "/token",
    responses={401: {"description": WRONG}, 429: {"description": TOO_MANY}},
)
def issue_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    limiter: LoginLimiterDep,
) -> Token:
    address = client_address(request)
    if limiter.blocked(form.username, address):
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, TOO_MANY)
    advocate = accounts.authenticate(session=session, email=form.username, password=form.password)
    if advocate is None or advocate.id is None:
        limiter.failed(form.username, address)
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, WRONG, headers={"WWW-Authenticate": "Bearer"}
        )
    limiter.succeeded(form.username)
    audit.record(session=session, advocate=advocate, action="login", detail="api")
    session.commit()
    minutes = runtime.settings.token_minutes
    token = auth.issue_token(
        runtime.keys.signing_key,
        advocate_id=advocate.id,
        version=advocate.token_version,
        use="api",
        minutes=minutes,
    )
    return Token(access_token=token, expires_in=minutes * 60)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={401: {"description": "Not signed in"}},
)
def sign_out(advocate: AdvocateDep, session: SessionDep) -> Response:
    """Ends every token and dashboard session this advocate holds, on every device."""
    accounts.sign_out_everywhere(session=session, advocate=advocate)
    audit.record(session=session, advocate=advocate, action="logout", detail="api")
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me")
def who_am_i(advocate: AdvocateDep) -> AdvocatePublic:
    assert advocate.id is not None
    return AdvocatePublic(
        id=advocate.id, email=advocate.email, name=advocate.name, is_admin=advocate.is_admin
    )
