"""`rightsline content check`: every rule the content must keep, with faults as instructions."""

from __future__ import annotations

import argparse
import ast
import dataclasses
import datetime as dt
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from content.library import LONGEST_INTENT, Library, phrase_words
from content.loader import Content, Fault, read_content
from content.readability import grade, words_per_sentence
from content.schema import (
    AUDIENCES,
    CONTENT_TOPICS,
    INTENTS,
    MESSAGE_KEYS,
    PLACE_KINDS,
    ROUTE_HELPLINES,
    SUBJECT_LABELS,
    ActionData,
    AnswerData,
    HelplineData,
    Step,
    TopicFile,
)
from content.yamlfile import Loc, YamlFile

# ---- the rules, where an editor can read them -----------------------------------

# Fields each file may hold are the pydantic models in content/schema.py:
#   topics/*.yaml   topic, reviewed, family_reads_child, every_answer_says, crisis_line,
#                   answers
#   an answer       audience, settings, first, more, actions, wales (first, more, actions
#                   for a child in Wales, each replacing the answer's own)
#   a step          text, source            an action   route, label, text, source
#   helplines.yaml  name, number, contact, text_word, hours, cost, who_for,
#                   on_phone_bill, source, checked, confidence, note, nations, called
#   places.yaml     checked, kinds (name, child_name, ages, rules, sources, note, words,
#                   explained: read at a child's level, asked_as), kind_questions,
#                   establishments (id, name, kind, nation, aliases, former_names,
#                   holds_children, source, note), not_places
#   sources.yaml    title, url, checked, confidence, campaign, note
#   glossary.yaml   meaning, also
#   crisis_words.yaml  staff, not_staff, restraint (lists of words and phrases)
#   messages.yaml   key: text, one for each key in MESSAGE_KEYS (content/schema.py)
#   intents.yaml    ignore (single words), intents (one list of phrases for each of INTENTS)
MAX_AGE_DAYS = 365
READING = {"child": (5.0, 15.0), "family": (8.0, 20.0)}  # (grade, words per sentence)
# messages.yaml is read at the child's level, except lines only adults see (a family member
# or professional worried about a child), whose keys start with this.
ADULT_MESSAGES = "adult_"
# Below this many words the grade formula means little (button labels); labels are
# kept short by their own limit instead.
MIN_WORDS_FOR_GRADE = 5
MAX_SENTENCES_PER_BUBBLE = 3
# A bubble with any of these words states a rule, so it must name its source.
RULE_WORDS = re.compile(
    r"\b(must|mustn't|should|shouldn't|cannot|can't|can only|not allowed|allowed|"
    r"have to|has to|need to|needs to|the law|legal|right to|a right|rights?|"
    r"never|every \d+|\d+ (?:hours?|days?|minutes?|weeks?|months?))\b",
    re.IGNORECASE,
)
# Routes that reach a real person: every child answer offers one of them.
PERSON_ROUTES = {
    "advocate",
    "imha",
    "childline",
    "childrens_commissioner",
    "childrens_commissioner_wales",
    "samaritans",
    "shout",
    "coram_voice",
    "nyas",
    "howard_league",
    "solicitor",
}
# Display form of a phone number: groups of digits with single spaces.
PHONE_FORMAT = re.compile(r"^(0\d{3} \d{4}|0\d{3} \d{3} \d{4}|0\d{4} \d{3} \d{3}|116 \d{3}|\d{5})$")
PHONE_IN_TEXT = re.compile(
    r"(?<![\d/])(?:\+44[ -]?|0)\d(?:[ -]?\d){6,10}(?![\d/])|\b116[ -]?\d{3}\b"
)
# A source links to the page that says the thing. These paths are a site's home page, not
# that page: nothing, "/", a language alone ("/en", "/cy/"), or a GOV.UK organisation's page.
HOME_PAGE_PATH = re.compile(
    r"^(/?|/[a-z]{2}(-[a-z]{2})?/?|/government/organisations/[^/]+/?)$", re.IGNORECASE
)
# Text citing a campaign's view says it is what we think, and does not call it a right or rule.
CAMPAIGN_VIEW = re.compile(r"\bwe think\b", re.IGNORECASE)
CAMPAIGN_NOT_A_RULE = re.compile(
    r"\b(rights?|the law|legal|illegal|allowed|must|mustn't|have to|has to|banned)\b",
    re.IGNORECASE,
)
EXPLAINED = re.compile(
    r"^\s*(\(|:|—|–|-\s|means\b|is (a|an|the|someone|when|where|being)\b|are (people|the)\b)",
    re.IGNORECASE,
)
# The code that says messages: the engine and the channels.
CODE_DIRS = tuple(Path(__file__).resolve().parent.parent / name for name in ("service", "bot"))
# Calls and lookups that name a message key: engine._say("key"), engine._button("key", ...),
# library.message("key"), library.messages["key"].
SAYING_CALLS = {"_say", "_button", "message"}
README_START = "<!-- coverage-table:start -->"
README_END = "<!-- coverage-table:end -->"


@dataclass
class Text:
    """A piece of text to read, where it is, and who reads it."""

    text: str
    file: YamlFile
    loc: Loc
    audience: str


def check(root: Path | None = None, today: dt.date | None = None) -> list[Fault]:
    """Every fault in the content under `root` (content/data/ by default)."""
    content = read_content(root)
    today = today or dt.date.today()
    faults = list(content.faults)
    for rule in (
        _labels,
        _sources_named,
        _dates,
        _reading,
        _coverage,
        _cross_references,
        _source_urls,
        _campaign_views,
        _every_answer_says,
        _phone_numbers,
        _jargon,
        _next_steps,
        _messages,
        _places,
        _nations,
        _intents,
    ):
        faults.extend(rule(content, today))
    return sorted(set(faults), key=lambda f: (str(f.path), f.line, f.message))


# ---- rules ------------------------------------------------------------------------


def _labels(content: Content, today: dt.date) -> Iterator[Fault]:
    topic_dir = content.root / "topics"
    for stem, (topic, file) in content.topics.items():
        if topic.topic not in SUBJECT_LABELS:
            yield Fault(
                file.path,
                file.line(("topic",)),
                f"Unknown topic label: {topic.topic}; use one of {', '.join(SUBJECT_LABELS)}",
            )
        elif topic.topic not in CONTENT_TOPICS:
            yield Fault(
                file.path,
                file.line(("topic",)),
                f"Topic {topic.topic} is answered by the engine; remove this file",
            )
        if topic.topic != stem:
            yield Fault(
                file.path,
                file.line(("topic",)),
                f"Name this file {topic.topic}.yaml, or set topic: {stem}",
            )
    named = {topic.topic for topic, _ in content.topics.values()}
    for label in CONTENT_TOPICS:
        if label not in named:
            yield Fault(topic_dir / f"{label}.yaml", 1, f"Add content for topic: {label}")


def _sources_named(content: Content, today: dt.date) -> Iterator[Fault]:
    for topic, file in content.topics.values():
        for loc, step in _steps(topic):
            if step.source is None and RULE_WORDS.search(step.text):
                yield Fault(
                    file.path, file.line(loc), "Must have field: source (this text states a rule)"
                )


def _dates(content: Content, today: dt.date) -> Iterator[Fault]:
    dated: list[tuple[YamlFile | None, Loc, dt.date]] = []
    for topic, topic_file in content.topics.values():
        dated.append((topic_file, ("reviewed",), topic.reviewed))
    for name, records, field in (
        ("sources.yaml", content.sources, "checked"),
        ("helplines.yaml", content.helplines, "checked"),
    ):
        records_file = _file(content, name)
        for key, record in records.items():
            dated.append((records_file, (key, field), getattr(record, field)))
    if content.settings:
        dated.append((_file(content, "places.yaml"), ("checked",), content.settings.checked))
    for file, loc, when in dated:
        if file is None:
            continue
        if when > today:
            yield Fault(
                file.path, file.line(loc), f"Date {when} is in the future; use the day you checked"
            )
        elif (today - when).days > MAX_AGE_DAYS:
            yield Fault(
                file.path,
                file.line(loc),
                f"Checked {when}, over 12 months ago: check the source again and update the date",
            )


def _reading(content: Content, today: dt.date) -> Iterator[Fault]:
    for text in _reader_texts(content):
        max_grade, max_words = READING[text.audience]
        level = grade(text.text)
        words = words_per_sentence(text.text)
        where = text.file.line(text.loc)
        if level > max_grade and len(text.text.split()) >= MIN_WORDS_FOR_GRADE:
            yield Fault(
                text.file.path,
                where,
                f"Reading grade {level:.1f} is above {max_grade:g}: use shorter words and sentences",  # noqa: E501 (kept whole so editors can grep it)
            )
        if words > max_words:
            yield Fault(
                text.file.path,
                where,
                f"Sentences average {words:.0f} words, over {max_words:g}: split them",
            )


def _coverage(content: Content, today: dt.date) -> Iterator[Fault]:
    library = Library(content)
    for topic, file in content.topics.values():
        for audience in AUDIENCES:
            for setting in (None, *PLACE_KINDS):
                if library.choose(topic.topic, audience, setting) is None:
                    place = (
                        "a shared answer (no settings)"
                        if setting is None
                        else f"an answer for {setting} or a shared one"
                    )
                    yield Fault(
                        file.path, file.line(("answers",)), f"Add {place} for audience: {audience}"
                    )


def _cross_references(content: Content, today: dt.date) -> Iterator[Fault]:
    known = content.sources

    def missing(file: YamlFile | None, loc: Loc, key: str | None) -> Iterator[Fault]:
        if file is not None and key is not None and key not in known:
            yield Fault(
                file.path,
                file.line(loc),
                f"Unknown source: {key}; add it to sources.yaml or fix the id",
            )

    for topic, file in content.topics.values():
        for loc, step in _steps(topic):
            yield from missing(file, loc + ("source",), step.source)
        for loc, action in _actions(topic):
            helpline = ROUTE_HELPLINES.get(action.route)
            if helpline and helpline not in content.helplines:
                yield Fault(
                    file.path,
                    file.line(loc + ("route",)),
                    f"Route {action.route} needs helpline {helpline} in helplines.yaml",
                )
    helplines = _file(content, "helplines.yaml")
    for key, line in content.helplines.items():
        yield from missing(helplines, (key, "source"), line.source)
    settings = content.settings
    settings_file = _file(content, "places.yaml")
    if settings and settings_file:
        for kind, data in settings.kinds.items():
            for j, key in enumerate(data.sources):
                yield from missing(settings_file, ("kinds", kind, "sources", j), key)
        for setting in PLACE_KINDS:
            if setting not in settings.kinds:
                yield Fault(
                    settings_file.path,
                    settings_file.line(("kinds",)),
                    f"Add the kind of place: {setting}",
                )
        for i, place in enumerate(settings.establishments):
            yield from missing(settings_file, ("establishments", i, "source"), place.source)


def _source_urls(content: Content, today: dt.date) -> Iterator[Fault]:
    """Each source links to the page or document that says the thing, not a home page."""
    file = _file(content, "sources.yaml")
    if file is None:
        return
    for key, source in content.sources.items():
        if source.url is None:
            if not source.note:
                yield Fault(
                    file.path,
                    file.line((key,)),
                    f"Source {key} has no url: add the page that says the thing, or a note saying why there is none",  # noqa: E501 (kept whole so editors can grep it)
                )
            continue
        parts = urlsplit(source.url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            yield Fault(
                file.path,
                file.line((key, "url")),
                f"Write the whole address of {key}, starting https://",
            )
        elif HOME_PAGE_PATH.match(parts.path) and not parts.query:
            yield Fault(
                file.path,
                file.line((key, "url")),
                f"Source {key} links to a home page ({source.url}): link to the page or document that says the thing, or remove the url and say why in a note",  # noqa: E501 (kept whole so editors can grep it)
            )


def _campaign_views(content: Content, today: dt.date) -> Iterator[Fault]:
    """A campaign's standard is written as what we think should happen, never as a right."""
    campaigns = {key for key, source in content.sources.items() if source.campaign}
    for topic, file in content.topics.values():
        for loc, step in _steps(topic):
            if step.source not in campaigns:
                continue
            if not CAMPAIGN_VIEW.search(step.text):
                yield Fault(
                    file.path,
                    file.line(loc),
                    f"{step.source} is a campaign's view: write it as what we think should happen, e.g. 'We think ...'",  # noqa: E501 (kept whole so editors can grep it)
                )
            found = CAMPAIGN_NOT_A_RULE.search(step.text)
            if found:
                yield Fault(
                    file.path,
                    file.line(loc),
                    f"{step.source} is a campaign's view, not a rule: remove '{found.group(0)}', or cite the law or rule that says it",  # noqa: E501 (kept whole so editors can grep it)
                )


def _every_answer_says(content: Content, today: dt.date) -> Iterator[Fault]:
    """Every answer in a topic contains the words its file says it must (every_answer_says)."""
    for topic, file in content.topics.values():
        for i, written in enumerate(topic.answers):
            for answer, where in _versions(written, ("answers", i)):
                said = " ".join(text for _, text in _answer_texts(answer, where)).lower()
                for words in topic.every_answer_says:
                    if words.lower() not in said:
                        yield Fault(
                            file.path,
                            file.line(where["first"]),
                            f"Every {topic.topic} answer must say '{words}': add it to this one",
                        )


def _phone_numbers(content: Content, today: dt.date) -> Iterator[Fault]:
    helplines = _file(content, "helplines.yaml")
    numbers = {}
    for key, line in content.helplines.items():
        if line.number is None:
            continue
        numbers[re.sub(r"\D", "", line.number)] = line.number
        if helplines and not PHONE_FORMAT.match(line.number):
            yield Fault(
                helplines.path,
                helplines.line((key, "number")),
                f"Write the number {line.number!r} as digit groups with single spaces, like 0800 1111",  # noqa: E501 (kept whole so editors can grep it)
            )
    for text in _all_texts(content):
        for match in PHONE_IN_TEXT.finditer(text.text):
            written = match.group(0)
            digits = re.sub(r"\D", "", written)
            if digits not in numbers:
                yield Fault(
                    text.file.path,
                    text.file.line(text.loc),
                    f"Unknown phone number {written}: add it to helplines.yaml with a source, or remove it",  # noqa: E501 (kept whole so editors can grep it)
                )
            elif written != numbers[digits]:
                yield Fault(
                    text.file.path,
                    text.file.line(text.loc),
                    f"Write this number as {numbers[digits]}",
                )


def _jargon(content: Content, today: dt.date) -> Iterator[Fault]:
    terms: list[tuple[str, list[str]]] = [
        (term, [term, *entry.also]) for term, entry in content.glossary.items()
    ]
    for topic, file in content.topics.values():
        versions = [
            version
            for i, written in enumerate(topic.answers)
            if written.audience != "professional"
            for version in _versions(written, ("answers", i))
        ]
        for answer, where in versions:
            texts = list(_answer_texts(answer, where))
            for term, spellings in terms:
                pattern = re.compile(
                    r"\b("
                    + "|".join(re.escape(s) for s in sorted(spellings, key=len, reverse=True))
                    + r")\b",
                    re.IGNORECASE,
                )
                for loc, text in texts:
                    found = pattern.search(text)
                    if found:
                        if not EXPLAINED.match(text[found.end() :]):
                            yield Fault(
                                file.path,
                                file.line(loc),
                                f"Explain '{found.group(0)}' the first time it appears, "
                                f"e.g. '{term} ({content.glossary[term].meaning})'",
                            )
                        break


def _next_steps(content: Content, today: dt.date) -> Iterator[Fault]:
    for topic, file in content.topics.values():
        versions = [
            version
            for i, written in enumerate(topic.answers)
            for version in _versions(written, ("answers", i))
        ]
        for answer, where in versions:
            if answer.audience == "child" and not any(
                a.route in PERSON_ROUTES for a in answer.actions
            ):
                yield Fault(
                    file.path,
                    file.line(where["actions"]),
                    "Add an action a child can take today to reach a person, e.g. route: advocate or childline",  # noqa: E501 (kept whole so editors can grep it)
                )
            if answer.audience in READING:
                for loc, step in _answer_steps(answer, where):
                    sentences = len(re.findall(r"[.!?](\s|$)", step.text.strip() + " "))
                    if sentences > MAX_SENTENCES_PER_BUBBLE:
                        yield Fault(
                            file.path,
                            file.line(loc),
                            f"Keep each bubble to {MAX_SENTENCES_PER_BUBBLE} sentences: split this one",  # noqa: E501 (kept whole so editors can grep it)
                        )


def _messages(content: Content, today: dt.date) -> Iterator[Fault]:
    """Every line the engine and the channels say is in messages.yaml, and nothing else is."""
    said = code_message_keys(CODE_DIRS)
    for key, (source, line) in said.literal.items():
        if key not in MESSAGE_KEYS:
            yield Fault(source, line, f"Add {key} to MESSAGE_KEYS in content/schema.py")
    for prefix, (source, line) in said.families.items():
        if not any(key.startswith(prefix) for key in MESSAGE_KEYS):
            yield Fault(source, line, f"Add the {prefix}... keys to MESSAGE_KEYS")
    path = content.root / "messages.yaml"
    file = _file(content, "messages.yaml")
    if file is None:
        if not path.exists():
            yield Fault(path, 1, "Add the file messages.yaml: the chat's own words")
        return
    for key in MESSAGE_KEYS:
        if key not in content.messages:
            yield Fault(path, 1, f"Add the message {key}: the chat says it")
    for key in content.messages:
        if key not in MESSAGE_KEYS:
            yield Fault(
                path,
                file.line((key,)),
                f"Unknown message {key}: nothing says it; remove it or fix its spelling",
            )


def _places(content: Content, today: dt.date) -> Iterator[Fault]:
    """Each establishment has its own id, and each name (or alias) leads to one place."""
    settings, file = content.settings, _file(content, "places.yaml")
    if settings is None or file is None:
        return
    ids: set[str] = set()
    names: dict[str, str] = {}
    for i, place in enumerate(settings.establishments):
        if place.id in ids:
            yield Fault(
                file.path,
                file.line(("establishments", i, "id")),
                f"The id {place.id} is used twice: give this place an id of its own",
            )
        ids.add(place.id)
        for name in (place.name, *place.aliases, *place.former_names):
            key = " ".join(re.sub(r"[^a-z0-9]+", " ", name.lower().replace("'", "")).split())
            if names.get(key, place.id) != place.id:
                yield Fault(
                    file.path,
                    file.line(("establishments", i)),
                    f"The name {name!r} is also a name of {names[key]}: a name must lead to one place",  # noqa: E501 (kept whole so editors can grep it)
                )
            names.setdefault(key, place.id)


def _nations(content: Content, today: dt.date) -> Iterator[Fault]:
    """An answer read in Wales never names a body for England only (Coram Voice, Help at
    Hand, ...): a Welsh variant must not, and an answer that does needs a Welsh variant."""
    england_only = {
        key: line for key, line in content.helplines.items() if "wales" not in line.nations
    }
    settings = content.settings
    if not england_only or settings is None:
        return
    welsh: dict[str, list[str]] = {}  # kind of place -> the places in Wales of that kind
    for place in settings.establishments:
        if place.nation == "wales" and place.holds_children:
            welsh.setdefault(place.kind, []).append(place.name)
    library = Library(content)
    for topic, file in content.topics.values():
        read_in_wales: dict[int, set[str]] = {}
        for i, written in enumerate(topic.answers):
            if written.wales is not None:
                for body in _bodies_named(written.for_wales(), england_only):
                    yield Fault(
                        file.path,
                        file.line(("answers", i, "wales")),
                        f"A Welsh answer must not name {body}: it is for England only. Name a Welsh body, such as the Children's Commissioner for Wales",  # noqa: E501 (kept whole so editors can grep it)
                    )
        for audience in AUDIENCES:
            for kind in welsh:
                chosen = library.choose(topic.topic, audience, kind)
                if chosen is not None and chosen.wales is None:
                    index = next(i for i, a in enumerate(topic.answers) if a is chosen)
                    read_in_wales.setdefault(index, set()).update(welsh[kind])
        for i, places in sorted(read_in_wales.items()):
            for body in _bodies_named(topic.answers[i], england_only):
                yield Fault(
                    file.path,
                    file.line(("answers", i)),
                    f"This answer names {body}, which is for England only, and children at {' and '.join(sorted(places))} read it: add a wales: variant that names a Welsh body instead",  # noqa: E501 (kept whole so editors can grep it)
                )


def _bodies_named(answer: AnswerData, bodies: dict[str, HelplineData]) -> list[str]:
    """Which of `bodies` the answer names: by a button's route, a source, or in its words."""
    steps: list[Step | ActionData] = [*answer.first, *answer.more, *answer.actions]
    routes = {ROUTE_HELPLINES.get(action.route) for action in answer.actions}
    sources = {step.source for step in steps}
    words = " ".join(step.text for step in steps)
    named = []
    for key, body in bodies.items():
        spellings = [body.name, *body.called]
        pattern = r"\b(" + "|".join(re.escape(s) for s in spellings) + r")\b"
        if key in routes or body.source in sources or re.search(pattern, words, re.IGNORECASE):
            named.append(body.called[0] if body.called else body.name)
    return named


def _intents(content: Content, today: dt.date) -> Iterator[Fault]:
    """Every intent has phrases, and a phrase means one intent only."""
    intents, file = content.intents, _file(content, "intents.yaml")
    if intents is None or file is None:
        return
    for i, word in enumerate(intents.ignore):
        if len(phrase_words(word)) != 1:
            yield Fault(file.path, file.line(("ignore", i)), f"Split {word!r}: one word each")
    ignored = {word for entry in intents.ignore for word in phrase_words(entry)}
    meaning: dict[tuple[str, ...], str] = {}
    for name in INTENTS:
        phrases = intents.intents.get(name, [])
        if not phrases:
            yield Fault(file.path, file.line(("intents",)), f"Add phrases for the intent: {name}")
        for i, phrase in enumerate(phrases):
            where = file.line(("intents", name, i))
            words = tuple(w for w in phrase_words(phrase) if w not in ignored)
            if len(phrase) > LONGEST_INTENT:
                yield Fault(file.path, where, f"Shorten this to {LONGEST_INTENT} characters")
            if not words:
                yield Fault(file.path, where, f"{phrase!r} is only ignored words: add a word")
            elif meaning.get(words, name) != name:
                yield Fault(
                    file.path,
                    where,
                    f"{phrase!r} is also under {meaning[words]}: keep it under one intent",
                )
            meaning.setdefault(words, name)


@dataclass
class SaidKeys:
    """Message keys named in code, each with the first place it is named."""

    literal: dict[str, tuple[Path, int]] = dataclasses.field(default_factory=dict)
    # Keys built in an f-string, e.g. f"topic_{topic}": by their fixed start, "topic_".
    families: dict[str, tuple[Path, int]] = dataclasses.field(default_factory=dict)


def code_message_keys(dirs: tuple[Path, ...] = CODE_DIRS) -> SaidKeys:
    """The message keys the Python code under `dirs` names, read with `ast`."""
    said = SaidKeys()
    for folder in dirs:
        for source in sorted(folder.rglob("*.py")) if folder.is_dir() else []:
            tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call | ast.Subscript):
                    continue
                for key in _named_keys(node):
                    found = (source, node.lineno)
                    kind, name = (
                        (said.literal, key) if isinstance(key, str) else (said.families, key[0])
                    )
                    kind[name] = min(kind.get(name, found), found)
    return said


def _named_keys(node: ast.Call | ast.Subscript) -> Iterator[str | tuple[str]]:
    if isinstance(node, ast.Call) and node.args:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in SAYING_CALLS:
            yield from _key_values(node.args[0])
    elif isinstance(node, ast.Subscript):
        holder = node.value
        name = holder.attr if isinstance(holder, ast.Attribute) else getattr(holder, "id", "")
        if name == "messages":
            yield from _key_values(node.slice)


def _key_values(node: ast.expr) -> Iterator[str | tuple[str]]:
    """A key as itself; `a if c else b` as both; f"topic_{t}" as its fixed start, ("topic_",)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _key_values(node.body)
        yield from _key_values(node.orelse)
    elif isinstance(node, ast.JoinedStr):
        start = ""
        for part in node.values:
            if not (isinstance(part, ast.Constant) and isinstance(part.value, str)):
                break
            start += part.value
        yield (start,)


# ---- walking the content -----------------------------------------------------------


def _file(content: Content, name: str) -> YamlFile | None:
    return content.files.get(str(content.root / name))


# Where each part of an answer as read is written: the answer's own place, or its wales:.
Where = dict[str, Loc]
ANSWER_PARTS = ("first", "more", "actions")


def _versions(answer: AnswerData, loc: Loc) -> Iterator[tuple[AnswerData, Where]]:
    """The answer as read outside Wales, then (if it has a wales: variant) as read in Wales,
    each with where its parts are written. A fault in a shared part is reported once."""
    yield answer, {part: loc for part in ANSWER_PARTS}
    if answer.wales is not None:
        own = answer.wales.model_dump(exclude_none=True)
        yield (
            answer.for_wales(),
            {part: loc + ("wales",) if part in own else loc for part in ANSWER_PARTS},
        )


def _answer_steps(answer: AnswerData, where: Where) -> Iterator[tuple[Loc, Step]]:
    for field in ("first", "more"):
        for j, step in enumerate(getattr(answer, field)):
            yield where[field] + (field, j), step


def _steps(topic: TopicFile) -> Iterator[tuple[Loc, Step | ActionData]]:
    if topic.crisis_line is not None:
        yield ("crisis_line",), topic.crisis_line
    for i, written in enumerate(topic.answers):
        for answer, where in _versions(written, ("answers", i)):
            yield from _answer_steps(answer, where)
            for j, action in enumerate(answer.actions):
                yield where["actions"] + ("actions", j), action


def _actions(topic: TopicFile) -> Iterator[tuple[Loc, ActionData]]:
    for i, written in enumerate(topic.answers):
        for answer, where in _versions(written, ("answers", i)):
            for j, action in enumerate(answer.actions):
                yield where["actions"] + ("actions", j), action


def _answer_texts(answer: AnswerData, where: Where) -> Iterator[tuple[Loc, str]]:
    """The texts of an answer in the order a reader meets them."""
    yield where["first"] + ("first",), " ".join(step.text for step in answer.first)
    for j, step in enumerate(answer.more):
        yield where["more"] + ("more", j), step.text
    for j, action in enumerate(answer.actions):
        yield where["actions"] + ("actions", j, "text"), action.text


def _reader_texts(content: Content) -> Iterator[Text]:
    """Texts a child or family reads, one per chat bubble."""
    return (text for text in _all_texts(content) if text.audience in READING)


def _all_texts(content: Content) -> Iterator[Text]:
    for topic, file in content.topics.values():
        if topic.crisis_line is not None:
            yield Text(topic.crisis_line.text, file, ("crisis_line",), "child")
        for i, written in enumerate(topic.answers):
            for answer, where in _versions(written, ("answers", i)):
                for loc, text in _answer_texts(answer, where):
                    yield Text(text, file, loc, answer.audience)
    places = _file(content, "places.yaml")
    if places and content.settings:
        # What a kind of place is, as told to whoever asks: a child may ask it too.
        for kind_id, kind in content.settings.kinds.items():
            yield Text(kind.explained, places, ("kinds", kind_id, "explained"), "child")
    messages = _file(content, "messages.yaml")
    if messages:
        for key, text in content.messages.items():
            reader = "family" if key.startswith(ADULT_MESSAGES) else "child"
            yield Text(text, messages, (key,), reader)


# ---- the coverage table in content/README.md --------------------------------------


def coverage_table(library: Library) -> str:
    """Markdown: for each topic and audience, whether each kind of place is answered.

    A cell says "own" when the place has its own answer, "shared" when it uses the answer
    for every place, and "missing" when there is none (the coverage rule then fails).
    """
    header = ["topic", "audience", "not sure", *PLACE_KINDS]
    rows = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for topic in library.topic_names:
        for audience in AUDIENCES:
            cells = [topic, audience]
            for setting in (None, *PLACE_KINDS):
                answer = library.answer(topic, audience, setting)
                if answer is None:
                    cells.append("missing")
                    continue
                own = setting is not None and answer.settings and setting in answer.settings
                cells.append("own" if own else "shared")
            rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def write_readme(library: Library, readme: Path) -> None:
    """Replace the table between the markers in `readme` with a fresh one."""
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(README_START), text.index(README_END)
    table = coverage_table(library)
    readme.write_text(
        text[: start + len(README_START)] + "\n" + table + "\n" + text[end:], encoding="utf-8"
    )


# ---- command line --------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Print every fault as `path:line: what to do`; 1 if there are any, else 0."""
    parser = argparse.ArgumentParser(prog="rightsline content check", description=__doc__)
    parser.add_argument(
        "--root", type=Path, default=None, help="the data folder (default: content/data)"
    )
    parser.add_argument(
        "--write-readme",
        action="store_true",
        help="rewrite the coverage table in content/README.md",
    )
    parser.add_argument(
        "--table",
        action="store_true",
        help="print the coverage table (topic x audience x kind of place) and stop",
    )
    # `rightsline content check -- --table` hands its options on after a "--".
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv[1:] if argv[:1] == ["--"] else argv)
    if args.table:
        from content.library import load_library

        print(coverage_table(load_library(args.root)))
        return 0
    faults = check(args.root)
    for fault in faults:
        print(fault)
    if args.write_readme:
        from content.library import load_library

        readme = Path(__file__).resolve().parent / "README.md"
        write_readme(load_library(args.root), readme)
        print(f"Wrote the coverage table in {readme.name}.")
    if faults:
        print(f"{len(faults)} fault(s) in the content.", file=sys.stderr)
        return 1
    print("Content check passed: no faults.")
    return 0
