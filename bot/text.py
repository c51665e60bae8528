"""Splitting long replies at Telegram's limit, at the gentlest break that fits."""

from __future__ import annotations

# Telegram counts a message's length in UTF-16 code units, not characters.
MESSAGE_LIMIT = 4096
BREAKS = ("\n\n", "\n", ". ", " ")


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fitting(text: str, limit: int) -> str:
    """The longest start of `text` that fits in `limit` units (never half an emoji)."""
    total = 0
    for index, char in enumerate(text):
        total += 2 if ord(char) > 0xFFFF else 1
        if total > limit:
            return text[:index]
    return text


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pieces of at most `limit` units, broken at a paragraph, line, sentence or word."""
    pieces: list[str] = []
    rest = text.strip()
    while units(rest) > limit:
        head = _fitting(rest, limit)
        cut = len(head)
        for mark in BREAKS:
            at = head.rfind(mark)
            # A break in the first half would leave a tiny piece; look for a smaller break.
            if at > len(head) // 2:
                cut = at + len(mark)
                break
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    return pieces
