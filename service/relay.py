"""The relay: an advocate's reply reaches the child's channel, addressed by pseudonym only.

So do Rightsline's own words about the referral (the advocate has finished): they travel the
same way, shown as they are rather than as the advocate's, with the buttons they name.

Web chats read their messages by polling the chat API; channels that push (Telegram)
register a sender here, which is given the decrypted route and the reply to show (its words
and any buttons). A message a push did not deliver (the channel runs in another process, or
the send failed) is `undelivered` until the channel tries it again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import Engine as Database
from sqlmodel import Session

from service import storage
from service.crypto import Keys
from service.models import Chat, RelayMessage, utcnow
from service.replies import Reply

log = logging.getLogger(__name__)

Sender = Callable[[str, Reply], Awaitable[None]]

# Younger messages may still be on their way from the dashboard's own delivery.
SETTLE = timedelta(seconds=30)
# Past this, a chat that cannot be reached (the bot was blocked) stops being tried.
GIVE_UP = timedelta(days=1)


class Relay:
    def __init__(
        self, *, database: Database, keys: Keys, shown: Callable[[str, str], Reply]
    ) -> None:
        self.database = database
        self.keys = keys
        # How a message reaches the child, from who sent it and its words ("Your advocate
        # says: ...", or Rightsline's own with its buttons): the engine's, as the web sees it.
        self.shown = shown
        self._senders: dict[str, Sender] = {}

    def register(self, channel: str, send: Sender) -> None:
        """A pushing channel: `send(route, reply)` delivers to the decrypted route."""
        self._senders[channel] = send

    async def deliver(self, message_id: int) -> bool:
        """Push one message for the child now if its channel pushes; web chats poll instead."""
        found = await asyncio.to_thread(self._route_for, message_id)
        if found is None:
            return False
        channel, route, sender, text = found
        send = self._senders.get(channel)
        if send is None or route is None:
            return False
        try:
            await send(route, self.shown(sender, text))
        except Exception as error:  # noqa: BLE001 - kept for polling or a later try
            log.error("relay to %s failed: %s", channel, type(error).__name__)
            return False
        await asyncio.to_thread(self._mark_delivered, message_id)
        return True

    async def undelivered(self, channel: str) -> list[int]:
        """Advocate messages to this channel that did not go out: old enough not to be on
        their way still, young enough to be worth trying again. Oldest first."""
        return await asyncio.to_thread(self._undelivered, channel)

    def _undelivered(self, channel: str) -> list[int]:
        now = utcnow()
        with Session(self.database) as session:
            return storage.undelivered(
                session=session, channel=channel, after=now - GIVE_UP, before=now - SETTLE
            )

    def _route_for(self, message_id: int) -> tuple[str, str | None, str, str] | None:
        with Session(self.database) as session:
            message = session.get(RelayMessage, message_id)
            if message is None or message.session_id is None:
                return None
            chat = session.get(Chat, message.session_id)
            if chat is None:
                return None
            route = self.keys.decrypt_route(chat.route) if chat.route else None
            return chat.channel, route, message.sender, message.text

    def _mark_delivered(self, message_id: int) -> None:
        with Session(self.database) as session:
            message = session.get(RelayMessage, message_id)
            if message is not None:
                storage.mark_delivered(session=session, messages=[message])
                session.commit()
