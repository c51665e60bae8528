"""The database engine, with Alembic migrations applied at start-up."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

from service import sqlite_writes

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
# The tables that hold a child's words; PostgreSQL rewrites them to drop deleted rows for good.
TABLES_WITH_WORDS = ("event", "referral", "relay_message", "referral_note", "chat_session")


# How long a write waits for a lock, or a connection for the server, before it gives up.
WAIT_SECONDS = 5
# Marks a pooled SQLite connection lent to an ordinary chat turn (see `unsynced`).
UNSYNCED = "rightsline_unsynced"


def make_engine(url: str) -> Engine:
    """An engine for SQLite or PostgreSQL; SQLite gets foreign keys, WAL and secure delete."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            make_private(Path(path))
        # Writers queue for their turn in this process, not in SQLite's sleeping busy handler.
        connect = {
            "check_same_thread": False,
            "timeout": WAIT_SECONDS,
            "factory": sqlite_writes.Connection,
        }
        engine = create_engine(url, connect_args=connect)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            # Deleted rows are overwritten with zeros, not just marked free.
            cursor.execute("PRAGMA secure_delete=ON")
            # Every commit waits for the disk, unless a chat turn says otherwise (`unsynced`).
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.close()

        @event.listens_for(engine, "checkin")
        def _synced_again(dbapi_connection, record):  # type: ignore[no-untyped-def]
            if dbapi_connection is not None and record.info.pop(UNSYNCED, False):
                dbapi_connection.execute("PRAGMA synchronous=FULL")

        return engine
    # A URL may set its own connect_timeout (the tests do); otherwise a lost server is given up
    # on after WAIT_SECONDS instead of the operating system's minutes.
    connect = {} if "connect_timeout" in url else {"connect_timeout": WAIT_SECONDS}
    return create_engine(url, pool_pre_ping=True, connect_args=connect)


def private_directory(directory: Path) -> None:
    """A directory of ours (the data dir, whatever the database) is this user's alone."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    # A shared directory such as /tmp (sticky bit) is never narrowed: others rely on it.
    if not directory.stat().st_mode & stat.S_ISVTX:
        directory.chmod(0o700)


def make_private(path: Path) -> None:
    """The SQLite file, its -wal and -shm files and their directory: this user's alone."""
    private_directory(path.parent)
    # Created here first, as SQLite gives its -wal and -shm files the mode of the database.
    # One that exists is never opened here: closing it would let go of every lock SQLite holds
    # on it in this process (service/sqlite_writes.py).
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if name.exists():
            name.chmod(0o600)  # files left by an older version were 0644


def unsynced(session: Session) -> None:
    """Let this session's commits on SQLite skip the wait for the disk (synchronous=NORMAL).

    For the chat turns. Such a commit still survives the process being killed; only a power
    cut or a crash of the machine could lose the last moments of them. In return a turn no
    longer holds SQLite's one write lock through a disk flush (2 to 6 ms here, far more when
    the disk is busy), which every other turn queued behind. Call it before the session writes
    anything, and end with `commit`, which flushes what a child is promised before they are
    told. The connection waits for the disk again when it goes back to the pool. On PostgreSQL
    `commit` alone decides.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA synchronous=NORMAL")
        connection.info[UNSYNCED] = True


def commit(session: Session, *, promised: bool) -> None:
    """Commit a chat turn: at once, or, when the child is to be told something is kept (a
    referral, words passed to an advocate), only once it is on disk. Without a promise,
    PostgreSQL does not wait for its WAL flush either (synchronous_commit off: a crash of the
    server may lose the last moments of such commits, never consistency)."""
    database = session.get_bind().engine
    if database.dialect.name == "postgresql" and not promised:
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    session.commit()
    if promised:
        sync_wal(database)


def sync_wal(engine: Engine) -> None:
    """Flush SQLite's WAL to disk, so every commit made so far, unsynced ones too, survives a
    power cut (what synchronous=FULL does at each commit). PostgreSQL's commits already have."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return
    try:
        wal = os.open(f"{engine.url.database}-wal", os.O_RDONLY)
    except FileNotFoundError:
        return  # checkpointed into the database file, which SQLite flushed first
    try:
        os.fsync(wal)
    finally:
        os.close(wal)


def scrub(engine: Engine) -> None:
    """After a forget or a purge: SQLite copies the zeroed pages home and empties its WAL.

    Until then the deleted words are still in the -wal file. PostgreSQL needs `vacuum`.
    """
    if engine.dialect.name != "sqlite":
        return
    try:
        with engine.connect() as connection:
            row = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
        emptied = row is not None and row[0] == 0  # the first column is 1 when it was busy
    except OperationalError:  # the forget itself is done; a locked file must not undo that
        emptied = False
    if not emptied:
        log.warning("the WAL is in use: deleted words stay in it until the next forget or purge")


def vacuum(engine: Engine) -> None:
    """PostgreSQL keeps deleted rows in its table files until VACUUM FULL rewrites them."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"VACUUM FULL {', '.join(TABLES_WITH_WORDS)}")


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema up to date; safe to call on every start."""
    command.upgrade(alembic_config(engine), "head")
