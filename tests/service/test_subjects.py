"""The seven subjects finer than the contract's topics, each asked about in words and answered
for the kind of place, through the real engine and database. The analysis is fixed for the
messages asked here (graded), so each test is about the reply, whatever the model's training.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, select

from content.schema import REPORTED_TOPICS, reported_topic
from service.models import Referral
from service.runtime import build_runtime
from tests.service.helpers import graded, payloads, press, say, texts

CHILDLINE = "0800 1111"
# What a child types, and what the model names it: its subject and the topic it is reported as.
ASKED = {
    "i got nicked and theres a hearing tomorrow": "adjudications",
    "i want to appeal my sentence": "sentence_appeals",
    "they wont let me call my mum": "phone_calls",
    "they took my tv off me": "incentives",
    "i havent had school for a week": "education",
    "can i have a lawyer": "legal_advice",
    "what is the imb": "imb",
}
SAID = {subject: text for text, subject in ASKED.items()}
# Prison adjudication rules: a child outside a YOI must never be told these.
PRISON_RULES = ("Independent Adjudicator", "adjudication", "PSI", "judge")
A_NUMBER = re.compile(r"\d(?:[ \d]{4,})\d")


@pytest.fixture
def asked(settings: Any, analyse: Any) -> Iterator[Any]:
    """A runtime whose model names each message's subject, surely and with no risk."""
    fixed = graded(
        analyse,
        **{
            text: {
                "subject": subject,
                "topic": reported_topic(subject),
                "topic_score": 0.99,
                "risks": [],
                "concern": False,
                "distress": 0.0,
                "setting": None,
            }
            for text, subject in ASKED.items()
        },
    )
    built = build_runtime(settings, analyse=fixed)
    yield built
    built.close()


async def child_in(conversation: Any, setting: str) -> None:
    await press(conversation, "role:child")
    await press(conversation, f"setting:{setting}")


async def everything_said(conversation: Any, first: list[Any]) -> list[str]:
    """The first reply, then every "tell me more" step, then each action's words."""
    said = texts(first)
    replies = first
    while "more" in payloads(replies):
        replies = await press(conversation, "more")
        said += texts(replies)
    listed = await press(conversation, "actions")
    said += texts(listed)
    for payload in payloads(listed):
        if payload.startswith("action:") and payload not in ("action:advocate", "action:forget_me"):
            said += texts(await press(conversation, payload))
    return said


def referrals(database: Any) -> list[Referral]:
    with Session(database) as session:
        return list(session.exec(select(Referral)).all())


# ---- adjudications: prison rules for a YOI, and only there ----------------------------------


@pytest.mark.parametrize("setting", ["stc", "sch", "secure_school", "hospital"])
async def test_a_child_outside_a_yoi_asking_about_a_nicking_is_not_told_prison_rules(
    asked: Any, library: Any, setting: str
) -> None:
    conversation = asked.conversation
    await child_in(conversation, setting)
    replies = await say(conversation, SAID["adjudications"])
    expected = library.answer("adjudications", "child", setting)
    assert replies[0].text == " ".join(expected.first)
    said = " ".join(await everything_said(conversation, replies))
    for words in PRISON_RULES:
        assert words not in said, words
    assert CHILDLINE in said


async def test_a_child_in_an_stc_hears_of_its_sanctions_and_the_ombudsman(asked: Any) -> None:
    conversation = asked.conversation
    await child_in(conversation, "stc")
    replies = await say(conversation, SAID["adjudications"])
    assert "sanctions" in replies[0].text and "written down" in replies[0].text
    said = " ".join(await everything_said(conversation, replies))
    assert "Ombudsman" in said and "covers STCs" in said


async def test_a_child_in_a_yoi_is_told_of_the_independent_adjudicator_and_legal_aid(
    asked: Any,
) -> None:
    conversation = asked.conversation
    await child_in(conversation, "yoi")
    replies = await say(conversation, SAID["adjudications"])
    assert "adjudication (a hearing about breaking a rule)" in replies[0].text
    said = " ".join(await everything_said(conversation, replies))
    assert "Independent Adjudicator (a judge from outside)" in said
    assert "Legal aid" in said and "Ombudsman" in said
    assert "Howard League" in said


async def test_an_adjudication_is_reported_as_an_appeal(asked: Any) -> None:
    conversation = asked.conversation
    await child_in(conversation, "yoi")
    await say(conversation, SAID["adjudications"])
    await press(conversation, "talk")
    await press(conversation, "advocate:yes")
    [referral] = referrals(asked.database)
    assert referral.topic == "appeals"


# ---- phone calls: contact, not separation ---------------------------------------------------


async def test_wont_let_me_call_my_mum_gets_phone_calls_not_separation(
    asked: Any, library: Any
) -> None:
    conversation = asked.conversation
    await child_in(conversation, "yoi")
    replies = await say(conversation, SAID["phone_calls"])
    calls = library.answer("phone_calls", "child", "yoi")
    assert replies[0].text == " ".join(calls.first)
    assert "call home within 2 hours" in replies[0].text
    assert replies[0].text != " ".join(library.answer("separation", "child", "yoi").first)
    said = " ".join(await everything_said(conversation, replies))
    assert "kept apart" not in said
    # The advocate's referral counts it under the contract's topic, visits.
    await press(conversation, "talk")
    await press(conversation, "advocate:yes")
    [referral] = referrals(asked.database)
    assert referral.topic == "visits" and referral.topic in REPORTED_TOPICS


async def test_a_child_on_a_ward_is_not_given_the_youth_justice_call_rule(asked: Any) -> None:
    conversation = asked.conversation
    await child_in(conversation, "hospital")
    replies = await say(conversation, SAID["phone_calls"])
    said = " ".join(await everything_said(conversation, replies))
    assert "within 2 hours" not in said
    assert "IMHA" in said


# ---- legal advice: the Howard League by name, never a number for it -------------------------


@pytest.mark.parametrize("setting", ["unsure", "yoi", "stc", "sch", "secure_school", "hospital"])
async def test_legal_advice_never_shows_a_howard_league_number(
    asked: Any, library: Any, setting: str
) -> None:
    assert library.helpline("howard_league").number is None
    conversation = asked.conversation
    await child_in(conversation, setting)
    replies = await say(conversation, SAID["legal_advice"])
    said = await everything_said(conversation, replies)
    howard = [line for line in said if "Howard League" in line]
    if setting != "hospital":
        assert howard, said
    for line in howard:
        assert not A_NUMBER.search(line), line
    # The button for it says who gives the number instead.
    if setting != "hospital":
        answer = library.answer("legal_advice", "child", None if setting == "unsure" else setting)
        [button] = [a for a in answer.actions if a.route == "howard_league"]
        assert "Ask staff or your advocate for the number" in button.text
        assert button.text in said
    # The only number a child is given here is Childline's.
    numbers = {found.group(0) for line in said for found in A_NUMBER.finditer(line)}
    assert numbers <= {CHILDLINE}


async def test_a_child_at_parc_asking_for_a_lawyer_is_answered_for_a_yoi(asked: Any) -> None:
    conversation = asked.conversation
    await press(conversation, "role:child")
    await say(conversation, "im at parc")
    replies = await say(conversation, SAID["legal_advice"])
    assert "In a YOI" in replies[0].text
    assert "Howard League" in replies[0].text


# ---- each subject: its own answer, with Childline as the other topics have it ---------------


@pytest.mark.parametrize("subject", list(SAID))
async def test_each_subject_is_answered_from_its_own_file_with_childline(
    asked: Any, library: Any, subject: str
) -> None:
    conversation = asked.conversation
    await press(conversation, "role:child")
    for setting in ("unsure", "yoi", "stc", "secure_school", "sch", "hospital"):
        await press(conversation, f"setting:{setting}")
        replies = await say(conversation, SAID[subject])
        place = None if setting == "unsure" else setting
        assert replies[0].text == " ".join(library.answer(subject, "child", place).first)
        listed = await press(conversation, "actions")
        assert "action:childline" in payloads(listed), (subject, setting)
        called = await press(conversation, "action:childline")
        assert CHILDLINE in called[0].text


async def test_the_menu_keeps_to_the_eight_topics(asked: Any) -> None:
    conversation = asked.conversation
    await press(conversation, "role:child")
    replies = await press(conversation, "setting:yoi")
    topics = [p.removeprefix("topic:") for p in payloads(replies) if p.startswith("topic:")]
    assert sorted(topics) == sorted(REPORTED_TOPICS)
