"""The seven subjects as content: a file each, prison rules only where they apply, no number
for the Howard League, and Childline where every other topic has it."""

from __future__ import annotations

import datetime as dt
import re
from typing import get_args

import pytest

from content import load_library
from content.check import check
from content.schema import (
    AUDIENCES,
    CONTENT_TOPICS,
    MESSAGE_KEYS,
    PLACE_KINDS,
    REPORTED_AS,
    REPORTED_TOPICS,
    Subject,
)

SUBJECTS = get_args(Subject)
TODAY = dt.date(2026, 11, 30)
NATIONS = [None, "wales"]
CHILDLINE = "0800 1111"
# Prison adjudication rules (PSI 05/2018): for a YOI only.
PRISON_RULES = re.compile(r"Independent Adjudicator|adjudication|PSI|judge|added days", re.I)
A_NUMBER = re.compile(r"\d(?:[ \d]{4,})\d")


@pytest.fixture(scope="module")
def lib():
    return load_library()


def words(answer) -> str:
    return " ".join([*answer.first, *answer.more, *(a.text for a in answer.actions)])


def test_content_topics_are_the_eight_and_the_seven_subjects():
    assert CONTENT_TOPICS == (*REPORTED_TOPICS, *SUBJECTS)
    assert len(REPORTED_TOPICS) == 8
    # Each subject is reported as one of the contract's labels.
    assert set(REPORTED_AS) == set(SUBJECTS)


def test_the_menu_buttons_are_for_the_eight_topics_only():
    buttons = {key.removeprefix("topic_") for key in MESSAGE_KEYS if key.startswith("topic_")}
    assert buttons == set(REPORTED_TOPICS)


@pytest.mark.parametrize("subject", SUBJECTS)
def test_a_subject_without_its_file_fails_the_check(data, subject):
    (data / "topics" / f"{subject}.yaml").unlink()
    found = [(f.path.name, f.message) for f in check(data, today=TODAY)]
    assert (f"{subject}.yaml", f"Add content for topic: {subject}") in found


@pytest.mark.parametrize("topic", ["adjudications", "appeals", "incentives"])
@pytest.mark.parametrize("setting", ["stc", "sch", "secure_school", "hospital"])
@pytest.mark.parametrize("nation", NATIONS)
def test_no_child_outside_a_yoi_is_told_prison_adjudication_rules(lib, topic, setting, nation):
    said = words(lib.answer(topic, "child", setting, nation))
    assert not PRISON_RULES.search(said), said


@pytest.mark.parametrize("nation", NATIONS)
def test_a_child_in_a_yoi_is_told_of_the_independent_adjudicator(lib, nation):
    said = words(lib.answer("adjudications", "child", "yoi", nation))
    assert "Independent Adjudicator" in said
    assert "Legal aid" in said
    assert "ppo" in {a.route for a in lib.answer("adjudications", "child", "yoi").actions}


def test_the_howard_league_has_no_number_to_show(lib):
    assert lib.helpline("howard_league").number is None


@pytest.mark.parametrize("topic", CONTENT_TOPICS)
@pytest.mark.parametrize("audience", AUDIENCES)
def test_no_answer_gives_a_number_for_the_howard_league(lib, topic, audience):
    for setting in (None, *PLACE_KINDS):
        for nation in NATIONS:
            answer = lib.answer(topic, audience, setting, nation)
            steps = [*answer.first, *answer.more, *(a.text for a in answer.actions)]
            for step in steps:
                if "Howard League" in step:
                    assert not A_NUMBER.search(step), step
            for action in answer.actions:
                if action.route == "howard_league":
                    assert "for the number" in action.text or "confirm its number" in action.text


@pytest.mark.parametrize("setting", [None, *PLACE_KINDS])
def test_legal_advice_offers_a_lawyer_and_an_advocate(lib, setting):
    routes = {a.route for a in lib.answer("legal_advice", "child", setting).actions}
    assert "solicitor" in routes
    assert routes & {"advocate", "imha"}


@pytest.mark.parametrize("topic", CONTENT_TOPICS)
@pytest.mark.parametrize("audience", ["child", "professional"])
def test_childline_is_offered_wherever_the_topics_offer_it(lib, topic, audience):
    # Every child and professional answer ends with Childline and its number, the subjects'
    # as the eight topics' do; a family's answers name the family helplines instead.
    for setting in (None, *PLACE_KINDS):
        for nation in NATIONS:
            answer = lib.answer(topic, audience, setting, nation)
            [childline] = [a for a in answer.actions if a.route == "childline"]
            assert CHILDLINE in childline.text
            assert childline.helpline == "childline"


@pytest.mark.parametrize("setting", ["yoi", "stc", "sch", "secure_school"])
def test_phone_calls_give_the_charter_call_where_it_applies(lib, setting):
    said = words(lib.answer("phone_calls", "child", setting))
    assert "within 2 hours" in said
    assert "kept apart" not in said


def test_a_ward_gets_no_youth_justice_call_rule(lib):
    assert "within 2 hours" not in words(lib.answer("phone_calls", "child", "hospital"))


def test_education_in_a_yoi_says_15_hours_and_the_court_case(lib):
    answer = lib.answer("education", "child", "yoi")
    assert "15 hours" in " ".join(answer.first)
    assert "Feltham" in " ".join(answer.first)


@pytest.mark.parametrize("nation", NATIONS)
def test_only_a_yoi_child_is_offered_the_imb(lib, nation):
    assert "imb" in {a.route for a in lib.answer("imb", "child", "yoi", nation).actions}
    for setting in ("stc", "sch", "secure_school", "hospital"):
        answer = lib.answer("imb", "child", setting, nation)
        assert "imb" not in {a.route for a in answer.actions}
        assert "not staff" in answer.first[0]
