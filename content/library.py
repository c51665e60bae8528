"""The loaded content as the engine sees it: answers, helplines, kinds of place."""

from __future__ import annotations

import re
from pathlib import Path

from content.loader import Content, ContentError, read_content
from content.schema import (
    INTENTS,
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
        intents = content.intents
        self._ignored: frozenset[str] = frozenset(
            word for phrase in (intents.ignore if intents else []) for word in phrase_words(phrase)
        )
        # Each phrase as its words, in file order, with the intent it means.
        self._phrases: dict[tuple[str, ...], str] = {}
        for name in INTENTS:
            for phrase in intents.intents.get(name, []) if intents else []:
                self._phrases.setdefault(self._words_of(phrase), name)

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

    def intent(self, text: str) -> str | None:
        """What typed words mean, when they are one of the phrases in intents.yaml, or None.

        The whole message must be the phrase, so "forget me" is a command and "they all
        forgot me" is not. Case, punctuation, extra spaces and the `ignore` words ("please")
        do not count, and a long word may be one letter out ("advocat", "persn").
        """
        if len(text) > LONGEST_INTENT:
            return None  # a long message is never a command, and is not worth the reading
        words = self._words_of(text)
        if not words:
            return None
        found = self._phrases.get(words)
        if found is not None:
            return found
        for phrase, name in self._phrases.items():
            if len(phrase) == len(words) and all(map(_near, phrase, words)):
                return name
        return None

    def _words_of(self, text: str) -> tuple[str, ...]:
        return tuple(word for word in phrase_words(text) if word not in self._ignored)

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
            first_offer=data.first[-1].offer,
            more_offers=tuple(step.offer for step in data.more),
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


# No phrase is longer than this; a message that is cannot be one.
LONGEST_INTENT = 200
# A word this long or longer may be one letter out and still match a phrase.
NEAR_LENGTH = 5


def phrase_words(text: str) -> list[str]:
    """A phrase as intents.yaml compares it: lower case, no apostrophes, letters and digits."""
    joined = re.sub(r"['’‘`]", "", text.lower())
    return _words(joined).split()


def _near(written: str, typed: str) -> bool:
    """The same word, or for a long word one letter added, lost, changed or swapped."""
    if written == typed:
        return True
    if min(len(written), len(typed)) < NEAR_LENGTH or abs(len(written) - len(typed)) > 1:
        return False
    if len(written) == len(typed):
        differ = [i for i, (a, b) in enumerate(zip(written, typed, strict=True)) if a != b]
        if len(differ) == 1:
            return True
        first = differ[0]
        swapped = written[first : first + 2] == typed[first : first + 2][::-1]
        return differ == [first, first + 1] and swapped
    short, long = sorted((written, typed), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _words(text: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else " " for ch in text.lower())
    return " ".join(cleaned.split())


def load_library(root: Path | str | None = None) -> Library:
    """Load content/data/ (or `root`); raises ContentError if any file breaks its schema."""
    content = read_content(Path(root) if root else None)
    if content.faults:
        raise ContentError(content.faults)
    return Library(content)
