"""What every dashboard page shares: its templates, rendering under the strict CSP, the session
and CSRF cookies, and who is signed in. The pages themselves are in service/routes/dashboard_*.py.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Form, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from sqlmodel import Session

from content import Library
from content.schema import ROLES
from service import accounts, auth, referrals
from service.accounts import Advocate
from service.deps import RuntimeDep, SessionDep
from service.runtime import Runtime

PREFIX = "/dashboard"
SESSION_COOKIE = "rightsline_dashboard"
CSRF_COOKIE = "rightsline_csrf"
CSRF_FAILED = "This form was out of date. Please try again."

templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")


def waited(minutes: int) -> str:
    """'3 min', '2 h 5 min', '4 days 1 h': how long, in words an advocate reads at a glance."""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h"
    return f"{hours} h {mins} min" if hours else f"{mins} min"


def limit_words(minutes: int) -> str:
    """A time limit in words: '15 min', '24 h', '2 days'."""
    if minutes >= 2 * 24 * 60 and minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)} days"
    if minutes >= 60 and minutes % 60 == 0:
        return f"{minutes // 60} h"
    return waited(minutes)


templates.env.filters["waited"] = waited
templates.env.filters["limit_words"] = limit_words


def role_words(library: Library) -> dict[str, str]:
    """Who wrote in, in words (messages "role_<role>" in content)."""
    return {role: library.messages.get(f"role_{role}", role) for role in ROLES}


def label_words(library: Library) -> dict[str, dict[str, str]]:
    """The words the queue and a referral's page show for its labels: each risk as an advocate
    reads it at a glance (messages "risk_<label>"), who wrote in, the kind of place and the
    place."""
    risks = {
        key[len("risk_") :]: words
        for key, words in library.messages.items()
        if key.startswith("risk_")
    }
    return {
        "risk_words": risks,
        "role_words": role_words(library),
        "kinds": library.kind_names,
        "places": {place: data.name for place, data in library.places.items()},
    }


# ---- cookies and rendering -----------------------------------------------------------------


def _secure(request: Request, runtime: RuntimeDep) -> bool:
    return runtime.settings.production or request.url.scheme == "https"


def _set_cookie(
    response: Response,
    request: Request,
    runtime: RuntimeDep,
    name: str,
    value: str,
    max_age: int | None = None,
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=PREFIX,
        httponly=True,
        samesite="strict",
        secure=_secure(request, runtime),
    )


def start_session(response: Response, request: Request, runtime: RuntimeDep, token: str) -> None:
    """(Re)issue the session cookie; every page refreshes it, so it ends after idle minutes."""
    max_age = runtime.settings.token_minutes * 60
    _set_cookie(response, request, runtime, SESSION_COOKIE, token, max_age=max_age)


def render(
    request: Request,
    runtime: RuntimeDep,
    name: str,
    context: dict[str, Any],
    *,
    advocate: Advocate | None = None,
    status_code: int = 200,
    script: str | None = None,
) -> Response:
    """The page `name`; `script` is a file in /static the page loads (none by default)."""
    nonce = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    style_nonce = secrets.token_urlsafe(16)
    page = {
        "advocate": advocate,
        "csrf": auth.csrf_token(runtime.keys.signing_key, nonce),
        "style_nonce": style_nonce,
        "outcomes": referrals.outcome_words(runtime.library.messages),
        "script": script,
        **context,
    }
    response = templates.TemplateResponse(
        request, f"dashboard/{name}", page, status_code=status_code
    )
    if request.cookies.get(CSRF_COOKIE) != nonce:
        _set_cookie(response, request, runtime, CSRF_COOKIE, nonce)
    if advocate is not None:
        token = accounts.issue_token(
            key=runtime.keys.signing_key,
            advocate=advocate,
            use="dashboard",
            minutes=runtime.settings.token_minutes,
        )
        start_session(response, request, runtime, token)
    # No inline script runs on these pages at all, even if something slipped past the
    # escaping; the queue loads its one script file from the app itself.
    scripts = "script-src 'self'; connect-src 'self'; " if script else ""
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; {scripts}style-src 'nonce-{style_nonce}'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


# ---- CSRF and who is signed in ---------------------------------------------------------------


def check_csrf(
    request: Request, runtime: RuntimeDep, csrf_token: Annotated[str, Form()] = ""
) -> None:
    if not auth.csrf_valid(runtime.keys.signing_key, request.cookies.get(CSRF_COOKIE), csrf_token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, CSRF_FAILED)


CsrfChecked = Depends(check_csrf)


def _cookie_advocate(request: Request, runtime: RuntimeDep, session: SessionDep) -> Advocate | None:
    return accounts.from_token(
        session=session,
        key=runtime.keys.signing_key,
        token=request.cookies.get(SESSION_COOKIE),
        use="dashboard",
    )


def signed_in(request: Request, runtime: RuntimeDep, session: SessionDep) -> Advocate:
    """The advocate named by the session cookie; anyone else is sent to the sign-in page."""
    advocate = _cookie_advocate(request, runtime, session)
    if advocate is None:
        raise HTTPException(status.HTTP_303_SEE_OTHER, headers={"Location": f"{PREFIX}/login"})
    return advocate


DashboardAdvocate = Annotated[Advocate, Depends(signed_in)]


def signed_in_for_updates(request: Request, runtime: RuntimeDep, session: SessionDep) -> Advocate:
    """As `signed_in`, for what a script asks for in the background: a plain 401, no redirect."""
    advocate = _cookie_advocate(request, runtime, session)
    if advocate is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Sign in again to see the queue.")
    return advocate


UpdatesAdvocate = Annotated[Advocate, Depends(signed_in_for_updates)]


@dataclass(frozen=True)
class Visit:
    """One signed-in request to a dashboard page or form: what answering it needs."""

    request: Request
    runtime: Runtime
    session: Session
    advocate: Advocate

    def render(
        self,
        name: str,
        context: dict[str, Any],
        *,
        status_code: int = 200,
        script: str | None = None,
    ) -> Response:
        """The page `name`, which keeps the advocate signed in (see `render`)."""
        return render(
            self.request,
            self.runtime,
            name,
            context,
            advocate=self.advocate,
            status_code=status_code,
            script=script,
        )

    def error(self, message: str, status_code: int) -> Response:
        """A page that says only why the advocate cannot have what they asked for."""
        return self.render("error.html", {"message": message}, status_code=status_code)


def unusable(request: Request, error: Exception) -> Response:
    """A dashboard link or form with a value that does not fit (a 422): a page that says which,
    instead of the list of fields the API answers with. Nothing that was sent is shown."""
    problems = error.errors() if isinstance(error, RequestValidationError) else []
    fields = sorted({str(problem["loc"][-1]) for problem in problems if problem.get("loc")})
    which = f" ({', '.join(fields)})" if fields else ""
    message = f"Something in that link or form could not be used{which}. Go back and try again."
    runtime: Runtime = request.app.state.runtime
    return render(request, runtime, "error.html", {"message": message}, status_code=422)


def signed_in_visit(
    request: Request, runtime: RuntimeDep, session: SessionDep, advocate: DashboardAdvocate
) -> Visit:
    return Visit(request=request, runtime=runtime, session=session, advocate=advocate)


SignedInVisit = Annotated[Visit, Depends(signed_in_visit)]
