"""Load figure: 50 web chats at once for 30 s against the real server, beside its /healthz.

Starts `rightsline serve` (SQLite in a temporary data dir, or a fresh PostgreSQL database with
--postgres), and prints, for 1 worker and for --workers N: chat messages per second, /healthz
requests per second measured the same way in the same run, their ratio, p50 and p99 of a chat
message, and the errors. It asserts nothing.
    make bench-load
    .venv/bin/python bench/load.py --postgres --workers 2

Two figures: chats that send their next message the moment an answer comes (the server's
ceiling), then the same chats at a child's pace (--pace, a message every 2 s each).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Coroutine
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
from server import Server, fresh_postgres

# What children and families type, calm, one after another; a few messages show risk.
CALM = [
    "hi",
    "how do i complain",
    "when can my mum visit",
    "can they keep me in my room all day",
    "what is an advocate",
    "can staff hold me down",
    "who can read what i write here",
    "how do i appeal a decision",
    "can my nan phone me",
    "they took my tv off me is that allowed",
    "what does segregation mean",
    "how long can i be kept on my own",
]
RISK = ["staff punched me last night", "i want to kill myself", "i cut my arms again"]
MESSAGES_PER_CHAT = 6
FLOOD = "You are sending messages very fast"
# The clients' first requests are spread over this many seconds, and only what is sent after
# it is counted. Children do not all press send in the same millisecond; and uvicorn's workers
# share one socket, the first to wake taking every connection waiting, so a burst of 50 at
# once went to one worker and "--workers 2" measured one (seen with `ss`: 50 and 0).
SPREAD = 1.0


@dataclass
class Tally:
    """What one phase saw: seconds per answered request, statuses, and the flood replies."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    chats_started: int = 0
    risk_sent: int = 0
    flood: int = 0
    seconds: float = 0.0
    since: float = 0.0  # time.perf_counter() from which answers count
    answered: int = 0  # every answer in the phase, the first SPREAD seconds too
    connections: list[int] = field(default_factory=list)  # open, per worker, midway

    def took(self, began: float) -> None:
        """One answer, to a request sent at perf_counter() `began`; counted after SPREAD."""
        self.answered += 1
        if began >= self.since:
            self.latencies.append(time.perf_counter() - began)

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status not in ("200", "201"))


def conversation(chat: int, number: int) -> list[str]:
    """The messages of one chat: calm ones in turn, and in every fourth chat one risk message."""
    start = (chat * 5 + number * MESSAGES_PER_CHAT) % len(CALM)
    texts = [CALM[(start + i) % len(CALM)] for i in range(MESSAGES_PER_CHAT)]
    if (chat + number) % 4 == 0:
        texts[3] = RISK[(chat + number) % len(RISK)]
    return texts


async def call(
    client: aiohttp.ClientSession, tally: Tally, method: str, path: str, body: dict | None = None
) -> tuple[int, Any] | None:
    """One request: its status and JSON, or None when nothing came back (counted by kind)."""
    try:
        async with client.request(method, path, json=body) as answer:
            tally.statuses[str(answer.status)] += 1
            return answer.status, await answer.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError) as error:
        tally.statuses[type(error).__name__] += 1
        return None


async def chat_loop(
    client: aiohttp.ClientSession, chat: int, until: float, tally: Tally, pace: float = 0
) -> None:
    """One chat after another from this client; with `pace`, a message every `pace` seconds,
    as a child types, instead of the next one the moment an answer comes."""
    number = 0
    # Chats paced alike would all send in the same instant: spread their starts.
    await asyncio.sleep(pace * (chat % 10) / 10)
    while time.monotonic() < until:
        started = await call(client, tally, "POST", "/api/chat/sessions", {"role": "child"})
        if started is None or started[0] != 201:
            continue
        tally.answered += 1
        tally.chats_started += time.perf_counter() >= tally.since
        path = f"/api/chat/sessions/{started[1]['session_id']}/messages"
        for text in conversation(chat, number):
            if time.monotonic() >= until:
                break
            tally.risk_sent += text in RISK and time.perf_counter() >= tally.since
            began = time.perf_counter()
            answer = await call(client, tally, "POST", path, {"text": text})
            if answer is not None and answer[0] == 200:
                tally.took(began)
                tally.flood += any(FLOOD in r["text"] for r in answer[1]["replies"])
            await asyncio.sleep(max(0.0, pace - (time.perf_counter() - began)))
        number += 1


async def healthz_loop(client: aiohttp.ClientSession, until: float, tally: Tally) -> None:
    while time.monotonic() < until:
        began = time.perf_counter()
        answer = await call(client, tally, "GET", "/healthz")
        if answer is not None and answer[0] == 200:
            tally.took(began)


async def after(seconds: float, loop: Coroutine[Any, Any, None]) -> None:
    await asyncio.sleep(seconds)
    await loop


async def phase(
    url: str,
    concurrency: int,
    seconds: float,
    chats: bool,
    pace: float = 0,
    server: Server | None = None,
) -> Tally:
    """`concurrency` clients for `seconds` after they have all started (over SPREAD), each
    one request after another; with `server`, its connections per worker are looked at."""
    tally = Tally()
    # aiohttp, not httpx: at 50 requests at once httpx's AsyncClient was the bottleneck here
    # (46 /healthz a second, the server 17% busy, against 272 with aiohttp on the same server).
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(url, connector=connector, timeout=timeout) as client:
        tally.since = time.perf_counter() + SPREAD
        until = time.monotonic() + SPREAD + seconds
        if chats:
            loops = [chat_loop(client, chat, until, tally, pace) for chat in range(concurrency)]
        else:
            loops = [healthz_loop(client, until, tally) for _ in range(concurrency)]
        started = [after(SPREAD * i / concurrency, loop) for i, loop in enumerate(loops)]
        if server is not None:
            looked = asyncio.to_thread(server.connections)
            started.append(after(SPREAD + seconds / 2, tally_connections(tally, looked)))
        await asyncio.gather(*started)
        tally.seconds = time.perf_counter() - tally.since
    return tally


async def tally_connections(tally: Tally, looked: Awaitable[list[int]]) -> None:
    tally.connections = await looked


def percentile(values: list[float], percent: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


@dataclass
class Figures:
    workers: int
    chat: Tally
    healthz: Tally
    client_cpu: float  # the share of one core this script used while measuring
    server_cpu: float  # the server's CPU seconds (every worker) while the chats ran
    paced: Tally | None = None  # the same chats at a child's pace

    def row(self) -> str:
        chat_rate = len(self.chat.latencies) / self.chat.seconds
        health_rate = len(self.healthz.latencies) / self.healthz.seconds
        p50 = percentile(self.chat.latencies, 50) * 1000
        p99 = percentile(self.chat.latencies, 99) * 1000
        errors = self.chat.errors + self.healthz.errors
        ratio = chat_rate / health_rate
        # Per request answered (a chat started counts as one): the cost, whatever the waits.
        cpu_ms = self.server_cpu / self.chat.answered * 1000
        spread = " / ".join(
            f"{'/'.join(map(str, tally.connections)) or '?'}" for tally in (self.healthz, self.chat)
        )
        return (
            f"| {self.workers} | {chat_rate:.1f} | {health_rate:.1f} | {ratio:.3f}"
            f" | {p50:.0f} ms | {p99:.0f} ms | {errors} | {self.chat.flood}"
            f" | {self.chat.chats_started} | {self.chat.risk_sent} | {cpu_ms:.1f} ms"
            f" | {spread} | {self.client_cpu:.0%} |"
        )

    def paced_row(self, pace: float) -> str:
        assert self.paced is not None
        tally = self.paced
        rate = len(tally.latencies) / tally.seconds
        p50 = percentile(tally.latencies, 50) * 1000
        p99 = percentile(tally.latencies, 99) * 1000
        return (
            f"| {self.workers} | {pace:g} s | {rate:.1f} | {p50:.0f} ms | {p99:.0f} ms"
            f" | {tally.errors} | {tally.flood} | {tally.risk_sent} |"
        )


async def measure(
    server: Server, concurrency: int, seconds: float, health_seconds: float, pace: float
) -> Figures:
    url = server.url
    # A short warm-up first: the first answers of each worker load lazy parts of the pipeline.
    await phase(url, concurrency, 3, chats=True)
    cpu = time.process_time()
    wall = time.monotonic()
    healthz = await phase(url, concurrency, health_seconds, chats=False, server=server)
    server_cpu = server.cpu_seconds()
    chat = await phase(url, concurrency, seconds, chats=True, server=server)
    server_cpu = server.cpu_seconds() - server_cpu
    client_cpu = (time.process_time() - cpu) / (time.monotonic() - wall)
    paced = await phase(url, concurrency, seconds, chats=True, pace=pace) if pace else None
    return Figures(0, chat, healthz, client_cpu, server_cpu, paced)


def run(workers: int, args: argparse.Namespace) -> Figures:
    with tempfile.TemporaryDirectory(prefix="rightsline-load-") as home, ExitStack() as stack:
        database_url = stack.enter_context(fresh_postgres()) if args.postgres else None
        server = Server(
            Path(home), database_url=database_url, redis_url=args.redis, workers=workers
        )
        server.start()
        try:
            server.wait("/readyz")
            figures = asyncio.run(
                measure(server, args.chats, args.seconds, args.healthz, args.pace)
            )
        finally:
            server.stop()
        figures.workers = workers
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="measured after 1 worker")
    parser.add_argument("--chats", type=int, default=50, help="chats at once")
    parser.add_argument("--seconds", type=float, default=30, help="how long the chats run")
    parser.add_argument("--healthz", type=float, default=10, help="seconds of /healthz")
    parser.add_argument(
        "--pace", type=float, default=2.0, help="then each chat sends every PACE s (0: skip)"
    )
    parser.add_argument("--postgres", action="store_true", help="a fresh PostgreSQL database")
    parser.add_argument("--redis", default=None, help="REDIS_URL for the server (shared limits)")
    args = parser.parse_args()

    database = "PostgreSQL" if args.postgres else "SQLite"
    busy = os.getloadavg()[0]
    print(
        f"{date.today()}, {os.cpu_count()} cores (load average {busy:.1f}), {database}"
        f"{', Redis' if args.redis else ''}: {args.chats} chats at once for {args.seconds:.0f} s"
        f" (/healthz for {args.healthz:.0f} s, same concurrency, same server)"
    )
    print(
        "| workers | chat msg/s | /healthz req/s | ratio | p50 | p99 | errors (not 200)"
        " | flood replies | chats started | risk messages | server CPU a request"
        " | connections per worker (/healthz / chats) | bench client CPU |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    measured = []
    for workers in sorted({1, args.workers}):
        measured.append(run(workers, args))
        print(measured[-1].row(), flush=True)
    if args.pace:
        print(f"\nThe same {args.chats} chats at a child's pace: each sends a message every")
        print(f"{args.pace:g} s (or as soon as its answer comes, if that takes longer).")
        print("| workers | pace | chat msg/s | p50 | p99 | errors | flood replies | risk sent |")
        print("|---|---|---|---|---|---|---|---|")
        for figures in measured:
            print(figures.paced_row(args.pace), flush=True)


if __name__ == "__main__":
    main()
