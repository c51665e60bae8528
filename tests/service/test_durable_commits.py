"""What must outlast a power cut does: a chat turn's commit does not wait for the disk (on
SQLite, not while it holds the one write lock), and anything an advocate is promised is on
disk before the child is told."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from service import db
from service.engine import Conversation
from service.replies import Inbound

KEY = "d" * 64


def waits_for_disk(connection: Any) -> bool:
    """Whether a commit on this connection now waits until it is on disk."""
    if connection.dialect.name == "sqlite":
        return connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    return connection.exec_driver_sql("SHOW synchronous_commit").scalar() != "off"


@pytest.fixture
def commits(runtime: Any) -> Iterator[list[bool]]:
    """For each commit the engine makes from now on, whether it waited for the disk."""
    seen: list[bool] = []

    def record(connection: Any) -> None:
        seen.append(waits_for_disk(connection))

    event.listen(runtime.database, "commit", record)
    yield seen
    event.remove(runtime.database, "commit", record)


@pytest.fixture
def flushed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files service.db flushes to disk itself (SQLite's own flushes are in C)."""
    names: list[str] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        names.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(db.os, "fsync", fsync)
    return names


def wal(runtime: Any) -> list[str]:
    """What a promise flushes: SQLite's WAL file, or nothing (PostgreSQL's commit waited)."""
    if runtime.database.dialect.name != "sqlite":
        return []
    return [os.path.realpath(f"{runtime.database.url.database}-wal")]


async def say(conversation: Conversation, text: str) -> list[Any]:
    return await conversation.handle(KEY, "web", Inbound(text=text))


async def press(conversation: Conversation, payload: str) -> None:
    await conversation.handle(KEY, "web", Inbound(payload=payload))


async def test_an_ordinary_turn_does_not_wait_for_the_disk(
    conversation: Conversation, commits: list[bool], flushed: list[str]
) -> None:
    await say(conversation, "how do i complain")
    assert commits == [False]
    assert flushed == []


async def test_connections_wait_for_the_disk_again_after_a_turn(
    conversation: Conversation, runtime: Any
) -> None:
    await say(conversation, "how do i complain")
    await say(conversation, "when can my mum visit")
    pool = runtime.database.pool
    # Every connection the pool holds, at once, so none is missed.
    held = [runtime.database.connect() for _ in range(max(1, pool.checkedin()))]
    try:
        assert all(waits_for_disk(connection) for connection in held)
    finally:
        for connection in held:
            connection.close()


async def test_a_referral_the_child_is_promised_is_on_disk_before_they_are_told(
    conversation: Conversation, runtime: Any, commits: list[bool], flushed: list[str]
) -> None:
    await say(conversation, "how do i complain about staff")
    await press(conversation, "talk")
    assert flushed == []
    await press(conversation, "advocate:yes")
    # SQLite commits without waiting and then flushes its WAL; PostgreSQL's commit waits.
    assert flushed == wal(runtime)
    assert commits[-1] == (runtime.database.dialect.name != "sqlite")


async def test_an_urgent_referral_is_on_disk_before_the_reply(
    conversation: Conversation, runtime: Any, commits: list[bool], flushed: list[str]
) -> None:
    replies = await say(conversation, "i want to kill myself")
    assert "An advocate will read your message" in replies[-1].text
    assert flushed == wal(runtime)
    assert commits == [runtime.database.dialect.name != "sqlite"]
