"""Messages read together: each caller gets its own message's analysis, in one batch."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import nlp

CALM = ["how do i complain", "when can my mum visit", "what is an advocate", "hi"]
RISK = "staff punched me last night"


def test_each_caller_gets_the_analysis_of_its_own_message(analyse: Any) -> None:
    batches: list[int] = []
    gate = threading.Event()

    def analyse_many(texts: Any) -> list[Any]:
        texts = list(texts)
        batches.append(len(texts))
        gate.wait(5)  # the first batch holds the reader while the others queue up
        return nlp.analyse_many(texts)

    together = nlp.Together(analyse_many)
    sent = [*CALM, RISK] * 4
    with ThreadPoolExecutor(max_workers=len(sent)) as pool:
        futures = [pool.submit(together, text) for text in sent]
        gate.set()
        found = [future.result(timeout=30) for future in futures]
    alone = {text: nlp.analyse(text) for text in set(sent)}
    assert [a.risks for a in found] == [alone[text].risks for text in sent]
    assert [a.topic for a in found] == [alone[text].topic for text in sent]
    assert "abuse" in found[len(CALM)].risks
    assert sum(batches) == len(sent) and max(batches) > 1  # some were read in company


def test_when_the_model_fails_every_waiting_caller_is_told_and_the_next_is_read() -> None:
    calls = 0

    def analyse_many(texts: Any) -> list[Any]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("model broken")
        return nlp.analyse_many(texts)

    together = nlp.Together(analyse_many)
    with pytest.raises(RuntimeError):
        together("how do i complain")
    assert together("i want to kill myself").risks == ["self_harm"]
