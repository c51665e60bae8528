"""Advocate replies to Telegram chats that did not go out at once, sent again on a timer.

This covers the bot running in another process from the dashboard (`rightsline bot`),
and a send that failed (Telegram down, say): the relay keeps those undelivered.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import Engine as Database
from sqlmodel import Session, col, select

from service.models import ChatSession, RelayMessage, utcnow
from service.relay import Relay

log = logging.getLogger(__name__)

EVERY_SECONDS = 15
# Younger messages may still be on their way from the dashboard's own delivery.
SETTLE = timedelta(seconds=30)
# Past this, a chat that cannot be reached (the bot was blocked) stops being tried.
GIVE_UP = timedelta(days=1)


def undelivered(database: Database) -> list[int]:
    now = utcnow()
    with Session(database) as session:
        rows = session.exec(
            select(RelayMessage.id)
            .join(ChatSession, col(RelayMessage.session_id) == col(ChatSession.id))
            .where(
                RelayMessage.sender == "advocate",
                col(RelayMessage.delivered_at).is_(None),
                ChatSession.channel == "telegram",
                col(RelayMessage.created_at) < now - SETTLE,
                col(RelayMessage.created_at) > now - GIVE_UP,
            )
            .order_by(col(RelayMessage.id))
        ).all()
    return [row for row in rows if row is not None]


async def redeliver(database: Database, relay: Relay) -> int:
    """Try each waiting message once; how many went out."""
    sent = 0
    for message_id in await asyncio.to_thread(undelivered, database):
        sent += await relay.deliver(message_id)
    return sent


async def keep_redelivering(database: Database, relay: Relay) -> None:
    """Runs beside the bot until cancelled."""
    while True:
        await asyncio.sleep(EVERY_SECONDS)
        try:
            await redeliver(database, relay)
        except Exception as error:  # noqa: BLE001 - try again next time
            log.error("redelivery failed: %s", type(error).__name__)
