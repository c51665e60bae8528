"""intents.yaml: the checker's rules for it, and how typed words are matched to an intent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from content.check import check
from content.library import Library, load_library
from tests.content.conftest import edit

TODAY = dt.date(2026, 11, 23)


def faults_in(data: Path) -> list[tuple[str, int, str]]:
    return [(fault.path.name, fault.line, fault.message) for fault in check(data, today=TODAY)]


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


def test_a_phrase_under_two_intents_is_a_fault(data: Path) -> None:
    line = edit(data / "intents.yaml", "    - main menu\n", "    - main menu\n    - forget me\n")
    found = faults_in(data)
    assert (
        "intents.yaml",
        line + 1,
        "'forget me' is also under forget: keep it under one intent",
    ) in found


def test_the_same_phrase_with_other_capitals_and_ignored_words_counts_as_the_same(
    data: Path,
) -> None:
    line = edit(
        data / "intents.yaml", "    - main menu\n", "    - main menu\n    - Forget me, please!\n"
    )
    assert any(f[1] == line + 1 and "also under forget" in f[2] for f in faults_in(data))


def test_an_intent_with_no_phrases_is_a_fault(data: Path) -> None:
    path = data / "intents.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  help:\n")
    end = text.index("  privacy:\n")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    assert any(f[2] == "Add phrases for the intent: help" for f in faults_in(data))


def test_an_unknown_intent_is_a_fault(data: Path) -> None:
    edit(data / "intents.yaml", "  help:\n", "  dance:\n    - dance\n  help:\n")
    assert any(f[0] == "intents.yaml" and "dance" in f[2] for f in faults_in(data))


def test_a_phrase_of_only_ignored_words_is_a_fault(data: Path) -> None:
    line = edit(data / "intents.yaml", "    - main menu\n", "    - main menu\n    - please\n")
    assert any(f[1] == line + 1 and "only ignored words" in f[2] for f in faults_in(data))


def test_a_phrase_too_long_to_be_typed_as_a_command_is_a_fault(data: Path) -> None:
    long = "please " + "really " * 40 + "forget me"
    line = edit(data / "intents.yaml", "    - main menu\n", f"    - main menu\n    - {long}\n")
    assert any(f[1] == line + 1 and f[2].startswith("Shorten this") for f in faults_in(data))


def test_an_offer_must_be_one_the_engine_knows(data: Path) -> None:
    edit(data / "topics" / "visits.yaml", "        offer: setting\n", "        offer: dance\n")
    assert any(f[0] == "visits.yaml" and "offer" in f[2] for f in faults_in(data))


@pytest.mark.parametrize(
    ("typed", "meaning"),
    [
        ("I want to talk to a real person!", "talk"),
        ("can i talk to someone please", "talk"),
        ("i want to talk to a real persn", "talk"),
        ("i want to speak to an advocat", "talk"),
        ("  FORGET   me ", "forget"),
        ("Delete everything I said.", "forget"),
        ("go back", "menu"),
        ("start again", "start"),
        ("help", "help"),
        ("will the staff see what I write?", "privacy"),
        ("Yes.", "yes"),
        ("yeah", "yes"),
        ("nah", "no"),
        ("nope", "no"),
        ("what is an advocate", None),
        ("my family have all forgotten me", None),
        ("forget me i want to die", None),
        ("", None),
        ("!!!", None),
        ("forget me " + "x" * 300, None),
    ],
)
def test_typed_words_mean_an_intent_only_when_the_whole_message_says_it(
    library: Library, typed: str, meaning: str | None
) -> None:
    assert library.intent(typed) == meaning
