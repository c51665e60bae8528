"""Redaction: each kind of personal detail becomes a placeholder; meaning words stay."""

from __future__ import annotations

from typing import Any

import pytest

import nlp


@pytest.fixture(scope="module", autouse=True)
def loaded(analyse: Any) -> None:
    """The session's pipeline (tests/conftest.py), loaded once."""


@pytest.mark.parametrize(
    ("text", "detail", "placeholder"),
    [
        ("my name is Zebedee Quillfeather", "Quillfeather", "[NAME]"),
        ("my name is zebedee", "zebedee", "[NAME]"),
        ("im zorbo and i need help", "zorbo", "[NAME]"),
        ("its me Tobiah again", "Tobiah", "[NAME]"),
        ("officer Thistlewick kept me in", "Thistlewick", "[NAME]"),
        ("mr pennyworth said no", "pennyworth", "[NAME]"),
        ("my keyworker Ottoline is nice", "Ottoline", "[NAME]"),
        ("ring me on 07700 900123", "900123", "[PHONE]"),
        ("ring me on +44 7700 900456", "900456", "[PHONE]"),
        ("email zebedee.q@example.org", "example.org", "[EMAIL]"),
        ("add me @zorbo_99", "zorbo_99", "[HANDLE]"),
        ("we are at ZZ1 1ZZ", "ZZ1 1ZZ", "[POSTCODE]"),
        ("we live at 12 Larkspur Road", "Larkspur", "[ADDRESS]"),
        ("my number is A1234BC", "A1234BC", "[PRISON_NUMBER]"),
        ("nhs number 943 476 5919", "5919", "[NHS_NUMBER]"),
        ("my dob is 04/07/2010", "2010", "[DOB]"),
        ("born 4 March 2010", "2010", "[DOB]"),
    ],
)
def test_each_kind_of_detail_is_replaced(text: str, detail: str, placeholder: str) -> None:
    result = nlp.analyse(text)
    assert detail not in result.redacted
    assert placeholder in result.redacted
    assert placeholder.strip("[]") in {entity.label for entity in result.entities}


def test_meaning_words_stay() -> None:
    text = "staff restrained me on the block, my mum and my son want a visit, officer said no"
    assert nlp.analyse(text).redacted == text


def test_feelings_after_im_are_not_names() -> None:
    assert nlp.analyse("im sad and im gutted").redacted == "im sad and im gutted"


def test_entities_carry_offsets_not_words() -> None:
    result = nlp.analyse("my name is Zebedee")
    [entity] = result.entities
    assert entity.model_dump() == {"label": "NAME", "start": 11, "end": 18}


def test_measured_redaction_meets_the_bar() -> None:
    from nlp.evaluate import redaction_scores

    scores = redaction_scores(nlp.analyse_many)
    assert scores["removed"] >= 0.98, scores["leaks"]
    assert scores["kept"] >= 0.98
