"""Builds what every entry point shares: settings, keys, database, content, pipeline, engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine as Database

import content
import nlp
from service.crypto import Keys
from service.db import make_engine, migrate
from service.engine import Conversation
from service.relay import Relay
from service.settings import Settings, resolve_secret_key


@dataclass
class Runtime:
    settings: Settings
    keys: Keys
    database: Database
    library: Any
    conversation: Conversation
    relay: Relay


def build_runtime(
    settings: Settings | None = None, *, analyse: Callable[[str], Any] | None = None
) -> Runtime:
    """Everything built once, at the entry point; migrations run here."""
    settings = settings or Settings()
    keys = Keys(resolve_secret_key(settings))
    database = make_engine(settings.resolved_database_url())
    migrate(database)
    library = content.load_library()
    if analyse is None:
        nlp.load()
        analyse = nlp.analyse
    conversation = Conversation(database=database, library=library, analyse=analyse)
    relay = Relay(database=database, keys=keys, prefix=library.messages.get("advocate_said", ""))
    return Runtime(settings, keys, database, library, conversation, relay)
