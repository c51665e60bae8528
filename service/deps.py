"""FastAPI dependencies, named once so handlers read as plain typed functions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from service import accounts, auth
from service.accounts import Advocate, SignedIn
from service.audit import Via
from service.engine import Conversation
from service.runtime import Runtime


# `async def` for what only looks something up: FastAPI runs a plain `def` dependency on a
# worker thread, and these two are on every chat message (0.6 ms of CPU a request, measured).
async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_conversation(runtime: RuntimeDep) -> Conversation:
    return runtime.conversation


ConversationDep = Annotated[Conversation, Depends(get_conversation)]


def get_redact(runtime: RuntimeDep) -> Callable[[str], str]:
    """Words an advocate keeps (a note, a reason for passing on) redacted exactly as a
    child's are: the engine's own analysis. It may raise; service.referrals refuses then."""

    def redact(text: str) -> str:
        return runtime.conversation.analyse(text).redacted

    return redact


RedactDep = Annotated[Callable[[str], str], Depends(get_redact)]


def get_db(runtime: RuntimeDep) -> Iterator[Session]:
    with Session(runtime.database) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]

# A referral's number in a path; bounded so a huge number is a 422, not a database overflow.
ReferralId = Annotated[int, Path(ge=1, le=2**31 - 1)]
# An account's number in a path, bounded the same way.
AdvocateId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def client_address(request: Request) -> str:
    # The connecting address; behind a proxy named in RIGHTSLINE_TRUSTED_PROXIES, the address
    # it forwarded (see service.edge). Headers from anyone else are never believed.
    return request.client.host if request.client is not None else "unknown"


# ---- advocates --------------------------------------------------------------------------

bearer = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)
NOT_SIGNED_IN = "Sign in to continue: the token is missing, wrong or has expired."


def get_advocate(
    runtime: RuntimeDep, session: SessionDep, token: Annotated[str | None, Depends(bearer)]
) -> Advocate:
    """The advocate named by a valid, unexpired API token, not signed out since; 401 else."""
    advocate = accounts.from_token(
        session=session, key=runtime.keys.signing_key, token=token, use="api"
    )
    if advocate is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, NOT_SIGNED_IN, headers={"WWW-Authenticate": "Bearer"}
        )
    return advocate


AdvocateDep = Annotated[Advocate, Depends(get_advocate)]


def get_admin(advocate: AdvocateDep) -> Advocate:
    if not advocate.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only an admin can see this.")
    return advocate


AdminDep = Annotated[Advocate, Depends(get_admin)]


def get_login_limiter(request: Request) -> auth.LoginLimiter:
    limiter: auth.LoginLimiter = request.app.state.login_limiter
    return limiter


LoginLimiterDep = Annotated[auth.LoginLimiter, Depends(get_login_limiter)]


SignIn = Callable[[str, str, Via], SignedIn]


def get_sign_in(
    request: Request, runtime: RuntimeDep, session: SessionDep, limiter: LoginLimiterDep
) -> SignIn:
    """`sign_in(email, password, use)`: accounts.sign_in from this request's address, with
    the service's login limit, key and token minutes. Raises accounts.SignInRefused."""

    def sign_in(email: str, password: str, use: Via) -> SignedIn:
        return accounts.sign_in(
            session=session,
            limiter=limiter,
            key=runtime.keys.signing_key,
            minutes=runtime.settings.token_minutes,
            email=email,
            password=password,
            address=client_address(request),
            use=use,
        )

    return sign_in


SignInDep = Annotated[SignIn, Depends(get_sign_in)]
