"""Inline keyboards for the engine's buttons, with typed callback data."""

from __future__ import annotations

import logging

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from service.payloads import Payload
from service.replies import Button

log = logging.getLogger(__name__)


class Press(CallbackData, prefix="b", sep="|"):
    """A button press: the engine's payload `name:value` (e.g. `topic:visits`), split in two."""

    name: str
    value: str = ""

    @classmethod
    def from_payload(cls, payload: str) -> Press:
        parsed = Payload.parse(payload) or Payload("")
        return cls(name=parsed.name, value=parsed.value)

    @property
    def payload(self) -> str:
        return str(Payload(self.name, self.value))


def keyboard(buttons: list[Button]) -> InlineKeyboardMarkup | None:
    """One button a row: big targets, read top to bottom."""
    if not buttons:
        return None
    builder = InlineKeyboardBuilder()
    for button in buttons:
        try:
            data = Press.from_payload(button.payload).pack()
        except ValueError:
            # Longer than Telegram's 64 bytes, or holding the separator: a content fault.
            log.error("a button's payload cannot be sent to Telegram; left out")
            continue
        builder.button(text=button.label, callback_data=data)
    builder.adjust(1)
    return builder.as_markup()
