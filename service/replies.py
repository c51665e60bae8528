"""What the engine sends back: text with buttons, the same for every channel."""

from __future__ import annotations

from pydantic import BaseModel, Field


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
