"""Builds, saves and loads the spaCy pipeline, and turns a Doc into an Analysis."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import spacy
from spacy.tokens import Doc
from thinc.api import Config

import content
from content.schema import PLACE_KINDS, reported_topic
from nlp import data, redact
from nlp.analysis import RISKS, SUBJECTS, Analysis, Entity
from nlp.leaving import goodbye_for_leaving
from nlp.over import abuse_dealt_with, told_as_over
from nlp.pictures import JOINERS, has_pictures, is_picture
from nlp.rules import read_patterns, register_extensions

MODEL_DIR = Path(__file__).parent / "model"
STAMP = "trained_from.json"
CARD = "card.json"


# At most this many words, a message with a risk phrase only denied is read as that denial.
DENIAL_WORDS = 10


class ModelUnavailable(RuntimeError):
    """The trained model is missing or cannot be read; `make model` trains it."""


def read_config() -> Config:
    return Config().from_disk(data.CONFIG)


def train(model_dir: Path = MODEL_DIR) -> Path:
    """Fine-tune the encoder, then save the whole pipeline and its model card.

    Needs the training environment (PyTorch); nothing at run time calls this.
    """
    from nlp.train import train_encoder

    config = read_config()
    # Read before training: files changed while it runs must make the next `make model` train.
    fingerprint = data.fingerprint()
    with tempfile.TemporaryDirectory() as scratch:
        train_encoder(config["encoder"], Path(scratch))
        _assemble(Path(scratch), model_dir)
    _write_stamp(model_dir, fingerprint)
    from nlp.card import write_card

    write_card(model_dir, Pipeline(model_dir), config)
    return model_dir


def refresh(model_dir: Path = MODEL_DIR) -> Path:
    """Put the pipeline together again around the trained encoder, with today's spaCy part and
    phrase rules, and write its model card.

    For a change to patterns.jsonl, a place's name, [base] in config.cfg or the validation
    examples: no PyTorch, about a minute. Raises ModelUnavailable when the encoder itself must
    be trained again.
    """
    if state(model_dir) == "train":
        raise ModelUnavailable("the encoder's training data changed: run `make model`")
    with tempfile.TemporaryDirectory() as scratch:
        encoder = Path(scratch) / "encoder"
        shutil.copytree(model_dir / "rightsline_encoder", encoder)
        _assemble(encoder, model_dir)
    _write_stamp(model_dir, data.fingerprint())
    from nlp.card import write_card

    write_card(model_dir, Pipeline(model_dir), read_config())
    return model_dir


def _assemble(encoder_dir: Path, model_dir: Path) -> None:
    """spaCy's tokenizer and name finder, the encoder from `encoder_dir`, and the phrase rules,
    saved to `model_dir` in place of what was there."""
    from nlp import encoder as _registers_its_factory  # noqa: F401

    base = read_config()["base"]
    nlp = spacy.load(base["package"], exclude=base["exclude"])
    encoder: Any = nlp.add_pipe("rightsline_encoder")
    encoder.initialize(directory=encoder_dir)
    rules: Any = nlp.add_pipe("rightsline_rules")
    rules.initialize(patterns=_patterns())
    if model_dir.exists():
        shutil.rmtree(model_dir)
    nlp.to_disk(model_dir)


def _patterns() -> list[dict[str, Any]]:
    """Risk, role and place patterns from content, plus every establishment's name."""
    patterns = read_patterns(data.TRAINING / "patterns.jsonl")
    library = content.load_library()
    for name, kind in sorted(library.establishments.items()):
        patterns.append({"kind": "setting", "label": kind, "phrase": name})
    return patterns


def _write_stamp(model_dir: Path, fingerprint: str) -> None:
    stamp = {
        "fingerprint": fingerprint,
        "checks": data.checks_fingerprint(_patterns()),
        "common_words": sorted(data.common_words()),
    }
    (model_dir / STAMP).write_text(json.dumps(stamp))


def state(model_dir: Path = MODEL_DIR) -> str:
    """ "current"; "checks" when only the rules or validation examples changed, or only the
    trained encoder is there (`refresh`); "train" when there is no trained encoder or what it
    learns from changed."""
    path = model_dir / STAMP
    if not path.exists():
        return "train"
    stamp = json.loads(path.read_text())
    if stamp.get("fingerprint") != data.fingerprint():
        return "train"
    # A fresh clone has the trained encoder and its stamp (both kept in git), not the pipeline
    # put together around them: the card is written last, so without it, put it together; and
    # a card beside no pipeline (spaCy's meta.json) is a directory half emptied, not a model.
    if (
        stamp.get("checks") != data.checks_fingerprint(_patterns())
        or not (model_dir / CARD).exists()
        or not (model_dir / "meta.json").exists()
    ):
        return "checks"
    return "current"


def is_current(model_dir: Path = MODEL_DIR) -> bool:
    return state(model_dir) == "current"


class Pipeline:
    """The loaded pipeline and the decisions made from its scores."""

    def __init__(self, model_dir: Path = MODEL_DIR) -> None:
        register_extensions()
        # Registers the encoder's factory; importing nlp.rules above registered the rules one.
        from nlp import encoder  # noqa: F401

        if not (model_dir / STAMP).exists():
            raise ModelUnavailable(f"no trained model in {model_dir.name}/: run `make model`")
        try:
            self.nlp = spacy.load(model_dir)
        except Exception as error:  # a missing or broken model.onnx, a bad config
            raise ModelUnavailable(f"the model cannot be read ({type(error).__name__})") from error
        stamp = json.loads((model_dir / STAMP).read_text())
        # A given name in a training message ("me and tyler was messing about") is still a
        # name: of the given names, only those that are everyday words too count as words.
        names = redact.first_names() - redact.ORDINARY_NAMES - redact.MEANING_WORDS
        self.common_words = (frozenset(stamp["common_words"]) - names) | frozenset(
            self.nlp.Defaults.stop_words
        )
        self.everyday_words = self.common_words | redact.FEELINGS
        decisions = read_config()["decisions"]
        self.urgent = float(decisions["risk_urgent"])
        # Each risk head has its own check-in threshold: the two are not calibrated alike.
        self.concern = {label: float(decisions[f"{label}_concern"]) for label in RISKS}
        self.distress = float(decisions["distress_concern"])
        self.named_urgent = float(decisions["named_urgent"])
        self.topic_unsure = float(decisions["topic_unsure"])
        self.role_sure = float(decisions["role_sure"])

    def analyse_many(self, texts: Iterable[str], batch_size: int = 32) -> list[Analysis]:
        texts = [text if isinstance(text, str) else "" for text in texts]
        docs = [self.nlp.make_doc(text) for text in texts]
        ruled = [
            redact.find_by_rules(text, self.common_words, self.everyday_words) for text in texts
        ]
        # The name model is the slow part: it is asked only about words written like a name
        # that the rules have not already placed.
        unsure = [doc for doc, found in zip(docs, ruled, strict=True) if self._unsure(doc, found)]
        unsure = self._run("ner", unsure, batch_size)
        docs = self._run("rightsline_encoder", docs, batch_size)
        self._read_without_emoji(docs, batch_size)
        rules = self.nlp.get_pipe("rightsline_rules")
        return [
            self._analysis(
                rules(doc), redact.resolve(doc.text, found + redact.names_from_model(doc))
            )
            for doc, found in zip(docs, ruled, strict=True)
        ]

    def _read_without_emoji(self, docs: list[Doc], batch_size: int) -> None:
        """A message with emoji is read again without them, and, when it also has some that
        tell of hurt (🔪, 🩸, 😭: "harm" in emoji.jsonl), with those alone; it keeps the highest
        risk and distress scores. An emoji can hide a risk from the encoder: "asked me to come
        to the store room on my own again" read abuse 0.98, and with "😬" after it 0.02, before
        training taught it that a tone changes no meaning (nlp/train.py). Safety first: an
        emoji may raise a score but never lower one."""
        again = [(i, text) for i, doc in enumerate(docs) for text in _other_readings(doc.text)]
        if not again:
            return
        read = self._run(
            "rightsline_encoder", [self.nlp.make_doc(text) for _, text in again], batch_size
        )
        for (i, _), other in zip(again, read, strict=True):
            for label in (*RISKS, "distress"):
                docs[i].cats[label] = max(docs[i].cats.get(label, 0.0), other.cats.get(label, 0.0))

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
        topic_scores = {label: doc.cats.get(label, 0.0) for label in SUBJECTS}
        topic = max(topic_scores, key=topic_scores.__getitem__)
        score = topic_scores[topic]
        # A word of the place ("seg", "nicking", "VO") decides when the encoder is unsure,
        # and when it is nearly all there is to read.
        short = sum(1 for token in doc if token.is_alpha) <= 2
        if (score < self.topic_unsure or short) and doc._.rule_topic in SUBJECTS:
            topic = doc._.rule_topic
            score = topic_scores[topic]
        risk_scores = {label: round(float(doc.cats.get(label, 0.0)), 4) for label in RISKS}
        # Self-harm told as over ("took an overdose last year, glad it didnt work", nlp/over.py):
        # the encoder reads those words as it reads a risk told now, so its self-harm score
        # raises no alarm of itself. The answer still carries Childline's number (names_risk).
        heard = dict(risk_scores)
        stated, named = set(doc._.rule_risks or []), set(doc._.rule_named or [])
        # Read only where the score or a phrase speaks of self-harm: most messages need not be.
        spoken = heard["self_harm"] >= self.concern["self_harm"] or "self_harm" in stated | named
        over = spoken and told_as_over(doc.text)
        if over:
            heard["self_harm"] = 0.0
        hinted = set(doc._.rule_hints or [])
        if "self_harm" in hinted and told_as_over(doc.text):
            hinted.discard("self_harm")
        # A goodbye for a release or a move ("getting released friday so this is goodbye",
        # nlp/leaving.py), with no risk phrase in it but one in a way of speaking ("so this is
        # goodbye" after a move): the encoder reads many goodbyes as the goodbye before dying, so
        # its self-harm score asks "are you safe?" and raises no alarm of itself; a "No" is urgent.
        phrased = stated | hinted | (named - set(doc._.rule_denied or []))
        leaving = (
            heard["self_harm"] >= self.concern["self_harm"]
            and "self_harm" not in phrased
            and goodbye_for_leaving(doc.text)
        )
        risks = {label for label, value in heard.items() if value >= self.urgent}
        # A phrase that hints at a risk ("when im gone") is urgent, as one that only names a risk
        # is, where the model reads that risk too (at named_urgent); otherwise a check-in.
        risks |= {label for label in hinted if heard[label] >= self.named_urgent}
        distress = round(float(doc.cats.get("distress", 0.0)), 4)
        # A phrase that hints at a risk ("when im gone", "if something happens to me") asks
        # "are you safe?" however calm the rest reads: a goodbye tucked into an ordinary question.
        worries = hinted | {label for label, value in heard.items() if value >= self.concern[label]}
        uneasy = bool(worries) or distress >= self.distress
        reads_risk = any(value >= self.named_urgent for value in heard.values())
        # Abuse told as past and dealt with ("my stepdad used to hit me, the police dealt with
        # it", nlp/over.py): whether the encoder reads it as told now or hardly at all, it asks
        # "are you safe?" and raises no alarm of itself; a "No" is urgent. So does a goodbye for
        # a release or a move, for self-harm.
        explained = {"self_harm"} if leaving else set()
        if ("abuse" in risks or "abuse" in named) and abuse_dealt_with(doc.text):
            explained.add("abuse")
        if explained:
            risks -= explained
            worries |= explained
            uneasy = True
            reads_risk = any(
                heard[label] >= self.named_urgent for label in RISKS if label not in explained
            )
        denied = set(doc._.rule_denied or [])
        words = sum(1 for token in doc if token.is_alpha)
        only_denied = bool(denied) and not stated and named <= denied and words <= DENIAL_WORDS
        if only_denied:
            # A short message whose every risk phrase is said not to be so or sits in a way of
            # speaking ("i dont wanna hurt myself", "gonna end it with him"): the model's high
            # score is its reading of those same words, so it asks "are you safe?" and raises
            # no alarm. In a longer one the model may be reading something else ("... but i
            # keep thinking about the rope"), so it decides as usual.
            uneasy = uneasy or bool(risks) or reads_risk
            worries |= risks
            risks, reads_risk = set(), False
        setting = doc._.setting if doc._.setting in PLACE_KINDS else None
        return Analysis(
            topic=reported_topic(topic),
            subject=topic,
            topic_score=round(float(score), 4),
            risks=sorted(risks),
            rule_risks=sorted(stated | named),
            risk_scores=risk_scores,
            distress=distress,
            uneasy=uneasy,
            worries=sorted(worries - risks),
            reads_risk=reads_risk,
            names_risk=over,
            over=over,
            denied=only_denied,
            leaving=leaving,
            role=doc._.role or self._role(doc),
            role_said=doc._.role,
            setting=setting,
            redacted=redact.apply(doc.text, entities),
            entities=entities,
        ).screened(stated=stated, named=named)

    def _role(self, doc: Doc) -> str | None:
        """The encoder's guess at who is writing, only when it is sure."""
        scores: dict[str, float] = doc._.role_scores or {}
        if not scores:
            return None
        role = max(scores, key=scores.__getitem__)
        return role if scores[role] >= self.role_sure else None


def _other_readings(text: str) -> list[str]:
    """The message without its emoji, and with only those that tell of hurt: each that is
    not empty and not the message as written."""
    if not has_pictures(text):
        return []
    readings = {_keeping(text, frozenset()), _keeping(text, _HARM)} - {"", " ".join(text.split())}
    return sorted(readings)


def _keeping(text: str, kept: frozenset[str]) -> str:
    """The text with its pictures (emoji, their skin tones and joiners) taken out, but `kept`."""
    return " ".join("".join(ch if ch in kept or not is_picture(ch) else " " for ch in text).split())


# Each character of the emoji that tell of hurt ("🗡️" is a blade and a joiner).
_HARM = frozenset(ch for emoji in data.harm_emoji() for ch in emoji) - set(JOINERS)
