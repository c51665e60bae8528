"""What must outlast a power cut does: a chat turn's commit on SQLite does not wait for the
disk while it holds the write lock, and anything an advocate is promised is flushed to it
before the child is told."""

from __future__ import annotations

import os
from typing import Any

import pytest
from sqlalchemy import event

from service import db
from service.engine import Conversation
from service.replies import Inbound

KEY = "d" * 64
FULL, NORMAL = 2, 1


@pytest.fixture
def sqlite_only(runtime: Any) -> None:
    if runtime.database.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's commits are left as they are")


@pytest.fixture
def commits(runtime: Any) -> list[int]:
    """SQLite's `synchronous` at each commit the engine makes from now on."""
    seen: list[int] = []

    def record(connection: Any) -> None:
        seen.append(connection.exec_driver_sql("PRAGMA synchronous").scalar())

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


async def say(conversation: Conversation, text: str) -> None:
    await conversation.handle(KEY, "web", Inbound(text=text))


async def press(conversation: Conversation, payload: str) -> None:
    await conversation.handle(KEY, "web", Inbound(payload=payload))


@pytest.mark.usefixtures("sqlite_only")
async def test_an_ordinary_turn_does_not_wait_for_the_disk(
    conversation: Conversation, commits: list[int], flushed: list[str]
) -> None:
    await say(conversation, "how do i complain")
    assert commits == [NORMAL]
    assert flushed == []


@pytest.mark.usefixtures("sqlite_only")
async def test_connections_wait_for_the_disk_again_after_a_turn(
    conversation: Conversation, runtime: Any
) -> None:
    await say(conversation, "how do i complain")
    await say(conversation, "when can my mum visit")
    pool = runtime.database.pool
    # Every connection the pool holds, at once, so none is missed.
    held = [runtime.database.connect() for _ in range(max(1, pool.checkedin()))]
    try:
        for connection in held:
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == FULL
    finally:
        for connection in held:
            connection.close()


@pytest.mark.usefixtures("sqlite_only")
async def test_a_referral_the_child_is_promised_is_flushed_to_disk(
    conversation: Conversation, runtime: Any, flushed: list[str]
) -> None:
    await say(conversation, "how do i complain about staff")
    await press(conversation, "talk")
    assert flushed == []
    await press(conversation, "advocate:yes")
    assert flushed == [os.path.realpath(f"{runtime.database.url.database}-wal")]


@pytest.mark.usefixtures("sqlite_only")
async def test_an_urgent_referral_is_flushed_to_disk_before_the_reply(
    conversation: Conversation, runtime: Any, commits: list[int], flushed: list[str]
) -> None:
    replies = await conversation.handle(KEY, "web", Inbound(text="i want to kill myself"))
    assert "An advocate will see your message soon" in replies[-1].text
    # Committed without holding the write lock through a flush, then flushed, then answered.
    assert commits == [NORMAL]
    assert flushed == [os.path.realpath(f"{runtime.database.url.database}-wal")]
