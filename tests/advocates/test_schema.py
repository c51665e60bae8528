"""schemathesis against the app's OpenAPI schema: generated requests never get a server error."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from sqlmodel import Session

from service import auth, storage
from tests.advocates.conftest import ADMIN

# Small, so the whole API is tried in well under a minute on each database.
EXAMPLES = 20


def seed_referrals(runtime: Any, admin_id: int) -> None:
    """A few referrals (ids 1 to 3) so generated ids sometimes find one, one claimed."""
    with Session(runtime.database) as session:
        for number in range(3):
            chat = storage.get_or_create_chat(session=session, key=f"seed-{number}", channel="web")
            referral = storage.create_referral(
                session=session, chat=chat, urgency="normal", summary="(seed)"
            )
            if number == 0:
                referral.status, referral.claimed_by = "claimed", admin_id
        session.commit()


def test_generated_requests_get_no_server_errors(
    app: Any, runtime: Any, advocates: dict[str, int]
) -> None:
    seed_referrals(runtime, advocates[ADMIN])
    token = auth.issue_token(
        runtime.keys.signing_key, advocate_id=advocates[ADMIN], version=0, use="api", minutes=30
    )
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    tried: list[str] = []
    statuses: list[int] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label == "POST /api/auth/logout":
            continue  # it would sign the admin out of every later case; test_sign_out tries it
        tried.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def no_server_error(case: Any) -> None:
            response = case.call_and_validate(headers=headers, checks=[not_a_server_error])
            statuses.append(response.status_code)

        no_server_error()
    assert "POST /api/referrals/{referral_id}/close" in tried and "GET /api/stats" in tried
    assert len(statuses) > 5 * len(tried) and max(statuses) < 500
