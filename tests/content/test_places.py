"""Places named in words, and answers for Wales: the library finds them, the checker guards them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from content import load_library
from content.check import check
from content.schema import AUDIENCES, CONTENT_TOPICS
from tests.content.conftest import edit

TODAY = dt.date(2026, 11, 30)
ENGLAND_ONLY = ("Coram Voice", "Help at Hand", "Social Care Ombudsman")


@pytest.fixture(scope="module")
def lib():
    return load_library()


def faults_in(data: Path) -> list[tuple[str, int, str]]:
    return [(fault.path.name, fault.line, fault.message) for fault in check(data, today=TODAY)]


# ---- finding a place ----


@pytest.mark.parametrize(
    ("text", "place", "former"),
    [
        ("im in feltham", "feltham", False),
        ("HMYOI Wetherby", "wetherby", False),
        ("hillside", "hillside", False),
        ("im in medway", "oasis-restore", True),
        ("Medway STC", "oasis-restore", True),
        ("im at oakhill", "oakhill", False),
        ("oak hill", "oakhill", False),
        ("parc", "parc", False),
        ("I'm in Parc YPU", "parc", False),
        ("im in wetherbey how do i complain", "wetherby", False),
        ("i'm in feltam", "feltham", False),
        ("they sent me to werington", "werrington", False),
        ("im in cookham wood", "cookham-wood", False),
        ("Kyloe House is ok", "kyloe-house", False),
    ],
)
def test_a_place_is_found_by_any_name_with_a_typo(lib, text, place, former):
    found = lib.find_place(text)
    assert found is not None and (found.place.id, found.former) == (place, former)


@pytest.mark.parametrize(
    "text",
    [
        "i live near a park",  # one letter from Parc: a short name must be exact
        "im from warrington",  # one letter from Werrington, but a town (not_places)
        "my mate kyle",
        "the hillsides",
        "what is the capital of france",
        "",
    ],
)
def test_words_that_only_look_like_a_place(lib, text):
    assert lib.find_place(text) is None


def test_closed_places_are_known_but_not_for_the_model(lib):
    assert lib.place("cookham-wood").holds_children is False
    assert lib.find_establishment("cookham wood") is None
    assert "cookham wood" not in lib.establishments
    # A former name is learned as the place it became.
    assert lib.establishments["medway stc"] == "secure_school"


def test_only_the_place_or_something_more(lib):
    found = lib.find_place("im in feltham")
    assert lib.other_words("im in feltham", found.start, found.end) == []
    text = "im in feltham how do i complain"
    found = lib.find_place(text)
    assert lib.other_words(text, found.start, found.end) == ["how", "do", "complain"]


@pytest.mark.parametrize(
    "text", ["im on a ward", "im in hospital", "im on a cahms unit", "tier 4 ward"]
)
def test_hospital_words(lib, text):
    assert lib.find_kind(text)[0] == "hospital"


def test_places_in_wales(lib):
    welsh = {place.id for place in lib.places.values() if place.nation == "wales"}
    assert welsh == {"parc", "hillside"}


# ---- answers in Wales ----


@pytest.mark.parametrize("topic", CONTENT_TOPICS)
@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("setting", ["yoi", "sch"])
def test_no_answer_read_in_wales_names_an_england_only_body(lib, topic, audience, setting):
    answer = lib.answer(topic, audience, setting, nation="wales")
    words = " ".join([*answer.first, *answer.more, *(a.text for a in answer.actions)])
    for body in ENGLAND_ONLY:
        assert body not in words
    routes = {a.route for a in answer.actions}
    assert not routes & {"coram_voice", "childrens_commissioner", "lgsco"}


@pytest.mark.parametrize("topic", ["complaints", "advocate", "helpline"])
@pytest.mark.parametrize("setting", ["yoi", "sch"])
def test_welsh_children_hear_of_the_commissioner_for_wales(lib, topic, setting):
    answer = lib.answer(topic, "child", setting, nation="wales")
    assert "childrens_commissioner_wales" in {a.route for a in answer.actions}
    # Outside Wales, nothing changes.
    assert lib.answer(topic, "child", setting) != answer


# ---- the checker ----


def test_a_welsh_variant_naming_coram_voice_fails(data):
    path = data / "topics" / "advocate.yaml"
    edit(
        path,
        "      - The Children's Commissioner for Wales can help you too. It is free.",
        "      - Coram Voice can help you too. It is free.",
    )
    line = path.read_text().splitlines().index("    wales:") + 1
    assert (
        "advocate.yaml",
        line,
        "A Welsh answer must not name Coram Voice: it is for England only. "
        "Name a Welsh body, such as the Children's Commissioner for Wales",
    ) in faults_in(data)


def test_a_welsh_variant_routing_to_coram_voice_fails(data):
    edit(
        data / "topics" / "advocate.yaml",
        "      - route: childrens_commissioner_wales\n",
        "      - route: coram_voice\n",
    )
    assert any(
        f[0] == "advocate.yaml" and f[2].startswith("A Welsh answer must not name Coram Voice")
        for f in faults_in(data)
    )


def test_an_england_only_body_needs_a_welsh_variant(data):
    path = data / "topics" / "helpline.yaml"
    text = path.read_text()
    start = text.index("    wales:")
    end = text.index("\n\n  - audience", start)
    path.write_text(text[:start] + text[end + 1 :])
    line = text.splitlines().index("  - audience: child") + 1
    assert (
        "helpline.yaml",
        line,
        "This answer names Help at Hand, which is for England only, and children at Hillside "
        "and Parc read it: add a wales: variant that names a Welsh body instead",
    ) in faults_in(data)


def test_a_welsh_variant_is_read_like_any_answer(data):
    # Reading level, and a way to a person today, hold for the Welsh words too.
    edit(
        data / "topics" / "advocate.yaml",
        "      - The Children's Commissioner for Wales can help you too. It is free.",
        "      - The Commissioner's statutory investigative responsibilities encompass "
        "institutional accommodation nationally.",
    )
    assert any(
        f[0] == "advocate.yaml" and f[2].startswith("Reading grade") for f in faults_in(data)
    )


def test_a_name_must_lead_to_one_place(data):
    edit(data / "places.yaml", "aliases: [Oakhill STC,", "aliases: [Feltham, Oakhill STC,")
    assert any(
        f[0] == "places.yaml" and "'Feltham' is also a name of feltham" in f[2]
        for f in faults_in(data)
    )


def test_an_id_is_used_once(data):
    edit(data / "places.yaml", "  - id: keppel\n", "  - id: wetherby\n")
    assert any(
        f[0] == "places.yaml" and f[2].startswith("The id wetherby is used twice")
        for f in faults_in(data)
    )
