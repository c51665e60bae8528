"""Advocate replies to Telegram chats that did not go out at once, sent again on a timer.

This covers the bot running in another process from the dashboard (`rightsline bot`),
and a send that failed (Telegram down, say): the relay keeps those undelivered.
"""

from __future__ import annotations

import asyncio
import logging

from bot.turns import CHANNEL
from service.relay import Relay

log = logging.getLogger(__name__)

EVERY_SECONDS = 15


async def redeliver(relay: Relay) -> int:
    """Try each waiting message once; how many went out."""
    sent = 0
    for message_id in await relay.undelivered(CHANNEL):
        sent += await relay.deliver(message_id)
    return sent


async def keep_redelivering(relay: Relay) -> None:
    """Runs beside the bot until cancelled."""
    while True:
        await asyncio.sleep(EVERY_SECONDS)
        try:
            await redeliver(relay)
        except Exception as error:  # noqa: BLE001 - try again next time
            log.error("redelivery failed: %s", type(error).__name__)
