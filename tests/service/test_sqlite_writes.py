"""SQLite writers wait their turn in a queue (service/sqlite_writes.py): every write lands, a
writer that cannot get its turn in time is told the database is locked, and no two writers of
one process, or of two processes, ever wait for each other in a circle."""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session, func, select

from service.db import make_engine
from service.models import Chat, Event
from service.replies import Inbound
from service.sqlite_writes import Connection


def open_database(path: Path, timeout: float = 5.0) -> Connection:
    connection = sqlite3.connect(path, timeout=timeout, factory=Connection, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE IF NOT EXISTS said (words TEXT)")
    connection.commit()
    assert isinstance(connection, Connection)
    return connection


def test_the_services_sqlite_connections_queue_their_writes(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'rightsline.db'}")
    with engine.connect() as connection:
        assert isinstance(connection.connection.dbapi_connection, Connection)
    engine.dispose()


def test_a_second_writer_waits_for_the_first_to_commit_and_then_writes(tmp_path: Path) -> None:
    first = open_database(tmp_path / "turns.db")
    second = open_database(tmp_path / "turns.db")
    first.execute("INSERT INTO said VALUES ('first')")  # holds the turn until it commits
    wrote = threading.Event()

    def write_second() -> None:
        second.execute("INSERT INTO said VALUES ('second')")
        second.commit()
        wrote.set()

    writer = threading.Thread(target=write_second)
    writer.start()
    assert not wrote.wait(0.3)  # still waiting: the first has not committed
    first.commit()
    writer.join(timeout=5)
    assert wrote.is_set()
    rows = [row[0] for row in first.execute("SELECT words FROM said ORDER BY rowid")]
    assert rows == ["first", "second"]


def test_a_writer_that_cannot_get_its_turn_in_time_is_told_the_database_is_locked(
    tmp_path: Path,
) -> None:
    first = open_database(tmp_path / "turns.db")
    impatient = open_database(tmp_path / "turns.db", timeout=0.2)
    first.execute("INSERT INTO said VALUES ('first')")
    errors: list[BaseException] = []

    def write() -> None:
        try:
            impatient.execute("INSERT INTO said VALUES ('never')")
        except sqlite3.OperationalError as error:
            errors.append(error)

    writer = threading.Thread(target=write)
    writer.start()
    writer.join(timeout=5)
    assert [str(error) for error in errors] == ["database is locked"]
    first.commit()
    # Once the first has committed, the impatient one's next write gets its turn.
    impatient.execute("INSERT INTO said VALUES ('later')")
    impatient.commit()
    assert first.execute("SELECT count(*) FROM said").fetchone() == (2,)


def test_a_failed_write_and_its_rollback_let_the_next_writer_go(tmp_path: Path) -> None:
    first = open_database(tmp_path / "turns.db")
    first.execute("CREATE UNIQUE INDEX one_each ON said (words)")
    first.commit()
    first.execute("INSERT INTO said VALUES ('hello')")
    first.commit()
    with pytest.raises(sqlite3.IntegrityError):
        first.execute("INSERT INTO said VALUES ('hello')")
    first.rollback()
    other = open_database(tmp_path / "turns.db", timeout=0.5)
    other.execute("INSERT INTO said VALUES ('next')")
    other.commit()
    assert first.execute("SELECT count(*) FROM said").fetchone() == (2,)


WRITE_AND_WAIT = """
import sqlite3, sys, time
from service.sqlite_writes import Connection
connection = sqlite3.connect(sys.argv[1], timeout=5, factory=Connection)
connection.execute("INSERT INTO said VALUES ('other process')")
print("holding", flush=True)
time.sleep(0.5)
connection.commit()
"""


def test_a_writer_waits_for_a_writer_in_another_process(tmp_path: Path) -> None:
    path = tmp_path / "turns.db"
    ours = open_database(path, timeout=0.1)  # SQLite alone would give up after 0.1 s
    other = subprocess.Popen(
        [sys.executable, "-c", WRITE_AND_WAIT, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert other.stdout is not None
    assert other.stdout.readline().strip() == "holding"
    ours.execute("INSERT INTO said VALUES ('ours')")  # waits for the other's commit
    ours.commit()
    other.communicate(timeout=10)
    assert other.returncode == 0
    rows = [row[0] for row in ours.execute("SELECT words FROM said ORDER BY rowid")]
    assert rows == ["other process", "ours"]


async def test_many_new_chats_at_once_all_get_answers_and_are_all_kept(
    conversation: Any, runtime: Any
) -> None:
    """Each new chat writes its row early in its turn and the rest at the commit: turns at
    once must not wait for each other in a circle (an earlier process-wide lock did)."""
    keys = [f"{number:064x}" for number in range(30)]

    async def talk(key: str) -> list[Any]:
        started = await conversation.start(key, "web")
        answered = await conversation.handle(key, "web", Inbound(text="how do i complain"))
        return started + answered

    replies = await asyncio.wait_for(asyncio.gather(*(talk(key) for key in keys)), 120)
    assert all(any("complain" in reply.text.lower() for reply in said) for said in replies)
    with Session(runtime.database) as session:
        assert session.exec(select(func.count()).select_from(Chat)).one() == len(keys)
        assert session.exec(select(func.count()).select_from(Event)).one() == 2 * len(keys)
        if runtime.database.dialect.name == "sqlite":
            assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"


WRITE_AND_CLOSE = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], timeout=5)
connection.execute("INSERT INTO said VALUES ('other process')")
connection.commit()
connection.close()
"""


def test_a_closed_connection_leaves_the_others_locks_and_no_write_is_lost(
    tmp_path: Path,
) -> None:
    """SQLite's locks are `fcntl` locks, which a process loses on a file when it closes any
    handle on that file. Queueing must never open and close the database file itself: when it
    did, another process closing its connection thought it was the last, emptied the WAL this
    one was still writing to, and urgent referrals were lost (bench/faults.py, fault (c))."""
    path = tmp_path / "turns.db"
    staying = open_database(path)
    staying.execute("INSERT INTO said VALUES ('before')")
    staying.commit()
    passing = open_database(path)
    passing.execute("INSERT INTO said VALUES ('passing')")
    passing.commit()
    passing.close()
    del passing
    gc.collect()
    other = subprocess.run(
        [sys.executable, "-c", WRITE_AND_CLOSE, str(path)], capture_output=True, timeout=30
    )
    assert other.returncode == 0
    staying.execute("INSERT INTO said VALUES ('after')")
    staying.commit()
    # Read by a new connection while this one is still open, as the service's are.
    reader = sqlite3.connect(path)
    rows = [row[0] for row in reader.execute("SELECT words FROM said ORDER BY rowid")]
    reader.close()
    staying.close()
    assert rows == ["before", "passing", "other process", "after"]
