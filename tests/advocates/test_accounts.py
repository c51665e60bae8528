"""Looking after accounts: `rightsline advocate list/disable/enable/reset-password` and the
admins' Accounts page. Disabling or a new password signs the account out everywhere at once,
and every change is audited, never with the password."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import Session

from service import accounts, auth
from service.models import Advocate
from tests.advocates.conftest import ADMIN, ADVOCATE, OTHER
from tests.advocates.helpers import (
    PASSWORD,
    advocate_talking_with,
    bearer,
    child_says,
    only_referral,
)
from tests.advocates.test_dashboard import csrf_of, sign_in
from tests.service.helpers import database_dump, referrals

NEW_PASSWORD = "a brand new passphrase 2"
FORGOTTEN = "; failed sign-ins forgotten"
ROOT = Path(__file__).resolve().parents[2]


# ---- helpers -----------------------------------------------------------------------------


class Command:
    """`rightsline` run through its real entry point, main(argv), on the test's database."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
        self.capsys = capsys
        self.monkeypatch = monkeypatch

    def __call__(self, *argv: str, stdin: str = "") -> tuple[int, str, str]:
        from rightsline import cli

        self.capsys.readouterr()
        self.monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = cli.main(["advocate", *argv])
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture
def command(
    settings: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Command:
    monkeypatch.setenv("DATABASE_URL", settings.resolved_database_url())
    monkeypatch.setenv("RIGHTSLINE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("RIGHTSLINE_SECRET_KEY", settings.secret_key.get_secret_value())
    return Command(capsys, monkeypatch)


@pytest.fixture
async def other_browser(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A second browser on the same app, with cookies of its own."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://rightsline.test") as http:
        yield http


async def signed_in_both_ways(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    """`client` holds a dashboard cookie for `email`; returns an API token's headers too."""
    headers = await bearer(client, email)
    assert (await sign_in(client, email)).status_code == 303
    assert (await client.get("/dashboard")).status_code == 200
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 200
    return headers


async def assert_signed_out(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    """Both the cookie the client kept and the token are refused."""
    page = await client.get("/dashboard")
    assert page.status_code == 303 and page.headers["location"] == "/dashboard/login"
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 401
    assert (await client.get("/api/referrals", headers=headers)).status_code == 401


async def token_status(client: httpx.AsyncClient, email: str, password: str) -> int:
    form = {"username": email, "password": password}
    return (await client.post("/api/auth/token", data=form)).status_code


def stored(runtime: Any, advocate_id: int) -> Advocate:
    with Session(runtime.database) as session:
        advocate = session.get(Advocate, advocate_id)
        assert advocate is not None
        return advocate


def audit_rows(runtime: Any) -> list[tuple[int | None, str, str]]:
    with runtime.database.connect() as connection:
        rows = connection.execute(
            text("SELECT advocate_id, action, detail FROM audit_entry ORDER BY id")
        )
        return [(row[0], row[1], row[2]) for row in rows if row[1].startswith("account_")]


# ---- the command line ----------------------------------------------------------------------


async def test_list_shows_every_account_and_no_secret(
    client: httpx.AsyncClient, runtime: Any, command: Command, advocates: dict[str, int]
) -> None:
    await bearer(client, ADVOCATE)
    assert command("disable", OTHER)[0] == 0
    code, out, err = command("list")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["EMAIL", "NAME", "ROLE", "STATUS", "LAST", "SIGN-IN", "(UTC)"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert list(rows) == sorted([ADVOCATE, OTHER, ADMIN])
    assert "Test Admin" in rows[ADMIN] and " admin " in rows[ADMIN]
    assert " advocate " in rows[ADVOCATE] and " active " in rows[ADVOCATE]
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d$", rows[ADVOCATE])
    assert rows[ADMIN].endswith("never")
    assert " disabled " in rows[OTHER]
    hashes = [stored(runtime, number).password_hash for number in advocates.values()]
    assert "argon2" not in out and not any(value in out for value in hashes)


async def test_disabling_from_the_command_line_signs_out_everywhere_and_refuses_sign_in(
    client: httpx.AsyncClient, runtime: Any, command: Command, advocates: dict[str, int]
) -> None:
    other = await bearer(client, OTHER)
    headers = await signed_in_both_ways(client, ADVOCATE)
    code, out, err = command("disable", ADVOCATE.upper())
    assert code == 0, err
    assert f"Disabled {ADVOCATE}: signed out everywhere" in out
    await assert_signed_out(client, headers)
    assert (await client.get("/api/auth/me", headers=other)).status_code == 200
    assert not stored(runtime, advocates[ADVOCATE]).active

    # Signing in is refused with the very words an unknown email gets: no hint it exists.
    disabled = await client.post(
        "/api/auth/token", data={"username": ADVOCATE, "password": PASSWORD}
    )
    unknown = await client.post(
        "/api/auth/token", data={"username": "nobody@example.org", "password": PASSWORD}
    )
    assert disabled.status_code == unknown.status_code == 401
    assert disabled.json() == unknown.json() == {"detail": accounts.WRONG}
    page = await sign_in(client, ADVOCATE)
    assert page.status_code == 401 and accounts.WRONG in page.text
    assert "An admin can help." in page.text

    assert command("disable", ADVOCATE) == (0, f"{ADVOCATE} is already disabled.\n", "")
    code, out, err = command("enable", ADVOCATE)
    assert code == 0 and f"Enabled {ADVOCATE}" in out
    # Old sign-ins stay ended; a fresh one works.
    await assert_signed_out(client, headers)
    assert (await sign_in(client, ADVOCATE)).status_code == 303
    assert (await client.get("/dashboard")).status_code == 200
    assert await token_status(client, ADVOCATE, PASSWORD) == 200
    assert command("enable", ADVOCATE)[1] == f"{ADVOCATE} is already enabled.\n"


async def test_an_unknown_email_is_told_kindly_and_fails(
    command: Command, advocates: dict[str, int]
) -> None:
    for argv, stdin in (
        (["disable", "nobody@example.org"], ""),
        (["enable", "nobody@example.org"], ""),
        (["reset-password", "nobody@example.org", "--password-stdin"], NEW_PASSWORD + "\n"),
    ):
        code, out, err = command(*argv, stdin=stdin)
        assert code == 1 and out == ""
        assert "No account has the email nobody@example.org." in err
        assert "rightsline advocate list" in err


async def test_reset_password_reads_stdin_keeps_the_rules_and_signs_out_everywhere(
    client: httpx.AsyncClient, runtime: Any, command: Command, advocates: dict[str, int]
) -> None:
    headers = await signed_in_both_ways(client, ADVOCATE)
    before = stored(runtime, advocates[ADVOCATE]).password_hash

    # Too short, too long, or not on stdin: refused, and nothing changes.
    for stdin in ("short\n", "x" * 1001 + "\n", "\n"):
        code, out, err = command("reset-password", ADVOCATE, "--password-stdin", stdin=stdin)
        assert code == 2 and out == ""
        assert "The password must be at" in err and "Nothing was changed." in err
    code, _out, err = command("reset-password", ADVOCATE)
    assert code == 2 and "--password-stdin" in err
    # There is no way to give it on the command line.
    with pytest.raises(SystemExit):
        command("reset-password", ADVOCATE, "--password", NEW_PASSWORD)
    assert stored(runtime, advocates[ADVOCATE]).password_hash == before
    assert (await client.get("/dashboard")).status_code == 200
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 200

    stdin = NEW_PASSWORD + "\r\n"
    code, out, err = command("reset-password", ADVOCATE, "--password-stdin", stdin=stdin)
    assert code == 0, err
    assert f"New password set for {ADVOCATE}: signed out everywhere" in out
    assert NEW_PASSWORD not in out + err
    await assert_signed_out(client, headers)
    assert await token_status(client, ADVOCATE, PASSWORD) == 401
    assert await token_status(client, ADVOCATE, NEW_PASSWORD) == 200
    assert auth.verify_password(NEW_PASSWORD, stored(runtime, advocates[ADVOCATE]).password_hash)


def test_the_installed_command_resets_a_password_from_stdin(settings: Any, runtime: Any) -> None:
    """The real process: `python -m rightsline advocate ...`, as an operator types it."""
    env = {
        **os.environ,
        "DATABASE_URL": settings.resolved_database_url(),
        "RIGHTSLINE_DATA_DIR": str(settings.data_dir),
        "RIGHTSLINE_SECRET_KEY": settings.secret_key.get_secret_value(),
    }

    def run(*argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "rightsline", "advocate", *argv],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=120,
        )

    added = run("add", "cli.person@example.org", "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    short = run("reset-password", "cli.person@example.org", "--password-stdin", stdin="short\n")
    assert short.returncode == 2
    assert "The password must be at least 12 characters." in short.stderr
    reset = run(
        "reset-password", "cli.person@example.org", "--password-stdin", stdin=NEW_PASSWORD + "\n"
    )
    assert reset.returncode == 0, reset.stderr
    listed = run("list")
    assert listed.returncode == 0 and "cli.person@example.org" in listed.stdout
    with Session(runtime.database) as session:
        person = accounts.find_advocate(session=session, email="cli.person@example.org")
        assert person is not None
        assert auth.verify_password(NEW_PASSWORD, person.password_hash)
        assert person.token_version == 1


# ---- the Accounts page -------------------------------------------------------------------


async def test_the_accounts_page_is_for_admins_only(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    assert (await client.get("/dashboard/accounts")).status_code == 303
    await sign_in(client, ADVOCATE)
    queue = await client.get("/dashboard")
    assert 'href="/dashboard/accounts"' not in queue.text
    page = await client.get("/dashboard/accounts")
    assert page.status_code == 403 and "Only an admin can look after accounts." in page.text
    assert ADMIN not in page.text
    token = csrf_of(queue.text)
    before = stored(runtime, advocates[ADMIN])
    for action in ("disable", "enable", "password"):
        url = f"/dashboard/accounts/{advocates[ADMIN]}/{action}"
        refused = await client.post(url, data={"csrf_token": token})
        assert refused.status_code == 403, action
        assert "new-password" not in refused.text
    after = stored(runtime, advocates[ADMIN])
    assert (after.active, after.password_hash, after.token_version) == (
        True,
        before.password_hash,
        before.token_version,
    )
    assert audit_rows(runtime) == []


async def test_an_admin_disables_and_enables_an_account_from_the_dashboard(
    client: httpx.AsyncClient,
    other_browser: httpx.AsyncClient,
    runtime: Any,
    advocates: dict[str, int],
) -> None:
    headers = await signed_in_both_ways(other_browser, ADVOCATE)
    await sign_in(client, ADMIN)
    queue = await client.get("/dashboard")
    assert 'href="/dashboard/accounts"' in queue.text
    page = await client.get("/dashboard/accounts")
    assert page.status_code == 200
    assert all(email in page.text for email in advocates)
    assert "Test Advocate One" in page.text and "never" in page.text
    token = csrf_of(page.text)
    url = f"/dashboard/accounts/{advocates[ADVOCATE]}"

    # Forms need the CSRF token, like every other.
    assert (await client.post(f"{url}/disable", data={})).status_code == 403
    assert (await client.post(f"{url}/disable", data={"csrf_token": "forged"})).status_code == 403
    assert stored(runtime, advocates[ADVOCATE]).active

    done = await client.post(f"{url}/disable", data={"csrf_token": token})
    assert done.status_code == 303 and done.headers["location"] == "/dashboard/accounts"
    await assert_signed_out(other_browser, headers)
    assert (await sign_in(other_browser, ADVOCATE)).status_code == 401
    row = re.search(
        rf'data-id="{advocates[ADVOCATE]}">(.*?)</tr>',
        (await client.get("/dashboard/accounts")).text,
        re.S,
    )
    assert row is not None and "disabled" in row.group(1) and ">Enable<" in row.group(1)

    assert (await client.post(f"{url}/enable", data={"csrf_token": token})).status_code == 303
    await assert_signed_out(other_browser, headers)  # the old sign-ins stay ended
    assert (await sign_in(other_browser, ADVOCATE)).status_code == 303
    assert (await other_browser.get("/dashboard")).status_code == 200


async def test_an_admin_cannot_disable_themselves_nor_an_account_that_is_not_there(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    await sign_in(client, ADMIN)
    token = csrf_of((await client.get("/dashboard/accounts")).text)
    own = await client.post(
        f"/dashboard/accounts/{advocates[ADMIN]}/disable", data={"csrf_token": token}
    )
    assert own.status_code == 409 and "cannot switch off your own account" in own.text
    assert stored(runtime, advocates[ADMIN]).active
    assert (await client.get("/dashboard/accounts")).status_code == 200  # still signed in
    for action in ("disable", "enable", "password"):
        missing = await client.post(f"/dashboard/accounts/999/{action}", data={"csrf_token": token})
        assert missing.status_code == 404 and "There is no such account." in missing.text
        bad = await client.post(f"/dashboard/accounts/0/{action}", data={"csrf_token": token})
        assert bad.status_code == 422
    assert audit_rows(runtime) == []


async def test_an_admin_resets_a_password_shown_once_and_the_account_is_signed_out(
    client: httpx.AsyncClient,
    other_browser: httpx.AsyncClient,
    runtime: Any,
    advocates: dict[str, int],
) -> None:
    headers = await signed_in_both_ways(other_browser, ADVOCATE)
    await sign_in(client, ADMIN)
    token = csrf_of((await client.get("/dashboard/accounts")).text)
    shown = await client.post(
        f"/dashboard/accounts/{advocates[ADVOCATE]}/password", data={"csrf_token": token}
    )
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    found = re.search(r"<code>([a-z0-9-]+)</code>", shown.text)
    assert found is not None and f"The new password for {ADVOCATE} is:" in shown.text
    password = found.group(1)
    assert len(password) >= accounts.MIN_PASSWORD

    await assert_signed_out(other_browser, headers)
    assert await token_status(other_browser, ADVOCATE, PASSWORD) == 401
    assert await token_status(other_browser, ADVOCATE, password) == 200
    # Shown once: not on the page again, and not kept anywhere but as a hash.
    assert password not in (await client.get("/dashboard/accounts")).text
    assert password not in database_dump(runtime.database)
    # The admin who did it is still signed in.
    assert (await client.get("/dashboard")).status_code == 200
    assert "sign in with it now" in shown.text

    # A disabled account's new password does not switch it back on.
    url = f"/dashboard/accounts/{advocates[OTHER]}"
    assert (await client.post(f"{url}/disable", data={"csrf_token": token})).status_code == 303
    shown = await client.post(f"{url}/password", data={"csrf_token": token})
    assert "The account stays disabled until you enable it." in shown.text
    found = re.search(r"<code>([a-z0-9-]+)</code>", shown.text)
    assert found is not None
    assert await token_status(other_browser, OTHER, found.group(1)) == 401


async def test_every_change_is_audited_by_whom_and_never_with_the_password(
    client: httpx.AsyncClient, runtime: Any, command: Command, advocates: dict[str, int]
) -> None:
    stdin = NEW_PASSWORD + "\n"
    assert (
        command("add", "new.person@example.org", "--password-stdin", stdin=PASSWORD + "\n")[0] == 0
    )
    assert command("reset-password", OTHER, "--password-stdin", stdin=stdin)[0] == 0
    assert command("disable", OTHER)[0] == 0
    assert command("enable", OTHER)[0] == 0
    await sign_in(client, ADMIN)
    token = csrf_of((await client.get("/dashboard/accounts")).text)
    url = f"/dashboard/accounts/{advocates[ADVOCATE]}"
    await client.post(f"{url}/disable", data={"csrf_token": token})
    await client.post(f"{url}/enable", data={"csrf_token": token})
    shown = await client.post(f"{url}/password", data={"csrf_token": token})
    found = re.search(r"<code>([a-z0-9-]+)</code>", shown.text)
    assert found is not None

    new_id = max(advocates.values()) + 1
    admin, other, mine = advocates[ADMIN], advocates[OTHER], advocates[ADVOCATE]
    assert audit_rows(runtime) == [
        (None, "account_add", f"cli: account #{new_id} new.person@example.org"),
        (None, "account_password", f"cli: account #{other} {OTHER}{FORGOTTEN}"),
        (None, "account_disable", f"cli: account #{other} {OTHER}"),
        (None, "account_enable", f"cli: account #{other} {OTHER}"),
        (admin, "account_disable", f"dashboard: account #{mine} {ADVOCATE}"),
        (admin, "account_enable", f"dashboard: account #{mine} {ADVOCATE}"),
        (admin, "account_password", f"dashboard: account #{mine} {ADVOCATE}{FORGOTTEN}"),
    ]
    everything = database_dump(runtime.database)
    for password in (PASSWORD, NEW_PASSWORD, found.group(1)):
        assert password not in everything

    log = await client.get("/dashboard/audit")
    assert log.status_code == 200
    assert "the command line" in log.text and "account_password" in log.text
    assert f"dashboard: account #{mine} {ADVOCATE}" in log.text
    api = (await client.get("/api/audit", headers=await bearer(client, ADMIN))).json()
    assert {entry["action"] for entry in api} >= {"account_disable", "account_password"}


async def test_a_new_password_from_an_admin_lifts_the_hold_on_a_locked_out_account(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    """Even where the locked-out person reaches another service process, whose count of
    failures (in its memory, without Redis) the admin's process cannot touch."""
    from service.app import create_app

    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://rightsline.test") as other:
        await locked_out(other, ADVOCATE)
        await sign_in(client, ADMIN)
        token = csrf_of((await client.get("/dashboard/accounts")).text)
        shown = await client.post(
            f"/dashboard/accounts/{advocates[ADVOCATE]}/password", data={"csrf_token": token}
        )
        found = re.search(r"<code>([a-z0-9-]+)</code>", shown.text)
        assert found is not None
        assert await token_status(other, ADVOCATE, found.group(1)) == 200
    detail = f"dashboard: account #{advocates[ADVOCATE]} {ADVOCATE}{FORGOTTEN}"
    assert audit_rows(runtime)[-1] == (advocates[ADMIN], "account_password", detail)


async def locked_out(client: httpx.AsyncClient, email: str) -> None:
    """Five wrong passwords: now even the right one waits."""
    for _ in range(5):
        assert await token_status(client, email, "a wrong guess") == 401
    assert await token_status(client, email, PASSWORD) == 429


@pytest.mark.parametrize("shared", ["memory", "redis"])
async def test_a_new_password_from_the_command_line_lifts_the_hold_too(
    app: Any,
    client: httpx.AsyncClient,
    runtime: Any,
    command: Command,
    advocates: dict[str, int],
    shared: str,
) -> None:
    """The command runs in another process: it can reach neither the server's memory nor (it
    need not) Redis, yet the account may sign in with its new password at once."""
    if shared == "redis":
        from tests.conftest import REDIS_URL, redis_available

        if not redis_available():
            pytest.skip("Redis is not reachable on 127.0.0.1:6379")
        # A key of its own, so no count from an earlier run is found in Redis.
        app.state.login_limiter = auth.LoginLimiter(secret=os.urandom(32), redis_url=REDIS_URL)
    await locked_out(client, ADVOCATE)
    await locked_out(client, OTHER)
    stdin = NEW_PASSWORD + "\n"
    assert command("reset-password", ADVOCATE, "--password-stdin", stdin=stdin)[0] == 0
    assert await token_status(client, ADVOCATE, NEW_PASSWORD) == 200
    # Only that account: another held one still waits, and a wrong guess still counts.
    assert await token_status(client, OTHER, PASSWORD) == 429
    assert await token_status(client, ADVOCATE, "a wrong guess") == 401
    app.state.login_limiter.close()
    detail = f"cli: account #{advocates[ADVOCATE]} {ADVOCATE}{FORGOTTEN}"
    assert audit_rows(runtime)[-1] == (None, "account_password", detail)


async def test_disabling_or_a_new_password_is_asked_about_first_and_can_be_called_off(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    await sign_in(client, ADMIN)
    listed = (await client.get("/dashboard/accounts")).text
    url = f"/dashboard/accounts/{advocates[ADVOCATE]}"
    # No form on the list disables an account or resets a password: each is a question first.
    assert f'action="{url}/disable"' not in listed and f'action="{url}/password"' not in listed
    assert f'href="{url}/disable"' in listed and f'href="{url}/password"' in listed
    # Not for their own account: nothing to disable, and asking is refused with the reason.
    assert f'href="/dashboard/accounts/{advocates[ADMIN]}/disable"' not in listed
    own = await client.get(f"/dashboard/accounts/{advocates[ADMIN]}/disable")
    assert own.status_code == 409 and "cannot switch off your own account" in own.text

    asked = await client.get(f"{url}/disable")
    assert asked.status_code == 200
    assert "<h1>Disable advocate Test Advocate One?</h1>" in asked.text and ADVOCATE in asked.text
    assert f'<form method="post" action="{url}/disable">' in asked.text
    assert '<a href="/dashboard/accounts">No, go back to the accounts</a>' in asked.text
    asked_password = await client.get(f"{url}/password")
    assert "Reset the password of advocate Test Advocate One?" in asked_password.text
    assert f'<form method="post" action="{url}/password">' in asked_password.text
    # Asking changed nothing, and nothing went in the log as a change.
    assert stored(runtime, advocates[ADVOCATE]).active
    assert await token_status(client, ADVOCATE, PASSWORD) == 200
    assert audit_rows(runtime) == []

    done = await client.post(f"{url}/disable", data={"csrf_token": csrf_of(asked.text)})
    assert done.status_code == 303 and done.headers["location"] == "/dashboard/accounts"
    assert not stored(runtime, advocates[ADVOCATE]).active
    # Off already: nothing to ask, back to the list.
    again = await client.get(f"{url}/disable")
    assert again.status_code == 303 and again.headers["location"] == "/dashboard/accounts"

    for path, code in (
        ("/dashboard/accounts/999/disable", 404),
        ("/dashboard/accounts/0/password", 422),
    ):
        assert (await client.get(path)).status_code == code
    await sign_in(client, OTHER)
    refused = await client.get(f"/dashboard/accounts/{advocates[ADMIN]}/password")
    assert refused.status_code == 403 and ADMIN not in refused.text


async def test_looking_at_the_accounts_is_audited_by_whom_and_where(
    client: httpx.AsyncClient, runtime: Any, command: Command, advocates: dict[str, int]
) -> None:
    await sign_in(client, ADVOCATE)
    assert (await client.get("/dashboard/accounts")).status_code == 403  # not a look: refused
    await sign_in(client, ADMIN)
    assert (await client.get("/dashboard/accounts")).status_code == 200
    assert command("list")[0] == 0
    with runtime.database.connect() as connection:
        rows = connection.execute(
            text("SELECT advocate_id, detail FROM audit_entry WHERE action = 'view_accounts'")
        ).all()
    assert [tuple(row) for row in rows] == [
        (advocates[ADMIN], "dashboard: the list"),
        (None, "cli: the list"),
    ]
    log = (await client.get("/dashboard/audit")).text
    assert log.count("view_accounts") == 2 and "the command line" in log


async def test_reading_the_audit_log_is_itself_audited_by_whom_and_where(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    await sign_in(client, ADVOCATE)
    assert (await client.get("/dashboard/audit")).status_code == 403  # refused: not a read
    await sign_in(client, ADMIN)
    assert (await client.get("/dashboard/audit?page=1")).status_code == 200
    api = await client.get("/api/audit?limit=5", headers=await bearer(client, ADMIN))
    assert api.status_code == 200
    with runtime.database.connect() as connection:
        rows = connection.execute(
            text("SELECT advocate_id, detail FROM audit_entry WHERE action = 'view_audit'")
        ).all()
    assert [tuple(row) for row in rows] == [
        (advocates[ADMIN], "dashboard: page 2"),
        (advocates[ADMIN], "api: 5 entries from 0"),
    ]
    # The newest entry an admin reads is their own reading of the log.
    assert api.json()[0]["action"] == "view_audit"


async def test_disabling_an_account_gives_its_referrals_back_to_the_queue(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    """A child's case is never left with someone who can no longer sign in: an urgent one
    held by a switched-off account is back in the queue for anyone, and counts as urgent."""
    session_id, url, headers = await advocate_talking_with(
        client, ADVOCATE, "they kept me in my room", "Hi."
    )
    await child_says(client, session_id, "a member of staff punched me last night")
    assert (await only_referral(client, headers))["urgency"] == "urgent"
    await sign_in(client, ADMIN)
    page = await client.get(f"/dashboard/accounts/{advocates[ADVOCATE]}/disable")
    assert "goes back to the queue" in page.text
    token = csrf_of(page.text)
    await client.post(
        f"/dashboard/accounts/{advocates[ADVOCATE]}/disable", data={"csrf_token": token}
    )
    [referral] = referrals(runtime.database)
    assert (referral.status, referral.claimed_by, referral.urgency) == ("new", None, "urgent")
    version = (await client.get("/dashboard/queue/version")).json()
    assert version["urgent"] == 1
    timeline = (await client.get(url.replace("/api/", "/dashboard/"))).text
    assert "Given back to the queue" in timeline


async def test_an_admin_adds_an_account_from_the_dashboard_with_a_password_shown_once(
    client: httpx.AsyncClient,
    other_browser: httpx.AsyncClient,
    runtime: Any,
    advocates: dict[str, int],
) -> None:
    await sign_in(client, ADMIN)
    page = await client.get("/dashboard/accounts")
    assert 'action="/dashboard/accounts/new"' in page.text
    token = csrf_of(page.text)
    form = {"csrf_token": token, "email": " New.Starter@Example.org ", "name": "Nova Testperson"}
    shown = await client.post("/dashboard/accounts/new", data=form)
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    assert "The account for new.starter@example.org is ready." in shown.text
    found = re.search(r"<code>([a-z0-9-]+)</code>", shown.text)
    assert found is not None
    password = found.group(1)
    # The new advocate signs in with it, as an advocate, not an admin.
    assert await token_status(other_browser, "new.starter@example.org", password) == 200
    assert (await sign_in(other_browser, "new.starter@example.org", password)).status_code == 303
    assert (await other_browser.get("/dashboard/accounts")).status_code == 403
    assert password not in database_dump(runtime.database)
    assert password not in (await client.get("/dashboard/accounts")).text
    new_id = max(advocates.values()) + 1
    assert audit_rows(runtime)[-1] == (
        advocates[ADMIN],
        "account_add",
        f"dashboard: account #{new_id} new.starter@example.org",
    )

    # The same email again, or no email at all: told why, and nothing added.
    again = await client.post("/dashboard/accounts/new", data=form)
    assert again.status_code == 409
    assert "There is already an account for" in again.text and "<code>" not in again.text
    blank = await client.post("/dashboard/accounts/new", data={**form, "email": "nova"})
    assert blank.status_code == 422 and "email address" in blank.text
    assert len([row for row in audit_rows(runtime) if row[1] == "account_add"]) == 1


async def test_only_an_admin_can_add_an_account(
    client: httpx.AsyncClient, runtime: Any, advocates: dict[str, int]
) -> None:
    await sign_in(client, ADVOCATE)
    token = csrf_of((await client.get("/dashboard")).text)
    form = {"csrf_token": token, "email": "sneaky@example.org", "role": "admin"}
    refused = await client.post("/dashboard/accounts/new", data=form)
    assert refused.status_code == 403
    assert audit_rows(runtime) == []
