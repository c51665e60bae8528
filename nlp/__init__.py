"""What Rightsline understands of a message: topic, risks, role, setting and a redacted copy.

The pipeline loads once (`load`, or lazily on the first call); a call never reloads it. It is
trained by `make model` (PyTorch, in its own environment); loading it needs no PyTorch.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nlp.analysis import Analysis, Entity
from nlp.together import Together

__all__ = ["Analysis", "Entity", "Together", "analyse", "analyse_many", "load", "status"]

log = logging.getLogger(__name__)
_pipeline = None
_problem: str | None = None
_lock = threading.Lock()


def load(model_dir: Path | None = None) -> None:
    """Load the trained pipeline once. Raises ModelUnavailable when it is missing or broken."""
    global _pipeline, _problem
    with _lock:
        if _pipeline is not None:
            return
        from nlp.pipeline import MODEL_DIR, ModelUnavailable, Pipeline

        try:
            _pipeline = Pipeline(model_dir or MODEL_DIR)
            _problem = None
        except ModelUnavailable as error:
            _problem = str(error)
            log.error("the understanding model is unavailable: %s", error)
            raise


def loaded() -> Any:
    """The loaded pipeline itself, for tools such as the model card (loads it if need be)."""
    if _pipeline is None:
        load()
    return _pipeline


def status() -> str:
    """ "ready", "not loaded", or what is wrong with the model, for /readyz."""
    if _pipeline is not None:
        return "ready"
    return _problem or "not loaded"


def analyse(text: str) -> Analysis:
    return analyse_many([text])[0]


def analyse_many(texts: Iterable[str]) -> list[Analysis]:
    if _pipeline is None:
        load()
    assert _pipeline is not None
    # One batch at a time through spaCy: the engine calls from worker threads.
    with _lock:
        return _pipeline.analyse_many(texts)
