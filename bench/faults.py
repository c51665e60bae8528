"""Faults against the real server and database, under load: what the child was told, and
whether every urgent referral a child was promised is in the database afterwards.

Each fault starts `rightsline serve` (one worker unless --workers) on a fresh database, runs
web chats at once (each: start, two calm messages, one risk message, then a new chat), breaks
something, mends it, waits for the outbox to empty and counts the referrals by reading the
database. It prints; it asserts nothing. PostgreSQL is started again afterwards, whatever
happens.
    make bench-faults
    .venv/bin/python bench/faults.py --only a,c
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
import psycopg
from server import POSTGRES, Server, fresh_postgres
from sqlalchemy import create_engine, text

import content
from service.crypto import Keys

CHILDLINE = "0800 1111"
CALM = [
    ("how do i complain", "when can my mum visit"),
    ("can they keep me in my room all day", "what is an advocate"),
    ("how do i appeal a decision", "can my nan phone me"),
]
RISK = ["staff punched me last night", "i want to kill myself", "i cut my arms again"]
BEFORE, AFTER = 5.0, 8.0  # seconds of load before the fault, and after it is mended


def postgres(action: str) -> None:
    """pg_ctlcluster start or stop of this machine's one cluster."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        check=action == "start",
        capture_output=True,
    )


def postgres_answers() -> bool:
    try:
        with psycopg.connect(f"{POSTGRES}/postgres", connect_timeout=2):
            return True
    except psycopg.Error:
        return False


def ensure_postgres() -> None:
    """Others use this cluster too: it is always running again when a fault is over."""
    if not postgres_answers():
        postgres("start")


@dataclass
class Tally:
    """What the children were told, and which chats were promised an advocate."""

    statuses: Counter[str] = field(default_factory=Counter)
    risk_sent: int = 0
    risk_answered: int = 0
    risk_number_first: int = 0
    risk_told_staff: int = 0
    promised: set[str] = field(default_factory=set)  # chat keys, as the database has them
    not_promised: set[str] = field(default_factory=set)
    not_promised_words: Counter[str] = field(default_factory=Counter)  # their first reply
    calm_answered: int = 0
    calm_with_number: Counter[str] = field(default_factory=Counter)  # first reply's words
    refused: Counter[str] = field(default_factory=Counter)  # non-2xx: status and its words
    readyz: Counter[str] = field(default_factory=Counter)
    outbox_most: int = 0
    slowest: float = 0.0  # seconds: the longest a child waited for an answer
    slowest_risk: float = 0.0  # and for the answer to a risk message


class Child:
    """One web chat slot: start a chat, two calm messages, one risk message, and again."""

    def __init__(self, number: int, client: httpx.AsyncClient, keys: Keys, tally: Tally):
        self.number, self.client, self.keys, self.tally = number, client, keys, tally
        self.messages = content.load_library().messages

    async def post(self, path: str, body: dict) -> httpx.Response | None:
        began = time.monotonic()
        try:
            answer = await self.client.post(path, json=body)
            self.tally.slowest = max(self.tally.slowest, time.monotonic() - began)
        except httpx.HTTPError as error:
            self.tally.statuses[f"no answer ({type(error).__name__})"] += 1
            await asyncio.sleep(0.2)  # the page would wait before trying again
            return None
        self.tally.statuses[str(answer.status_code)] += 1
        if answer.status_code >= 300:
            detail = str(answer.json().get("detail", ""))[:90] if answer.content else ""
            self.tally.refused[f"{answer.status_code} {detail!r}"] += 1
        return answer

    async def run(self, stop: asyncio.Event) -> None:
        turn = 0
        while not stop.is_set():
            started = await self.post("/api/chat/sessions", {"role": "child"})
            if started is None or started.status_code != 201:
                continue
            session_id = started.json()["session_id"]
            path = f"/api/chat/sessions/{session_id}/messages"
            calm = CALM[(self.number + turn) % len(CALM)]
            for words in calm:
                answer = await self.post(path, {"text": words})
                if answer is not None and answer.status_code == 200:
                    self.calm(answer.json()["replies"])
            risk = RISK[(self.number + turn) % len(RISK)]
            self.tally.risk_sent += 1
            began = time.monotonic()
            answer = await self.post(path, {"text": risk})
            if answer is not None:
                waited = time.monotonic() - began
                self.tally.slowest_risk = max(self.tally.slowest_risk, waited)
            if answer is not None and answer.status_code == 200:
                self.risk(self.keys.pseudonym("web", session_id), answer.json()["replies"])
            turn += 1

    def calm(self, replies: list[dict]) -> None:
        self.tally.calm_answered += 1
        if any(CHILDLINE in reply["text"] for reply in replies):
            self.tally.calm_with_number[replies[0]["text"]] += 1

    def risk(self, key: str, replies: list[dict]) -> None:
        words = [reply["text"] for reply in replies]
        self.tally.risk_answered += 1
        self.tally.risk_number_first += CHILDLINE in words[0]
        self.tally.risk_told_staff += any("member of staff" in w for w in words)
        promised = self.messages["crisis_advocate"] in words
        if promised:
            self.tally.promised.add(key)
        else:
            self.tally.not_promised.add(key)
            self.tally.not_promised_words[words[0]] += 1


async def watch(url: str, tally: Tally, stop: asyncio.Event) -> None:
    """/readyz twice a second while the load runs: the database's state and the outbox."""
    async with httpx.AsyncClient(base_url=url, timeout=5) as client:
        while not stop.is_set():
            try:
                body = (await client.get("/readyz")).json()
                tally.readyz[f"database {body.get('database')}"] += 1
                tally.outbox_most = max(tally.outbox_most, int(body.get("outbox", 0)))
            except (httpx.HTTPError, ValueError):
                tally.readyz["no answer"] += 1
            await asyncio.sleep(0.5)


async def under_load(server: Server, fault: Callable[[], Awaitable[None]], chats: int) -> Tally:
    """Chats run from before the fault until after it is mended."""
    tally, stop = Tally(), asyncio.Event()
    keys = Keys(server.secret_key.encode())
    limits = httpx.Limits(max_connections=chats, max_keepalive_connections=chats)
    async with httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits) as client:
        tasks = [asyncio.create_task(Child(n, client, keys, tally).run(stop)) for n in range(chats)]
        tasks.append(asyncio.create_task(watch(server.url, tally, stop)))
        try:
            await fault()
        finally:
            stop.set()
            await asyncio.gather(*tasks)
    return tally


def settle(server: Server, timeout: float = 120) -> str:
    """Wait until the database is back and the outbox is empty; what /readyz last said."""
    deadline, last = time.monotonic() + timeout, "no answer"
    while time.monotonic() < deadline:
        try:
            answer = httpx.get(server.url + "/readyz", timeout=5)
            body = answer.json()
            last = f"{answer.status_code}, database {body['database']}, outbox {body['outbox']}"
            if answer.status_code == 200 and body["outbox"] == 0:
                return last
        except (httpx.HTTPError, ValueError, KeyError):
            pass
        time.sleep(1)
    return f"still {last} after {timeout:.0f} s"


def urgent_referrals(server: Server) -> set[str]:
    """The chat keys with an urgent referral, read from the database itself."""
    database = create_engine(server.database_url())
    try:
        with database.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT chat_session.key FROM referral JOIN chat_session"
                    " ON chat_session.id = referral.session_id WHERE referral.urgency = 'urgent'"
                )
            ).all()
    finally:
        database.dispose()
    return {row[0] for row in rows}


def log_summary(server: Server) -> list[str]:
    """The server's errors and warnings, counted by kind (numbers and times left out)."""
    kinds: Counter[str] = Counter()
    server_errors = 0
    for line in server.log_lines():
        # /readyz says 503 while the database is away: that is its job, not a failure.
        if re.match(r"INFO service\.access: \S+ (?!/readyz)\S+ 5\d\d ", line):
            server_errors += 1
        if line.startswith(("ERROR", "WARNING", "CRITICAL", "Traceback")):
            kinds[re.sub(r"\d+", "N", line)[:120]] += 1
    lines = [f"{n} x {kind}" for kind, n in kinds.most_common(8)]
    return [f"5xx in the access log, /readyz aside: {server_errors}", *lines]


def report(name: str, tally: Tally, settled: str, server: Server) -> list[str]:
    """Prints what happened; returns the summary row."""
    kept = urgent_referrals(server)
    lost = tally.promised - kept
    also = len(tally.not_promised & kept)
    fives = sum(n for status, n in tally.statuses.items() if status.startswith("5"))
    print(f"\n## {name}")
    print(
        "answers:",
        ", ".join(f"{n} x {s}" for s, n in sorted(tally.statuses.items())),
        f"; the slowest took {tally.slowest:.1f} s (a risk message: {tally.slowest_risk:.1f} s)",
    )
    print(
        f"risk messages: {tally.risk_sent} sent, {tally.risk_answered} answered;"
        f" {CHILDLINE} in the first reply: {tally.risk_number_first};"
        f" told to tell staff: {tally.risk_told_staff};"
        f" told an advocate will see it: {len(tally.promised)}"
    )
    print(
        f"calm messages: {tally.calm_answered} answered, of which"
        f" {sum(tally.calm_with_number.values())} carried {CHILDLINE}:"
    )
    for words, n in tally.calm_with_number.most_common(4):
        print(f"    {n} x {words[:100]!r}")
    for words, n in tally.not_promised_words.most_common(3):
        print(f"risk answered without the promise: {n} x {words[:100]!r}")
    for words, n in tally.refused.most_common(4):
        print(f"refused: {n} x {words}")
    print(
        "/readyz during the load:",
        ", ".join(f"{n} x {s}" for s, n in sorted(tally.readyz.items())),
        f"; outbox at most {tally.outbox_most}; afterwards: {settled}",
    )
    print(
        f"urgent referrals: {len(tally.promised) - len(lost)} of {len(tally.promised)} promised"
        f" are in the database, {len(lost)} lost; {also} of {len(tally.not_promised)} risk"
        f" answers without the promise have one too; {len(kept)} urgent in all"
    )
    for line in log_summary(server):
        print(f"log: {line}")
    answered = tally.risk_answered
    return [
        name,
        f"{tally.risk_number_first} / {answered}",
        f"{len(tally.promised) - len(lost)} / {len(tally.promised)}",
        str(len(tally.not_promised)),
        str(fives),
    ]


# ---- the faults ----------------------------------------------------------------------------


def kill_9(server: Server) -> Callable[[], Awaitable[None]]:
    async def fault() -> None:
        await asyncio.sleep(BEFORE)
        server.kill()
        await asyncio.sleep(2)
        server.start()
        await asyncio.to_thread(server.wait, "/healthz")
        await asyncio.sleep(AFTER)

    return fault


def postgres_stopped(down: float) -> Callable[[], Awaitable[None]]:
    async def fault() -> None:
        await asyncio.sleep(BEFORE)
        try:
            await asyncio.to_thread(postgres, "stop")
            await asyncio.sleep(down)
        finally:
            await asyncio.to_thread(postgres, "start")
        await asyncio.sleep(AFTER)

    return fault


# Another process's BEGIN EXCLUSIVE, held for a while: a backup tool or a stuck admin shell.
_LOCKER = """
import sqlite3, sys, time
holder = sqlite3.connect(sys.argv[1], timeout=60, isolation_level=None)
holder.execute("BEGIN EXCLUSIVE")
time.sleep(float(sys.argv[2]))
holder.execute("ROLLBACK")
"""


def sqlite_locked(server: Server, seconds: float) -> Callable[[], Awaitable[None]]:
    async def fault() -> None:
        await asyncio.sleep(BEFORE)
        await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-c", _LOCKER, str(server.sqlite_path), str(seconds)],
            check=True,
        )
        await asyncio.sleep(AFTER)

    return fault


def postgres_back_later(down: float) -> Callable[[], Awaitable[None]]:
    async def fault() -> None:
        try:
            await asyncio.sleep(down)
        finally:
            await asyncio.to_thread(postgres, "start")
        await asyncio.sleep(AFTER)

    return fault


# ---- running them --------------------------------------------------------------------------


def run_fault(label: str, args: argparse.Namespace) -> list[str]:
    """One fault on a fresh server and database; its summary row."""
    postgres_needed = label in ("a-postgres", "b", "d")
    with tempfile.TemporaryDirectory(prefix="rightsline-faults-") as home, ExitStack() as stack:
        url = stack.enter_context(fresh_postgres()) if postgres_needed else None
        server = Server(Path(home), database_url=url, workers=args.workers)
        stack.callback(server.stop)
        stack.callback(ensure_postgres)  # runs before the database is dropped
        if label == "d":
            postgres("stop")
            server.start()
            server.wait("/healthz")
            print(f"\n(d) at start, /readyz said: {httpx.get(server.url + '/readyz').text}")
            fault = postgres_back_later(args.down)
            name = "(d) PostgreSQL down when the server starts, started mid-load"
        else:
            server.start()
            server.wait("/readyz")
            if label == "a":
                fault, name = kill_9(server), "(a) kill -9 of the server mid-load, SQLite"
            elif label == "a-postgres":
                fault, name = kill_9(server), "(a) kill -9 of the server mid-load, PostgreSQL"
            elif label == "b":
                fault = postgres_stopped(args.down)
                name = f"(b) PostgreSQL stopped mid-load for {args.down:.0f} s"
            elif label == "c":
                fault = sqlite_locked(server, args.lock)
                name = f"(c) SQLite locked by another process for {args.lock:.0f} s"
            else:
                fault = sqlite_locked(server, args.long_lock)
                name = f"(c) SQLite locked by another process for {args.long_lock:.0f} s"
        tally = asyncio.run(under_load(server, fault, args.chats))
        ensure_postgres()
        settled = settle(server)
        return report(name, tally, settled, server)


def _interrupted(*_: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=20, help="chats at once")
    # With more than one, uvicorn's workers do not write the app's own log lines today.
    parser.add_argument("--workers", type=int, default=1, help="service processes")
    parser.add_argument("--down", type=float, default=10, help="seconds PostgreSQL is stopped")
    parser.add_argument("--lock", type=float, default=5, help="seconds of a short SQLite lock")
    # Longer than SQLite's 15 s busy timeout (service/db.py), so writes fail rather than wait.
    parser.add_argument("--long-lock", type=float, default=20, help="seconds of a long lock")
    parser.add_argument("--only", default="a,a-postgres,b,c,c-long,d", help="which faults")
    args = parser.parse_args()

    # A stop from the terminal still runs the `finally` blocks that start PostgreSQL again.
    signal.signal(signal.SIGTERM, _interrupted)
    print(f"{date.today()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f};")
    print(f"{args.chats} chats at once; each: start, two calm messages, one risk message")
    rows = []
    try:
        for label in args.only.split(","):
            rows.append(run_fault(label.strip(), args))
    finally:
        ensure_postgres()
    print(
        "\n| fault | risk answers with 0800 1111 first | urgent referrals kept / promised"
        " | risk answers without the promise | 5xx |"
    )
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
