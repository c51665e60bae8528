"""Signing out ends the session: old cookies and tokens stop working, everywhere."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlmodel import Session

from service.models import Advocate
from tests.advocates.conftest import ADVOCATE, OTHER
from tests.advocates.helpers import PASSWORD, bearer
from tests.advocates.test_dashboard import csrf_of, sign_in


async def test_a_cookie_copied_before_sign_out_no_longer_opens_the_dashboard(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    await sign_in(client, ADVOCATE)
    copied = client.cookies.get("rightsline_dashboard", path="/dashboard")
    assert copied
    queue = await client.get("/dashboard")
    assert queue.status_code == 200
    signed_out = await client.post("/dashboard/logout", data={"csrf_token": csrf_of(queue.text)})
    assert signed_out.status_code == 303
    # Someone who kept the cookie (a shared computer, a stolen laptop) is sent to sign in.
    client.cookies.set("rightsline_dashboard", copied, domain="rightsline.test", path="/dashboard")
    again = await client.get("/dashboard")
    assert again.status_code == 303 and again.headers["location"] == "/dashboard/login"


async def test_signing_out_of_the_dashboard_also_ends_api_tokens(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    headers = await bearer(client, ADVOCATE)
    other = await bearer(client, OTHER)
    await sign_in(client, ADVOCATE)
    queue = await client.get("/dashboard")
    await client.post("/dashboard/logout", data={"csrf_token": csrf_of(queue.text)})
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 401
    # Another advocate is not signed out.
    assert (await client.get("/api/auth/me", headers=other)).status_code == 200


async def test_the_api_sign_out_ends_the_token_and_a_new_sign_in_works(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    headers = await bearer(client, ADVOCATE)
    assert (await client.get("/api/referrals", headers=headers)).status_code == 200
    assert (await client.post("/api/auth/logout", headers=headers)).status_code == 204
    assert (await client.get("/api/referrals", headers=headers)).status_code == 401
    assert (await client.post("/api/auth/logout", headers=headers)).status_code == 401
    fresh = await bearer(client, ADVOCATE, PASSWORD)
    assert (await client.get("/api/referrals", headers=fresh)).status_code == 200


async def test_sign_out_is_in_the_audit_log(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    from tests.advocates.conftest import ADMIN

    headers = await bearer(client, ADVOCATE)
    await client.post("/api/auth/logout", headers=headers)
    admin = await bearer(client, ADMIN)
    entries = (await client.get("/api/audit", headers=admin)).json()
    mine = [entry["action"] for entry in entries if entry["advocate_id"] == advocates[ADVOCATE]]
    assert mine[:2] == ["logout", "login"]


async def test_deactivating_an_account_signs_it_out_everywhere_for_good(
    client: httpx.AsyncClient,
    runtime: Any,
    settings: Any,
    advocates: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from service import cli

    headers = await bearer(client, ADVOCATE)
    await sign_in(client, ADVOCATE)
    assert (await client.get("/dashboard")).status_code == 200
    monkeypatch.setenv("DATABASE_URL", settings.resolved_database_url())
    monkeypatch.setenv("RIGHTSLINE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("RIGHTSLINE_SECRET_KEY", settings.secret_key.get_secret_value())
    assert cli.main(["advocate", "deactivate", ADVOCATE.upper()]) == 0
    assert f"Disabled {ADVOCATE}" in capsys.readouterr().out
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 401
    assert (await client.get("/dashboard")).status_code == 303
    wrong = await client.post("/api/auth/token", data={"username": ADVOCATE, "password": PASSWORD})
    assert wrong.status_code == 401
    # Switched back on later, the account needs a fresh sign-in: old tokens stay dead.
    with Session(runtime.database) as session:
        advocate = session.get(Advocate, advocates[ADVOCATE])
        assert advocate is not None
        advocate.active = True
        session.commit()
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 401
    assert (await client.get("/dashboard")).status_code == 303
    assert cli.main(["advocate", "deactivate", "nobody@example.org"]) == 1
