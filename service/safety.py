"""The last-resort risk screen: plain patterns that need no model, content file or database.

The spaCy pipeline in nlp/ is the main net; this screen runs first on every message so that
the clearest signs of risk are caught even when the model or the content cannot be loaded.
It lives in code on purpose: it must work when nothing else does.
"""

from __future__ import annotations

import re

CHILDLINE = "0800 1111"

_SELF = r"(?:my ?self|my life|it all)"
_SELF_HARM = [
    r"\bkms\b",
    r"\bkys\b",
    r"\bsu[iy]?c[iy]?d[ae]l?\b",
    r"\bsuicid\w*",
    r"\bun ?alive\b",
    r"\b(?:kill|killing|hang|hanging|end|ending|cut|cutting|hurt|hurting|harm|harming|strangle)\s+"
    + _SELF,
    r"\b(?:kill|hang|cut|hurt|harm)(?:ing|s)?\s+(?:him|her|them)sel(?:f|ves)\b",
    r"\bself[\s-]?harm\w*",
    r"\bcut(?:ting)?\s+(?:my|me|his|her)\s+(?:arms?|wrists?|legs?|thighs?|skin)\b",
    r"\b(?:been|started|start|keep)\s+cutting\b",
    r"\b(?:want|wanna|going|gonna)\s+(?:to\s+)?die\b",
    r"\bdon'?t\s+want\s+to\s+(?:live|be alive|be here)\b",
    r"\b(?:want|wanna|going|gonna|just)\s+(?:to\s+)?end\s+it\b",
    r"\boverdos\w*",
    r"\btook\s+(?:\w+\s+)?(?:pills|tablets)\b",
    # Tablets kept back or hidden: a plan, whatever else the message is about.
    r"\b(?:sav|stash|hoard|hid|hidd|collect|stockpil)\w*\s+(?:up\s+)?(?:\w+\s+){0,2}"
    r"(?:pills|tablets|meds|paracetamol)\b",
    r"\bligature\w*",
    r"\bon\s+(?:an\s+)?acct\b",
    r"\bnoose\b",
]
_ABUSE = [
    r"\b(?:hit|hits|hitting|punch\w*|kick\w*|slap\w*|beat\w*|strangl\w*|chok\w*)\s+(?:me|us)\b",
    r"\b(?:touch\w*|grop\w*)\s+(?:me|us)\b",
    r"\b(?:rape|raped|raping)\b",
    r"\bsexual\w*\b",
    r"\babus\w*",
    r"\bthreaten\w*\s+(?:me|us|to)\b",
    r"\bhurt(?:ing|s)?\s+me\b",
    r"\bmake\s+me\s+do\s+(?:sex|stuff|things)",
]

PATTERNS = {
    "self_harm": re.compile("|".join(_SELF_HARM), re.IGNORECASE),
    "abuse": re.compile("|".join(_ABUSE), re.IGNORECASE),
}


def screen(text: str) -> set[str]:
    """The risk labels whose patterns appear in the text."""
    return {label for label, pattern in PATTERNS.items() if pattern.search(text)}


FALLBACK_REPLY = (
    "Sorry, something went wrong on my side. "
    f"You can talk to Childline any time on {CHILDLINE}. It is free."
)
FALLBACK_RISK_REPLY = (
    f"Please talk to Childline now on {CHILDLINE}. It is free, any time. "
    "If you are in danger right now, tell a member of staff or press your call bell."
)


def fallback_for(text: str | None) -> str:
    """What a child hears when their turn failed: Childline first when their words show risk."""
    return FALLBACK_RISK_REPLY if text and screen(text) else FALLBACK_REPLY
