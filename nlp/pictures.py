"""What counts as a picture in a message: an emoji, its skin tone, and what joins emoji."""

from __future__ import annotations

import unicodedata

# Unicode's other symbols (emoji) and modifiers (skin tones); the zero-width joiner and the
# variation selector that make one emoji of several ("😶‍🌫️").
_KINDS = ("So", "Sk")
JOINERS = "\u200d\ufe0f"


def is_picture(ch: str) -> bool:
    return ch in JOINERS or unicodedata.category(ch) in _KINDS


def has_pictures(text: str) -> bool:
    # Most messages are plain ASCII: they are not looked at a character at a time.
    return not text.isascii() and any(is_picture(ch) for ch in text)
