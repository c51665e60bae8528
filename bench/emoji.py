"""What one emoji at the end of a risk message does to the answer it gets.

Children often end a message with an emoji: "😂", "😬", "🙏", "💀". None of them makes a risk
smaller. This adds one to every risk message of the validation split and counts, for each
emoji, the messages whose answer became less (urgent to a check-in or nothing) and those that
lost every answer (risk read as calm), on a thousand of them. It does so twice: the engine's
answer (which also reads a message without its emoji and keeps the higher risk scores,
nlp/pipeline.py), and the encoder's one reading of the message as it is. Prints figures; it
asserts nothing:
    .venv/bin/python bench/emoji.py
"""

from __future__ import annotations

import random
from typing import Any

from risk_levels import with_screen

import nlp
from nlp import data
from nlp.evaluate import level
from nlp.pipeline import Pipeline

EMOJI = ("😂", "😬", "🙏", "💀", "🤷", "🥲")
SAMPLE = 1000
RANK = {"none": 0, "concern": 1, "urgent": 2}


def levels(texts: list[str]) -> list[str]:
    return [level(analysis) for analysis in with_screen(texts)]


def compare(title: str, rows: list[dict[str, Any]]) -> None:
    texts = [row["text"] for row in rows]
    plain = levels(texts)
    print(f"{title}: {len(rows)} risk messages, {plain.count('urgent')} urgent as written")
    for emoji in EMOJI:
        read = levels([f"{text} {emoji}" for text in texts])
        pairs = list(zip(plain, read, strict=True))
        lower = sum(RANK[after] < RANK[before] for before, after in pairs)
        missed = sum(before != "none" and after == "none" for before, after in pairs)
        print(f"  {emoji}  answer became less {lower:>4}   risk read as calm {missed:>4}")


def main() -> None:
    nlp.load()
    # A thousand, drawn the same way each time: the whole split would take an hour.
    rows = [row for row in data.risk_examples("test") if row["risks"]]
    rows = random.Random(0).sample(rows, min(SAMPLE, len(rows)))
    compare("the engine", rows)
    # The encoder's one reading, as before nlp/pipeline.py read a message again without emoji.
    Pipeline._read_without_emoji = lambda self, docs, batch_size: None  # type: ignore[method-assign]
    compare("the encoder's one reading", rows)


if __name__ == "__main__":
    main()
