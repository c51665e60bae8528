"""Sign-in for the API: the OAuth2 password flow gives a short-lived bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from service import accounts, audit, auth
from service.deps import AdvocateDep, LoginLimiterDep, RuntimeDep, SessionDep

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


def client_address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


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
    key = limiter.key(form.username, client_address(request))
    if limiter.blocked(key):
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, TOO_MANY)
    advocate = accounts.authenticate(session=session, email=form.username, password=form.password)
    if advocate is None or advocate.id is None:
        limiter.failed(key)
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, WRONG, headers={"WWW-Authenticate": "Bearer"}
        )
    limiter.succeeded(key)
    audit.record(session=session, advocate=advocate, action="login", detail="api")
    session.commit()
    minutes = runtime.settings.token_minutes
    token = auth.issue_token(
        runtime.keys.signing_key, advocate_id=advocate.id, use="api", minutes=minutes
    )
    return Token(access_token=token, expires_in=minutes * 60)


@router.get("/me")
def who_am_i(advocate: AdvocateDep) -> AdvocatePublic:
    assert advocate.id is not None
    return AdvocatePublic(
        id=advocate.id, email=advocate.email, name=advocate.name, is_admin=advocate.is_admin
    )
