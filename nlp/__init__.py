"""What Rightsline understands of a message: topic, risks, role, setting and a redacted copy.

The pipeline loads once (`load`, or lazily on the first call); a call never reloads it. It is
trained by `make model` (PyTorch, in its own environment); loading it needs no PyTorch.
When it cannot be loaded, a call fails at once (the caller's pattern screen answers) and the
same model is tried again in the background, at most once every `RETRY_SECONDS`: building it
takes seconds, which no child should wait for on every message.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nlp.analysis import Analysis, Entity
from nlp.together import Together

__all__ = ["Analysis", "Entity", "Together", "analyse", "analyse_many", "load", "status"]

log = logging.getLogger(__name__)
RETRY_SECONDS = 60.0
_pipeline = None
_problem: str | None = None
_model_dir: Path | None = None  # the one asked for, which a retry loads again
_next_try = 0.0  # time.monotonic() after which a failed load may be tried again
_lock = threading.Lock()
_retrying = threading.Lock()


def load(model_dir: Path | None = None) -> None:
    """Load the trained pipeline once. Raises ModelUnavailable when it is missing or broken."""
    global _pipeline, _problem, _model_dir, _next_try
    with _lock:
        if _pipeline is not None:
            return
        from nlp.pipeline import MODEL_DIR, ModelUnavailable, Pipeline

        _model_dir = model_dir or _model_dir or MODEL_DIR
        try:
            _pipeline = Pipeline(_model_dir)
            _problem = None
        except ModelUnavailable as error:
            _problem = str(error)
            _next_try = time.monotonic() + RETRY_SECONDS
            log.error("the understanding model is unavailable: %s", error)
            raise


def _retry() -> None:
    """Try the failed model again, once, off the caller's thread (no-op if a try is running)."""
    if not _retrying.acquire(blocking=False):
        return
    try:
        load()
    except Exception:  # noqa: BLE001 - load logged it, and set when to try next
        pass
    finally:
        _retrying.release()


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
    global _next_try
    if _pipeline is None:
        if _problem is None:
            load()  # the first use, where nothing loaded it before
        else:
            from nlp.pipeline import ModelUnavailable

            if time.monotonic() >= _next_try:
                _next_try = time.monotonic() + RETRY_SECONDS
                threading.Thread(target=_retry, name="model-retry", daemon=True).start()
            raise ModelUnavailable(_problem)
    assert _pipeline is not None
    # One batch at a time through spaCy: the engine calls from worker threads.
    with _lock:
        return _pipeline.analyse_many(texts)
