"""Reading the training and held-out examples kept in content/training."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import content

TRAINING = Path(content.__file__).parent / "training"
CONFIG = Path(__file__).parent / "config.cfg"
# Topic examples kept apart from every choice made about the model: only `evaluate` reads them.
BLIND_TOPICS = "blind_topics.jsonl"
BLIND_RISKS = "blind_risks.jsonl"
# What an emoji means, in words the encoder knows: children say a lot with them.
EMOJI = "emoji.jsonl"


def read(pattern: str, root: Path = TRAINING) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in sorted(root.glob(pattern)):
        rows.extend(json.loads(line) for line in path.read_text().splitlines() if line.strip())
    return rows


def examples(split: str, root: Path = TRAINING) -> list[dict[str, Any]]:
    """Every row of a split ("train" or "test"); each may carry topic, risks, role, distress."""
    return read(f"*.{split}.jsonl", root)


def topic_examples(split: str, root: Path = TRAINING) -> list[dict[str, Any]]:
    """Rows with a topic and no risk: the ordinary messages topic figures are measured on."""
    return [row for row in examples(split, root) if "topic" in row and not row.get("risks")]


def risk_examples(split: str, root: Path = TRAINING) -> list[dict[str, Any]]:
    return [row for row in examples(split, root) if "risks" in row]


def normalise(text: str) -> str:
    """What the encoder reads: emoji in words (its vocabulary has none), spacing tidied."""
    for emoji, words in _emoji_words().items():
        if emoji in text:
            text = text.replace(emoji, f" {words} ")
    return " ".join(text.split())


@functools.cache
def _emoji_words() -> dict[str, str]:
    rows = read(EMOJI)
    return {row["emoji"]: row["words"] for row in rows}


def fingerprint(root: Path = TRAINING) -> str:
    """A hash of everything training reads, so a model knows when it is out of date."""
    digest = hashlib.sha256()
    # The thresholds in [decisions] are chosen after training, so they do not retrain it.
    settings = CONFIG.read_text().split("\n[decisions]")[0]
    digest.update(settings.encode())
    # The code that shapes what the encoder learns; the rest of nlp/ can change freely.
    code = [Path(__file__).parent / name for name in ("data.py", "encoder.py", "train.py")]
    # Training never reads the blind sets, so they are not part of what it was made from.
    read = [path for path in sorted(root.glob("*.jsonl")) if not path.name.startswith("blind_")]
    for path in [*read, *code]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def common_words(root: Path = TRAINING) -> frozenset[str]:
    """Words children use in the training messages, written in lower case.

    A word after "im" or "its me" counts as a name only when it is not one of these.
    A surname the training messages give after "mr" or "mrs" ("mr testperson") is a name
    there too, so it is not counted: otherwise "Ada Testperson" would lose only "Ada".
    """
    counts: dict[str, int] = {}  # a dict keeps first-seen order, for a stable stamp
    surnames: set[str] = set()
    for row in read("*.train.jsonl", root):
        surnames.update(match.group(1).lower() for match in _AFTER_TITLE.finditer(row["text"]))
        for word in row["text"].replace("'", " ").split():
            word = word.strip('.,!?"():;')
            if word.isalpha() and word.islower():
                counts[word] = counts.get(word, 0) + 1
    return frozenset(word for word in counts if word not in surnames)


# A title and the surname after it: "mr testperson", "Mrs Quill".
_AFTER_TITLE = re.compile(r"\b(?:mr|mrs|ms|dr)\.?\s+([a-z][a-z'-]+)", re.IGNORECASE)
