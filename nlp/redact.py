"""Finds personal details in a message and replaces each with a typed placeholder."""

from __future__ import annotations

import functools
import importlib
import re
import unicodedata
from collections.abc import Iterable

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc

from nlp.analysis import Entity

_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
# An email written out so that it reads as words: "sam.k at example dot com",
# "sam (at) example [dot] org", "sam underscore k at gmail". A plain " at " is so common that
# it counts only before a known mail provider or a domain ending. Parts are bounded so that a
# long run of "a-a-a-" costs a scan, not a scan from every letter.
_AT = r"(?:\s*@\s*|\s*[(\[{<]\s*at\s*[)\]}>]\s*|\s+at\s+)"
_DOT = r"(?:\.|\s*[(\[{<]\s*dot\s*[)\]}>]\s*|\s+dot\s+)"
_LOCAL_JOIN = rf"(?:[._+-]+|{_DOT}|\s+(?:underscore|dash|hyphen)\s+)"
_ENDING = r"(?:com|org|net|co|uk|io|me|info|biz|edu|gov|ac|ie|eu|us)"
_PROVIDER = r"(?:gmail|googlemail|hotmail|outlook|yahoo|icloud|btinternet|aol|proton|protonmail)"
SPELLED_EMAIL = re.compile(
    rf"\b[^\W_]{{1,40}}(?:{_LOCAL_JOIN}[^\W_]{{1,40}}){{0,4}}{_AT}"
    rf"(?:{_PROVIDER}(?:{_DOT}[a-z]{{2,6}}){{0,2}}"
    rf"|[\w-]{{1,40}}(?:{_DOT}[\w-]{{1,40}}){{0,2}}{_DOT}{_ENDING})\b",
    re.IGNORECASE,
)

# Order matters where patterns overlap: the first to claim characters keeps them.
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("EMAIL", re.compile(r"\b[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+\b")),
    ("EMAIL", SPELLED_EMAIL),
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

# A phone number typed to get past a filter: its digits spaced out ("0 7 7 0 0 9 0 0 ...") or
# split by dots or dashes, or said in words ("seven seven zero zero ...", "oh double seven").
_DIGIT_WORD = (
    r"(?:zero|oh|nought|one|two|three|four|five|six|seven|eight|nine|double|treble|triple)"
)
SPACED_PHONE = re.compile(
    r"(?<![\w.])(?:\+\s*4\s*4|0)(?:[\s.()-]{0,3}\d){9,10}(?![\w])"
    rf"|\b{_DIGIT_WORD}(?:[\s,-]+{_DIGIT_WORD}){{6,}}\b",
    re.IGNORECASE,
)
# A username after the app it is on: "snap jordyw10", "my insta is zeb.q", "discord: zorbo".
# The word after is a username only when it is not an ordinary word ("my insta is private").
APP_USERNAME = re.compile(
    r"\b(?:snap(?:chat)?|sc|insta(?:gram)?|ig|tik\s?tok|tt|discord|twitter|facebook|fb|kik|"
    r"telegram|psn|xbox|gamertag|roblox|username|user\s?name|handle|add\s+me\s+on)"
    r"(?:\s*(?:is|name|id|:|=|-|on))*\s*:?\s+@?([A-Za-z0-9_.]{3,30})\b",
    re.IGNORECASE,
)
# A street with no house number, after a word that says where: "i lived on elm road".
STREET = re.compile(
    r"\b(?:on|in|off|near|by|at|from|down|up)\s+((?:[A-Za-z']+\s+){1,2}"
    r"(?:road|rd|street|lane|avenue|ave|drive|crescent|grove|terrace|gardens))\b",
    re.IGNORECASE,
)
# A school or college by its name ("Oakridge Academy"), and a council ("Leeds City Council"):
# with the kind of place a child is held in, either can point to one child.
SCHOOL = re.compile(
    r"\b(?:(?:St\.?|Saint)\s+)?(?:[A-Z][\w'-]+\s+){1,3}"
    r"(?:Academy|School|College|High|Primary|Grammar|Comprehensive|PRU)\b"
)
COUNCIL = re.compile(
    r"\b(?:[A-Z][\w'-]+\s+){1,3}(?:(?:City|County|Borough|District|Metropolitan)\s+)*Council\b"
)
# Capitalised words before these are a kind of place, not its name ("Secure School").
NOT_A_SCHOOL_NAME = frozenset(
    """secure the a my our his her their old new last next this that primary high school
    college academy special boarding grammar local""".split()
)

# Cues after which the next word (or two) is a person's name, in any case.
STRONG_CUES = re.compile(
    r"\b(?:my name is|my names|my name's|name is|called|officer|mr|mrs|miss|ms|dr|"
    r"gov|governor|my keyworker|my key worker|keyworker|key worker|my social worker|"
    r"social worker|nurse|my mate|my friend|my pal)\s+",
    re.IGNORECASE,
)
# Weaker cues: the next word is a name only when it is not an ordinary word.
WEAK_CUES = re.compile(r"\b(?:im|i'm|i am|its me|it's me|this is|it is)\s+", re.IGNORECASE)
# "its sam": a cue only where a child says who they are, at the start or after a greeting
# ("its sam, can i ask"), never mid-sentence ("this worksheet its impossible").
GREETING = r"(?:hi|hiya|hey|heya|hello|helo|yo|oi|alright)"
INTRODUCTION_CUE = re.compile(
    rf"(?:^|[.!?,]|\b{GREETING}\b)[\s,.!]*(?:its|it's|it’s)\s+(?!me\b)", re.IGNORECASE
)
NAME_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
# Any word, in any alphabet children type names in ("Józef", "Amy-Leigh", "O'Neill").
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# "Sam here", "sam k speaking": who is writing, said with no other cue.
HERE = re.compile(r"\b(?:here|speaking)\b", re.IGNORECASE)
# What may stand before "X here", besides the start or a stop: a greeting or "its".
OPENING_CUE = re.compile(rf"\b(?:{GREETING}|its|it's|it is|this is|im|i'm|i am)$", re.IGNORECASE)
# Endings of adjectives and abstract nouns ("impossible", "hopeless", "boring"), not of given
# names: after a weak cue, a lower-case word shaped like this says how things are, not who.
WORD_ENDINGS = ("able", "ible", "ful", "less", "ous", "ive", "ing", "ish", "ness", "ment", "tion")

# Words that carry the meaning stay, even where a model or cue takes them for names.
MEANING_WORDS = frozenset(
    """staff officer officers mum mam mom dad son daughter nan nana gran grandad grandma
    brother sister uncle aunt auntie cousin nephew niece granddaughter grandson
    block seg wing pad cell unit ward nurse doctor gov governor keyworker worker
    restrained restraint visit visits advocate childline samaritans ombudsman imb ppo howard
    yoi stc sch csu acct comp1 comp1a comp2 vo pin basic nicking adjudication
    lad lads girl boy kid kids mate mates friend here there gp eid ramadan diwali easter""".split()
)

# How children finish "im ..." or "its me ...": feelings and states, never names.
FEELINGS = frozenset(
    """sad bored scared angry upset fine ok okay good alright happy lonely tired gutted
    worried stressed confused anxious frightened terrified depressed down low fed up sick
    ill hurt hungry cold stuck locked new back here still only just really so very well
    annoyed fuming raging livid pissed mad lost done sorry shaking crying struggling
    innocent guilty young old fifteen sixteen seventeen fourteen thirteen twelve""".split()
)


# Faker's lists of given names for the places most children in custody in England and Wales,
# and their families, have roots in: Britain and Ireland, West and East Africa, South Asia,
# Poland and Romania (the US and New Zealand lists add names British children are given too).
NAME_LOCALES = (
    "en_GB", "en_IE", "en_US", "en_NZ", "en_NG", "ig_NG", "yo_NG", "ha_NG", "tw_GH",
    "en_KE", "en_IN", "en_PK", "pl_PL", "ro_RO",
)  # fmt: skip
# Names common among British children that those lists lack.
MORE_FIRST_NAMES = frozenset(
    """muhammad mohamad mohamud freddie alfie reggie tyrese leighton lennon jaden tiago tunde
    femi chidi chioma imran amir samir tariq darnell esme margot finley dawit kayne""".split()
)
# Given names that are everyday words too. Alone and in lower case they stay ("my faith",
# "he touched my willy", "a bit of charlie"); before a surname, or capitalised mid-sentence,
# they are names.
ORDINARY_NAMES = frozenset(
    """amber angel april archer august aura autumn basil beau bill blessing bonnie brandy candy
    carol charity charlie chase chelsea cherry christian clement comfort coral crystal daisy
    dale danish dawn destiny diamond dick dolly don drew duke earl ebony eve faith fancy
    fanny flora forum frank gene ginger grace grant guy harmony harsh hazel heather henry
    holly honey hope hunter immaculate indie innocent iris ivy jade jan jasmine jay job joy
    juliet june kaiser kay kent lavender levis lily loot lucky mad man mandy marina mark max
    may melody mercy misty molly nadir nae nail olive om patience peace pearl penny phoenix
    pierce poppy precious prudence purity raid randy ray robin roman romeo rose rosemary
    ruby sad said sandy savannah scot sever sherry sienna sierra sky stan star storm summer
    sunny teddy tina trinity valentine veer viola violet will willie willow willy""".split()
)
CONTRACTIONS = frozenset({"s", "t", "re", "ve", "ll", "d", "m"})
# A name-like word before one of these is a place ("clare lodge", "kyloe house").
PLACE_WORDS = frozenset(
    """lodge house unit centre center school moss beck road street lane secure hospital ward
    wing block yoi stc sch hmp""".split()
)
# Capitalised after a capitalised first name, these are still not a surname ("Ada Is", "Jo
# Ward"): they carry the meaning, name a place, say how someone feels, or hold a sentence up.
NOT_SURNAMES = MEANING_WORDS | PLACE_WORDS | FEELINGS | STOP_WORDS


def _fold(word: str) -> str:
    """Lower case without accents, so "józef" and "jozef" are the same name."""
    lowered = word.lower().replace("’", "'")
    return unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode()


@functools.cache
def first_names() -> frozenset[str]:
    """Given names, folded to lower case; read once, on the first message."""
    names: set[str] = set(MORE_FIRST_NAMES)
    for locale in NAME_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for field in ("first_names_male", "first_names_female", "first_names"):
            names.update(_fold(name) for name in getattr(provider, field, ()) if " " not in name)
    return frozenset(names)


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
    found.extend(
        Entity(label="PHONE", start=m.start(), end=m.end()) for m in SPACED_PHONE.finditer(text)
    )
    found.extend(_usernames(text, everyday_words))
    found.extend(_streets(text))
    found.extend(_named_institutions(text))
    found.extend(_capitalised_runs(text, common_words))
    for cue in STRONG_CUES.finditer(text):
        found.extend(_cued_names(text, cue.end(), common_words, strong=True))
    for cue in [*WEAK_CUES.finditer(text), *INTRODUCTION_CUE.finditer(text)]:
        found.extend(_cued_names(text, cue.end(), everyday_words, strong=False))
    found.extend(_names_before_here(text, everyday_words))
    found.extend(_known_first_names(text, everyday_words))
    return found


def _usernames(text: str, everyday_words: frozenset[str]) -> list[Entity]:
    """A username named after its app, unless it is an ordinary word ("my snap is down")."""
    found = []
    for match in APP_USERNAME.finditer(text):
        name = match.group(1)
        if name.lower() in everyday_words and not re.search(r"[\d_.]", name):
            continue
        found.append(Entity(label="HANDLE", start=match.start(1), end=match.end(1)))
    return found


def _streets(text: str) -> list[Entity]:
    """A street by its name alone: the words before "road" after any small ones ("up on
    larkspur crescent"); with no such word ("on the road") there is no name to take out."""
    found = []
    for match in STREET.finditer(text):
        start = _after_leading(text, match.start(1), match.end(1), _SMALL_BEFORE_STREET)
        if start is not None:
            found.append(Entity(label="ADDRESS", start=start, end=match.end(1)))
    return found


_SMALL_BEFORE_STREET = frozenset(STOP_WORDS) | MEANING_WORDS | PLACE_WORDS


def _after_leading(text: str, start: int, end: int, skip: frozenset[str]) -> int | None:
    """Where the name in text[start:end] begins, once the leading words in `skip` are left
    out ("the", "Secure"); None when only the last word, the kind of thing, is left."""
    words = text[start:end].split()
    for word in words[:-1]:
        if word.lower().strip(".").removesuffix("'s") not in skip:
            return start
        start = text.index(word, start) + len(word)
        start += len(text[start:end]) - len(text[start:end].lstrip())
    return None


def _named_institutions(text: str) -> list[Entity]:
    """Schools and councils by their names; a kind of place ("a Secure School") stays."""
    found = []
    for label, pattern in (("SCHOOL", SCHOOL), ("COUNCIL", COUNCIL)):
        for match in pattern.finditer(text):
            # Leave out capitalised words at the start that only say what kind it is.
            start = _after_leading(text, match.start(), match.end(), NOT_A_SCHOOL_NAME)
            if start is not None:
                found.append(Entity(label=label, start=start, end=match.end()))
    return found


def names_from_model(doc: Doc) -> list[Entity]:
    """The names spaCy's NER found (PERSON), without the meaning words inside them."""
    found: list[Entity] = []
    for ent in doc.ents:
        if ent.label_ == "PERSON":
            found.extend(_name_words(doc.text, ent.start_char, ent.end_char))
    return found


def resolve(text: str, found: list[Entity]) -> list[Entity]:
    """One entity per stretch of text (earlier-listed finds win), each grown to take in the
    rest of a hyphenated word: "Okonjo-Bright" goes whole, not as "[NAME]Bright"."""
    return _without_overlaps([_whole(text, entity) for entity in _without_overlaps(found)])


# A hyphen joining letters, and the letters it joins on, on either side of a found detail
# (which may itself end or start with the hyphen: "Okonjo-").
_JOINED_AFTER = re.compile(r"(?:-[^\W\d_]+)+")
_JOINED_BEFORE = re.compile(r"(?:[^\W\d_]+-)+$")
_REST_OF_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_START_OF_WORD = re.compile(r"(?:[^\W\d_]+-)*[^\W\d_]+$")


def _whole(text: str, entity: Entity) -> Entity:
    start, end = entity.start, entity.end
    joined = end > start and text[end - 1] == "-"
    after = (_REST_OF_WORD if joined else _JOINED_AFTER).match(text, end)
    if after is not None:
        end = after.end()
    joined = end > start and text[start] == "-"
    before = (_START_OF_WORD if joined else _JOINED_BEFORE).search(text, max(0, start - 60), start)
    if before is not None:
        start = before.start()
    if (start, end) == (entity.start, entity.end):
        return entity
    return entity.model_copy(update={"start": start, "end": end})


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
        if not strong:  # "im worthless", "im christian": how they are, not who
            ordinary = ordinary or (not words and _word_shaped(word))
            ordinary = ordinary or (word.islower() and word in ORDINARY_NAMES)
        capitalised = word[0].isupper()
        if ordinary and not (strong and capitalised and word.lower() not in MEANING_WORDS):
            break
        words.append(Entity(label="NAME", start=match.start(), end=match.end()))
        position = match.end()
    return _merge_adjacent(text, words)


def _ordinary(word: str, everyday_words: frozenset[str]) -> bool:
    folded = _fold(word)
    stem, _, ending = folded.partition("'")
    if ending in CONTRACTIONS:  # "there's" is "there"; "o'neill" stays a name
        folded = stem
    return folded in everyday_words or folded in MEANING_WORDS or folded in PLACE_WORDS


def _word_shaped(word: str) -> bool:
    return word.islower() and word.endswith(WORD_ENDINGS) and _fold(word) not in first_names()


def _names_before_here(text: str, everyday_words: frozenset[str]) -> list[Entity]:
    """ "Sam here", "hi its sam k here": one or two unknown words that stand alone before
    "here" or "speaking" (and not "the dinners here")."""
    found: list[Entity] = []
    for here in HERE.finditer(text):
        before = list(WORD.finditer(text, max(0, here.start() - 80), here.start()))
        name: list[re.Match[str]] = []
        while before and len(name) < 2:
            word = before[-1].group()
            if _ordinary(word, everyday_words) or _word_shaped(word):
                break
            name.insert(0, before.pop())
        if not name or text[name[-1].end() : here.start()].strip():
            continue
        opening = _before(text, name[0].start())
        if not opening or opening[-1] in ".,!?;:-" or OPENING_CUE.search(opening):
            found.extend(_name_with_fallbacks(text, name))
    return found


def _known_first_names(text: str, everyday_words: frozenset[str]) -> list[Entity]:
    """Given names from the name lists, with no cue: "tyler quillfeather", "tell callum".

    A known first name and the unknown word after it are a full name, in any case. A first
    name alone is a name unless it is also an everyday word written as one ("my faith").
    """
    names = first_names()
    words = list(WORD.finditer(text))
    found: list[Entity] = []
    for index, word in enumerate(words):
        folded = _fold(word.group())
        if folded not in names or _ordinary(word.group(), everyday_words):
            continue
        following = words[index + 1 : index + 3]
        if following and _fold(following[0].group()) in PLACE_WORDS:
            continue  # "clare lodge": a place, not a person
        if following and _surname(text, word, following, everyday_words):
            found.extend(_name_with_fallbacks(text, [word, following[0]]))
        elif folded not in ORDINARY_NAMES or (
            word.group()[0].isupper() and not _starts_sentence(text, word)
        ):
            found.append(Entity(label="NAME", start=word.start(), end=word.end()))
    return found


def _surname(
    text: str, first: re.Match[str], following: list[re.Match[str]], everyday_words: frozenset[str]
) -> bool:
    """Whether the word after a first name reads as its surname: an unknown word, not a given
    name of its own, not before a place word ("jo kyloe house"). Written as a name is written
    ("Ada Wood", "Ada Testperson"), a capitalised word after a capitalised first name is its
    surname even where the word is an everyday one, unless it carries the meaning."""
    surname = following[0]
    word = surname.group()
    folded = _fold(word)
    if text[first.end() : surname.start()].strip():
        return False
    if len(following) > 1 and _fold(following[1].group()) in PLACE_WORDS:
        return False
    if first.group()[0].isupper() and word[0].isupper() and not word.isupper():
        return folded not in NOT_SURNAMES
    return (
        not _ordinary(word, everyday_words)
        and not _word_shaped(word)
        and folded not in first_names()
        and folded not in ORDINARY_NAMES
    )


def _starts_sentence(text: str, word: re.Match[str]) -> bool:
    opening = _before(text, word.start())
    return not opening or opening[-1] in ".!?"


def _before(text: str, position: int) -> str:
    """The few words before `position`, or "" at the start of the text (a short window, so
    that a long message is not read again for every word)."""
    return text[max(0, position - 40) : position].rstrip() or text[:position].strip()


def _name_with_fallbacks(text: str, words: list[re.Match[str]]) -> list[Entity]:
    """The whole name first, then each word alone: where another find (an email) takes part
    of the name, the rest of it is still redacted."""
    whole = Entity(label="NAME", start=words[0].start(), end=words[-1].end())
    return [whole, *(Entity(label="NAME", start=w.start(), end=w.end()) for w in words)]


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
