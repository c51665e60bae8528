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
    # Urgent: the labels at or above the urgent threshold, stated by a risk phrase, or named
    # by one in a message the model also finds worrying (`screened`).
    risks: list[str] = Field(default_factory=list)
    # The labels a risk phrase in content/training/patterns.jsonl stated or named.
    rule_risks: list[str] = Field(default_factory=list)
    risk_scores: dict[str, float] = Field(default_factory=dict)
    # Sad or scared words with no named risk, as the encoder reads them (0..1).
    distress: float = 0.0
    # The model's own unease: a risk score or distress at or above its check-in threshold.
    uneasy: bool = False
    # The model reads risk in the message: a risk score at or above `named_urgent`, enough to
    # make a risk a phrase only names ("self harm") urgent.
    reads_risk: bool = False
    # No urgent risk, but the model's unease: ask "are you safe?".
    concern: bool = False
    # The risks that unease is about, where it is about one: a score at or above its check-in
    # threshold, or a phrase that hints at or names it. Empty for distress alone. A "No" to
    # "are you safe?" is referred with these labels.
    worries: list[str] = Field(default_factory=list)
    # A risk a phrase only names ("self harm", "on an ACCT") in a message the model reads as
    # calm, such as a question about the rules: the ordinary answer, with Childline's number.
    names_risk: bool = False
    # Self-harm told as past and over ("used to cut, clean a year now", nlp/over.py): the
    # Childline line thanks them and says where to go if it comes back.
    over: bool = False
    # A short message whose only risk words are said not to be so ("no one is hurting me"): a
    # check-in here thanks the child rather than saying sorry that things feel hard.
    denied: bool = False
    # A goodbye for a release or a move (nlp/leaving.py): a check-in here wishes them well
    # rather than saying sorry that things feel hard.
    leaving: bool = False
    role: str | None = None
    # The role the words themselves say ("my son": family), not the encoder's guess.
    role_said: str | None = None
    setting: str | None = None
    redacted: str = ""
    entities: list[Entity] = Field(default_factory=list)

    def screened(self, *, stated: set[str], named: set[str]) -> Analysis:
        """This analysis with the risks a screen found in the words: those `stated` are urgent;
        those only `named` ("self harm", "abuse") are urgent when the model reads risk in the
        message too, ask "are you safe?" when it is uneasy, and otherwise get the ordinary
        answer with Childline's number (`names_risk`): a calm question about self-harm is not
        a crisis, but it is never answered without the number."""
        risks = set(self.risks) | stated | (named if self.reads_risk else set())
        concern = not risks and (self.concern or self.uneasy)
        names_risk = not risks and not concern and (self.names_risk or bool(named))
        worries = (set(self.worries) | named) if concern else set()
        return self.model_copy(
            update={
                "risks": sorted(risks),
                "concern": concern,
                "names_risk": names_risk,
                "worries": sorted(worries),
            }
        )
