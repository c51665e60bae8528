"""Finds personal details in a message and replaces each with a typed placeholder."""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.tokens import Doc

from nlp.analysis import Entity

_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
# Order matters where patterns overlap: the first to claim characters keeps them.
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("EMAIL", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    ("HANDLE", re.compile(r"(?<![\w@])@[A-Za-z0-9_.]{2,30}\b")),
    (
        "DOB",
        re.compile(
            r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}\b"
            rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\s+(?:19|20)\d{{2}}\b"
            rf"|\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}\b",
            re.IGNORECASE,
        ),
    ),
    ("PHONE", re.compile(r"(?<!\w)(?:\+44\s?\(?0?\)?\s?|\(?0)\d(?:[\s-]?\d){8,9}\b")),
    ("NHS_NUMBER", re.compile(r"\b\d{3}[\s-]?\d{3}[\s-]?\d{4}\b")),
    ("PRISON_NUMBER", re.compile(r"\b[A-Z]\d{4}[A-Z]{2}\b", re.IGNORECASE)),
    (
        "POSTCODE",
        re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE),
    ),
    (
        "ADDRESS",
        re.compile(
            r"\b\d{1,4}[a-z]?,?\s+(?:[A-Za-z']+\s+){1,3}"
            r"(?:street|st|road|rd|avenue|ave|lane|ln|close|drive|way|crescent|court|place|"
            r"terrace|grove|gardens|gdns|hill|row|walk|square|mews|park)\b",
            re.IGNORECASE,
        ),
    ),
]

# Cues after which the next word (or two) is a person's name, in any case.
STRONG_CUES = re.compile(
    r"\b(?:my name is|my names|my name's|name is|called|officer|mr|mrs|miss|ms|dr|"
    r"gov|governor|my keyworker|my key worker|keyworker|key worker|my social worker|"
    r"social worker|nurse|my mate|my friend|my pal)\s+",
    re.IGNORECASE,
)
# Weaker cues: the next word is a name only when it is not an ordinary word.
WEAK_CUES = re.compile(r"\b(?:im|i'm|i am|its me|it's me|this is|it is)\s+", re.IGNORECASE)
NAME_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")

# Words that carry the meaning stay, even where a model or cue takes them for names.
MEANING_WORDS = frozenset(
    """staff officer officers mum mam mom dad son daughter nan nana gran grandad grandma
    brother sister uncle aunt auntie cousin nephew niece granddaughter grandson
    block seg wing pad cell unit ward nurse doctor gov governor keyworker worker
    restrained restraint visit visits advocate childline samaritans ombudsman imb ppo
    yoi stc sch csu acct comp1 comp1a comp2 vo pin basic nicking adjudication
    lad lads girl boy kid kids mate mates friend here there""".split()
)

# How children finish "im ..." or "its me ...": feelings and states, never names.
FEELINGS = frozenset(
    """sad bored scared angry upset fine ok okay good alright happy lonely tired gutted
    worried stressed confused anxious frightened terrified depressed down low fed up sick
    ill hurt hungry cold stuck locked new back here still only just really so very well
    annoyed fuming raging livid pissed mad lost done sorry shaking crying struggling
    innocent guilty young old fifteen sixteen seventeen fourteen thirteen twelve""".split()
)


def find_by_rules(
    text: str, common_words: frozenset[str], everyday_words: frozenset[str]
) -> list[Entity]:
    """Personal details that patterns and cues find without the model.

    `common_words` are words children use; after a weak cue such as "im", `everyday_words`
    (those plus feelings) decide, since "im gutted" is a feeling and not a name.
    """
    found: list[Entity] = []
    for label, pattern in PATTERNS:
        found.extend(
            Entity(label=label, start=m.start(), end=m.end()) for m in pattern.finditer(text)
        )
    found.extend(_capitalised_runs(text, common_words))
    for cue in STRONG_CUES.finditer(text):
        found.extend(_cued_names(text, cue.end(), common_words, strong=True))
    for cue in WEAK_CUES.finditer(text):
        found.extend(_cued_names(text, cue.end(), everyday_words, strong=False))
    return found


def names_from_model(doc: Doc) -> list[Entity]:
    """The names spaCy's NER found (PERSON), without the meaning words inside them."""
    found: list[Entity] = []
    for ent in doc.ents:
        if ent.label_ == "PERSON":
            found.extend(_name_words(doc.text, ent.start_char, ent.end_char))
    return found


def resolve(found: list[Entity]) -> list[Entity]:
    """One entity per stretch of text: earlier-listed finds win."""
    return _without_overlaps(found)


def apply(text: str, entities: Iterable[Entity]) -> str:
    """The text with each entity replaced by `[LABEL]`."""
    parts: list[str] = []
    position = 0
    for entity in sorted(entities, key=lambda e: e.start):
        parts.append(text[position : entity.start])
        parts.append(f"[{entity.label}]")
        position = entity.end
    parts.append(text[position:])
    return "".join(parts)


def _name_words(text: str, start: int, end: int) -> list[Entity]:
    """A PERSON span as names, leaving out the meaning words inside it (e.g. "Officer")."""
    kept = [
        Entity(label="NAME", start=start + m.start(), end=start + m.end())
        for m in NAME_WORD.finditer(text[start:end])
        if m.group().lower() not in MEANING_WORDS
    ]
    return _merge_adjacent(text, kept)


def _cued_names(
    text: str, position: int, common_words: frozenset[str], *, strong: bool
) -> list[Entity]:
    """Up to two words after a cue that read as a name rather than an ordinary word."""
    words: list[Entity] = []
    for match in NAME_WORD.finditer(text, position):
        if text[position : match.start()].strip() or len(words) == 2:
            break
        word = match.group()
        ordinary = word.lower() in common_words or word.lower() in MEANING_WORDS
        capitalised = word[0].isupper()
        if ordinary and not (strong and capitalised and word.lower() not in MEANING_WORDS):
            break
        words.append(Entity(label="NAME", start=match.start(), end=match.end()))
        position = match.end()
    return _merge_adjacent(text, words)


CAPITALISED_RUN = re.compile(r"\b[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)+\b")


def _capitalised_runs(text: str, common_words: frozenset[str]) -> list[Entity]:
    """Two or more capitalised words, none of them ordinary, read as a full name."""
    found = []
    for run in CAPITALISED_RUN.finditer(text):
        words = run.group().split()
        if not any(w.lower() in common_words or w.lower() in MEANING_WORDS for w in words):
            found.append(Entity(label="NAME", start=run.start(), end=run.end()))
    return found


def _merge_adjacent(text: str, entities: list[Entity]) -> list[Entity]:
    merged: list[Entity] = []
    for entity in entities:
        if merged and not text[merged[-1].end : entity.start].strip():
            merged[-1] = Entity(label="NAME", start=merged[-1].start, end=entity.end)
        else:
            merged.append(entity)
    return merged


def _without_overlaps(entities: list[Entity]) -> list[Entity]:
    """Earlier-listed kinds win; among equals, the longer span."""
    chosen: list[Entity] = []
    for entity in entities:
        if any(entity.start < other.end and other.start < entity.end for other in chosen):
            continue
        chosen.append(entity)
    return sorted(chosen, key=lambda e: e.start)
