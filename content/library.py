"""The loaded content as the engine sees it: answers, helplines, kinds of place."""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from rapidfuzz.distance import OSA

from content.loader import Content, ContentError, read_content
from content.schema import (
    INTENTS,
    MESSAGE_KEYS,
    PLACE_KINDS,
    ROUTE_HELPLINES,
    Action,
    Answer,
    AnswerData,
    Establishment,
    Helpline,
    Kind,
    PlaceNamed,
    TopicFile,
)

# Only this much of a message is searched for a place's name.
PLACE_TEXT = 2000
# Words that say nothing but where someone is: "im in feltham" only names a place.
PLACE_FILLER = frozenset(
    "i im am m me my in at on a an the to of now moved been staying living here there "
    "currently its it is was hi hello hey yes yeah ok okay please thanks thank you they "
    "put sent just still unit ward hmp hmyoi yoi stc sch".split()
)

# Words just before a kind of place that say the writer (or their child) is there now: "im on a
# ward", "my son is in a yoi", "they moved me to a secure school"; not "i ended up in hospital".
HERE_WORDS = frozenset("im am is hes shes were moved transferred staying living live now".split())


def typos_allowed(length: int) -> int:
    """Letters that may be wrong in a name this long: none in a short one ("Parc" is one
    letter from "park"), one from 7 letters ("feltam"), two from 10 ("werington")."""
    return 0 if length < 7 else 1 if length < 10 else 2


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
        # Every place by its id, and the names it goes by: (words, the name, place, former).
        self.places: dict[str, Establishment] = {}
        self._place_names: list[tuple[tuple[str, ...], str, Establishment, bool]] = []
        # Name -> kind, for the places that hold children now (nlp/ learns these names).
        self.establishments: dict[str, str] = {}
        for data in settings.establishments if settings else []:
            place = Establishment(**data.model_dump())
            self.places[place.id] = place
            for name, former in [
                *((name, False) for name in (place.name, *place.aliases)),
                *((name, True) for name in place.former_names),
            ]:
                self._place_names.append((tuple(_words(name).split()), name, place, former))
                if place.holds_children:
                    self.establishments[name.lower()] = place.kind
        # Each name under the first letter and every length a typed name may have and still be
        # it (typos_allowed), so a message's runs of words look up only the names they could be.
        self._names_near: dict[tuple[str, int], list[_Name]] = {}
        for order, (tokens, said, place, former) in enumerate(self._place_names):
            target = "".join(tokens)
            if not target:
                continue
            allowed = typos_allowed(len(target))
            sizes = frozenset({max(1, len(tokens) - 1), len(tokens), len(tokens) + 1})
            entry = _Name(order, target, allowed, sizes, said, place, former)
            for length in range(len(target) - allowed, len(target) + allowed + 1):
                self._names_near.setdefault((target[0], length), []).append(entry)
        not_places = settings.not_places if settings else []
        self._not_places = {_words(word).replace(" ", "") for word in not_places}
        self._kind_words = sorted(
            (
                (tuple(_words(phrase).split()), kind.id)
                for kind in self.kinds.values()
                for phrase in kind.words
            ),
            key=lambda entry: -len(entry[0]),
        )
        # "what is a yoi" -> yoi: each way of asking, with each name a kind is asked by.
        questions = settings.kind_questions if settings else []
        self._kind_questions = sorted(
            (
                (_without_articles(question.replace("{kind}", name)), kind.id)
                for question in questions
                for kind in self.kinds.values()
                for name in kind.asked_as
            ),
            key=lambda entry: -len(entry[0]),
        )
        self._kind_names = [
            (_without_articles(name), kind.id)
            for kind in self.kinds.values()
            for name in kind.asked_as
        ]
        self.messages: dict[str, str] = dict(content.messages)
        self.sources = dict(content.sources)
        self.glossary = {term: entry.meaning for term, entry in content.glossary.items()}
        words = content.crisis_words
        self._staff = [_words(word) for word in words.staff] if words else []
        self._not_staff = [_words(phrase) for phrase in words.not_staff] if words else []
        self._restraint = [_words(word) for word in words.restraint] if words else []
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
    def kind_names(self) -> dict[str, str]:
        """Each kind of place by the name people read ("yoi": "Young offender institution"):
        the dashboard's queue, figures and exports all say it so."""
        return {key: kind.name for key, kind in self.kinds.items()}

    @property
    def topic_names(self) -> list[str]:
        """The topics that have content, in file order."""
        return list(self._topics)

    def crisis_line(self, topic: str | None) -> str | None:
        """The one right said after the crisis lines for a risk about this topic, if any."""
        data = self._topics.get(topic or "")
        return data.crisis_line.text if data is not None and data.crisis_line else None

    def answer(
        self, topic: str, audience: str, setting: str | None = None, nation: str | None = None
    ) -> Answer | None:
        """The answer for a topic, audience and kind of place (None: not sure), in a nation
        (None: not known; "wales" picks an answer's Welsh variant where it has one)."""
        found = self.choose(topic, audience, setting, nation)
        return self._build(topic, found) if found else None

    def choose(
        self, topic: str, audience: str, setting: str | None = None, nation: str | None = None
    ) -> AnswerData | None:
        """Which written answer this audience gets in this kind of place, or None.

        The place's own answer if there is one, else the shared one; a family reads the
        child's answer when the topic says so and has none of its own. An unknown place, or
        None (not sure), gets the shared answer. In Wales, its Welsh variant if it has one.
        """
        data = self._topics.get(topic)
        if data is None:
            return None
        if setting not in PLACE_KINDS:
            setting = None
        found = _pick(data, audience, setting)
        if found is None and audience == "family" and data.family_reads_child:
            found = _pick(data, "child", setting)
        if found is not None and nation == "wales":
            found = found.for_wales()
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

    def kinds_asked(self, text: str) -> list[Kind]:
        """The kinds of place `text` asks the meaning of ("whats an STC?"), in the order it
        names them. Once it asks about one, every kind it names is asked about too: "whats
        the difference between a secure training centre and a yoi"."""
        padded = f" {_without_articles(text)} "
        if not any(f" {phrase} " in padded for phrase, _ in self._kind_questions):
            return []
        found: dict[str, int] = {}
        for name, kind_id in self._kind_names:
            at = padded.find(f" {name} ")
            if at >= 0:
                found[kind_id] = min(at, found.get(kind_id, at))
        return [self.kinds[key] for key in sorted(found, key=found.__getitem__)]

    def mentions_restraint(self, text: str) -> bool:
        """True when `text` is about being held (the restraint words in crisis_words.yaml)."""
        return _has_any(f" {_words(text)} ", self._restraint)

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
        """The kind of place that holds children named in `text` ("wetherby" -> "yoi")."""
        found = self.find_place(text)
        return found.place.kind if found and found.place.holds_children else None

    def find_place(self, text: str) -> PlaceNamed | None:
        """The establishment named in `text`, by any of its names, with a typo allowed in a
        long one ("im in wetherbey"); an exact name beats a typo, a longer name a shorter."""
        words = _words(text[:PLACE_TEXT]).split()
        best: tuple[tuple[int, int, int, int, int], PlaceNamed] | None = None
        # Runs of 1 to 4 words, run together ("oak hill" -> "oakhill").
        for size in range(1, 5):
            for start in range(len(words) - size + 1):
                typed = "".join(words[start : start + size])
                for name in self._names_near.get((typed[0], len(typed)), ()):
                    if size not in name.sizes:
                        continue
                    if typed == name.target:
                        wrong = 0
                    # A typo keeps the first letter (the index above already checked it).
                    elif typed in self._not_places:
                        continue
                    else:
                        wrong = OSA.distance(typed, name.target)
                        if wrong > name.allowed:
                            continue
                    # Of equals, the name listed first in places.yaml, then the fewer words.
                    rank = (wrong, -len(name.target), start, name.order, size)
                    if best is None or rank < best[0]:
                        named = PlaceNamed(
                            place=name.place,
                            said=name.said,
                            former=name.former,
                            start=start,
                            end=start + size,
                        )
                        best = (rank, named)
        return best[1] if best else None

    def find_kind(self, text: str) -> tuple[str, int, int] | None:
        """A kind of place named by its words in places.yaml ("im on a ward" -> hospital),
        with which words named it; None when none is."""
        words = _words(text[:PLACE_TEXT]).split()
        for tokens, kind in self._kind_words:
            for start in range(len(words) - len(tokens) + 1):
                if tuple(words[start : start + len(tokens)]) == tokens:
                    return kind, start, start + len(tokens)
        return None

    def says_there(self, text: str, kind: str) -> bool:
        """Whether `text` says someone is in this kind of place now ("im on a ward")."""
        named = self.find_kind(text)
        return named is not None and named[0] == kind and self.says_here(text, named[1])

    def says_here(self, text: str, start: int) -> bool:
        """Whether the few words before the place's (from `find_kind`) say someone is there."""
        words = _words(text[:PLACE_TEXT]).split()
        return any(word in HERE_WORDS for word in words[max(0, start - 4) : start])

    def other_words(self, text: str, start: int, end: int) -> list[str]:
        """The words of `text` outside start:end (a place's name) that say more than where
        someone is: none for "im in feltham", some for "im in feltham how do i complain"."""
        words = _words(text[:PLACE_TEXT]).split()
        return [w for w in words[:start] + words[end:] if w not in PLACE_FILLER]

    def place(self, place_id: str | None) -> Establishment | None:
        """An establishment by its id (as a chat remembers it), or None."""
        return self.places.get(place_id or "")

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


class _Name(NamedTuple):
    """One name of a place, as `find_place` compares it."""

    order: int  # its place in the list of names: of two equal matches, the first wins
    target: str  # its words run together
    allowed: int  # letters that may be wrong
    sizes: frozenset[int]  # how many typed words it may be written as
    said: str
    place: Establishment
    former: bool


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
    cleaned = "".join(ch if ch.isalnum() else " " for ch in text.lower().replace("'", ""))
    return " ".join(cleaned.split())


def _without_articles(text: str) -> str:
    """Words as `_words` makes them, without "a", "an" and "the"."""
    return " ".join(word for word in _words(text).split() if word not in ("a", "an", "the"))


def _has_any(padded: str, phrases: list[str]) -> bool:
    """Whether any phrase is in `padded` (words as `_words` makes them, a space each side)."""
    return any(f" {phrase} " in padded for phrase in phrases)


def load_library(root: Path | str | None = None) -> Library:
    """Load content/data/ (or `root`); raises ContentError if any file breaks its schema."""
    content = read_content(Path(root) if root else None)
    if content.faults:
        raise ContentError(content.faults)
    return Library(content)
