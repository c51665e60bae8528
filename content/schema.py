"""The shape of every content file, and the fixed lists its values come from."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

# The topic labels of the contract (docs/architecture.md): stable, other tools rely on them.
# Eight carry rights content; "greeting" and "other" are answered by the engine's own messages.
ReportedTopic = Literal[
    "separation",
    "restraint",
    "complaints",
    "appeals",
    "visits",
    "advocate",
    "helpline",
    "privacy",
]
REPORTED_TOPICS: tuple[ReportedTopic, ...] = get_args(ReportedTopic)
TopicLabel = Literal[ReportedTopic, "greeting", "other"]
TOPIC_LABELS: tuple[TopicLabel, ...] = (*REPORTED_TOPICS, "greeting", "other")
# Subjects finer than those ten. The model tells them apart and content answers them; outside
# the conversation (referrals, figures, the API, `nlp analyse`'s topic) each is reported as
# the contract's topic it belongs to, so the contract stays as it is.
Subject = Literal[
    "adjudications",
    "sentence_appeals",
    "phone_calls",
    "incentives",
    "education",
    "legal_advice",
    "imb",
]
REPORTED_AS: dict[Subject, TopicLabel] = {
    "adjudications": "appeals",
    "sentence_appeals": "appeals",
    "phone_calls": "visits",
    "incentives": "other",
    "education": "other",
    "legal_advice": "other",
    "imb": "complaints",
}
# What the model's topic head names: the contract's topics and the finer subjects.
SUBJECT_LABELS: tuple[str, ...] = (*TOPIC_LABELS, *get_args(Subject))
# The topics and subjects that have a content file in content/data/topics: the contract's eight
# and the finer subjects. The menu and the contract keep to REPORTED_TOPICS.
ContentTopic = Literal[ReportedTopic, Subject]
CONTENT_TOPICS: tuple[str, ...] = get_args(ContentTopic)


def reported_topic(label: str) -> str:
    """The contract's topic for a topic or subject label ("phone_calls" -> "visits")."""
    return REPORTED_AS.get(label, label)  # type: ignore[call-overload]


# Who is writing: the audiences content is written for are the roles a chat can have.
Audience = Literal["child", "family", "professional"]
AUDIENCES: tuple[Audience, ...] = get_args(Audience)
Role = Audience
ROLES = AUDIENCES
# The kinds of place a child can be held in (content/data/places.yaml).
PlaceKind = Literal["yoi", "stc", "secure_school", "sch", "hospital"]
PLACE_KINDS: tuple[PlaceKind, ...] = get_args(PlaceKind)
# The nations whose rules Rightsline knows; a place is in one, a body may serve only some.
Nation = Literal["england", "wales"]
NATIONS: tuple[Nation, ...] = get_args(Nation)
Route = Literal[
    "advocate",
    "childline",
    "complaint",
    "imb",
    "ppo",
    "howard_league",
    "solicitor",
    "childrens_commissioner",
    "childrens_commissioner_wales",
    "ombudsman_wales",
    "samaritans",
    "shout",
    "nyas",
    "coram_voice",
    "families_helpline",
    "nspcc",
    "help_with_prison_visits",
    "lgsco",
    "imha",
    "tribunal",
    "ask_staff",
    "health",
    "forget_me",
]
# The helpline behind a route, when there is one: its number goes with the button.
ROUTE_HELPLINES: dict[str, str] = {
    "childline": "childline",
    "samaritans": "samaritans",
    "shout": "shout",
    "howard_league": "howard_league",
    "childrens_commissioner": "help_at_hand",
    "childrens_commissioner_wales": "childrens_commissioner_wales",
    "ombudsman_wales": "ombudsman_wales",
    "nyas": "nyas",
    "coram_voice": "coram_voice",
    "families_helpline": "prisoners_families",
    "nspcc": "nspcc",
    "help_with_prison_visits": "help_with_prison_visits",
    "lgsco": "lgsco",
}
Confidence = Literal["confirmed", "unconfirmed"]
# What typed words can mean, besides a question for the model (data/intents.yaml): a button
# ("talk", "forget", "menu", "start", "help", "privacy", "more", "actions") or an answer to
# the question on screen ("yes", "no", "unsure").
Intent = Literal[
    "talk", "forget", "menu", "start", "help", "privacy", "more", "actions", "yes", "no", "unsure"
]
INTENTS: tuple[Intent, ...] = get_args(Intent)
# What a typed "yes" takes after a bubble that offers something (a step's `offer`): the talk
# button's question, the next "tell me more" step, "what can I do?", or "where are you?".
Offer = Literal["talk", "more", "actions", "setting"]
OFFERS: tuple[Offer, ...] = get_args(Offer)

# Every key in messages.yaml: what the engine and the channels say. `content check` reports a
# key missing from messages.yaml, or one in it that nothing says; Library.message() refuses a
# key that is not listed here, so no code can say a line this list does not name.
# What an advocate records when closing a referral; the words for each are "outcome_<key>".
Outcome = Literal[
    "advice_given",
    "complaint_made",
    "passed_to_legal_help",
    "safeguarding_referral_made",
    "no_reply_from_child",
    "child_withdrew",
    "other",
]

MESSAGE_KEYS: tuple[str, ...] = (
    "greeting",
    "adult_greeting",
    "ask_role",
    *(f"ask_setting_{audience}" for audience in AUDIENCES),
    "setting_set",
    "setting_unsure",
    # A place named in words: what kind it is, a new name, in Wales, or no longer for children.
    "place_known",
    "place_renamed",
    "place_in_wales",
    "place_closed",
    "adult_place_closed",
    "menu_child",
    "menu_family",
    "not_understood",
    "adult_not_understood",
    "empty",
    "long_message",
    "more_done",
    "actions_intro",
    "no_answer",
    "crisis_self_harm",
    "crisis_abuse",
    "crisis_danger",
    "crisis_still_here",
    "crisis_advocate",
    "crisis_not_safe",
    "risk_words_not_kept",
    "asked_to_talk_note",
    "not_safe_note",
    "check_in",
    "check_in_denied",
    "check_in_leaving",
    "check_in_ask",
    "risk_named",
    "risk_told_over",
    "safe_yes",
    "crisis_no_advocate",
    "crisis_staff_yoi",
    "crisis_staff",
    "crisis_staff_wales",
    "crisis_staff_nurse",
    "crisis_staff_no_advocate",
    "adult_crisis",
    "adult_crisis_still_here",
    "adult_crisis_place",
    "adult_crisis_nspcc",
    "adult_crisis_advocate",
    "adult_crisis_restraint",
    "adult_crisis_professional",
    "adult_crisis_no_advocate",
    "adult_check_in",
    "adult_check_in_ask",
    "adult_risk_named",
    "adult_button_safe_yes",
    "adult_safe_yes",
    "talk",
    "talk_consent",
    "talk_childline",
    *(f"advocate_yes_{channel}" for channel in ("web", "kiosk", "telegram", "console")),
    "advocate_wait_web",
    "advocate_wait_kiosk",
    "advocate_yes_note",
    "advocate_no",
    "forget_ask",
    "forget_done",
    "forget_no",
    "referral_forgotten",
    "help",
    "offer_no",
    "chat_gone",
    "unreadable",
    "flood",
    "busy",
    "error",
    "bad_button",
    "web_offline",
    "web_server_problem",
    "web_not_sent",
    "web_will_send",
    "advocate_said",
    "passed_to_advocate",
    "advocate_finished",
    "advocate_closed_unanswered",
    "advocate_changed",
    *(f"page_{part}_{page}" for page in ("child", "family") for part in ("title", "tagline")),
    "buttons_only",
    *(f"command_{name}" for name in ("start", "help", "privacy", "forget")),
    *(f"button_{audience}" for audience in AUDIENCES),
    "button_unsure",
    "button_more",
    "button_actions",
    "button_talk",
    "button_menu",
    "button_yes",
    "button_no",
    "button_forget",
    "button_keep",
    "button_safe_yes",
    "button_safe_no",
    # A button for each topic on the menu, which shows the contract's eight, never a subject.
    *(f"topic_{topic}" for topic in REPORTED_TOPICS),
    *(f"place_{setting}" for setting in PLACE_KINDS),
    *(f"outcome_{outcome}" for outcome in get_args(Outcome)),
    # Shown to advocates on the queue: each risk (nlp's labels) and who wrote in, in words.
    "risk_self_harm",
    "risk_abuse",
    *(f"role_{role}" for role in AUDIENCES),
)


class Strict(BaseModel):
    """A content record: unknown fields are refused, values never change after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# ---- data files -------------------------------------------------------------


class Source(Strict):
    """Where a fact comes from (sources.yaml)."""

    id: str = ""
    title: str
    # The page or document that says the thing, never a site's home page; None when no such
    # page is known, and then `note` says so.
    url: str | None = None
    checked: dt.date
    confidence: Confidence = "confirmed"
    # A charity's or campaign's view of what should happen, not a rule: text citing it is
    # written as "we think ...", never as a right.
    campaign: bool = False
    note: str | None = None


class Step(Strict):
    """One short bubble of text; a bubble that states a rule names its source."""

    text: str = Field(min_length=1)
    source: str | None = None
    # What a typed "yes" takes after this bubble, when it offers something.
    offer: Offer | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value


class ActionData(Strict):
    """A 'what you can do now' button as written in a topic file."""

    route: Route
    label: str = Field(min_length=1, max_length=25)
    text: str = Field(min_length=1)
    source: str | None = None


class WelshAnswerData(Strict):
    """An answer's variant for a child in Wales: each part written here replaces its own."""

    first: list[Step] | None = Field(default=None, min_length=1, max_length=3)
    more: list[Step] | None = None
    actions: list[ActionData] | None = None


class AnswerData(Strict):
    """One answer in a topic file: for one audience, everywhere or in some kinds of place."""

    audience: Audience
    settings: list[PlaceKind] | None = None
    first: list[Step] = Field(min_length=1, max_length=3)
    more: list[Step] = Field(default_factory=list)
    actions: list[ActionData] = Field(default_factory=list)
    # What a child in a place in Wales gets instead (Welsh bodies, never England-only ones).
    wales: WelshAnswerData | None = None

    def for_wales(self) -> AnswerData:
        """This answer as read in Wales: the Welsh parts in place of its own."""
        if self.wales is None:
            return self
        changes = {k: v for k, v in self.wales.model_dump(exclude_none=True).items()}
        return AnswerData.model_validate(
            {**self.model_dump(exclude={"wales"}), **changes, "wales": None}
        )


class TopicFile(Strict):
    """A topic file in data/topics/."""

    topic: str
    reviewed: dt.date
    family_reads_child: bool = False
    # Words every answer in this topic must contain, e.g. "last resort" for restraint.
    every_answer_says: list[str] = Field(default_factory=list)
    # One right, said after the crisis lines when a risk message is about this topic.
    crisis_line: Step | None = None
    answers: list[AnswerData] = Field(min_length=1)


class HelplineData(Strict):
    """A helpline as written in helplines.yaml."""

    name: str
    number: str | None
    contact: Literal["call", "text"] = "call"
    text_word: str | None = None
    hours: str
    cost: str
    who_for: str
    on_phone_bill: bool | None = None
    source: str
    checked: dt.date
    confidence: Confidence = "confirmed"
    note: str | None = None
    # Where it helps; left out, England and Wales. A body for England only is never named in
    # an answer for Wales.
    nations: list[Nation] = Field(default_factory=lambda: list(NATIONS), min_length=1)
    # The words answers use to name it ("Coram Voice"), to find where it is named.
    called: list[str] = Field(default_factory=list)


class KindData(Strict):
    """A kind of secure setting as written in places.yaml."""

    name: str
    child_name: str
    ages: str
    rules: str
    sources: list[str] = Field(min_length=1)
    note: str | None = None
    # Phrases that say a child is in this kind of place ("on a ward").
    words: list[str] = Field(default_factory=list)
    # What it is, for someone who asks ("what is a yoi"), and the names they ask it by.
    explained: str
    asked_as: list[str] = Field(min_length=1)


class EstablishmentData(Strict):
    """A place that holds (or held) children, and its kind."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=32)
    name: str
    kind: PlaceKind
    nation: Nation = "england"
    aliases: list[str] = Field(default_factory=list)
    former_names: list[str] = Field(default_factory=list)
    holds_children: bool = True
    source: str
    note: str | None = None


class SettingsFile(Strict):
    """places.yaml: the kinds of place and the establishments."""

    checked: dt.date
    kinds: dict[PlaceKind, KindData]
    establishments: list[EstablishmentData]
    # "what is {kind}": the ways of asking what a kind of place is.
    kind_questions: list[str] = Field(default_factory=list)
    not_places: list[str] = Field(default_factory=list)


class CrisisWords(Strict):
    """crisis_words.yaml: words that change what someone at risk is told."""

    staff: list[str] = Field(min_length=1)
    not_staff: list[str] = Field(default_factory=list)
    restraint: list[str] = Field(min_length=1)


class IntentsFile(Strict):
    """intents.yaml: the phrases that mean each intent, and words to pass over when matching."""

    ignore: list[str] = Field(default_factory=list)
    intents: dict[Intent, list[str]]


class GlossaryEntry(Strict):
    """A hard word and its meaning in plain words."""

    meaning: str
    also: list[str] = Field(default_factory=list)


# ---- what the rest of the project reads ---------------------------------------


class Action(Strict):
    """A button under an answer: where it leads and what the child is told."""

    route: Route
    label: str
    text: str
    helpline: str | None = None


class Answer(Strict):
    """An answer ready to show: first reply, 'tell me more' steps, then actions."""

    topic: str
    audience: Audience
    settings: tuple[PlaceKind, ...] | None
    first: list[str]
    more: list[str]
    actions: list[Action]
    # What a typed "yes" takes after the first reply, and after each "tell me more" step.
    first_offer: Offer | None = None
    more_offers: tuple[Offer | None, ...] = ()


class Helpline(Strict):
    """A helpline with its number in display form and where the facts come from."""

    id: str
    name: str
    number: str | None
    contact: Literal["call", "text"]
    text_word: str | None
    hours: str
    cost: str
    who_for: str
    on_phone_bill: bool | None
    source: str
    checked: dt.date
    confidence: Confidence
    note: str | None
    nations: list[Nation]
    called: list[str]


class Kind(Strict):
    """A kind of secure setting."""

    id: str
    name: str
    child_name: str
    ages: str
    rules: str
    sources: list[str]
    note: str | None
    words: list[str]
    explained: str
    asked_as: list[str]


class Establishment(Strict):
    """A place that holds (or held) children: its kind, its nation and the names it goes by."""

    id: str
    name: str
    kind: PlaceKind
    nation: Nation
    aliases: list[str]
    former_names: list[str]
    holds_children: bool
    source: str
    note: str | None


class PlaceNamed(Strict):
    """A place found in a message, by the name the child used."""

    place: Establishment
    said: str  # the name as written in places.yaml that matched ("Medway STC")
    former: bool  # `said` is a name it no longer has
    # Which words of the message named it: positions as Library.other_words counts them.
    start: int
    end: int
