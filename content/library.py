"""The loaded content as the engine sees it: answers, helplines, kinds of place."""

from __future__ import annotations

from pathlib import Path

from content.loader import Content, ContentError, read_content
from content.schema import (
    MESSAGE_KEYS,
    PLACE_KINDS,
    ROUTE_HELPLINES,
    Action,
    Answer,
    AnswerData,
    Helpline,
    Kind,
    TopicFile,
)


class Library:
    """Read-only access to what Rightsline says."""

    def __init__(self, content: Content) -> None:
        self._content = content
        self._topics: dict[str, TopicFile] = {
            topic.topic: topic for topic, _ in content.topics.values()
        }
        self.helplines: dict[str, Helpline] = {
            key: Helpline(id=key, **data.model_dump()) for key, data in content.helplines.items()
        }
        settings = content.settings
        self.kinds: dict[str, Kind] = (
            {key: Kind(id=key, **data.model_dump()) for key, data in settings.kinds.items()}
            if settings
            else {}
        )
        self.establishments: dict[str, str] = {}
        for place in settings.establishments if settings else []:
            for name in [place.name, *place.aliases]:
                self.establishments[name.lower()] = place.kind
        self.messages: dict[str, str] = dict(content.messages)
        self.sources = dict(content.sources)
        self.glossary = {term: entry.meaning for term, entry in content.glossary.items()}
        words = content.crisis_words
        self._staff = [_words(word) for word in words.staff] if words else []
        self._not_staff = [_words(phrase) for phrase in words.not_staff] if words else []
        self._restraint = [_words(word) for word in words.restraint] if words else []

    @property
    def topic_names(self) -> list[str]:
        """The topics that have content, in file order."""
        return list(self._topics)

    def crisis_line(self, topic: str | None) -> str | None:
        """The one right said after the crisis lines for a risk about this topic, if any."""
        data = self._topics.get(topic or "")
        return data.crisis_line.text if data is not None and data.crisis_line else None

    def answer(self, topic: str, audience: str, setting: str | None = None) -> Answer | None:
        """The answer for a topic, audience and kind of place (None: not sure)."""
        found = self.choose(topic, audience, setting)
        return self._build(topic, found) if found else None

    def choose(self, topic: str, audience: str, setting: str | None = None) -> AnswerData | None:
        """Which written answer this audience gets in this kind of place, or None.

        The place's own answer if there is one, else the shared one; a family reads the
        child's answer when the topic says so and has none of its own. An unknown place, or
        None (not sure), gets the shared answer.
        """
        data = self._topics.get(topic)
        if data is None:
            return None
        if setting not in PLACE_KINDS:
            setting = None
        found = _pick(data, audience, setting)
        if found is None and audience == "family" and data.family_reads_child:
            found = _pick(data, "child", setting)
        return found

    def message(self, key: str, **values: str) -> str:
        """A line from messages.yaml, its {childline} (and any `values`) filled in.

        KeyError for a key not in MESSAGE_KEYS or missing from messages.yaml; `content check`
        proves every listed key is there.
        """
        if key not in MESSAGE_KEYS:
            raise KeyError(f"{key} is not in MESSAGE_KEYS (content/schema.py)")
        text = self.messages[key]
        return text.format(childline=self.helpline("childline").number or "", **values)

    def helpline(self, helpline_id: str) -> Helpline:
        """One helpline by id; KeyError if there is none."""
        return self.helplines[helpline_id]

    def names_staff(self, text: str) -> bool:
        """True when `text` names staff (crisis_words.yaml), once its not_staff phrases go."""
        padded = f" {_words(text)} "
        for phrase in self._not_staff:
            padded = padded.replace(f" {phrase} ", " ")
        return _has_any(padded, self._staff)

    def mentions_restraint(self, text: str) -> bool:
        """True when `text` is about being held (the restraint words in crisis_words.yaml)."""
        return _has_any(f" {_words(text)} ", self._restraint)

    def find_establishment(self, text: str) -> str | None:
        """The kind of place named in `text` ("wetherby" -> "yoi"), or None."""
        lowered = f" {_words(text)} "
        for name in sorted(self.establishments, key=len, reverse=True):
            if f" {_words(name)} " in lowered:
                return self.establishments[name]
        return None

    def _build(self, topic: str, data: AnswerData) -> Answer:
        return Answer(
            topic=topic,
            audience=data.audience,
            settings=tuple(data.settings) if data.settings else None,
            first=[step.text for step in data.first],
            more=[step.text for step in data.more],
            actions=[
                Action(
                    route=action.route,
                    label=action.label,
                    text=action.text,
                    helpline=ROUTE_HELPLINES.get(action.route),
                )
                for action in data.actions
            ],
        )


def _pick(topic: TopicFile, audience: str, setting: str | None) -> AnswerData | None:
    """A variant for this kind of place if there is one, else the shared answer."""
    mine = [answer for answer in topic.answers if answer.audience == audience]
    if setting is not None:
        for answer in mine:
            if answer.settings and setting in answer.settings:
                return answer
    for answer in mine:
        if not answer.settings:
            return answer
    return None


def _words(text: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else " " for ch in text.lower())
    return " ".join(cleaned.split())


def _has_any(padded: str, phrases: list[str]) -> bool:
    """Whether any phrase is in `padded` (words as `_words` makes them, a space each side)."""
    return any(f" {phrase} " in padded for phrase in phrases)


def load_library(root: Path | str | None = None) -> Library:
    """Load content/data/ (or `root`); raises ContentError if any file breaks its schema."""
    content = read_content(Path(root) if root else None)
    if content.faults:
        raise ContentError(content.faults)
    return Library(content)
