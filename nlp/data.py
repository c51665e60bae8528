"""Reading the training and held-out examples kept in content/training."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import content

TRAINING = Path(content.__file__).parent / "training"
CONFIG = Path(__file__).parent / "config.cfg"
# Topic examples kept apart from every choice made about the model: only `evaluate` reads them.
BLIND_TOPICS = "blind_topics.jsonl"
BLIND_RISKS = "blind_risks.jsonl"


def read(pattern: str, root: Path = TRAINING) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in sorted(root.glob(pattern)):
        rows.extend(json.loads(line) for line in path.read_text().splitlines() if line.strip())
    return rows


def topic_examples(split: str, root: Path = TRAINING) -> list[dict[str, Any]]:
    return read(f"topics*.{split}.jsonl", root)


def risk_examples(split: str, root: Path = TRAINING) -> list[dict[str, Any]]:
    return read(f"risks*.{split}.jsonl", root)


def fingerprint(root: Path = TRAINING) -> str:
    """A hash of everything training reads, so a model knows when it is out of date."""
    digest = hashlib.sha256()
    for path in [
        CONFIG,
        *sorted(root.glob("*.jsonl")),
        *sorted(Path(__file__).parent.glob("*.py")),
    ]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def common_words(root: Path = TRAINING) -> frozenset[str]:
    """Words children use in the training messages, written in lower case.

    A word after "im" or "its me" counts as a name only when it is not one of these.
    """
    counts: dict[str, int] = {}  # a dict keeps first-seen order, for a stable stamp
    for row in read("*.train.jsonl", root):
        for word in row["text"].replace("'", " ").split():
            word = word.strip('.,!?"():;')
            if word.isalpha() and word.islower():
                counts[word] = counts.get(word, 0) + 1
    return frozenset(counts)
