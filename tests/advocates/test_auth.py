"""Signing in: tokens, refusals, the login limit and the command that adds an advocate."""

from __future__ import annotations

import io
import time
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from service import auth
from service.models import Advocate
from tests.advocates.conftest import ADMIN, ADVOCATE
from tests.advocates.helpers import PASSWORD, bearer


async def test_the_password_flow_gives_a_bearer_token(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    response = await client.post(
        "/api/auth/token", data={"username": ADVOCATE.upper(), "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 30 * 60
    me = await client.get(
        "/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.json() == {
        "id": advocates[ADVOCATE],
        "email": ADVOCATE,
        "name": "Test Advocate One",
        "is_admin": False,
    }


def test_passwords_are_stored_as_argon2_hashes(runtime: Any, advocates: dict[str, int]) -> None:
    with Session(runtime.database) as session:
        stored = session.exec(select(Advocate.password_hash)).all()
    assert all(value.startswith("$argon2id$") for value in stored)
    assert all(PASSWORD not in value for value in stored)


async def test_a_wrong_password_or_unknown_email_is_refused(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    for username, password in ((ADVOCATE, "wrong password"), ("nobody@example.org", PASSWORD)):
        response = await client.post(
            "/api/auth/token", data={"username": username, "password": password}
        )
        assert response.status_code == 401
        assert response.json() == {"detail": "Wrong email or password."}


async def test_no_token_a_forged_token_or_an_expired_token_is_refused(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    key = runtime.keys.signing_key
    advocate_id = advocates[ADVOCATE]
    expired = auth.issue_token(
        key, advocate_id=advocate_id, version=0, use="api", minutes=30, now=time.time() - 31 * 60
    )
    forged = auth.issue_token(
        b"some other key", advocate_id=advocate_id, version=0, use="api", minutes=30
    )
    cookie_kind = auth.issue_token(
        key, advocate_id=advocate_id, version=0, use="dashboard", minutes=30
    )
    assert (await client.get("/api/referrals")).status_code == 401
    for token in (expired, forged, cookie_kind, "not-a-token", "\xe9.\xe9".encode("latin-1")):
        response = await client.get(
            "/api/referrals",
            headers={
                "Authorization": b"Bearer "
                + (token if isinstance(token, bytes) else token.encode())
            },
        )
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"


async def test_a_deactivated_advocate_token_stops_working(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    headers = await bearer(client, ADVOCATE)
    with Session(runtime.database) as session:
        advocate = session.get(Advocate, advocates[ADVOCATE])
        assert advocate is not None
        advocate.active = False
        session.commit()
    assert (await client.get("/api/referrals", headers=headers)).status_code == 401


async def test_five_failures_block_that_email_for_a_while(
    client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    wrong = {"username": ADVOCATE, "password": "guess"}
    codes = [(await client.post("/api/auth/token", data=wrong)).status_code for _ in range(5)]
    assert codes == [401] * 5
    # Now even the right password waits; another advocate is not affected.
    right = {"username": ADVOCATE, "password": PASSWORD}
    blocked = await client.post("/api/auth/token", data=right)
    assert blocked.status_code == 429 and "15 minutes" in blocked.json()["detail"]
    admin = await client.post("/api/auth/token", data={"username": ADMIN, "password": PASSWORD})
    assert admin.status_code == 200


def test_tokens_end_when_their_minutes_are_up() -> None:
    key = b"k" * 32
    token = auth.issue_token(key, advocate_id=7, version=2, use="api", minutes=30, now=1000.0)
    assert auth.read_token(key, token, use="api", now=1000.0 + 29 * 60) == (7, 2)
    assert auth.read_token(key, token, use="api", now=1000.0 + 30 * 60) is None
    assert auth.read_token(key, token, use="dashboard", now=1000.0) is None
    body, _, mac = token.partition(".")
    assert auth.read_token(key, f"{body}x.{mac}", use="api", now=1000.0) is None


def test_the_login_limit_forgets_after_its_window() -> None:
    limiter = auth.LoginLimiter(secret=b"k" * 32, per_account=2, window_seconds=1)
    limiter.failed("someone@example.org", "127.0.0.1")
    limiter.failed("Someone@Example.org ", "192.0.2.1")
    assert limiter.blocked("someone@example.org", "192.0.2.2")
    time.sleep(1.1)
    assert not limiter.blocked("someone@example.org", "192.0.2.2")


def test_the_login_limit_is_shared_through_redis_when_it_answers() -> None:
    from tests.conftest import REDIS_URL, redis_available

    if not redis_available():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    secret = f"test-{time.time()}".encode()
    first = auth.LoginLimiter(secret=secret, per_account=2, redis_url=REDIS_URL)
    second = auth.LoginLimiter(secret=secret, per_account=2, redis_url=REDIS_URL)
    email, address = "redis.test@example.org", "192.0.2.10"
    try:
        first.failed(email, address)
        second.failed(email, address)
        assert first.blocked(email, address) and second.blocked(email, address)
        second.succeeded(email)
        assert not first.blocked(email, address)
    finally:
        first.close()
        second.close()


def test_the_command_adds_an_advocate_reading_the_password_from_stdin(
    settings: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from service import cli
    from service.db import make_engine

    monkeypatch.setenv("DATABASE_URL", settings.resolved_database_url())
    monkeypatch.setenv("RIGHTSLINE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    argv = ["advocate", "add", "New.Advocate@example.org", "--name", "Test New", "--admin"]
    assert cli.main([*argv, "--password-stdin"]) == 0
    assert "Added admin new.advocate@example.org" in capsys.readouterr().out
    database = make_engine(settings.resolved_database_url())
    with Session(database) as session:
        added = session.exec(select(Advocate)).one()
    database.dispose()
    assert (added.email, added.name, added.is_admin) == (
        "new.advocate@example.org",
        "Test New",
        True,
    )
    assert auth.verify_password(PASSWORD, added.password_hash)
    # The same email again, or no password on stdin, is refused.
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main([*argv, "--password-stdin"]) == 1
    assert cli.main(argv) == 2
