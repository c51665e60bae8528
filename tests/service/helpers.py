"""Small helpers for service tests: read back everything the database holds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic import command
from sqlalchemy import inspect, text
from sqlmodel import Session, select

from service.db import alembic_config, make_engine, migrate
from service.models import Referral, utcnow


def database_dump(database: Any) -> str:
    """Every value in every table, as one string, to prove what is (and is not) stored."""
    parts: list[str] = []
    with database.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                parts.append(f"{table}: " + " | ".join(str(value) for value in row))
    return "\n".join(parts)


def referrals(database: Any) -> list[Referral]:
    with Session(database) as session:
        return list(session.exec(select(Referral)).all())


def count(database: Any, table: str) -> int:
    with database.connect() as connection:
        return int(connection.execute(text(f'SELECT COUNT(*) FROM "{table}"')).scalar_one())


def texts(replies: list[Any]) -> list[str]:
    return [reply.text for reply in replies]


def payloads(replies: list[Any]) -> list[str]:
    return [button.payload for reply in replies for button in reply.buttons]


async def say(conversation: Any, text: str, key: str = "a" * 64) -> list[Any]:
    """The child types `text` in the web chat known by `key`."""
    from service.replies import Inbound

    return list(await conversation.handle(key, "web", Inbound(text=text)))


async def press(conversation: Any, payload: str, key: str = "a" * 64) -> list[Any]:
    """The child presses the button with `payload`."""
    from service.replies import Inbound

    return list(await conversation.handle(key, "web", Inbound(payload=payload)))


def graded(analyse: Callable[[str], Any], **grades: dict[str, Any]) -> Callable[[str], Any]:
    """The real analysis, with the grade of some messages fixed: {text: {"concern": True}} or
    {text: {"risks": ["abuse"]}}, so a test is about the reply whatever the model's training."""

    def run(text: str) -> Any:
        found = analyse(text)
        return found.model_copy(update=grades[text]) if text in grades else found

    return run


def chat_column_over_its_migration(
    database_url: str, *, before: str, column: str
) -> tuple[list[Any], set[str]]:
    """A chat made at revision `before`, then every migration run, then back to `before`: the
    chat's key and `column` after the upgrade, and chat_session's columns after the downgrade."""
    database = make_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        command.upgrade(alembic_config(database), before)
        with database.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO chat_session (key, channel, step, created_at, last_seen_at)"
                    " VALUES ('chat-1', 'web', 0, :when, :when)"
                ),
                {"when": utcnow()},
            )
        migrate(database)
        with database.connect() as connection:
            rows = list(connection.execute(text(f"SELECT key, {column} FROM chat_session")).all())
        command.downgrade(alembic_config(database), before)
        columns = {c["name"] for c in inspect(database).get_columns("chat_session")}
        return rows, columns
    finally:
        database.dispose()
