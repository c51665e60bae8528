"""What `analyse` returns: labels for one message and a redacted copy of it."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from content.schema import SUBJECT_LABELS, TOPIC_LABELS

TOPICS = TOPIC_LABELS  # the contract's labels, kept in content/ (docs/architecture.md)
SUBJECTS = SUBJECT_LABELS  # those, and the finer subjects the model tells apart
# What the risk screen and the model's risk heads can name.
Risk = Literal["self_harm", "abuse"]
RISKS: tuple[Risk, ...] = get_args(Risk)


class Entity(BaseModel):
    """A personal detail found in the text: its kind and where it was, never its words."""

    model_config = ConfigDict(frozen=True)

    label: str
    start: int
    end: int


class Analysis(BaseModel):
    model_config = ConfigDict(frozen=True)

    topic: str = "other"
    # The finer subject ("phone_calls"), or the topic itself; `topic` is what it is reported as.
    subject: str = "other"
    topic_score: float = 0.0
    # The labels at or above the urgent threshold, or named by a risk pattern.
    risks: list[str] = Field(default_factory=list)
    # Those of them a risk phrase in content/training/patterns.jsonl named, whatever the scores.
    rule_risks: list[str] = Field(default_factory=list)
    risk_scores: dict[str, float] = Field(default_factory=dict)
    # Sad or scared words with no named risk, as the encoder reads them (0..1).
    distress: float = 0.0
    # No urgent risk, but a score between the thresholds or distress: ask "are you safe?".
    concern: bool = False
    role: str | None = None
    setting: str | None = None
    redacted: str = ""
    entities: list[Entity] = Field(default_factory=list)
