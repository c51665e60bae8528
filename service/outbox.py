"""A durable local outbox for urgent referrals the database could not take.

When a child's message shows risk and the database is down, the referral (the chat's keyed
hash, risk labels and redacted words only) is appended here as one JSON line, flushed and
fsynced before the child is told an advocate will see it. `drain` writes every waiting
referral to the database once it is back, then empties the file.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine as Database
from sqlmodel import Session

from service import storage

log = logging.getLogger(__name__)


class Outbox:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def put(self, *, key: str, channel: str, risks: Iterable[str], summary: str) -> None:
        """Keep one urgent referral on disk; returns only once it is there."""
        line = json.dumps(
            {"key": key, "channel": channel, "risks": sorted(risks), "summary": summary}
        )
        with self._lock:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                os.write(fd, (line + "\n").encode())
                os.fsync(fd)
            finally:
                os.close(fd)

    def waiting(self) -> list[dict[str, Any]]:
        with self._lock:
            return self._read()

    def _read(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        rows = []
        for line in self.path.read_text().splitlines():
            try:
                rows.append(json.loads(line))
            except ValueError:  # a line cut short by a crash mid-write: the rest still count
                log.error("outbox: skipped a line that could not be read")
        return rows

    def drain(self, database: Database) -> int:
        """Write every waiting referral to the database; the file is emptied only after."""
        with self._lock:
            rows = self._read()
            if not rows:
                return 0
            with Session(database) as session:
                for row in rows:
                    chat = storage.get_or_create_chat(
                        session=session, key=row["key"], channel=row["channel"]
                    )
                    storage.create_referral(
                        session=session,
                        chat=chat,
                        urgency="urgent",
                        risks=row["risks"],
                        summary=row["summary"],
                    )
                session.commit()
            # Writing a referral twice only raises the open one again (never two at once),
            # so a crash between the commit and this line loses nothing and adds nothing.
            self.path.unlink()
            log.warning("outbox: %d urgent referral(s) written to the database", len(rows))
            return len(rows)
