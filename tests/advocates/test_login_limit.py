"""The login limit holds per account and per address, and forwarded headers cannot dodge it."""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from service import auth
from service.models import AuditEntry
from tests.advocates.conftest import ADMIN, ADVOCATE
from tests.advocates.helpers import PASSWORD
from tests.service.helpers import database_dump


@asynccontextmanager
async def client_at(app: Any, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client connecting from `address`, as the server sees it."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://rightsline.test") as http:
        yield http


async def sign_in(http: httpx.AsyncClient, email: str, password: str, **headers: str) -> int:
    form = {"username": email, "password": password}
    return (await http.post("/api/auth/token", data=form, headers=headers)).status_code


async def test_one_password_tried_on_many_emails_is_stopped(
    app: Any, advocates: dict[str, int]
) -> None:
    async with client_at(app, "198.51.100.20") as guesser:
        codes = [
            await sign_in(guesser, f"guess{number}@example.org", "Summer2026!")
            for number in range(30)
        ]
        assert codes[:20] == [401] * 20 and codes[20:] == [429] * 10
        # From that address even a right password waits now.
        assert await sign_in(guesser, ADVOCATE, PASSWORD) == 429
    async with client_at(app, "198.51.100.21") as elsewhere:
        assert await sign_in(elsewhere, ADVOCATE, PASSWORD) == 200


async def test_a_locked_account_stays_locked_from_any_address(
    app: Any, advocates: dict[str, int]
) -> None:
    for number in range(5):
        async with client_at(app, f"198.51.100.{number + 1}") as guesser:
            assert await sign_in(guesser, ADVOCATE, f"guess {number}") == 401
    async with client_at(app, "203.0.113.9") as anyone:
        assert await sign_in(anyone, ADVOCATE, PASSWORD) == 429
        assert await sign_in(anyone, ADMIN, PASSWORD) == 200


def small_limit(app: Any, runtime: Any) -> None:
    """Three failures per address, so these tests need few slow password checks."""
    app.state.login_limiter = auth.LoginLimiter(secret=runtime.keys.signing_key, per_address=3)


async def test_forwarded_for_from_an_untrusted_client_changes_nothing(
    app: Any, runtime: Any, client: httpx.AsyncClient, advocates: dict[str, int]
) -> None:
    small_limit(app, runtime)
    codes = [
        await sign_in(
            client, f"guess{number}@example.org", "guess", **{"X-Forwarded-For": f"10.9.0.{number}"}
        )
        for number in range(5)
    ]
    assert codes == [401, 401, 401, 429, 429]
    fresh = {"X-Forwarded-For": "10.9.9.9"}
    assert await sign_in(client, ADVOCATE, PASSWORD, **fresh) == 429


async def test_a_trusted_proxy_passes_on_each_clients_own_address(
    runtime: Any, advocates: dict[str, int]
) -> None:
    from service.app import create_app

    runtime.settings = runtime.settings.model_copy(update={"trusted_proxies": "192.0.2.0/24"})
    app = create_app(runtime=runtime)
    small_limit(app, runtime)
    async with client_at(app, "192.0.2.5") as proxy:
        for number in range(3):
            forwarded = {"X-Forwarded-For": "198.51.100.20, 192.0.2.6"}
            await sign_in(proxy, f"guess{number}@example.org", "guess", **forwarded)
        assert await sign_in(proxy, ADVOCATE, PASSWORD, **forwarded) == 429
        # Another child of the same proxy is someone else.
        other = {"X-Forwarded-For": "198.51.100.30"}
        assert await sign_in(proxy, ADVOCATE, PASSWORD, **other) == 200
    # From a machine that is not a trusted proxy the header is not believed, either way.
    async with client_at(app, "203.0.113.9") as stranger:
        assert await sign_in(stranger, ADVOCATE, PASSWORD, **forwarded) == 200


def test_a_mistyped_trusted_proxy_stops_the_start() -> None:
    from pydantic import ValidationError

    from service.settings import Settings

    with pytest.raises(ValidationError):
        Settings(trusted_proxies="10.0.0.300")
    assert Settings(trusted_proxies=" 10.1.2.3/8, ::1").trusted_proxy_list == ["10.0.0.0/8", "::1"]


def test_redis_keys_are_keyed_hashes_not_plain_hashes_of_the_email() -> None:
    from tests.conftest import REDIS_URL, redis_available

    if not redis_available():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    import redis

    email, address = f"redis.{time.time()}@example.org", "192.0.2.44"
    limiter = auth.LoginLimiter(secret=b"one secret key", per_account=2, redis_url=REDIS_URL)
    other_key = auth.LoginLimiter(secret=b"another key", per_account=2, redis_url=REDIS_URL)
    server = redis.Redis.from_url(REDIS_URL)
    before = set(server.keys("rightsline:login:*"))
    added: set[str] = set()
    try:
        limiter.failed(email, address)
        limiter.failed(email, address)
        added = {key.decode() for key in set(server.keys("rightsline:login:*")) - before}
        assert len(added) == 2
        # Nobody can test a guessed email against Redis without the secret key.
        plain = {
            hashlib.sha256(value.encode()).hexdigest()
            for value in (email, f"{email}|{address}", address)
        }
        assert not any(email in key or address in key for key in added)
        assert not any(key.rsplit(":", 1)[-1] in plain for key in added)
        assert limiter.blocked(email, address)
        assert not other_key.blocked(email, address)
    finally:
        if added:
            server.delete(*added)
        server.close()
        limiter.close()
        other_key.close()


async def test_wrong_passwords_are_in_the_audit_log_and_what_was_typed_is_not(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    """An admin can see someone trying passwords on an account, or on addresses that are no
    one's; neither the password nor an unknown address typed is kept."""
    assert await sign_in(client, ADVOCATE, "not the passphrase at all") == 401
    assert await sign_in(client, "zebedee.nobody@example.org", "guessing again") == 401
    with Session(runtime.database) as session:
        failed = session.exec(select(AuditEntry).where(AuditEntry.action == "login_failed")).all()
    assert [(entry.advocate_id, entry.detail) for entry in failed] == [
        (advocates[ADVOCATE], "api"),
        (None, "api unknown account"),
    ]
    dump = database_dump(runtime.database)
    assert "zebedee.nobody" not in dump and "guessing again" not in dump
