"""API sign-in (the OAuth2 password flow gives a short-lived bearer token) and sign-out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from service import accounts
from service.accounts import TOO_MANY, WRONG
from service.deps import AdvocateDep, SessionDep, SignInDep

router = APIRouter(prefix="/api/auth", tags=["auth"])


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
def issue_token(form: Annotated[OAuth2PasswordRequestForm, Depends()], sign_in: SignInDep) -> Token:
    try:
        signed = sign_in(form.username, form.password, "api")
    except accounts.SignInRefused as refused:
        wrong = refused.status == status.HTTP_401_UNAUTHORIZED
        headers = {"WWW-Authenticate": "Bearer"} if wrong else None
        raise HTTPException(refused.status, str(refused), headers=headers) from None
    return Token(access_token=signed.token, expires_in=signed.seconds)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={401: {"description": "Not signed in"}},
)
def sign_out(advocate: AdvocateDep, session: SessionDep) -> Response:
    """Ends every token and dashboard session this advocate holds, on every device."""
    accounts.sign_out(session=session, advocate=advocate, via="api")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me")
def who_am_i(advocate: AdvocateDep) -> AdvocatePublic:
    assert advocate.id is not None
    return AdvocatePublic(
        id=advocate.id, email=advocate.email, name=advocate.name, is_admin=advocate.is_admin
    )
