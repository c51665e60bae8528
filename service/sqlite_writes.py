"""SQLite connections that wait their turn to write in a queue that wakes at once.

SQLite lets one connection write at a time. The others wait in its busy handler, which sleeps
1, 2, 5, 10 and then up to 100 ms between looks, so under load a turn that met the lock slept
far longer than the writer before it held it: profiled at 50 chats, most of the service's
threads' time was spent there (bench/README.md). Here a connection waits for its turn before
its first write, on a lock that wakes the next writer the moment the last one commits:

- within a process, a lock for each database file, waited on no longer than the connection's
  timeout (then "database is locked", as SQLite says);
- between processes (the service's workers, `rightsline purge`), an advisory `flock` on a
  file beside the database (its name and "-writer"), taken by the one writer of each process.
  If a process dies, the system lets its lock go.

Never the database file itself: SQLite locks it with `fcntl`, and closing any other handle a
process has on that file lets go of all that process's `fcntl` locks on it, SQLite's too.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import weakref
from typing import Any

# Statements that take SQLite's write lock (the driver opens a transaction before the first
# four); reads and PRAGMAs never wait here.
WRITES = ("insert", "update", "delete", "replace", "create", "drop", "alter")

# The file beside the database whose flock says which process is writing. It holds nothing.
SUFFIX = "-writer"

_locks: dict[str, threading.Lock] = {}
_making = threading.Lock()


def _file(database: Any) -> str | None:
    """The database's file, or None for a database in memory (which nothing else shares)."""
    name = os.fsdecode(database)
    if name in ("", ":memory:") or name.startswith("file:"):
        return None
    return os.path.realpath(name)


def _lock_for(path: str) -> threading.Lock:
    with _making:
        return _locks.setdefault(path, threading.Lock())


class Connection(sqlite3.Connection):
    """`sqlite3.connect(..., factory=Connection)`: writes wait for their turn first."""

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self._wait = float(kwargs.get("timeout", 5.0))
        self._holding = False
        self._turn: threading.Lock | None = None
        self._fd = -1
        path = _file(database)
        if path is not None:
            self._turn = _lock_for(path)
            # Its own open file, so its flock is its own (flock locks belong to an open file).
            self._fd = os.open(f"{path}{SUFFIX}", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            weakref.finalize(self, os.close, self._fd)

    def cursor(self, factory: Any = None) -> sqlite3.Cursor:  # type: ignore[override]
        return super().cursor(factory or Cursor)

    # The connection's own shortcuts make their cursor in C, past `cursor` above.
    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> sqlite3.Cursor:
        return self.cursor().executemany(sql, seq_of_parameters)

    def wait_to_write(self, statement: str) -> None:
        """Before a write: wait for this process's turn, then for the other processes'."""
        if self._holding or self._turn is None:
            return
        if not statement.lstrip()[:7].lower().startswith(WRITES):
            return
        if not self._turn.acquire(timeout=self._wait):
            raise sqlite3.OperationalError("database is locked")
        try:
            # Blocks only while one writer of another process finishes its transaction.
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._turn.release()
            raise
        self._holding = True

    def _done(self) -> None:
        """The transaction has ended: the next writer's turn."""
        if self._holding and self._turn is not None:
            self._holding = False
            try:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            finally:
                self._turn.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._done()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._done()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._done()


class Cursor(sqlite3.Cursor):
    """A cursor whose writes first wait for their connection's turn."""

    connection: Connection

    def execute(self, sql: str, parameters: Any = (), /) -> Cursor:
        self.connection.wait_to_write(sql)
        return super().execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> Cursor:
        self.connection.wait_to_write(sql)
        return super().executemany(sql, seq_of_parameters)
