"""Messages that arrive at the same moment, from many threads, read by the model in one pass.

A busy service has several messages waiting at once, so each caller hands its text to one
reading thread, which takes everything waiting (up to `most`) in one call: the model is locked
once, and spaCy's tokenizer and name model read the batch together. The encoder still reads
each message on its own (nlp/encoder.py), so no message's scores depend on its company.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future

from nlp.analysis import Analysis

AnalyseMany = Callable[[Iterable[str]], list[Analysis]]


class Together:
    """`Together(analyse_many)(text)` is `analyse_many([text])[0]`, read in company."""

    def __init__(self, analyse_many: AnalyseMany, most: int = 16) -> None:
        self._analyse_many = analyse_many
        self._most = most
        self._waiting: queue.SimpleQueue[tuple[str, Future[Analysis]]] = queue.SimpleQueue()
        self._reader: threading.Thread | None = None
        self._starting = threading.Lock()

    def __call__(self, text: str) -> Analysis:
        self._start()
        read: Future[Analysis] = Future()
        self._waiting.put((text, read))
        return read.result()  # the model's own error, if it raised, is raised here

    def _start(self) -> None:
        # Started on first use, in the process that uses it (never before a fork).
        with self._starting:
            if self._reader is None or not self._reader.is_alive():
                self._reader = threading.Thread(target=self._read, name="read", daemon=True)
                self._reader.start()

    def _read(self) -> None:
        while True:
            batch = [self._waiting.get()]
            while len(batch) < self._most:
                try:
                    batch.append(self._waiting.get_nowait())
                except queue.Empty:
                    break
            try:
                found = self._analyse_many([text for text, _ in batch])
            except BaseException as error:  # noqa: BLE001 - each caller gets it, none waits on
                for _, read in batch:
                    read.set_exception(error)
                continue
            for (_, read), analysis in zip(batch, found, strict=True):
                read.set_result(analysis)
