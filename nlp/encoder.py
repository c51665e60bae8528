"""The fine-tuned sentence encoder at run time: ONNX Runtime and a tokenizer, no PyTorch.

One forward pass gives every head's scores for a message. A message longer than one window
is read in overlapping windows; risk takes the highest score any window gave, so words at
the end of a long message count as much as words at the start.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime
from spacy.language import Language
from spacy.tokens import Doc
from tokenizers import Tokenizer

from content.schema import SUBJECT_LABELS
from nlp import data

# The heads training builds, in the order the ONNX model returns them. "distress" is sad or
# scared words with no named risk: it asks "are you safe?", it never raises an alarm on its own.
# A trained model names its own labels in heads.json; its topic labels may be fewer.
HEADS: dict[str, list[str]] = {
    "topic": list(SUBJECT_LABELS),
    "risk": ["self_harm", "abuse", "distress"],
    "role": ["child", "family", "professional"],
}
FILES = ("model.onnx", "tokenizer.json", "heads.json")
WINDOW = 128
STRIDE = 96


@dataclass(frozen=True)
class Scores:
    topic: dict[str, float]
    risk: dict[str, float]
    role: dict[str, float]


class Encoder:
    """Loads model.onnx, tokenizer.json and heads.json from one directory."""

    def __init__(self, directory: Path, threads: int = 1) -> None:
        heads = json.loads((directory / "heads.json").read_text())
        if not _fits(heads):
            raise ValueError("the encoder was trained for other labels; train it again")
        self.heads: dict[str, list[str]] = heads
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(directory / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = self.tokenizer_from(directory / "tokenizer.json", WINDOW)

    @staticmethod
    def tokenizer_from(path: Path, max_tokens: int) -> Tokenizer:
        tokenizer = Tokenizer.from_file(str(path))
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=max_tokens, stride=0)
        return tokenizer

    @staticmethod
    def encode(tokenizer: Tokenizer, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Token ids and attention mask for a batch, padded to its longest message."""
        encodings = tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        return ids, mask

    def score(self, texts: list[str]) -> list[Scores]:
        """Scores for each text; long texts are split into windows and recombined.

        Each window is read on its own. The int8 model scales its activations by the largest in
        the batch, padding included, so a message read beside others got scores that depended
        on them (by up to 0.4): what a child is told must not depend on who else wrote at the
        same moment, and the figures measured must be those the service gives.
        """
        scores: list[Scores] = []
        for text in texts:
            windows = [self._run(window) for window in self._windows(text)]
            stacked = [np.concatenate(head) for head in zip(*windows, strict=True)]
            scores.append(self._combine(stacked, list(range(len(windows)))))
        return scores

    def _run(self, window: str) -> list[np.ndarray]:
        ids, mask = self.encode(self.tokenizer, [window])
        return list(self.session.run(None, {"input_ids": ids, "attention_mask": mask}))

    def _windows(self, text: str) -> list[str]:
        words = text.split()
        if len(words) <= STRIDE:
            return [text]
        # Words, not tokens, so that a window never splits one; about 1.3 tokens a word.
        return [" ".join(words[i : i + STRIDE]) for i in range(0, len(words), STRIDE * 3 // 4)]

    def _combine(self, stacked: list[np.ndarray], rows: list[int]) -> Scores:
        """One message's windows: topic and role averaged, risk the highest any window gave."""
        topic, risk, role = (values[rows] for values in stacked)
        return Scores(
            topic=self._named("topic", topic.mean(0)),
            risk=self._named("risk", risk.max(0)),
            role=self._named("role", role.mean(0)),
        )

    def _named(self, head: str, values: np.ndarray) -> dict[str, float]:
        return {label: float(v) for label, v in zip(self.heads[head], values, strict=True)}


def _fits(heads: dict[str, list[str]]) -> bool:
    """The model's heads are today's, though it may know fewer topic labels (an older model)."""
    return (
        list(heads) == list(HEADS)
        and heads["risk"] == HEADS["risk"]
        and heads["role"] == HEADS["role"]
        and set(heads["topic"]) <= set(HEADS["topic"])
    )


class EncoderComponent:
    """The spaCy component: sets topic, risk and distress scores in doc.cats, role in
    doc._.role_scores. Its files live in the saved pipeline's own folder."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.encoder: Encoder | None = None
        self.directory: Path | None = None

    def initialize(
        self, get_examples: Any = None, *, nlp: Any = None, directory: Path | None = None
    ) -> None:
        if directory is not None:
            self.from_disk(directory)

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 32) -> Iterator[Doc]:
        docs = list(docs)
        if not docs:
            return
        if self.encoder is None:
            raise RuntimeError("the encoder has no model; train it with `make model`")
        scores = self.encoder.score([data.normalise(doc.text) for doc in docs])
        for doc, score in zip(docs, scores, strict=True):
            doc.cats = {**score.topic, **score.risk}
            doc._.role_scores = score.role
            yield doc

    def to_disk(self, path: Path, *, exclude: Any = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if self.directory is not None and self.directory.resolve() != path.resolve():
            for name in FILES:
                shutil.copy(self.directory / name, path / name)

    def from_disk(self, path: Path, *, exclude: Any = ()) -> EncoderComponent:
        self.directory = Path(path)
        self.encoder = Encoder(self.directory)
        return self


@Language.factory("rightsline_encoder")
def make_encoder(nlp: Language, name: str) -> EncoderComponent:
    return EncoderComponent(name)
