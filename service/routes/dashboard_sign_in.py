"""Signing in to the dashboard and out of it everywhere."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response

from service import accounts
from service.dashboard import (
    PREFIX,
    SESSION_COOKIE,
    CsrfChecked,
    DashboardAdvocate,
    render,
    start_session,
)
from service.deps import RuntimeDep, SessionDep, SignInDep

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("/login")
def login_page(request: Request, runtime: RuntimeDep) -> Response:
    return render(request, runtime, "login.html", {"error": None})


@router.post("/login", dependencies=[CsrfChecked])
def login(
    request: Request,
    runtime: RuntimeDep,
    sign_in: SignInDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1000)],
) -> Response:
    try:
        signed = sign_in(email, password, "dashboard")
    except accounts.SignInRefused as refused:
        error = {"error": str(refused)}
        return render(request, runtime, "login.html", error, status_code=refused.status)
    response = RedirectResponse("/dashboard", status.HTTP_303_SEE_OTHER)
    start_session(response, request, runtime, signed.token)
    return response


@router.post("/logout", dependencies=[CsrfChecked])
def logout(advocate: DashboardAdvocate, session: SessionDep) -> Response:
    # A copied or left-behind cookie must stop working too, not just this browser's.
    accounts.sign_out(session=session, advocate=advocate, via="dashboard")
    response = RedirectResponse("/dashboard/login", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE, path="/dashboard")
    return response
