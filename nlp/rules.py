"""The rules component: risk phrases, topic words, role cues and kinds of place, from data."""

from __future__ import annotations

import json
import math
from itertools import product
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from nlp.over import abuse_dealt_with, told_as_over

EXTENSIONS = (
    "rule_risks",
    "rule_named",
    "rule_hints",
    "rule_denied",
    "rule_topic",
    "role",
    "setting",
    "role_scores",
)


def register_extensions() -> None:
    """The Doc attributes this pipeline sets, registered once."""
    for name in EXTENSIONS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


def read_patterns(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


class Rules:
    """Matches phrase and token patterns.

    The first role and kind of place named win; the topic named most often wins (first on a tie).
    """

    def __init__(self, nlp: Language, name: str) -> None:
        register_extensions()
        self.name = name
        self.vocab = nlp.vocab
        self.make_doc = nlp.make_doc
        self.patterns: list[dict[str, Any]] = []
        self._build()

    def initialize(
        self, get_examples: Any = None, *, nlp: Any = None, patterns: Any = None
    ) -> None:
        self.patterns = list(patterns or [])
        self._build()

    def _build(self) -> None:
        self.phrases = PhraseMatcher(self.vocab, attr="LOWER")
        self.tokens = Matcher(self.vocab)
        for index, entry in enumerate(self.patterns):
            key = f"{entry['kind']}|{entry['label']}|{index}"
            if "phrase" in entry:
                self.phrases.add(key, [self.make_doc(entry["phrase"])])
                continue
            # A pattern of words alone is matched as the phrases it stands for: the phrase
            # matcher looks each token up once, where the token matcher tries every pattern
            # at every token (most of the rules' cost).
            spelled = _phrases(entry["pattern"])
            if spelled is None:
                self.tokens.add(key, [entry["pattern"]])
            else:
                self.phrases.add(key, [Doc(self.vocab, words=words) for words in spelled])

    def __call__(self, doc: Doc) -> Doc:
        # A risk phrase states a risk ("kill myself"); a "risk_named" one only names it
        # ("self harm"), as a calm question about it would (nlp/analysis.py decides). A
        # "not_risk" phrase is a way of speaking that holds a risk phrase ("beat me at pool",
        # "kill myself laughing"): a risk phrase that overlaps one only names the risk. A
        # "risk_hint" one only hints at it ("when im gone", "if something happens to me"): it
        # asks "are you safe?" and raises no alarm of itself (nlp/pipeline.py).
        risks: dict[str, set[str]] = {"risk": set(), "risk_named": set(), "risk_hint": set()}
        denied: set[str] = set()
        found: dict[str, list[tuple[int, str]]] = {"role": [], "setting": [], "topic": []}
        matches: list[tuple[str, str, int, int]] = []
        for match_id, start, end in [*self.phrases(doc), *self.tokens(doc)]:
            kind, label, _ = self.vocab.strings[match_id].split("|")
            matches.append((kind, label, start, end))
        speaking = [(start, end) for kind, _, start, end in matches if kind == "not_risk"]
        for kind, label, start, end in matches:
            if kind == "not_risk":
                continue
            if kind == "risk" and (
                _denied(doc, start) or any(start < e and s < end for s, e in speaking)
            ):
                kind = "risk_named"  # said not to be so, or a way of speaking: it still names it
                denied.add(label)
            if kind in risks:
                risks[kind].add(label)
            else:
                found[kind].append((start, label))
        if "self_harm" in risks["risk"] and told_as_over(doc.text):
            # "took an overdose last year, glad it didnt work": it only names the risk.
            risks["risk"].discard("self_harm")
            risks["risk_named"].add("self_harm")
        if "abuse" in risks["risk"] and abuse_dealt_with(doc.text):
            # "my stepdad used to hit me but the police dealt with it": it only names it.
            risks["risk"].discard("abuse")
            risks["risk_named"].add("abuse")
        doc._.rule_risks = sorted(risks["risk"])
        doc._.rule_named = sorted(risks["risk_named"])
        doc._.rule_hints = sorted(risks["risk_hint"])
        # Of those, the labels only ever said not to be so or inside a way of speaking.
        plain_named = {label for kind, label, _, _ in matches if kind == "risk_named"}
        doc._.rule_denied = sorted(denied - risks["risk"] - plain_named)
        doc._.role = min(found["role"])[1] if found["role"] else None
        doc._.setting = min(found["setting"])[1] if found["setting"] else None
        doc._.rule_topic = _most_named(found["topic"])
        return doc

    def to_disk(self, path: Path, *, exclude: Any = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_jsonl(path / "patterns.jsonl", self.patterns)

    def from_disk(self, path: Path, *, exclude: Any = ()) -> Rules:
        self.patterns = list(srsly.read_jsonl(Path(path) / "patterns.jsonl"))
        self._build()
        return self


# A pattern that stands for more phrases than this is left to the token matcher: spelled out,
# a few long word lists multiply into millions of phrases (gigabytes and minutes to build).
MOST_PHRASES = 100_000


def _phrases(pattern: list[dict[str, Any]]) -> list[list[str]] | None:
    """Every word sequence a token pattern matches, when it matches words alone: each token
    a LOWER word or list of words, optional ("?") or not. None for any other pattern, or one
    that stands for more than MOST_PHRASES sequences."""
    choices: list[list[str | None]] = []
    for token in pattern:
        if set(token) - {"LOWER", "OP"} or token.get("OP", "?") != "?":
            return None
        lower = token["LOWER"]
        words = (
            [lower] if isinstance(lower, str) else lower.get("IN") if set(lower) == {"IN"} else None
        )
        if not words or not all(isinstance(word, str) and word == word.lower() for word in words):
            return None
        choices.append([*words, None] if token.get("OP") == "?" else list(words))
    if math.prod(len(choice) for choice in choices) > MOST_PHRASES:
        return None
    spelled = {tuple(w for w in combo if w is not None) for combo in product(*choices)}
    spelled.discard(())
    return [list(words) for words in sorted(spelled)]


# Words just before a risk phrase that say it is not so ("hes not hurting himself", "no one is
# hurting me", "i dont wanna hurt myself"). "cant" is not one: "i cant stop cutting myself"
# states the risk.
_DENIAL = {"not", "never", "nobody", "noone"}
_NOT = {"n't", "n’t", "nt"}
_NOT_A_DENIAL = {"ca", "can", "wo"}


# A verb between the denial and the phrase: "not gonna hurt myself", "never tried to kill myself",
# "havent felt like hurting myself", "not thinking about killing myself".
_BETWEEN = set("want wanna gonna going trying planning thinking feeling felt tried".split())
_LINK = {"to", "of", "about", "like"}


def _denied(doc: Doc, start: int) -> bool:
    before = [token.lower_ for token in doc[max(0, start - 6) : start]]
    if before[-1:] in (["is"], ["'s"]):
        before = before[:-1]  # "nobody is", "no one is", "nobody's"
    if before[-2:] in (["gon", "na"], ["wan", "na"]):
        before = before[:-2]  # the tokenizer splits "gonna" and "wanna"
    elif before[-1:] and before[-1] in _LINK and before[-2:-1] and before[-2] in _BETWEEN:
        before = before[:-2]  # "dont want to", "not going to", "not thinking about"
    elif before[-1:] and before[-1] in _BETWEEN:
        before = before[:-1]  # "dont wanna", "not gonna"
    if not before:
        return False
    if before[-1] in _NOT:
        return len(before) > 1 and before[-2] not in _NOT_A_DENIAL
    if before[-3:-1] in (["no", "plans"], ["no", "thoughts"]) and before[-1] in _LINK:
        return True  # "no plans to kill myself", "no thoughts of hurting myself"
    return before[-1] in _DENIAL or before[-2:] in (["no", "one"], ["no", "ones"])


def _most_named(found: list[tuple[int, str]]) -> str | None:
    if not found:
        return None
    counts: dict[str, int] = {}
    for _start, label in sorted(found):
        counts[label] = counts.get(label, 0) + 1
    return max(counts, key=counts.__getitem__)  # max keeps the first of equals


@Language.factory("rightsline_rules")
def make_rules(nlp: Language, name: str) -> Rules:
    return Rules(nlp, name)
