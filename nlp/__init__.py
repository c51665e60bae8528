"""What Rightsline understands of a message: topic, risks, role, setting and a redacted copy.

The pipeline loads once (`load`, or lazily on the first call); a call never reloads it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

from nlp.analysis import Analysis, Entity

__all__ = ["Analysis", "Entity", "analyse", "analyse_many", "load"]

_pipeline = None
_lock = threading.Lock()


def load(model_dir: Path | None = None) -> None:
    """Load the trained pipeline once; train it first if it is missing or out of date."""
    global _pipeline
    with _lock:
        if _pipeline is not None:
            return
        from nlp.pipeline import MODEL_DIR, Pipeline, is_current, train

        directory = model_dir or MODEL_DIR
        if not is_current(directory):
            train(directory)
        _pipeline = Pipeline(directory)


def analyse(text: str) -> Analysis:
    return analyse_many([text])[0]


def analyse_many(texts: Iterable[str]) -> list[Analysis]:
    if _pipeline is None:
        load()
    assert _pipeline is not None
    # One message at a time through spaCy: the engine calls from worker threads.
    with _lock:
        return _pipeline.analyse_many(texts)
