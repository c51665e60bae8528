"""What admins look after on the dashboard: the accounts, and the audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, status
from fastapi.responses import RedirectResponse, Response

from service import accounts, audit
from service.accounts import Advocate
from service.dashboard import PREFIX, CsrfChecked, SignedInVisit, Visit
from service.deps import AdvocateId

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("/audit")
def audit_page(visit: SignedInVisit, page: int = 0) -> Response:
    if not visit.advocate.is_admin:
        return visit.error("Only an admin can read the audit log.", 403)
    page = max(0, min(page, 10_000))
    audit.viewed(
        session=visit.session,
        advocate=visit.advocate,
        action="view_audit",
        detail=f"dashboard: page {page + 1}",
    )
    rows = audit.entries(session=visit.session, limit=100, offset=page * 100)
    context: dict[str, Any] = {"entries": rows, "page": page}
    return visit.render("audit.html", context)


# ---- accounts ------------------------------------------------------------------------------

ADMINS_ONLY = "Only an admin can look after accounts."


def accounts_page(
    visit: Visit,
    *,
    error: str | None = None,
    new_password: tuple[str, str, bool] | None = None,
    added: bool = False,
    status_code: int = 200,
) -> Response:
    """Every account, with its forms; `new_password`: (email, password, whether the account
    is active) shown this once, for an account just `added` or one whose password was reset."""
    if not visit.advocate.is_admin:
        return visit.error(ADMINS_ONLY, 403)
    context = {
        "accounts": accounts.view_accounts(
            session=visit.session, by=visit.advocate, via="dashboard"
        ),
        "error": error,
        "new_password": new_password,
        "added": added,
    }
    return visit.render("accounts.html", context, status_code=status_code)


def back_to_the_list() -> Response:
    return RedirectResponse("/dashboard/accounts", status.HTTP_303_SEE_OTHER)


def with_account(visit: Visit, advocate_id: int, then: Callable[[Advocate], Response]) -> Response:
    """`then` with the account, for an admin only; the list saying why not when the account
    is not there or cannot be changed so (accounts.AccountError)."""
    if not visit.advocate.is_admin:
        return accounts_page(visit)
    try:
        account = accounts.account_by_id(session=visit.session, advocate_id=advocate_id)
        return then(account)
    except accounts.AccountError as error:
        return accounts_page(visit, error=str(error), status_code=error.status)


def change_account(
    visit: Visit, advocate_id: int, action: Literal["disable", "enable"]
) -> Response:
    """Disable or enable an account, then back to the list (or the list saying why not)."""
    change = accounts.disable if action == "disable" else accounts.enable

    def changed(account: Advocate) -> Response:
        change(session=visit.session, account=account, by=visit.advocate, via="dashboard")
        return back_to_the_list()

    return with_account(visit, advocate_id, changed)


def confirm_page(
    visit: Visit, advocate_id: int, change: Literal["disable", "password"]
) -> Response:
    """Are you sure? The account named, a button that makes the change (a form posted to this
    same address) and a way back: one click never disables an account or resets a password."""

    def asked(account: Advocate) -> Response:
        if change == "disable":
            accounts.check_can_disable(account=account, by=visit.advocate)
            if not account.active:  # nothing to ask: it is off already
                return back_to_the_list()
        return visit.render("account_confirm.html", {"account": account, "change": change})

    return with_account(visit, advocate_id, asked)


@router.get("/accounts")
def accounts_list(visit: SignedInVisit) -> Response:
    return accounts_page(visit)


@router.get("/accounts/{advocate_id}/disable")
def confirm_disable(advocate_id: AdvocateId, visit: SignedInVisit) -> Response:
    return confirm_page(visit, advocate_id, "disable")


@router.post("/accounts/{advocate_id}/disable", dependencies=[CsrfChecked])
def disable_account(advocate_id: AdvocateId, visit: SignedInVisit) -> Response:
    return change_account(visit, advocate_id, "disable")


@router.post("/accounts/{advocate_id}/enable", dependencies=[CsrfChecked])
def enable_account(advocate_id: AdvocateId, visit: SignedInVisit) -> Response:
    return change_account(visit, advocate_id, "enable")


@router.get("/accounts/{advocate_id}/password")
def confirm_reset_password(advocate_id: AdvocateId, visit: SignedInVisit) -> Response:
    return confirm_page(visit, advocate_id, "password")


@router.post("/accounts/{advocate_id}/password", dependencies=[CsrfChecked])
def reset_password(advocate_id: AdvocateId, visit: SignedInVisit) -> Response:
    """A new random password, shown on this page once and kept nowhere but as a hash; the
    account is signed out everywhere and may sign in at once (its failed tries forgotten)."""

    def reset(account: Advocate) -> Response:
        password = accounts.new_password()
        accounts.reset_password(
            session=visit.session,
            account=account,
            password=password,
            by=visit.advocate,
            via="dashboard",
        )
        return accounts_page(visit, new_password=(account.email, password, account.active))

    return with_account(visit, advocate_id, reset)


@router.post("/accounts/new", dependencies=[CsrfChecked])
def add_account(
    visit: SignedInVisit,
    email: Annotated[str, Form(max_length=254)],
    name: Annotated[str, Form(max_length=100)] = "",
    role: Annotated[Literal["advocate", "admin"], Form()] = "advocate",
) -> Response:
    """A new account with a random password, shown on this page once and kept nowhere but as a
    hash, as a reset one is: the admin gives it to the new advocate in person or by phone."""
    if not visit.advocate.is_admin:
        return accounts_page(visit)
    email = email.replace("\x00", "").strip()
    if not accounts.looks_like_email(email):
        return accounts_page(
            visit,
            error="Write the new account's email address, such as name@example.org.",
            status_code=422,
        )
    password = accounts.new_password()
    try:
        accounts.create_account(
            session=visit.session,
            email=email,
            password=password,
            name=name.replace("\x00", ""),
            is_admin=role == "admin",
            by=visit.advocate,
            via="dashboard",
        )
    except accounts.AccountExists:
        return accounts_page(
            visit, error=f"There is already an account for {email}.", status_code=409
        )
    return accounts_page(
        visit, new_password=(accounts.normalise_email(email), password, True), added=True
    )
