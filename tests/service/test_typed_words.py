"""Typed words keep the chat's promises: a request for a person gets one, "yes" and "no" answer
what is on screen, every button's command works in words, and "who can read this" is answered
honestly. Each test is a conversation through the real engine, model and database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, select

from content.schema import INTENTS, OFFERS
from service.engine import AFTER_CRISIS, TYPED_BUTTONS, Conversation
from service.models import Chat, Event, Referral
from service.runtime import build_runtime
from tests.service.helpers import count, database_dump, payloads, press, say, texts
from tests.service.test_graded_risk import graded

CHILDLINE = "0800 1111"
CONSENT_QUESTION = "Do you want an advocate to reply to you here?"
# An invented word no redaction touches, so it can be looked for in the database.
INVENTED = "zogglewump"


def referrals(runtime: Any) -> list[Referral]:
    with Session(runtime.database) as session:
        return list(session.exec(select(Referral)).all())


def awaiting(runtime: Any) -> str | None:
    with Session(runtime.database) as session:
        return session.exec(select(Chat.awaiting)).one()


def asks_for_consent(replies: list[Any]) -> bool:
    return replies[-1].text == CONSENT_QUESTION and payloads(replies)[-2:] == [
        "advocate:yes",
        "advocate:no",
    ]


def test_the_engine_knows_every_intent_and_offer() -> None:
    assert set(INTENTS) == {*TYPED_BUTTONS, "yes", "no", "unsure"}
    assert set(OFFERS) == {"talk", "more", "actions", "setting"}


# ---- asking for a person gets one --------------------------------------------------------


@pytest.mark.parametrize(
    "request_",
    [
        "i want to talk to a real person",
        "I want to speak to an advocate.",
        "can i talk to someone",
        "get me an advocate",
        "Can I talk to someone please?",
        "i want to talk to a real persn",
        "i want to speak to an advocat",
    ],
)
async def test_asking_for_a_person_goes_straight_to_the_advocate_question(
    conversation: Conversation, runtime: Any, request_: str
) -> None:
    replies = await say(conversation, request_)
    assert asks_for_consent(replies)
    assert any(CHILDLINE in t for t in texts(replies))  # Childline is offered too
    assert not any("Ask for one today" in t for t in texts(replies))
    assert awaiting(runtime) == "consent"
    assert referrals(runtime) == []
    done = await say(conversation, "yes")
    assert "reply in this chat" in done[0].text
    [referral] = referrals(runtime)
    assert (referral.urgency, referral.status) == ("normal", "new")


@pytest.mark.parametrize("question", ["what is an advocate", "what do advocates do"])
async def test_a_question_about_advocates_still_gets_the_answer(
    conversation: Conversation, library: Any, question: str
) -> None:
    replies = await say(conversation, question)
    assert replies[0].text == " ".join(library.answer("advocate", "child").first)
    assert "Ask for one today" in replies[0].text


# ---- yes and no answer what is on screen --------------------------------------------------


async def test_yes_after_the_advocate_answer_takes_its_offer(
    conversation: Conversation, runtime: Any
) -> None:
    await say(conversation, "what is an advocate")
    replies = await say(conversation, "yeah")
    assert asks_for_consent(replies)
    assert not any("I am Rightsline" in t for t in texts(replies))  # not the greeting again
    await say(conversation, "yep")
    assert len(referrals(runtime)) == 1


async def test_no_after_an_offer_is_fine_and_shows_the_menu(
    conversation: Conversation, runtime: Any
) -> None:
    await press(conversation, "topic:advocate")
    replies = await say(conversation, "nah")
    assert "That is OK" in replies[0].text
    assert "talk" in payloads(replies) and "topic:separation" in payloads(replies)
    assert referrals(runtime) == []
    assert awaiting(runtime) is None


@pytest.mark.parametrize("no", ["no", "nope", "nah", "not now"])
async def test_typed_no_to_the_advocate_question_keeps_the_door_open(
    conversation: Conversation, runtime: Any, no: str
) -> None:
    await press(conversation, "talk")
    replies = await say(conversation, no)
    assert "ask for an advocate at any time" in replies[0].text
    assert referrals(runtime) == []


async def test_yes_after_a_step_that_offers_an_advocate_asks_the_question(
    conversation: Conversation, library: Any
) -> None:
    await press(conversation, "topic:advocate")
    more = library.answer("advocate", "child").more
    for step in more:
        replies = await press(conversation, "more")
        assert replies[0].text == step
    assert "I can ask an advocate" in more[-1]
    assert asks_for_consent(await say(conversation, "ok"))


async def test_yes_after_tell_me_where_you_are_asks_where(
    conversation: Conversation, library: Any
) -> None:
    await press(conversation, "role:child")
    await press(conversation, "topic:complaints")
    more = library.answer("complaints", "child").more
    for step in more:
        await press(conversation, "more")
        if "Tell me where you are" in step:
            break
    else:
        pytest.fail("the complaints answer no longer asks where the child is")
    asked = await say(conversation, "yes")
    assert "Where are you staying" in asked[0].text
    assert "setting:yoi" in payloads(asked)


async def test_yes_after_a_step_gives_the_next_step(
    conversation: Conversation, library: Any
) -> None:
    await press(conversation, "topic:restraint")
    more = library.answer("restraint", "child").more
    await press(conversation, "more")
    replies = await say(conversation, "yes please")
    assert replies[0].text == more[1]


async def test_then_what_gets_the_next_part_of_the_answer(
    conversation: Conversation, library: Any, runtime: Any
) -> None:
    await press(conversation, "topic:complaints")
    more = library.answer("complaints", "child").more
    replies = await say(conversation, "then what")
    assert replies[0].text == more[0]
    assert "more" in payloads(replies)
    replies = await say(conversation, "And then?")
    assert replies[0].text == more[1]
    assert "then what" not in database_dump(runtime.database)  # like a press, nothing kept
    with Session(runtime.database) as session:
        counted = session.exec(select(Event.topic).order_by(Event.id)).all()
    assert counted == ["complaints", None, None]  # the figures count the question once


@pytest.mark.parametrize("follow_up", ["what if they say no", "What if they ignore me?"])
async def test_what_if_they_say_no_gets_what_they_can_do(
    conversation: Conversation, library: Any, follow_up: str
) -> None:
    await press(conversation, "topic:complaints")
    replies = await say(conversation, follow_up)
    assert replies[0].text == "Here is what you can do today."
    routes = [a.route for a in library.answer("complaints", "child").actions]
    assert payloads(replies)[: len(routes)] == [f"action:{route}" for route in routes]


async def test_a_follow_up_with_nothing_answered_yet_is_read_as_usual(
    conversation: Conversation,
) -> None:
    replies = await say(conversation, "what if they say no")
    said = " ".join(texts(replies))
    assert replies and "That is all I have" not in said and "that button did not work" not in said
    assert "Here is what you can do today." not in said


async def test_a_follow_up_while_an_advocate_is_talking_goes_to_the_advocate(
    conversation: Conversation, runtime: Any
) -> None:
    await press(conversation, "topic:complaints")
    assert asks_for_consent(await say(conversation, "can i talk to someone"))
    await say(conversation, "yes")
    with Session(runtime.database) as session:
        [referral] = session.exec(select(Referral)).all()
        referral.status = "claimed"
        session.add(referral)
        session.commit()
    replies = await say(conversation, f"what if they say no {INVENTED}")
    assert replies[0].text == "I have sent that to your advocate. They will reply here."
    replies = await say(conversation, "what if they say no")
    assert replies[0].text == "I have sent that to your advocate. They will reply here."
    assert "what if they say no" in database_dump(runtime.database)  # kept for the advocate


@pytest.fixture
def worried(settings: Any, analyse: Any) -> Iterator[Any]:
    """A runtime whose model reads some messages as a concern: worrying, with no named risk."""
    concern = {"risks": [], "concern": True}
    fixed = graded(
        analyse,
        **{
            "the block is getting to me": {**concern, "topic": "separation"},
            "forget me": concern,
            "can i talk to someone": concern,
            # A typed "yes" the model reads as worrying, so few are its words.
            "im safe now": concern,
        },
    )
    built = build_runtime(settings, analyse=fixed)
    yield built
    built.close()


async def test_yes_to_are_you_safe_answers_it(worried: Any) -> None:
    conversation = worried.conversation
    asked = await say(conversation, "the block is getting to me")
    assert asked[-1].text == "Are you safe right now?"
    replies = await say(conversation, "yep")
    assert "glad you are safe" in replies[0].text
    assert referrals(worried) == []


@pytest.mark.parametrize("no", ["nope", "no thanks", "not really"])
async def test_no_to_are_you_safe_is_urgent_with_childline_first(worried: Any, no: str) -> None:
    conversation = worried.conversation
    await say(conversation, "the block is getting to me")
    replies = await say(conversation, no)
    assert CHILDLINE in replies[0].text
    [referral] = referrals(worried)
    assert referral.urgency == "urgent"


async def test_worrying_words_that_ask_for_a_person_get_the_advocate_question(
    worried: Any,
) -> None:
    replies = await say(worried.conversation, "can i talk to someone")
    assert asks_for_consent(replies)
    assert any(CHILDLINE in t for t in texts(replies))


async def test_worrying_words_that_are_a_command_get_the_check_in_first(worried: Any) -> None:
    replies = await say(worried.conversation, "forget me")
    assert CHILDLINE in replies[0].text
    assert replies[-1].text == "Are you safe right now?"
    assert count(worried.database, "chat_session") == 1


async def test_yes_with_nothing_asked_shows_the_menu_not_the_greeting(
    conversation: Conversation,
) -> None:
    await press(conversation, "role:child")
    await press(conversation, "setting:yoi")
    replies = await say(conversation, "yes")
    assert not any("I am Rightsline" in t for t in texts(replies))
    assert "topic:separation" in payloads(replies) and "talk" in payloads(replies)


# ---- commands in words ------------------------------------------------------------------


@pytest.mark.parametrize("command", ["forget me", "delete my messages", "delete everything i said"])
async def test_forgetting_in_words_asks_first_then_yes_forgets(
    conversation: Conversation, runtime: Any, command: str
) -> None:
    await say(conversation, f"they moved me to the {INVENTED} wing, can i complain")
    await press(conversation, "talk")
    await press(conversation, "advocate:yes")
    asked = await say(conversation, command)
    assert "delete what you wrote" in asked[0].text
    assert payloads(asked) == ["forget:yes", "forget:no"]
    assert INVENTED in database_dump(runtime.database)  # nothing is gone before they say so
    done = await say(conversation, "yes")
    assert "deleted what you wrote" in done[0].text
    for table in ("chat_session", "event", "referral", "relay_message"):
        assert count(runtime.database, table) == 0
    dump = database_dump(runtime.database)
    for word in (INVENTED, "complain", command):
        assert word not in dump


async def test_no_to_forgetting_keeps_the_chat(conversation: Conversation, runtime: Any) -> None:
    await say(conversation, f"the {INVENTED} wing has no heating")
    await say(conversation, "forget me")
    replies = await say(conversation, "no")
    assert "kept this chat" in replies[0].text
    assert INVENTED in database_dump(runtime.database)


async def test_forgetting_keeps_an_urgent_referral_as_a_record_without_words(
    conversation: Conversation, runtime: Any
) -> None:
    await say(conversation, f"staff hit me in the {INVENTED} room")
    await say(conversation, "forget me")
    await say(conversation, "yes")
    [referral] = referrals(runtime)
    assert referral.urgency == "urgent"
    assert referral.summary == runtime.library.message("referral_forgotten")
    assert INVENTED not in database_dump(runtime.database)


@pytest.mark.parametrize("command", ["menu", "main menu", "go back", "Menu!"])
async def test_menu_in_words(conversation: Conversation, command: str) -> None:
    await press(conversation, "role:child")
    await press(conversation, "topic:visits")
    replies = await say(conversation, command)
    assert "What do you want to know about" in replies[0].text
    assert "topic:separation" in payloads(replies) and "talk" in payloads(replies)


async def test_start_again_in_words_greets(conversation: Conversation) -> None:
    await press(conversation, "topic:visits")
    replies = await say(conversation, "start again")
    assert "I am Rightsline" in replies[0].text


async def test_help_in_words_says_what_i_do_with_childline_and_the_menu(
    conversation: Conversation,
) -> None:
    replies = await say(conversation, "help")
    assert CHILDLINE in replies[0].text
    assert "topic:separation" in payloads(replies) and "talk" in payloads(replies)


async def test_a_command_word_inside_a_sentence_is_not_a_command(
    conversation: Conversation, runtime: Any
) -> None:
    replies = await say(conversation, "my family have all forgotten me")
    assert not any("delete what you wrote" in t for t in texts(replies))
    assert awaiting(runtime) != "forget"


# ---- risk first, always -----------------------------------------------------------------


@pytest.mark.parametrize(
    "message", ["forget me i want to kill myself", "menu. staff hit me", "i want to die forget me"]
)
async def test_a_risk_with_a_command_in_it_still_gets_childline_first(
    conversation: Conversation, runtime: Any, message: str
) -> None:
    replies = await say(conversation, message)
    assert CHILDLINE in replies[0].text
    assert not any("delete what you wrote" in t for t in texts(replies))
    [referral] = referrals(runtime)
    assert referral.urgency == "urgent"
    assert count(runtime.database, "chat_session") == 1  # nothing was forgotten


async def test_a_risk_while_forgetting_is_asked_is_not_a_yes(
    conversation: Conversation, runtime: Any
) -> None:
    await say(conversation, "forget me")
    replies = await say(conversation, "yes i want to kill myself")
    assert CHILDLINE in replies[0].text
    assert len(referrals(runtime)) == 1
    assert awaiting(runtime) == AFTER_CRISIS  # no longer asked to delete: heard after telling


# ---- who can read this ------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "who can read this",
        "will the staff see what I write",
        "can the officers read my messages",
        "is this private",
    ],
)
async def test_who_can_read_this_gets_the_honest_answer(
    conversation: Conversation, library: Any, question: str
) -> None:
    replies = await say(conversation, question)
    answer = " ".join(library.answer("privacy", "child").first)
    assert replies[0].text == answer
    promises = ("Staff where you stay can't read what I keep", "names and numbers", "forget me")
    for promise in promises:
        assert promise in answer
    assert "only if you ask for one" in answer and "not be safe" in answer
    assert "choose what to share" not in answer
    assert "forget" in payloads(replies) and "talk" in payloads(replies)


async def test_what_the_privacy_answer_says_an_advocate_sees_is_what_they_see(
    conversation: Conversation, runtime: Any
) -> None:
    # The answer says an advocate sees your last few messages once you ask: so they do.
    await say(conversation, f"they moved me to the {INVENTED} wing")
    await say(conversation, "is this private")
    await say(conversation, "i want to talk to someone")
    await say(conversation, "yes")
    [referral] = referrals(runtime)
    assert INVENTED in referral.summary


@pytest.mark.parametrize("answer", ["im safe now", "ye im fine", "yh", "ya im safe", "safe"])
async def test_a_yes_in_a_childs_own_words_answers_are_you_safe(worried: Any, answer: str) -> None:
    conversation = worried.conversation
    await say(conversation, "the block is getting to me")
    replies = await say(conversation, answer)
    assert "glad you are safe" in replies[0].text
    assert "I am Rightsline" not in " ".join(texts(replies))
    assert referrals(worried) == []


@pytest.mark.parametrize("request_", ["help me", "pls help me", "i need help", "someone help me"])
async def test_help_me_gets_childlines_number_not_just_a_hello(
    conversation: Conversation, request_: str
) -> None:
    replies = await say(conversation, request_)
    assert CHILDLINE in replies[0].text
    assert "topic:separation" in payloads(replies) and "talk" in payloads(replies)


@pytest.mark.parametrize("question", ["is this a real person", "are you a bot", "who r u"])
async def test_a_child_who_asks_if_this_is_a_person_is_told_it_is_a_computer(
    conversation: Conversation, question: str
) -> None:
    replies = await say(conversation, question)
    assert "I am a computer, not a person" in replies[0].text
    assert CHILDLINE in replies[0].text


@pytest.mark.parametrize("command", ["wipe it", "clear this chat", "can u delete what i said"])
async def test_more_ways_of_saying_delete_ask_to_forget(
    conversation: Conversation, command: str
) -> None:
    await say(conversation, f"the {INVENTED} wing has no heating")
    asked = await say(conversation, command)
    assert "delete what you wrote" in asked[0].text
    assert payloads(asked) == ["forget:yes", "forget:no"]
