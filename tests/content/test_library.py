"""The Library the engine reads: answers, fallbacks, helplines, places."""

from __future__ import annotations

import re

import pytest

from content import ContentError, load_library
from content.readability import grade, words_per_sentence
from content.schema import AUDIENCES, CONTENT_TOPICS, PLACE_KINDS
from tests.content.conftest import edit


@pytest.fixture(scope="module")
def lib():
    return load_library()


def test_every_topic_has_content(lib):
    assert sorted(lib.topic_names) == sorted(CONTENT_TOPICS)


@pytest.mark.parametrize("topic", CONTENT_TOPICS)
@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("setting", [None, *PLACE_KINDS])
def test_every_topic_answers_every_place_and_audience(lib, topic, audience, setting):
    answer = lib.answer(topic, audience, setting)
    assert answer is not None
    assert 1 <= len(answer.first) <= 3
    assert answer.actions
    assert all(len(action.label) <= 25 for action in answer.actions)


@pytest.mark.parametrize("topic", CONTENT_TOPICS)
@pytest.mark.parametrize("setting", [None, *PLACE_KINDS])
def test_child_replies_read_at_grade_5_with_a_step_for_today(lib, topic, setting):
    answer = lib.answer(topic, "child", setting)
    bubbles = [" ".join(answer.first), *answer.more, *(a.text for a in answer.actions)]
    for bubble in bubbles:
        assert grade(bubble) <= 5, bubble
        assert words_per_sentence(bubble) <= 15, bubble
    routes = {action.route for action in answer.actions}
    assert routes & {"advocate", "imha", "childline"}


def test_setting_variant_replaces_shared_answer(lib):
    shared = lib.answer("separation", "child", None)
    yoi = lib.answer("separation", "child", "yoi")
    assert shared.settings is None
    assert yoi.settings == ("yoi",)
    assert yoi.first != shared.first
    # no variant for this place: the shared answer
    assert lib.answer("privacy", "child", "stc") == lib.answer("privacy", "child", None)


def test_choose_names_the_written_answer_each_reader_gets(lib):
    # The checker's coverage rule and answer() both ask choose(): one fallback, kept once.
    yoi = lib.choose("separation", "child", "yoi")
    assert yoi is not None and yoi.settings == ["yoi"]
    shared = lib.choose("privacy", "child", None)
    assert shared is not None and shared.settings is None
    assert lib.choose("privacy", "child", "stc") is shared
    assert lib.choose("privacy", "child", "moon") is shared
    assert lib.choose("greeting", "child", None) is None
    assert lib.answer("separation", "child", "yoi").first == [step.text for step in yoi.first]


def test_a_family_reads_the_child_answer_when_the_topic_says_so(data):
    path = data / "topics" / "privacy.yaml"
    text = path.read_text()
    start, end = text.index("  - audience: family"), text.index("  - audience: professional")
    path.write_text(
        text[:start].replace("topic: privacy\n", "topic: privacy\nfamily_reads_child: true\n")
        + text[end:]
    )
    lib = load_library(data)
    assert lib.choose("privacy", "family", None) is lib.choose("privacy", "child", None)
    assert lib.answer("privacy", "family").audience == "child"


def test_unknown_topic_or_setting(lib):
    assert lib.answer("greeting", "child", None) is None
    assert lib.answer("separation", "child", "moon") == lib.answer("separation", "child", None)


def test_childline_action_carries_its_helpline(lib):
    answer = lib.answer("separation", "child", None)
    childline = next(a for a in answer.actions if a.route == "childline")
    assert childline.helpline == "childline"
    assert lib.helpline("childline").number == "0800 1111"
    assert "0800 1111" in childline.text


def test_helplines(lib):
    expected = {
        "childline",
        "samaritans",
        "shout",
        "help_at_hand",
        "coram_voice",
        "nyas",
        "howard_league",
        "prisoners_families",
        "nspcc",
    }
    assert expected <= set(lib.helplines)
    assert lib.helpline("samaritans").number == "116 123"
    assert lib.helpline("childline").on_phone_bill is False
    for line in lib.helplines.values():
        assert line.number is None or re.fullmatch(r"\d+( \d+)*", line.number)
        assert line.source in lib.sources


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("I'm at Wetherby", "yoi"),
        ("oakhill", "stc"),
        ("KEPPEL unit", "yoi"),
        ("parc", "yoi"),
        ("they moved me to feltham", "yoi"),
        ("Hillside", "sch"),
        ("Kyloe House is ok", "sch"),
        ("Oasis Restore", "secure_school"),
        ("my room is cold", None),
        ("", None),
    ],
)
def test_find_establishment(lib, text, kind):
    assert lib.find_establishment(text) == kind


def test_kinds(lib):
    assert set(lib.kinds) == set(PLACE_KINDS)
    assert lib.kinds["yoi"].name == "Young offender institution"
    assert lib.establishments["wetherby"] == "yoi"


def test_messages_loaded_when_present(lib, data):
    (data / "messages.yaml").write_text("greeting: Hi. I am here to help.\n", encoding="utf-8")
    assert load_library(data).messages == {"greeting": "Hi. I am here to help."}
    assert load_library(data).answer("separation", "child", None) is not None


def test_bad_data_raises_content_error(data):
    edit(data / "topics" / "visits.yaml", "reviewed:", "review_date:")
    with pytest.raises(ContentError) as raised:
        load_library(data)
    assert "Unknown field: review_date" in str(raised.value)
