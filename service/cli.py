"""The `rightsline` command's service side: serve, chat, purge, content check, advocates.

The command itself is `rightsline.cli`, which names the app that serves every channel and adds
`rightsline bot`; run on its own (`python -m service`), this serves the web chat alone.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import gc
import getpass
import logging
import os
import secrets
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from service.settings import Settings

if TYPE_CHECKING:
    from sqlmodel import Session

# How `serve` runs uvicorn. Its access log is off: it prints each chat's session token, which
# is in the path; the app writes its own line without it (service/edge.py). Its proxy headers
# are off: it believes X-Forwarded-For from 127.0.0.1 by default, so anyone connecting there
# could choose their address; the app reads them from RIGHTSLINE_TRUSTED_PROXIES only.
UVICORN_OPTIONS: dict[str, Any] = {
    "access_log": False,
    "proxy_headers": False,
    "server_header": False,
    # The dashboard's live queue holds a stream open for minutes; a restart does not wait for it
    # (the page reconnects by itself).
    "timeout_graceful_shutdown": 5,
}
DESCRIPTION = "The `rightsline` command: serve Rightsline, talk to it, and look after its data."
# The app `serve` runs when nothing else is named: the service with the web chat only.
SERVICE_APP = "service.app:create_app"
# What each worker of `serve` runs (served_app), and where it finds the factory it was named.
SERVED = "service.cli:served_app"
SERVED_APP = "RIGHTSLINE_SERVED_APP"

Command = Callable[[argparse.Namespace], int]


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from service.settings import resolve_secret_key

    # Made once here, not by each worker at once (outside production it may be generated).
    resolve_secret_key(Settings())
    # Each worker process builds its own app from the environment's settings, so uvicorn is
    # given the factory by name; they share the database, and Redis when it is configured.
    # Uvicorn's own logging, plus a root handler: worker processes start with none, and the
    # app's access lines and errors must reach the log from every worker.
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["root"] = {"handlers": ["default"], "level": "INFO"}
    os.environ[SERVED_APP] = args.app  # the workers inherit the environment
    uvicorn.run(
        SERVED,
        factory=True,
        workers=args.workers,
        host=args.host,
        port=args.port,
        log_level="info",
        log_config=log_config,
        **UVICORN_OPTIONS,
    )
    return 0


def served_app() -> Any:
    """The app a worker of `serve` runs: the one the command names, built, and then everything
    it loaded set aside from Python's garbage collector (gc.freeze).

    The model, the content and the app are about 270,000 objects that live as long as the
    process. A full collection looked through all of them, about 130 ms with every thread
    stopped, every few seconds under load: most of the slowest answers (bench/README.md).
    """
    from uvicorn.importer import import_from_string

    app = import_from_string(os.environ.get(SERVED_APP, SERVICE_APP))()
    gc.freeze()
    return app


async def _chat_loop() -> int:
    from service.replies import Inbound, Reply
    from service.runtime import build_runtime

    runtime = build_runtime(Settings())
    key = runtime.keys.pseudonym("console", secrets.token_hex(16))
    conversation = runtime.conversation
    buttons: list = []

    def show(replies: list[Reply]) -> None:
        nonlocal buttons
        buttons = []
        for reply in replies:
            print(f"> {reply.text}")
            for button in reply.buttons:
                buttons.append(button)
                print(f"  {len(buttons)}. {button.label}")
        sys.stdout.flush()

    show(await conversation.start(key, "console"))
    for line in sys.stdin:
        # An advocate's reply that came in meanwhile is shown first; an empty line only looks.
        waiting = await conversation.pending(key)
        if waiting:
            print()
            show(waiting)
        text = line.strip()
        if not text:
            continue
        if text.isdigit() and 1 <= int(text) <= len(buttons):
            inbound = Inbound(payload=buttons[int(text) - 1].payload)
        else:
            inbound = Inbound(text=text)
        print()
        show(await conversation.handle(key, "console", inbound))
    return 0


def _chat(_args: argparse.Namespace) -> int:
    # The terminal shows the conversation; only warnings and errors join it.
    logging.getLogger().setLevel(logging.WARNING)
    return asyncio.run(_chat_loop())


def _purge(_args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from service import storage
    from service.db import make_engine, migrate, scrub, vacuum

    settings = Settings()
    database = make_engine(settings.resolved_database_url())
    try:
        migrate(database)
        with Session(database) as session:
            counts = storage.purge(session=session, retention_days=settings.retention_days)
            session.commit()
        # The deleted words leave the disk too, not only the tables.
        scrub(database)
        vacuum(database)
    finally:
        database.dispose()
    print(", ".join(f"{name.replace('_', ' ')}: {count} removed" for name, count in counts.items()))
    return 0


def _content_check(args: argparse.Namespace) -> int:
    from content import check

    return check.main(args.rest)


@contextmanager
def _accounts_session() -> Iterator[Session]:
    """A database session for the `advocate` commands, on the migrated database."""
    from sqlmodel import Session

    from service.db import make_engine, migrate

    database = make_engine(Settings().resolved_database_url())
    try:
        migrate(database)
        with Session(database) as session:
            yield session
    finally:
        database.dispose()


def _read_password(args: argparse.Namespace) -> str | None:
    """The password from stdin (never from the command line, where `ps` and shell history
    would show it), if it keeps the rules; None after saying why not."""
    from service import accounts

    if not args.password_stdin:
        print("Give the password on standard input, with --password-stdin.", file=sys.stderr)
        return None
    if sys.stdin.isatty():
        password = getpass.getpass("Password (not shown): ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    problem = accounts.password_problem(password)
    if problem is not None:
        print(f"{problem} Nothing was changed.", file=sys.stderr)
        return None
    return password


def _no_such_account(email: str) -> int:
    print(
        f"No account has the email {email}. `rightsline advocate list` shows every account.",
        file=sys.stderr,
    )
    return 1


def _advocate_add(args: argparse.Namespace) -> int:
    from service import accounts

    password = _read_password(args)
    if password is None:
        return 2
    try:
        with _accounts_session() as session:
            accounts.create_account(
                session=session,
                email=args.email,
                password=password,
                name=args.name,
                is_admin=args.admin,
                by=None,
                via="cli",
            )
    except accounts.AccountExists:
        print(f"An advocate with the email {args.email} already exists.", file=sys.stderr)
        return 1
    print(f"Added {'admin' if args.admin else 'advocate'} {args.email.strip().lower()}.")
    return 0


def _advocate_list(_args: argparse.Namespace) -> int:
    from service import accounts

    with _accounts_session() as session:
        rows = accounts.view_accounts(session=session, by=None, via="cli")
    if not rows:
        print("No accounts yet. Add one with `rightsline advocate add EMAIL --password-stdin`.")
        return 0
    table = [("EMAIL", "NAME", "ROLE", "STATUS", "LAST SIGN-IN (UTC)")] + [
        (
            row.email,
            row.name or "-",
            row.role,
            "active" if row.active else "disabled",
            row.last_sign_in.strftime("%Y-%m-%d %H:%M") if row.last_sign_in else "never",
        )
        for row in rows
    ]
    widths = [max(len(line[column]) for line in table) for column in range(5)]
    for line in table:
        cells = (cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        print("  ".join(cells).rstrip())
    return 0


def _advocate_disable(args: argparse.Namespace) -> int:
    from service import accounts

    with _accounts_session() as session:
        account = accounts.find_advocate(session=session, email=args.email)
        if account is None:
            return _no_such_account(args.email)
        changed = accounts.disable(session=session, account=account, by=None, via="cli")
        email = account.email
    if not changed:
        print(f"{email} is already disabled.")
        return 0
    print(f"Disabled {email}: signed out everywhere, and cannot sign in until enabled again.")
    return 0


def _advocate_enable(args: argparse.Namespace) -> int:
    from service import accounts

    with _accounts_session() as session:
        account = accounts.find_advocate(session=session, email=args.email)
        if account is None:
            return _no_such_account(args.email)
        changed = accounts.enable(session=session, account=account, by=None, via="cli")
        email = account.email
    if not changed:
        print(f"{email} is already enabled.")
        return 0
    print(f"Enabled {email}: it can sign in again (earlier sign-ins stay ended).")
    return 0


def _advocate_reset_password(args: argparse.Namespace) -> int:
    from service import accounts

    password = _read_password(args)
    if password is None:
        return 2
    with _accounts_session() as session:
        account = accounts.find_advocate(session=session, email=args.email)
        if account is None:
            return _no_such_account(args.email)
        accounts.reset_password(
            session=session, account=account, password=password, by=None, via="cli"
        )
        email = account.email
    print(f"New password set for {email}: signed out everywhere, to sign in with the new one.")
    return 0


def build_parser(*, app: str = SERVICE_APP, bot: Command | None = None) -> argparse.ArgumentParser:
    """`app`: the factory `serve` gives uvicorn, by name. `bot`: `rightsline bot`, when given."""
    parser = argparse.ArgumentParser(prog="rightsline", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the web service (and the Telegram bot)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers", type=int, default=1, help="how many service processes answer (default 1)"
    )
    serve.set_defaults(run=_serve, app=app)

    chat = commands.add_parser("chat", help="talk to Rightsline in this terminal")
    chat.set_defaults(run=_chat)

    if bot is not None:
        telegram = commands.add_parser("bot", help="run the Telegram bot on its own (long polling)")
        telegram.set_defaults(run=bot)

    purge = commands.add_parser("purge", help="apply the retention rules now")
    purge.set_defaults(run=_purge)

    advocate = commands.add_parser("advocate", help="manage advocate accounts")
    advocate_commands = advocate.add_subparsers(dest="advocate_command", required=True)
    add = advocate_commands.add_parser("add", help="add an advocate (or admin) account")
    add.add_argument("email")
    add.add_argument("--name", default="")
    add.add_argument("--admin", action="store_true", help="may read the audit log")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(run=_advocate_add)
    listing = advocate_commands.add_parser(
        "list", help="every account: email, name, role, active or disabled, last sign-in"
    )
    listing.set_defaults(run=_advocate_list)
    disable = advocate_commands.add_parser(
        "disable",
        aliases=["deactivate"],
        help="switch an account off and sign it out everywhere at once",
    )
    disable.add_argument("email")
    disable.set_defaults(run=_advocate_disable)
    enable = advocate_commands.add_parser(
        "enable", help="switch an account back on (it signs in afresh)"
    )
    enable.add_argument("email")
    enable.set_defaults(run=_advocate_enable)
    reset = advocate_commands.add_parser(
        "reset-password", help="set a new password and sign the account out everywhere"
    )
    reset.add_argument("email")
    reset.add_argument(
        "--password-stdin", action="store_true", help="read the new password from stdin"
    )
    reset.set_defaults(run=_advocate_reset_password)

    content = commands.add_parser("content", help="work with the content files")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    check = content_commands.add_parser("check", help="validate every content file")
    check.add_argument("rest", nargs=argparse.REMAINDER)
    check.set_defaults(run=_content_check)
    return parser


def main(argv: list[str] | None = None, *, parser: argparse.ArgumentParser | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # start-up noise
    args = (parser or build_parser()).parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
