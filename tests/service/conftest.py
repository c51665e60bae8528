"""Fixtures for service tests that need the database but not the language model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from service.db import make_engine, migrate


@pytest.fixture
def database(settings: Any) -> Iterator[Engine]:
    """The real database (SQLite file or PostgreSQL), migrated, without the language model."""
    engine = make_engine(settings.resolved_database_url())
    migrate(engine)
    yield engine
    engine.dispose()
