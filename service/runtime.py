"""Builds what every entry point shares: settings, keys, database, content, pipeline, engine."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine as Database

import content
import nlp
from content import Library
from nlp.analysis import Analysis
from service.crypto import Keys
from service.db import make_engine, migrate, private_directory
from service.engine import Conversation
from service.limits import RateLimit
from service.outbox import Outbox
from service.relay import Relay
from service.settings import Settings, resolve_secret_key

log = logging.getLogger(__name__)

# Seconds between tries to reach a database that is away: soon back means soon noticed.
RETRY_SECONDS = (1, 2, 3, 5)


@dataclass
class Runtime:
    settings: Settings
    keys: Keys
    database: Database
    library: Library
    conversation: Conversation
    relay: Relay
    outbox: Outbox
    database_ready: bool = True
    limits: dict[str, RateLimit] = field(default_factory=dict)
    # Each channel's state for /readyz, e.g. {"telegram": "up"}; the web chat is always here.
    channels: dict[str, str] = field(default_factory=dict)

    def close(self) -> None:
        """Let go of the engine's threads and every database connection."""
        self.conversation.close()
        self.database.dispose()

    def connect_database(self) -> bool:
        """Migrate if need be and write any referrals kept in the outbox; False if away."""
        try:
            if not self.database_ready:
                migrate(self.database)
                self.database_ready = True
                log.warning("the database is back")
            self.outbox.drain(self.database)
            return True
        except Exception as error:  # noqa: BLE001 - we try again; chats meanwhile still answer
            log.error("the database is unavailable: %s", type(error).__name__)
            return False

    async def keep_database(self, *, every: float = 5.0) -> None:
        """Run for the life of the service: bring the database back, empty the outbox."""
        failures = 0
        while True:
            if self.database_ready and not self.outbox.waiting():
                await asyncio.sleep(every)
                continue
            if await asyncio.to_thread(self.connect_database):
                failures = 0
                await asyncio.sleep(every)
            else:
                await asyncio.sleep(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])
                failures += 1


def chat_limits(settings: Settings) -> dict[str, RateLimit]:
    """How fast the web chat may be used: one chat, and one address (a kiosk's network may
    put many tablets behind one address, so that limit is wide)."""

    def per_minute(name: str, limit: int) -> RateLimit:
        return RateLimit(name=name, limit=limit, window=60, redis_url=settings.redis_url)

    return {
        "chat": per_minute("chat", settings.chat_messages_per_minute),
        "address": per_minute("address", settings.address_messages_per_minute),
        "new_chats": per_minute("new-chats", settings.address_new_chats_per_minute),
    }


def build_runtime(
    settings: Settings | None = None, *, analyse: Callable[[str], Analysis] | None = None
) -> Runtime:
    """Everything built once, at the entry point; migrations run here, or later if the
    database is away (the chat still answers, and urgent referrals wait in the outbox)."""
    settings = settings or Settings()
    # The secret key and the outbox live here, whichever database is used.
    private_directory(settings.data_dir)
    keys = Keys(resolve_secret_key(settings))
    database = make_engine(settings.resolved_database_url())
    try:
        migrate(database)
        ready = True
    except Exception as error:  # noqa: BLE001
        log.error("the database is unavailable at start-up: %s", type(error).__name__)
        ready = False
    library = content.load_library()
    if analyse is None:
        try:
            nlp.load(settings.model_dir)
        except Exception:  # noqa: BLE001 - logged by nlp; the pattern screen still runs
            pass
        # Messages that arrive together are read by the model together (nlp/together.py).
        analyse = nlp.Together(nlp.analyse_many)
    outbox = Outbox(settings.data_dir / "outbox.jsonl")
    conversation = Conversation(
        database=database,
        library=library,
        analyse=analyse,
        outbox=outbox,
        strict=settings.env == "test",
        settings=settings,
    )
    relay = Relay(database=database, keys=keys, shown=conversation.to_child)
    runtime = Runtime(settings, keys, database, library, conversation, relay, outbox, ready)
    runtime.limits = chat_limits(settings)
    if ready:
        runtime.connect_database()  # referrals left in the outbox by the last run
    return runtime
