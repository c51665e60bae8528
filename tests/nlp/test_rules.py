"""The rules component matches a token pattern of words alone as the phrases it stands for
(nlp/rules.py): what it finds is what the token matcher would have found."""

from __future__ import annotations

from typing import Any

import pytest
import spacy

from nlp import data
from nlp.rules import Rules, read_patterns

PATTERNS: list[dict[str, Any]] = [
    {
        "kind": "risk",
        "label": "self_harm",
        "pattern": [{"LOWER": "kill"}, {"LOWER": {"IN": ["myself", "meself"]}}],
    },
    {
        "kind": "topic",
        "label": "visits",
        "pattern": [{"LOWER": "my"}, {"LOWER": "mum", "OP": "?"}, {"LOWER": "visit"}],
    },
    # A word in between, any word: only the token matcher can say this.
    {
        "kind": "risk",
        "label": "abuse",
        "pattern": [{"LOWER": "staff"}, {"IS_ALPHA": True, "OP": "?"}, {"LOWER": "punched"}],
    },
    {"kind": "role", "label": "family", "phrase": "my son"},
]


@pytest.fixture(scope="module")
def rules() -> tuple[Any, Rules, Rules]:
    """The rules as built, and the same patterns all left to the token matcher."""
    blank = spacy.blank("en")
    built = Rules(blank, "rules")
    built.initialize(patterns=PATTERNS)
    tokens_only = Rules(blank, "tokens_only")
    tokens_only.phrases = built.phrases.__class__(blank.vocab, attr="LOWER")
    tokens_only.phrases.add("role|family|3", [blank.make_doc("my son")])
    tokens_only.tokens = built.tokens.__class__(blank.vocab)
    for index, entry in enumerate(PATTERNS[:3]):
        tokens_only.tokens.add(f"{entry['kind']}|{entry['label']}|{index}", [entry["pattern"]])
    return blank, built, tokens_only


def found(nlp: Any, rules: Rules, text: str) -> tuple[Any, ...]:
    doc = rules(nlp.make_doc(text))
    return (doc._.rule_risks, doc._.rule_topic, doc._.role)


@pytest.mark.parametrize(
    "text",
    [
        "i want to KILL MESELF",
        "honestly i might kill myself",
        "i want to kill him",
        "when is my visit",
        "when is my mum visit",
        "my mum my visit",
        "my son says staff punched him",
        "staff just punched me",
        "staff punched me",
        "",
    ],
)
def test_phrases_find_what_the_token_patterns_find(rules: Any, text: str) -> None:
    nlp, built, tokens_only = rules
    assert found(nlp, built, text) == found(nlp, tokens_only, text)


def test_only_the_pattern_with_any_word_is_left_to_the_token_matcher(rules: Any) -> None:
    _, built, _ = rules
    assert len(built.tokens) == 1
    assert found(rules[0], built, "staff just punched me")[0] == ["abuse"]
    assert found(rules[0], built, "i could kill myself") == (["self_harm"], None, None)


def test_a_pattern_of_many_long_word_lists_is_left_to_the_token_matcher() -> None:
    # Spelled out, it would be 160,000 phrases: the token matcher finds it as written.
    many = {
        "kind": "risk_hint",
        "label": "abuse",
        "pattern": [{"LOWER": {"IN": [f"{letter}{n}" for n in range(20)]}} for letter in "abcd"],
    }
    blank = spacy.blank("en")
    rules = Rules(blank, "rules")
    rules.initialize(patterns=[many])
    assert len(rules.tokens) == 1
    assert rules(blank.make_doc("so a3 b7 c1 d19 then"))._.rule_hints == ["abuse"]
    assert rules(blank.make_doc("so a3 b7 c1 then"))._.rule_hints == []


def ruled(patterns: list[dict[str, Any]], text: str) -> Any:
    """`text` read by the rules with only these patterns (and PATTERNS[2], which keeps the
    token matcher from being empty: spaCy warns of an empty one)."""
    blank = spacy.blank("en")
    rules = Rules(blank, "rules")
    rules.initialize(patterns=[*patterns, PATTERNS[2]])
    return rules(blank.make_doc(text))


def stated_and_named(patterns: list[dict[str, Any]], text: str) -> tuple[list[str], list[str]]:
    """The risks the rules state and name in `text`."""
    doc = ruled(patterns, text)
    return doc._.rule_risks, doc._.rule_named


@pytest.mark.parametrize(
    ("text", "stated", "named"),
    [
        ("he is hurting me", ["abuse"], []),
        ("no one is hurting me, just asking", [], ["abuse"]),
        ("nobody hurting me", [], ["abuse"]),
        ("he isnt hurting me", [], ["abuse"]),
        ("he's not hurting me", [], ["abuse"]),
        # "cant" is no denial, and a word in between is not one either.
        ("i cant stop hurting me", ["abuse"], []),
        ("i will not say who keeps hurting me", ["abuse"], []),
    ],
)
def test_a_risk_said_not_to_be_so_only_names_it(
    text: str, stated: list[str], named: list[str]
) -> None:
    hurting = {"kind": "risk", "label": "abuse", "phrase": "hurting me"}
    assert stated_and_named([hurting], text) == (stated, named)


@pytest.mark.parametrize(
    ("text", "stated", "named"),
    [
        ("he doesnt wanna hurt me", [], ["abuse"]),
        ("he says he doesn't want to hurt me", [], ["abuse"]),
        ("he doesn’t want to hurt me", [], ["abuse"]),
        ("he wants to hurt me", ["abuse"], []),
    ],
)
def test_not_wanting_it_only_names_the_risk(text: str, stated: list[str], named: list[str]) -> None:
    hurt = {"kind": "risk", "label": "abuse", "phrase": "hurt me"}
    assert stated_and_named([hurt], text) == (stated, named)


@pytest.mark.parametrize(
    ("text", "stated", "named"),
    [
        ("im not gonna hurt myself, relax", [], ["self_harm"]),
        ("never tried to hurt myself, that was my mate", [], ["self_harm"]),
        ("i havent felt like hurting myself in ages", [], ["self_harm"]),
        ("no plans to hurt myself, just bored", [], ["self_harm"]),
        # A verb with no denial before it still states it.
        ("im going to hurt myself", ["self_harm"], []),
        ("i tried to hurt myself", ["self_harm"], []),
    ],
)
def test_a_denial_with_a_verb_between_only_names_the_risk(
    text: str, stated: list[str], named: list[str]
) -> None:
    hurt = {
        "kind": "risk",
        "label": "self_harm",
        "pattern": [{"LOWER": {"IN": ["hurt", "hurting"]}}, {"LOWER": "myself"}],
    }
    assert stated_and_named([hurt], text) == (stated, named)


@pytest.mark.parametrize(
    ("text", "stated", "named"),
    [
        ("tried to hang myself at my last unit, thats all behind me now", [], ["self_harm"]),
        ("hang myself? i thought about it when i was 13, im fine now", [], ["self_harm"]),
        ("tried to hang myself years ago but ive been fine since", [], ["self_harm"]),
        # Coming back, or now: stated.
        ("tried to hang myself at my last unit and its coming back", ["self_harm"], []),
        ("tried to hang myself years ago, ive been fine til last night", ["self_harm"], []),
        ("im gonna hang myself tonight", ["self_harm"], []),
    ],
)
def test_self_harm_told_as_over_only_names_it(
    text: str, stated: list[str], named: list[str]
) -> None:
    hang = {"kind": "risk", "label": "self_harm", "phrase": "hang myself"}
    assert stated_and_named([hang], text) == (stated, named)


GAME = {
    "kind": "not_risk",
    "label": "abuse",
    "pattern": [
        {"LOWER": {"IN": ["beat", "hit"]}},
        {"LOWER": "me"},
        {"LOWER": "at"},
        {"LOWER": {"IN": ["darts", "pool"]}},
    ],
}


@pytest.mark.parametrize(
    ("text", "stated", "named"),
    [
        # A way of speaking that holds the risk phrase only names it...
        ("my cousin beat me at darts again", [], ["abuse"]),
        ("he beat me at darts", [], ["abuse"]),
        # ...and only where it is said: the same words about something else state it.
        ("he beat me at night in the shower", ["abuse"], []),
        ("he beat me at darts then beat me again in the cell", ["abuse"], ["abuse"]),
    ],
)
def test_a_way_of_speaking_only_names_the_risk_it_holds(
    text: str, stated: list[str], named: list[str]
) -> None:
    beat = [
        {"kind": "risk", "label": "abuse", "phrase": "beat me"},
        {"kind": "risk", "label": "abuse", "phrase": "he beat"},
    ]
    assert stated_and_named([*beat, GAME], text) == (stated, named)


@pytest.mark.parametrize(
    ("text", "stated", "named"),
    [
        ("he knelt on my neck till i went dizzy", ["abuse"], []),
        ("staff stood on my fingers", ["abuse"], []),
        ("the lad on my landing sat on me and took my canteen", ["abuse"], []),
        ("sitting on my bed doing a wordsearch", [], []),
        ("stood on my charger and snapped it", [], []),
        ("my nan sent me pics of her new kitten", [], ["abuse"]),
        ("a man from snap sent me pics and wants some back", ["abuse"], []),
        # A bump on the furniture, told as one, only names self-harm; a wall, or doing it
        # again and again, states it.
        ("i banged my head on the top bunk getting up lol", [], ["self_harm"]),
        ("i banged my head on the wall till it bled", ["self_harm"], []),
        ("been banging my head on the bunk all night", ["self_harm"], []),
        # Sweets, not tablets: a way of speaking, so it only names it.
        ("overdosed on so much chocolate at the social lol", [], ["self_harm"]),
        ("overdosed on my tablets at the weekend", ["self_harm"], []),
        # A break-up, and a kind letter, are ways of speaking too.
        ("gonna end it with my girlfriend when she visits sunday", [], ["self_harm"]),
        ("im going to end it with the tablets ive saved", ["self_harm"], []),
        ("my sister touched my heart with her card", [], ["abuse"]),
        ("he touched my leg under the table in education", ["abuse"], []),
        ("hit me up on here when u know the visit times", [], ["abuse"]),
        ("he hit me up the side of the head in the dinner queue", ["abuse"], []),
        # A punch bag and a scrape on a fence are sport and an accident; a pool cue is a weapon.
        ("he punched the bag in the gym for an hour", [], ["abuse"]),
        ("then he punched me in the gym", ["abuse"], []),
        ("scratched my arm on the fence getting the ball back", [], ["self_harm"]),
        ("scratched my arm till it bled", ["self_harm"], []),
        ("i was hit with a pool cue on association", ["abuse"], []),
        ("got hit with a pool ball in a sock on association", ["abuse"], []),
        ("got hit with a ball in pe, it was an accident", [], []),
        # Wanting to be found cold is wanting to die; being found in the gym is not.
        ("i want them to find me cold in the morning", ["self_harm"], []),
        ("staff will find me in the gym after lunch", [], []),
        # The head on a wall or door is done to oneself; headbanging to music is not.
        ("been headbuttin the wall in my room when i get angry", ["self_harm"], []),
        ("head bangin the wall again last nite", ["self_harm"], []),
        ("i was headbanging to metal all night", [], []),
        # Made to fight each other is abuse; being told not to is not.
        ("me n my mate got told to fight each other by two staff for a bet", ["abuse"], []),
        ("staff told us not to fight each other", [], []),
        # Tablets saved up are a plan; a canteen saved up is chocolate.
        ("i been saving my meds in my sock for a bit", ["self_harm"], []),
        ("saving up my canteen for chocolate", [], []),
        ("everyone wud be better off if i wasnt here", ["self_harm"], []),
        ("my cellmate would be better off without me snoring lol", [], []),
        # A goodbye because the child is moving on only names it; the model decides.
        ("they are shipping me to a new yoi on tuesday so this is goodbye", [], ["self_harm"]),
        ("gettin out on friday!! this is goodbye x", [], ["self_harm"]),
        ("this is goodbye, i cant do another day", ["self_harm"], []),
        # A burn from the kitchen is an accident; a burn to the arm is not.
        ("burned my hand a bit on the toaster at breakfast", [], ["self_harm"]),
        ("burned my arm again last night", ["self_harm"], []),
        # Letters left to be found are a goodbye; letters sent are post.
        (
            "wrote to my mum and my brother. staff will find the notes in the morning",
            ["self_harm"],
            [],
        ),
        ("left letters for everyone, theyll find them when im gone", ["self_harm"], []),
        ("i wrote letters to my nan, she says the post will find them ok", [], []),
        # Boredom said the way people say it only names it; the model decides.
        ("science is so boring i wanna die when is dinner", [], ["self_harm"]),
        ("bored out my head, i want to die", ["self_harm"], []),
    ],
)
def test_the_phrases_in_content_tell_where_someone_was_from_what_they_did(
    text: str, stated: list[str], named: list[str]
) -> None:
    patterns = read_patterns(data.TRAINING / "patterns.jsonl")
    assert stated_and_named(patterns, text) == (stated, named)


def hinted(patterns: list[dict[str, Any]], text: str) -> tuple[list[str], list[str], list[str]]:
    """The risks the rules hint at, state and name in `text`."""
    doc = ruled(patterns, text)
    return doc._.rule_hints, doc._.rule_risks, doc._.rule_named


@pytest.mark.parametrize(
    ("text", "hints"),
    [
        # A goodbye or a thought of not being here, tucked into an ordinary question.
        ("can my cousin have my trainers when im gone", ["self_harm"]),
        ("do complaints still get answered if something happens to me", ["self_harm"]),
        ("whats the point, i won't be here by the time it gets heard", ["self_harm"]),
        ("will they read it if im not here anymore", ["self_harm"]),
        ("how do i write a will", ["self_harm"]),
        ("i just want to ring my nan one last time", ["self_harm"]),
        ("im not gonna make it to my court date", ["self_harm"]),
        ("ngl i aint gonna make it that long in here", ["self_harm"]),
        ("does it matter if im not here by the time my appeal is done", ["self_harm"]),
        ("i dont plan on being around when they let me out", ["self_harm"]),
        ("can u help pick songs for my funeral", ["self_harm"]),
        ("how do complaints work. not that it matters, i wont be here by friday", ["self_harm"]),
        ("dont bother booking the visit mum, im not gonna be around after sunday", ["self_harm"]),
        # Used for something, or kept without what a child needs, behind a question.
        ("an officer says ill get more gym if i do him favours", ["abuse"]),
        ("this lad on my unit keeps asking me for pics, can i block him", ["abuse"]),
        ("the man who got me the vape wants pics back now", ["abuse"]),
        ("they wont give me my inhaler, who do i tell", ["abuse"]),
        ("left in my room with no water till dinner, is that allowed", ["abuse"]),
        ("can my padmate have my radio, i wont be needing it after friday", ["self_harm"]),
        ("they turn my water off at night when im on basic", ["abuse"]),
        ("staff turned off the taps in my room cos i was gobby", ["abuse"]),
        ("they took my asthma inhaler off me, can i get it back", ["abuse"]),
        ("is it allowed, no dinner as a punishment for swearing", ["abuse"]),
        ("only had cold beans for dinner all week as punishment", ["abuse"]),
        ("no breakfast all weekend cos i wouldnt go behind my door", ["abuse"]),
        ("the nurse says i cant have my insulin until i say sorry to sir", ["abuse"]),
        ("he lets me keep the lights on late if i give him a cuddle", ["abuse"]),
        ("can an officer hold your neck in a restraint", ["abuse"]),
        ("healthcare keep missing my asthma meds and i cant breathe at night", ["abuse"]),
        ("the nurse has been skipping my tablets, says im putting it on", ["abuse"]),
        ("not had my inhaler for 5 days, they just say tomorrow", ["abuse"]),
        ("honestly so done, fr", ["self_harm"]),
        # Things given away: a goodbye in what was done, whatever else is said.
        ("gave my headphones to rio and my good hoodie to the new lad today", ["self_harm"]),
        ("gave away all my posters this morning", ["self_harm"]),
        ("been giving my snacks away on association", ["self_harm"]),
        # Asked to come somewhere alone: grooming can be said by nothing more than that.
        ("the teacher asked me to come to the store room on my own again", ["abuse"]),
        ("he keeps asking me to stay behind after group by myself", ["abuse"]),
        ("an officer wants me to meet him in the laundry alone", ["abuse"]),
        # The same words about something else hint at nothing.
        ("i didnt make it to the gym this morning", []),
        ("when i'm going home can i keep my tablet", []),
        ("my mum will make it to the visit", []),
        ("he is not here today, he is on leave", []),
        ("my mum wants pics of me for her album", []),
        ("can i do my mum a favour and send her my timetable", []),
        ("they could give him medication he refused on the ward", []),
        ("no water in the kettle again lol", []),
        ("i will be needing my coat for the visit", []),
        ("can i turn the tv off at night myself", []),
        ("lost my tv as a punishment for swearing", []),
        ("the nurse takes my tablet away at bedtime", []),
        ("i plan on being a mechanic when i get out", []),
        ("can i ask to go to the gym on my own", []),
        ("staff make me stay in my room on my own all day", []),
        ("cant have my meds until the pharmacy opens", []),
        ("can i give my nan a hug at the family day", []),
        ("i hurt my neck doing press ups", []),
        ("i keep forgetting my meds in the morning", []),
        ("staff missed the bus so the visit was late", []),
        ("i havent had my dinner yet", []),
        ("done my homework fr", []),
        ("the nurse gave me some cream to put on my eczema", []),
        ("who do i give my form to", []),
    ],
)
def test_the_phrases_in_content_hint_at_a_risk_without_stating_it(
    text: str, hints: list[str]
) -> None:
    patterns = read_patterns(data.TRAINING / "patterns.jsonl")
    assert hinted(patterns, text) == (hints, [], [])
