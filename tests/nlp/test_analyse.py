"""The real pipeline: topics, risk patterns, idioms, roles, places and odd input."""

from __future__ import annotations

from typing import Any

import pytest

import nlp
from nlp.pipeline import Pipeline


@pytest.fixture(scope="module", autouse=True)
def loaded(analyse: Any) -> None:
    """The session's pipeline (tests/conftest.py), loaded once."""


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("they keep me banged up in my cell nearly all day, can they do that", "separation"),
        ("how can i challenge a nicking i got yesterday", "appeals"),
        ("how do i complain about an officer", "complaints"),
        ("when can my mum come for a visit", "visits"),
        ("staff held me down on the floor is that allowed", "restraint"),
        ("will anyone else read what i type here", "privacy"),
        ("hiya anyone there", "greeting"),
    ],
)
def test_topics_children_write(text: str, topic: str) -> None:
    assert nlp.analyse(text).topic == topic


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("restraints", "restraint"),
        ("segregation", "separation"),
        ("adjudicated", "appeals"),
        ("visitors", "visits"),
        ("comp2", "complaints"),
        ("imha", "advocate"),
    ],
)
def test_one_word_of_the_place_is_enough(text: str, topic: str) -> None:
    """Words from content/training/patterns.jsonl decide when the classifier is unsure."""
    assert nlp.analyse(text).topic == topic


def test_a_topic_word_does_not_overrule_a_sure_classifier() -> None:
    # "letter" is a visits word, but this is plainly about complaining.
    assert nlp.analyse("how do i write a complaint letter to the governor").topic == "complaints"


@pytest.mark.parametrize(
    "text",
    [
        "honestly might just kms tonight",
        "thinking about unaliving myself",
        "im going to end it tonight",
        "made a ligature out of my bedsheet",
        "they put me on an ACCT",
        "cutting again last night",
        "i took pills",
        "my padmate keeps saying he will hang himself",
        "took my whole strip of tablets after bang up",
        "i necked all my meds at once",
        "i slit my wrist with the lid off a tin",
        "stabbed my leg with a pencil",
    ],
)
def test_self_harm_phrases_and_slang(text: str) -> None:
    assert "self_harm" in nlp.analyse(text).risks


@pytest.mark.parametrize(
    "text",
    [
        "a staff member makes me do sexual things",
        "officer punched me in my cell",
        "the older lads said they'd hurt me if i tell",
    ],
)
def test_abuse_phrases(text: str) -> None:
    assert "abuse" in nlp.analyse(text).risks


@pytest.mark.parametrize(
    "text",
    [
        "im dying for a visit from my nan",
        "these maths worksheets are killing me",
        "i absolutely killed it at football today",
        "what time does bang up finish tonight",
        "can staff restrain me for not going to my room",
    ],
)
def test_idioms_and_questions_are_not_risk(text: str) -> None:
    assert nlp.analyse(text).risks == []


@pytest.mark.parametrize(
    "text",
    [
        "do i take my medication before or after breakfast",
        "do i have to take the tablets the nurse gives me",
        "stabbed my potato with the fork and it snapped",
    ],
)
def test_medicine_and_cutlery_are_not_a_stated_risk(text: str) -> None:
    # No risk phrase states self-harm here, whatever the model makes of the words.
    assert "self_harm" not in nlp.analyse(text).rule_risks


def test_role_and_place_cues() -> None:
    family = nlp.analyse("I'm his mum, he is in Wetherby, can I visit")
    assert (family.role, family.setting) == ("family", "yoi")
    assert nlp.analyse("my client is at Oakhill").role == "professional"
    assert nlp.analyse("my client is at Oakhill").setting == "stc"
    assert nlp.analyse("ive been sectioned on the ward").setting == "hospital"
    assert nlp.analyse("can i complain").role in (None, "child")


@pytest.mark.parametrize(
    "text", ["", "   ", "long " * 4_000, "😀🙃😭", "¿Puedo llamar a mi madre?", "<b>hi</b>", "\x00"]
)
def test_odd_input_gives_a_valid_analysis(text: str) -> None:
    result = nlp.analyse(text)
    assert result.topic in nlp.analysis.TOPICS
    assert isinstance(result.redacted, str)
    assert set(result.risks) <= set(nlp.analysis.RISKS)


def test_risk_scores_come_with_every_analysis() -> None:
    calm, worrying = nlp.analyse_many(["can i have a shower", "i just want to die now"])
    assert set(calm.risk_scores) == set(worrying.risk_scores) == {"self_harm", "abuse"}
    assert worrying.risk_scores["self_harm"] > calm.risk_scores["self_harm"]


def test_risk_words_at_the_end_of_a_long_message_are_read() -> None:
    long = "i want to tell you about my day in here. " * 150 + "i am going to end my life tonight"
    assert "self_harm" in nlp.analyse(long).risks


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        # Each reads as urgent without its emoji; with it, the encoder alone read it as calm.
        ("a teacher asked me to come to the store room on my own again 😬", "abuse"),
        ("staff punched me in the face 😂", "abuse"),
        ("i want to kill myself 😂", "self_harm"),
    ],
)
def test_an_emoji_never_hides_a_risk(text: str, risk: str) -> None:
    assert risk in nlp.analyse(text).risks


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        ("a teacher asked me to come to the store room on my own again 😬", "abuse"),
        ("staff punched me in the face 😂", "abuse"),
        ("i want to kill myself 😂", "self_harm"),
    ],
)
def test_the_encoder_itself_reads_a_risk_told_with_a_laugh_or_a_wince(
    text: str, risk: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the second reading that keeps the higher score: training taught the encoder
    # that a tone emoji changes no meaning (nlp/train.py). The encoder before it read all
    # three as calm.
    monkeypatch.setattr(Pipeline, "_read_without_emoji", lambda self, docs, batch_size: None)
    assert risk in nlp.analyse(text).risks


def test_a_risk_told_in_emoji_is_not_hidden_by_a_tone_after_it() -> None:
    # Read without any emoji there is nothing left: it is read again with the knife and the
    # tears alone, which it keeps.
    assert "self_harm" in nlp.analyse("🔪😭 😬").risks


@pytest.mark.parametrize(
    "text", ["this maths is killing me 😂", "we smashed them at pool 😂😂", "can my mum visit 🙏"]
)
def test_an_idiom_with_an_emoji_stays_calm(text: str) -> None:
    found = nlp.analyse(text)
    assert not found.risks and not found.uneasy


def test_what_a_message_is_told_never_depends_on_what_is_read_with_it() -> None:
    # Read beside longer messages (padding) and shorter ones, the scores are the same to the
    # last digit as when each is read alone.
    texts = [
        "hiya anyone there",
        "honestly might just kms tonight",
        "my son is on the block and he has not had a shower or a phone call for four days now",
        "all good cheers",
        "staff punched me in the face 😂",
        "can my mum visit 🙏",
    ]
    for batched, single in zip(nlp.analyse_many(texts), map(nlp.analyse, texts), strict=True):
        assert batched == single


def test_a_call_never_reloads_the_pipeline() -> None:
    nlp.load()
    before = nlp._pipeline
    nlp.analyse("hello is anyone reading this")
    nlp.load()
    assert nlp._pipeline is before


def test_each_risk_is_read_against_its_own_check_in_threshold(monkeypatch: Any) -> None:
    """The abuse head alone, at the abuse threshold, brings "Are you safe right now?"."""
    text = "who would i ask about getting an advocate on my unit"
    score = nlp.analyse(text).risk_scores["abuse"]
    pipeline = nlp.loaded()
    monkeypatch.setattr(pipeline, "urgent", 2.0)
    monkeypatch.setattr(pipeline, "distress", 2.0)
    monkeypatch.setattr(pipeline, "concern", {"self_harm": 2.0, "abuse": score})
    assert nlp.analyse(text).concern
    monkeypatch.setattr(pipeline, "concern", {"self_harm": 2.0, "abuse": score + 0.001})
    assert not nlp.analyse(text).concern


def test_a_check_in_says_which_risk_it_is_about(monkeypatch: Any) -> None:
    """The abuse head's unease is about abuse; distress alone is about no risk in particular."""
    text = "who would i ask about getting an advocate on my unit"
    found = nlp.analyse(text)
    pipeline = nlp.loaded()
    monkeypatch.setattr(pipeline, "urgent", 2.0)
    monkeypatch.setattr(
        pipeline, "concern", {"self_harm": 2.0, "abuse": found.risk_scores["abuse"]}
    )
    monkeypatch.setattr(pipeline, "distress", 2.0)
    assert nlp.analyse(text).worries == ["abuse"]
    monkeypatch.setattr(pipeline, "concern", {"self_harm": 2.0, "abuse": 2.0})
    monkeypatch.setattr(pipeline, "distress", found.distress)
    sad = nlp.analyse(text)
    assert sad.concern and sad.worries == []


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        ("can my cousin have my trainers when im gone", "self_harm"),
        ("left in my room with no water till dinner, is that allowed", "abuse"),
    ],
)
def test_a_hint_makes_a_check_in_about_its_risk(text: str, risk: str) -> None:
    found = nlp.analyse(text)
    assert found.concern and not found.risks
    assert risk in found.worries


def test_a_calm_or_urgent_message_has_no_worries() -> None:
    calm, urgent = nlp.analyse_many(
        ["what time does the gym open on sundays here", "i am going to end my life tonight"]
    )
    assert calm.worries == [] and not calm.concern
    assert urgent.worries == [] and urgent.risks == ["self_harm"]


def test_a_hint_the_model_reads_risk_in_is_urgent(monkeypatch: Any) -> None:
    """A phrase that hints at a risk is urgent, as one that only names it is, when the model's
    score for that risk reaches named_urgent; below it, a check-in about that risk."""
    text = "can my cousin have my trainers when im gone"
    score = nlp.analyse(text).risk_scores["self_harm"]
    pipeline = nlp.loaded()
    monkeypatch.setattr(pipeline, "urgent", 2.0)
    monkeypatch.setattr(pipeline, "named_urgent", score)
    found = nlp.analyse(text)
    assert found.risks == ["self_harm"] and not found.concern
    monkeypatch.setattr(pipeline, "named_urgent", score + 0.001)
    found = nlp.analyse(text)
    assert found.risks == [] and found.concern and found.worries == ["self_harm"]
