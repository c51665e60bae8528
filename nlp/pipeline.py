"""Builds, trains, saves and loads the pipeline, and turns a Doc into an Analysis."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from thinc.api import Config, fix_random_seed

import content
from nlp import data, redact
from nlp.analysis import RISKS, SETTINGS, TOPICS, Analysis, Entity
from nlp.rules import read_patterns, register_extensions

MODEL_DIR = Path(__file__).parent / "model"
STAMP = "trained_from.json"


def read_config() -> Config:
    return Config().from_disk(data.CONFIG)


def _classifier(
    factory: str,
    section: Any,
    labels: Iterable[str],
    rows: list[dict[str, Any]],
    cats: Any,
    settings: Any,
) -> Language:
    """Train one text classifier on its own blank English pipeline, from a fixed seed."""
    fix_random_seed(settings["seed"])
    random.seed(settings["seed"])
    nlp = spacy.blank("en")
    component: Any = nlp.add_pipe(factory, config={"model": section["model"]})
    for label in labels:
        component.add_label(label)
    examples = [
        Example.from_dict(nlp.make_doc(for_classifiers(row["text"])), {"cats": cats(row)})
        for row in rows
    ]
    optimizer = nlp.initialize(lambda: examples)
    optimizer.learn_rate = settings["learn_rate"]
    shuffled = list(examples)
    for _epoch in range(settings["epochs"]):
        random.shuffle(shuffled)
        for start in range(0, len(shuffled), settings["batch_size"]):
            batch = shuffled[start : start + settings["batch_size"]]
            nlp.update(batch, sgd=optimizer, drop=settings["dropout"])
    return nlp


def for_classifiers(text: str) -> str:
    """The classifiers read lower case: children rarely use capitals the same way twice."""
    return text.lower()


def train(model_dir: Path = MODEL_DIR) -> Path:
    """Train both classifiers from content/training and save the whole pipeline."""
    config = read_config()
    settings = config["training"]
    topics = _classifier(
        "textcat",
        config["topic"],
        TOPICS,
        data.topic_examples("train"),
        lambda row: {t: float(t == row["topic"]) for t in TOPICS},
        settings,
    )
    risks = _classifier(
        "textcat_multilabel",
        config["risk"],
        RISKS,
        data.risk_examples("train"),
        lambda row: {r: float(r in row["risks"]) for r in RISKS},
        settings,
    )
    nlp = spacy.load(config["base"]["package"], exclude=config["base"]["exclude"])
    nlp.add_pipe("textcat", name="topic", source=topics)
    nlp.add_pipe("textcat_multilabel", name="risk", source=risks)
    rules: Any = nlp.add_pipe("rightsline_rules")
    rules.initialize(patterns=_patterns())
    model_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(model_dir)
    stamp = {"fingerprint": data.fingerprint(), "common_words": sorted(data.common_words())}
    (model_dir / STAMP).write_text(json.dumps(stamp))
    return model_dir


def _patterns() -> list[dict[str, Any]]:
    """Risk, role and place patterns from content, plus every establishment's name."""
    patterns = read_patterns(data.TRAINING / "patterns.jsonl")
    library = content.load_library()
    for name, kind in sorted(library.establishments.items()):
        patterns.append({"kind": "setting", "label": kind, "phrase": name})
    return patterns


def is_current(model_dir: Path = MODEL_DIR) -> bool:
    stamp = model_dir / STAMP
    if not stamp.exists():
        return False
    return json.loads(stamp.read_text()).get("fingerprint") == data.fingerprint()


class Pipeline:
    """The loaded pipeline and the decisions made from its scores."""

    def __init__(self, model_dir: Path = MODEL_DIR) -> None:
        register_extensions()
        from nlp import rules  # noqa: F401  (registers the rules factory)

        self.nlp = spacy.load(model_dir)
        stamp = json.loads((model_dir / STAMP).read_text())
        self.common_words = frozenset(stamp["common_words"]) | frozenset(
            self.nlp.Defaults.stop_words
        )
        self.everyday_words = self.common_words | redact.FEELINGS
        decisions = read_config()["decisions"]
        self.risk_threshold = float(decisions["risk_threshold"])
        self.topic_unsure = float(decisions["topic_unsure"])

    def analyse_many(self, texts: Iterable[str], batch_size: int = 64) -> list[Analysis]:
        texts = [text if isinstance(text, str) else "" for text in texts]
        docs = [self.nlp.make_doc(text) for text in texts]
        ruled = [
            redact.find_by_rules(text, self.common_words, self.everyday_words) for text in texts
        ]
        # The name model is the slow part: it is asked only about words written like a name
        # that the rules have not already placed.
        unsure = [doc for doc, found in zip(docs, ruled, strict=True) if self._unsure(doc, found)]
        for name in ("tok2vec", "ner"):
            unsure = self._run(name, unsure, batch_size)
        # The classifiers score a lower-case copy; the original keeps its capitals for names.
        classified = [self.nlp.make_doc(for_classifiers(text)) for text in texts]
        for name in ("topic", "risk"):
            classified = self._run(name, classified, batch_size)
        for doc, scored in zip(docs, classified, strict=True):
            doc.cats = dict(scored.cats)
        rules = self.nlp.get_pipe("rightsline_rules")
        return [
            self._analysis(rules(doc), redact.resolve(found + redact.names_from_model(doc)))
            for doc, found in zip(docs, ruled, strict=True)
        ]

    def _run(self, name: str, docs: list[Doc], batch_size: int) -> list[Doc]:
        component: Any = self.nlp.get_pipe(name)  # every pipe run this way has .pipe()
        return list(component.pipe(docs, batch_size=batch_size))

    def _unsure(self, doc: Doc, found: list[Entity]) -> bool:
        for token in doc:
            if token.is_alpha and token.text[0].isupper():
                if token.lower_ in self.common_words:
                    continue
                if not any(e.start <= token.idx < e.end for e in found):
                    return True
        return False

    def _analysis(self, doc: Doc, entities: list[Entity]) -> Analysis:
        wordless = not any(character.isalpha() for character in doc.text)  # emoji, digits
        if wordless:
            topic, score = "other", 0.0
        else:
            topic_scores = {label: doc.cats.get(label, 0.0) for label in TOPICS}
            topic = max(topic_scores, key=topic_scores.__getitem__)
            score = topic_scores[topic]
            # A word of the place ("seg", "nicking", "VO") decides when the classifier is unsure.
            if score < self.topic_unsure and doc._.rule_topic in TOPICS:
                topic = doc._.rule_topic
                score = topic_scores[topic]
        risks = set(doc._.rule_risks or [])
        if not wordless:
            risks |= {r for r in RISKS if doc.cats.get(r, 0.0) >= self.risk_threshold}
        setting = doc._.setting if doc._.setting in SETTINGS else None
        return Analysis(
            topic=topic,
            topic_score=round(float(score), 4),
            risks=sorted(risks),
            role=doc._.role,
            setting=setting,
            redacted=redact.apply(doc.text, entities),
            entities=entities,
        )
