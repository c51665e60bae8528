"""What the engine sends back: text with buttons, the same for every channel."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator

# Control characters (NUL above all) reach no database: PostgreSQL refuses NUL in text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Button(BaseModel):
    label: str
    payload: str


class Reply(BaseModel):
    text: str
    buttons: list[Button] = Field(default_factory=list)


class Inbound(BaseModel):
    """One message from a user: typed text, or the payload of a button they pressed."""

    text: str | None = None
    payload: str | None = None

    @field_validator("text", "payload")
    @classmethod
    def _clean(cls, value: str | None) -> str | None:
        """Every channel builds an Inbound, so this is the edge where text is cleaned. A control
        character becomes a space: "kill<NUL>myself" still reads as two words, and "hi<NUL>there"
        is not read as one unknown word."""
        return _CONTROL.sub(" ", value) if value is not None else None
