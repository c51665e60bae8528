"""Reading the training and held-out examples kept in content/training."""

from __future__ import annotations

import functools
import hashlib
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import content

TRAINING = Path(content.__file__).parent / "training"
CONFIG = Path(__file__).parent / "config.cfg"
# Topic examples kept apart from every choice made about the model: only `evaluate` reads them.
BLIND_TOPICS = "blind_topics.jsonl"
BLIND_RISKS = "blind_risks.jsonl"
# What an emoji means, in words the encoder knows: children say a lot with them. "tone" marks
# one that sets a tone and changes no meaning (😂, 🙏, 😬); "harm" one that tells of hurt, of a
# way to hurt, or of feeling bad (🔪, 🩸, 😭).
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
    if not text.isascii():
        for emoji, words in _emoji_words().items():
            if emoji in text:
                text = text.replace(emoji, f" {words} ")
        text = "".join(_unlisted(ch) for ch in text)
    return " ".join(text.split())


def tone_words() -> list[str]:
    """The words of the emoji that set a tone and change no meaning (😂, 🙏, 😬): training adds
    them to messages, so the model learns that a risk told with a laugh is still a risk."""
    return sorted({row["words"] for row in read(EMOJI) if row.get("tone")})


@functools.cache
def harm_emoji() -> frozenset[str]:
    """The emoji that tell of hurt: a message is read again with these alone (nlp/pipeline.py)."""
    return frozenset(row["emoji"] for row in read(EMOJI) if row.get("harm"))


@functools.cache
def _emoji_words() -> dict[str, str]:
    rows = read(EMOJI)
    return {row["emoji"]: row["words"] for row in rows}


# Words in emoji names that say nothing about what one means.
_FILLER = {"face", "with", "sign", "symbol", "of", "and"}


@functools.cache
def _unlisted(ch: str) -> str:
    """An emoji not in emoji.jsonl is read by its Unicode name ("🥵", OVERHEATED FACE, becomes
    "overheated"): the encoder never meets a picture as a word it does not know. Skin tones,
    joiners and flags carry no meaning here and are left out."""
    if (
        ch in "\u200d\ufe0f"
        or "\U0001f1e6" <= ch <= "\U0001f1ff"
        or "\U0001f3fb" <= ch <= "\U0001f3ff"
    ):
        return " "
    if unicodedata.category(ch) != "So":
        return ch
    words = [w for w in unicodedata.name(ch, "").lower().split() if w not in _FILLER]
    return f" {' '.join(words)} "


def fingerprint(root: Path = TRAINING) -> str:
    """A hash of everything the encoder learns from, so a model knows when to be trained again:
    its settings, the training examples, the emoji words, and the code that shapes them."""
    # Only [encoder] shapes training: spaCy's part ([base]) and the thresholds ([decisions])
    # are put together and chosen after it.
    code = [Path(__file__).parent / name for name in ("data.py", "encoder.py", "train.py")]
    return _digest(
        config_section("encoder"), [*sorted(root.glob("*.train.jsonl")), root / EMOJI, *code]
    )


def checks_fingerprint(patterns: list[dict[str, Any]], root: Path = TRAINING) -> str:
    """A hash of what is put together around the encoder and checked with it: spaCy's part
    ([base]), the thresholds ([decisions]), the phrase rules (`patterns`, place names included)
    and the validation examples its card is measured on. When only these change, the pipeline
    and the card are rebuilt in a minute, with no training."""
    settings = config_section("base") + config_section("decisions")
    rules = settings + json.dumps(patterns, sort_keys=True)
    # The blind sets are read by `evaluate` alone: they never shape or check the model.
    return _digest(rules, sorted(root.glob("*.test.jsonl")))


def config_section(name: str) -> str:
    """One section of config.cfg as written, from its [name] line to the next section."""
    lines, inside = [], False
    for line in CONFIG.read_text().splitlines():
        if line.startswith("["):
            inside = line.strip() == f"[{name}]"
        if inside:
            lines.append(line)
    return "\n".join(lines)


def _digest(text: str, paths: list[Path]) -> str:
    digest = hashlib.sha256(text.encode())
    for path in paths:
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
