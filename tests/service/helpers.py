"""Small helpers for service tests: read back everything the database holds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import inspect, text
from sqlmodel import Session, select

from service.models import Referral


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
