"""What admins look after on the dashboard: the accounts, and the audit log."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response

from service import accounts, audit
from service.accounts import Advocate
from service.dashboard import PREFIX, CsrfChecked, DashboardAdvocate, error_page, render
from service.deps import AdvocateId, RuntimeDep, SessionDep

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("/audit")
def audit_page(
    request: Request,
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
    page: int = 0,
) -> Response:
    if not advocate.is_admin:
        return error_page(request, runtime, advocate, "Only an admin can read the audit log.", 403)
    page = max(0, min(page, 10_000))
    rows = audit.entries(session=session, limit=100, offset=page * 100)
    context: dict[str, Any] = {"entries": rows, "page": page}
    return render(request, runtime, "audit.html", context, advocate=advocate)


# ---- accounts ------------------------------------------------------------------------------

ADMINS_ONLY = "Only an admin can look after accounts."


def accounts_page(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    admin: Advocate,
    *,
    error: str | None = None,
    new_password: tuple[str, str, bool] | None = None,
    status_code: int = 200,
) -> Response:
    """Every account, with its forms; `new_password`: (email, password, whether the account
    is active) shown this once."""
    if not admin.is_admin:
        return error_page(request, runtime, admin, ADMINS_ONLY, 403)
    context = {
        "accounts": accounts.view_accounts(session=session, by=admin, via="dashboard"),
        "error": error,
        "new_password": new_password,
    }
    return render(
        request, runtime, "accounts.html", context, advocate=admin, status_code=status_code
    )


def change_account(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    admin: Advocate,
    advocate_id: int,
    action: Literal["disable", "enable"],
) -> Response:
    """Disable or enable an account, then back to the list (or the list saying why not)."""
    if not admin.is_admin:
        return accounts_page(request, runtime, session, admin)
    try:
        account = accounts.account_by_id(session=session, advocate_id=advocate_id)
        change = accounts.disable if action == "disable" else accounts.enable
        change(session=session, account=account, by=admin, via="dashboard")
    except accounts.AccountError as error:
        return accounts_page(
            request, runtime, session, admin, error=str(error), status_code=error.status
        )
    return RedirectResponse("/dashboard/accounts", status.HTTP_303_SEE_OTHER)


def confirm_page(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    admin: Advocate,
    advocate_id: int,
    change: Literal["disable", "password"],
) -> Response:
    """Are you sure? The account named, a button that makes the change (a form posted to this
    same address) and a way back: one click never disables an account or resets a password."""
    if not admin.is_admin:
        return accounts_page(request, runtime, session, admin)
    try:
        account = accounts.account_by_id(session=session, advocate_id=advocate_id)
        if change == "disable":
            accounts.check_can_disable(account=account, by=admin)
    except accounts.AccountError as error:
        return accounts_page(
            request, runtime, session, admin, error=str(error), status_code=error.status
        )
    if change == "disable" and not account.active:  # nothing to ask: it is off already
        return RedirectResponse("/dashboard/accounts", status.HTTP_303_SEE_OTHER)
    context = {"account": account, "change": change}
    return render(request, runtime, "account_confirm.html", context, advocate=admin)


@router.get("/accounts")
def accounts_list(
    request: Request, advocate: DashboardAdvocate, runtime: RuntimeDep, session: SessionDep
) -> Response:
    return accounts_page(request, runtime, session, advocate)


@router.get("/accounts/{advocate_id}/disable")
def confirm_disable(
    advocate_id: AdvocateId,
    request: Request,
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
) -> Response:
    return confirm_page(request, runtime, session, advocate, advocate_id, "disable")


@router.post("/accounts/{advocate_id}/disable", dependencies=[CsrfChecked])
def disable_account(
    advocate_id: AdvocateId,
    request: Request,
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
) -> Response:
    return change_account(request, runtime, session, advocate, advocate_id, "disable")


@router.post("/accounts/{advocate_id}/enable", dependencies=[CsrfChecked])
def enable_account(
    advocate_id: AdvocateId,
    request: Request,
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
) -> Response:
    return change_account(request, runtime, session, advocate, advocate_id, "enable")


@router.get("/accounts/{advocate_id}/password")
def confirm_reset_password(
    advocate_id: AdvocateId,
    request: Request,
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
) -> Response:
    return confirm_page(request, runtime, session, advocate, advocate_id, "password")


@router.post("/accounts/{advocate_id}/password", dependencies=[CsrfChecked])
def reset_password(
    advocate_id: AdvocateId,
    request: Request,
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
) -> Response:
    """A new random password, shown on this page once and kept nowhere but as a hash; the
    account is signed out everywhere and may sign in at once (its failed tries forgotten)."""
    if not advocate.is_admin:
        return accounts_page(request, runtime, session, advocate)
    password = accounts.new_password()
    try:
        account = accounts.account_by_id(session=session, advocate_id=advocate_id)
        accounts.reset_password(
            session=session, account=account, password=password, by=advocate, via="dashboard"
        )
    except accounts.AccountError as error:
        return accounts_page(
            request, runtime, session, advocate, error=str(error), status_code=error.status
        )
    shown = (account.email, password, account.active)
    return accounts_page(request, runtime, session, advocate, new_password=shown)
