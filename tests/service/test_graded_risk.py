"""The graded answer to risk: urgent, concern (a check-in), none; each as a conversation.

The real pipeline reads every message. Where a path needs a message graded one way whatever
the model's latest training says, `graded` takes the real analysis and sets only its grade.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from service.models import Event, Referral
from service.replies import Inbound
from service.runtime import build_runtime
from tests.service.helpers import (
    chat_column_over_its_migration,
    graded,
    payloads,
    press,
    say,
    texts,
)

CHILDLINE = "0800 1111"
SAFE = "Are you safe right now?"


@pytest.fixture
def worried(settings: Any, analyse: Any) -> Any:
    """A runtime whose model reads two messages as a concern (no named risk)."""
    fixed = graded(
        analyse,
        **{
            "i have had enough of all of it in here": {"risks": [], "concern": True},
            "the block is getting to me": {"risks": [], "concern": True, "topic": "separation"},
        },
    )
    built = build_runtime(settings, analyse=fixed)
    yield built
    built.close()


def referrals(runtime: Any) -> list[Referral]:
    with Session(runtime.database) as session:
        return list(session.exec(select(Referral)).all())


def check_ins(runtime: Any) -> int:
    with Session(runtime.database) as session:
        return len(session.exec(select(Event).where(Event.check_in)).all())


async def test_urgent_childline_first_then_an_urgent_referral(runtime: Any) -> None:
    replies = await say(runtime.conversation, "i want to kill myself tonight")
    assert CHILDLINE in replies[0].text
    assert [r.urgency for r in referrals(runtime)] == ["urgent"]
    assert SAFE not in " ".join(texts(replies))


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        ("can my cousin have my trainers when im gone, hes a size 9 too", "self_harm"),
        ("do complaints still get answered if something happens to me before then", "self_harm"),
        ("the lad who sorts my canteen wants pics back now, how do i change my pin", "abuse"),
        ("can i complain about being left with no water till the morning", "abuse"),
    ],
)
async def test_a_hint_tucked_into_a_question_asks_if_they_are_safe(
    runtime: Any, text: str, risk: str
) -> None:
    """The model reads these as calm; the words hint at not being here, at being used, or at
    being kept without what a child needs (patterns.jsonl, kind risk_hint), so the child is
    asked, and "No" raises an urgent referral that says which danger it was asked about."""
    conversation = runtime.conversation
    await press(conversation, "role:child")
    asked = await say(conversation, text)
    assert CHILDLINE in asked[0].text
    assert asked[-1].text == SAFE
    assert referrals(runtime) == []
    await press(conversation, "safe:no")
    [referral] = referrals(runtime)
    assert referral.urgency == "urgent"
    assert risk in referral.risks.split(",")


async def test_concern_then_yes_goes_on_with_what_they_asked(worried: Any) -> None:
    conversation = worried.conversation
    await press(conversation, "role:child")
    asked = await say(conversation, "the block is getting to me")
    assert CHILDLINE in asked[0].text
    assert asked[-1].text == SAFE
    assert payloads(asked) == ["safe:yes", "safe:no"]
    assert referrals(worried) == []
    answer = await press(conversation, "safe:yes")
    assert "glad" in answer[0].text
    assert "apart" in " ".join(texts(answer[1:]))  # the separation answer they asked for
    assert referrals(worried) == []
    assert check_ins(worried) == 1


async def test_concern_then_a_typed_yes_is_understood(worried: Any) -> None:
    conversation = worried.conversation
    await say(conversation, "the block is getting to me")
    answer = await say(conversation, "yeah")
    assert "glad" in answer[0].text
    assert referrals(worried) == []


@pytest.mark.parametrize(
    "answer",
    [
        {"payload": "safe:no"},
        {"text": "no"},
        {"text": "nah"},
        # Written the way children answer: a no, or not sure, is never taken for the menu.
        {"text": "no not really"},
        {"text": "no im not"},
        {"text": "not rlly"},
        {"text": "idk"},
        {"text": "i dunno"},
        {"text": "kinda"},
    ],
)
async def test_concern_then_no_is_urgent(worried: Any, answer: dict[str, str]) -> None:
    conversation = worried.conversation
    await say(conversation, "i have had enough of all of it in here")
    replies = await conversation.handle("a" * 64, "web", Inbound(**answer))
    assert CHILDLINE in replies[0].text
    assert "staff" in replies[1].text  # tell staff, press the call bell
    [referral] = referrals(worried)
    assert referral.urgency == "urgent"
    assert "enough of all of it" in referral.summary
    assert "not safe right now" in referral.summary


async def test_a_no_after_sad_words_that_named_no_risk_is_urgent_with_no_label(
    settings: Any, analyse: Any
) -> None:
    """Distress alone ("i cant stop crying") names no danger: the referral says none, and the
    advocate reads the words and that the child said they are not safe."""
    sad = "i cant stop crying in here"
    fixed = graded(analyse, **{sad: {"risks": [], "concern": True, "worries": []}})
    built = build_runtime(settings, analyse=fixed)
    try:
        await say(built.conversation, sad)
        await press(built.conversation, "safe:no")
        [referral] = referrals(built)
        assert referral.urgency == "urgent" and referral.risks == ""
        assert "cant stop crying" in referral.summary
    finally:
        built.close()


async def test_a_second_worrying_message_makes_it_urgent(worried: Any) -> None:
    conversation = worried.conversation
    await say(conversation, "i have had enough of all of it in here")
    replies = await say(conversation, "the block is getting to me")
    assert CHILDLINE in replies[0].text
    assert [r.urgency for r in referrals(worried)] == ["urgent"]


async def test_none_gets_the_ordinary_answer(runtime: Any) -> None:
    replies = await say(runtime.conversation, "how do i make a complaint")
    assert CHILDLINE not in replies[0].text
    assert SAFE not in " ".join(texts(replies))
    assert referrals(runtime) == []
    assert check_ins(runtime) == 0


async def test_a_risk_about_restraint_also_hears_the_right(settings: Any, analyse: Any) -> None:
    hurt = "they held me down so hard my wrist is swollen"
    built = build_runtime(
        settings, analyse=graded(analyse, **{hurt: {"risks": ["abuse"], "topic": "restraint"}})
    )
    replies = await say(built.conversation, hurt)
    said = texts(replies)
    assert CHILDLINE in said[0]
    assert any("never hurt you to make you do as you are told" in line for line in said)
    built.close()


async def test_check_ins_are_counted_in_the_figures(worried: Any) -> None:
    from service.stats import compute

    for n in range(5):
        await worried.conversation.handle(
            f"{n}" * 64, "web", Inbound(text="the block is getting to me")
        )
    with Session(worried.database) as session:
        figures = compute(session=session)
    assert figures.check_ins.count == 5


# A risk named, not stated: a calm question about self-harm, or the same words from a child
# in whose message the model reads risk. Graded so the test is about the engine, not the
# latest training.
NAMED = "what help is there for lads who self harm on my wing"
STATED = "the night officer abused me and i told no one"


@pytest.fixture
def reading(settings: Any, analyse: Any) -> Any:
    """Builds a runtime whose model grades one message as told (the rest as it reads them)."""
    built: list[Any] = []

    def build(text: str, **grade: Any) -> Any:
        built.append(build_runtime(settings, analyse=graded(analyse, **{text: grade})))
        return built[-1]

    yield build
    for runtime in built:
        runtime.close()


CALM = {"risks": [], "uneasy": False, "reads_risk": False, "concern": False, "names_risk": False}


async def told_calm(reading: Any, text: str) -> tuple[Any, list[Any]]:
    """A runtime whose model reads `text` as calm, and the replies to it."""
    built = reading(text, **CALM)
    return built, await say(built.conversation, text)


async def test_a_risk_named_in_a_calm_question_gets_childline_and_the_answer_not_an_alarm(
    reading: Any,
) -> None:
    asking = "do they still lock you in at night if youre on self harm obs"
    built = reading(asking, **CALM, topic="separation", subject="separation", topic_score=0.99)
    replies = await say(built.conversation, asking)
    assert replies[0].text.startswith("If this is about you") and CHILDLINE in replies[0].text
    assert "keep you apart" in replies[1].text  # then the answer, as to anyone
    assert SAFE not in " ".join(texts(replies))
    assert referrals(built) == []
    assert check_ins(built) == 0


async def test_a_family_member_naming_a_risk_is_told_where_a_child_can_get_help(
    reading: Any,
) -> None:
    asking = "is my son still on self harm obs at night"
    built = reading(asking, **CALM, topic="separation", subject="separation", topic_score=0.99)
    await press(built.conversation, "role:family")
    replies = await say(built.conversation, asking)
    assert replies[0].text.startswith("If you are worried about a child")
    assert CHILDLINE in replies[0].text and referrals(built) == []


async def test_an_answer_that_already_gives_childline_is_not_told_it_twice(
    reading: Any,
) -> None:
    built = reading(NAMED, **CALM)  # the model reads it as a question about helplines
    joined = " ".join(texts(await say(built.conversation, NAMED)))
    assert joined.count(CHILDLINE) == 1 and "If this is about you" not in joined


@pytest.mark.parametrize(
    ("text", "uneasy", "risk"),
    [(NAMED, True, "self_harm"), (STATED, False, "abuse")],
    ids=["named-and-the-model-reads-risk", "stated-however-calm-the-model"],
)
async def test_a_risk_stated_or_named_with_the_models_unease_is_urgent(
    reading: Any, text: str, uneasy: bool, risk: str
) -> None:
    built = reading(text, risks=[], uneasy=uneasy, reads_risk=uneasy, concern=uneasy)
    replies = await say(built.conversation, text)
    assert CHILDLINE in replies[0].text
    [referral] = referrals(built)
    assert referral.urgency == "urgent" and referral.risks == risk


async def test_a_risk_named_with_only_a_little_unease_gets_a_check_in(reading: Any) -> None:
    built = reading(NAMED, risks=[], uneasy=True, reads_risk=False, concern=True)
    replies = await say(built.conversation, NAMED)
    assert CHILDLINE in replies[0].text and replies[-1].text == SAFE
    assert referrals(built) == []


async def test_a_risk_said_not_to_be_so_is_no_alarm_but_still_gets_childline(
    reading: Any,
) -> None:
    asking = "how do i report bullying in general, no one is hurting me just asking"
    built, replies = await told_calm(reading, asking)
    assert CHILDLINE in replies[0].text and SAFE not in " ".join(texts(replies))
    assert referrals(built) == []


async def test_cant_stop_is_no_denial(reading: Any) -> None:
    telling = "i cant stop cutting myself"
    built, replies = await told_calm(reading, telling)
    assert CHILDLINE in replies[0].text
    assert [r.urgency for r in referrals(built)] == ["urgent"]


async def test_gonna_die_is_a_way_of_speaking_unless_the_model_reads_risk(reading: Any) -> None:
    bored = "im gonna die of boredom if they cancel association again"
    built, replies = await told_calm(reading, bored)
    assert CHILDLINE in replies[0].text and SAFE not in " ".join(texts(replies))
    assert referrals(built) == []
    wanting = "i want to die, nothing is ever going to change"
    built = reading(wanting, risks=[], uneasy=False, reads_risk=False)
    await say(built.conversation, wanting)
    assert [r.urgency for r in referrals(built)] == ["urgent"]


async def test_a_risk_named_when_the_model_cannot_read_is_urgent(settings: Any) -> None:
    def broken(text: str) -> Any:
        raise RuntimeError("the model is away")

    built = build_runtime(settings, analyse=broken)
    replies = await say(built.conversation, NAMED)
    assert CHILDLINE in replies[0].text
    assert [r.urgency for r in referrals(built)] == ["urgent"]
    built.close()


async def test_a_child_who_says_they_are_not_safe_is_urgent_whatever_the_model_reads(
    reading: Any,
) -> None:
    telling = "honestly im not safe in here tonight"
    built, replies = await told_calm(reading, telling)
    assert replies[0].text.startswith("Thank you for telling me") and CHILDLINE in replies[0].text
    [referral] = referrals(built)
    assert referral.urgency == "urgent"
    assert "not safe right now" in referral.summary


@pytest.mark.parametrize(
    "text", ["is the chicken safe to eat", "they said im safe to go back on the wing"]
)
async def test_safe_said_of_something_else_is_no_alarm(reading: Any, text: str) -> None:
    built, replies = await told_calm(reading, text)
    assert not any(said.startswith("Thank you for telling me") for said in texts(replies))
    assert referrals(built) == []


@pytest.mark.parametrize(
    "words", ["no one is hurting me", "i dont wanna hurt myself", "gonna end it with him"]
)
async def test_a_short_message_that_only_denies_a_risk_raises_no_alarm(
    runtime: Any, words: str
) -> None:
    """The README's own examples: a risk said not to be so, or a way of speaking, is no urgent
    referral however the model reads those words; it still gets Childline's number."""
    replies = await say(runtime.conversation, words)
    assert CHILDLINE in replies[0].text
    assert referrals(runtime) == []


async def test_a_check_in_after_a_denial_does_not_say_sorry_things_feel_hard(
    settings: Any, analyse: Any
) -> None:
    """ "no one is hurting me" asked "are you safe?" is checked on gently, not pitied."""
    words = "no one is hurting me"
    built = build_runtime(settings, analyse=graded(analyse, **{words: {"concern": True}}))
    try:
        replies = await say(built.conversation, words)
        assert analyse(words).denied
        assert replies[0].text.startswith("I just want to check you are OK")
        assert CHILDLINE in replies[0].text and replies[-1].text == SAFE
        assert "sorry" not in " ".join(texts(replies)).lower()
    finally:
        built.close()


async def test_a_longer_message_with_a_denial_is_still_read_for_what_else_it_says(
    runtime: Any,
) -> None:
    replies = await say(
        runtime.conversation, "i dont wanna hurt myself but i keep staring at the rope under my bed"
    )
    assert CHILDLINE in replies[0].text
    assert [r.urgency for r in referrals(runtime)] == ["urgent"]


async def test_self_harm_told_as_over_gets_childline_and_no_alarm(runtime: Any) -> None:
    # The real pipeline and screen: the encoder alone scores these words as high as a risk
    # told now, so nlp/over.py decides that it is over.
    telling = "took an overdose at my old unit two years ago, glad it didnt work, im good now"
    replies = await say(runtime.conversation, telling)
    assert CHILDLINE in replies[0].text and "Please talk to Childline now" not in replies[0].text
    # Thanked, and told where to go if it comes back, not asked "if this is about you".
    assert replies[0].text.startswith("Thank you for telling me. I am glad that is behind you.")
    assert "did not understand" not in " ".join(texts(replies))
    assert "topic:visits" in payloads(replies)  # what they can ask about next
    assert SAFE not in " ".join(texts(replies))
    assert referrals(runtime) == []


async def test_self_harm_that_came_back_is_urgent(runtime: Any) -> None:
    telling = "was clean for a year but i took an overdose again last night"
    replies = await say(runtime.conversation, telling)
    assert "Please talk to Childline now" in replies[0].text
    assert [r.urgency for r in referrals(runtime)] == ["urgent"]


@pytest.mark.parametrize(
    "telling",
    [
        "when i was 12 my stepdad used to hit me but police dealt with it, hes in prison now",
        # The model hardly reads it as abuse (0.1), the words name it: still asked.
        "a foster carer used to hit me years ago, social services sorted it, any counsellors here",
    ],
)
async def test_abuse_told_as_dealt_with_asks_if_they_are_safe_and_a_no_is_urgent(
    runtime: Any, telling: str
) -> None:
    """A child's past abuse, dealt with: Childline and "Are you safe right now?", not an
    alarm; "No" puts them through, and the referral says abuse."""
    conversation = runtime.conversation
    await press(conversation, "role:child")
    asked = await say(conversation, telling)
    assert CHILDLINE in asked[0].text and "Please talk to Childline now" not in asked[0].text
    assert asked[-1].text == SAFE
    assert referrals(runtime) == []
    await say(conversation, "no")
    [referral] = referrals(runtime)
    assert referral.urgency == "urgent" and referral.risks == "abuse"
    assert telling.split(",")[0] in referral.summary


async def test_abuse_told_as_past_with_nothing_done_is_urgent(runtime: Any) -> None:
    replies = await say(runtime.conversation, "my stepdad used to hit me and nobody did anything")
    assert CHILDLINE in replies[0].text and SAFE not in " ".join(texts(replies))
    assert [r.urgency for r in referrals(runtime)] == ["urgent"]


# ---- the column ----


def test_the_worries_column_comes_and_goes_with_its_migration(database_url: str) -> None:
    """Chats from before it have no worries; a "No" from one is urgent with no label."""
    rows, columns = chat_column_over_its_migration(database_url, before="0007", column="worries")
    assert rows == [("chat-1", "")]
    assert "worries" not in columns and "place" in columns
