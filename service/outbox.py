"""A durable local outbox for urgent referrals the database could not take.

When a child's message shows risk and the database is down, the referral (the chat's keyed
hash, risk labels, redacted words and, for Telegram, the encrypted way back to the chat only)
is appended here as one JSON line, flushed and
fsynced before the child is told an advocate will see it. A child asked "Are you safe right
now?" meanwhile is kept here too (`check_in`), so every check-in is counted in the figures.
`drain` writes every waiting line to the database once it is back, then empties the file.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine as Database
from sqlmodel import Session

from content.schema import ROLES
from service import storage
from service.models import utcnow

log = logging.getLogger(__name__)

# A line that is a check-in, not a referral.
CHECK_IN = "check_in"


class Outbox:
    def __init__(self, path: Path) -> None:
        self.path = path
        # `_lock` guards the file itself and is held only briefly, so a child's referral is
        # never kept waiting by a drain; `_draining` lets one drain at a time write.
        self._lock = threading.Lock()
        self._draining = threading.Lock()

    def put(
        self,
        *,
        key: str,
        channel: str,
        risks: Iterable[str],
        words: str,
        note: str = "",
        no_words: str = "",
        role: str | None = None,
        route: str | None = None,
    ) -> None:
        """Keep one urgent referral on disk; returns only once it is there.

        `words` are the message's redacted words ("" if they could not be read), `note` a
        line for the advocate after them, and `no_words` what the referral says if neither
        this nor any earlier message of the chat kept words. `role` is who wrote in (child,
        family, professional), when known; `route`, already encrypted, is how an advocate's
        reply reaches a chat that pushes (Telegram).
        """
        self._append(
            {
                "key": key,
                "channel": channel,
                "risks": sorted(risks),
                "words": words,
                "note": note,
                "no_words": no_words,
                "role": role,
                "route": route,
                "at": utcnow().isoformat(),
            }
        )

    def check_in(self, *, key: str, channel: str, words: str, role: str | None = None) -> None:
        """Keep a message answered with "Are you safe right now?" (its redacted `words`), to be
        recorded as the database would have recorded it: counted as a check-in, no referral."""
        self._append(
            {
                "kind": CHECK_IN,
                "key": key,
                "channel": channel,
                "risks": [],
                "words": words,
                "role": role,
                "at": utcnow().isoformat(),
            }
        )

    def _append(self, record: dict[str, Any]) -> None:
        """One line on disk; returns only once it is there."""
        line = json.dumps(record)
        with self._lock:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            while True:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
                try:
                    # Other service processes share this file: the lock keeps a drain from
                    # taking the file away half-way through this line.
                    fcntl.flock(fd, fcntl.LOCK_EX)
                    if os.fstat(fd).st_ino != _inode(self.path):
                        continue  # a drain took the file between open and lock: open anew
                    os.write(fd, (line + "\n").encode())
                    os.fsync(fd)
                    return
                finally:
                    os.close(fd)

    def waiting(self) -> list[dict[str, Any]]:
        """Every referral on disk, including any a drain has taken but not yet written."""
        with self._lock:
            files = [self.path, *sorted(self.path.parent.glob(self.path.name + ".draining-*"))]
            return [row for path in files if path.exists() for row in _read(path)]

    def drain(self, database: Database) -> int:
        """Write every waiting referral to the database; a file is removed only after.

        The file is first renamed under the lock, so lines other processes add meanwhile go
        to a new file and wait for the next drain; a file left by a crash is drained too.
        """
        with self._draining:
            with self._lock:
                self._take()
            written = 0
            for taken in sorted(self.path.parent.glob(self.path.name + ".draining-*")):
                rows = _read(taken)
                if rows:
                    self._write(database, rows)
                # Writing a line twice only raises the open referral again and records its
                # message once, so a crash between the commit and this line loses nothing.
                taken.unlink()
                written += len(rows)
            if written:
                log.warning("outbox: %d line(s) written to the database", written)
            return written

    def _take(self) -> None:
        if not self.path.exists():
            return
        fd = os.open(self.path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if os.fstat(fd).st_ino == _inode(self.path):
                os.rename(self.path, f"{self.path}.draining-{os.getpid()}-{time.time_ns()}")
        finally:
            os.close(fd)

    @staticmethod
    def _write(database: Database, rows: list[dict[str, Any]]) -> None:
        with Session(database) as session:
            for row in rows:
                route = row.get("route")
                chat = storage.get_or_create_chat(
                    session=session,
                    key=row["key"],
                    channel=row["channel"],
                    route=route if isinstance(route, str) else None,
                )
                # Lines written before roles were kept have none; a chat's own role stands.
                if chat.role is None and row.get("role") in ROLES:
                    chat.role = row["role"]
                # The message is recorded as the database would have recorded it then, so
                # the referral shows the chat's words before it as well as these. A line
                # drained twice (a crash before its file was removed) is recorded once.
                words = row["words"] if "words" in row else row.get("summary", "")
                at = datetime.fromisoformat(row["at"]) if isinstance(row.get("at"), str) else None
                checked_in = row.get("kind") == CHECK_IN
                if at is None or not storage.has_event(
                    session=session, chat=chat, at=at, risks=row["risks"]
                ):
                    event = storage.add_event(
                        session=session,
                        chat=chat,
                        redacted=words or None,
                        topic=None,
                        risks=row["risks"],
                        check_in=checked_in,
                    )
                    if at is not None:
                        event.created_at = at
                    session.flush()
                if checked_in:
                    continue  # asked, not referred: the answer decides
                lines = storage.recent_redacted(session=session, chat=chat)
                if row.get("note"):
                    lines.append(row["note"])
                storage.create_referral(
                    session=session,
                    chat=chat,
                    urgency="urgent",
                    risks=row["risks"],
                    summary="\n".join(dict.fromkeys(lines)),
                    no_words=row.get("no_words", ""),
                )
            session.commit()


def _inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return None


def _read(path: Path) -> list[dict[str, Any]]:
    rows = []
    for line in path.read_text().splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:  # a line cut short by a crash mid-write: the rest still count
            log.error("outbox: skipped a line that could not be read")
    return rows
