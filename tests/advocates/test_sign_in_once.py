"""service.accounts signs in for both the dashboard and the API: one limit, one token check."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, col, select

from service import accounts, auth
from service.models import AuditEntry
from tests.advocates.conftest import ADVOCATE
from tests.advocates.helpers import PASSWORD


def signer(runtime: Any, limiter: auth.LoginLimiter) -> Any:
    def sign_in(password: str, *, use: Any = "api", address: str = "192.0.2.1") -> Any:
        with Session(runtime.database) as session:
            return accounts.sign_in(
                session=session,
                limiter=limiter,
                key=runtime.keys.signing_key,
                minutes=30,
                email=ADVOCATE,
                password=password,
                address=address,
                use=use,
            )

    return sign_in


def test_a_wrong_password_then_the_limit_then_a_token_for_that_use(
    runtime: Any, advocates: dict[str, int]
) -> None:
    limiter = auth.LoginLimiter(secret=b"k" * 32, per_account=2)
    sign_in = signer(runtime, limiter)
    with pytest.raises(accounts.SignInRefused) as wrong:
        sign_in("nope")
    assert wrong.value.status == 401 and str(wrong.value) == accounts.WRONG
    with pytest.raises(accounts.SignInRefused):
        sign_in("nope again", address="192.0.2.2")
    with pytest.raises(accounts.SignInRefused) as held:
        sign_in(PASSWORD, address="192.0.2.3")
    assert held.value.status == 429 and str(held.value) == accounts.TOO_MANY

    limiter = auth.LoginLimiter(secret=b"k" * 32, per_account=2)
    sign_in = signer(runtime, limiter)
    signed = sign_in(PASSWORD, use="dashboard")
    assert signed.advocate.id == advocates[ADVOCATE] and signed.seconds == 30 * 60
    key = runtime.keys.signing_key
    with Session(runtime.database) as session:
        found = accounts.from_token(session=session, key=key, token=signed.token, use="dashboard")
        assert found is not None and found.id == advocates[ADVOCATE]
        # A dashboard cookie is no API token, and nothing at all is no one.
        assert accounts.from_token(session=session, key=key, token=signed.token, use="api") is None
        assert accounts.from_token(session=session, key=key, token=None, use="api") is None
        assert accounts.from_token(session=session, key=key, token="", use="api") is None

        accounts.sign_out(session=session, advocate=found, via="dashboard")
        gone = accounts.from_token(session=session, key=key, token=signed.token, use="dashboard")
        assert gone is None
        entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
        assert [(e.action, e.detail) for e in entries] == [
            ("login_failed", "api"),  # the two wrong passwords; the held try is not one
            ("login_failed", "api"),
            ("login", "dashboard"),
            ("logout", "dashboard"),
        ]
