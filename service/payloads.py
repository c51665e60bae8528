"""A button's payload, `name` or `name:value` (e.g. `topic:visits`): spelled here once.

Channels send the payload of a pressed button back as text; the engine parses it once, where
it comes in, and builds every button's payload from the names below.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Payload:
    name: str
    value: str = ""

    @classmethod
    def parse(cls, text: str | None) -> Payload | None:
        """The payload a channel sent back; None when no button was pressed."""
        if text is None:
            return None
        name, _, value = text.partition(":")
        return cls(name, value)

    def __str__(self) -> str:
        return f"{self.name}:{self.value}" if self.value else self.name


START = Payload("start")
MENU = Payload("menu")
MORE = Payload("more")
ACTIONS = Payload("actions")
TALK = Payload("talk")
PRIVACY = Payload("privacy")
FORGET = Payload("forget")  # asks "are you sure?"
FORGET_YES = Payload("forget", "yes")
FORGET_NO = Payload("forget", "no")
SAFE_YES = Payload("safe", "yes")
SAFE_NO = Payload("safe", "no")
ADVOCATE_YES = Payload("advocate", "yes")
ADVOCATE_NO = Payload("advocate", "no")
# No button carries these two: typed words become them (service/engine.py, intents.yaml).
HELP = Payload("help")  # "help": what Rightsline can do, Childline's number, the menu
DECLINE = Payload("decline")  # "no" to an offer on screen
# Payloads that carry a value chosen at run time: their names.
ROLE = "role"
SETTING = "setting"
TOPIC = "topic"
ACTION = "action"
UNSURE = "unsure"  # the value of `setting:unsure`: "I don't know what kind of place"


def role(name: str) -> Payload:
    return Payload(ROLE, name)


def setting(kind: str) -> Payload:
    return Payload(SETTING, kind)


def topic(name: str) -> Payload:
    return Payload(TOPIC, name)


def action(route: str) -> Payload:
    return Payload(ACTION, route)
